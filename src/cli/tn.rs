//! `onsager trg | btrg | hotrg | ctmrg`.

use crate::jobs::tn::{TnParams, TnRecord};
use crate::jobs::{Ctx, JobError};
use clap::Args;

#[derive(Args)]
pub(crate) struct TnArgs {
    #[command(flatten)]
    p: TnParams,
    /// trg, btrg, hotrg: draw the convergence (lnZ/N error and discarded weight per step) to a PNG
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(name: &str, a: &TnArgs) -> Result<(), JobError> {
    let job = a.p.validate(name)?;
    if let Some(p) = &a.plot {
        if name == "ctmrg" {
            return Err(JobError::param("plot", format!("draws the RG steps of trg, btrg and hotrg, not {name}")));
        }
        super::check_output(p, "--plot", &["png"])?;
    }
    let bar = super::progress_bar(super::show_progress(a.json), 1, "RG steps");
    let tick = |done: usize, of: usize| {
        bar.set_length(of as u64);
        bar.set_position(done as u64);
    };
    let r = crate::jobs::tn::run_checked(name, &a.p, &job, &Ctx::with_progress(&tick))?;
    bar.finish_and_clear();
    if let Some(path) = &a.plot {
        plot(path, &r)?;
    }
    if a.json {
        super::print_json(&r);
        return Ok(());
    }
    println!(
        "{name} for the {} model on the infinite {} lattice, K = {}{}, χ = {}",
        job.spec.model,
        if job.spec.dim == 3 { "simple cubic" } else { "square" },
        super::coupling(r.beta),
        if r.critical { " (critical)" } else { "" },
        r.chi
    );
    println!("  ln Z / N               {}", super::num(r.ln_z_per_site, 15));
    println!("  f = −ln Z/(βN)         {}", super::num(r.free_energy_per_site, 15));
    if let Some(e) = r.relative_error_vs_onsager {
        println!("  rel. error vs Onsager  {e:.3e}");
    }
    if let (Some(t), Some(e)) = (&r.torus, r.relative_error_vs_kaufman) {
        println!("  rel. error vs Kaufman  {e:.3e}  (the {} torus these {} steps close)", t.replace('x', "×"), r.steps);
    }
    if let Some(e) = r.relative_error_vs_series {
        println!("  rel. error vs series   {e:.3e}  (f(K_c) of the high-temperature series, an estimate)");
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
    if let (Some(c), Some(x), Some(ce), Some(xe), Some((a, at, b))) = (
        r.central_charge,
        &r.scaling_dimensions,
        r.central_charge_spread,
        &r.scaling_dimensions_spread,
        r.spectrum_steps,
    ) {
        println!(
            "  central charge (Gu–Wen) {c:.5} ± {ce:.5}  (step {at}; ± = spread over the stationary steps {a}..{b})"
        );
        let x: Vec<String> = x.iter().zip(xe).map(|(v, e)| format!("{v:.4}±{e:.4}")).collect();
        println!("  scaling dimensions     {}", x.join(" "));
    }
    println!("  time                   {:.3} s ({:.4} s per step)", r.seconds, r.seconds_per_step);
    Ok(())
}

/// log10 of |x|, floored at 1e-17 (exact zeros stay on the chart).
fn lg(x: f64) -> f64 {
    x.abs().max(1e-17).log10()
}

fn plot(path: &std::path::Path, r: &TnRecord) -> Result<(), JobError> {
    use crate::plot::{panels, Panel, Series};
    let (name, chi, beta, exact) = (&r.method, r.chi, r.beta, r.exact);
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
                series: vec![Series { label: "lnZ/N estimate", points: err, line: true, errors: Vec::new() }],
                hlines: vec![],
            },
            Panel {
                title: "discarded weight per step".into(),
                x_label: "RG step",
                y_label: "log10 truncation error",
                series: vec![Series { label: "truncation error", points: trunc, line: true, errors: Vec::new() }],
                hlines: vec![],
            },
        ],
    )
}
