//! `onsager trg | hotrg | ctmrg`.

use super::ModelArgs;
use crate::jobs::tn::{coarse_grain, ctmrg, TnResult};
use crate::jobs::JobError;
use clap::Args;
use serde_json::json;

#[derive(Args)]
pub(crate) struct TnArgs {
    #[command(flatten)]
    m: ModelArgs,
    /// bond dimension χ
    #[arg(long, default_value_t = 32)]
    chi: usize,
    /// RG steps (trg, hotrg; each halves the tensors) or the iteration cap (ctmrg)
    #[arg(long)]
    steps: Option<usize>,
    /// uniform field h (trg, hotrg): weight exp(h Σ m(σ))
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    h: f64,
    /// ctmrg: stop when the normalised corner spectrum changes by less than this
    #[arg(long, default_value_t = 1e-13)]
    tol: f64,
}

pub(crate) fn run(name: &str, a: &TnArgs) -> Result<(), JobError> {
    let (spec, beta, critical) = a.m.resolve()?;
    if beta <= 0.0 {
        return Err(JobError::Usage("--beta must be > 0 for the tensor-network free energy f = −lnZ/(βN)".into()));
    }
    let r: TnResult = if name == "ctmrg" {
        ctmrg(spec, beta, a.chi, a.tol, a.steps.unwrap_or(20000))?
    } else {
        let steps = a.steps.unwrap_or(40);
        let bar = super::progress_bar(super::show_progress(a.m.json), steps as u64, "RG steps");
        let r = coarse_grain(name, spec, beta, a.h, a.chi, steps, &|| bar.inc(1))?;
        bar.finish_and_clear();
        r
    };
    let exact =
        (spec.model == onsager_models::Model::Ising && a.h == 0.0).then(|| onsager_exact::onsager_ln_z_per_site(beta));
    if a.m.json {
        let mut out = json!({
            "method": name, "model": spec.name(), "beta": beta, "critical": critical, "chi": a.chi,
            "ln_z_per_site": r.ln_z_per_site, "free_energy_per_site": r.free_energy_per_site,
            "truncation_error": r.truncation_error, "steps": r.steps, "seconds": r.seconds,
            "seconds_per_step": r.seconds_per_step,
        });
        let o = out.as_object_mut().expect("object");
        if let Some(u) = r.energy_per_site {
            o.insert("energy_per_site".into(), json!(u));
        }
        if let Some(m) = r.magnetization {
            o.insert("magnetization".into(), json!(m));
        }
        if let Some(c) = r.converged {
            o.insert("converged".into(), json!(c));
        }
        if let Some(e) = exact {
            o.insert("relative_error_vs_onsager".into(), json!((r.ln_z_per_site - e).abs() / e));
        }
        println!("{out}");
        return Ok(());
    }
    println!(
        "{name} for the {} model on the infinite square lattice, K = {beta}{}, χ = {}",
        spec.model,
        if critical { " (critical)" } else { "" },
        a.chi
    );
    println!("  ln Z / N               {:.15}", r.ln_z_per_site);
    println!("  f = −ln Z/(βN)         {:.15}", r.free_energy_per_site);
    if let Some(e) = exact {
        println!("  rel. error vs Onsager  {:.3e}", (r.ln_z_per_site - e).abs() / e);
    }
    if let Some(u) = r.energy_per_site {
        println!("  energy per site        {u:.15}");
    }
    if let Some(m) = r.magnetization {
        println!("  magnetization          {m:.15}");
    }
    let what = if name == "ctmrg" { "iterations" } else { "steps" };
    println!(
        "  {what:<22} {}{}",
        r.steps,
        match r.converged {
            Some(false) => " (cap reached, not converged)",
            _ => "",
        }
    );
    println!("  truncation error       {:.3e}", r.truncation_error);
    println!("  time                   {:.3} s ({:.4} s per step)", r.seconds, r.seconds_per_step);
    Ok(())
}
