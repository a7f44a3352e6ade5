"""Exact and near-exact numbers for classical lattice models of statistical mechanics.

Every function is one job of the ``onsager`` command line, with the same keyword arguments (the
CLI flags, ``-`` written ``_``) and the same defaults, and returns a :class:`Record` whose
attributes are the fields of ``onsager <command> --json``: floats, numpy arrays for lists of
numbers, Python ints for exact counts, :class:`Table` for lists of rows. ``record.to_dict()`` is
that JSON object exactly; ``record.params`` holds the parameters the job ran with.

Conventions (shared/physics.md of the project): the coupling is K = βJ with J = 1; energies are
totals, E = −Σ_bonds (bond variable) (Ising s_i s_j, Potts δ(σ_i, σ_j), clock cos(θ_i − θ_j));
``beta="critical"`` is the model's known critical coupling; ranges ``"3..9"`` are inclusive.

Errors: ``ValueError`` for a parameter out of range (one line naming the keyword: ``beta = -1 is out of range: ...``),
``MemoryError`` when the memory prediction refuses the job, ``RuntimeError`` for a numerical
failure. Long jobs release the GIL, stop on Ctrl-C (``KeyboardInterrupt``) and report progress
to an optional ``progress(done, total)`` callable, e.g. a tqdm bar's ``update``::

    from tqdm import tqdm
    bar = tqdm()
    def tick(done, total):
        bar.total = total
        bar.n = done
        bar.refresh()
    onsager.dos(model="potts", q=3, lx=8, progress=tick)
"""

from __future__ import annotations

import json as _json
from typing import Any, Callable, Iterable, Optional, Sequence, Union

import numpy as _np

from . import _onsager

__version__ = _onsager.__version__
__all__ = [
    "Record",
    "Table",
    "partition",
    "fisher",
    "spectrum",
    "trg",
    "btrg",
    "hotrg",
    "ctmrg",
    "dmrg",
    "vumps",
    "dos",
    "validate",
    "run",
    "commands",
]

Progress = Optional[Callable[[int, int], Any]]

# fields whose values are exact integers written as decimal strings (they exceed 2^64)
_BIG_INTEGERS = {"counts", "total"}


def _convert(name: str, v: Any) -> Any:
    if name in _BIG_INTEGERS:
        return [int(x) for x in v] if isinstance(v, list) else int(v)
    if isinstance(v, dict):
        return Record(v)
    if isinstance(v, list):
        if v and all(isinstance(x, dict) for x in v):
            return Table(v)
        if all(isinstance(x, bool) for x in v) and v:
            return list(v)
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            kind = _np.int64 if v and all(isinstance(x, int) for x in v) else _np.float64
            return _np.asarray(v, dtype=kind)
        if all(isinstance(x, list) for x in v) and v:
            return [_convert(name, x) for x in v]
    return v


class Record:
    """A job's result: the fields of its JSON object as attributes.

    Lists of numbers are numpy arrays, lists of rows are :class:`Table` s, nested objects are
    records, and exact counts are Python ints. ``to_dict()`` gives the JSON object itself.
    """

    __slots__ = ("_d",)

    def __init__(self, d: dict):
        object.__setattr__(self, "_d", d)

    def __getattr__(self, name: str) -> Any:
        try:
            v = self._d[name]
        except KeyError:
            raise AttributeError(f"record has no field {name!r} (fields: {', '.join(self._d)})") from None
        return _convert(name, v)

    def __getitem__(self, name: str) -> Any:
        return self.__getattr__(name)

    def __contains__(self, name: str) -> bool:
        return name in self._d

    def __dir__(self) -> list:
        return sorted(set(self._d) | {"to_dict", "keys"})

    def keys(self) -> list:
        """The field names."""
        return list(self._d)

    def to_dict(self) -> dict:
        """The record as the JSON object the CLI prints (a deep copy)."""
        return _json.loads(_json.dumps(self._d))

    def __repr__(self) -> str:
        shown = {k: v for k, v in self._d.items() if not isinstance(v, (list, dict))}
        return f"Record({', '.join(f'{k}={v!r}' for k, v in shown.items())}, ...)"


class Table:
    """Rows of a record (e.g. the sizes of ``fisher``): ``table.R`` is the column as a numpy
    array, ``table[i]`` the i-th row as a :class:`Record`, ``len(table)`` the number of rows."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list):
        object.__setattr__(self, "_rows", rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: int) -> Record:
        return Record(self._rows[i])

    def __iter__(self):
        return (Record(r) for r in self._rows)

    def columns(self) -> list:
        """The column names (those of the first row)."""
        return list(self._rows[0]) if self._rows else []

    def __getattr__(self, name: str) -> Any:
        if not self._rows or name not in self._rows[0]:
            raise AttributeError(f"table has no column {name!r} (columns: {', '.join(self.columns())})")
        return _convert(name, [r.get(name) for r in self._rows])

    def to_pandas(self):
        """The rows as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self._rows)

    def __repr__(self) -> str:
        return f"Table({len(self)} rows: {', '.join(self.columns())})"


def _text(x: Any) -> Optional[str]:
    """A CLI-style value: ranges are inclusive ``a..b``, sequences comma-separated."""
    if x is None:
        return None
    if isinstance(x, range):
        if x.step != 1 or len(x) == 0:
            return ",".join(str(v) for v in x)
        return f"{x.start}..{x.stop - 1}"
    if isinstance(x, (list, tuple, _np.ndarray)):
        return ",".join(str(v) for v in x)
    return str(x)


def run(command: str, progress: Progress = None, **params: Any) -> Record:
    """Runs any job by its command name with its parameters as keyword arguments (the keys of a
    sweep spec); ``None`` means the default."""
    clean = {k: v for k, v in params.items() if v is not None}
    return Record(_json.loads(_onsager.run(command, _json.dumps(clean), progress)))


def commands() -> list:
    """The job names :func:`run` takes (the registered coarse-graining schemes included)."""
    return list(_onsager.commands())


def partition(*, lx: int, ly: Optional[int] = None, lz: Optional[int] = None, model: str = "ising",
              q: Optional[int] = None, beta: Union[float, str] = "critical", method: str = "auto",
              progress: Progress = None) -> Record:
    """ln Z, ln Z/N and f = −ln Z/(βN) of the periodic lx × ly (× lz) torus, exactly (Kaufman's
    closed form for the 2D Ising model, the transfer matrix Tr W^M, or enumeration)."""
    return run("partition", progress, lx=lx, ly=ly, lz=lz, model=model, q=q, beta=_text(beta), method=method)


def fisher(*, sizes: Union[str, int, Iterable[int], None] = None, model: str = "ising", q: Optional[int] = None,
           beta: Union[float, str] = "critical", method: str = "auto",
           fit_window: Union[str, Iterable[int], None] = None, checkpoint: Optional[str] = None,
           bulk: bool = False, progress: Progress = None) -> Record:
    """Exact Fisher curvature R = (B − A)/4 of the bond couplings on L^d tori and the fit
    |R| ~ N^{d_R} (``sizes``: an int, a range, a list or ``"3..9"``; default for 2D Ising: L = 4..64
    by free fermions in momentum space). ``method``: auto, transfer, free-fermion, momentum;
    ``checkpoint``: a directory where the momentum route keeps finished momenta (resumable);
    ``bulk``: also the infinite lattice's R/N, A/N, B/N by quadrature (2D Ising, K ≠ K_c), as
    ``record.bulk``.
    ``record.rows`` is a :class:`Table` with columns L, bonds, R, A, B, g_min_eig, ln_z, ..."""
    return run("fisher", progress, sizes=_text(sizes), model=model, q=q, beta=_text(beta), method=method,
               fit_window=_text(fit_window), checkpoint=checkpoint, bulk=bulk)


def spectrum(*, width: Union[str, int, Iterable[int]], model: str = "ising", q: Optional[int] = None,
             beta: Union[float, str] = "critical", levels: int = 6, solver: str = "auto",
             progress: Progress = None) -> Record:
    """Top transfer-matrix eigenvalues of the infinite periodic cylinder of width L: ln λ_n,
    scaling dimensions x_n = (L/2π) ln(λ0/λn), ξ = 1/ln(λ0/λ1); with three or more widths the
    central charge from ln λ0/L = f + (πc/6)/L² + e/L⁴."""
    return run("spectrum", progress, width=_text(width), model=model, q=q, beta=_text(beta), levels=levels,
               solver=solver)


def _tn(scheme: str, model, q, beta, chi, steps, h, beta_y, directional, tol, fpcm, power, spectrum, observables,
        progress) -> Record:
    return run(scheme, progress, model=model, q=q, beta=_text(beta), chi=chi, steps=steps, h=h, beta_y=beta_y,
               directional=directional, tol=tol, fpcm=fpcm, power=power, spectrum=spectrum, observables=observables)


def trg(*, model: str = "ising", q: Optional[int] = None, beta: Union[float, str] = "critical", chi: int = 32,
        steps: Optional[int] = None, h: float = 0.0, spectrum: bool = False, progress: Progress = None) -> Record:
    """Levin–Nave TRG: lnZ/N of the infinite 2D lattice (``steps`` RG steps, default 40;
    ``spectrum`` adds Gu–Wen conformal data)."""
    return _tn("trg", model, q, beta, chi, steps, h, None, False, None, False, False, spectrum, False, progress)


def btrg(*, model: str = "ising", q: Optional[int] = None, beta: Union[float, str] = "critical", chi: int = 32,
         steps: Optional[int] = None, h: float = 0.0, spectrum: bool = False, progress: Progress = None) -> Record:
    """Bond-weighted TRG (k = −1/2): lnZ/N of the infinite 2D lattice."""
    return _tn("btrg", model, q, beta, chi, steps, h, None, False, None, False, False, spectrum, False, progress)


def hotrg(*, model: str = "ising", q: Optional[int] = None, beta: Union[float, str] = "critical", chi: int = 32,
          steps: Optional[int] = None, h: float = 0.0, spectrum: bool = False, observables: bool = False,
          progress: Progress = None) -> Record:
    """Higher-order TRG: lnZ/N of the infinite 2D lattice, or of the simple cubic lattice with
    ``model="ising3d"``; ``observables`` adds the energy per site and the magnetization."""
    return _tn("hotrg", model, q, beta, chi, steps, h, None, False, None, False, False, spectrum, observables,
               progress)


def ctmrg(*, model: str = "ising", q: Optional[int] = None, beta: Union[float, str] = "critical", chi: int = 32,
          steps: Optional[int] = None, h: float = 0.0, beta_y: Optional[float] = None, directional: bool = False,
          tol: Optional[float] = None, fpcm: bool = False, power: bool = False, progress: Progress = None) -> Record:
    """Corner transfer matrices: lnZ/N, energy per site u = −2⟨f_bond⟩ and magnetization of the
    infinite 2D lattice (C4v form; ``beta_y`` or ``directional`` for the four-corner form)."""
    return _tn("ctmrg", model, q, beta, chi, steps, h, beta_y, directional, tol, fpcm, power, False, False, progress)


def dmrg(*, length: int, model: str = "tfim", g: Optional[float] = None, delta: Optional[float] = None, q: Optional[int] = None,
         chi: Optional[int] = None, sweeps: int = 20, min_sweeps: int = 2, tol: float = 1e-12, gap: bool = False,
         periodic: bool = False, progress: Progress = None) -> Record:
    """Two-site DMRG of a quantum chain of ``length`` sites (tfim H = −ΣZZ − gΣX, xxz,
    heisenberg, heisenberg1, qpotts): E₀, entanglement profile, Calabrese–Cardy c, correlations,
    and with ``gap`` E₁ − E₀."""
    return run("dmrg", progress, length=length, model=model, g=g, delta=delta, q=q, chi=chi, sweeps=sweeps,
               min_sweeps=min_sweeps, tol=tol, gap=gap, periodic=periodic)


def vumps(*, model: str = "tfim", g: Optional[float] = None, delta: Optional[float] = None, q: Optional[int] = None,
          chi: Optional[int] = None, beta: Union[float, str] = "critical", h: float = 0.0, tol: float = 1e-8,
          max_iter: int = 1000, progress: Progress = None) -> Record:
    """VUMPS: the ground-state energy per site of an infinite quantum chain, or lnZ/N of a 2D
    classical model (ising, potts, clock) from its row transfer matrix."""
    return run("vumps", progress, model=model, g=g, delta=delta, q=q, chi=chi, beta=_text(beta), h=h, tol=tol,
               max_iter=max_iter)


def dos(*, lx: int, ly: Optional[int] = None, lz: Optional[int] = None, model: str = "ising",
        q: Optional[int] = None, beta: Union[float, str, Sequence[Union[float, str]], None] = None,
        method: str = "auto", magnetization: str = "auto", joint: bool = False,
        progress: Progress = None) -> Record:
    """Exact density of states g(E) of the periodic torus: ``record.energies`` (total E, numpy)
    and ``record.counts`` (Python ints, Σ = q^N); with ``beta`` (one or a list) ln Z/N, E/N and
    C/N = β² Var(E)/N from the counts in ``record.thermodynamics``, and the exact magnetization
    moments ⟨|m|⟩, ⟨m²⟩, ⟨m⁴⟩, U₄ and χ/N there too (``magnetization``: "auto" computes them
    when they fit and take ≤ 10 min, else ``record.magnetization_note`` says why; "on"; "off").
    ``joint`` (Ising 2D and 3D) adds the exact g(E, M) in ``record.joint`` (energies,
    magnetizations, counts)."""
    betas = None if beta is None else [str(b) for b in (beta if isinstance(beta, (list, tuple)) else [beta])]
    return run("dos", progress, lx=lx, ly=ly, lz=lz, model=model, q=q, beta=betas, method=method,
               magnetization=magnetization, joint=joint)


def validate(*, energy, lx: int, ly: Optional[int] = None, lz: Optional[int] = None, magnetization=None,
             chain=None, model: str = "ising", q: Optional[int] = None,
             beta: Union[float, str, Sequence[Union[float, str]]] = "critical", sample_beta=None,
             per_site: bool = False) -> Record:
    """Monte Carlo samples against the exact finite-lattice distribution: ``energy`` (total,
    E = −Σ_bonds, or per site with ``per_site``) and optionally ``magnetization`` (|M|) as 1-D
    arrays in time order; independent chains marked by ``chain`` (one integer id per sample).
    Returns the observables (E, C, |M|, M², U₄, χ) with t and p values (autocorrelation by the
    Γ-method, batch tests), the energy histogram test and a verdict: "consistent",
    "inconsistent" or "too short". Several couplings: ``beta`` a list and ``sample_beta`` one β
    per sample; the record then has one entry per β in ``points`` and one verdict."""
    many = isinstance(beta, (list, tuple))
    text = ",".join(_text(b) for b in beta) if many else _text(beta)
    params = {k: v for k, v in dict(lx=lx, ly=ly, lz=lz, model=model, q=q, beta=text,
                                     per_site=per_site).items() if v is not None}
    e = _np.ascontiguousarray(energy, dtype=_np.float64).ravel()
    m = None if magnetization is None else _np.ascontiguousarray(magnetization, dtype=_np.float64).ravel()
    c = None if chain is None else _np.ascontiguousarray(chain, dtype=_np.int64).ravel()
    sb = None if sample_beta is None else _np.ascontiguousarray(sample_beta, dtype=_np.float64).ravel()
    return Record(_json.loads(_onsager.validate(_json.dumps(params), e, m, c, sb)))
