#!/usr/bin/env python3
"""Single-spin Metropolis for the 2D Ising torus: writes samples.csv for `onsager validate`.

usage: python3 scripts/metropolis.py L BETA SWEEPS OUT.csv [SEED]
Columns: energy (total, E = -sum over bonds of s_i s_j), magnetization (total), one row per sweep
after 1000 sweeps of equilibration. Pure Python with numpy checkerboard updates.
"""
import sys
import numpy as np

L, beta, sweeps, out = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
s = np.ones((L, L), dtype=np.int64)
xx, yy = np.meshgrid(np.arange(L), np.arange(L))
masks = [(xx + yy) % 2 == c for c in (0, 1)]
rows = []
for sweep in range(sweeps + 1000):
    for m in masks:
        nb = np.roll(s, 1, 0) + np.roll(s, -1, 0) + np.roll(s, 1, 1) + np.roll(s, -1, 1)
        de = 2 * s * nb
        flip = m & (rng.random((L, L)) < np.exp(-beta * np.clip(de, 0, None)))
        s[flip] *= -1
    if sweep >= 1000:
        e = -int(np.sum(s * (np.roll(s, -1, 0) + np.roll(s, -1, 1))))
        rows.append((e, int(s.sum())))
with open(out, "w") as f:
    f.write("energy,magnetization\n")
    f.writelines(f"{e},{m}\n" for e, m in rows)
