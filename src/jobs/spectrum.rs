//! `onsager spectrum`: the top of the transfer-matrix spectrum of an infinite cylinder.

use super::{JobError, ModelSpec};
use onsager_models::Torus;
use onsager_transfer::cylinder::{self, Spectrum};
use onsager_transfer::Strip;

/// One cylinder width.
#[derive(Debug, Clone)]
pub struct SpectrumRow {
    /// width L (sites across; L × L layers for ising3d)
    pub width: usize,
    /// sites per layer
    pub layer_sites: usize,
    /// the spectrum
    pub spectrum: Spectrum,
    /// wall time
    pub seconds: f64,
}

/// The `levels` largest transfer-matrix eigenvalues of the width-`width` cylinder at β.
pub fn spectrum(
    spec: ModelSpec,
    width: usize,
    beta: f64,
    levels: usize,
    solver: cylinder::Solver,
    mem_limit: f64,
) -> Result<SpectrumRow, JobError> {
    if levels == 0 || levels > 64 {
        return Err(JobError::Usage(format!("--levels = {levels} is out of range: 1 ≤ levels ≤ 64")));
    }
    let dims: Vec<usize> = match spec.dim {
        1 => vec![2],
        2 => vec![width, 2],
        _ => vec![width, width, 2],
    };
    let torus = Torus::new(&dims)?;
    let strip = Strip::new(spec.model, &torus, &vec![beta; spec.dim]);
    let t0 = std::time::Instant::now();
    let spectrum = cylinder::spectrum_with(&strip, levels, solver, mem_limit)?;
    Ok(SpectrumRow { width, layer_sites: strip.layer_sites(), spectrum, seconds: t0.elapsed().as_secs_f64() })
}
