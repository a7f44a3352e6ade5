"""Side-by-side timing of the cylinder transfer matrix: numpy dense (../shared/anchors/strip.py's
construction, eigvalsh) against `onsager spectrum`, same widths, same machine, one run.

Usage (from the project root, after `cargo build --release`):
    python3 scripts/compare_strip.py 8 10 12
Prints one line per width: numpy seconds, onsager seconds, ratio, and ln(lambda0)/L from both.
"""
import json, math, subprocess, sys, time
import numpy as np

KC = math.log(1 + math.sqrt(2)) / 2


def tm(L, K):  # the construction of ../shared/anchors/strip.py
    n = 1 << L
    s = np.array([[1 - 2 * ((c >> i) & 1) for i in range(L)] for c in range(n)], float)
    e_row = np.sum(s * np.roll(s, -1, axis=1), axis=1)
    d = np.exp(0.5 * K * e_row)
    inter = np.exp(K * (s @ s.T))
    return d[:, None] * inter * d[None, :]


for L in [int(a) for a in sys.argv[1:]] or [8, 10, 12]:
    t0 = time.perf_counter()
    w = np.linalg.eigvalsh(tm(L, KC))
    t_np = time.perf_counter() - t0
    out = subprocess.run(["target/release/onsager", "spectrum", "--width", str(L), "--levels", "6", "--json"],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    print(f"L={L:2d} numpy {t_np:8.3f} s  onsager {r['seconds']:8.4f} s ({r['method']})  ratio {t_np / r['seconds']:7.1f}  "
          f"lnλ0/L numpy {math.log(w[-1]) / L:.15f} onsager {r['ln_lambda_max_per_site']:.15f}")
