//! `onsager dos`: exact energy distributions (number of configurations per total energy), as a
//! typed job: [`DosParams`] → [`run`] → [`DosRecord`].
//!
//! Routes: Pfaffians mod p for the 2D Ising torus ([`onsager_exact::dos`]), the microcanonical
//! transfer matrix for every other model and dimension ([`onsager_exact::microcanonical`]), and
//! enumeration for tiny lattices. Canonical averages at any list of β come from the same counts.

use super::params::LatticeParams;
use super::{Ctx, JobError, ModelSpec};
use num_bigint::BigUint;
use onsager_exact::microcanonical::{self, EnergyCounts};
use onsager_models::{Model, ModelError, Torus};
use serde::{Deserialize, Serialize};

/// Largest Ising torus for the exact big-integer DOS: the cost grows as N³ (N²/61 primes × N²
/// work each); N = 8192 (e.g. 90 × 91) takes about 4 minutes on 2 cores.
pub const MAX_DOS_SITES: usize = 8192;

/// Measured rate of the microcanonical kernel, additions per second per thread (4×4×4 Ising and
/// 8×8 Potts on this project's 2-core reference machine: 3.0e9 and 2.6e9), for the time estimate.
const ADDITIONS_PER_SECOND: f64 = 2.5e9;

/// Measured rate of the order-parameter kernel, multiply-adds per second per thread (see
/// [`magnetization_plan`]).
const FLOPS_PER_SECOND: f64 = 1.5e9;

/// `--magnetization auto` computes the moments only when predicted to take at most this long.
const AUTO_MAGNETIZATION_SECONDS: f64 = 600.0;

/// Jobs predicted to take longer than this are refused before they start (two days).
const MAX_SECONDS: f64 = 2.0 * 86400.0;

/// How the counts are obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum DosMethod {
    /// Pfaffians for the 2D Ising torus, else the transfer matrix
    #[default]
    Auto,
    /// four Pfaffians mod p (2D Ising only)
    Pfaffian,
    /// the microcanonical transfer matrix (any model with rational bond energies)
    Transfer,
    /// every configuration (≤ 2^25)
    Enumerate,
}

impl DosMethod {
    /// The name used in records (`method` field).
    pub fn name(self) -> &'static str {
        match self {
            DosMethod::Auto => "auto",
            DosMethod::Pfaffian => "pfaffian-mod-p",
            DosMethod::Transfer => "microcanonical-transfer-matrix",
            DosMethod::Enumerate => "enumeration",
        }
    }
}

/// Whether `onsager dos --beta ...` also computes the exact magnetization moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum MagnetizationMode {
    /// when they fit in memory and take at most 10 minutes (else the record says why not)
    #[default]
    Auto,
    /// always (refused when they do not fit)
    On,
    /// never
    Off,
}

/// Parameters of one exact-DOS job (the CLI flags of `onsager dos`, the keys of a sweep).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct DosParams {
    /// ising (2D), potts, clock (2D, need --q), ising3d, ising1d
    #[arg(long, default_value = "ising")]
    #[serde(default = "ising")]
    pub model: String,
    /// number of states for potts and clock (2 ≤ q ≤ 64; clock: 2, 3, 4 or 6 for exact levels)
    #[arg(long)]
    #[serde(default)]
    pub q: Option<usize>,
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub lattice: LatticeParams,
    /// optional couplings K = βJ at which to print ln Z, E and C from the counts: a
    /// comma-separated list of numbers ≥ 0 or 'critical' (the DOS itself needs no β)
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    #[serde(default, deserialize_with = "beta_list")]
    pub beta: Vec<String>,
    /// auto | pfaffian | transfer | enumerate
    #[arg(long, value_enum, default_value_t = DosMethod::Auto)]
    #[serde(default)]
    pub method: DosMethod,
    /// with --beta, also the exact ⟨|m|⟩, ⟨m²⟩, ⟨m⁴⟩, U_4 and χ (transfer matrix over the
    /// magnetization lattice): auto | on | off
    #[arg(long, value_enum, default_value_t = MagnetizationMode::Auto)]
    #[serde(default)]
    pub magnetization: MagnetizationMode,
    /// also the exact joint counts g(E, M) (Ising, 2D and 3D; N + 1 times the memory and time
    /// of the DOS by the transfer matrix)
    #[arg(long)]
    #[serde(default)]
    pub joint: bool,
}

fn ising() -> String {
    "ising".into()
}

/// β as a sweep spec writes it: a number, a string ("critical", "0.3,0.4") or a list of those.
fn beta_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum One {
        N(f64),
        S(String),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Beta {
        One(One),
        Many(Vec<One>),
    }
    let text = |o: One| match o {
        One::N(x) => vec![x.to_string()],
        One::S(s) => s.split(',').map(|t| t.trim().to_string()).collect(),
    };
    Ok(match Beta::deserialize(d)? {
        Beta::One(o) => text(o),
        Beta::Many(v) => v.into_iter().flat_map(text).collect(),
    })
}

impl Default for DosParams {
    fn default() -> Self {
        DosParams {
            model: ising(),
            q: None,
            lattice: LatticeParams::default(),
            beta: Vec::new(),
            method: DosMethod::Auto,
            magnetization: MagnetizationMode::Auto,
            joint: false,
        }
    }
}

/// A validated [`DosParams`]: the model, the torus sides, the β list and the route.
#[derive(Debug, Clone)]
pub struct DosJob {
    /// model and dimension
    pub spec: ModelSpec,
    /// torus sides
    pub dims: Vec<usize>,
    /// (β, is_critical)
    pub betas: Vec<(f64, bool)>,
    /// the route that will run (never `Auto`)
    pub method: DosMethod,
}

impl DosParams {
    /// The one place these parameters are checked; names the field and its range.
    pub fn validate(&self) -> Result<DosJob, JobError> {
        let spec = ModelSpec::parse(&self.model, self.q)?;
        let dims = self.lattice.dims(spec)?;
        let torus = Torus::new(&dims)?;
        let betas = self.beta.iter().map(|b| spec.beta(b)).collect::<Result<Vec<_>, _>>()?;
        let ising2d = spec.model == Model::Ising && spec.dim == 2;
        let method = match self.method {
            DosMethod::Auto if ising2d => DosMethod::Pfaffian,
            DosMethod::Auto => DosMethod::Transfer,
            m => m,
        };
        match method {
            DosMethod::Pfaffian => {
                if !ising2d {
                    return Err(ModelError::range(
                        "method",
                        "pfaffian",
                        "pfaffian serves `model` ising (2D) only; use transfer or enumerate",
                    )
                    .into());
                }
                check_ising_dos(dims[0], dims[1])?;
            }
            DosMethod::Transfer => {
                microcanonical::BondCosts::of(spec.model)?;
            }
            DosMethod::Enumerate => {
                let n = (spec.model.q() as f64).powi(torus.sites() as i32);
                if n > onsager_exact::MAX_ENUMERATION_STATES as f64 {
                    return Err(ModelError::range(
                        "method",
                        "enumerate",
                        &format!("at most 2^25 configurations (this torus has {n:.3e}); use transfer"),
                    )
                    .into());
                }
            }
            DosMethod::Auto => unreachable!("resolved above"),
        }
        if self.joint && spec.model != Model::Ising {
            return Err(
                ModelError::range("joint", "true", "the joint counts g(E, M) serve `model` ising and ising3d").into()
            );
        }
        Ok(DosJob { spec, dims, betas, method })
    }
}

/// Canonical averages at one β from the exact counts.
#[derive(Debug, Clone, Serialize)]
pub struct DosThermo {
    /// K = βJ
    pub beta: f64,
    /// whether β is the model's critical coupling
    pub critical: bool,
    /// ln Z
    pub ln_z: f64,
    /// ln Z / N
    pub ln_z_per_site: f64,
    /// ⟨E⟩/N (E total, −Σ_bonds f)
    pub energy_per_site: f64,
    /// C/N = β² Var(E)/N
    pub specific_heat_per_site: f64,
    /// the exact order-parameter moments (m = M/N, see [`onsager_exact::order_parameter`])
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub magnetization: Option<MagnetizationMoments>,
}

/// Exact moments of the order parameter m = M/N at one β (|M| = N in an ordered state).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct MagnetizationMoments {
    /// ⟨|m|⟩
    pub abs_magnetization: f64,
    /// ⟨m²⟩
    pub m2: f64,
    /// ⟨m⁴⟩
    pub m4: f64,
    /// U_4 = 1 − ⟨m⁴⟩/(3⟨m²⟩²)
    pub binder_cumulant: f64,
    /// χ/N = βN(⟨m²⟩ − ⟨|m|⟩²)
    pub susceptibility_per_site: f64,
}

impl MagnetizationMoments {
    /// Per-site moments from the totals.
    pub fn from_totals(m: &onsager_exact::order_parameter::Moments, sites: usize) -> Self {
        let n = sites as f64;
        MagnetizationMoments {
            abs_magnetization: m.abs_m / n,
            m2: m.m2 / (n * n),
            m4: m.m4 / (n * n * n * n),
            binder_cumulant: m.binder(),
            susceptibility_per_site: m.susceptibility_per_site(sites),
        }
    }
}

/// The result of one DOS job, with the parameters it ran with.
#[derive(Debug, Clone, Serialize)]
pub struct DosRecord {
    /// model name (`ising`, `potts3`, `ising3d`, ...)
    pub model: String,
    /// torus sides
    pub dims: Vec<usize>,
    /// N
    pub sites: usize,
    /// the route used (`pfaffian-mod-p`, `microcanonical-transfer-matrix`, `enumeration`)
    pub method: &'static str,
    /// what E is
    pub energy_convention: &'static str,
    /// total energies with at least one configuration, ascending
    pub energies: Vec<f64>,
    /// g(E), exact, decimal strings
    pub counts: Vec<String>,
    /// Σ g(E) = q^N, decimal
    pub total: String,
    /// ln Z, E, C at the requested β
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thermodynamics: Vec<DosThermo>,
    /// with `--joint`: the non-zero g(E, M), as three parallel lists (E total, M = Σ s, count)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joint: Option<JointTable>,
    /// why the magnetization moments are absent although β was given
    #[serde(skip_serializing_if = "Option::is_none")]
    pub magnetization_note: Option<String>,
    /// wall time
    pub seconds: f64,
    /// the peak memory predicted before anything was allocated (bytes): the transfer route's plan,
    /// the number its memory check compared with the budget; the Pfaffians'
    /// [`onsager_exact::dos::dos_bytes`] (megabytes, not checked); 0 for enumeration
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted_bytes: Option<f64>,
    /// measured peak resident memory of the process, bytes
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_bytes: Option<f64>,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: DosParams,
}

/// The exact joint counts g(E, M) of an Ising torus, non-zero entries by M then E.
#[derive(Debug, Clone, Serialize)]
pub struct JointTable {
    /// total energy E of each entry
    pub energies: Vec<f64>,
    /// total magnetization M = Σ s of each entry
    pub magnetizations: Vec<i64>,
    /// g(E, M), exact, decimal strings
    pub counts: Vec<String>,
}

/// What the joint counts will need: (plan, predicted seconds), refused against the budget.
pub fn joint_plan(job: &DosJob, ctx: &Ctx) -> Result<(microcanonical::Plan, f64), JobError> {
    let torus = Torus::new(&job.dims)?;
    let plan = microcanonical::joint_plan(&torus, rayon::current_num_threads())?;
    let what = format!("the exact joint counts g(E, M) of the {} torus", torus.label());
    onsager_transfer::memory::check(
        &what,
        plan.bytes,
        ctx.memory_budget,
        &format!("each worker thread holds {} polynomials of {} coefficients", plan.layer_states, plan.degree),
    )?;
    let secs = plan.additions / (ADDITIONS_PER_SECOND * plan.threads as f64);
    if secs > MAX_SECONDS {
        return Err(JobError::Usage(format!(
            "{what} would take about {:.0} days; use a smaller torus",
            secs / 86400.0
        )));
    }
    Ok((plan, secs))
}

/// Checks the sides of an Ising DOS job.
pub fn check_ising_dos(lx: usize, ly: usize) -> Result<(), JobError> {
    if lx < 2 {
        return Err(ModelError::range("lx", lx, "≥ 2").into());
    }
    if ly < 2 {
        return Err(ModelError::range("ly", ly, "≥ 2").into());
    }
    if lx * ly > MAX_DOS_SITES {
        return Err(
            ModelError::range("lx × ly", lx * ly, "at most 8192 sites for the exact DOS (time grows as N³)").into()
        );
    }
    Ok(())
}

/// What the transfer route will need: (plan, predicted seconds), refused against the budget.
pub fn transfer_plan(job: &DosJob, ctx: &Ctx) -> Result<(microcanonical::Plan, f64), JobError> {
    let torus = Torus::new(&job.dims)?;
    let plan = microcanonical::plan(job.spec.model, &torus, rayon::current_num_threads())?;
    let what = format!("the exact DOS of {} on the {} torus", job.spec.name(), torus.label());
    onsager_transfer::memory::check(
        &what,
        plan.bytes,
        ctx.memory_budget,
        &format!("each worker thread holds {} polynomials of degree {}", plan.layer_states, plan.degree - 1),
    )?;
    let secs = plan.additions / (ADDITIONS_PER_SECOND * plan.threads as f64);
    if secs > MAX_SECONDS {
        return Err(JobError::Usage(format!(
            "{what} would take about {:.0} days ({:.1e} additions); use a smaller torus",
            secs / 86400.0,
            plan.additions
        )));
    }
    Ok((plan, secs))
}

/// What the exact magnetization moments will need at one β: (plan, predicted seconds), refused
/// against the memory budget.
pub fn magnetization_plan(
    spec: ModelSpec,
    dims: &[usize],
    ctx: &Ctx,
) -> Result<(onsager_exact::order_parameter::Plan, f64), JobError> {
    let torus = Torus::new(dims)?;
    let plan = onsager_exact::order_parameter::plan(spec.model, &torus, rayon::current_num_threads())?;
    onsager_transfer::memory::check(
        &format!("the exact magnetization moments of {} on the {} torus", spec.name(), torus.label()),
        plan.bytes,
        ctx.memory_budget,
        &format!(
            "each worker thread holds {} layer states × {} magnetization values",
            plan.layer_states, plan.lattice_points
        ),
    )?;
    let secs = plan.flops / (FLOPS_PER_SECOND * plan.threads as f64);
    if secs > MAX_SECONDS {
        return Err(JobError::Usage(format!(
            "the exact magnetization moments of {} on the {} torus would take about {:.0} days; use a smaller torus",
            spec.name(),
            torus.label(),
            secs / 86400.0
        )));
    }
    Ok((plan, secs))
}

/// The exact moments of M (totals) at coupling `beta`; check [`magnetization_plan`] first.
pub fn magnetization_moments(
    spec: ModelSpec,
    dims: &[usize],
    beta: f64,
    ctx: &Ctx,
) -> Result<onsager_exact::order_parameter::Moments, JobError> {
    magnetization_plan(spec, dims, ctx)?;
    let torus = Torus::new(dims)?;
    Ok(onsager_exact::order_parameter::moments(spec.model, &torus, beta, &|i, n| ctx.progress(i, n))?)
}

/// The exact levels (E, g(E)) with g > 0, ascending, by the job's route.
pub fn levels(job: &DosJob, ctx: &Ctx) -> Result<Vec<(f64, BigUint)>, JobError> {
    let torus = Torus::new(&job.dims)?;
    let owned = |c: EnergyCounts| c.levels().into_iter().map(|(e, n)| (e, n.clone())).collect();
    Ok(match job.method {
        DosMethod::Pfaffian => {
            let (lx, ly) = (job.dims[0], job.dims[1]);
            let of = onsager_exact::dos::dos_primes(lx, ly);
            let done = std::sync::atomic::AtomicUsize::new(0);
            let d = onsager_exact::dos::ising_dos_with_progress(lx, ly, &|| {
                ctx.progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, of)
            });
            // E_m = 2m − 2N
            owned(EnergyCounts {
                dims: job.dims.clone(),
                q: 2,
                e0: -2.0 * (lx * ly) as f64,
                unit: 2.0,
                counts: d.counts,
            })
        }
        DosMethod::Transfer => {
            transfer_plan(job, ctx)?;
            owned(microcanonical::energy_counts(job.spec.model, &torus, &|i, n| ctx.progress(i, n))?)
        }
        DosMethod::Enumerate | DosMethod::Auto => onsager_exact::enumerate_energy_counts(job.spec.model, &torus)?
            .into_iter()
            .map(|(e, c)| (e, BigUint::from(c)))
            .collect(),
    })
}

/// Runs one DOS job.
pub fn run(params: &DosParams, ctx: &Ctx) -> Result<DosRecord, JobError> {
    run_checked(params, &params.validate()?, ctx)
}

/// [`run`] with the job `params.validate()` returned (the CLI validates first to print the
/// plan), so nothing is checked twice.
pub fn run_checked(params: &DosParams, job: &DosJob, ctx: &Ctx) -> Result<DosRecord, JobError> {
    let t0 = std::time::Instant::now();
    let predicted_bytes = Some(match job.method {
        DosMethod::Transfer => transfer_plan(job, ctx)?.0.bytes,
        DosMethod::Pfaffian => onsager_exact::dos::dos_bytes(job.dims[0], job.dims[1], rayon::current_num_threads()),
        // one histogram of the energy levels (and of M with the joint) per worker: kilobytes
        _ => 0.0,
    });
    let sites: usize = job.dims.iter().product();
    // the magnetization moments: one transfer-matrix run per β, when asked and affordable;
    // decided (and refused under `on`) before the DOS runs
    let mut magnetization_note = None;
    let with_m = if job.betas.is_empty() || params.magnetization == MagnetizationMode::Off {
        false
    } else {
        match (params.magnetization, magnetization_plan(job.spec, &job.dims, ctx)) {
            (MagnetizationMode::On, Err(e)) => return Err(e),
            (_, Err(e)) => {
                magnetization_note = Some(format!("magnetization moments not computed: {e}"));
                false
            }
            (MagnetizationMode::Auto, Ok((_, secs))) if secs * job.betas.len() as f64 > AUTO_MAGNETIZATION_SECONDS => {
                magnetization_note = Some(format!(
                    "magnetization moments not computed: predicted {:.0} s for {} β; pass magnetization = on",
                    secs * job.betas.len() as f64,
                    job.betas.len()
                ));
                false
            }
            _ => true,
        }
    };
    let joint_plan_bytes = if params.joint { Some(joint_plan(job, ctx)?.0.bytes) } else { None };
    let joint_counts = if params.joint {
        Some(microcanonical::joint_counts(&Torus::new(&job.dims)?, &|i, n| ctx.progress(i, n))?)
    } else {
        None
    };
    let marginal = joint_counts
        .as_ref()
        .map(|j| -> Vec<(f64, BigUint)> { j.marginal().levels().into_iter().map(|(e, n)| (e, n.clone())).collect() });
    let lv = match marginal {
        // Σ_M g(E, M) is what the energy-only transfer matrix would compute again
        Some(m) if job.method == DosMethod::Transfer => m,
        // another route (Pfaffians, enumeration) is cheap next to the joint counts, and a check
        Some(m) => {
            let lv = levels(job, ctx)?;
            if lv != m {
                return Err(JobError::Numerical(format!(
                    "Σ_M g(E, M) of the joint counts disagrees with g(E) by {}",
                    job.method.name()
                )));
            }
            lv
        }
        None => levels(job, ctx)?,
    };
    let joint = joint_counts.map(|j| {
        let e = j.entries();
        JointTable {
            energies: e.iter().map(|x| x.0).collect(),
            magnetizations: e.iter().map(|x| x.1).collect(),
            counts: e.iter().map(|x| x.2.to_string()).collect(),
        }
    });
    let refs: Vec<(f64, &BigUint)> = lv.iter().map(|(e, c)| (*e, c)).collect();
    let thermodynamics = job
        .betas
        .iter()
        .map(|&(beta, critical)| -> Result<DosThermo, JobError> {
            let t = microcanonical::thermodynamics(&refs, beta, sites);
            if ![t.ln_z, t.energy, t.specific_heat_per_site].iter().all(|x| x.is_finite()) {
                return Err(JobError::param("beta", format!(
                    "= {beta:e}: ln Z = {:e} overflows a double; give β ≤ 1e300/N_bonds",
                    t.ln_z
                )));
            }
            Ok(DosThermo {
                beta,
                critical,
                ln_z: t.ln_z,
                ln_z_per_site: t.ln_z / sites as f64,
                energy_per_site: t.energy / sites as f64,
                specific_heat_per_site: t.specific_heat_per_site,
                magnetization: if with_m {
                    let m = magnetization_moments(job.spec, &job.dims, beta, ctx)?;
                    // two independent routes to ln Z: the counts and this transfer matrix
                    if (m.ln_z - t.ln_z).abs() > 1e-10 * t.ln_z.abs().max(1.0) {
                        return Err(JobError::Numerical(format!(
                            "β = {beta}: ln Z from the magnetization transfer matrix ({}) disagrees with the counts ({})",
                            m.ln_z, t.ln_z
                        )));
                    }
                    Some(MagnetizationMoments::from_totals(&m, sites))
                } else {
                    None
                },
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (energies, counts) = lv.iter().map(|(e, n)| (*e, n.to_string())).unzip();
    let total = BigUint::from(job.spec.model.q()).pow(sites as u32).to_string();
    super::vouched(DosRecord {
        model: job.spec.name(),
        dims: job.dims.clone(),
        sites,
        method: job.method.name(),
        energy_convention: "total E = -sum over bonds of the bond variable (Ising s_i s_j)",
        energies,
        counts,
        total,
        thermodynamics,
        joint,
        magnetization_note,
        seconds: t0.elapsed().as_secs_f64(),
        predicted_bytes: match (predicted_bytes, joint_plan_bytes) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        },
        peak_bytes: super::peak_rss_bytes(),
        version: env!("CARGO_PKG_VERSION"),
        params: params.clone(),
    })
}
