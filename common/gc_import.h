/*
 * gc_import — telemetry exports into reading records (gc-attest import).
 *
 * An importer takes the lines of one or more sources, keeps one energy
 * integrator (gc_integrate.h) per device, and hands each finished period to
 * the caller as a canonical "reading" record. Domain module: no I/O, no
 * clock; the caller feeds lines and writes records.
 */
#ifndef GC_IMPORT_H
#define GC_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "gc_buf.h"
#include "gc_csv.h"
#include "gc_err.h"
#include "gc_io.h"
#include "gc_map.h"
#include "gc_tz.h"

/*
 * The most periods one row or energy-counter sample may spread over (a reading each): a leap
 * year of 5-minute periods. A longer interval is refused ("bad_time") and books nothing.
 */
#define GC_IMPORT_MAX_PERIODS 105408

enum gc_import_format {
    GC_IMPORT_NVIDIA_SMI, /* nvidia-smi --query-gpu=... --format=csv[,nounits] */
    GC_IMPORT_DCGM,       /* dcgm-exporter's Prometheus text, samples with timestamps */
    GC_IMPORT_CSV,        /* any CSV with a header, columns named by --map */
};

/* The columns --map names for --format csv (header names; NULL when not mapped). */
struct gc_import_map {
    const char *ts;         /* interval start (required) */
    const char *end;        /* interval end; without it an interval is --period-s long */
    const char *device;     /* device id; without it --device names the one device */
    const char *energy_wh;  /* energy over the interval in Wh, or with --counter a register */
    const char *energy_kwh; /* the same in kWh (decimal, converted exactly) */
};

/*
 * Parses a --map value "ts=COL,end=COL,device=COL,energy_wh=COL|energy_kwh=COL" into M
 * (pointers into the copy it makes in STORE; the caller frees STORE). Returns NULL or a reason.
 */
const char *gc_import_map_parse(const char *arg, struct gc_import_map *m, char **store);

struct gc_import_opts {
    enum gc_import_format format;
    const char *device;     /* id prefix: devices become DEVICE-gpuINDEX; NULL: from the GPU uuid */
    int64_t period_s;       /* divides 3600 */
    const struct gc_tz *tz; /* zone of timestamps without an offset; NULL: UTC */
    int64_t max_gap_ms;     /* longer gaps between samples are not bridged */
    struct gc_import_map map; /* --format csv */
    bool counter;             /* --format csv: the energy column is a cumulative register */
};

/* Receives each reading record (canonical JSON, no newline). */
typedef void (*gc_record_out_fn)(void *ctx, const char *rec, size_t len);

struct gc_importer {
    struct gc_import_opts opts;
    gc_record_out_fn out;
    void *out_ctx;
    struct gc_map devices; /* id -> struct gc_import_device * */
    const char *source;    /* the source whose header is in cols */
    bool have_header;
    int col_ts, col_index, col_uuid, col_power, col_util;
    int col_end, col_device, col_energy; /* --format csv */
    int energy_scale;                    /* decimal places to mWh: 3 for Wh, 6 for kWh */
    size_t n_cols;
    struct gc_csv_row row;
    uint64_t n_ambiguous; /* local times in a repeated hour, placed by order */
    struct gc_buf scratch;
    struct gc_buf rec;
};

/* Parses "nvidia-smi" or "dcgm" into *OUT; false for an unknown format name. */
bool gc_import_format_parse(const char *name, enum gc_import_format *out);

void gc_importer_init(struct gc_importer *im, const struct gc_import_opts *opts,
                      gc_record_out_fn out, void *ctx);

/*
 * Feeds one line of SOURCE (for CSV formats its first line is the header).
 * Fails with a reject reason: "bad_csv" (a missing column, a row of the
 * wrong width), "bad_prom" (a malformed exposition line), "bad_utf8",
 * "bad_time" (also a time outside the years 0001..9999 in UTC, an interval over
 * GC_IMPORT_MAX_PERIODS periods: nothing is booked for it), "bad_number",
 * "non_monotonic_time", "counter_reset" (an energy counter went backwards:
 * nothing is booked for that interval), "bad_field" (a device id that cannot be made).
 */
bool gc_importer_line(struct gc_importer *im, const char *source, const struct gc_line *line,
                      struct gc_fail *f);

/* Emits every device's last, open period (devices in id order) and frees the importer. */
void gc_importer_finish(struct gc_importer *im);

#endif
