"""Side-by-side: TeNPy's finite two-site DMRG (../shared/anchors/tenpy_dmrg.py, pip package
physics-tenpy) against `onsager dmrg`, open TFIM chain, same N, χ, g and the same number of full
sweeps (TeNPy's count, which its own convergence test chose), same machine, one run.
Prints both energies, their errors against Pfeuty's free-fermion value, both times and the ratio.

Usage (from the project root, after `cargo build --release`):
    python3 scripts/compare_dmrg.py [N] [chi] [g]        (default 100 64 1.0)
"""
import json, os, re, subprocess, sys

n, chi, g = (sys.argv[1:] + ["100", "64", "1.0"][len(sys.argv[1:]):])[:3]
peer = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "anchors", "tenpy_dmrg.py")
out = subprocess.run([sys.executable, peer, n, chi, g], capture_output=True, text=True, check=True).stdout
m = re.search(r"E=(-?[\d.]+) .*sweeps=(\d+) time=([\d.]+)s", out)
if not m:
    sys.exit(f"could not read the TeNPy output: {out!r}")
e_tp, sweeps, t_tp = float(m.group(1)), int(m.group(2)), float(m.group(3))
r = json.loads(subprocess.run(
    ["target/release/onsager", "dmrg", "--model", "tfim", "--g", g, "--length", n, "--chi", chi,
     "--sweeps", str(sweeps), "--min-sweeps", str(sweeps), "--json"],
    capture_output=True, text=True, check=True).stdout)
exact = r["exact_energy"]
print(f"TFIM open chain N={n} chi={chi} g={g}, {sweeps} full sweeps each")
print(f"  TeNPy    E = {e_tp:.12f}  rel.err {abs(e_tp - exact) / abs(exact):.1e}  {t_tp:7.2f} s")
print(f"  onsager  E = {r['energy']:.12f}  rel.err {r['relative_error']:.1e}  {r['seconds']:7.2f} s")
print(f"  ratio (TeNPy time / onsager time) = {t_tp / r['seconds']:.1f}")
