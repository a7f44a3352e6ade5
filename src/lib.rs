//! # onsager
//!
//! Exact and near-exact numbers for classical lattice models of statistical mechanics.
//! This facade re-exports the workspace crates and holds the jobs behind the `onsager` CLI:
//!
//! - [`models`]: models as data (Ising, Potts, clock; tori; critical points),
//! - [`exact`]: Onsager, Kaufman's finite torus, enumeration,
//! - [`transfer`]: exact transfer matrices, cumulants, the Fisher geometry,
//! - [`linalg`]: faer-backed kernels, Lanczos,
//! - [`tn`]: tensor networks (TRG, BTRG, HOTRG, CTMRG behind one coarse-graining driver),
//! - [`jobs`]: the computations of the CLI as library calls returning plain data,
//! - [`plot`]: PNG figures.

pub use onsager_exact as exact;
pub use onsager_linalg as linalg;
pub use onsager_models as models;
pub use onsager_tn as tn;
pub use onsager_transfer as transfer;

pub mod cli;
pub mod jobs;
#[cfg(feature = "mpi")]
pub mod mpi_sweep;
pub mod plot;
