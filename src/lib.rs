//! # onsager
//!
//! Exact and near-exact numbers for classical lattice models of statistical mechanics.
//! This facade re-exports the workspace crates and holds the jobs behind the `onsager` CLI:
//!
//! - [`models`]: models as data (Ising, Potts, clock; tori; critical points),
//! - [`exact`]: Onsager, Kaufman's finite torus, enumeration,
//! - [`transfer`]: exact transfer matrices, cumulants, the Fisher geometry,
//! - [`linalg`]: faer-backed kernels, Lanczos, Arnoldi, GMRES,
//! - [`tn`]: tensor networks (TRG, BTRG, HOTRG, CTMRG behind one coarse-graining driver; DMRG and
//!   VUMPS on MPOs built from couplings),
//! - [`jobs`]: one typed job per command (params struct → `run` → record), which the CLI, the
//!   sweeps and the Python package (`python/`) all run,
//! - [`plot`]: PNG figures.

pub use onsager_exact as exact;
pub use onsager_linalg as linalg;
pub use onsager_models as models;
pub use onsager_tn as tn;
pub use onsager_transfer as transfer;

pub mod cli;

/// Raises glibc's mmap threshold so that the large temporaries of the tensor kernels (one
/// two-site DMRG vector at χ = 64 is 128 KiB, the default threshold) are recycled from the heap
/// instead of being mapped and unmapped on every operator application. Measured on the open
/// Heisenberg chain, N = 64, χ = 64: 18.4 s → 11.4 s, system time 7.1 s → 0.5 s. Called once at
/// start-up by the binary, the benches and the Python module (import time); a no-op off glibc.
#[allow(unsafe_code)]
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets two allocator thresholds, under glibc's arena lock; a thread
    // allocating meanwhile (a Python host may have some) at worst takes the old path once
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

pub mod jobs;
#[cfg(feature = "mpi")]
pub mod mpi_sweep;
pub mod plot;
