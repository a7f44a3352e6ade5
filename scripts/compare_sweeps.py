#!/usr/bin/env python3
"""Compare two sweep results files (JSON Lines) job by job.

usage: python3 scripts/compare_sweeps.py A.jsonl B.jsonl
Exit 0 if both hold the same job keys once each and every numeric field of every result agrees
(timings and memory fields excluded) to 1e-12 relative; prints how many are bit-identical.
"""
import json
import sys

SKIP = {"seconds", "peak_rss_bytes", "seconds_per_step"}


def load(path):
    recs = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            r = json.loads(line)
            if r["key"] in recs:
                sys.exit(f"{path}: job on line {n} appears twice")
            recs[r["key"]] = r
    return recs


def leaves(x, prefix=""):
    if isinstance(x, dict):
        for k, v in x.items():
            if k not in SKIP:
                yield from leaves(v, f"{prefix}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from leaves(v, f"{prefix}[{i}]")
    else:
        yield prefix, x


a, b = load(sys.argv[1]), load(sys.argv[2])
if set(a) != set(b):
    sys.exit(f"different jobs: {len(set(a) ^ set(b))} keys differ")
worst, identical, total = 0.0, 0, 0
for k in a:
    la, lb = dict(leaves(a[k]["result"])), dict(leaves(b[k]["result"]))
    if la.keys() != lb.keys():
        sys.exit(f"{k}: different result fields")
    for p, x in la.items():
        y = lb[p]
        total += 1
        if x == y:
            identical += 1
        elif isinstance(x, (int, float)) and isinstance(y, (int, float)):
            worst = max(worst, abs(x - y) / max(abs(x), abs(y), 1e-300))
        else:
            sys.exit(f"{k}{p}: {x!r} vs {y!r}")
print(f"{len(a)} jobs, {total} result fields: {identical} bit-identical, largest relative difference {worst:.1e}")
sys.exit(0 if worst <= 1e-12 else 1)
