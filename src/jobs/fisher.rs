//! `onsager fisher`: exact Fisher curvature R of the bond couplings and the d_R scaling fit.

use super::{JobError, ModelSpec};
use onsager_models::{Model, Torus};
use onsager_transfer::fisher::{cumulant_slices, work_units};
use onsager_transfer::fit::line;
use onsager_transfer::geometry::curvature_from_slices;

/// One lattice size.
#[derive(Debug, Clone)]
pub struct FisherRow {
    /// side length L (the torus is L^d)
    pub l: usize,
    /// number of bonds D = d·L^d
    pub bonds: usize,
    /// scalar curvature R = ¼(B − A)
    pub r: f64,
    /// A = v g⁻¹ v
    pub a: f64,
    /// B = T·T with three inverse metrics
    pub b: f64,
    /// smallest eigenvalue of g
    pub g_min_eig: f64,
    /// ln Z
    pub ln_z: f64,
    /// ⟨bond variable⟩ per direction
    pub bond_mean: Vec<f64>,
    /// wall time
    pub seconds: f64,
    /// peak resident memory of the process after this size (bytes; NaN where unknown)
    pub peak_rss: f64,
}

/// The OLS fit ln|R| = d_R ln N + a over a window of sizes, and its drift.
#[derive(Debug, Clone)]
pub struct FisherFit {
    /// (first L, last L) used
    pub window: (usize, usize),
    /// fitted exponent
    pub d_r: f64,
    /// its standard error (0 for two points)
    pub stderr: f64,
    /// the prediction (dν+2η)/(dν+η), if the model has one
    pub predicted: Option<(f64, &'static str)>,
    /// local slopes Δln|R|/Δln N between neighbouring sizes: (L1, L2, slope)
    pub local_slopes: Vec<(usize, usize, f64)>,
}

/// d_R = (dν + 2η)/(dν + η) from the model's exponents (shared/physics.md), with a label.
pub fn predicted_d_r(spec: ModelSpec) -> Option<(f64, &'static str)> {
    let ising = (10.0 / 9.0, "10/9");
    match (spec.model, spec.dim) {
        (Model::Ising, 2) | (Model::Potts { q: 2 }, 2) | (Model::Clock { q: 2 }, 2) | (Model::Clock { q: 4 }, 2) => {
            Some(ising)
        }
        (Model::Potts { q: 3 }, 2) | (Model::Clock { q: 3 }, 2) => Some((33.0 / 29.0, "33/29")),
        (Model::Potts { q: 4 }, 2) => Some((22.0 / 19.0, "22/19")),
        (Model::Ising, 3) => {
            let (nu, eta) = (0.62997, 0.03630);
            Some(((3.0 * nu + 2.0 * eta) / (3.0 * nu + eta), "(3ν+2η)/(3ν+η), ν=0.62997, η=0.03630"))
        }
        _ => None,
    }
}

/// The lattice of size L for the model: L^d.
pub fn lattice(spec: ModelSpec, l: usize) -> Result<Torus, JobError> {
    Ok(Torus::hypercube(l, spec.dim)?)
}

/// Progress ticks for one size (see [`fisher_row`]).
pub fn ticks(spec: ModelSpec, l: usize) -> usize {
    Torus::hypercube(l, spec.dim).map(|t| work_units(&t)).unwrap_or(1)
}

/// Exact R, A, B of the L^d torus at uniform coupling β.
pub fn fisher_row(
    spec: ModelSpec,
    l: usize,
    beta: f64,
    mem_limit: f64,
    tick: &(dyn Fn() + Sync),
) -> Result<FisherRow, JobError> {
    let torus = lattice(spec, l)?;
    let t0 = std::time::Instant::now();
    let s = cumulant_slices(spec.model, &torus, &vec![beta; spec.dim], mem_limit, tick)?;
    let c = curvature_from_slices(&s);
    Ok(FisherRow {
        l,
        bonds: torus.bonds(),
        r: c.r,
        a: c.a,
        b: c.b,
        g_min_eig: c.g_min_eig,
        ln_z: s.ln_z,
        bond_mean: s.mean,
        seconds: t0.elapsed().as_secs_f64(),
        peak_rss: super::peak_rss_bytes().unwrap_or(f64::NAN),
    })
}

/// Fits ln|R| vs ln N (N = L^d) over rows with L in `window` (inclusive).
pub fn fit(spec: ModelSpec, rows: &[FisherRow], window: (usize, usize)) -> Option<FisherFit> {
    let d = spec.dim as f64;
    let ln_n = |l: usize| d * (l as f64).ln();
    let sel: Vec<&FisherRow> = rows.iter().filter(|r| r.l >= window.0 && r.l <= window.1).collect();
    let xs: Vec<f64> = sel.iter().map(|r| ln_n(r.l)).collect();
    let ys: Vec<f64> = sel.iter().map(|r| r.r.abs().ln()).collect();
    let (d_r, stderr, _) = line(&xs, &ys)?;
    let mut sorted: Vec<&FisherRow> = rows.iter().collect();
    sorted.sort_by_key(|r| r.l);
    let local_slopes = sorted
        .windows(2)
        .map(|w| (w[0].l, w[1].l, (w[1].r.abs().ln() - w[0].r.abs().ln()) / (ln_n(w[1].l) - ln_n(w[0].l))))
        .collect();
    let used = (sel.iter().map(|r| r.l).min()?, sel.iter().map(|r| r.l).max()?);
    Some(FisherFit { window: used, d_r, stderr, predicted: predicted_d_r(spec), local_slopes })
}
