//! `onsager dmrg | vumps`.

use crate::jobs::chain::{run_dmrg_checked, run_vumps_checked, DmrgParams, Infinite, VumpsParams};
use crate::jobs::{Ctx, JobError};
use clap::Args;

#[derive(Args)]
pub(crate) struct DmrgArgs {
    #[command(flatten)]
    p: DmrgParams,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(crate) struct VumpsArgs {
    #[command(flatten)]
    p: VumpsParams,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
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
    let job = a.p.validate()?;
    let bar = spinner(a.json, "DMRG");
    let message = |m: &str| bar.set_message(m.to_string());
    let r = run_dmrg_checked(&a.p, &job, &Ctx { on_message: Some(&message), ..Ctx::default() })?;
    bar.finish_and_clear();
    if a.json {
        super::print_json(&r);
        return Ok(());
    }
    println!(
        "two-site DMRG, {} {} chain, N = {}, χ = {}",
        if r.periodic { "periodic" } else { "open" },
        r.chain,
        r.length,
        r.chi
    );
    println!("  E₀                     {:.15}", r.energy);
    println!("  E₀ / N                 {:.15}", r.energy_per_site);
    if let (Some(e), Some(err)) = (r.exact_energy, r.relative_error) {
        println!("  free fermions (Pfeuty) {e:.15}   rel. error {err:.2e}");
    }
    if let Some(g) = r.gap {
        println!("  gap E₁ − E₀            {g:.12}");
        if let Some(exact_gap) = r.exact_gap {
            println!("  free fermions (Pfeuty) {exact_gap:.12}");
        }
    }
    println!("  entropy at N/2         {:.12}", r.entropy);
    if let (Some(c), Some(e)) = (r.central_charge, r.central_charge_error) {
        println!("  central charge         {c:.4} ± {e:.4} (Calabrese–Cardy, {} cuts)", r.central_charge_points);
    }
    let show: Vec<String> = r.correlations.connected.iter().take(8).map(|v| format!("{v:.3e}")).collect();
    println!("  ⟨O_i O_i+r⟩_c, O = {}, i = N/4, r = 1…: {}", r.correlations.operator, show.join(" "));
    println!("  truncation error       {:.3e}", r.truncation_error);
    println!("  sweeps                 {}{}", r.sweeps, if r.converged { "" } else { " (cap reached, not converged)" });
    println!("  time                   {:.3} s", r.seconds);
    Ok(())
}

pub(crate) fn run_vumps_cmd(a: &VumpsArgs) -> Result<(), JobError> {
    let job = a.p.validate()?;
    let bar = spinner(a.json, "VUMPS");
    let message = |m: &str| bar.set_message(m.to_string());
    let r = run_vumps_checked(&a.p, &job, &Ctx { on_message: Some(&message), ..Ctx::default() })?;
    bar.finish_and_clear();
    if a.json {
        super::print_json(&r);
        return Ok(());
    }
    match r.solved {
        Some(Infinite::Classical(spec, k, h)) => {
            println!(
                "VUMPS on the row transfer matrix of the 2D {} model, K = {k}{}{}, χ = {}",
                spec.model,
                if r.critical == Some(true) { " (critical)" } else { "" },
                if h != 0.0 { format!(", h = {h}") } else { String::new() },
                r.chi
            );
            println!("  ln Z / N               {}", super::num(r.ln_z_per_site.unwrap_or_default(), 15));
            println!("  f = −ln Z/(βN)         {}", super::num(r.free_energy_per_site.unwrap_or_default(), 15));
            if let Some(e) = r.relative_error_vs_onsager {
                println!("  rel. error vs Onsager  {e:.3e}");
            }
        }
        _ => {
            println!("VUMPS, infinite {} chain, χ = {}", r.chain.as_deref().unwrap_or(&r.model), r.chi);
            println!("  energy per site        {:.15}", r.energy_per_site.unwrap_or_default());
            if let (Some(e), Some(err)) = (r.exact_energy_per_site, r.relative_error) {
                println!("  exact                  {e:.15}   rel. error {err:.2e}");
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
    println!("  time                   {:.3} s", r.seconds);
    Ok(())
}
