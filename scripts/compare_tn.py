"""Side-by-side: numpy TRG/BTRG/HOTRG peers (../shared/anchors/trg.py, btrg.py) against
`onsager trg|btrg|hotrg`,
2D Ising at K_c, 40 steps, same χ, same machine, one run. Prints accuracy and the steady-state
time per step (median over steps 9..40) of both, and the ratio.

Usage (from the project root, after `cargo build --release`): python3 scripts/compare_tn.py 16 24 32
"""
import json, os, subprocess, sys
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "anchors"))
import trg as peer  # noqa: E402
import btrg as peer_b  # noqa: E402

for chi in [int(a) for a in sys.argv[1:]] or [16, 24, 32]:
    for alg in ["trg", "btrg", "hotrg"]:
        f = {"trg": peer.trg, "hotrg": peer.hotrg, "btrg": peer_b.btrg}[alg]
        lz, ts = f(peer.Kc, chi, 40)
        p_step = float(np.median(ts[8:]))
        out = subprocess.run(["target/release/onsager", alg, "--chi", str(chi), "--steps", "40", "--json"],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        print(f"{alg:5s} chi={chi:3d}  numpy rel.err {abs(lz - peer.LZ) / peer.LZ:.2e} {p_step:7.3f} s/step   "
              f"onsager rel.err {r['relative_error_vs_onsager']:.2e} {r['seconds_per_step']:7.3f} s/step   "
              f"ratio {p_step / r['seconds_per_step']:5.1f}", flush=True)
