#!/usr/bin/env python3
"""A small deterministic compute task for gc-verify tasks --recompute.

The task multiplies two n x n matrices of 64-bit integers (mod 2^64), made
from a seed by an LCG, and cuts the product into chunks of rows_per_chunk
rows. A chunk's hash is SHA-256 of its entries as 8-byte big-endian words.
Specs are JSON files found by their SHA-256 (the task's "spec") in DIR.

  matmul.py [--specs DIR] SPEC INDEX    print chunk INDEX's hash (gc-verify --recompute)
  matmul.py [--specs DIR] --all SPEC    print every chunk's hash, in order (a device's result)
  matmul.py --hash FILE                 print the SPEC of a spec file
"""
import hashlib
import json
import os
import sys

MASK = (1 << 64) - 1


def die(msg):
    sys.stderr.write("matmul.py: %s\n" % msg)
    sys.exit(2)


def load_spec(specs, spec_hash):
    for name in sorted(os.listdir(specs)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(specs, name), "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() == spec_hash:
            spec = json.loads(data)
            n, rows = spec["n"], spec["rows_per_chunk"]
            if spec.get("task") != "matmul" or n < 1 or rows < 1 or n % rows:
                die("%s: not a matmul spec with rows_per_chunk dividing n" % name)
            return spec
    die("no spec with hash %s in %s" % (spec_hash, specs))


def matrices(spec):
    n, x = spec["n"], spec["seed"] & MASK
    vals = []
    for _ in range(2 * n * n):
        x = (x * 6364136223846793005 + 1442695040888963407) & MASK
        vals.append(x >> 33)
    a = [vals[i * n:(i + 1) * n] for i in range(n)]
    b = [vals[n * n + i * n:n * n + (i + 1) * n] for i in range(n)]
    return a, b


def chunk_hash(spec, a, b, index):
    n, rows = spec["n"], spec["rows_per_chunk"]
    if not 0 <= index < n // rows:
        die("chunk %d is outside 0..%d" % (index, n // rows - 1))
    h = hashlib.sha256()
    cols = list(zip(*b))
    for i in range(index * rows, (index + 1) * rows):
        for col in cols:
            h.update((sum(p * q for p, q in zip(a[i], col)) & MASK).to_bytes(8, "big"))
    return h.hexdigest()


def main(argv):
    specs = os.path.dirname(os.path.abspath(__file__))
    if argv[:1] == ["--hash"] and len(argv) == 2:
        with open(argv[1], "rb") as f:
            print(hashlib.sha256(f.read()).hexdigest())
        return
    if argv[:1] == ["--specs"] and len(argv) >= 2:
        specs, argv = argv[1], argv[2:]
    if argv[:1] == ["--all"] and len(argv) == 2:
        spec = load_spec(specs, argv[1])
        a, b = matrices(spec)
        for i in range(spec["n"] // spec["rows_per_chunk"]):
            print(chunk_hash(spec, a, b, i))
        return
    if len(argv) != 2 or not argv[1].isdigit():
        die("usage: matmul.py [--specs DIR] SPEC INDEX | [--specs DIR] --all SPEC | --hash FILE")
    spec = load_spec(specs, argv[0])
    a, b = matrices(spec)
    print(chunk_hash(spec, a, b, int(argv[1])))


if __name__ == "__main__":
    main(sys.argv[1:])
