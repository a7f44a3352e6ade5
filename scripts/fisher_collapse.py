#!/usr/bin/env python3
"""Finite-size scaling of the Fisher curvature of the 2D Ising torus off K_c.

Reads the JSON Lines of `onsager sweep docs/fisher_off_critical.toml` and prints, per coupling
K, the curvature per site R/N at every L, then the scaling view: y = R/N + a ln N against the
scaling variable x = (K - K_c) L (nu = 1), with a = 4.2430 the amplitude of |R|/N = a ln N + b
at K_c (docs/fisher.md). If R/N = -a ln N + Phi(x) the y of all L at equal x coincide.

With a second file, the JSON Lines of `onsager sweep docs/fisher_bulk.toml` (the infinite
lattice's R/N by quadrature, `fisher --bulk`), it also prints the approach R/N - R_inf/N and the
collapse with the regular part subtracted: y = R/N - R_inf/N(K) against x, which must tend to a
function of x alone as L grows (and to 0 for |x| >> 1).
"""
import json
import math
import sys

KC = 0.44068679350977147
A = 4.2430
path = sys.argv[1] if len(sys.argv) > 1 else "data/fisher/ising2d_off_critical.jsonl"
bulk_path = sys.argv[2] if len(sys.argv) > 2 else None
pts = {}
for line in open(path):
    rec = json.loads(line)
    if rec.get("error"):
        continue
    res = rec["result"]
    for row in res["rows"]:
        pts[(res["beta"], row["L"])] = row["R"] / (row["L"] ** 2)
betas = sorted({b for b, _ in pts})
sizes = sorted({l for _, l in pts})
print("R/N per coupling (rows) and size (columns)")
print("K - K_c  " + "".join(f"{l:>12d}" for l in sizes))
for b in betas:
    print(f"{b - KC:+.3f}  " + "".join(f"{pts[(b, l)]:12.5f}" if (b, l) in pts else " " * 12 for l in sizes))
print(f"\nscaling view: y = R/N + {A} ln N at x = (K - K_c) L")
print(f"{'x':>9} {'L':>4} {'K - K_c':>8} {'y':>10}")
for x, l, b, y in sorted(((b - KC) * l, l, b, pts[(b, l)] + A * math.log(l * l)) for b, l in pts):
    if abs(x) <= 6:
        print(f"{x:9.3f} {l:4d} {b - KC:+8.3f} {y:10.4f}")

if bulk_path:
    bulk = {}
    for line in open(bulk_path):
        rec = json.loads(line)
        if rec.get("error") or not rec["result"].get("bulk"):
            continue
        b = rec["result"]["bulk"]
        bulk[rec["result"]["beta"]] = (b["r_per_site"], b["r_error"], b["M"])
    print("\ninfinite lattice by quadrature and the approach R/N - R_inf/N")
    print(f"{'K - K_c':>8} {'R_inf/N':>16} {'+-':>8} {'M':>4}  " + "".join(f"{l:>10d}" for l in sizes))
    for b in sorted(bulk):
        r, e, m = bulk[b]
        diffs = "".join(f"{pts[(b, l)] - r:10.1e}" if (b, l) in pts else " " * 10 for l in sizes)
        print(f"{b - KC:+8.3f} {r:16.9f} {e:8.1e} {m:4d}  " + diffs)
    print("\ncollapse with the regular part subtracted: y = R/N - R_inf/N(K) at x = (K - K_c) L")
    print(f"{'x':>9} {'L':>4} {'K - K_c':>8} {'y':>12}")
    for x, l, b, y in sorted(((b - KC) * l, l, b, pts[(b, l)] - bulk[b][0]) for b, l in pts if b in bulk):
        if abs(x) <= 12:
            print(f"{x:9.3f} {l:4d} {b - KC:+8.3f} {y:12.5f}")
