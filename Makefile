# gc — green-compute toolkit. One non-recursive Makefile (mblaze, signify-portable).
#
#   make                 build the programs into build/bin
#   make check           unit tests (cmocka) and BATS tests
#   make SANITIZE=1 check   the same under ASan + UBSan, no recovery
#   make check-valgrind  the same with every program under valgrind: no error, no leak (slow)
#   make demo            the whole chain on the sample world in examples/, with a summary
#   make plots           the demo and the scenario sweep, then their charts as SVG (gnuplot)
#   make bench           every stage's throughput against a baseline in the same run
#   make lint            clang-format, mandoc -Tlint, shellcheck
#   make install PREFIX=/usr/local DESTDIR=

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS      = libsodium jansson libcurl libzstd
B         = build

# Debian packages behind each pkg-config name, for the error message.
DEB_BUILD = build-essential pkg-config libsodium-dev libjansson-dev libcurl4-openssl-dev libzstd-dev

PKG_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
ifeq ($(PKG_OK),yes)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
endif

override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wformat=2 -Wno-unused-parameter -fno-strict-aliasing \
	-Icommon $(PKG_CFLAGS) -DGC_VERSION='"$(VERSION)"' -pthread
override LDFLAGS += -pthread
ifneq ($(SANITIZE),)
override CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=address,undefined
B = build/sanitize
endif
LDLIBS += $(PKG_LIBS) -lpthread

PROGS       = gc-attest gc-verify gc-pool gc-amm gc-issue gc-settle
COMMON_SRC  = $(sort $(wildcard common/*.c))
COMMON_OBJ  = $(COMMON_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC    = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN    = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
UNIT_HELP   = $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/unit/gc_test.c))
BENCH_SRC   = $(sort $(wildcard tests/bench/*.c))
BENCH_BIN   = $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)
BIN         = $(PROGS:%=$(B)/bin/%)
MAN1        = $(PROGS:%=man/%.1)
MAN5        = man/gc-records.5

.PHONY: all check check-valgrind unit bats demo plots bench lint install uninstall clean deps deps-test
.SUFFIXES:
.SECONDARY:

all: $(BIN)

ifneq ($(PKG_OK),yes)
# Libraries missing: install them (as root or via sudo) or say exactly what to run.
$(BIN) $(UNIT_BIN) $(BENCH_BIN) $(COMMON_OBJ): deps
	@$(MAKE) --no-print-directory $@
endif

deps:
	@sh .ci/deps build

deps-test:
	@sh .ci/deps build test

$(B)/obj/%.o: %.c $(wildcard common/*.h tests/unit/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libgc.a: $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/bin/%: $(B)/obj/cmd/%.o $(B)/libgc.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(UNIT_HELP) $(B)/libgc.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(B)/bench/%: $(B)/obj/tests/bench/%.o $(B)/libgc.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# make check: the README's test command. Installs test packages first when it can.
check: deps-test
	@$(MAKE) --no-print-directory unit bats

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

bats: $(BIN)
	GC_BIN=$(CURDIR)/$(B)/bin GC_BUILD=$(CURDIR)/$(B) bats $(BATSFLAGS) tests/

# The demo's files go to build/demo, whatever the build directory.
DEMO = build/demo

# make check-valgrind: every program the tests run goes through valgrind's memcheck, and any
# error or leak fails that test (exit 99); then the unit tests. Slow, so not in make check.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible

check-valgrind: deps-test
	@test -z "$(SANITIZE)" || { echo "valgrind and the sanitizers do not mix: no SANITIZE=1" >&2; exit 64; }
	@$(MAKE) --no-print-directory $(BIN) $(UNIT_BIN)
	@rm -rf $(B)/valgrind && mkdir -p $(B)/valgrind
	@for p in $(PROGS); do \
		printf '#!/bin/sh\nexec $(VALGRIND) "%s" "$$@"\n' "$(CURDIR)/$(B)/bin/$$p" >$(B)/valgrind/$$p; \
		chmod 755 $(B)/valgrind/$$p; \
	done
	@set -e; for t in $(UNIT_BIN); do echo "== valgrind $$t"; $(VALGRIND) $$t >/dev/null; done
	GC_BIN=$(CURDIR)/$(B)/valgrind GC_BUILD=$(CURDIR)/$(B) bats $(BATSFLAGS) tests/

demo:
	@sh .ci/deps build demo
	@$(MAKE) --no-print-directory $(BIN)
	@GC_BIN=$(CURDIR)/$(B)/bin sh examples/demo.sh $(DEMO)

plots: demo
	@sh .ci/deps plots
	@GC_BIN=$(CURDIR)/$(B)/bin sh examples/scenarios.sh $(DEMO) >/dev/null
	@sh examples/plots.sh $(DEMO)

bench: deps
	@$(MAKE) --no-print-directory $(BIN) $(BENCH_BIN)
	@GC_BIN=$(CURDIR)/$(B)/bin GC_BENCH=$(CURDIR)/$(B)/bench sh tests/bench/run.sh

lint:
	@sh .ci/deps lint
	clang-format --dry-run --Werror cmd/*.c common/*.c common/*.h \
		$(wildcard tests/unit/*.[ch] tests/bench/*.c tests/fuzz/*.[ch])
	mandoc -Tlint -Wwarning $(MAN1) $(MAN5)
	shellcheck -x .ci/run .ci/deps examples/*.sh tests/bench/*.sh tests/fuzz/*.sh tests/*.bash \
		completions/gc.bash
	shellcheck -s bash -x tests/*.bats

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	for p in $(PROGS); do install -m 0644 completions/gc.bash $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	install -m 0644 completions/_gc $(DESTDIR)$(ZSHCOMPDIR)/_gc
	for p in $(PROGS); do install -m 0644 completions/$$p.fish $(DESTDIR)$(FISHCOMPDIR)/$$p.fish; done

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) $(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%) $(PROGS:%=$(DESTDIR)$(BASHCOMPDIR)/%) \
		$(DESTDIR)$(ZSHCOMPDIR)/_gc $(PROGS:%=$(DESTDIR)$(FISHCOMPDIR)/%.fish)

clean:
	rm -rf build

# ---- fuzzing: libFuzzer harnesses (tests/fuzz) ------------------------------------------------
#
#   make fuzz            build the harnesses and run each for FUZZ_SECONDS (default 60)
#   make fuzz-smoke      replay tests/fuzz-regressions/NAME/* through each harness, then run each
#                        for FUZZ_SECONDS (default 15 here: about five minutes for all of them):
#                        what CI runs
#
# clang with libFuzzer, ASan and UBSan (no recovery); the library is compiled again with clang
# into build/fuzz/obj, whatever SANITIZE says, so fuzzing never touches build/ or build/sanitize.
# Seed corpora come from the test fixtures (tests/fuzz/seeds.sh) into build/fuzz/seeds/NAME;
# what the fuzzer finds goes to build/fuzz/corpus/NAME, crashes to build/fuzz/crash/NAME/.
# Any crash, leak or timeout fails the target; turn a crash into tests/fuzz-regressions/NAME/.
# FUZZ_FLAGS adds libFuzzer options (e.g. FUZZ_FLAGS=-only_ascii=1); FUZZ_JOBS builds in parallel.
CC_FUZZ       ?= clang-14
FUZZ_SMOKE_SECONDS := $(if $(filter undefined,$(origin FUZZ_SECONDS)),15,$(FUZZ_SECONDS))
FUZZ_SECONDS  ?= 60
FUZZ_FLAGS    ?=
FUZZ_JOBS     ?= 2
FUZZ_B         = build/fuzz
FUZZ_SAN       = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The flags of CFLAGS above; clang also warns of gc_err.c's vfprintf, which gcc does not.
FUZZ_CFLAGS    = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral -Wno-unused-parameter \
	-fno-strict-aliasing -Icommon $(PKG_CFLAGS) -DGC_VERSION='"$(VERSION)"' -g -O1 $(FUZZ_SAN)
FUZZ_SRC       = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES     = $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BIN       = $(FUZZ_NAMES:%=$(FUZZ_B)/bin/%)
FUZZ_LIB_OBJ   = $(COMMON_SRC:%.c=$(FUZZ_B)/obj/%.o)
# Each run: the corpus it grows, the seeds, a dictionary where one helps; bounded per input.
FUZZ_RUN_OPTS  = -timeout=20 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1
FUZZ_DICT      = case $$n in fuzz_csv|fuzz_time|fuzz_tz) d= ;; \
	fuzz_prom|fuzz_import) d=-dict=tests/fuzz/metrics.dict ;; *) d=-dict=tests/fuzz/json.dict ;; esac

.PHONY: fuzz fuzz-smoke

$(FUZZ_B)/obj/common/%.o: common/%.c $(wildcard common/*.h) Makefile
	@mkdir -p $(@D)
	$(CC_FUZZ) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_B)/obj/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/harness.h $(wildcard common/*.h) Makefile
	@mkdir -p $(@D)
	$(CC_FUZZ) $(FUZZ_CFLAGS) -fsanitize=fuzzer -c -o $@ $<

$(FUZZ_B)/libgc.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# --wrap=gc_die: the harnesses decide which exits are crashes (tests/fuzz/harness.h).
$(FUZZ_B)/bin/%: $(FUZZ_B)/obj/tests/fuzz/%.o $(FUZZ_B)/obj/tests/fuzz/harness.o $(FUZZ_B)/libgc.a
	@mkdir -p $(@D)
	$(CC_FUZZ) $(FUZZ_SAN) -fsanitize=fuzzer -Wl,--wrap=gc_die -o $@ $^ $(PKG_LIBS) -lpthread

fuzz fuzz-smoke:
	@command -v $(CC_FUZZ) >/dev/null 2>&1 || { echo "gc: $(CC_FUZZ) is missing:" \
		"apt-get install clang-14 libclang-rt-14-dev" >&2; exit 1; }
	@[ "$(PKG_OK)" = yes ] || { echo "gc: missing libraries: apt-get install $(DEB_BUILD)" >&2; \
		exit 1; }
	@$(MAKE) --no-print-directory -j$(FUZZ_JOBS) $(FUZZ_BIN)
	@sh tests/fuzz/seeds.sh $(FUZZ_B)/seeds
	@set -e; for n in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_B)/corpus/$$n $(FUZZ_B)/crash/$$n; $(FUZZ_DICT); \
		if [ $@ = fuzz-smoke ] && [ -d tests/fuzz-regressions/$$n ]; then \
			echo "== $$n: regressions"; \
			$(FUZZ_B)/bin/$$n -artifact_prefix=$(FUZZ_B)/crash/$$n/ tests/fuzz-regressions/$$n/*; \
		fi; \
		s=$(if $(filter fuzz-smoke,$@),$(FUZZ_SMOKE_SECONDS),$(FUZZ_SECONDS)); \
		echo "== $$n: $$s s"; \
		$(FUZZ_B)/bin/$$n -max_total_time=$$s $(FUZZ_RUN_OPTS) $$d \
			-artifact_prefix=$(FUZZ_B)/crash/$$n/ $(FUZZ_FLAGS) \
			$(FUZZ_B)/corpus/$$n $(FUZZ_B)/seeds/$$n; \
	done
