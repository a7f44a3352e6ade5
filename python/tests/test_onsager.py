"""The Python package against the CLI and against closed forms.

The CLI binary for the side-by-side checks is $ONSAGER_BIN (set by .ci/run), else
target/release/onsager at the repository root, else `onsager` on PATH.
"""

import inspect
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import onsager

ROOT = Path(__file__).resolve().parents[2]


def cli_bin():
    for b in [os.environ.get("ONSAGER_BIN"), ROOT / "target" / "release" / "onsager", shutil.which("onsager")]:
        if b and Path(b).exists():
            return str(b)
    pytest.fail("no onsager binary: build it with `cargo build --release` or set ONSAGER_BIN")


def cli_json(*args):
    out = subprocess.run([cli_bin(), *args, "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


# predicted_bytes: machine-dependent too (threads, available memory)
TIMINGS = {"seconds", "seconds_per_step", "peak_bytes", "peak_rss_bytes", "predicted_bytes"}


def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in TIMINGS}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v


@pytest.mark.parametrize(
    "call, args",
    [
        (lambda: onsager.partition(model="potts", q=3, lx=3, ly=4, beta=0.5),
         ["partition", "--model", "potts", "--q", "3", "--lx", "3", "--ly", "4", "--beta", "0.5"]),
        (lambda: onsager.fisher(sizes=range(3, 6)), ["fisher", "--sizes", "3..5"]),
        (lambda: onsager.fisher(sizes=8, beta=0.6, bulk=True), ["fisher", "--sizes", "8", "--beta", "0.6", "--bulk"]),
        (lambda: onsager.spectrum(width=[4, 5, 6], levels=3), ["spectrum", "--width", "4,5,6", "--levels", "3"]),
        (lambda: onsager.trg(chi=8, steps=6), ["trg", "--chi", "8", "--steps", "6"]),
        (lambda: onsager.hotrg(beta=0.3, chi=8, steps=6, observables=True),
         ["hotrg", "--beta", "0.3", "--chi", "8", "--steps", "6", "--observables"]),
        (lambda: onsager.ctmrg(beta=0.3, chi=8), ["ctmrg", "--beta", "0.3", "--chi", "8"]),
        (lambda: onsager.dmrg(length=8, chi=8), ["dmrg", "--length", "8", "--chi", "8"]),
        (lambda: onsager.vumps(model="ising", beta=0.5, chi=8), ["vumps", "--model", "ising", "--beta", "0.5", "--chi", "8"]),
        (lambda: onsager.dos(model="potts", q=3, lx=3, beta=[0.5, "critical"]),
         ["dos", "--model", "potts", "--q", "3", "--lx", "3", "--beta", "0.5,critical"]),
    ],
)
def test_records_equal_the_cli_json(call, args):
    # the same typed job behind both: equal field for field, timings aside
    assert strip(call().to_dict()) == strip(cli_json(*args))


def test_kaufman_against_enumeration_and_types():
    # Kaufman's closed form against brute force over 2^16 configurations (4×4 Ising, K = 0.3)
    k = onsager.partition(lx=4, beta=0.3)
    e = onsager.partition(lx=4, beta=0.3, method="enumerate")
    assert (k.method, e.method) == ("kaufman", "enumerate")
    assert math.isclose(k.ln_z, e.ln_z, rel_tol=1e-12)
    assert isinstance(k.ln_z, float) and k.params["beta"] == "0.3"


def test_dos_counts_are_python_ints_and_sum_to_q_to_the_n():
    # Σ g(E) = 3^16 for the 3-state Potts 4×4 torus; g(E_0) = 3 ground states
    r = onsager.dos(model="potts", q=3, lx=4)
    assert all(type(c) is int for c in r.counts)
    assert sum(r.counts) == 3**16 == r.total
    assert r.counts[0] == 3 and r.energies[0] == -32.0
    assert r.energies.dtype == np.float64 and r.energies.shape == (len(r.counts),)
    # 6×6 Ising: 2^36 configurations, beyond 32-bit counts
    big = onsager.dos(lx=6)
    assert sum(big.counts) == 2**36


def test_dos_magnetization_moments_at_the_limits():
    # K = 0: independent spins, ⟨m²⟩ = 1/N; K = 50: the two ordered states, |m| = 1 and
    # U₄ = 1 − 1/3 = 2/3 (closed forms); 3-state Potts 4×4 likewise with the simplex vectors
    for kw in (dict(lx=4), dict(model="potts", q=3, lx=4)):
        r = onsager.dos(beta=[0.0, 50.0], **kw)
        hot, cold = r.thermodynamics[0], r.thermodynamics[1]
        assert math.isclose(hot.m2, 1 / 16, rel_tol=1e-13)
        assert math.isclose(cold.abs_magnetization, 1.0, rel_tol=1e-13)
        assert math.isclose(cold.binder_cumulant, 2 / 3, rel_tol=1e-12)
    assert "magnetization_note" in onsager.dos(model="clock", q=5, lx=2, ly=3, method="enumerate", beta=1.0)
    # the joint counts g(E, M) of the 4×4 torus sum to 2^16 (brute force in the Rust tests)
    j = onsager.dos(lx=4, joint=True).joint
    assert sum(int(c) for c in j.counts) == 2**16 and len(j.energies) == len(j.magnetizations) == 80


def test_fisher_rows_are_a_table_of_numpy_columns():
    r = onsager.fisher(sizes=[3, 4, 5])
    assert len(r.rows) == 3 and r.rows.L.dtype == np.int64
    assert r.rows.R.dtype == np.float64 and r.rows.R.shape == (3,)
    # the 3×3 Ising torus at K_c: R = −105.64184956554 (tests/cli.rs, transfer matrix and free fermions agree)
    assert math.isclose(r.rows[0].R, -105.64184956553979, rel_tol=1e-9)
    assert r.fit.window.tolist() == [3, 5]
    assert math.isclose(r.fit.predicted, 10 / 9)


def test_validate_takes_arrays_and_catches_a_wrong_sampler():
    # independent draws from the exact P(E) of the 4×4 Ising torus at K = 0.3 are consistent;
    # the same draws against K = 0.35 are not
    d = onsager.dos(lx=4)
    e = np.array(d.energies)
    g = np.array([float(c) for c in d.counts])
    w = g * np.exp(-0.3 * (e - e.min()))
    rng = np.random.default_rng(7)
    samples = rng.choice(e, size=20000, p=w / w.sum())
    good = onsager.validate(energy=samples, lx=4, beta=0.3)
    assert good.verdict == "consistent", good.reason
    bad = onsager.validate(energy=samples, lx=4, beta=0.35)
    assert bad.verdict == "inconsistent"
    # two chains marked by id, and per-site samples, give the same verdict
    chains = onsager.validate(energy=samples / 16, chain=np.arange(20000) % 2, lx=4, beta=0.3, per_site=True)
    assert chains.verdict == "consistent" and chains.samples == 20000
    # a scan: draws at 0.3 and 0.5 marked by sample_beta; filed under the wrong β they fail
    w5 = g * np.exp(-0.5 * (e - e.min()))
    hot = rng.choice(e, size=20000, p=w5 / w5.sum())
    both, tags = np.concatenate([samples, hot]), np.repeat([0.3, 0.5], 20000)
    scan = onsager.validate(energy=both, sample_beta=tags, lx=4, beta=[0.3, 0.5])
    assert scan.verdict == "consistent" and [p.beta for p in scan.points] == [0.3, 0.5], scan.reason
    assert onsager.validate(energy=both, sample_beta=tags[::-1], lx=4, beta=[0.3, 0.5]).verdict == "inconsistent"
    with pytest.raises(ValueError, match="sample_beta"):
        onsager.validate(energy=both, lx=4, beta=[0.3, 0.5])


@pytest.mark.parametrize(
    "call, exc, needle",
    [
        (lambda: onsager.partition(lx=0), ValueError, "lx = 0 is out of range"),
        (lambda: onsager.partition(lx=4, beta=-1), ValueError, "beta = -1 is out of range"),
        (lambda: onsager.fisher(sizes="9..3"), ValueError, "sizes = 9..3 is out of range"),
        (lambda: onsager.fisher(method="pfaffian"), ValueError, "method"),
        (lambda: onsager.run("fisher", size=6), ValueError, "unknown key `size`"),
        (lambda: onsager.run("qmc"), ValueError, "out of range"),
        (lambda: onsager.dos(model="ising3d", lx=5), MemoryError, "needs"),
        (lambda: onsager.hotrg(chi=256, steps=40), MemoryError, "needs"),
        (lambda: onsager.validate(energy=[1.0, 2.0], magnetization=[1.0], lx=4), ValueError, "magnetization"),
    ],
)
def test_bad_input_raises_the_right_exception(call, exc, needle):
    with pytest.raises(exc, match=None) as info:
        call()
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_python_defaults_are_the_cli_defaults():
    for name, fn in [("partition", onsager.partition), ("fisher", onsager.fisher), ("spectrum", onsager.spectrum),
                     ("trg", onsager.trg), ("hotrg", onsager.hotrg), ("ctmrg", onsager.ctmrg),
                     ("dmrg", onsager.dmrg), ("vumps", onsager.vumps), ("dos", onsager.dos),
                     ("validate", onsager.validate)]:
        rust = json.loads(onsager._onsager.defaults(name))
        for p in inspect.signature(fn).parameters.values():
            if p.default is inspect.Parameter.empty or p.name not in rust:
                continue
            want = rust[p.name]
            got = p.default
            if name == "dos" and p.name == "beta":
                got = [] if got is None else got
            assert got == want, f"{name}({p.name}=): Python {got!r}, Rust {want!r}"


def test_progress_callback_is_called():
    seen = []
    onsager.dos(model="potts", q=3, lx=4, progress=lambda d, t: seen.append((d, t)))
    # reports come from the worker threads in any order; every unit is reported once
    assert seen and sorted(d for d, _ in seen) == list(range(1, seen[0][1] + 1))


def test_ctrl_c_interrupts_a_long_job_within_a_second():
    # the 3-state Potts 8×8 DOS takes about 6 s; SIGINT after 1.5 s must end it within 1 s
    code = "import onsager; onsager.dos(model='potts', q=3, lx=8)"
    # a shell's background job inherits SIGINT ignored, and Python then keeps ignoring it:
    # restore the default so the child installs its KeyboardInterrupt handler
    restore = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    p = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, preexec_fn=restore)
    time.sleep(1.5)
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert time.monotonic() - t0 < 1.0, err
    assert "KeyboardInterrupt" in err and p.returncode != 0


def test_commands_include_every_registered_scheme():
    assert {"trg", "btrg", "hotrg", "ctmrg", "fisher", "dos"} <= set(onsager.commands())
