//! `onsager fisher`: exact Fisher curvature R of the bond couplings and the d_R scaling fit.

use super::params::ModelParams;
use super::{Ctx, JobError, ModelSpec};
use onsager_exact::{reference, Quantity, System};
use onsager_models::{Model, ModelError, Torus};
use onsager_transfer::fisher::{cumulant_slices_shared, work_units, NoUnits};
use onsager_transfer::fit::line;
use onsager_transfer::free_fermion::FreeFermion;
use onsager_transfer::geometry::curvature_from_slices;
use onsager_transfer::momentum;
use onsager_transfer::streaming;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

/// How the cumulants are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FisherMethod {
    /// free fermions in momentum space for the 2D Ising model with K > 0 (the fastest exact
    /// route there), else the transfer matrix
    #[default]
    Auto,
    /// transfer matrix with insertions (any model, L up to about 12 in 2D)
    Transfer,
    /// four Pfaffian sectors, real-space slices streamed through a slab of momenta (2D Ising,
    /// K > 0; the cross-check of `momentum`, L ≤ 128 in 12 GiB)
    FreeFermion,
    /// four Pfaffian sectors in momentum space, the third cumulant as a one-loop triangle
    /// (2D Ising, K > 0; O(N² log N) time, O(N) memory: L = 256 in minutes)
    Momentum,
}

impl FisherMethod {
    /// The method actually used for `spec` at coupling β (resolves `Auto`; errors if free
    /// fermions are asked for a model they do not describe).
    pub fn resolve(self, spec: ModelSpec, beta: f64) -> Result<Self, JobError> {
        let fermions = spec.model == Model::Ising && spec.dim == 2 && beta > 0.0;
        match self {
            FisherMethod::Auto if fermions => Ok(FisherMethod::Momentum),
            FisherMethod::Auto => Ok(FisherMethod::Transfer),
            FisherMethod::FreeFermion | FisherMethod::Momentum if !fermions => Err(JobError::param(
                "method",
                format!(
                    "= {} is out of range for {} in {}D at β = {beta}: only for `model` ising in 2D with `beta` > 0",
                    self.name(),
                    spec.name(),
                    spec.dim
                ),
            )),
            m => Ok(m),
        }
    }

    /// Name in output.
    pub fn name(self) -> &'static str {
        match self {
            FisherMethod::Auto => "auto",
            FisherMethod::Transfer => "transfer",
            FisherMethod::FreeFermion => "free-fermion",
            FisherMethod::Momentum => "momentum",
        }
    }

    /// One line for humans: how the cumulants are computed.
    pub fn describe(self) -> &'static str {
        match self {
            FisherMethod::Auto => "chosen per model",
            FisherMethod::Transfer => "transfer matrix with insertions",
            FisherMethod::FreeFermion => "free fermions: four Pfaffian sectors, streamed real-space slices",
            FisherMethod::Momentum => "free fermions in momentum space: four Pfaffian sectors, one-loop triangles",
        }
    }

    /// Whether the route is free fermions (2D Ising only).
    pub fn fermions(self) -> bool {
        matches!(self, FisherMethod::FreeFermion | FisherMethod::Momentum)
    }
}

/// Memory the free-fermion slabs may use: the machine's limit, capped at 12 GiB so that the
/// process (slab + buffers + allocator slack) stays under 16 GB; smaller caps mean more passes.
pub fn free_fermion_budget(mem_limit: f64) -> f64 {
    mem_limit.min(12.0 * 1024f64.powi(3))
}

/// Checks that size L can run with `method` (sides, states, memory) before anything is allocated.
pub fn check_size(spec: ModelSpec, l: usize, method: FisherMethod, mem_limit: f64) -> Result<(), JobError> {
    match method {
        FisherMethod::Momentum => {
            if l < 3 {
                return Err(JobError::param("sizes", format!("contains {l}, out of range: every L ≥ 3")));
            }
            let need = momentum::bytes(l, l, rayon::current_num_threads());
            super::check_memory("sizes", need, mem_limit, |need, have| {
                format!("`sizes` contains {l}: the momentum-space curvature needs {need} but only {have} is available")
            })
        }
        FisherMethod::FreeFermion => {
            if l < 3 {
                return Err(JobError::param("sizes", format!("contains {l}, out of range: every L ≥ 3")));
            }
            let budget = free_fermion_budget(mem_limit);
            // one slab of momenta at a time: the least it can run in is one momentum's slab
            let (per, fixed) = streaming::bytes(l, l);
            super::check_memory("sizes", per + fixed, budget, |need, have| {
                format!("`sizes` contains {l}: the free-fermion curvature needs at least {need} but only {have} is available")
            })
        }
        _ => Ok(onsager_transfer::fisher::check_fisher_lattice(spec.model, &lattice(spec, l)?, mem_limit)?),
    }
}

/// One lattice size.
#[derive(Debug, Clone, Serialize)]
pub struct FisherRow {
    /// side length L (the torus is L^d)
    #[serde(rename = "L")]
    pub l: usize,
    /// number of bonds D = d·L^d
    pub bonds: usize,
    /// scalar curvature R = ¼(B − A)
    #[serde(rename = "R")]
    pub r: f64,
    /// A = v g⁻¹ v
    #[serde(rename = "A")]
    pub a: f64,
    /// B = T·T with three inverse metrics
    #[serde(rename = "B")]
    pub b: f64,
    /// smallest eigenvalue of g
    pub g_min_eig: f64,
    /// ln Z
    pub ln_z: f64,
    /// ⟨bond variable⟩ per direction
    pub bond_mean: Vec<f64>,
    /// wall time
    pub seconds: f64,
    /// how it was computed
    #[serde(skip)]
    pub method: FisherMethod,
    /// |ln Z − ln Z_Kaufman| / |ln Z_Kaufman| (2D Ising with K > 0 only)
    #[serde(rename = "ln_z_rel_dev_kaufman")]
    pub ln_z_dev_kaufman: Option<f64>,
    /// peak resident memory of the process after this size (bytes; absent where unknown)
    #[serde(rename = "peak_rss_bytes", skip_serializing_if = "Option::is_none")]
    pub peak_rss: Option<f64>,
    /// the peak memory predicted for this size before anything was allocated (bytes; the
    /// number the size was checked against; absent for a table read back from CSV)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted_bytes: Option<f64>,
    /// trustworthy decimal digits of R, estimated from the conditioning (see [`r_digits`]) and,
    /// in momentum space, from the summation error estimate
    #[serde(rename = "R_digits")]
    pub r_digits: f64,
    /// estimated absolute rounding error of R (momentum route: two summation orders and the
    /// FFT bound)
    #[serde(rename = "R_error", skip_serializing_if = "Option::is_none")]
    pub r_error: Option<f64>,
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
    pub predicted: Option<(f64, String)>,
    /// local slopes Δln|R|/Δln N between neighbouring sizes: (L1, L2, slope)
    pub local_slopes: Vec<(usize, usize, f64)>,
}

impl Serialize for FisherFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Slope {
            from: usize,
            to: usize,
            #[serde(rename = "d_R")]
            d_r: f64,
        }
        let slopes: Vec<Slope> = self.local_slopes.iter().map(|&(from, to, d_r)| Slope { from, to, d_r }).collect();
        let mut st = s.serialize_struct("FisherFit", 7)?;
        st.serialize_field("window", &self.window)?;
        st.serialize_field("d_R", &self.d_r)?;
        st.serialize_field("stderr", &self.stderr)?;
        st.serialize_field("predicted", &self.predicted.as_ref().map(|p| p.0))?;
        st.serialize_field("predicted_formula", &self.predicted.as_ref().map(|p| p.1.as_str()))?;
        st.serialize_field("local_slopes", &slopes)?;
        st.serialize_field("fit", "OLS of ln|R| on ln N, N = L^d sites")?;
        st.end()
    }
}

/// d_R = (dν + 2η)/(dν + η) from the exponents that live with the model's critical point
/// ([`onsager_models::Exponents::fisher_d_r`]), with its label (`10/9`, `33/29`, or the formula
/// with the 3D estimates).
pub fn predicted_d_r(spec: ModelSpec) -> Option<(f64, String)> {
    Some(onsager_models::critical_coupling(spec.model, spec.dim).ok()?.exponents?.fisher_d_r(spec.dim))
}

/// The lattice of size L for the model: L^d.
pub fn lattice(spec: ModelSpec, l: usize) -> Result<Torus, JobError> {
    Ok(Torus::hypercube(l, spec.dim)?)
}

/// Predicted peak memory of one size by `method`, before anything is allocated (the number
/// [`check_size`]'s refusal quotes).
pub fn predicted_bytes(spec: ModelSpec, l: usize, method: FisherMethod, mem_limit: f64) -> f64 {
    match method {
        FisherMethod::Momentum => momentum::bytes(l, l, rayon::current_num_threads()),
        FisherMethod::FreeFermion => {
            let (per, fixed) = streaming::bytes(l, l);
            let passes = streaming::passes(l, l, free_fermion_budget(mem_limit)).unwrap_or(1) as f64;
            fixed + per * ((l / 2 + 1) as f64 / passes).ceil()
        }
        // a lattice that cannot be built is refused by check_size before this is asked
        _ => lattice(spec, l).map_or(0.0, |t| onsager_transfer::fisher::estimate_bytes(spec.model, &t)),
    }
}

/// Progress ticks for one size (see [`fisher_row`]).
pub fn ticks(spec: ModelSpec, l: usize, method: FisherMethod, mem_limit: f64) -> usize {
    match method {
        FisherMethod::FreeFermion => streaming::passes(l, l, free_fermion_budget(mem_limit)).unwrap_or(1) * l,
        FisherMethod::Momentum => momentum::blocks(l, l),
        _ => Torus::hypercube(l, spec.dim).map(|t| work_units(&t)).unwrap_or(1),
    }
}

/// Exact R, A, B of the L^d torus at uniform coupling β.
pub fn fisher_row(
    spec: ModelSpec,
    l: usize,
    beta: f64,
    method: FisherMethod,
    mem_limit: f64,
    tick: &(dyn Fn() + Sync),
) -> Result<FisherRow, JobError> {
    fisher_row_shared(spec, l, beta, method, mem_limit, tick, &onsager_transfer::streaming::Alone, None)
}

/// [`fisher_row`] with the work dealt among the processes of `part` (MPI ranks): the
/// transfer-matrix units (same-layer and three-layer slice blocks) or the free-fermion rows
/// and momenta.
pub fn fisher_row_shared(
    spec: ModelSpec,
    l: usize,
    beta: f64,
    method: FisherMethod,
    mem_limit: f64,
    tick: &(dyn Fn() + Sync),
    part: &dyn onsager_transfer::streaming::Partition,
    checkpoint: Option<&std::path::Path>,
) -> Result<FisherRow, JobError> {
    let torus = lattice(spec, l)?;
    let t0 = std::time::Instant::now();
    let mut r_error = None;
    let (c, ln_z, bond_mean) = match method {
        FisherMethod::Momentum => {
            let ff = FreeFermion::new(l, l, beta, beta).map_err(JobError::Usage)?;
            let m = match checkpoint {
                Some(dir) => {
                    let ck = super::checkpoint::OrbitFile::new(dir, l, beta);
                    ff.curvature_momentum(tick, part, &ck)
                }
                None => ff.curvature_momentum(tick, part, &momentum::NoCheckpoint),
            }
            .map_err(|e| match e.starts_with("checkpoint ") {
                true => JobError::Transfer(onsager_transfer::TransferError::Checkpoint(e)),
                false => JobError::Usage(e),
            })?;
            r_error = Some(m.r_error);
            (m.curvature, ff.ln_z(), vec![ff.mean(0), ff.mean(1)])
        }
        FisherMethod::FreeFermion => {
            let ff = FreeFermion::new(l, l, beta, beta).map_err(JobError::Usage)?;
            let c = ff
                .curvature_shared(free_fermion_budget(mem_limit), tick, part)
                .ok_or_else(|| JobError::Usage(format!("L = {l}: the free-fermion slab does not fit in memory")))?;
            (c, ff.ln_z(), vec![ff.mean(0), ff.mean(1)])
        }
        _ => {
            let k = vec![beta; spec.dim];
            let s = match checkpoint {
                Some(dir) => {
                    let name = spec.name();
                    let ck = super::checkpoint::UnitFile::new(dir, &name, l, beta, part.rank(), part.size());
                    cumulant_slices_shared(spec.model, &torus, &k, mem_limit, tick, part, &ck)
                }
                None => cumulant_slices_shared(spec.model, &torus, &k, mem_limit, tick, part, &NoUnits),
            }?;
            (curvature_from_slices(&s), s.ln_z, s.mean)
        }
    };
    Ok(FisherRow {
        l,
        bonds: torus.bonds(),
        r: c.r,
        a: c.a,
        b: c.b,
        g_min_eig: c.g_min_eig,
        ln_z,
        bond_mean,
        seconds: t0.elapsed().as_secs_f64(),
        method,
        ln_z_dev_kaufman: (spec.model == Model::Ising && spec.dim == 2 && beta > 0.0).then(|| {
            let k = onsager_exact::kaufman_ln_z(l, l, beta);
            (ln_z - k).abs() / k.abs()
        }),
        peak_rss: super::peak_rss_bytes(),
        predicted_bytes: Some(predicted_bytes(spec, l, method, mem_limit)),
        // at weak coupling the cumulants are O(K) differences of O(1) numbers and R ~ K² N: a
        // relative error of order ε/K that (|A| + |B|)/|R| does not see (β = 1e-8: the transfer
        // matrix agrees with free fermions to 2e-8; β = 1e-300: the three routes disagree at 100 %)
        r_digits: r_error
            .map_or(r_digits(c.r, c.a, c.b, c.g_min_eig), |e| {
                r_digits(c.r, c.a, c.b, c.g_min_eig).min(-(e / c.r.abs()).log10())
            })
            .min(-(f64::EPSILON / beta).log10()),
        r_error,
    })
}

/// Decimal digits of R = (B − A)/4 that rounding leaves, estimated as
/// −log₁₀(ε · (|A| + |B|)/|R| / λ_min(g)): the cumulants of O(1) bond variables carry absolute
/// rounding errors of order ε, which a metric with smallest eigenvalue λ_min turns into relative
/// errors ε/λ_min of its inverse, and R is the difference of A and B. Checked against the two exact
/// routes of the 2D Ising torus (L = 4, 5): estimate 5.8 digits at K = 2 where they agree to 6,
/// 0.6 at K = 3 where they agree to less than one, negative at K = 5 (they differ by 10⁶).
/// A metric that is not positive definite leaves none.
pub fn r_digits(r: f64, a: f64, b: f64, g_min_eig: f64) -> f64 {
    if g_min_eig.is_nan() || g_min_eig <= 0.0 || r == 0.0 || !r.is_finite() {
        return 0.0;
    }
    -(f64::EPSILON * (a.abs() + b.abs()) / r.abs() / g_min_eig).log10()
}

/// Fewer trustworthy digits of R than this and the job refuses (the fit would be of noise).
pub const MIN_R_DIGITS: f64 = 1.0;

/// Refuses rows whose R has no trustworthy digit, naming the first.
pub fn check_digits(rows: &[FisherRow]) -> Result<(), JobError> {
    match rows.iter().find(|r| r.r_digits.is_nan() || r.r_digits < MIN_R_DIGITS) {
        None => Ok(()),
        Some(r) => Err(JobError::Numerical(format!(
            "R at L = {} has no trustworthy digit (estimated {:.1}: the metric's smallest eigenvalue is {:.2e} and \
             (|A| + |B|)/|R| = {:.1}); the cumulants cancel below rounding deep in the ordered phase (use a smaller \
             `beta`) and at very weak coupling, where R ~ K² comes from O(K) cumulants of O(1) numbers (use a larger one)",
            r.l,
            r.r_digits,
            r.g_min_eig,
            (r.a.abs() + r.b.abs()) / r.r.abs()
        ))),
    }
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

/// ln|R| = d_R ln N + a + b/L + c/L² fitted over one window of sizes (QR least squares).
#[derive(Debug, Clone, Serialize)]
pub struct CorrectedFit {
    /// (first L, last L) used
    pub window: (usize, usize),
    /// number of sizes in the window
    pub points: usize,
    /// fitted exponent
    #[serde(rename = "d_R")]
    pub d_r: f64,
    /// its standard error from the residuals (0 when the fit is exact)
    pub stderr: f64,
    /// the form fitted
    pub form: &'static str,
}

/// [`CorrectedFit`]s over the windows [L₀, L_max] for every L₀ that leaves at least `min_points`
/// sizes (at least 8: four parameters fitted to fewer sizes follow the rounding of the last
/// points, e.g. d_R = 1.918 ± 0.155 over L = 3..9).
pub fn corrected_fits(spec: ModelSpec, rows: &[FisherRow], min_points: usize) -> Vec<CorrectedFit> {
    let d = spec.dim as f64;
    let mut sorted: Vec<&FisherRow> = rows.iter().collect();
    sorted.sort_by_key(|r| r.l);
    let min_points = min_points.max(8);
    let mut out = Vec::new();
    for start in 0..sorted.len() {
        let sel = &sorted[start..];
        if sel.len() < min_points {
            break;
        }
        let ls: Vec<f64> = sel.iter().map(|r| r.l as f64).collect();
        let ys: Vec<f64> = sel.iter().map(|r| r.r.abs().ln()).collect();
        let basis: [&dyn Fn(f64) -> f64; 4] =
            [&|l: f64| d * l.ln(), &|_| 1.0, &|l: f64| 1.0 / l, &|l: f64| 1.0 / (l * l)];
        if let Some(f) = onsager_transfer::fit::least_squares(&ls, &ys, &basis) {
            out.push(CorrectedFit {
                window: (sel[0].l, sel[sel.len() - 1].l),
                points: sel.len(),
                d_r: f.coef[0],
                stderr: f.stderr[0],
                form: "ln|R| = d_R ln N + a + b/L + c/L^2",
            });
        }
    }
    out
}

/// One fit of ln|R| against a scaling form over the sizes L ≥ L₀.
#[derive(Debug, Clone, Serialize)]
pub struct AnsatzFit {
    /// the form, e.g. "d ln N + a + p ln ln N + b/L"
    pub form: &'static str,
    /// smallest L used
    #[serde(rename = "from_L")]
    pub from_l: usize,
    /// number of sizes used
    pub points: usize,
    /// fitted d_R
    #[serde(rename = "d_R")]
    pub d_r: f64,
    /// its standard error
    pub stderr: f64,
    /// the power p of the logarithm (forms with ln ln N)
    pub log_power: Option<f64>,
    /// root-mean-square residual of ln|R|
    #[serde(rename = "rms_residual")]
    pub rms: f64,
    /// d was fixed (a test of a hypothesis, not an estimate)
    #[serde(rename = "d_fixed")]
    pub fixed_d: bool,
    /// the fitted ln|R| at L = L₀·2^{i/8} up to 2^14 (for plots of the trend)
    #[serde(skip)]
    pub curve: Vec<(f64, f64)>,
}

/// Sizes at which fitted forms are tabulated: L₀·2^{i/8} up to 2^14.
fn curve_sizes(l0: usize) -> Vec<f64> {
    (0..).map(|i| l0 as f64 * 2f64.powf(i as f64 / 8.0)).take_while(|&l| l <= 16384.0).collect()
}

/// d_R(L → ∞) from fits of ln|R| with and without a logarithmic factor (ln N)^p.
#[derive(Debug, Clone, Serialize)]
pub struct Extrapolation {
    /// central estimate of d_R(∞)
    #[serde(rename = "d_R")]
    pub d_r: f64,
    /// uncertainty: the largest deviation from the central value of the other log-corrected fits
    /// on windows L₀ ≥ 24 (and of the d = 1 hypothesis where it fits as well), plus the
    /// central fit's standard error
    pub uncertainty: f64,
    /// the central fit
    pub central: AnsatzFit,
    /// every fit made, for the record (power-law-only forms included)
    pub fits: Vec<AnsatzFit>,
}

/// The scaling forms tried by [`extrapolate`]: (name, has ln ln N, basis in L for N = L^d).
type Form = (&'static str, bool, Vec<Box<dyn Fn(f64) -> f64>>);

fn forms(d: f64) -> Vec<Form> {
    let ln_n = move |l: f64| d * l.ln();
    let lnln = move |l: f64| (d * l.ln()).ln();
    vec![
        (
            "d ln N + a + b/L + c/L^2",
            false,
            vec![Box::new(ln_n), Box::new(|_| 1.0), Box::new(|l| 1.0 / l), Box::new(|l| 1.0 / (l * l))],
        ),
        (
            "d ln N + a + p ln ln N + b/L",
            true,
            vec![Box::new(ln_n), Box::new(|_| 1.0), Box::new(lnln), Box::new(|l| 1.0 / l)],
        ),
        (
            "d ln N + a + p ln ln N + b/L + c/L^2",
            true,
            vec![Box::new(ln_n), Box::new(|_| 1.0), Box::new(lnln), Box::new(|l| 1.0 / l), Box::new(|l| 1.0 / (l * l))],
        ),
        (
            "d ln N + a + p ln ln N + b/L + e ln ln N/L",
            true,
            vec![
                Box::new(ln_n),
                Box::new(|_| 1.0),
                Box::new(lnln),
                Box::new(|l| 1.0 / l),
                Box::new(move |l| lnln(l) / l),
            ],
        ),
    ]
}

/// Result of [`shifted_log_fit`].
struct ShiftedLog {
    d_r: f64,
    stderr: f64,
    p: f64,
    rms: f64,
    curve: Vec<(f64, f64)>,
}

/// ln|R| = d ln N + a + p ln(ln N + c) + b/L + e/L² with the shift c chosen by minimising the
/// residual (profile least squares: a grid in c, then golden-section refinement; the other
/// parameters are linear). `fixed_d = Some(1.0)` fits ln|R| − ln N without the d term. The
/// standard errors are conditional on the optimal c.
fn shifted_log_fit(xs: &[f64], ys: &[f64], d: f64, fixed_d: Option<f64>) -> Option<ShiftedLog> {
    let ln_n_min = xs.iter().map(|&l| d * l.ln()).fold(f64::INFINITY, f64::min);
    let fit_at = |c: f64| {
        let yv: Vec<f64> = xs.iter().zip(ys).map(|(&l, &y)| y - fixed_d.map_or(0.0, |dd| dd * d * l.ln())).collect();
        let lnln = move |l: f64| (d * l.ln() + c).ln();
        let mut basis: Vec<Box<dyn Fn(f64) -> f64>> = Vec::new();
        if fixed_d.is_none() {
            basis.push(Box::new(move |l: f64| d * l.ln()));
        }
        basis.push(Box::new(|_| 1.0));
        basis.push(Box::new(lnln));
        basis.push(Box::new(|l: f64| 1.0 / l));
        basis.push(Box::new(|l: f64| 1.0 / (l * l)));
        let refs: Vec<&dyn Fn(f64) -> f64> = basis.iter().map(|b| b.as_ref()).collect();
        onsager_transfer::fit::least_squares(xs, &yv, &refs)
    };
    let lo = -ln_n_min + 0.2;
    let grid: Vec<f64> = (0..=200).map(|i| lo + (6.0 - lo) * i as f64 / 200.0).collect();
    let best = grid.iter().filter_map(|&c| fit_at(c).map(|f| (c, f.rss))).min_by(|a, b| a.1.total_cmp(&b.1))?;
    let h = (6.0 - lo) / 200.0;
    let (mut a, mut b) = ((best.0 - h).max(lo), best.0 + h);
    let phi = 0.5 * (5f64.sqrt() - 1.0);
    for _ in 0..60 {
        let (c1, c2) = (b - phi * (b - a), a + phi * (b - a));
        let (r1, r2) = (fit_at(c1)?.rss, fit_at(c2)?.rss);
        if r1 < r2 {
            b = c2;
        } else {
            a = c1;
        }
    }
    let c = 0.5 * (a + b);
    let f = fit_at(c)?;
    let off = usize::from(fixed_d.is_none());
    let (d_r, se) = match fixed_d {
        Some(dd) => (dd, 0.0),
        None => (f.coef[0], f.stderr[0]),
    };
    let model = |l: f64| {
        let ln_n = d * l.ln();
        let k = &f.coef[off..];
        fixed_d.map_or(f.coef[0] * ln_n, |dd| dd * ln_n) + k[0] + k[1] * (ln_n + c).ln() + k[2] / l + k[3] / (l * l)
    };
    let l0 = xs.iter().cloned().fold(f64::INFINITY, f64::min) as usize;
    let curve = curve_sizes(l0).into_iter().map(|l| (l, model(l))).collect();
    Some(ShiftedLog { d_r, stderr: se, p: f.coef[off + 1], rms: (f.rss / xs.len() as f64).sqrt(), curve })
}

/// Fits ln|R| over the windows L ≥ L₀ (L₀ = 16, 24, 32, 48, 64; at least 8 sizes) to a
/// power-law form (d ln N + a + b/L + c/L²) and to three forms with a logarithmic factor
/// |R| ∝ N^d (ln N)^p (plus 1/L, 1/L², ln ln N/L corrections), and tests the hypothesis d = 1
/// with |R| ∝ N (ln N + c)^p. The central value is the free log-corrected form with the
/// smallest residual on the largest window; see [`Extrapolation`] for the uncertainty.
/// `None` with fewer than 8 sizes ≥ 16.
pub fn extrapolate(spec: ModelSpec, rows: &[FisherRow]) -> Option<Extrapolation> {
    let d = spec.dim as f64;
    let mut fits = Vec::new();
    for l0 in [16usize, 24, 32, 48, 64] {
        let sel: Vec<&FisherRow> = rows.iter().filter(|r| r.l >= l0).collect();
        if sel.len() < 8 {
            continue;
        }
        let xs: Vec<f64> = sel.iter().map(|r| r.l as f64).collect();
        let ys: Vec<f64> = sel.iter().map(|r| r.r.abs().ln()).collect();
        // the hypothesis d = 1 with a shifted logarithm (free d with a free shift is too weakly
        // determined: d, p and c trade off along a flat valley of the residual)
        for (form, fixed) in [("ln N + a + p ln(ln N + c) + b/L + e/L^2 (d = 1)", Some(1.0))] {
            if let Some(ShiftedLog { d_r, stderr, p, rms, curve }) = shifted_log_fit(&xs, &ys, d, fixed) {
                fits.push(AnsatzFit {
                    form,
                    from_l: l0,
                    points: sel.len(),
                    d_r,
                    stderr,
                    log_power: Some(p),
                    rms,
                    fixed_d: fixed.is_some(),
                    curve,
                });
            }
        }
        for (form, has_log, basis) in forms(d) {
            let refs: Vec<&dyn Fn(f64) -> f64> = basis.iter().map(|b| b.as_ref()).collect();
            if let Some(f) = onsager_transfer::fit::least_squares(&xs, &ys, &refs) {
                fits.push(AnsatzFit {
                    form,
                    from_l: l0,
                    points: sel.len(),
                    d_r: f.coef[0],
                    stderr: f.stderr[0],
                    log_power: has_log.then_some(f.coef[2]),
                    rms: (f.rss / sel.len() as f64).sqrt(),
                    fixed_d: false,
                    curve: curve_sizes(l0)
                        .into_iter()
                        .map(|l| (l, basis.iter().zip(&f.coef).map(|(b, c)| c * b(l)).sum()))
                        .collect(),
                });
            }
        }
    }
    let last = fits.iter().map(|f| f.from_l).max()?;
    let central = fits
        .iter()
        .filter(|f| f.from_l == last && f.log_power.is_some() && !f.fixed_d)
        .min_by(|a, b| a.rms.total_cmp(&b.rms))?
        .clone();
    // spread: every free log-corrected fit on windows L₀ ≥ 24, and a fixed-d hypothesis when it
    // fits its window as well as the best free fit there (rms within a factor 2)
    let best_rms = |l0: usize| {
        fits.iter()
            .filter(|f| f.from_l == l0 && f.log_power.is_some() && !f.fixed_d)
            .map(|f| f.rms)
            .fold(f64::INFINITY, f64::min)
    };
    let spread = fits
        .iter()
        .filter(|f| f.log_power.is_some() && f.from_l >= 24 && (!f.fixed_d || f.rms <= 2.0 * best_rms(f.from_l)))
        .map(|f| (f.d_r - central.d_r).abs())
        .fold(0.0, f64::max);
    Some(Extrapolation { d_r: central.d_r, uncertainty: spread + central.stderr, central, fits })
}

/// Local slopes with their mean size L̄ = (L₁ + L₂)/2: (L̄, d_R).
pub fn local_exponents(spec: ModelSpec, rows: &[FisherRow]) -> Vec<(f64, f64)> {
    let d = spec.dim as f64;
    let mut sorted: Vec<&FisherRow> = rows.iter().collect();
    sorted.sort_by_key(|r| r.l);
    sorted
        .windows(2)
        .map(|w| {
            let (l1, l2) = (w[0].l as f64, w[1].l as f64);
            (0.5 * (l1 + l2), (w[1].r.abs().ln() - w[0].r.abs().ln()) / (d * (l2.ln() - l1.ln())))
        })
        .collect()
}

/// Reads a table written by `onsager fisher --csv` (header lines start with `#`; columns
/// L,bonds,R,A,B,g_min_eig,ln_z,seconds). Errors name the line.
pub fn read_csv(text: &str, method: FisherMethod) -> Result<Vec<FisherRow>, String> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("L,") {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let bad = || format!("line {}: expected L,bonds,R,A,B,g_min_eig,ln_z,seconds, got `{line}`", i + 1);
        if f.len() < 8 {
            return Err(bad());
        }
        let num = |k: usize| f[k].trim().parse::<f64>().map_err(|_| bad());
        rows.push(FisherRow {
            l: f[0].trim().parse().map_err(|_| bad())?,
            bonds: f[1].trim().parse().map_err(|_| bad())?,
            r: num(2)?,
            a: num(3)?,
            b: num(4)?,
            g_min_eig: num(5)?,
            ln_z: num(6)?,
            bond_mean: vec![],
            seconds: num(7)?,
            method,
            ln_z_dev_kaufman: None,
            peak_rss: None,
            predicted_bytes: None,
            r_digits: r_digits(num(2)?, num(3)?, num(4)?, num(5)?),
            r_error: None,
        });
    }
    if rows.is_empty() {
        return Err("no data rows".into());
    }
    Ok(rows)
}

/// Parameters of `onsager fisher`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, clap::Args)]
pub struct FisherParams {
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub model: ModelParams,
    /// side lengths L of the L^d tori: A..B (inclusive) or a list [default: 3..9 for 2D Ising]
    #[arg(long)]
    #[serde(default, deserialize_with = "super::params::opt_text")]
    pub sizes: Option<String>,
    /// sizes used in the OLS fit of ln|R| vs ln N, inclusive [default: 6..largest]
    #[arg(long)]
    #[serde(default, deserialize_with = "super::params::opt_text")]
    pub fit_window: Option<String>,
    /// auto (free fermions in momentum space for the 2D Ising model, else the transfer matrix),
    /// transfer, free-fermion (streamed real space), momentum
    #[arg(long, value_enum, default_value_t = FisherMethod::Auto)]
    #[serde(default)]
    pub method: FisherMethod,
    /// keep finished work of each size in this directory (momenta, or transfer-matrix units) and
    /// resume from it
    #[arg(long)]
    #[serde(default, deserialize_with = "super::params::opt_text")]
    pub checkpoint: Option<String>,
    /// also the infinite lattice's R/N, A/N, B/N by quadrature (2D Ising, K ≠ K_c): the midpoint
    /// rule on M × M momenta, M doubled from 16 until two grids agree, to show the approach
    #[arg(long)]
    #[serde(default)]
    pub bulk: bool,
}

/// The default sizes of the momentum route: every L to 16, every 2 to 32, every 4 to 64 — the
/// rise and fall of the local exponent and enough sizes ≥ 16, 24, 32 for the log-corrected
/// extrapolation, in a few seconds on two cores.
pub const MOMENTUM_SIZES: &str = "4..16,18,20,22,24,26,28,30,32,36,40,44,48,52,56,60,64";

/// The sizes `onsager fisher` runs when none are given: what takes seconds to a minute.
pub fn default_sizes(spec: ModelSpec) -> &'static str {
    match (spec.model, spec.dim) {
        (_, 1) => "3..12",
        (_, 3) => "3",
        (Model::Ising, _) | (Model::Potts { q: 2 }, _) | (Model::Clock { q: 2 }, _) => "3..9",
        (Model::Potts { q: 3 }, _) | (Model::Clock { q: 3 }, _) => "3..6",
        (Model::Potts { q: 4 }, _) | (Model::Clock { q: 4 }, _) => "3..5",
        _ => "3..4",
    }
}

/// A validated [`FisherParams`].
#[derive(Debug, Clone)]
pub struct FisherJob {
    /// model and dimension
    pub spec: ModelSpec,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// the route that runs (never `Auto`)
    pub method: FisherMethod,
    /// the sizes L
    pub sizes: Vec<usize>,
    /// the OLS window (first L, last L)
    pub window: (usize, usize),
    /// directory of the momentum route's checkpoints
    pub checkpoint: Option<std::path::PathBuf>,
    /// whether the infinite-lattice values are asked for ([`bulk`])
    pub bulk: bool,
}

impl FisherParams {
    /// The one place these parameters are checked (the sizes against memory: [`check_size`]).
    pub fn validate(&self) -> Result<FisherJob, JobError> {
        let (spec, beta, critical) = self.model.resolve()?;
        let method = self.method.resolve(spec, beta)?;
        let default = if method == FisherMethod::Momentum { MOMENTUM_SIZES } else { default_sizes(spec) };
        let sizes = super::parse_sizes("sizes", self.sizes.as_deref().unwrap_or(default))?;
        self.job(spec, beta, critical, method, sizes)
    }

    /// [`FisherParams::validate`] for a stored table's sizes (`--from-csv`).
    pub fn validate_with_sizes(&self, sizes: Vec<usize>) -> Result<FisherJob, JobError> {
        let (spec, beta, critical) = self.model.resolve()?;
        let method = self.method.resolve(spec, beta)?;
        self.job(spec, beta, critical, method, sizes)
    }

    fn job(
        &self,
        spec: ModelSpec,
        beta: f64,
        critical: bool,
        method: FisherMethod,
        sizes: Vec<usize>,
    ) -> Result<FisherJob, JobError> {
        if beta == 0.0 {
            return Err(JobError::param(
                "beta",
                "= 0 is out of range for the Fisher geometry: at K = 0 the bonds are independent and R = 0 \
                 identically; give `beta` > 0",
            ));
        }
        if let Some(&l) = sizes.iter().find(|&&l| l < 3) {
            return Err(JobError::param(
                "sizes",
                format!("contains {l}, out of range: every L ≥ 3 for the Fisher geometry (L = 2 doubles bonds)"),
            ));
        }
        if let Some(dir) = &self.checkpoint {
            if method == FisherMethod::FreeFermion {
                return Err(JobError::param(
                    "checkpoint",
                    "is for `method` momentum or transfer (the streamed free-fermion route keeps none)",
                ));
            }
            super::checkpoint::check_dir(std::path::Path::new(dir))?;
        }
        if self.bulk {
            if !(spec.model == Model::Ising && spec.dim == 2) {
                return Err(JobError::param(
                    "bulk",
                    format!("is for `model` ising in 2D (free fermions; got {} in {}D)", spec.name(), spec.dim),
                ));
            }
            let kc = onsager_models::critical_coupling(spec.model, 2)?.coupling;
            if critical || (beta - kc).abs() <= 1e-9 * kc {
                return Err(JobError::param(
                    "bulk",
                    "is out of range at K_c: there the infinite lattice's R/N diverges (|R|/N grows like ln N); \
                     give `beta` ≠ critical",
                ));
            }
        }
        let max = *sizes.iter().max().expect("parse_sizes returns at least one size");
        let window = match &self.fit_window {
            Some(w) => {
                let v = super::parse_sizes("fit_window", w)?;
                let (lo, hi) = (*v.iter().min().expect("non-empty"), *v.iter().max().expect("non-empty"));
                // the window's ends must be computed sizes: a window that reaches past them would
                // silently narrow to the sizes there are
                let list = sizes.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(",");
                for end in [lo, hi] {
                    if !sizes.contains(&end) {
                        return Err(ModelError::range(
                            "fit_window",
                            w,
                            &format!("both ends among the computed sizes ({list}); {end} is not one of them"),
                        )
                        .into());
                    }
                }
                if sizes.iter().filter(|&&l| (lo..=hi).contains(&l)).count() < 2 {
                    return Err(ModelError::range("fit_window", w, "at least two computed sizes").into());
                }
                (lo, hi)
            }
            None if sizes.iter().filter(|&&l| l >= 6).count() >= 2 => (6, max),
            None => (*sizes.iter().min().expect("non-empty"), max),
        };
        Ok(FisherJob {
            spec,
            beta,
            critical,
            method,
            sizes,
            window,
            checkpoint: self.checkpoint.as_ref().map(Into::into),
            bulk: self.bulk,
        })
    }
}

/// The result of `onsager fisher`: the exact rows and the fits, with the parameters.
#[derive(Debug, Clone, Serialize)]
pub struct FisherRecord {
    /// model name
    pub model: String,
    /// lattice dimension d
    pub dimension: usize,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// the route used
    pub method: &'static str,
    /// always `periodic`
    pub boundary: &'static str,
    /// one row per size
    pub rows: Vec<FisherRow>,
    /// OLS of ln|R| on ln N over the window
    pub fit: Option<FisherFit>,
    /// ln|R| = d_R ln N + a + b/L + c/L² over [L₀, L_max]
    pub corrected_fits: Vec<CorrectedFit>,
    /// d_R(∞) from log-corrected forms (eight or more sizes ≥ 16)
    pub extrapolation: Option<Extrapolation>,
    /// the infinite lattice by quadrature (`--bulk`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk: Option<BulkRecord>,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: FisherParams,
}

/// One quadrature grid of [`bulk`].
#[derive(Debug, Clone, Serialize)]
pub struct BulkGrid {
    /// M: the grid has M × M momenta
    #[serde(rename = "M")]
    pub m: usize,
    /// R/N on this grid
    pub r_per_site: f64,
    /// A/N on this grid
    pub a_per_site: f64,
    /// B/N on this grid
    pub b_per_site: f64,
    /// wall seconds
    pub seconds: f64,
}

/// The infinite 2D Ising lattice's Fisher curvature per site by quadrature: the momentum route
/// on one Gaussian sector ([`FreeFermion::bulk`]), the periodic midpoint rule on M × M momenta.
/// Off K_c it converges exponentially in M/ξ, so the change between the last two grids bounds
/// the error of the coarser one and, a fortiori, of the finer one that is reported.
#[derive(Debug, Clone, Serialize)]
pub struct BulkRecord {
    /// the finest grid's M
    #[serde(rename = "M")]
    pub m: usize,
    /// R/N of the infinite lattice
    pub r_per_site: f64,
    /// A/N
    pub a_per_site: f64,
    /// B/N
    pub b_per_site: f64,
    /// ln Z/N on the finest grid
    pub ln_z_per_site: f64,
    /// |ln Z/N − Onsager's closed form| (the quadrature's check)
    pub ln_z_dev_onsager: f64,
    /// |R/N(M) − R/N(M/2)| plus rounding: the error bound of R/N
    pub r_error: f64,
    /// |A/N(M) − A/N(M/2)|: the error bound of A/N
    pub a_error: f64,
    /// |B/N(M) − B/N(M/2)|: the error bound of B/N
    pub b_error: f64,
    /// decimal digits of R/N: the smaller of the convergence and the rounding estimates
    #[serde(rename = "R_digits")]
    pub r_digits: f64,
    /// every grid computed
    pub grids: Vec<BulkGrid>,
    /// wall seconds of all grids
    pub seconds: f64,
}

/// Grids of [`bulk`]: M doubles from 16; 256 takes about 2 minutes on two cores (one sector of
/// the L = 256 torus), the next would take half an hour.
pub const BULK_GRIDS: [usize; 5] = [16, 32, 64, 128, 256];

/// Two grids agreeing to this relative change end the doubling: exponential convergence leaves
/// the finer one at rounding level.
pub const BULK_TOLERANCE: f64 = 1e-11;

/// The infinite lattice's R/N, A/N, B/N at coupling K by quadrature (see [`BulkRecord`]);
/// refused when the grids have not converged to one digit by the largest (K too near K_c).
pub fn bulk(beta: f64, ctx: &Ctx, part: &dyn streaming::Partition) -> Result<BulkRecord, JobError> {
    let t0 = std::time::Instant::now();
    let mut grids: Vec<BulkGrid> = Vec::new();
    let mut last = None;
    for &m in &BULK_GRIDS {
        check_size(ModelSpec { model: Model::Ising, dim: 2 }, m, FisherMethod::Momentum, ctx.memory_budget)?;
        ctx.message(&format!("infinite lattice: M = {m}"));
        let t = std::time::Instant::now();
        let ff = FreeFermion::bulk(m, beta, beta).map_err(JobError::Usage)?;
        let c = ff.curvature_momentum(&|| {}, part, &momentum::NoCheckpoint).map_err(JobError::Usage)?;
        let n = (m * m) as f64;
        let rounding = r_digits(c.curvature.r, c.curvature.a, c.curvature.b, c.curvature.g_min_eig)
            .min(-(f64::EPSILON / beta).log10());
        if rounding.is_nan() || rounding < MIN_R_DIGITS {
            // a finer grid does not help: the cumulants' rounding is the limit
            return Err(JobError::Numerical(format!(
                "`bulk` at K = {beta}: R/N keeps no trustworthy digit through rounding (weak coupling, where R ~ \
                 K², or deep order, where g is ill-conditioned); give `beta` between about 0.01 and 2"
            )));
        }
        grids.push(BulkGrid {
            m,
            r_per_site: c.curvature.r / n,
            a_per_site: c.curvature.a / n,
            b_per_site: c.curvature.b / n,
            seconds: t.elapsed().as_secs_f64(),
        });
        let change = grids.iter().rev().nth(1).map(|g| (g.r_per_site - c.curvature.r / n).abs());
        // agreement to the grid's own rounding level is all a finer grid could add
        let tol = BULK_TOLERANCE.max(10f64.powf(-rounding));
        let done = change.is_some_and(|d| d <= tol * (c.curvature.r / n).abs());
        last = Some((m, ff.ln_z() / n, c, change));
        if done {
            break;
        }
    }
    let (m, ln_z, c, change) = last.expect("at least one grid");
    let [prev, fine] = [&grids[grids.len() - 2], &grids[grids.len() - 1]];
    let (a_error, b_error) = ((fine.a_per_site - prev.a_per_site).abs(), (fine.b_per_site - prev.b_per_site).abs());
    let n = (m * m) as f64;
    let r = c.curvature.r / n;
    let r_error = change.expect("at least two grids") + c.r_error / n;
    let rounding = r_digits(c.curvature.r, c.curvature.a, c.curvature.b, c.curvature.g_min_eig)
        .min(-(f64::EPSILON / beta).log10());
    let digits = rounding.min(-(r_error / r.abs()).log10());
    if digits.is_nan() || digits < MIN_R_DIGITS {
        let kc = onsager_models::critical_coupling(Model::Ising, 2)?.coupling;
        return Err(JobError::Numerical(format!(
            "`bulk` at K = {beta}: the quadrature has not converged by M = {m} (R/N changed by {:.1e} of itself \
             from M = {}): K is {:.3} from K_c, where the correlation length needs a larger grid; move `beta` \
             away from K_c = {kc:.6}",
            r_error / r.abs(),
            m / 2,
            (beta - kc).abs()
        )));
    }
    let lattice = System::Lattice { model: Model::Ising, dim: 2, kx: beta, ky: beta, h: 0.0 };
    let onsager = reference(lattice, Quantity::LnZPerSite).expect("Onsager's lnZ/N is known at every K").value;
    Ok(BulkRecord {
        m,
        r_per_site: r,
        a_per_site: c.curvature.a / n,
        b_per_site: c.curvature.b / n,
        ln_z_per_site: ln_z,
        ln_z_dev_onsager: (ln_z - onsager).abs(),
        r_error,
        a_error,
        b_error,
        r_digits: digits,
        grids,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Validates every size against memory before the first long computation.
pub fn check_sizes(job: &FisherJob, ctx: &Ctx) -> Result<(), JobError> {
    for &l in &job.sizes {
        check_size(job.spec, l, job.method, ctx.memory_budget)?;
    }
    Ok(())
}

/// The exact rows of a job, the work dealt over the processes of `part` (MPI ranks; rank 0
/// holds the result); progress in ticks of [`ticks`].
pub fn rows(job: &FisherJob, ctx: &Ctx, part: &dyn streaming::Partition) -> Result<Vec<FisherRow>, JobError> {
    check_sizes(job, ctx)?;
    let mem = ctx.memory_budget;
    let total: usize = job.sizes.iter().map(|&l| ticks(job.spec, l, job.method, mem)).sum();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || ctx.progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
    let mut out = Vec::new();
    for &l in &job.sizes {
        ctx.message(&format!("L = {l}"));
        out.push(fisher_row_shared(job.spec, l, job.beta, job.method, mem, &tick, part, job.checkpoint.as_deref())?);
    }
    Ok(out)
}

/// The record of a job from its rows (computed, or read back with [`read_csv`]); refused when a
/// row's R has no trustworthy digit ([`check_digits`]) or a number is not finite.
pub fn analyse(params: &FisherParams, job: &FisherJob, rows: Vec<FisherRow>) -> Result<FisherRecord, JobError> {
    check_digits(&rows)?;
    super::vouched(FisherRecord {
        model: job.spec.name(),
        dimension: job.spec.dim,
        beta: job.beta,
        critical: job.critical,
        method: job.method.name(),
        boundary: "periodic",
        // the prediction is for the critical point: off it R is extensive (R/N → R∞/N)
        fit: fit(job.spec, &rows, job.window)
            .map(|f| FisherFit { predicted: f.predicted.filter(|_| job.critical), ..f }),
        corrected_fits: corrected_fits(job.spec, &rows, 6),
        extrapolation: extrapolate(job.spec, &rows),
        rows,
        bulk: None,
        version: env!("CARGO_PKG_VERSION"),
        params: params.clone(),
    })
}

/// Runs `onsager fisher`.
pub fn run(params: &FisherParams, ctx: &Ctx) -> Result<FisherRecord, JobError> {
    let job = params.validate()?;
    let rows = rows(&job, ctx, &streaming::Alone)?;
    check_digits(&rows)?;
    let bulk = job.bulk.then(|| bulk(job.beta, ctx, &streaming::Alone)).transpose()?;
    Ok(FisherRecord { bulk, ..analyse(params, &job, rows)? })
}
