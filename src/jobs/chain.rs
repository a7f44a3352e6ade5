//! `onsager dmrg | vumps`: ground states of quantum chains and fixed points of classical row
//! transfer matrices, with parameter checks and a memory estimate before anything is allocated.

use super::{Ctx, JobError, ModelSpec};
use onsager_exact::{reference, Quantity, System};
use onsager_tn::dmrg::{dmrg_observed, DmrgError, DmrgOptions, DmrgResult};
use onsager_tn::entanglement::{central_charge, central_charge_periodic, CalabreseCardy};
use onsager_tn::mpo::{row_transfer, Chain, Mpo};
use onsager_tn::vumps::{vumps_observed, Problem, VumpsError, VumpsOptions, VumpsResult};
use onsager_tn::Stop;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The quantum chain names `--model` accepts.
pub const CHAINS: &str = "tfim, xxz, heisenberg, heisenberg1, qpotts";

/// Parses a quantum chain from its name and couplings: `tfim` (g), `xxz` (spin ½, Δ),
/// `heisenberg` (spin ½, Δ = 1 unless given), `heisenberg1` (spin 1), `qpotts` (q, g).
/// Returns `None` for a name that is not a quantum chain. `g` and `delta` are 1 unless given; a
/// coupling given to a chain that does not have it is refused, even at its default value.
pub fn parse_chain(
    name: &str,
    g: Option<f64>,
    delta: Option<f64>,
    q: Option<usize>,
) -> Result<Option<Chain>, JobError> {
    if let Some(g) = g.filter(|g| !g.is_finite()) {
        return Err(JobError::param("g", format!("= {g} is out of range: a finite number")));
    }
    if let Some(delta) = delta.filter(|d| !d.is_finite()) {
        return Err(JobError::param("delta", format!("= {delta} is out of range: a finite number")));
    }
    if let (Some(q), "tfim" | "xxz" | "heisenberg" | "heisenberg1") = (q, name) {
        return Err(JobError::param("q", format!("= {q} is out of range for `model` {name}: only qpotts takes `q`")));
    }
    // a coupling the chain does not have would be ignored silently
    if let (Some(g), "xxz" | "heisenberg" | "heisenberg1") = (g, name) {
        return Err(JobError::param(
            "g",
            format!("= {g} is out of range for `model` {name}: only tfim and qpotts take `g`"),
        ));
    }
    if let (Some(delta), "tfim" | "qpotts") = (delta, name) {
        return Err(JobError::param(
            "delta",
            format!("= {delta} is out of range for `model` {name}: only xxz, heisenberg and heisenberg1 take `delta`"),
        ));
    }
    let (g, delta) = (g.unwrap_or(1.0), delta.unwrap_or(1.0));
    Ok(Some(match name {
        "tfim" => Chain::Tfim { g },
        "xxz" | "heisenberg" => Chain::Xxz { two_s: 1, delta },
        "heisenberg1" => Chain::Xxz { two_s: 2, delta },
        "qpotts" => {
            let q = q.unwrap_or(3);
            if !(2..=10).contains(&q) {
                return Err(JobError::param("q", format!("= {q} is out of range: 2 ≤ q ≤ 10 for qpotts")));
            }
            Chain::QPotts { q, g }
        }
        _ => return Ok(None),
    }))
}

/// The operator whose correlations `dmrg` reports: Z (TFIM), S^z (XXZ), P₀ − 1/q (Potts).
pub fn order_operator(chain: Chain) -> (Vec<f64>, &'static str) {
    match chain {
        Chain::Tfim { .. } => (vec![1.0, 0.0, 0.0, -1.0], "Z"),
        Chain::Xxz { two_s, .. } => (onsager_tn::mpo::spin_matrices(two_s).0, "Sz"),
        Chain::QPotts { q, .. } => (
            (0..q * q)
                .map(|k| {
                    if k == 0 {
                        1.0 - 1.0 / q as f64
                    } else if k / q == k % q {
                        -1.0 / q as f64
                    } else {
                        0.0
                    }
                })
                .collect(),
            "P0-1/q",
        ),
    }
}

fn check_chi(chi: usize, max: usize) -> Result<(), JobError> {
    if !(1..=max).contains(&chi) {
        return Err(JobError::param("chi", format!("= {chi} is out of range: 1 ≤ χ ≤ {max}")));
    }
    Ok(())
}

/// A finite-chain DMRG run with its derived observables.
#[derive(Debug, Clone)]
pub struct DmrgJob {
    /// the ground-state run
    pub result: DmrgResult,
    /// E₁ − E₀ from a second, two-state run (with `gap`)
    pub gap: Option<f64>,
    /// Calabrese–Cardy fit of the entropy profile
    pub central_charge: Option<CalabreseCardy>,
    /// ⟨O_i O_{i+r}⟩ − ⟨O_i⟩⟨O_{i+r}⟩ for i = N/4, r = 1 … N − 1 − i
    pub correlations: Vec<f64>,
    /// the operator's name
    pub operator: &'static str,
    /// ⟨h_l⟩ of the nearest-neighbour terms of every bond l = 0 … N − 2
    pub bond_energies: Vec<f64>,
    /// wall time
    pub seconds: f64,
}

impl From<DmrgError> for JobError {
    fn from(e: DmrgError) -> Self {
        match e {
            DmrgError::Range(field, v, allowed) => JobError::param(field, format!("= {v} is out of range: {allowed}")),
        }
    }
}

impl From<VumpsError> for JobError {
    fn from(e: VumpsError) -> Self {
        match e {
            VumpsError::Range(field, v, allowed) => JobError::param(field, format!("= {v} is out of range: {allowed}")),
            VumpsError::Structure(s) => JobError::Usage(s),
        }
    }
}

/// The memory a DMRG run is predicted to take at its peak, in bytes: the environments (both sides,
/// every site: 2 w D_i² for an MPO of bond w), the MPS (d D_i²) and a Lanczos basis of 40 two-site
/// vectors (d² D²), where D_i is the bond the run can reach at bond i: at most χ, d^i from either
/// end, and, from a product state, (k d)^(2s) after s sweeps when k states are targeted (a
/// two-site update splits a d D × k d D matrix, so it at most multiplies a bond by k d per half
/// sweep); with `gap` the second, two-state run is the larger. Heisenberg L = 200 at χ = 256 is
/// 1.3 GB converged and about 5 MB capped at 2 sweeps (bonds ≤ 16; 1.2 GB with `gap`: ≤ 256).
pub fn dmrg_bytes(chain: Chain, n: usize, periodic: bool, opts: &DmrgOptions, gap: bool) -> f64 {
    let d = chain.d() as f64;
    let w = (chain.mpo_site(false).nl + if periodic { chain.bond_terms().len() } else { 0 }) as f64;
    let sweeps = opts.stop.cap().unwrap_or(usize::MAX).min(64);
    let k = if gap { 2.0 } else { opts.states as f64 };
    let reach = |i: usize| -> f64 {
        let from_end = d.powi(i.min(n - i).min(64) as i32);
        (opts.chi as f64).min(from_end).min((k * d).powi(2 * sweeps as i32))
    };
    let sites: f64 = (0..n).map(|i| reach(i).max(reach(i + 1)).powi(2)).sum();
    let dmax = (0..=n).map(reach).fold(1.0, f64::max);
    8.0 * ((2.0 * w + d) * sites + 44.0 * d * d * dmax * dmax)
}

/// Runs DMRG on the open chain of `n` sites, or with `periodic` on the ring (parameters checked
/// by [`DmrgParams::validate`]).
pub fn run_dmrg(
    chain: Chain,
    n: usize,
    periodic: bool,
    opts: &DmrgOptions,
    gap: bool,
    budget: f64,
    tick: &dyn Fn(usize, f64),
) -> Result<DmrgJob, JobError> {
    let bytes = dmrg_bytes(chain, n, periodic, opts, gap);
    super::check_memory("chi", bytes, budget, |need, have| {
        format!("this DMRG needs about {need} but only {have} is available; lower `chi`")
    })?;
    let t = Instant::now();
    let h = if periodic { Mpo::periodic(chain, n) } else { Mpo::finite(chain, n) };
    let result = dmrg_observed(&h, opts, &mut |s, e| tick(s, e))?;
    let gap = if gap {
        let two = dmrg_observed(&h, &DmrgOptions { states: 2, ..opts.clone() }, &mut |s, e| tick(s, e))?;
        Some(two.energies[1] - two.energies[0])
    } else {
        None
    };
    let (op, operator) = order_operator(chain);
    let i0 = n / 4;
    let one = result.mps.expectation(&op);
    let correlations: Vec<f64> =
        result.mps.correlation(&op, &op, i0).iter().enumerate().map(|(r, v)| v - one[i0] * one[i0 + 1 + r]).collect();
    let bond_energy = result.mps.bond_expectations(&chain.bond_terms());
    Ok(DmrgJob {
        central_charge: if periodic {
            central_charge_periodic(&result.entropy, None)
        } else {
            central_charge(&result.entropy, Some(&bond_energy))
        },

        result,
        gap,
        correlations,
        operator,
        bond_energies: bond_energy,
        seconds: t.elapsed().as_secs_f64(),
    })
}

/// What an infinite-system VUMPS run solved.
#[derive(Debug, Clone, Copy)]
pub enum Infinite {
    /// a quantum chain's ground state
    Quantum(Chain),
    /// a 2D classical model's row transfer matrix at coupling K and field h
    Classical(ModelSpec, f64, f64),
}

/// The memory a VUMPS run is predicted to take, in bytes: the state (A_L, A_R, A_C, C and the best
/// copy, 10 d χ²), the environments (4 w χ² for an MPO of bond w) and 40 Krylov vectors of the
/// larger of the two eigenproblems (measured 109 MiB against 130 MiB, Heisenberg χ = 256).
pub fn vumps_bytes(d: usize, w: usize, chi: usize) -> f64 {
    let (d, nw, chi) = (d as f64, w as f64, chi as f64);
    8.0 * (10.0 * d * chi * chi + 4.0 * nw * chi * chi + 44.0 * (d * chi * chi).max(nw * chi * chi))
}

/// Runs VUMPS (parameters checked by [`VumpsParams::validate`]); returns the result, the wall time
/// and the predicted memory ([`vumps_bytes`]).
pub fn run_vumps(
    what: Infinite,
    opts: &VumpsOptions,
    budget: f64,
    tick: &dyn Fn(usize, f64),
) -> Result<(VumpsResult, f64, f64), JobError> {
    let (w, problem) = match what {
        Infinite::Quantum(chain) => (chain.mpo_site(true), Problem::Ground),
        Infinite::Classical(spec, k, h) => {
            if spec.dim != 2 {
                return Err(JobError::param(
                    "model",
                    format!(
                        "{} is out of range: a quantum chain ({CHAINS}) or a 2D classical model (ising, potts, clock)",
                        spec.name()
                    ),
                ));
            }
            if k <= 0.0 {
                return Err(JobError::param(
                    "beta",
                    format!("= {k} is out of range: > 0 (the row transfer matrix needs K > 0)"),
                ));
            }
            (row_transfer(spec.model, k, h), Problem::FixedPoint)
        }
    };
    let bytes = vumps_bytes(w.d, w.nl, opts.chi);
    super::check_memory("chi", bytes, budget, |need, have| {
        format!("this VUMPS needs about {need} but only {have} is available; lower `chi`")
    })?;
    let t = Instant::now();
    let r = vumps_observed(&w, problem, opts, &mut |i, e| tick(i, e))?;
    Ok((r, t.elapsed().as_secs_f64(), bytes))
}

/// The chain shared by `dmrg` and `vumps`: `--model`, `--g`, `--delta`, `--q`, `--chi`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct ChainParams {
    /// quantum chain: tfim (H = −ΣZZ − gΣX), xxz / heisenberg (spin ½, H = Σ SˣSˣ + SʸSʸ + ΔSᶻSᶻ),
    /// heisenberg1 (spin 1), qpotts (q-state quantum Potts); vumps also takes the 2D classical
    /// models ising, potts, clock (row transfer matrix)
    #[arg(long, default_value = "tfim")]
    #[serde(default = "tfim")]
    pub model: String,
    /// transverse field g (tfim, qpotts; critical at 1) [default: 1]
    #[arg(long, allow_hyphen_values = true)]
    #[serde(default)]
    pub g: Option<f64>,
    /// anisotropy Δ (xxz, heisenberg, heisenberg1) [default: 1]
    #[arg(long, allow_hyphen_values = true)]
    #[serde(default)]
    pub delta: Option<f64>,
    /// number of states (qpotts, default 3; potts and clock)
    #[arg(long)]
    #[serde(default)]
    pub q: Option<usize>,
    /// bond dimension χ (default 64 for dmrg, 32 for vumps)
    #[arg(long)]
    #[serde(default)]
    pub chi: Option<usize>,
}

fn tfim() -> String {
    "tfim".into()
}

impl Default for ChainParams {
    fn default() -> Self {
        ChainParams { model: tfim(), g: None, delta: None, q: None, chi: None }
    }
}

/// Parameters of `onsager dmrg`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct DmrgParams {
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub chain: ChainParams,
    /// number of sites N of the open chain
    #[arg(long)]
    pub length: usize,
    /// most full sweeps (left → right → left)
    #[arg(long, default_value_t = 20)]
    #[serde(default = "twenty")]
    pub sweeps: usize,
    /// fewest full sweeps (set equal to --sweeps for a fixed count)
    #[arg(long, default_value_t = 2)]
    #[serde(default = "two")]
    pub min_sweeps: usize,
    /// stop when E₀ changes by less than tol·|E₀| (and every bond entropy by < 1e-8) over a sweep
    #[arg(long, default_value_t = 1e-12)]
    #[serde(default = "tol12")]
    pub tol: f64,
    /// also compute the gap E₁ − E₀ (a second, two-state run)
    #[arg(long)]
    #[serde(default)]
    pub gap: bool,
    /// a ring (periodic boundary) instead of an open chain; needs about χ² of the open chain's
    /// bond dimension for the same accuracy, and fits c with the periodic Calabrese–Cardy form
    #[arg(long)]
    #[serde(default)]
    pub periodic: bool,
}

fn twenty() -> usize {
    20
}

fn two() -> usize {
    2
}

fn tol12() -> f64 {
    1e-12
}

impl Default for DmrgParams {
    fn default() -> Self {
        DmrgParams {
            chain: ChainParams::default(),
            length: 16,
            sweeps: 20,
            min_sweeps: 2,
            tol: 1e-12,
            gap: false,
            periodic: false,
        }
    }
}

impl DmrgParams {
    /// The one place these parameters are checked (memory as the run starts).
    pub fn validate(&self) -> Result<(Chain, DmrgOptions), JobError> {
        let c = &self.chain;
        let chain = parse_chain(&c.model, c.g, c.delta, c.q)?
            .ok_or_else(|| JobError::param("model", format!("= {} is out of range: one of {CHAINS}", c.model)))?;
        if !(self.tol > 0.0 && self.tol < 1.0) {
            return Err(JobError::param("tol", format!("= {} is out of range: 0 < tol < 1", self.tol)));
        }
        if self.sweeps == 0 {
            return Err(JobError::param("sweeps", "= 0 is out of range: at least 1"));
        }
        if self.min_sweeps > self.sweeps {
            return Err(JobError::param(
                "min_sweeps",
                format!("= {} is out of range: ≤ `sweeps` = {}", self.min_sweeps, self.sweeps),
            ));
        }
        let min = if self.periodic { 3 } else { 2 };
        if !(min..=100_000).contains(&self.length) {
            return Err(JobError::param("length", format!("= {} is out of range: {min} ≤ N ≤ 100000", self.length)));
        }
        let opts = DmrgOptions {
            chi: c.chi.unwrap_or(64),
            stop: Stop::tolerance_after(self.tol, self.min_sweeps, self.sweeps),
            ..Default::default()
        };
        check_chi(opts.chi, 4096)?;
        Ok((chain, opts))
    }
}

/// Connected correlations ⟨O_i O_{i+r}⟩_c from i = `from`.
#[derive(Debug, Clone, Serialize)]
pub struct Correlations {
    /// the operator's name
    pub operator: &'static str,
    /// i
    pub from: usize,
    /// r = 1, 2, …
    pub connected: Vec<f64>,
}

/// The result of `onsager dmrg`.
#[derive(Debug, Clone, Serialize)]
pub struct DmrgRecord {
    /// always `dmrg`
    pub method: &'static str,
    /// the model name as given
    pub model: String,
    /// a ring
    pub periodic: bool,
    /// the chain with its couplings
    pub chain: String,
    /// N
    pub length: usize,
    /// bond dimension
    pub chi: usize,
    /// E₀
    pub energy: f64,
    /// E₀/N
    pub energy_per_site: f64,
    /// entanglement entropy at the middle cut
    pub entropy: f64,
    /// at every cut
    pub entropy_profile: Vec<f64>,
    /// ⟨h_l⟩ per bond
    pub bond_energies: Vec<f64>,
    /// largest discarded weight
    pub truncation_error: f64,
    /// sweeps done
    pub sweeps: usize,
    /// E₀ after each sweep
    pub sweep_energies: Vec<f64>,
    /// whether the stopping rule was met
    pub converged: bool,
    /// wall time
    pub seconds: f64,
    /// connected correlations of the order operator
    pub correlations: Correlations,
    /// Calabrese–Cardy c
    #[serde(skip_serializing_if = "Option::is_none")]
    pub central_charge: Option<f64>,
    /// its standard error
    #[serde(skip_serializing_if = "Option::is_none")]
    pub central_charge_error: Option<f64>,
    /// E₁ − E₀ (with `gap`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    /// free fermions (Pfeuty), open TFIM
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_energy: Option<f64>,
    /// |E₀ − exact| / |exact|
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_error: Option<f64>,
    /// exact gap (Pfeuty)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_gap: Option<f64>,
    /// cuts in the Calabrese–Cardy fit (table only)
    #[serde(skip)]
    pub central_charge_points: usize,
    /// the process's peak resident memory when the job ended (bytes; VmHWM, so in a long-lived
    /// process such as Python the largest of every job so far); absent where the OS does not say
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_bytes: Option<f64>,
    /// the peak memory predicted before anything was allocated (bytes; [`dmrg_bytes`], the number
    /// the memory check compared with the budget)
    pub predicted_bytes: f64,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: DmrgParams,
}

/// Runs `onsager dmrg`; status messages carry the sweep and E₀.
pub fn run_dmrg_job(p: &DmrgParams, ctx: &Ctx) -> Result<DmrgRecord, JobError> {
    run_dmrg_checked(p, &p.validate()?, ctx)
}

/// [`run_dmrg_job`] with what `p.validate()` returned, so nothing is checked twice.
pub fn run_dmrg_checked(p: &DmrgParams, job: &(Chain, DmrgOptions), ctx: &Ctx) -> Result<DmrgRecord, JobError> {
    let (chain, opts) = (job.0, &job.1);
    let n = p.length;
    let job = run_dmrg(chain, n, p.periodic, opts, p.gap, ctx.memory_budget, &|s, e| {
        ctx.message(&format!("sweep {s}: E₀ = {e:.12}"))
    })?;
    let r = &job.result;
    let exact = match chain {
        Chain::Tfim { g } if !p.periodic => Some(onsager_tn::dmrg::tfim_exact_levels(n, g)),
        _ => None,
    };
    super::vouched(DmrgRecord {
        method: "dmrg",
        model: p.chain.model.clone(),
        periodic: p.periodic,
        chain: chain.to_string(),
        length: n,
        chi: opts.chi,
        energy: r.energy,
        energy_per_site: r.energy / n as f64,
        entropy: r.entropy.get(n / 2 - 1).copied().unwrap_or(0.0),
        entropy_profile: r.entropy.clone(),
        bond_energies: job.bond_energies.clone(),
        truncation_error: r.truncation_error,
        sweeps: r.sweeps,
        sweep_energies: r.sweep_energies.clone(),
        converged: r.converged,
        seconds: job.seconds,
        correlations: Correlations { operator: job.operator, from: n / 4, connected: job.correlations.clone() },
        central_charge: job.central_charge.map(|c| c.c),
        central_charge_error: job.central_charge.map(|c| c.c_error),
        central_charge_points: job.central_charge.map(|c| c.points).unwrap_or(0),
        gap: job.gap,
        exact_energy: exact.map(|e| e.0),
        relative_error: exact.map(|e| (r.energy - e.0).abs() / e.0.abs()),
        exact_gap: exact.map(|e| e.1),
        peak_bytes: super::peak_rss_bytes(),
        predicted_bytes: dmrg_bytes(chain, n, p.periodic, opts, p.gap),
        version: env!("CARGO_PKG_VERSION"),
        params: p.clone(),
    })
}

/// Parameters of `onsager vumps`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct VumpsParams {
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub chain: ChainParams,
    /// coupling K for the classical models, a number > 0 or 'critical'
    #[arg(long, default_value = "critical", allow_hyphen_values = true)]
    #[serde(default = "critical", deserialize_with = "super::params::text")]
    pub beta: String,
    /// uniform field h for the classical models: weight exp(h Σ m(σ))
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    #[serde(default)]
    pub h: f64,
    /// stop when the gauge error ‖A_C − A_L C‖ falls below this
    #[arg(long, default_value_t = 1e-8)]
    #[serde(default = "tol8")]
    pub tol: f64,
    /// iteration cap
    #[arg(long, default_value_t = 1000)]
    #[serde(default = "thousand")]
    pub max_iter: usize,
}

fn critical() -> String {
    "critical".into()
}

fn tol8() -> f64 {
    1e-8
}

fn thousand() -> usize {
    1000
}

impl Default for VumpsParams {
    fn default() -> Self {
        VumpsParams { chain: ChainParams::default(), beta: critical(), h: 0.0, tol: 1e-8, max_iter: 1000 }
    }
}

impl VumpsParams {
    /// The one place these parameters are checked: what is solved, β if classical and whether it
    /// is critical, and the options.
    pub fn validate(&self) -> Result<(Infinite, bool, VumpsOptions), JobError> {
        let c = &self.chain;
        let (what, critical) = match parse_chain(&c.model, c.g, c.delta, c.q)? {
            Some(chain) => {
                if self.beta != "critical" {
                    return Err(JobError::param(
                        "beta",
                        format!("= {} is out of range for `model` {}: classical models only", self.beta, c.model),
                    ));
                }
                if self.h != 0.0 {
                    return Err(JobError::param(
                        "h",
                        format!("= {} is out of range for `model` {}: classical models only", self.h, c.model),
                    ));
                }
                (Infinite::Quantum(chain), false)
            }
            None => {
                // a classical name with a bad --q keeps the model's own message
                let classical = ["ising", "potts", "clock", "ising3d", "ising1d"].contains(&c.model.as_str());
                let spec = ModelSpec::parse(&c.model, c.q).map_err(|e| {
                    if classical {
                        JobError::from(e)
                    } else {
                        JobError::param(
                            "model",
                            format!("= {} is out of range: one of {CHAINS}, or ising, potts, clock", c.model),
                        )
                    }
                })?;
                for (field, v) in [("g", c.g), ("delta", c.delta)] {
                    if let Some(v) = v {
                        return Err(JobError::param(
                            field,
                            format!("= {v} is out of range for `model` {}: quantum chains only", c.model),
                        ));
                    }
                }
                let (beta, critical) = spec.beta(&self.beta)?;
                super::tn::check_weights(beta, self.h)?;
                (Infinite::Classical(spec, beta, self.h), critical)
            }
        };
        if !(self.tol > 0.0 && self.tol < 1.0) {
            return Err(JobError::param("tol", format!("= {} is out of range: 0 < tol < 1", self.tol)));
        }
        let opts = VumpsOptions::new(c.chi.unwrap_or(32), self.tol, self.max_iter);
        check_chi(opts.chi, 1024)?;
        Ok((what, critical, opts))
    }
}

/// The result of `onsager vumps`: a quantum chain's energy or a classical model's lnZ/N.
#[derive(Debug, Clone, Serialize)]
pub struct VumpsRecord {
    /// always `vumps`
    pub method: &'static str,
    /// the model name as given
    pub model: String,
    /// bond dimension
    pub chi: usize,
    /// half-chain entanglement entropy
    pub entropy: f64,
    /// ξ in sites
    pub correlation_length: f64,
    /// smallest kept Schmidt weight
    pub truncation_error: f64,
    /// final gauge error
    pub gauge_error: f64,
    /// iterations done
    pub iterations: usize,
    /// whether the gauge error reached tol
    pub converged: bool,
    /// wall time
    pub seconds: f64,
    /// the chain (quantum)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// energy per site (quantum)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy_per_site: Option<f64>,
    /// the exact energy per site where known (quantum)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_energy_per_site: Option<f64>,
    /// |e − exact| / |exact| (quantum)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_error: Option<f64>,
    /// K (classical)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
    /// whether K is critical (classical)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<bool>,
    /// lnZ/N (classical)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ln_z_per_site: Option<f64>,
    /// −lnZ/(βN) (classical)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_energy_per_site: Option<f64>,
    /// against Onsager (2D Ising, h = 0)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_error_vs_onsager: Option<f64>,
    /// what was solved (table)
    #[serde(skip)]
    pub solved: Option<Infinite>,
    /// the process's peak resident memory when the job ended (bytes; VmHWM, so in a long-lived
    /// process such as Python the largest of every job so far); absent where the OS does not say
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_bytes: Option<f64>,
    /// the peak memory predicted before anything was allocated (bytes; [`vumps_bytes`], the
    /// number the memory check compared with the budget)
    pub predicted_bytes: f64,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: VumpsParams,
}

/// Runs `onsager vumps`; status messages carry the iteration and the gauge error.
pub fn run_vumps_job(p: &VumpsParams, ctx: &Ctx) -> Result<VumpsRecord, JobError> {
    run_vumps_checked(p, &p.validate()?, ctx)
}

/// [`run_vumps_job`] with what `p.validate()` returned, so nothing is checked twice.
pub fn run_vumps_checked(
    p: &VumpsParams,
    job: &(Infinite, bool, VumpsOptions),
    ctx: &Ctx,
) -> Result<VumpsRecord, JobError> {
    let (what, critical, opts) = (job.0, job.1, &job.2);
    let (r, seconds, predicted_bytes) =
        run_vumps(what, opts, ctx.memory_budget, &|i, e| ctx.message(&format!("iteration {i}: gauge error {e:.2e}")))?;
    let value = r
        .energy_per_site
        .or(r.ln_z_per_site)
        .ok_or_else(|| JobError::Usage("VUMPS returned neither an energy nor lnZ/N".into()))?;
    let mut rec = VumpsRecord {
        method: "vumps",
        model: p.chain.model.clone(),
        chi: opts.chi,
        entropy: r.entropy,
        correlation_length: r.correlation_length,
        truncation_error: r.truncation_error,
        gauge_error: r.gauge_error,
        iterations: r.iterations,
        converged: r.converged,
        seconds,
        chain: None,
        energy_per_site: None,
        exact_energy_per_site: None,
        relative_error: None,
        beta: None,
        critical: None,
        ln_z_per_site: None,
        free_energy_per_site: None,
        relative_error_vs_onsager: None,
        solved: Some(what),
        peak_bytes: super::peak_rss_bytes(),
        predicted_bytes,
        version: env!("CARGO_PKG_VERSION"),
        params: p.clone(),
    };
    match what {
        Infinite::Quantum(chain) => {
            let exact = chain.exact_energy_per_site();
            rec.chain = Some(chain.to_string());
            rec.energy_per_site = Some(value);
            rec.exact_energy_per_site = exact;
            rec.relative_error = exact.map(|e| (value - e).abs() / e.abs());
        }
        Infinite::Classical(spec, k, h) => {
            let lattice = System::Lattice { model: spec.model, dim: spec.dim, kx: k, ky: k, h };
            let exact = reference(lattice, Quantity::LnZPerSite).filter(|r| r.exact).map(|r| r.value);
            rec.beta = Some(k);
            rec.critical = Some(critical);
            rec.ln_z_per_site = Some(value);
            rec.free_energy_per_site = Some(-value / k);
            rec.relative_error_vs_onsager = exact.map(|e| (value - e).abs() / e);
        }
    }
    super::vouched(rec)
}
