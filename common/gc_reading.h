/*
 * gc_reading — meter readings and their signed form, attestations
 * (DESIGN.md §2): strict decoding and the physical plausibility checks.
 * Domain module: no I/O, no clock.
 */
#ifndef GC_READING_H
#define GC_READING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_device.h"
#include "gc_err.h"
#include "gc_time.h"

struct gc_reading {
    const char *device;  /* borrowed from the record (or a struct gc_reading_text) */
    int64_t ts;          /* period start, seconds since the epoch */
    const char *ts_text; /* the ts as written (borrowed): its 20 bytes, "YYYY-MM-DDTHH:MM:SSZ" */
    int64_t period_s;
    bool has_energy; /* energy_wh; otherwise charge_wh and discharge_wh (batteries) */
    int64_t energy_wh;
    int64_t charge_wh, discharge_wh;
    bool has_gpu_s, has_busy_s;
    int64_t gpu_s, busy_s;
    const char *zone;    /* NULL when absent */
    const char *geohash; /* NULL when absent */
    /* attestations only */
    int64_t seq;
    uint8_t prev[GC_SHA256_LEN];
    uint8_t sig[GC_SIG_LEN];
    /*
     * The record has no member but these fields: its canonical bytes follow from this struct
     * alone, so the gc_attestation_* functions below write them without walking the JSON.
     */
    bool plain;
};

enum gc_reading_kind {
    GC_READING,     /* type "reading": must not carry seq, prev or sig */
    GC_ATTESTATION, /* type "attestation": seq, prev and sig required */
};

/*
 * Decodes REC as a reading or attestation into R (strings borrowed from REC).
 * Fails with "bad_field" naming the field: wrong type or version, a bad id or
 * timestamp, a non-integer or negative quantity, energy given both ways or
 * neither, busy_s without gpu_s or above it.
 */
bool gc_reading_parse(const json_t *rec, enum gc_reading_kind kind, struct gc_reading *r,
                      struct gc_fail *f);

/*
 * Where gc_reading_read_line keeps the strings of a reading: NUL-terminated
 * copies, which the line's own bytes are not.
 */
struct gc_reading_text {
    char device[65];
    char zone[65];
    char geohash[GC_GEOHASH_MAX + 1];
    char ts[GC_TIME_LEN + 1];
};

/*
 * Reads the NDJSON line LINE[0..LEN) (whole, not cut at --max-line-bytes)
 * straight into R, without a JSON tree, when it is a reading of the plainest
 * shape: one object of reading members only, each once, strings of printable
 * ASCII without escapes, integers from 0 to 2^63 - 1 in their shortest form,
 * every value one gc_reading_parse accepts. R is then what gc_reading_parse
 * gives for the line, plain, its strings borrowed from TEXT. False for
 * anything else, valid or not, R then undefined: the caller parses the line
 * as JSON and gc_reading_parse judges it, so every refusal, with its reason
 * and detail, comes from there.
 */
bool gc_reading_read_line(const char *line, size_t len, struct gc_reading *r,
                          struct gc_reading_text *text);

/* "crosses_hour": period_s outside 1..3600 or [ts, ts + period_s) not inside one UTC hour. */
bool gc_reading_check_period(const struct gc_reading *r, struct gc_fail *f);

/* "bad_field" unless the energy form matches the class: batteries charge_wh/discharge_wh, others
 * energy_wh. */
bool gc_reading_check_form(const struct gc_reading *r, const struct gc_device *d,
                           struct gc_fail *f);

/* "zone_mismatch" unless zone and geohash (when given) agree with the registry entry D. */
bool gc_reading_check_location(const struct gc_reading *r, const struct gc_device *d,
                               struct gc_fail *f);

/*
 * "over_capacity": energy (or charge/discharge) above rated_w x period_s / 3600
 * plus SLACK_BPS, compared exactly in integers; gpu_s above period_s x gpus.
 */
bool gc_reading_check_capacity(const struct gc_reading *r, const struct gc_device *d,
                               int64_t slack_bps, struct gc_fail *f);

/* "future": the period ends after NOW_S. */
bool gc_reading_check_time(const struct gc_reading *r, int64_t now_s, struct gc_fail *f);

/* Makes the reading REC an attestation at SEQ after PREV: sets type, seq and prev. */
void gc_attestation_link(json_t *rec, int64_t seq, const uint8_t prev[GC_SHA256_LEN]);

/*
 * Seals the reading REC (already checked) as an attestation: sets type, seq
 * and prev in REC, signs its canonical bytes with KEY, writes the canonical
 * attestation with its sig to OUT (reset first) and its record hash to HASH.
 * MSG is scratch space.
 */
void gc_attestation_seal(json_t *rec, int64_t seq, const uint8_t prev[GC_SHA256_LEN],
                         const struct gc_key *key, struct gc_buf *msg, struct gc_buf *out,
                         uint8_t hash[GC_SHA256_LEN]);

/*
 * gc_attestation_link and gc_signed_prepare of the reading REC, decoded in R
 * (a GC_READING): the canonical attestation at SEQ after PREV, without its
 * sig, to MSG (reset first), where the sig goes to *SIG_AT, its record hash
 * to HASH. When R is plain the bytes are written from R and REC is left as it
 * is (it may be NULL: a reading read by gc_reading_read_line); otherwise type,
 * seq and prev are set in REC first. The same bytes either way.
 */
void gc_attestation_prepare(json_t *rec, const struct gc_reading *r, int64_t seq,
                            const uint8_t prev[GC_SHA256_LEN], struct gc_buf *msg, size_t *sig_at,
                            uint8_t hash[GC_SHA256_LEN]);

/*
 * Checks the sig of attestation REC (decoded in R) against PK: "bad_signature"
 * unless it is valid. Fills HASH with the record hash either way; MSG is
 * scratch space.
 */
bool gc_attestation_check_sig(const json_t *rec, const struct gc_reading *r,
                              const uint8_t pk[GC_PUBKEY_LEN], struct gc_buf *msg,
                              uint8_t hash[GC_SHA256_LEN], struct gc_fail *f);

#endif
