"""Type stubs of `onsager` (the Rust core behind the `onsager` CLI). See the module docstring."""

from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

Progress = Optional[Callable[[int, int], Any]]
Beta = Union[float, str]
Sizes = Union[str, int, Iterable[int], None]

class Record:
    """A job's result: the fields of `onsager <command> --json` as attributes (numpy arrays for
    lists of numbers, Python ints for exact counts, Table for lists of rows)."""
    def __getattr__(self, name: str) -> Any: ...
    def __getitem__(self, name: str) -> Any: ...
    def __contains__(self, name: str) -> bool: ...
    def keys(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    params: dict[str, Any]
    version: str

class Table:
    """Rows of a record; `table.col` is a numpy column, `table[i]` a row."""
    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> Record: ...
    def __iter__(self) -> Iterator[Record]: ...
    def __getattr__(self, name: str) -> npt.NDArray[Any]: ...
    def columns(self) -> list[str]: ...
    def to_pandas(self) -> Any: ...

def run(command: str, progress: Progress = None, **params: Any) -> Record:
    """Any job by name with the keys of a sweep spec as keyword arguments."""
def commands() -> list[str]: ...
def partition(*, lx: int, ly: Optional[int] = None, lz: Optional[int] = None, model: str = "ising",
              q: Optional[int] = None, beta: Beta = "critical", method: str = "auto",
              progress: Progress = None) -> Record:
    """ln Z, ln Z/N, f = −ln Z/(βN) of the periodic torus (K = βJ, J = 1)."""
def fisher(*, sizes: Sizes = None, model: str = "ising", q: Optional[int] = None, beta: Beta = "critical",
           method: str = "auto", fit_window: Sizes = None, checkpoint: Optional[str] = None,
           bulk: bool = False, progress: Progress = None) -> Record:
    """R = (B − A)/4 on L^d tori (rows: L, bonds, R, A, B, g_min_eig, ln_z) and |R| ~ N^{d_R};
    ``bulk``: the infinite lattice's R/N, A/N, B/N by quadrature (``record.bulk``)."""
def spectrum(*, width: Sizes, model: str = "ising", q: Optional[int] = None, beta: Beta = "critical",
             levels: int = 6, solver: str = "auto", progress: Progress = None) -> Record:
    """ln λ_n of the width-L cylinder, x_n = (L/2π) ln(λ0/λn), ξ, and c over ≥ 3 widths."""
def trg(*, model: str = "ising", q: Optional[int] = None, beta: Beta = "critical", chi: int = 32,
        steps: Optional[int] = None, h: float = 0.0, spectrum: bool = False, progress: Progress = None) -> Record: ...
def btrg(*, model: str = "ising", q: Optional[int] = None, beta: Beta = "critical", chi: int = 32,
         steps: Optional[int] = None, h: float = 0.0, spectrum: bool = False, progress: Progress = None) -> Record: ...
def hotrg(*, model: str = "ising", q: Optional[int] = None, beta: Beta = "critical", chi: int = 32,
          steps: Optional[int] = None, h: float = 0.0, spectrum: bool = False, observables: bool = False,
          progress: Progress = None) -> Record: ...
def ctmrg(*, model: str = "ising", q: Optional[int] = None, beta: Beta = "critical", chi: int = 32,
          steps: Optional[int] = None, h: float = 0.0, beta_y: Optional[float] = None, directional: bool = False,
          tol: Optional[float] = None, fpcm: bool = False, power: bool = False, progress: Progress = None) -> Record: ...
def dmrg(*, length: int, model: str = "tfim", g: Optional[float] = None, delta: Optional[float] = None, q: Optional[int] = None,
         chi: Optional[int] = None, sweeps: int = 20, min_sweeps: int = 2, tol: float = 1e-12, gap: bool = False,
         periodic: bool = False, progress: Progress = None) -> Record: ...
def vumps(*, model: str = "tfim", g: Optional[float] = None, delta: Optional[float] = None, q: Optional[int] = None,
          chi: Optional[int] = None, beta: Beta = "critical", h: float = 0.0, tol: float = 1e-8,
          max_iter: int = 1000, progress: Progress = None) -> Record: ...
def dos(*, lx: int, ly: Optional[int] = None, lz: Optional[int] = None, model: str = "ising",
        q: Optional[int] = None, beta: Union[Beta, Sequence[Beta], None] = None, method: str = "auto",
        progress: Progress = None) -> Record:
    """g(E) exactly: energies (numpy, total E) and counts (Python ints, Σ = q^N)."""
def validate(*, energy: npt.ArrayLike, lx: int, ly: Optional[int] = None, lz: Optional[int] = None,
             magnetization: Optional[npt.ArrayLike] = None, chain: Optional[npt.ArrayLike] = None,
             model: str = "ising", q: Optional[int] = None, beta: Beta = "critical",
             per_site: bool = False) -> Record:
    """Monte Carlo samples against the exact distribution; verdict consistent/inconsistent/too short."""
