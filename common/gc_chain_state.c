#include "gc_chain_state.h"

#include "gc_filter.h"
#include "gc_io.h"
#include "banned.h"

static bool load_head(void *ctx, json_t *rec, struct gc_fail *f)
{
    return gc_chains_add_head(ctx, rec, f);
}

void gc_chains_load(struct gc_chains *c, const char *path)
{
    gc_load_records(path, true, load_head, c);
    c->dirty = false;
}

void gc_chains_save(const struct gc_chains *c, const char *path, struct gc_commit *commit)
{
    struct gc_buf out = GC_BUF_INIT;

    gc_chains_format(c, &out);
    if (commit != NULL)
        gc_commit_data(commit, path, out.ptr, out.len, 0666);
    else
        gc_atomic_write(path, out.ptr, out.len);
    gc_buf_release(&out);
}
