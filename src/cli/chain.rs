//! `onsager dmrg | vumps`.

use crate::jobs::chain::{parse_chain, run_dmrg, run_vumps, Infinite, CHAINS};
use crate::jobs::{JobError, ModelSpec};
use clap::Args;
use onsager_tn::dmrg::{tfim_exact_levels, DmrgOptions};
use onsager_tn::vumps::VumpsOptions;
use serde_json::json;

/// Couplings shared by both commands.
#[derive(Args, Clone)]
pub(crate) struct ChainArgs {
    /// quantum chain: tfim (H = −ΣZZ − gΣX), xxz / heisenberg (spin ½, H = Σ SˣSˣ + SʸSʸ + ΔSᶻSᶻ),
    /// heisenberg1 (spin 1), qpotts (q-state quantum Potts); vumps also takes the 2D classical
    /// models ising, potts, clock (row transfer matrix)
    #[arg(long, default_value = "tfim")]
    model: String,
    /// transverse field g (tfim, qpotts; critical at 1)
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    g: f64,
    /// anisotropy Δ (xxz, heisenberg, heisenberg1)
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    delta: f64,
    /// number of states (qpotts, default 3; potts and clock)
    #[arg(long)]
    q: Option<usize>,
    /// bond dimension χ
    #[arg(long)]
    chi: Option<usize>,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(crate) struct DmrgArgs {
    #[command(flatten)]
    c: ChainArgs,
    /// number of sites N of the open chain
    #[arg(long)]
    length: usize,
    /// most full sweeps (left → right → left)
    #[arg(long, default_value_t = 20)]
    sweeps: usize,
    /// fewest full sweeps (set equal to --sweeps for a fixed count)
    #[arg(long, default_value_t = 2)]
    min_sweeps: usize,
    /// stop when E₀ changes by less than tol·|E₀| (and every bond entropy by < 1e-8) over a sweep
    #[arg(long, default_value_t = 1e-12)]
    tol: f64,
    /// also compute the gap E₁ − E₀ (a second, two-state run)
    #[arg(long)]
    gap: bool,
    /// a ring (periodic boundary) instead of an open chain; needs about χ² of the open chain's
    /// bond dimension for the same accuracy, and fits c with the periodic Calabrese–Cardy form
    #[arg(long)]
    periodic: bool,
}

#[derive(Args)]
pub(crate) struct VumpsArgs {
    #[command(flatten)]
    c: ChainArgs,
    /// coupling K for the classical models, a number > 0 or 'critical'
    #[arg(long, default_value = "critical", allow_hyphen_values = true)]
    beta: String,
    /// uniform field h for the classical models: weight exp(h Σ m(σ))
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    h: f64,
    /// stop when the gauge error ‖A_C − A_L C‖ falls below this
    #[arg(long, default_value_t = 1e-8)]
    tol: f64,
    /// iteration cap
    #[arg(long, default_value_t = 1000)]
    max_iter: usize,
}

fn spinner(json: bool, what: &str) -> indicatif::ProgressBar {
    if !super::show_progress(json) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!("{{elapsed_precise}} {what} {{msg}}"))
            .expect("valid template"),
    );
    bar
}

pub(crate) fn run_dmrg_cmd(a: &DmrgArgs) -> Result<(), JobError> {
    let c = &a.c;
    let chain = parse_chain(&c.model, c.g, c.delta, c.q)?
        .ok_or_else(|| JobError::Usage(format!("--model {} is out of range: one of {CHAINS}", c.model)))?;
    if !(a.tol > 0.0 && a.tol < 1.0) {
        return Err(JobError::Usage(format!("--tol = {} is out of range: 0 < tol < 1", a.tol)));
    }
    if a.sweeps == 0 {
        return Err(JobError::Usage("--sweeps = 0 is out of range: at least 1".into()));
    }
    if a.min_sweeps > a.sweeps {
        return Err(JobError::Usage(format!(
            "--min-sweeps = {} is out of range: ≤ --sweeps = {}",
            a.min_sweeps, a.sweeps
        )));
    }
    let opts = DmrgOptions {
        chi: c.chi.unwrap_or(64),
        max_sweeps: a.sweeps,
        min_sweeps: a.min_sweeps,
        energy_tol: a.tol,
        ..Default::default()
    };
    let bar = spinner(c.json, "DMRG");
    let job = run_dmrg(chain, a.length, a.periodic, &opts, a.gap, &|s, e| {
        bar.set_message(format!("sweep {s}: E₀ = {e:.12}"))
    })?;
    bar.finish_and_clear();
    let r = &job.result;
    let n = a.length;
    let mid = r.entropy.get(n / 2 - 1).copied().unwrap_or(0.0);
    let exact = match chain {
        onsager_tn::mpo::Chain::Tfim { g } if !a.periodic => Some(tfim_exact_levels(n, g)),
        _ => None,
    };
    if c.json {
        let mut out = json!({
            "method": "dmrg", "model": c.model, "periodic": a.periodic, "chain": chain.to_string(), "length": n, "chi": opts.chi,
            "energy": r.energy, "energy_per_site": r.energy / n as f64, "entropy": mid,

            "entropy_profile": r.entropy, "bond_energies": job.bond_energies, "truncation_error": r.truncation_error, "sweeps": r.sweeps,
            "sweep_energies": r.sweep_energies, "converged": r.converged, "seconds": job.seconds,
            "correlations": {"operator": job.operator, "from": n / 4, "connected": job.correlations},
        });
        let o = out.as_object_mut().expect("object");
        if let Some(cc) = job.central_charge {
            o.insert("central_charge".into(), json!(cc.c));
            o.insert("central_charge_error".into(), json!(cc.c_error));
        }
        if let Some(g) = job.gap {
            o.insert("gap".into(), json!(g));
        }
        if let Some((e, gap)) = exact {
            o.insert("exact_energy".into(), json!(e));
            o.insert("relative_error".into(), json!((r.energy - e).abs() / e.abs()));
            o.insert("exact_gap".into(), json!(gap));
        }
        super::emit_json(out);
        return Ok(());
    }
    println!(
        "two-site DMRG, {} {chain} chain, N = {n}, χ = {}",
        if a.periodic { "periodic" } else { "open" },
        opts.chi
    );
    println!("  E₀                     {:.15}", r.energy);
    println!("  E₀ / N                 {:.15}", r.energy / n as f64);
    if let Some((e, _)) = exact {
        println!("  free fermions (Pfeuty) {e:.15}   rel. error {:.2e}", (r.energy - e).abs() / e.abs());
    }
    if let Some(g) = job.gap {
        println!("  gap E₁ − E₀            {g:.12}");
        if let Some((_, exact_gap)) = exact {
            println!("  free fermions (Pfeuty) {exact_gap:.12}");
        }
    }
    println!("  entropy at N/2         {mid:.12}");
    if let Some(cc) = job.central_charge {
        println!("  central charge         {:.4} ± {:.4} (Calabrese–Cardy, {} cuts)", cc.c, cc.c_error, cc.points);
    }
    let show: Vec<String> = job.correlations.iter().take(8).map(|v| format!("{v:.3e}")).collect();
    println!("  ⟨O_i O_i+r⟩_c, O = {}, i = N/4, r = 1…: {}", job.operator, show.join(" "));
    println!("  truncation error       {:.3e}", r.truncation_error);
    println!("  sweeps                 {}{}", r.sweeps, if r.converged { "" } else { " (cap reached, not converged)" });
    println!("  time                   {:.3} s", job.seconds);
    Ok(())
}

pub(crate) fn run_vumps_cmd(a: &VumpsArgs) -> Result<(), JobError> {
    let c = &a.c;
    let quantum = parse_chain(&c.model, c.g, c.delta, c.q)?;
    let (what, beta, critical) = match quantum {
        Some(chain) => (Infinite::Quantum(chain), None, false),
        None => {
            // a classical name with a bad --q keeps the model's own message
            let classical = ["ising", "potts", "clock", "ising3d", "ising1d"].contains(&c.model.as_str());
            let spec = ModelSpec::parse(&c.model, c.q).map_err(|e| {
                if classical {
                    JobError::from(e)
                } else {
                    JobError::Usage(format!(
                        "--model {} is out of range: one of {CHAINS}, or ising, potts, clock",
                        c.model
                    ))
                }
            })?;
            let (beta, critical) = spec.beta(&a.beta)?;
            (Infinite::Classical(spec, beta, a.h), Some(beta), critical)
        }
    };
    let opts = VumpsOptions { chi: c.chi.unwrap_or(32), tol: a.tol, max_iter: a.max_iter };
    let bar = spinner(c.json, "VUMPS");
    let (r, seconds) = run_vumps(what, &opts, &|i, e| bar.set_message(format!("iteration {i}: gauge error {e:.2e}")))?;
    bar.finish_and_clear();
    let exact = match what {
        Infinite::Quantum(chain) => chain.exact_energy_per_site(),
        Infinite::Classical(spec, k, h) => {
            (spec.model == onsager_models::Model::Ising && h == 0.0).then(|| onsager_exact::onsager_ln_z_per_site(k))
        }
    };
    let value = r.energy_per_site.or(r.ln_z_per_site).expect("one of the two");
    if c.json {
        let mut out = json!({
            "method": "vumps", "model": c.model, "chi": opts.chi, "entropy": r.entropy,
            "correlation_length": r.correlation_length, "truncation_error": r.truncation_error,
            "gauge_error": r.gauge_error, "iterations": r.iterations, "converged": r.converged, "seconds": seconds,
        });
        let o = out.as_object_mut().expect("object");
        match what {
            Infinite::Quantum(chain) => {
                o.insert("chain".into(), json!(chain.to_string()));
                o.insert("energy_per_site".into(), json!(value));
                if let Some(e) = exact {
                    o.insert("exact_energy_per_site".into(), json!(e));
                    o.insert("relative_error".into(), json!((value - e).abs() / e.abs()));
                }
            }
            Infinite::Classical(_, k, _) => {
                o.insert("beta".into(), json!(k));
                o.insert("critical".into(), json!(critical));
                o.insert("ln_z_per_site".into(), json!(value));
                o.insert("free_energy_per_site".into(), json!(-value / k));
                if let Some(e) = exact {
                    o.insert("relative_error_vs_onsager".into(), json!((value - e).abs() / e));
                }
            }
        }
        super::emit_json(out);
        return Ok(());
    }
    match what {
        Infinite::Quantum(chain) => {
            println!("VUMPS, infinite {chain} chain, χ = {}", opts.chi);
            println!("  energy per site        {value:.15}");
            if let Some(e) = exact {
                println!("  exact                  {e:.15}   rel. error {:.2e}", (value - e).abs() / e.abs());
            }
        }
        Infinite::Classical(spec, k, h) => {
            println!(
                "VUMPS on the row transfer matrix of the 2D {} model, K = {k}{}{}, χ = {}",
                spec.model,
                if critical { " (critical)" } else { "" },
                if h != 0.0 { format!(", h = {h}") } else { String::new() },
                opts.chi
            );
            println!("  ln Z / N               {value:.15}");
            println!("  f = −ln Z/(βN)         {:.15}", -value / beta.unwrap_or(k));
            if let Some(e) = exact {
                println!("  rel. error vs Onsager  {:.3e}", (value - e).abs() / e);
            }
        }
    }
    println!("  entanglement entropy   {:.12}", r.entropy);
    println!("  correlation length     {:.6} sites", r.correlation_length);
    println!("  smallest Schmidt weight {:.3e}", r.truncation_error);
    println!(
        "  iterations             {}{} (gauge error {:.2e})",
        r.iterations,
        if r.converged { "" } else { ", not converged to --tol" },
        r.gauge_error
    );
    println!("  time                   {seconds:.3} s");
    Ok(())
}
