//! `onsager spectrum`: the top of the transfer-matrix spectrum of an infinite cylinder.

use super::params::ModelParams;
use super::{Ctx, JobError, ModelSpec};
use onsager_models::Torus;
use onsager_transfer::cylinder::{self, Spectrum};
use onsager_transfer::Strip;
use serde::{Deserialize, Serialize};

/// One cylinder width.
#[derive(Debug, Clone)]
pub struct SpectrumRow {
    /// width L (sites across; L × L layers for ising3d)
    pub width: usize,
    /// sites per layer
    pub layer_sites: usize,
    /// the spectrum
    pub spectrum: Spectrum,
    /// the memory predicted before anything was allocated (bytes; [`cylinder::plan`], the number
    /// the memory check compared with the budget)
    pub predicted_bytes: f64,
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
    let dims: Vec<usize> = match spec.dim {
        1 => vec![2],
        2 => vec![width, 2],
        _ => vec![width, width, 2],
    };
    let torus = Torus::new(&dims)?;
    let strip = Strip::new(spec.model, &torus, &vec![beta; spec.dim]);
    let t0 = std::time::Instant::now();
    let spectrum = cylinder::spectrum_with(&strip, levels, solver, mem_limit)?;
    let predicted_bytes = cylinder::plan(strip.n_states().unwrap_or(usize::MAX), levels, solver).1;
    Ok(SpectrumRow {
        width,
        layer_sites: strip.layer_sites(),
        spectrum,
        predicted_bytes,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// How the top of the spectrum is found (`--solver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SpectrumSolver {
    /// dense up to 512 states, else Lanczos
    #[default]
    Auto,
    /// all levels with multiplicity
    Dense,
    /// matrix-free Lanczos
    Lanczos,
}

impl From<SpectrumSolver> for cylinder::Solver {
    fn from(s: SpectrumSolver) -> Self {
        match s {
            SpectrumSolver::Auto => cylinder::Solver::Auto,
            SpectrumSolver::Dense => cylinder::Solver::Dense,
            SpectrumSolver::Lanczos => cylinder::Solver::Lanczos,
        }
    }
}

/// Parameters of `onsager spectrum`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct SpectrumParams {
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub model: ModelParams,
    /// cylinder width L (a number, a range 8..20 or a list; several widths also fit c)
    #[arg(long)]
    #[serde(deserialize_with = "super::params::text")]
    pub width: String,
    /// number of eigenvalues
    #[arg(long, default_value_t = 6)]
    #[serde(default = "six")]
    pub levels: usize,
    /// auto (dense up to 512 states, else Lanczos) | dense (all levels with multiplicity) | lanczos
    #[arg(long, value_enum, default_value_t = SpectrumSolver::Auto)]
    #[serde(default)]
    pub solver: SpectrumSolver,
}

fn six() -> usize {
    6
}

impl Default for SpectrumParams {
    fn default() -> Self {
        SpectrumParams { model: ModelParams::default(), width: "8".into(), levels: 6, solver: SpectrumSolver::Auto }
    }
}

/// A validated [`SpectrumParams`].
#[derive(Debug, Clone)]
pub struct SpectrumJob {
    /// model and dimension
    pub spec: ModelSpec,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// the widths
    pub widths: Vec<usize>,
}

impl SpectrumParams {
    /// The one place these parameters are checked.
    pub fn validate(&self) -> Result<SpectrumJob, JobError> {
        let (spec, beta, critical) = self.model.resolve()?;
        let widths = super::parse_sizes("width", &self.width)?;
        if self.levels == 0 || self.levels > 64 {
            return Err(JobError::param("levels", format!("= {} is out of range: 1 ≤ levels ≤ 64", self.levels)));
        }
        Ok(SpectrumJob { spec, beta, critical, widths })
    }
}

/// One width in a [`SpectrumRecord`].
#[derive(Debug, Clone, Serialize)]
pub struct SpectrumRowRecord {
    /// width L
    pub width: usize,
    /// ln λ_n, descending
    pub ln_lambda: Vec<f64>,
    /// ln λ_0 per layer site
    pub ln_lambda_max_per_site: f64,
    /// x_n = (L/2π) ln(λ0/λn)
    pub scaling_dimensions: Vec<f64>,
    /// ξ = 1/ln(λ0/λ1); absent with one level, or when λ1 = λ0 (ξ = ∞, a degenerate top)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_length: Option<f64>,
    /// dense or lanczos
    pub method: &'static str,
    /// the memory predicted for this width before anything was allocated (bytes)
    pub predicted_bytes: f64,
    /// wall time of this width
    pub seconds: f64,
}

/// The central-charge fit over three or more widths.
#[derive(Debug, Clone, Serialize)]
pub struct CentralChargeFit {
    /// c
    pub c: f64,
    /// its standard error
    pub stderr: f64,
    /// f_∞ of the fit
    pub ln_z_per_site_infinite: f64,
    /// the form fitted
    pub fit: &'static str,
}

/// The result of `onsager spectrum`: one width flat, several under `rows`.
#[derive(Debug, Clone, Serialize)]
pub struct SpectrumRecord {
    /// the single width's fields (one width)
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub single: Option<SpectrumRowRecord>,
    /// every width (several)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<SpectrumRowRecord>,
    /// model name
    pub model: String,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// ln λ0/L = f + (πc/6)/L² + e/L⁴ over the widths (three or more)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub central_charge: Option<CentralChargeFit>,
    /// the process's peak resident memory when the job ended (bytes; VmHWM, so in a long-lived
    /// process such as Python the largest of every job so far); absent where the OS does not say
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_bytes: Option<f64>,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: SpectrumParams,
}

impl SpectrumRecord {
    /// The widths in order, one or several.
    pub fn widths(&self) -> Vec<&SpectrumRowRecord> {
        self.single.iter().chain(self.rows.iter()).collect()
    }
}

/// Runs `onsager spectrum`; progress counts widths.
pub fn run(params: &SpectrumParams, ctx: &Ctx) -> Result<SpectrumRecord, JobError> {
    run_checked(params, &params.validate()?, ctx)
}

/// [`run`] with the job `params.validate()` returned, so nothing is checked twice.
pub fn run_checked(params: &SpectrumParams, job: &SpectrumJob, ctx: &Ctx) -> Result<SpectrumRecord, JobError> {
    let mut rows = Vec::new();
    for (i, &w) in job.widths.iter().enumerate() {
        let r = spectrum(job.spec, w, job.beta, params.levels, params.solver.into(), ctx.memory_budget)?;
        rows.push(SpectrumRowRecord {
            width: w,
            ln_lambda_max_per_site: r.spectrum.ln_lambda[0] / r.layer_sites as f64,
            scaling_dimensions: r.spectrum.scaling_dimensions(w),
            correlation_length: Some(r.spectrum.correlation_length()).filter(|x| x.is_finite()),
            method: r.spectrum.method,
            predicted_bytes: r.predicted_bytes,
            seconds: r.seconds,
            ln_lambda: r.spectrum.ln_lambda,
        });
        ctx.progress(i + 1, job.widths.len());
    }
    let central_charge = if rows.len() >= 3 {
        let per_site: Vec<f64> = rows.iter().map(|r| r.ln_lambda_max_per_site).collect();
        cylinder::central_charge(&job.widths, &per_site).map(|(c, stderr, f)| CentralChargeFit {
            c,
            stderr,
            ln_z_per_site_infinite: f,
            fit: "ln λ0/L = f + (πc/6)/L² + e/L⁴",
        })
    } else {
        None
    };
    let single = if rows.len() == 1 { rows.pop() } else { None };
    super::vouched(SpectrumRecord {
        single,
        rows,
        model: job.spec.name(),
        beta: job.beta,
        critical: job.critical,
        central_charge,
        peak_bytes: super::peak_rss_bytes(),
        version: env!("CARGO_PKG_VERSION"),
        params: params.clone(),
    })
}
