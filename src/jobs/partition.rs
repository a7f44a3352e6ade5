//! `onsager partition`: ln Z of a finite torus by Kaufman, the transfer matrix or enumeration.

use super::{JobError, ModelSpec};
use onsager_exact::{enumerate_ln_z, kaufman_ln_z, MAX_ENUMERATION_STATES};
use onsager_models::{Model, Torus};
use onsager_transfer::torus::{ln_z_torus, MAX_DENSE_STATES};

/// How to compute ln Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Kaufman for the 2D Ising model, else the transfer matrix, else enumeration
    Auto,
    /// Kaufman's closed form (2D Ising only)
    Kaufman,
    /// Tr W^M by the dense transfer matrix
    Transfer,
    /// every configuration
    Enumerate,
}

impl Method {
    /// Parses `--method`.
    pub fn parse(s: &str) -> Result<Self, JobError> {
        Ok(match s {
            "auto" => Method::Auto,
            "kaufman" => Method::Kaufman,
            "transfer" => Method::Transfer,
            "enumerate" => Method::Enumerate,
            _ => {
                return Err(JobError::Usage(format!(
                    "--method = {s} is out of range: one of auto, kaufman, transfer, enumerate"
                )))
            }
        })
    }
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
    let ln_z = if beta == 0.0 {
        // every configuration has weight 1
        n * (q as f64).ln()
    } else {
        match chosen {
            Method::Kaufman if !is_ising2d => {
                return Err(JobError::Usage("--method kaufman is only for --model ising (the 2D Ising torus)".into()))
            }
            Method::Kaufman => kaufman_ln_z(torus.dims()[1], torus.dims()[0], beta),
            Method::Transfer => ln_z_torus(spec.model, torus, &vec![beta; torus.d()], mem_limit)?,
            Method::Enumerate => enumerate_ln_z(spec.model, torus, &vec![beta; torus.bonds()])?,
            Method::Auto => unreachable!("resolved above"),
        }
    };
    let f = if beta > 0.0 { -ln_z / (beta * n) } else { f64::NAN };
    Ok(Partition { ln_z, ln_z_per_site: ln_z / n, free_energy_per_site: f, method: chosen })
}
