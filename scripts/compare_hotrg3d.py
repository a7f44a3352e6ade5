"""Side-by-side: the numpy 3D HOTRG peer (../shared/anchors/hotrg3d.py) against
`onsager hotrg --model ising3d`, 3D Ising at K_c = 0.221654626, same χ, same steps, same
machine, one run. Prints the relative error of f against the series value
(shared/reference.json), the steady-state time per step of both (median over the steps after
the 8th, when χ has saturated) and the ratio, and each side's peak memory (max RSS).

Usage (from the project root, after `cargo build --release`):
    python3 scripts/compare_hotrg3d.py 8 10          (χ values; 12 steps each)
    python3 scripts/compare_hotrg3d.py 10 steps=16
The peer needs 2.5 GB at χ = 10 and 10 GB at χ = 12.
"""
import json, os, resource, subprocess, sys

ANCHOR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "anchors", "hotrg3d.py")
LZ_REF = 0.7776438368612953  # shared/reference.json ising3d.lnZ_per_site_Kc_from_series_f

chis, steps = [], 12
for a in sys.argv[1:]:
    if a.startswith("steps="):
        steps = int(a[6:])
    else:
        chis.append(int(a))


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns stdout and the peak RSS in GB."""
    out = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, check=True)
    rss = [l for l in out.stderr.splitlines() if "Maximum resident set size" in l]
    return out.stdout, int(rss[0].split()[-1]) / 1e6 if rss else float("nan")


for chi in chis or [8, 10]:
    # the peer: median s/step over steps after the 6th, as it prints; rerun its median over 8+
    script = (f"import sys, numpy as np; sys.path.insert(0, {os.path.dirname(ANCHOR)!r}); import hotrg3d as h; "
              f"lz, ts, est = h.hotrg3d(h.K3c, {chi}, {steps}); "
              f"print(lz, float(np.median(ts[8:])))")
    out, p_rss = timed([sys.executable, "-c", script])
    p_lz, p_step = map(float, out.split())
    out, o_rss = timed(["target/release/onsager", "hotrg", "--model", "ising3d", "--beta", "critical",
                        "--chi", str(chi), "--steps", str(steps), "--json"])
    r = json.loads(out)
    print(f"hotrg3d chi={chi:3d} steps={steps}  numpy rel.err {abs(p_lz - LZ_REF) / LZ_REF:.2e} "
          f"{p_step:7.3f} s/step {p_rss:5.2f} GB   onsager rel.err {r['relative_error_vs_series']:.2e} "
          f"{r['seconds_per_step']:7.3f} s/step {o_rss:5.2f} GB   ratio {p_step / r['seconds_per_step']:5.2f}",
          flush=True)
