//! `onsager dos`: exact energy distributions (number of configurations per total energy).

use super::{JobError, ModelSpec};
use onsager_models::{Model, ModelError, Torus};

/// Largest Ising torus for the exact big-integer DOS: the cost grows as N³ (N²/61 primes × N²
/// work each); N = 8192 (e.g. 90 × 91) takes about 4 minutes on 2 cores.
pub const MAX_DOS_SITES: usize = 8192;

/// Checks the sides of an Ising DOS job.
pub fn check_ising_dos(lx: usize, ly: usize) -> Result<(), JobError> {
    if lx < 2 {
        return Err(ModelError::range("--lx", lx, "≥ 2").into());
    }
    if ly < 2 {
        return Err(ModelError::range("--ly", ly, "≥ 2").into());
    }
    if lx * ly > MAX_DOS_SITES {
        return Err(ModelError::range(
            "--lx × --ly",
            lx * ly,
            "at most 8192 sites for the exact DOS (time grows as N³)",
        )
        .into());
    }
    Ok(())
}

/// Progress ticks of [`dos`]: one per prime for the 2D Ising model, else one.
pub fn ticks(spec: ModelSpec, dims: &[usize]) -> usize {
    if spec.model == Model::Ising && spec.dim == 2 && dims.len() == 2 {
        onsager_exact::dos::dos_primes(dims[0], dims[1])
    } else {
        1
    }
}

/// An exact energy distribution.
#[derive(Debug, Clone)]
pub struct Dos {
    /// total energies E (Ising: −Σ s_i s_j; Potts: −Σ δ; clock: −Σ cos), ascending
    pub energies: Vec<f64>,
    /// number of configurations at each energy, as decimal strings (exact integers)
    pub counts: Vec<String>,
    /// q^N, the total (decimal)
    pub total: String,
    /// how the counts were obtained
    pub method: &'static str,
}

/// The exact DOS: Pfaffians mod p for the 2D Ising torus (any size up to [`MAX_DOS_SITES`]),
/// enumeration (≤ 2^25 configurations) for the other models. Levels with no state are omitted.
pub fn dos(spec: ModelSpec, dims: &[usize], tick: &(dyn Fn() + Sync)) -> Result<Dos, JobError> {
    if spec.model == Model::Ising && spec.dim == 2 {
        check_ising_dos(dims[0], dims[1])?;
        let d = onsager_exact::dos::ising_dos_with_progress(dims[0], dims[1], tick);
        let total: num_bigint::BigUint = d.counts.iter().sum();
        let (energies, counts) = d
            .energies
            .iter()
            .zip(&d.counts)
            .filter(|(_, c)| *c != &num_bigint::BigUint::from(0u8))
            .map(|(&e, c)| (e as f64, c.to_string()))
            .unzip();
        return Ok(Dos { energies, counts, total: total.to_string(), method: "pfaffian-mod-p" });
    }
    let torus = Torus::new(dims)?;
    let levels = onsager_exact::enumerate_energy_counts(spec.model, &torus)?;
    let total: u64 = levels.iter().map(|l| l.1).sum();
    Ok(Dos {
        energies: levels.iter().map(|l| l.0).collect(),
        counts: levels.iter().map(|l| l.1.to_string()).collect(),
        total: total.to_string(),
        method: "enumeration",
    })
}
