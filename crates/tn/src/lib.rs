//! Tensor networks for onsager.
//!
//! - [`scheme`]: the coarse-graining interface ([`CoarseGraining`]) and its one driver ([`run`]),
//!   which owns the loop, the lnZ bookkeeping, stopping rules and observers.
//! - Schemes, one file each: [`trg`] (Levin–Nave), [`btrg`] (bond-weighted, Adachi et al.),
//!   [`hotrg`] (Xie et al., 2D), [`hotrg3d`] (the same on the simple cubic lattice, Z₂ blocks).
//! - Boundary methods: [`ctmrg`] (C4v-symmetric corner transfer matrices) and
//!   [`ctmrg_directional`] (four corners and edges, for tensors without that symmetry).
//! - Matrix-product states: [`mpo`] (operators from couplings, classical row transfer
//!   matrices), [`mps`] (shared kernels), [`dmrg`] (finite two-site DMRG), [`entanglement`]
//!   (Calabrese–Cardy central charge), [`vumps`] (infinite chains and classical
//!   row transfer matrices).
//! - [`initial`]: site tensors (and impurities) built from the model value.
//!
//! Adding a scheme is one file implementing [`CoarseGraining`] (with its [`registry::Scheme`]
//! entry) plus one line in [`registry::SCHEMES`]; the CLI and the sweeps enumerate the registry
//! (docs/adding-a-scheme.md).

pub mod btrg;
pub mod contract;
pub mod ctmrg;
pub mod ctmrg_directional;
pub mod dmrg;
pub mod entanglement;
pub mod fpcm;
pub mod gu_wen;
pub mod hotrg;
pub mod hotrg3d;
pub mod initial;
pub mod mpo;
pub mod mps;
pub mod registry;
pub mod scheme;
pub mod trg;
pub mod vumps;

pub use scheme::{run, CoarseGraining, RunRecord, StepInfo, StepRecord, Stop, Truncation};
