//! ln Z of a finite periodic torus as Tr W^M, exactly (dense symmetric eigensolver).

use crate::{memory, Strip, TransferError};
use onsager_models::{Model, Torus};

/// Largest layer state count for which the dense torus trace is done (a 4096 × 4096 eigensolve).
pub const MAX_DENSE_STATES: usize = 4096;

/// Memory of the dense trace over `n` layer states: W, the eigensolver's copy and its workspace,
/// 3 n² doubles (measured peak 272 MiB against 384 MiB for n = 4096).
pub fn trace_bytes(n: usize) -> f64 {
    3.0 * (n * n) as f64 * 8.0
}

/// ln Z = ln Tr W^M of `model` on `torus` (transfer along the last axis, M = its length) with
/// coupling `k\[μ\]` along axis μ. Needs q^{n_s} ≤ [`MAX_DENSE_STATES`].
///
/// W is positive definite for ferromagnetic couplings, so Tr W^M = Σ λ_i^M is summed as
/// λ_max^M Σ (λ_i/λ_max)^M: no overflow for any M.
pub fn ln_z_torus(model: Model, torus: &Torus, k: &[f64], mem_limit: f64) -> Result<f64, TransferError> {
    let strip = Strip::new(model, torus, k);
    let n = strip.n_states().filter(|&n| n <= MAX_DENSE_STATES).ok_or_else(|| TransferError::TooBig {
        what: format!("the exact torus {} ({}^{} layer states)", torus.label(), model.q(), strip.layer_sites()),
        need: format!("a dense eigensolve of size {}^{}", model.q(), strip.layer_sites()),
        have: format!("{MAX_DENSE_STATES} states"),
        hint: "use `onsager spectrum` (the cylinder, Lanczos) or, for the Ising model, `method` kaufman".into(),
    })?;
    memory::check("the dense torus trace", trace_bytes(n), mem_limit, "use a narrower torus")?;
    let lam = onsager_linalg::eigvalsh(strip.dense().as_ref())?;
    let m = torus.layers() as i32;
    let lmax = lam.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = lam.iter().map(|&l| (l / lmax).powi(m)).sum();
    Ok(m as f64 * (lmax.ln() + strip.log_scale()) + sum.ln())
}
