/* Functions that invite overflows or hidden state are compile errors (git's banned.h). */
#ifndef GC_BANNED_H
#define GC_BANNED_H

#define GC_BANNED(func) sorry_##func##_is_banned_in_gc

#undef strcpy
#define strcpy(x, y) GC_BANNED(strcpy)
#undef strcat
#define strcat(x, y) GC_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) GC_BANNED(strncpy)
#undef sprintf
#define sprintf(...) GC_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) GC_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) GC_BANNED(strtok)
#undef gets
#define gets(x) GC_BANNED(gets)
#undef gmtime
#define gmtime(x) GC_BANNED(gmtime)
#undef localtime
#define localtime(x) GC_BANNED(localtime)

#endif
