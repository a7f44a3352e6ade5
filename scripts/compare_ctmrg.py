"""Side-by-side at the 2D Ising critical point: the numpy CTMRG peer (../shared/anchors/ctm.py, power
method, stops when the corner spectrum moves by < 1e-14 over 10 iterations, capped at 20 000) against
`onsager ctmrg` with the power method alone (`--power`, same cap), with `--fpcm` (50 power iterations,
then the fixed-point corner method) and with the default (1000 power iterations, then the fixed-point
corner method), same χ, same machine, one run. Prints error, iterations (power + FPCM), convergence
and seconds for each.

Usage (from the project root, after `cargo build --release`): python3 scripts/compare_ctmrg.py 32 64
(the peer runs only for χ ≤ 32 unless PEER_ALL=1: at χ = 64 its 20 000 iterations take minutes)
"""
import json, os, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "anchors"))
import ctm as peer  # noqa: E402


def ours(chi, extra):
    out = subprocess.run(["target/release/onsager", "ctmrg", "--beta", "critical", "--chi", str(chi), "--json"] + extra,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


for chi in [int(a) for a in sys.argv[1:]] or [32]:
    if chi <= 32 or os.environ.get("PEER_ALL"):
        lnk, it, dt = peer.ctmrg(peer.Kc, chi)
        conv = "converged" if it < 19999 else "cap reached"
        print(f"chi={chi:3d} ctm.py          rel.err {abs(lnk - peer.LZ) / peer.LZ:.3e}  iterations {it + 1:11d}  "
              f"{conv:12s} {dt:8.2f} s", flush=True)
    for name, extra in [("onsager --power", ["--power"]), ("onsager --fpcm", ["--fpcm"]), ("onsager default", [])]:
        r = ours(chi, extra)
        conv = "converged" if r["converged"] else "cap reached"
        n_fp = r.get("fpcm_iterations", 0)
        its = f"{r['steps'] - n_fp} + {n_fp}" if n_fp else f"{r['steps']}"
        print(f"chi={chi:3d} {name:15s} rel.err {r['relative_error_vs_onsager']:.3e}  iterations {its:>11s}  "
              f"{conv:12s} {r['seconds']:8.2f} s", flush=True)
