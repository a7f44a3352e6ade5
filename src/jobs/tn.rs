//! `onsager trg | hotrg | ctmrg`: tensor-network free energies of 2D models.

use super::params::ModelParams;
use super::{Ctx, JobError, ModelSpec};
use onsager_exact::{reference, Quantity, System};
use onsager_tn::ctmrg::{Ctmrg, CtmrgRecord};
use onsager_tn::ctmrg_directional::DirectionalCtmrg;
use onsager_tn::hotrg3d::Hotrg3d;
use onsager_tn::initial::{
    bond_factors, free_boundary, leg_parity, site_moment, site_tensor_2d, site_tensor_3d, site_tensor_anisotropic,
    Insertion,
};
use onsager_tn::registry::{self, Start};
use onsager_tn::{CoarseGraining, Stop, Truncation};
use serde::{Deserialize, Serialize};

/// Result of a coarse-graining or CTMRG run.
#[derive(Debug, Clone)]
pub struct TnResult {
    /// lnZ/N
    pub ln_z_per_site: f64,
    /// f = −lnZ/(βN)
    pub free_energy_per_site: f64,
    /// largest discarded weight of any step
    pub truncation_error: f64,
    /// RG steps (or CTMRG iterations: power and fixed-point corner method together)
    pub steps: usize,
    /// wall time
    pub seconds: f64,
    /// median wall time of one step after the bond dimension saturated
    pub seconds_per_step: f64,
    /// energy per site u = −d⟨f_bond⟩ (CTMRG)
    pub energy_per_site: Option<f64>,
    /// ⟨m(σ)⟩ with the boundary fixed to σ = 0 (CTMRG)
    pub magnetization: Option<f64>,
    /// whether CTMRG met its criterion
    pub converged: Option<bool>,
    /// fixed-point corner method: how much one power-method iteration from its result changes the
    /// normalised corner spectrum (the check that it is the CTMRG fixed point)
    pub power_step_change: Option<f64>,
    /// CTMRG: iterations of the fixed-point corner method, when it ran (`steps` counts them with
    /// the power iterations before them)
    pub fpcm_iterations: Option<usize>,
    /// per RG step: (step, lnZ/N estimate, discarded weight of the step) — empty for CTMRG
    pub history: Vec<(usize, f64, f64)>,
    /// Gu–Wen conformal data from the stationary window of the flow (with `spectrum`)
    pub cft: Option<onsager_tn::gu_wen::CftWindow>,
}

fn check(name: &str, spec: ModelSpec, chi: usize) -> Result<(), JobError> {
    let three_d = registry::find(name).is_some_and(|s| s.capabilities.three_d);
    if spec.dim == 3 && three_d {
        // ising3d is the only 3D model ModelSpec names
    } else if spec.dim != 2 {
        return Err(JobError::param(
            "model",
            format!(
                "= {} is out of range for {name}: the 2D models ising, potts, clock{}",
                spec.name(),
                if spec.dim == 3 { " (ising3d runs with hotrg)" } else { "" }
            ),
        ));
    }
    if !(1..=256).contains(&chi) {
        return Err(JobError::param("chi", format!("= {chi} is out of range: 1 ≤ χ ≤ 256")));
    }
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// What the 3D HOTRG step may give its P and Q blocks out of `budget`: what the work arrays
/// leave, at most the scheme's default.
fn hotrg3d_block_budget(chi: usize, budget: f64) -> usize {
    (budget as usize).saturating_sub(onsager_tn::hotrg3d::work_bytes(chi)).min(onsager_tn::hotrg3d::DEFAULT_BUDGET)
}

/// The peak memory `scheme` is predicted to take, in bytes, before anything is allocated: the
/// registered scheme's `peak_bytes` (the number `check_memory` refuses on), for 3D HOTRG the
/// blocks it will choose out of `budget` ([`onsager_tn::hotrg3d::step_bytes`]), and for CTMRG a
/// few (χq)² matrices and a Krylov basis of 40 χ²q vectors (megabytes: never refused).
pub fn predicted_bytes(scheme: &str, p: &TnParams, job: &TnJob, budget: f64) -> f64 {
    let (spec, chi) = (job.spec, p.chi);
    let (chi_f, q) = (chi as f64, spec.model.q() as f64);
    if scheme == "ctmrg" {
        return 8.0 * (8.0 * (chi_f * q).powi(2) + 40.0 * chi_f * chi_f * q);
    }
    if spec.dim == 3 {
        let symmetric = leg_parity(spec.model, job.beta, p.h).is_some();
        return onsager_tn::hotrg3d::step_bytes(chi, hotrg3d_block_budget(chi, budget), symmetric) as f64;
    }
    match registry::find(scheme) {
        Some(entry) => {
            let parity = leg_parity(spec.model, job.beta, p.h);
            (entry.peak_bytes)(spec.model.q(), chi, job.steps, !p.observables && parity.is_some())
        }
        None => 0.0,
    }
}

/// Refuses the job when the predicted peak memory of one step of `scheme` is over `budget`: the
/// prediction is made before anything is allocated, so a sweep refuses such a grid point before
/// any job runs. CTMRG is not checked (its environments are a few χ² q² numbers).
fn check_memory(scheme: &str, p: &TnParams, job: &TnJob, budget: f64) -> Result<(), JobError> {
    let (spec, chi) = (job.spec, p.chi);
    if scheme == "ctmrg" {
        return Ok(());
    }
    if spec.dim == 3 {
        let symmetric = leg_parity(spec.model, job.beta, p.h).is_some();
        let least = |c: usize| onsager_tn::hotrg3d::min_bytes(c, symmetric) as f64;
        let fits = (1..chi).rev().find(|&c| least(c) <= budget).unwrap_or(1);
        return super::check_memory("chi", least(chi), budget, |need, have| {
            format!(
                "`chi` = {chi} needs at least {need} for one 3D HOTRG step but only {have} is available; lower \
                 `chi` (χ ≤ {fits} fits)"
            )
        });
    }
    let need = predicted_bytes(scheme, p, job, budget);
    super::check_memory("chi", need, budget, |need, have| {
        format!(
            "`chi` = {chi} needs about {need} for one {} step but only {have} is available; lower `chi` (or \
             `steps`, which the bond grows with)",
            scheme.to_uppercase()
        )
    })
}

/// Runs a registered coarse-graining scheme (parameters checked by [`TnParams::validate`],
/// memory by `check_memory`) for `job.steps` steps, each halving the tensors; `tick` is called
/// after every step (progress).
fn coarse_grain(scheme: &str, p: &TnParams, job: &TnJob, budget: f64, tick: &dyn Fn()) -> Result<TnResult, JobError> {
    let TnJob { spec, beta, steps, .. } = *job;
    let (h, chi, spectrum, observables) = (p.h, p.chi, p.spectrum, p.observables);
    if spec.dim == 3 {
        let budget = hotrg3d_block_budget(chi, budget);
        let s = Hotrg3d::new(site_tensor_3d(spec.model, beta, h), leg_parity(spec.model, beta, h)).with_budget(budget);
        return drive(Box::new(s), beta, chi, steps, false, false, tick);
    }
    let entry = registry::find(scheme)
        .ok_or_else(|| JobError::Usage(format!("scheme = {scheme} is out of range: one of {}", registry::names())))?;
    let parity = leg_parity(spec.model, beta, h);
    // impurities for the energy (one bond variable) and the magnetization, on request: each
    // HOTRG step then merges two more tensors in both orders, about 3× the cost
    let impurities = if observables {
        [Insertion::BondRight, Insertion::Magnetization]
            .into_iter()
            .map(|i| site_tensor_2d(spec.model, beta, h, i))
            .collect()
    } else {
        Vec::new()
    };
    let s = (entry.build)(Start { tensor: site_tensor_2d(spec.model, beta, h, Insertion::None), parity, impurities });
    drive(s, beta, chi, steps, spectrum, observables, tick)
}

/// Runs a scheme for `steps` steps through the shared driver and collects the result.
fn drive(
    mut s: Box<dyn CoarseGraining>,
    beta: f64,
    chi: usize,
    steps: usize,
    spectrum: bool,
    observables: bool,
    tick: &dyn Fn(),
) -> Result<TnResult, JobError> {
    let t0 = std::time::Instant::now();
    let mut last = std::time::Instant::now();
    let mut times = Vec::new();
    let mut history = Vec::new();
    // the conformal data of every step until the flow has passed its stationary stretch (one
    // change ≤ SPECTRUM_TOL, then one above: later steps only drift further, and each analysis
    // is a dense eigensolve of a χ² × χ² matrix)
    let mut flow: Vec<(usize, onsager_tn::gu_wen::CftData)> = Vec::new();
    let (mut settled, mut passed) = (false, false);
    let r = onsager_tn::run(s.as_mut(), &Truncation::chi(chi), &Stop::MaxSteps(steps), &mut |s, rec| {
        history.push((rec.step, rec.ln_z_per_site, rec.info.truncation_error));
        // steady state: skip the first steps, while χ is still growing (about 2 log₂χ steps in
        // 2D, 3 log₂χ in 3D; 8 covers χ ≤ 16 in either)
        if rec.step > 8.min(steps / 2) {
            times.push(last.elapsed().as_secs_f64());
        }
        if spectrum && !passed {
            if let Some(c) = s.site_tensor().and_then(|t| onsager_tn::gu_wen::cft_data(&t, 6)) {
                if let Some((_, prev)) = flow.last() {
                    use onsager_tn::gu_wen::{change, could_be_critical};
                    let small = could_be_critical(prev) && could_be_critical(&c) && change(prev, &c) <= SPECTRUM_TOL;
                    passed = settled && !small;
                    settled |= small;
                }
                flow.push((rec.step, c));
            }
        }
        last = std::time::Instant::now();
        tick();
    });
    let cft = if spectrum {
        Some(
            onsager_tn::gu_wen::stationary_window(&flow, SPECTRUM_TOL)
                .map_err(|e| JobError::Numerical(format!("spectrum: {e}")))?,
        )
    } else {
        None
    };
    Ok(TnResult {
        ln_z_per_site: r.ln_z_per_site,
        free_energy_per_site: -r.ln_z_per_site / beta,
        truncation_error: r.truncation_error,
        steps: r.steps,
        seconds: t0.elapsed().as_secs_f64(),
        seconds_per_step: median(times),
        energy_per_site: observables.then(|| -2.0 * s.expectations()[0]),
        magnetization: observables.then(|| s.expectations()[1]),
        converged: None,
        power_step_change: None,
        fpcm_iterations: None,
        cft,
        history,
    })
}

/// What a CTMRG run is given besides the model: couplings, field and the stopping rule.
#[derive(Debug, Clone)]
struct CtmrgJob {
    /// β (the coupling on horizontal bonds, and on all bonds unless `beta_y` is set)
    pub beta: f64,
    /// the coupling on vertical bonds, if different (needs the directional form)
    pub beta_y: Option<f64>,
    /// uniform field h
    pub h: f64,
    /// bond dimension χ
    pub chi: usize,
    /// when the power method stops when it runs alone, and the directional form; the change is
    /// that of the normalised corner (C4v) or corner-ring (directional) spectrum in one
    /// iteration. In [`CtmrgMethod::Auto`] the power method stops at [`AUTO_SWITCH`] at the latest
    pub stop: Stop,
    /// use the four-corner directional CTMRG even for a C4v-symmetric tensor
    pub directional: bool,
    /// how the C4v fixed point is found
    pub method: CtmrgMethod,
    /// when the fixed-point corner method stops; the change is that of A_C = C E C (relative)
    pub fpcm_stop: Stop,
}

/// How the C4v CTMRG reaches its fixed point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CtmrgMethod {
    /// the power method for [`AUTO_SWITCH`] iterations; if its criterion is not met by then (at or
    /// near a critical point, where it would need ~ξ(χ) ≫ 10³ iterations), the fixed-point corner
    /// method from there
    Auto,
    /// the power method only (one row and column per iteration)
    Power,
    /// [`FPCM_WARM_UP`] power iterations, then the fixed-point corner method ([`onsager_tn::fpcm`])
    Fpcm,
}

/// Power iterations before the fixed-point corner method: enough for the bond to grow to χ
/// (log_q χ iterations) and for the corner to leave its boundary-dominated start.
const FPCM_WARM_UP: usize = 50;

/// Power iterations [`CtmrgMethod::Auto`] allows before it switches: off criticality the power
/// method converges in 10²–10³ (K = 0.3: 73 at χ = 16); at K_c it would need more than 2·10⁴.
const AUTO_SWITCH: usize = 1000;

/// CTMRG to convergence: the C4v form (fixed σ = 0 boundary, so the magnetization below T_c is
/// the spontaneous one) for symmetric tensors, the directional form (open boundary) for
/// K_x ≠ K_y or on request.
/// The parameters are those [`TnParams::validate`] accepted.
fn ctmrg(spec: ModelSpec, job: CtmrgJob) -> Result<TnResult, JobError> {
    let CtmrgJob { beta, beta_y, h, chi, stop, directional, method, fpcm_stop } = job;
    let t0 = std::time::Instant::now();
    if directional || beta_y.is_some_and(|by| by != beta) {
        let ky = beta_y.unwrap_or(beta);
        let a = site_tensor_anisotropic(spec.model, beta, ky, h, Insertion::None);
        let mut c =
            DirectionalCtmrg::with_boundary(a, chi, &free_boundary(spec.model, beta), &free_boundary(spec.model, ky));
        let rec = c.converge_until(&stop);
        // the bond impurity sits on a horizontal bond: u = −2⟨f⟩ only when both couplings agree
        let bond = (ky == beta).then(|| c.expectation(&site_tensor_2d(spec.model, beta, h, Insertion::BondRight)));
        let mag = c.expectation(&site_tensor_anisotropic(spec.model, beta, ky, h, Insertion::Magnetization));
        let ln_z = c.ln_z_per_site();
        let seconds = t0.elapsed().as_secs_f64();
        return Ok(TnResult {
            ln_z_per_site: ln_z,
            free_energy_per_site: -ln_z / beta,
            truncation_error: rec.truncation_error,
            steps: rec.iterations,
            seconds,
            seconds_per_step: seconds / rec.iterations as f64,
            energy_per_site: bond.map(|b| -2.0 * b),
            magnetization: Some(mag),
            converged: Some(rec.converged),
            power_step_change: None,
            fpcm_iterations: None,
            history: vec![],
            cft: None,
        });
    }
    let a = site_tensor_2d(spec.model, beta, h, Insertion::None);
    let (m, _) = bond_factors(spec.model, beta);
    let q = spec.model.q();
    // the boundary state the field favours (σ = 0 at h = 0): a fixed boundary against the field
    // converges to the metastable branch (K = 0.6, h = −0.001: lnZ/N 1.20916 at m = +0.97 instead
    // of 1.21113)
    let aligned =
        (1..q).fold(
            0,
            |best, s| {
                if h * site_moment(spec.model, s) > h * site_moment(spec.model, best) {
                    s
                } else {
                    best
                }
            },
        );
    let mut c = Ctmrg::with_boundary(a, chi, &m[aligned * q..(aligned + 1) * q]);
    let power = match method {
        CtmrgMethod::Power => c.converge_until(&stop),
        CtmrgMethod::Auto => c.converge_until(&Stop::Any(vec![stop, Stop::MaxSteps(AUTO_SWITCH)])),
        CtmrgMethod::Fpcm => c.converge_until(&Stop::MaxSteps(FPCM_WARM_UP)),
    };
    let (rec, fpcm) = if method == CtmrgMethod::Fpcm || (method == CtmrgMethod::Auto && !power.converged) {
        let (fixed, r) = onsager_tn::fpcm::fixed_point_until(&c, &fpcm_stop);
        c = fixed;
        let rec = CtmrgRecord {
            iterations: power.iterations + r.iterations,
            converged: r.converged,
            spectrum_change: r.residual,
            truncation_error: r.truncation_error,
        };
        (rec, Some(r))
    } else {
        (power, None)
    };
    let bond = c.expectation(&site_tensor_2d(spec.model, beta, h, Insertion::BondRight));
    let mag = c.expectation(&site_tensor_2d(spec.model, beta, h, Insertion::Magnetization));
    let ln_z = c.ln_z_per_site();
    let seconds = t0.elapsed().as_secs_f64();
    Ok(TnResult {
        ln_z_per_site: ln_z,
        free_energy_per_site: -ln_z / beta,
        truncation_error: rec.truncation_error,
        steps: rec.iterations,
        seconds,
        seconds_per_step: seconds / rec.iterations as f64,
        energy_per_site: Some(-2.0 * bond),
        magnetization: Some(mag),
        converged: Some(rec.converged),
        power_step_change: fpcm.map(|r| r.power_step_change),
        fpcm_iterations: fpcm.map(|r| r.iterations),
        history: vec![],
        cft: None,
    })
}

/// Largest |K| and |h| the tensor networks take. Their site tensors hold Boltzmann weights up to
/// e^{4K} and e^{h}, and the SVDs and eigensolvers lose them beyond: measured, CTMRG's
/// fixed-point corner method panics at K = 200 and returns NaN from K = 300, TRG's SVD fails at
/// h = 1000. At K = 100 every model here is in its ground state to e^{−400}.
pub const MAX_TN_WEIGHT: f64 = 100.0;

/// Refuses couplings and fields whose weights leave what the tensor kernels can handle.
pub fn check_weights(beta: f64, h: f64) -> Result<(), JobError> {
    if beta > MAX_TN_WEIGHT {
        return Err(JobError::param(
            "beta",
            format!(
                "= {beta} is out of range for the tensor networks: K ≤ {MAX_TN_WEIGHT} (the weights e^{{4K}} \
             leave the range the SVDs resolve; the lattice is in its ground state there: see onsager partition)"
            ),
        ));
    }
    if !(h.is_finite() && h.abs() <= MAX_TN_WEIGHT) {
        return Err(JobError::param(
            "h",
            format!("= {h} is out of range for the tensor networks: |h| ≤ {MAX_TN_WEIGHT}"),
        ));
    }
    Ok(())
}

/// Largest change of (c, x₁, x₂) between analysed RG steps inside the stationary window: the
/// 2D Ising flow at χ = 16–32 changes them by 1e-4 to 5e-3 per step near the fixed point and by
/// more than 0.01 once truncation drives it away.
pub const SPECTRUM_TOL: f64 = 0.01;

/// Parameters of `onsager trg | btrg | hotrg | ctmrg` (the scheme is the command).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct TnParams {
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub model: ModelParams,
    /// bond dimension χ
    #[arg(long, default_value_t = 32)]
    #[serde(default = "chi32")]
    pub chi: usize,
    /// RG steps (trg, hotrg; each halves the tensors; default 40 in 2D, 24 for ising3d) or the
    /// iteration cap of the method that finishes the run (ctmrg: 20000 for --power and the
    /// directional form, 2000 for the fixed-point corner method)
    #[arg(long)]
    #[serde(default)]
    pub steps: Option<usize>,
    /// uniform field h (all four): weight exp(h Σ m(σ))
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    #[serde(default)]
    pub h: f64,
    /// ctmrg: coupling on vertical bonds when it differs from --beta (anisotropic; runs the
    /// directional CTMRG)
    #[arg(long, allow_hyphen_values = true)]
    #[serde(default)]
    pub beta_y: Option<f64>,
    /// ctmrg: the four-corner directional form, for any site tensor (default: C4v when the
    /// tensor has the square symmetry)
    #[arg(long)]
    #[serde(default)]
    pub directional: bool,
    /// ctmrg: stop the power method when the normalised corner spectrum changes by less than this
    /// in one iteration (default 1e-13); with --fpcm, stop the fixed-point corner method when the
    /// boundary tensor A_C = C E C changes by less than this, relative (default 1e-10)
    #[arg(long)]
    #[serde(default)]
    pub tol: Option<f64>,
    /// ctmrg (C4v): 50 power iterations, then the fixed-point corner method (Krylov eigensolvers
    /// for edge and corner). The default runs the power method and switches to it after 1000
    /// iterations without convergence (at or near a critical point)
    #[arg(long, conflicts_with = "power")]
    #[serde(default)]
    pub fpcm: bool,
    /// ctmrg (C4v): the power method only, up to --steps iterations (default 20000)
    #[arg(long)]
    #[serde(default)]
    pub power: bool,
    /// trg, btrg, hotrg: central charge and scaling dimensions (Gu–Wen) from the steps where the
    /// RG flow is stationary, with their spread; refused when it never settles
    #[arg(long)]
    #[serde(default)]
    pub spectrum: bool,
    /// hotrg: also the energy per site and the magnetization, from impurity tensors carried
    /// through every step (about 3× the cost of a step)
    #[arg(long)]
    #[serde(default)]
    pub observables: bool,
}

fn chi32() -> usize {
    32
}

impl Default for TnParams {
    fn default() -> Self {
        TnParams {
            model: ModelParams::default(),
            chi: 32,
            steps: None,
            h: 0.0,
            beta_y: None,
            directional: false,
            tol: None,
            fpcm: false,
            power: false,
            spectrum: false,
            observables: false,
        }
    }
}

/// A validated [`TnParams`].
#[derive(Debug, Clone)]
pub struct TnJob {
    /// model and dimension
    pub spec: ModelSpec,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// RG steps (coarse-graining: `steps` or its default, 40 in 2D and 24 in 3D; ctmrg: the
    /// iteration cap of the method that finishes the run, 0 for its defaults)
    pub steps: usize,
}

impl TnParams {
    /// The checks that need no allocation (χ, steps and memory are checked as the run starts).
    pub fn validate(&self, scheme: &str) -> Result<TnJob, JobError> {
        if scheme != "ctmrg" && registry::find(scheme).is_none() {
            return Err(JobError::Usage(format!(
                "scheme = {scheme} is out of range: one of ctmrg, {}",
                registry::names()
            )));
        }
        let (spec, beta, critical) = self.model.resolve()?;
        if beta <= 0.0 {
            return Err(JobError::param("beta", "must be > 0 for the tensor-network free energy f = −lnZ/(βN)"));
        }
        check_weights(beta, self.h)?;
        if self.steps == Some(0) {
            return Err(JobError::param("steps", "= 0 is out of range: at least 1"));
        }
        if let Some(t) = self.tol {
            if !(t > 0.0 && t < 1.0) {
                return Err(JobError::param("tol", format!("= {t} is out of range: 0 < tol < 1")));
            }
        }
        if let Some(by) = self.beta_y {
            if !(by.is_finite() && by > 0.0) {
                return Err(JobError::param("beta_y", format!("= {by} is out of range: a finite number > 0")));
            }
            check_weights(by, self.h).map_err(|e| match e {
                JobError::Param { field, message } if field == "beta" => {
                    JobError::Param { field: "beta_y".into(), message }
                }
                e => e,
            })?;
        }
        if scheme != "ctmrg" {
            let ctmrg_only = [
                (self.directional, "directional"),
                (self.fpcm, "fpcm"),
                (self.power, "power"),
                (self.tol.is_some(), "tol"),
                (self.beta_y.is_some(), "beta_y"),
            ];
            if let Some((_, what)) = ctmrg_only.iter().find(|(set, _)| *set) {
                return Err(JobError::param(what, format!("is out of range for {scheme}: ctmrg only")));
            }
        }
        if self.fpcm && (self.directional || self.beta_y.is_some_and(|by| by != beta)) {
            return Err(JobError::param(
                "fpcm",
                "is out of range with `directional` or `beta_y` ≠ `beta`: the fixed-point corner method is C4v only",
            ));
        }
        check(scheme, spec, self.chi)?;
        if scheme == "ctmrg" {
            return Ok(TnJob { spec, beta, critical, steps: self.steps.unwrap_or(0) });
        }
        // 3D: lnZ/N changes by ~2⁻ⁿ per step, below 1e-7 after 24 steps (2²⁴ sites)
        let steps = self.steps.unwrap_or(if spec.dim == 3 { 24 } else { 40 });
        if !(1..=200).contains(&steps) {
            return Err(JobError::param("steps", format!("= {steps} is out of range: 1 ≤ steps ≤ 200")));
        }
        if spec.dim == 3 && (self.spectrum || self.observables) {
            let what = if self.spectrum { "spectrum" } else { "observables" };
            return Err(JobError::param(what, "is out of range for ising3d: 2D models only"));
        }
        if let Some(entry) = registry::find(scheme).filter(|_| spec.dim == 2) {
            if self.observables && !entry.capabilities.observables {
                return Err(JobError::param(
                    "observables",
                    format!("is out of range for {scheme}: hotrg (impurity tensors); ctmrg reports them always"),
                ));
            }
            if self.spectrum && !entry.capabilities.spectrum {
                return Err(JobError::param(
                    "spectrum",
                    format!("is out of range for {scheme}: its tensor has no 4-leg form"),
                ));
            }
        }
        Ok(TnJob { spec, beta, critical, steps })
    }

    /// [`TnParams::validate`] and the memory one step needs against `budget` (bytes): what a
    /// sweep checks for every grid point before any job runs.
    pub fn validate_within(&self, scheme: &str, budget: f64) -> Result<TnJob, JobError> {
        let job = self.validate(scheme)?;
        check_memory(scheme, self, &job, budget)?;
        Ok(job)
    }
}

/// The result of a tensor-network command, with the exact values it is compared with.
#[derive(Debug, Clone, Serialize)]
pub struct TnRecord {
    /// the scheme (`trg`, `btrg`, `hotrg`, `ctmrg`)
    pub method: String,
    /// model name
    pub model: String,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// bond dimension χ
    pub chi: usize,
    /// lnZ/N
    pub ln_z_per_site: f64,
    /// f = −lnZ/(βN)
    pub free_energy_per_site: f64,
    /// largest discarded weight of any step
    pub truncation_error: f64,
    /// RG steps or CTMRG iterations
    pub steps: usize,
    /// wall time
    pub seconds: f64,
    /// median wall time of one step after the bond saturated
    pub seconds_per_step: f64,
    /// u = −d⟨f_bond⟩
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy_per_site: Option<f64>,
    /// ⟨m(σ)⟩
    #[serde(skip_serializing_if = "Option::is_none")]
    pub magnetization: Option<f64>,
    /// whether CTMRG met its criterion
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converged: Option<bool>,
    /// FPCM: corner-spectrum change of one power iteration from its result
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power_step_change: Option<f64>,
    /// FPCM iterations
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fpcm_iterations: Option<usize>,
    /// Gu–Wen central charge (with `spectrum`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub central_charge: Option<f64>,
    /// Gu–Wen scaling dimensions (with `spectrum`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_dimensions: Option<Vec<f64>>,
    /// half the range of c over the stationary window (at least its smallest step change): the
    /// error the flow itself shows, a lower bound on the truncation error at this χ
    #[serde(skip_serializing_if = "Option::is_none")]
    pub central_charge_spread: Option<f64>,
    /// the same for the scaling dimensions
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_dimensions_spread: Option<Vec<f64>>,
    /// the stationary window of the flow: (first step, the step reported, last step)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spectrum_steps: Option<(usize, usize, usize)>,
    /// |lnZ/N − Onsager| / Onsager (2D Ising, h = 0)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_error_vs_onsager: Option<f64>,
    /// against the 3D series value of f(K_c) (not exact: a reference)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_error_vs_series: Option<f64>,
    /// the finite torus HOTRG's steps close (2D Ising, ≤ 20 steps)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub torus: Option<String>,
    /// against Kaufman's ln Z of that torus
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_error_vs_kaufman: Option<f64>,
    /// per RG step (step, lnZ/N, discarded weight), for plots
    #[serde(skip)]
    pub history: Vec<(usize, f64, f64)>,
    /// lnZ/N of the infinite lattice where known exactly (Onsager), for plots
    #[serde(skip)]
    pub exact: Option<f64>,
    /// the process's peak resident memory when the job ended (bytes; VmHWM, so in a long-lived
    /// process such as Python the largest of every job so far); absent where the OS does not say
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_bytes: Option<f64>,
    /// the peak memory predicted before anything was allocated (bytes; [`predicted_bytes`]: for
    /// 2D the number the memory check compared with the budget; for 3D HOTRG the plan at this
    /// budget, the check refusing only below the least a step runs in; CTMRG is not checked)
    pub predicted_bytes: f64,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: TnParams,
}

/// Runs `onsager <scheme>`: a registered coarse-graining scheme or CTMRG; progress in steps.
pub fn run(scheme: &str, p: &TnParams, ctx: &Ctx) -> Result<TnRecord, JobError> {
    run_checked(scheme, p, &p.validate(scheme)?, ctx)
}

/// [`run`] with the job `p.validate(scheme)` returned, so nothing is checked twice.
pub fn run_checked(scheme: &str, p: &TnParams, job: &TnJob, ctx: &Ctx) -> Result<TnRecord, JobError> {
    let TnJob { spec, beta, critical, .. } = *job;
    let r: TnResult = if scheme == "ctmrg" {
        let method = match (p.fpcm, p.power) {
            (true, _) => CtmrgMethod::Fpcm,
            (_, true) => CtmrgMethod::Power,
            _ => CtmrgMethod::Auto,
        };
        let job = CtmrgJob {
            beta,
            beta_y: p.beta_y,
            h: p.h,
            chi: p.chi,
            // `steps` caps the method that finishes the run; `tol` is the power method's unless `fpcm`
            stop: Stop::tolerance(if p.fpcm { 1e-13 } else { p.tol.unwrap_or(1e-13) }, p.steps.unwrap_or(20000)),
            directional: p.directional,
            method,
            fpcm_stop: Stop::tolerance(if p.fpcm { p.tol.unwrap_or(1e-10) } else { 1e-10 }, p.steps.unwrap_or(2000)),
        };
        ctmrg(spec, job)?
    } else {
        check_memory(scheme, p, job, ctx.memory_budget)?;
        let done = std::cell::Cell::new(0);
        let tick = || {
            done.set(done.get() + 1);
            ctx.progress(done.get(), job.steps)
        };
        coarse_grain(scheme, p, job, ctx.memory_budget, &tick)?
    };
    let lattice = System::Lattice { model: spec.model, dim: spec.dim, kx: beta, ky: p.beta_y.unwrap_or(beta), h: p.h };
    let known = reference(lattice, Quantity::LnZPerSite);
    let exact = known.filter(|k| k.exact).map(|k| k.value);
    let rel = |e: f64| (r.ln_z_per_site - e).abs() / e;
    // After N HOTRG steps one 2D tensor closes a 2^⌈N/2⌉ × 2^⌊N/2⌋ torus, and the final 2 × 2 of
    // it is contracted exactly: against Kaufman's finite torus for the Ising model (N ≤ 20)
    let torus = (scheme == "hotrg" && exact.is_some() && p.beta_y.is_none() && r.steps <= 20)
        .then(|| (1usize << r.steps.div_ceil(2), 1usize << (r.steps / 2)))
        .and_then(|(rows, cols)| {
            let torus = System::Torus { model: spec.model, lx: cols, ly: rows, k: beta };
            reference(torus, Quantity::LnZPerSite).map(|r| (rows, cols, r.value))
        });
    // 3D Ising at K_c: the series estimate, a reference rather than an exact value
    let series = known.filter(|k| !k.exact).map(|k| k.value);
    super::vouched(TnRecord {
        method: scheme.to_string(),
        model: spec.name(),
        beta,
        critical,
        chi: p.chi,
        ln_z_per_site: r.ln_z_per_site,
        free_energy_per_site: r.free_energy_per_site,
        truncation_error: r.truncation_error,
        steps: r.steps,
        seconds: r.seconds,
        seconds_per_step: r.seconds_per_step,
        energy_per_site: r.energy_per_site,
        magnetization: r.magnetization,
        converged: r.converged,
        power_step_change: r.power_step_change,
        fpcm_iterations: r.fpcm_iterations,
        central_charge: r.cft.as_ref().map(|c| c.data.central_charge),
        scaling_dimensions: r.cft.as_ref().map(|c| c.data.scaling_dimensions.clone()),
        central_charge_spread: r.cft.as_ref().map(|c| c.central_charge_error),
        scaling_dimensions_spread: r.cft.as_ref().map(|c| c.scaling_dimensions_error.clone()),
        spectrum_steps: r.cft.as_ref().map(|c| (c.steps.0, c.at, c.steps.1)),
        relative_error_vs_onsager: exact.map(rel),
        relative_error_vs_series: series.map(rel),
        torus: torus.map(|(rows, cols, _)| format!("{rows}x{cols}")),
        relative_error_vs_kaufman: torus.map(|(_, _, e)| rel(e)),
        history: r.history,
        exact,
        peak_bytes: super::peak_rss_bytes(),
        predicted_bytes: predicted_bytes(scheme, p, job, ctx.memory_budget),
        version: env!("CARGO_PKG_VERSION"),
        params: p.clone(),
    })
}
