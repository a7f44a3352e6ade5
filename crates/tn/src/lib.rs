//! Tensor networks for onsager (TRG, BTRG, HOTRG, CTMRG, DMRG/VUMPS).
//!
//! This crate holds the shared vocabulary of coarse-graining schemes; the schemes themselves
//! are not implemented yet (see the project's open issues). The interface follows
//! shared/design.md: a scheme implements one RG step and reports what it did; a shared driver
//! owns the loop, the lnZ bookkeeping and the stopping rules.

/// What one coarse-graining step reports to the driver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepInfo {
    /// the factor the new tensor was divided by
    pub norm: f64,
    /// how many tensors of the previous step one new tensor replaces (2 for TRG, 2 for HOTRG)
    pub merged: usize,
    /// discarded weight of the truncation, Σ_{discarded} s² / Σ s²
    pub truncation_error: f64,
}

/// A coarse-graining scheme: one RG step at a time.
pub trait CoarseGraining {
    /// Contract, truncate to at most `chi` states, normalise; report what was done.
    fn step(&mut self, chi: usize) -> StepInfo;
}
