//! `onsager dmrg | vumps`: ground states of quantum chains and fixed points of classical row
//! transfer matrices, with parameter checks and a memory estimate before anything is allocated.

use super::{JobError, ModelSpec};
use onsager_tn::dmrg::{dmrg_observed, DmrgOptions, DmrgResult};
use onsager_tn::entanglement::{central_charge, central_charge_periodic, CalabreseCardy};
use onsager_tn::mpo::{row_transfer, Chain, Mpo};
use onsager_tn::vumps::{vumps_observed, Problem, VumpsOptions, VumpsResult};
use std::time::Instant;

/// The quantum chain names `--model` accepts.
pub const CHAINS: &str = "tfim, xxz, heisenberg, heisenberg1, qpotts";

/// Parses a quantum chain from its name and couplings: `tfim` (--g), `xxz` (spin ½, --delta),
/// `heisenberg` (spin ½, Δ = 1 unless --delta), `heisenberg1` (spin 1), `qpotts` (--q, --g).
/// Returns `None` for a name that is not a quantum chain.
pub fn parse_chain(name: &str, g: f64, delta: f64, q: Option<usize>) -> Result<Option<Chain>, JobError> {
    if !g.is_finite() {
        return Err(JobError::Usage(format!("--g = {g} is out of range: a finite number")));
    }
    if !delta.is_finite() {
        return Err(JobError::Usage(format!("--delta = {delta} is out of range: a finite number")));
    }
    Ok(Some(match name {
        "tfim" => Chain::Tfim { g },
        "xxz" | "heisenberg" => Chain::Xxz { two_s: 1, delta },
        "heisenberg1" => Chain::Xxz { two_s: 2, delta },
        "qpotts" => {
            let q = q.unwrap_or(3);
            if !(2..=10).contains(&q) {
                return Err(JobError::Usage(format!("--q = {q} is out of range: 2 ≤ q ≤ 10 for qpotts")));
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
        return Err(JobError::Usage(format!("--chi = {chi} is out of range: 1 ≤ χ ≤ {max}")));
    }
    Ok(())
}

fn check_memory(what: &str, bytes: f64) -> Result<(), JobError> {
    // the one memory policy of the jobs (MemAvailable, cgroup limit, RLIMIT_AS)
    let budget = super::memory_limit();
    if bytes > budget {
        return Err(JobError::Usage(format!(
            "{what} needs about {} but the budget is {}; lower --chi",
            onsager_transfer::memory::human(bytes),
            onsager_transfer::memory::human(budget)
        )));
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

/// Runs DMRG on the open chain of `n` sites, or with `periodic` on the ring.
pub fn run_dmrg(
    chain: Chain,
    n: usize,
    periodic: bool,
    opts: &DmrgOptions,
    gap: bool,
    tick: &dyn Fn(usize, f64),
) -> Result<DmrgJob, JobError> {
    let min = if periodic { 3 } else { 2 };
    if !(min..=100_000).contains(&n) {
        return Err(JobError::Usage(format!("--length = {n} is out of range: {min} ≤ N ≤ 100000")));
    }
    check_chi(opts.chi, 4096)?;
    if opts.max_sweeps == 0 {
        return Err(JobError::Usage("--sweeps = 0 is out of range: at least 1".into()));
    }
    let d = chain.d() as f64;
    let w = (chain.mpo_site(false).nl + if periodic { chain.bond_terms().len() } else { 0 }) as f64;
    let chi = opts.chi as f64;
    // environments (both sides, every site) + MPS + Lanczos basis of 40 two-site vectors
    let bytes = 8.0 * (n as f64 * (2.0 * w * chi * chi + d * chi * chi) + 44.0 * d * d * chi * chi);
    check_memory("this DMRG", bytes)?;
    let t = Instant::now();
    let h = if periodic { Mpo::periodic(chain, n) } else { Mpo::finite(chain, n) };
    let result = dmrg_observed(&h, opts, &mut |s, e| tick(s, e)).map_err(|e| JobError::Usage(e.to_string()))?;
    let gap = if gap {
        let two = dmrg_observed(&h, &DmrgOptions { states: 2, ..opts.clone() }, &mut |s, e| tick(s, e))
            .map_err(|e| JobError::Usage(e.to_string()))?;
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

/// Runs VUMPS.
pub fn run_vumps(
    what: Infinite,
    opts: &VumpsOptions,
    tick: &dyn Fn(usize, f64),
) -> Result<(VumpsResult, f64), JobError> {
    check_chi(opts.chi, 1024)?;
    if !(opts.tol > 0.0 && opts.tol < 1.0) {
        return Err(JobError::Usage(format!("--tol = {} is out of range: 0 < tol < 1", opts.tol)));
    }
    let (w, problem) = match what {
        Infinite::Quantum(chain) => (chain.mpo_site(true), Problem::Ground),
        Infinite::Classical(spec, k, h) => {
            if spec.dim != 2 {
                return Err(JobError::Usage(format!(
                    "--model {} is out of range: a quantum chain ({CHAINS}) or a 2D classical model (ising, potts, clock)",
                    spec.name()
                )));
            }
            if k <= 0.0 {
                return Err(JobError::Usage(format!(
                    "--beta = {k} is out of range: > 0 (the row transfer matrix needs K > 0)"
                )));
            }
            (row_transfer(spec.model, k, h), Problem::FixedPoint)
        }
    };
    let (d, nw, chi) = (w.d as f64, w.nl as f64, opts.chi as f64);
    // state (A_L, A_R, A_C, C, best copy) + environments + 40 Krylov vectors of the largest problem
    let bytes = 8.0 * (10.0 * d * chi * chi + 4.0 * nw * chi * chi + 44.0 * (d * chi * chi).max(nw * chi * chi));
    check_memory("this VUMPS", bytes)?;
    let t = Instant::now();
    let r = vumps_observed(&w, problem, opts, &mut |i, e| tick(i, e)).map_err(|e| JobError::Usage(e.to_string()))?;
    Ok((r, t.elapsed().as_secs_f64()))
}
