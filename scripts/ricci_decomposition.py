"""The four terms of the Ricci scalar of the bond-coupling Fisher geometry, with exact fourth
cumulants, by enumerating every state of a small periodic torus (numpy, float64).

For an exponential family the metric is the Hessian g = ∂∂ ln Z, the Levi-Civita connection is
Γ_ijk = ½ T_ijk (T = third cumulant), and the usual split

    R = g^ij (∂_k Γ^k_ij − ∂_j Γ^k_ik + Γ^k_kl Γ^l_ij − Γ^k_jl Γ^l_ik) = R1 + R2 + R3 + R4

evaluates, with ∂_l g^km = −g^ka T_abl g^bm and ∂_l T_ijm = κ_ijml (fourth cumulant), to

    R1 = (Q − A)/2,  R2 = (B − Q)/2,  R3 = A/4,  R4 = −B/4,   R = (B − A)/4,

A = v g⁻¹ v (v_m = g^ij T_ijm), B = T·T with three g⁻¹, Q = g^ij g^kl κ_ijkl. Q is computed here
as E[(xᵀ g⁻¹ x)²] − D(D + 2) (x = centred bond variables, D bonds), exactly from all states.

Usage: python3 scripts/ricci_decomposition.py MODEL Q K L   e.g.  ising 2 0.44068679350977147 3
Prints one JSON line: R, A, B, Q, R1..R4 and the two ratios R3/R1, R4/R2.
"""
import itertools
import json
import sys

import numpy as np


def bond_values(model, q, a, b):
    if model == "ising":
        return np.where(a == b, 1.0, -1.0)
    if model == "potts":
        return (a == b).astype(float)
    if model == "clock":
        return np.cos(2 * np.pi * (a - b) / q)
    raise SystemExit(f"model must be ising, potts or clock, not {model}")


def main():
    model, q, k, l = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    n = l * l
    states = np.array(list(itertools.product(range(q), repeat=n)), dtype=np.int64)
    # bonds (site, right neighbour) and (site, upper neighbour) on the L × L torus
    pairs = []
    for y in range(l):
        for x in range(l):
            s = y * l + x
            pairs.append((s, y * l + (x + 1) % l))
            pairs.append((s, ((y + 1) % l) * l + x))
    f = np.stack([bond_values(model, q, states[:, i], states[:, j]) for i, j in pairs], axis=1)
    e = k * f.sum(axis=1)
    w = np.exp(e - e.max())
    p = w / w.sum()
    mu = p @ f
    x = f - mu
    g = (x * p[:, None]).T @ x
    gi = np.linalg.inv(g)
    t = np.einsum("s,sa,sb,sc->abc", p, x, x, x)
    v = np.einsum("ij,ijm->m", gi, t)
    a = v @ gi @ v
    b = np.einsum("abc,def,ad,be,cf->", t, t, gi, gi, gi)
    d = len(pairs)
    s2 = np.einsum("sa,ab,sb->s", x, gi, x)
    qc = p @ (s2 * s2) - d * (d + 2)
    r1, r2, r3, r4 = (qc - a) / 2, (b - qc) / 2, a / 4, -b / 4
    print(json.dumps({"model": model, "q": q, "K": k, "L": l, "R": (b - a) / 4, "A": a, "B": b, "Q": qc,
                      "R1": r1, "R2": r2, "R3": r3, "R4": r4, "R3/R1": r3 / r1, "R4/R2": r4 / r2,
                      "R1+R2+R3+R4": r1 + r2 + r3 + r4}))


if __name__ == "__main__":
    main()
