#include "gc_reading.h"

#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "gc_json_flat.h"
#include "gc_num.h"
#include "gc_signed.h"
#include "gc_time.h"
#include "banned.h"

/* The fields a reading or attestation may carry, picked in one pass (gc_json_pick). */
enum {
    F_TYPE,
    F_V,
    F_DEVICE,
    F_TS,
    F_PERIOD,
    F_ENERGY,
    F_CHARGE,
    F_DISCHARGE,
    F_GPU_S,
    F_BUSY_S,
    F_ZONE,
    F_GEOHASH,
    F_SEQ,
    F_PREV,
    F_SIG,
    F_COUNT,
};

static const char *const field_names[F_COUNT] = {
    [F_TYPE] = "type",        [F_V] = "v",
    [F_DEVICE] = "device",    [F_TS] = "ts",
    [F_PERIOD] = "period_s",  [F_ENERGY] = "energy_wh",
    [F_CHARGE] = "charge_wh", [F_DISCHARGE] = "discharge_wh",
    [F_GPU_S] = "gpu_s",      [F_BUSY_S] = "busy_s",
    [F_ZONE] = "zone",        [F_GEOHASH] = "geohash",
    [F_SEQ] = "seq",          [F_PREV] = "prev",
    [F_SIG] = "sig",
};

bool gc_reading_parse(const json_t *rec, enum gc_reading_kind kind, struct gc_reading *r,
                      struct gc_fail *f)
{
    const json_t *v[F_COUNT];
    int64_t version;
    size_t known, geohash_len = 0;

    memset(r, 0, sizeof(*r));
    gc_json_pick(rec, field_names, F_COUNT, v);
    if (!gc_value_const(v[F_TYPE], "type", kind == GC_READING ? "reading" : "attestation", f) ||
        !gc_value_int(v[F_V], "v", 1, 1, &version, f) ||
        !gc_value_id(v[F_DEVICE], "device", &r->device, f) ||
        !gc_value_time(v[F_TS], "ts", &r->ts, f) ||
        !gc_value_int(v[F_PERIOD], "period_s", INT64_MIN, INT64_MAX, &r->period_s, f))
        return false;
    r->ts_text = json_string_value(v[F_TS]);

    r->has_energy = v[F_ENERGY] != NULL;
    if (r->has_energy && (v[F_CHARGE] || v[F_DISCHARGE]))
        return gc_fail(f, "bad_field", "energy_wh and charge_wh/discharge_wh are exclusive");
    if (r->has_energy) {
        if (!gc_value_int(v[F_ENERGY], "energy_wh", 0, INT64_MAX, &r->energy_wh, f))
            return false;
    } else if (v[F_CHARGE] || v[F_DISCHARGE]) {
        if (!gc_value_int(v[F_CHARGE], "charge_wh", 0, INT64_MAX, &r->charge_wh, f) ||
            !gc_value_int(v[F_DISCHARGE], "discharge_wh", 0, INT64_MAX, &r->discharge_wh, f))
            return false;
    } else {
        return gc_fail(f, "bad_field", "field 'energy_wh' is missing");
    }

    r->has_gpu_s = v[F_GPU_S] != NULL;
    if (r->has_gpu_s && !gc_value_int(v[F_GPU_S], "gpu_s", 0, INT64_MAX, &r->gpu_s, f))
        return false;
    r->has_busy_s = v[F_BUSY_S] != NULL;
    if (r->has_busy_s) {
        if (!r->has_gpu_s)
            return gc_fail(f, "bad_field", "field 'busy_s' needs 'gpu_s'");
        if (!gc_value_int(v[F_BUSY_S], "busy_s", 0, r->gpu_s, &r->busy_s, f))
            return false;
    }
    if (v[F_ZONE] != NULL && !gc_value_id(v[F_ZONE], "zone", &r->zone, f))
        return false;
    if (v[F_GEOHASH] != NULL) {
        if (!gc_value_str(v[F_GEOHASH], "geohash", &r->geohash, &geohash_len, f))
            return false;
        if (!gc_geohash_valid(r->geohash))
            return gc_fail(f, "bad_field", "field 'geohash' is not a geohash");
    }

    if (kind == GC_READING) {
        for (int i = F_SEQ; i <= F_SIG; i++)
            if (v[i] != NULL)
                return gc_fail(f, "bad_field", "a reading must not carry '%s'", field_names[i]);
    } else if (!gc_value_int(v[F_SEQ], "seq", 1, INT64_MAX, &r->seq, f) ||
               !gc_value_hex(v[F_PREV], "prev", r->prev, sizeof(r->prev), f) ||
               !gc_value_hex(v[F_SIG], "sig", r->sig, sizeof(r->sig), f)) {
        return false;
    }
    /* Every member was one of the fields above, each judged: nothing else to serialize. */
    known = 0;
    for (int i = 0; i < F_COUNT; i++)
        known += v[i] != NULL;
    /* (A geohash is judged up to a NUL, which only a record not parsed from a line can hold.) */
    r->plain =
        known == json_object_size(rec) && (r->geohash == NULL || strlen(r->geohash) == geohash_len);
    return true;
}

/*
 * --- readings straight from their line ---
 *
 * gc-attest sign reads most of its lines here: a JSON tree costs a dozen
 * allocations per line, and several times more where threads share the
 * allocator (-j N). Only lines that mean exactly what the general path reads
 * in them are taken; the rest go there, valid or not. The shape is the one
 * gc_amm_line reads for swaps: plain strings and integers.
 */

/* The field of a reading member M names, or -1 (seq, prev and sig are an attestation's). */
static int reading_field(const struct gc_json_member *m)
{
    for (int i = 0; i < F_SEQ; i++)
        if (gc_json_member_is(m, field_names[i]))
            return i;
    return -1;
}

/*
 * The members of the object on LINE into M, and V[field] pointing at each (NULL
 * when absent); false unless every one is a reading's field, given once, with a
 * plain string or integer value.
 */
static bool read_members(const char *line, size_t len, struct gc_json_member m[F_SEQ],
                         const struct gc_json_member *v[F_COUNT])
{
    int n = gc_json_flat_members(line, len, m, F_SEQ);

    memset(v, 0, F_COUNT * sizeof(*v));
    if (n < 0)
        return false;
    for (int k = 0; k < n; k++) {
        int i = reading_field(&m[k]);

        if (i < 0 || v[i] != NULL)
            return false; /* a member gc_reading does not know, or one twice */
        v[i] = &m[k];
    }
    return true;
}

/* The length of string member M's value, without its quotes. */
static size_t str_len(const struct gc_json_member *m)
{
    return m->val_len - 2;
}

/* V is the string WANT. */
static bool line_is(const struct gc_json_member *v, const char *want)
{
    return v != NULL && v->str && str_len(v) == strlen(want) &&
           memcmp(v->val + 1, want, str_len(v)) == 0;
}

/* V is an integer from MIN to MAX, put in *OUT. */
static bool line_int(const struct gc_json_member *v, int64_t min, int64_t max, int64_t *out)
{
    if (v == NULL || v->str || v->num < min || v->num > max)
        return false;
    *out = v->num;
    return true;
}

/* V is a string that fits OUT (SIZE bytes with its NUL), copied there. */
static bool line_str(const struct gc_json_member *v, char *out, size_t size)
{
    if (v == NULL || !v->str || str_len(v) >= size)
        return false;
    memcpy(out, v->val + 1, str_len(v));
    out[str_len(v)] = '\0';
    return true;
}

/*
 * The amounts as gc_reading_parse takes them: energy_wh or else both
 * charge_wh and discharge_wh, gpu_s, busy_s up to gpu_s.
 */
static bool line_amounts(const struct gc_json_member *const v[F_COUNT], struct gc_reading *r)
{
    r->has_energy = v[F_ENERGY] != NULL;
    if (r->has_energy) {
        if (v[F_CHARGE] != NULL || v[F_DISCHARGE] != NULL ||
            !line_int(v[F_ENERGY], 0, INT64_MAX, &r->energy_wh))
            return false;
    } else if (!line_int(v[F_CHARGE], 0, INT64_MAX, &r->charge_wh) ||
               !line_int(v[F_DISCHARGE], 0, INT64_MAX, &r->discharge_wh)) {
        return false;
    }
    r->has_gpu_s = v[F_GPU_S] != NULL;
    if (r->has_gpu_s && !line_int(v[F_GPU_S], 0, INT64_MAX, &r->gpu_s))
        return false;
    r->has_busy_s = v[F_BUSY_S] != NULL;
    return !r->has_busy_s || (r->has_gpu_s && line_int(v[F_BUSY_S], 0, r->gpu_s, &r->busy_s));
}

bool gc_reading_read_line(const char *line, size_t len, struct gc_reading *r,
                          struct gc_reading_text *text)
{
    struct gc_json_member m[F_SEQ];
    const struct gc_json_member *v[F_COUNT];
    int64_t version;

    memset(r, 0, sizeof(*r));
    if (!read_members(line, len, m, v))
        return false;
    if (!line_is(v[F_TYPE], "reading") || !line_int(v[F_V], 1, 1, &version) ||
        !line_str(v[F_DEVICE], text->device, sizeof(text->device)) ||
        !gc_id_valid(text->device, str_len(v[F_DEVICE])) ||
        !line_str(v[F_TS], text->ts, sizeof(text->ts)) ||
        gc_time_parse(text->ts, str_len(v[F_TS]), &r->ts) != NULL ||
        !line_int(v[F_PERIOD], 0, INT64_MAX, &r->period_s) || !line_amounts(v, r))
        return false;
    r->device = text->device;
    r->ts_text = text->ts;
    if (v[F_ZONE] != NULL) {
        if (!line_str(v[F_ZONE], text->zone, sizeof(text->zone)) ||
            !gc_id_valid(text->zone, str_len(v[F_ZONE])))
            return false;
        r->zone = text->zone;
    }
    if (v[F_GEOHASH] != NULL) {
        if (!line_str(v[F_GEOHASH], text->geohash, sizeof(text->geohash)) ||
            !gc_geohash_valid(text->geohash))
            return false;
        r->geohash = text->geohash;
    }
    /* Every member was a reading's field, judged: nothing else to serialize. */
    r->plain = true;
    return true;
}

bool gc_reading_check_period(const struct gc_reading *r, struct gc_fail *f)
{
    int64_t into_hour;

    if (r->period_s < 1 || r->period_s > 3600)
        return gc_fail(f, "crosses_hour", "period_s %lld is outside 1..3600",
                       (long long)r->period_s);
    into_hour = ((r->ts % 3600) + 3600) % 3600;
    if (into_hour + r->period_s > 3600)
        return gc_fail(f, "crosses_hour", "period of %llds from %lld s past the hour leaves it",
                       (long long)r->period_s, (long long)into_hour);
    return true;
}

/* True if the shorter of A and B is a prefix of the longer: one area contains the other. */
static bool geohash_overlap(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);

    return strncmp(a, b, n < m ? n : m) == 0;
}

bool gc_reading_check_form(const struct gc_reading *r, const struct gc_device *d, struct gc_fail *f)
{
    bool battery = d->cls == GC_CLASS_BATTERY;

    if (battery && r->has_energy)
        return gc_fail(f, "bad_field", "battery '%s' reports energy_wh, not charge_wh/discharge_wh",
                       d->id);
    if (!battery && !r->has_energy)
        return gc_fail(f, "bad_field",
                       "%s device '%s' reports charge_wh/discharge_wh, not energy_wh",
                       gc_class_name(d->cls), d->id);
    return true;
}

bool gc_reading_check_location(const struct gc_reading *r, const struct gc_device *d,
                               struct gc_fail *f)
{
    if (r->zone != NULL && strcmp(r->zone, d->zone) != 0)
        return gc_fail(f, "zone_mismatch", "zone '%s' but the registry says '%s'", r->zone,
                       d->zone);
    if (r->geohash != NULL && d->geohash[0] && !geohash_overlap(r->geohash, d->geohash))
        return gc_fail(f, "zone_mismatch", "geohash '%s' is outside the registered '%s'",
                       r->geohash, d->geohash);
    return true;
}

/* energy_wh x 3600 x 10000 > rated_w x period_s x (10000 + slack), without rounding. */
static bool above(int64_t energy_wh, const struct gc_device *d, int64_t period_s, int64_t slack_bps)
{
    __int128 lhs = (__int128)energy_wh * 3600 * 10000;
    __int128 rhs = (__int128)d->rated_w * period_s * (10000 + slack_bps);

    return lhs > rhs;
}

bool gc_reading_check_capacity(const struct gc_reading *r, const struct gc_device *d,
                               int64_t slack_bps, struct gc_fail *f)
{
    static const char *const what[] = {"energy_wh", "charge_wh", "discharge_wh"};
    int64_t amount[] = {r->energy_wh, r->charge_wh, r->discharge_wh};

    for (int i = 0; i < 3; i++)
        if (above(amount[i], d, r->period_s, slack_bps))
            return gc_fail(f, "over_capacity", "%s %lld is above %lld W for %lld s plus %lld bps",
                           what[i], (long long)amount[i], (long long)d->rated_w,
                           (long long)r->period_s, (long long)slack_bps);
    if (r->has_gpu_s && (__int128)r->gpu_s > (__int128)r->period_s * d->gpus)
        return gc_fail(f, "over_capacity", "gpu_s %lld is above %lld GPUs for %lld s",
                       (long long)r->gpu_s, (long long)d->gpus, (long long)r->period_s);
    return true;
}

bool gc_reading_check_time(const struct gc_reading *r, int64_t now_s, struct gc_fail *f)
{
    char now[GC_TIME_LEN + 1];
    int64_t end_s;

    /* Overflow-checked: this may run before the period itself is judged. */
    if (!gc_add_i64(r->ts, r->period_s, &end_s) || end_s > now_s) {
        gc_time_format(now_s, now);
        return gc_fail(f, "future", "the period ends after %s", now);
    }
    return true;
}

void gc_attestation_link(json_t *rec, int64_t seq, const uint8_t prev[GC_SHA256_LEN])
{
    char prev_hex[2 * GC_SHA256_LEN + 1];

    gc_hex_encode(prev, GC_SHA256_LEN, prev_hex);
    if (json_object_set_new_nocheck(rec, "type", json_string_nocheck("attestation")) != 0 ||
        json_object_set_new_nocheck(rec, "seq", json_integer(seq)) != 0 ||
        json_object_set_new_nocheck(rec, "prev",
                                    json_stringn_nocheck(prev_hex, 2 * GC_SHA256_LEN)) != 0)
        gc_die(GC_EX_SOFTWARE, "out of memory");
}

/*
 * The canonical attestation of the plain reading or attestation R, at SEQ
 * after PREV, without its sig: RFC 8785 of the fields gc_reading_parse judged,
 * in the order of their names, as gc_jcs_append_without would write them.
 * Their values need no escaping: ids, the timestamp and geohashes are ASCII
 * letters, digits and "._-:", the rest integers and hex. *SIG_AT (when not
 * NULL) gets the place of the sig, after seq.
 */
static void attestation_canonical(const struct gc_reading *r, int64_t seq,
                                  const uint8_t prev[GC_SHA256_LEN], struct gc_buf *out,
                                  size_t *sig_at)
{
    /* Under 600 bytes: names ~200, 8 integers of 20 characters, 2 ids of 64, ts, geohash, prev. */
    char *start, *p;

#define PUT(lit)      (memcpy(p, lit, sizeof(lit) - 1), p += sizeof(lit) - 1)
#define PUT_INT(x)    (p += gc_fmt_i64(x, p))
#define PUT_STR(s, n) (*p++ = '"', memcpy(p, s, n), p += n, *p++ = '"')
    gc_buf_reset(out);
    gc_buf_grow(out, 1024);
    start = p = out->ptr;
    *p++ = '{';
    if (r->has_busy_s) {
        PUT("\"busy_s\":");
        PUT_INT(r->busy_s);
        *p++ = ',';
    }
    if (!r->has_energy) {
        PUT("\"charge_wh\":");
        PUT_INT(r->charge_wh);
        *p++ = ',';
    }
    PUT("\"device\":");
    PUT_STR(r->device, strlen(r->device));
    if (!r->has_energy) {
        PUT(",\"discharge_wh\":");
        PUT_INT(r->discharge_wh);
    } else {
        PUT(",\"energy_wh\":");
        PUT_INT(r->energy_wh);
    }
    if (r->geohash != NULL) {
        PUT(",\"geohash\":");
        PUT_STR(r->geohash, strlen(r->geohash));
    }
    if (r->has_gpu_s) {
        PUT(",\"gpu_s\":");
        PUT_INT(r->gpu_s);
    }
    PUT(",\"period_s\":");
    PUT_INT(r->period_s);
    PUT(",\"prev\":\"");
    gc_hex_encode(prev, GC_SHA256_LEN, p);
    p += 2 * GC_SHA256_LEN;
    PUT("\",\"seq\":");
    PUT_INT(seq);
    if (sig_at != NULL)
        *sig_at = (size_t)(p - start);
    PUT(",\"ts\":");
    PUT_STR(r->ts_text, GC_TIME_LEN);
    PUT(",\"type\":\"attestation\",\"v\":1");
    if (r->zone != NULL) {
        PUT(",\"zone\":");
        PUT_STR(r->zone, strlen(r->zone));
    }
    *p++ = '}';
#undef PUT
#undef PUT_INT
#undef PUT_STR
    out->len = (size_t)(p - start);
    out->ptr[out->len] = '\0';
}

void gc_attestation_prepare(json_t *rec, const struct gc_reading *r, int64_t seq,
                            const uint8_t prev[GC_SHA256_LEN], struct gc_buf *msg, size_t *sig_at,
                            uint8_t hash[GC_SHA256_LEN])
{
    if (!r->plain) {
        gc_attestation_link(rec, seq, prev);
        gc_signed_prepare(rec, msg, sig_at, hash);
        return;
    }
    attestation_canonical(r, seq, prev, msg, sig_at);
    gc_sha256(msg->ptr, msg->len, hash);
}

void gc_attestation_seal(json_t *rec, int64_t seq, const uint8_t prev[GC_SHA256_LEN],
                         const struct gc_key *key, struct gc_buf *msg, struct gc_buf *out,
                         uint8_t hash[GC_SHA256_LEN])
{
    gc_attestation_link(rec, seq, prev);
    gc_signed_seal(rec, key, msg, out, hash);
}

bool gc_attestation_check_sig(const json_t *rec, const struct gc_reading *r,
                              const uint8_t pk[GC_PUBKEY_LEN], struct gc_buf *msg,
                              uint8_t hash[GC_SHA256_LEN], struct gc_fail *f)
{
    if (!r->plain)
        return gc_signed_check(rec, r->sig, pk, r->device, msg, hash, f);
    attestation_canonical(r, r->seq, r->prev, msg, NULL);
    gc_sha256(msg->ptr, msg->len, hash);
    if (!gc_sig_verify(pk, msg->ptr, msg->len, r->sig))
        return gc_fail(f, "bad_signature", "signature does not verify with the key of '%s'",
                       r->device);
    return true;
}
