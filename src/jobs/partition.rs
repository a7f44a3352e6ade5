//! `onsager partition`: ln Z of a finite torus by Kaufman, the transfer matrix or enumeration.

use super::params::{LatticeParams, ModelParams};
use super::{Ctx, JobError, ModelSpec};
use onsager_exact::{enumerate_ln_z, kaufman_ln_z, MAX_ENUMERATION_STATES};
use onsager_models::{Model, Torus};
use onsager_transfer::torus::{ln_z_torus, MAX_DENSE_STATES};
use serde::{Deserialize, Serialize};

/// How to compute ln Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Kaufman for the 2D Ising model, else the transfer matrix, else enumeration
    #[default]
    Auto,
    /// Kaufman's closed form (2D Ising only)
    Kaufman,
    /// Tr W^M by the dense transfer matrix
    Transfer,
    /// every configuration
    Enumerate,
}

impl Method {
    /// Name in output.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::Kaufman => "kaufman",
            Method::Transfer => "transfer",
            Method::Enumerate => "enumerate",
        }
    }
}

/// The result of a partition-function job.
#[derive(Debug, Clone)]
pub struct Partition {
    /// ln Z
    pub ln_z: f64,
    /// ln Z / N
    pub ln_z_per_site: f64,
    /// f = −ln Z/(β N) (NaN at β = 0)
    pub free_energy_per_site: f64,
    /// the method used
    pub method: Method,
    /// the memory predicted before anything was allocated (bytes): the dense trace's
    /// ([`onsager_transfer::torus::trace_bytes`], the number its memory check compares with the
    /// budget); 0 for Kaufman's product and enumeration, which hold no arrays that grow with N
    pub predicted_bytes: f64,
}

/// ln Z of `spec` on `torus` at uniform coupling β.
pub fn partition(
    spec: ModelSpec,
    torus: &Torus,
    beta: f64,
    method: Method,
    mem_limit: f64,
) -> Result<Partition, JobError> {
    let n = torus.sites() as f64;
    let q = spec.model.q();
    let layer_states = (q as f64).powi(torus.layer_sites() as i32);
    let all_states = (q as f64).powi(torus.sites() as i32);
    let is_ising2d = spec.model == Model::Ising && torus.d() == 2;
    let chosen = match method {
        Method::Auto if is_ising2d => Method::Kaufman,
        Method::Auto if layer_states <= MAX_DENSE_STATES as f64 => Method::Transfer,
        Method::Auto if all_states <= MAX_ENUMERATION_STATES as f64 => Method::Enumerate,
        Method::Auto => Method::Transfer, // reports that it is too big, with a hint
        m => m,
    };
    let predicted_bytes = match chosen {
        Method::Transfer if layer_states <= MAX_DENSE_STATES as f64 => {
            onsager_transfer::torus::trace_bytes(layer_states as usize)
        }
        _ => 0.0,
    };
    let ln_z = if beta == 0.0 {
        // every configuration has weight 1
        n * (q as f64).ln()
    } else {
        match chosen {
            Method::Kaufman if !is_ising2d => {
                return Err(JobError::param(
                    "method",
                    "= kaufman is out of range for this model: only for `model` ising (the 2D Ising torus)",
                ))
            }
            Method::Kaufman => kaufman_ln_z(torus.dims()[1], torus.dims()[0], beta),
            Method::Transfer => ln_z_torus(spec.model, torus, &vec![beta; torus.d()], mem_limit)?,
            Method::Enumerate => enumerate_ln_z(spec.model, torus, &vec![beta; torus.bonds()])?,
            Method::Auto => unreachable!("resolved above"),
        }
    };
    let f = if beta > 0.0 { -ln_z / (beta * n) } else { f64::NAN };
    Ok(Partition { ln_z, ln_z_per_site: ln_z / n, free_energy_per_site: f, method: chosen, predicted_bytes })
}

/// Parameters of `onsager partition` (the CLI flags, the keys of a sweep).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, clap::Args)]
pub struct PartitionParams {
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub model: ModelParams,
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub lattice: LatticeParams,
    /// auto | kaufman | transfer | enumerate
    #[arg(long, value_enum, default_value_t = Method::Auto)]
    #[serde(default)]
    pub method: Method,
}

/// A validated [`PartitionParams`].
#[derive(Debug, Clone)]
pub struct PartitionJob {
    /// model and dimension
    pub spec: ModelSpec,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// the torus
    pub torus: Torus,
}

impl PartitionParams {
    /// The one place these parameters are checked.
    pub fn validate(&self) -> Result<PartitionJob, JobError> {
        let (spec, beta, critical) = self.model.resolve()?;
        let torus = Torus::new(&self.lattice.dims(spec)?)?;
        if self.method == Method::Kaufman && !(spec.model == Model::Ising && spec.dim == 2) {
            return Err(JobError::param(
                "method",
                "= kaufman is out of range for this model: only for `model` ising (the 2D Ising torus)",
            ));
        }
        Ok(PartitionJob { spec, beta, critical, torus })
    }
}

/// The result of `onsager partition`, with its parameters.
#[derive(Debug, Clone, Serialize)]
pub struct PartitionRecord {
    /// model name
    pub model: String,
    /// e.g. `4x5`
    pub lattice: String,
    /// always `periodic`
    pub boundary: &'static str,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// the method used
    pub method: &'static str,
    /// ln Z
    pub ln_z: f64,
    /// ln Z / N
    pub ln_z_per_site: f64,
    /// f = −ln Z/(βN); absent at β = 0, where it is undefined
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_energy_per_site: Option<f64>,
    /// wall time
    pub seconds: f64,
    /// the process's peak resident memory when the job ended (bytes; VmHWM, so in a long-lived
    /// process such as Python the largest of every job so far); absent where the OS does not say
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_bytes: Option<f64>,
    /// the memory predicted before anything was allocated (bytes; see [`Partition`])
    pub predicted_bytes: f64,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: PartitionParams,
}

/// Runs `onsager partition`.
pub fn run(params: &PartitionParams, ctx: &Ctx) -> Result<PartitionRecord, JobError> {
    run_checked(params, &params.validate()?, ctx)
}

/// [`run`] with the job `params.validate()` returned, so nothing is checked twice.
pub fn run_checked(params: &PartitionParams, job: &PartitionJob, ctx: &Ctx) -> Result<PartitionRecord, JobError> {
    let t0 = std::time::Instant::now();
    let p = partition(job.spec, &job.torus, job.beta, params.method, ctx.memory_budget)?;
    super::vouched(PartitionRecord {
        model: job.spec.name(),
        lattice: job.torus.label(),
        boundary: "periodic",
        beta: job.beta,
        critical: job.critical,
        method: p.method.name(),
        ln_z: p.ln_z,
        ln_z_per_site: p.ln_z_per_site,
        free_energy_per_site: p.free_energy_per_site.is_finite().then_some(p.free_energy_per_site),
        seconds: t0.elapsed().as_secs_f64(),
        peak_bytes: super::peak_rss_bytes(),
        predicted_bytes: p.predicted_bytes,
        version: env!("CARGO_PKG_VERSION"),
        params: params.clone(),
    })
}
