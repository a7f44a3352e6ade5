#!/usr/bin/env python3
"""Amplitudes of |R|, A and B per site of the critical 2D Ising torus from the exact table.

Fits X/N = a ln N + b + (c ln N + d)/L + (e ln N + g)/L^2 (linear least squares) over L >= L0
for X = |R|, A, B of data/fisher/ising2d_Kc_L4-512.csv (or the file given) and prints a, b and
the relative rms residual. Needs numpy. Used for the amplitude table in docs/fisher.md.
"""
import sys

import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "data/fisher/ising2d_Kc_L4-512.csv"
rows = [line.split(",") for line in open(path) if line[:1].isdigit()]
L = np.array([float(r[0]) for r in rows])
N = L * L
basis = [np.log(N), np.ones_like(L), np.log(N) / L, 1 / L, np.log(N) / L**2, 1 / L**2]
print(f"X/N = a ln N + b + (c ln N + d)/L + (e ln N + g)/L^2 over L >= L0 ({path})")
for col, name in [(2, "|R|"), (3, "A"), (4, "B")]:
    y = np.array([abs(float(r[col])) for r in rows]) / N
    for l0 in (32, 64, 96):
        m = L >= l0
        X = np.array([b[m] for b in basis]).T
        coef, *_ = np.linalg.lstsq(X, y[m], rcond=None)
        res = (y[m] - X @ coef) / y[m]
        print(f"{name:>4}/N  L >= {l0:3d} ({m.sum():2d} sizes): a = {coef[0]:+.6f}  b = {coef[1]:+.6f}"
              f"  rel rms {np.sqrt(np.mean(res**2)):.1e}")
# the six terms leave a drifting with the window; one more correction, ln^2 N / L, holds it
# constant (docs/fisher.md, "Amplitudes")
print("the same with ln^2 N / L added")
basis7 = basis + [np.log(N) ** 2 / L]
for col, name in [(2, "|R|"), (3, "A")]:
    y = np.array([abs(float(r[col])) for r in rows]) / N
    for l0 in (32, 64, 96, 128):
        m = L >= l0
        if m.sum() <= len(basis7):
            continue
        X = np.array([b[m] for b in basis7]).T
        coef, *_ = np.linalg.lstsq(X, y[m], rcond=None)
        res = (y[m] - X @ coef) / y[m]
        print(f"{name:>4}/N  L >= {l0:3d} ({m.sum():2d} sizes): a = {coef[0]:+.6f}  b = {coef[1]:+.6f}"
              f"  rel rms {np.sqrt(np.mean(res**2)):.1e}")
print(f"12*sqrt(2) = {12 * 2**0.5:.6f}, 3*sqrt(2) = {3 * 2**0.5:.6f}")
