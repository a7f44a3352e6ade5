//! `onsager trg | hotrg | ctmrg`.

use super::ModelArgs;
use crate::jobs::tn::{coarse_grain, ctmrg, CtmrgJob, CtmrgMethod, TnResult};
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
    /// RG steps (trg, hotrg; each halves the tensors; default 40 in 2D, 24 for ising3d) or the
    /// iteration cap of the method that finishes the run (ctmrg: 20000 for --power and the
    /// directional form, 2000 for the fixed-point corner method)
    #[arg(long)]
    steps: Option<usize>,
    /// uniform field h (all four): weight exp(h Σ m(σ))
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    h: f64,
    /// ctmrg: coupling on vertical bonds when it differs from --beta (anisotropic; runs the
    /// directional CTMRG)
    #[arg(long, allow_hyphen_values = true)]
    beta_y: Option<f64>,
    /// ctmrg: the four-corner directional form, for any site tensor (default: C4v when the
    /// tensor has the square symmetry)
    #[arg(long)]
    directional: bool,
    /// ctmrg: stop the power method when the normalised corner spectrum changes by less than this
    /// in one iteration (default 1e-13); with --fpcm, stop the fixed-point corner method when the
    /// boundary tensor A_C = C E C changes by less than this, relative (default 1e-10)
    #[arg(long)]
    tol: Option<f64>,
    /// ctmrg (C4v): 50 power iterations, then the fixed-point corner method (Krylov eigensolvers
    /// for edge and corner). The default runs the power method and switches to it after 1000
    /// iterations without convergence (at or near a critical point)
    #[arg(long, conflicts_with = "power")]
    fpcm: bool,
    /// ctmrg (C4v): the power method only, up to --steps iterations (default 20000)
    #[arg(long)]
    power: bool,
    /// trg, btrg, hotrg: central charge and scaling dimensions from the last tensor (Gu–Wen);
    /// at a critical point choose --steps so the tensor sits at its fixed point (about 10–16)
    #[arg(long)]
    spectrum: bool,
    /// hotrg: also the energy per site and the magnetization, from impurity tensors carried
    /// through every step (about 3× the cost of a step)
    #[arg(long)]
    observables: bool,
    /// trg, btrg, hotrg: draw the convergence (lnZ/N error and discarded weight per step) to a PNG
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
}

/// 3D Ising free energy f = −lnZ/(NK) at K_c = 0.221654626, from the high-temperature series
/// (shared/reference.json, ising3d.free_energy_Kc_series).
const ISING3D_F_KC: f64 = -3.5083582548883747;

pub(crate) fn run(name: &str, a: &TnArgs) -> Result<(), JobError> {
    let (spec, beta, critical) = a.m.resolve()?;
    if beta <= 0.0 {
        return Err(JobError::Usage("--beta must be > 0 for the tensor-network free energy f = −lnZ/(βN)".into()));
    }
    if name != "ctmrg" && (a.beta_y.is_some() || a.directional || a.fpcm || a.power || a.tol.is_some()) {
        let what = if a.directional {
            "--directional"
        } else if a.fpcm {
            "--fpcm"
        } else if a.power {
            "--power"
        } else if a.tol.is_some() {
            "--tol"
        } else {
            "--beta-y"
        };
        return Err(JobError::Usage(format!("{what} is out of range for {name}: ctmrg only")));
    }
    let r: TnResult = if name == "ctmrg" {
        let method = match (a.fpcm, a.power) {
            (true, _) => CtmrgMethod::Fpcm,
            (_, true) => CtmrgMethod::Power,
            _ => CtmrgMethod::Auto,
        };
        let job = CtmrgJob {
            beta,
            beta_y: a.beta_y,
            h: a.h,
            chi: a.chi,
            // --steps caps the method that finishes the run; --tol is the power method's unless --fpcm
            tol: if a.fpcm { 1e-13 } else { a.tol.unwrap_or(1e-13) },
            max_iter: a.steps.unwrap_or(20000),
            directional: a.directional,
            method,
            fpcm_tol: if a.fpcm { a.tol.unwrap_or(1e-10) } else { 1e-10 },
            fpcm_max_iter: a.steps.unwrap_or(2000),
        };
        ctmrg(spec, job)?
    } else {
        // 3D: lnZ/N changes by ~2⁻ⁿ per step, below 1e-7 after 24 steps (2²⁴ sites)
        let steps = a.steps.unwrap_or(if spec.dim == 3 { 24 } else { 40 });
        let bar = super::progress_bar(super::show_progress(a.m.json), steps as u64, "RG steps");
        let r = coarse_grain(name, spec, beta, a.h, a.chi, steps, a.spectrum, a.observables, &|| bar.inc(1))?;
        bar.finish_and_clear();
        r
    };
    let exact = (spec.model == onsager_models::Model::Ising && spec.dim == 2 && a.h == 0.0).then(|| match a.beta_y {
        Some(by) => onsager_exact::onsager_ln_z_anisotropic(beta, by),
        None => onsager_exact::onsager_ln_z_per_site(beta),
    });
    // After N HOTRG steps one 2D tensor closes a 2^⌈N/2⌉ × 2^⌊N/2⌋ torus, and the final 2 × 2 of
    // it is contracted exactly: against Kaufman's finite torus for the Ising model (N ≤ 20)
    let torus = (name == "hotrg" && exact.is_some() && a.beta_y.is_none() && r.steps <= 20)
        .then(|| (1usize << r.steps.div_ceil(2), 1usize << (r.steps / 2)))
        .map(|(rows, cols)| (rows, cols, onsager_exact::kaufman_ln_z(rows, cols, beta) / (rows * cols) as f64));
    // 3D Ising at K_c: f = −lnZ/(NK) from the series estimate (shared/reference.json,
    // ising3d.free_energy_Kc_series); not exact, so reported as a reference, not an error
    let series = (spec.dim == 3 && critical && a.h == 0.0).then_some(-ISING3D_F_KC * beta);
    if let Some(path) = &a.plot {
        plot(path, name, a.chi, beta, &r, exact)?;
    }
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
        if let Some(c) = r.power_step_change {
            o.insert("power_step_change".into(), json!(c));
        }
        if let Some(n) = r.fpcm_iterations {
            o.insert("fpcm_iterations".into(), json!(n));
        }
        if let Some(cft) = &r.cft {
            o.insert("central_charge".into(), json!(cft.central_charge));
            o.insert("scaling_dimensions".into(), json!(cft.scaling_dimensions));
        }
        if let Some(e) = exact {
            o.insert("relative_error_vs_onsager".into(), json!((r.ln_z_per_site - e).abs() / e));
        }
        if let Some(e) = series {
            o.insert("relative_error_vs_series".into(), json!((r.ln_z_per_site - e).abs() / e));
        }
        if let Some((rows, cols, e)) = torus {
            o.insert("torus".into(), json!(format!("{rows}x{cols}")));
            o.insert("relative_error_vs_kaufman".into(), json!((r.ln_z_per_site - e).abs() / e));
        }
        super::emit_json(out);
        return Ok(());
    }
    println!(
        "{name} for the {} model on the infinite {} lattice, K = {beta}{}, χ = {}",
        spec.model,
        if spec.dim == 3 { "simple cubic" } else { "square" },
        if critical { " (critical)" } else { "" },
        a.chi
    );
    println!("  ln Z / N               {:.15}", r.ln_z_per_site);
    println!("  f = −ln Z/(βN)         {:.15}", r.free_energy_per_site);
    if let Some(e) = exact {
        println!("  rel. error vs Onsager  {:.3e}", (r.ln_z_per_site - e).abs() / e);
    }
    if let Some((rows, cols, e)) = torus {
        println!(
            "  rel. error vs Kaufman  {:.3e}  (the {rows}×{cols} torus these {} steps close)",
            (r.ln_z_per_site - e).abs() / e,
            r.steps
        );
    }
    if let Some(e) = series {
        println!(
            "  rel. error vs series   {:.3e}  (f(K_c) = {ISING3D_F_KC}, series estimate)",
            (r.ln_z_per_site - e).abs() / e
        );
    }
    if let Some(u) = r.energy_per_site {
        println!("  energy per site        {u:.15}");
    }
    if let Some(m) = r.magnetization {
        println!("  magnetization          {m:.15}");
    }
    let what = if name == "ctmrg" { "iterations" } else { "steps" };
    let count = match r.fpcm_iterations {
        Some(n) => format!("{} power + {n} fixed-point corner method", r.steps - n),
        None => r.steps.to_string(),
    };
    println!(
        "  {what:<22} {count}{}",
        match r.converged {
            Some(false) => " (cap reached, not converged)",
            _ => "",
        }
    );
    println!("  truncation error       {:.3e}", r.truncation_error);
    if let Some(c) = r.power_step_change {
        println!(
            "  power-step check       {c:.3e}  (corner-spectrum change of one CTMRG iteration from the fixed point)"
        );
    }
    if let Some(cft) = &r.cft {
        println!("  central charge (Gu–Wen) {:.6}", cft.central_charge);
        let x: Vec<String> = cft.scaling_dimensions.iter().map(|v| format!("{v:.5}")).collect();
        println!("  scaling dimensions     {}", x.join(" "));
    }
    println!("  time                   {:.3} s ({:.4} s per step)", r.seconds, r.seconds_per_step);
    Ok(())
}

/// log10 of |x|, floored at 1e-17 (exact zeros stay on the chart).
fn lg(x: f64) -> f64 {
    x.abs().max(1e-17).log10()
}

fn plot(
    path: &std::path::Path,
    name: &str,
    chi: usize,
    beta: f64,
    r: &TnResult,
    exact: Option<f64>,
) -> Result<(), JobError> {
    use crate::plot::{panels, Panel, Series};
    if r.history.is_empty() {
        return Err(JobError::Usage(format!("--plot draws the RG steps of trg, btrg and hotrg, not {name}")));
    }
    let reference = exact.unwrap_or(r.ln_z_per_site);
    let err: Vec<(f64, f64)> = r.history.iter().map(|&(k, l, _)| (k as f64, lg((l - reference) / reference))).collect();
    let trunc: Vec<(f64, f64)> = r.history.iter().map(|&(k, _, t)| (k as f64, lg(t))).collect();
    panels(
        path,
        &[
            Panel {
                title: format!("{name}, χ = {chi}, K = {beta:.6}"),
                x_label: "RG step",
                y_label: if exact.is_some() {
                    "log10 rel. error of lnZ/N vs Onsager"
                } else {
                    "log10 |lnZ/N − final| / final"
                },
                series: vec![Series { label: "lnZ/N estimate", points: err, line: true }],
                hlines: vec![],
            },
            Panel {
                title: "discarded weight per step".into(),
                x_label: "RG step",
                y_label: "log10 truncation error",
                series: vec![Series { label: "truncation error", points: trunc, line: true }],
                hlines: vec![],
            },
        ],
    )
}
