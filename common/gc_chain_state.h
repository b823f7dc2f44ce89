/*
 * gc_chain_state — the chain-head state file of gc-attest sign and
 * gc-verify --state: NDJSON of "chain.head" records (gc_chain.h).
 */
#ifndef GC_CHAIN_STATE_H
#define GC_CHAIN_STATE_H

#include "gc_chain.h"
#include "gc_commit.h"

/*
 * Reads PATH into C if it exists (a missing file means no chains yet). A
 * malformed line stops the program with exit 65 naming file and line.
 */
void gc_chains_load(struct gc_chains *c, const char *path);

/*
 * Replaces PATH with the heads of C: as part of COMMIT, or, when COMMIT is
 * NULL, atomically on its own (exit 74 on error).
 */
void gc_chains_save(const struct gc_chains *c, const char *path, struct gc_commit *commit);

#endif
