//! Exact transfer matrices of periodic strips and tori.
//!
//! - [`strip`]: the row transfer matrix, matrix-free and dense.
//! - [`torus`]: ln Z of a finite torus, Tr W^M, exactly.
//! - [`cylinder`]: the top of the spectrum of an infinitely long cylinder (Lanczos), scaling
//!   dimensions, correlation length and the central charge.
//! - [`fisher`]: exact cumulants of bond variables with operator insertions, and
//!   [`geometry`]: the Fisher metric, third cumulant and scalar curvature R from them.
//! - [`free_fermion`]: the same cumulants for the 2D Ising torus from four Pfaffian sectors, at any L.
//! - [`momentum`]: the same R in momentum space, the third cumulant as a one-loop triangle (L to 512).
//! - [`streaming`]: R from slices generated on the fly, a slab of momenta at a time (large L).
//! - [`magnetization`]: the exact distribution of the total magnetization of the 2D Ising torus.
//! - [`fit`]: least-squares fits of scaling laws.

pub mod curvature;
pub mod cylinder;
pub mod fisher;
pub mod fit;
pub mod free_fermion;
pub mod geometry;
pub mod irreps;
pub mod magnetization;
pub mod memory;
pub mod momentum;
pub mod streaming;
pub mod strip;
pub mod torus;

pub use strip::Strip;

use thiserror::Error;

/// What can go wrong in a transfer-matrix job.
#[derive(Debug, Error)]
pub enum TransferError {
    /// Bad model or lattice parameter.
    #[error(transparent)]
    Model(#[from] onsager_models::ModelError),
    /// A numerical kernel failed.
    #[error(transparent)]
    Linalg(#[from] onsager_linalg::LinalgError),
    /// A checkpoint could not be read or written (the message names the file).
    #[error("{0}")]
    Checkpoint(String),
    /// The job would need more memory than allowed.
    #[error("{what} needs {need} but only {have} is available; {hint}")]
    TooBig {
        /// the job
        what: String,
        /// predicted memory, human readable
        need: String,
        /// available memory, human readable
        have: String,
        /// what to do instead
        hint: String,
    },
}
