#!/usr/bin/env python3
"""Finite-size scaling of the Fisher curvature of the 2D Ising torus off K_c.

Reads the JSON Lines of `onsager sweep docs/fisher_off_critical.toml` and prints, per coupling
K, the curvature per site R/N at every L, then the scaling view: y = R/N + a ln N against the
scaling variable x = (K - K_c) L (nu = 1), with a = 4.2430 the amplitude of |R|/N = a ln N + b
at K_c (docs/fisher.md). If R/N = -a ln N + Phi(x) the y of all L at equal x coincide.
"""
import json
import math
import sys

KC = 0.44068679350977147
A = 4.2430
path = sys.argv[1] if len(sys.argv) > 1 else "data/fisher/ising2d_off_critical.jsonl"
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
