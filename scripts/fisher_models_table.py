"""Local exponents d_R(L) = Δln|R| / Δln N of the stored exact Fisher tables, every model side by
side (the table in docs/fisher.md, section "All models side by side"). Plain Python.

Usage: python3 scripts/fisher_models_table.py
"""
import csv
import math
import pathlib

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "fisher"
MODELS = [
    ("2D Ising, K_c", ["ising2d_Kc.csv"], 2),
    ("Potts q = 3, K_c", ["potts3_Kc.csv", "potts3_Kc_L7.csv", "potts3_Kc_L8.csv", "potts3_Kc_L9.csv"], 2),
    ("Potts q = 4, K_c", ["potts4_Kc.csv", "potts4_Kc_L6.csv", "potts4_Kc_L7.csv"], 2),
    ("clock q = 6, K = 1.1", ["clock6_K1.1.csv"], 2),
    ("3D Ising, K_c", ["ising3d_Kc.csv"], 3),
]


def rows(files):
    out = {}
    for f in files:
        path = DATA / f
        if not path.exists():
            continue
        lines = [l for l in path.read_text().splitlines() if not l.startswith("#")]
        for r in csv.DictReader(lines):
            out[int(r["L"])] = float(r["R"])
    return sorted(out.items())


for name, files, d in MODELS:
    rs = rows(files)
    cells = []
    for (l0, r0), (l1, r1) in zip(rs, rs[1:]):
        cells.append(f"{l0}→{l1}: {math.log(abs(r1 / r0)) / (d * math.log(l1 / l0)):.4f}")
    print(f"| {name} | {rs[0][0]}..{rs[-1][0]} | {', '.join(cells) or '—'} |")
