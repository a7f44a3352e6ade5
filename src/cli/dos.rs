//! `onsager dos` and `onsager validate`.

use super::{progress_bar, show_progress, LatticeArgs, ModelArgs};
use crate::jobs::{dos, validate, Ctx, JobError};
use clap::Args;
use serde_json::json;

#[derive(Args)]
pub(crate) struct DosArgs {
    #[command(flatten)]
    p: dos::DosParams,
    /// also write energy,count to this CSV file
    #[arg(long)]
    csv: Option<std::path::PathBuf>,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    m: ModelArgs,
    #[command(flatten)]
    l: LatticeArgs,
    /// Monte Carlo samples, one or more files (comma-separated; each an independent chain, or
    /// several with a `chain` column): a header with `energy` (total, −Σ_bonds s_i s_j) and
    /// optionally `magnetization` (total), one row per sample in time order; comma, tab or
    /// whitespace separated, `#` comments
    #[arg(long, value_delimiter = ',', required = true)]
    input: Vec<std::path::PathBuf>,
    /// the file stores energy and magnetization per site (E/N, M/N)
    #[arg(long)]
    per_site: bool,
    /// draw the Monte Carlo energy histogram against the exact P(E) to a PNG
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
}

pub(crate) fn run_dos(a: &DosArgs) -> Result<(), JobError> {
    let job = a.p.validate()?;
    if let Some(p) = &a.csv {
        super::check_output(p, "--csv", &["csv"])?;
    }
    let label = job.dims.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("x");
    if job.method == dos::DosMethod::Transfer && !a.json {
        let (plan, secs) = dos::transfer_plan(&job, &Ctx::default())?;
        eprintln!(
            "microcanonical transfer matrix: {} layer states, {} starting layers × {} moduli, predicted {} and about {:.0} s",
            plan.layer_states,
            plan.representatives,
            plan.moduli,
            onsager_transfer::memory::human(plan.bytes),
            secs.max(1.0)
        );
    }
    let bar = progress_bar(show_progress(a.json), 1, "tasks");
    bar.set_message(format!("exact DOS of {label}"));
    let tick = |done: usize, of: usize| {
        bar.set_length(of as u64);
        bar.set_position(done as u64);
    };
    let r = dos::run(&a.p, &Ctx::with_progress(&tick))?;
    bar.finish_and_clear();
    if let Some(p) = &a.csv {
        let mut s = format!(
            "# exact density of states, {} on a periodic {label} torus; E = total energy (Ising −Σ s_i s_j, Potts −Σ δ, clock −Σ cos)\n# method: {}; counts sum to {}\nenergy,count\n",
            r.model, r.method, r.total
        );
        for (e, c) in r.energies.iter().zip(&r.counts) {
            s.push_str(&format!("{e},{c}\n"));
        }
        super::write_atomic(p, "--csv", s.as_bytes())?;
    }
    if a.json {
        super::emit_json(serde_json::to_value(&r).expect("a record serialises"));
        return Ok(());
    }
    println!(
        "Exact density of states of the {} model on a periodic {label} torus ({}, {:.3} s{}); E = total energy",
        r.model,
        r.method,
        r.seconds,
        r.peak_bytes.map(|b| format!(", peak {}", onsager_transfer::memory::human(b))).unwrap_or_default()
    );
    let show: Vec<usize> = if r.energies.len() <= 40 {
        (0..r.energies.len()).collect()
    } else {
        (0..10).chain(r.energies.len() - 10..r.energies.len()).collect()
    };
    println!("{:>12}  count", "E");
    for (i, &k) in show.iter().enumerate() {
        if i > 0 && k != show[i - 1] + 1 {
            println!("{:>12}  ... ({} levels; --csv or --json for all)", "", r.energies.len());
        }
        println!("{:>12}  {}", r.energies[k], r.counts[k]);
    }
    println!("total {} (= q^N)", r.total);
    if !r.thermodynamics.is_empty() {
        println!("\n{:>22} {:>22} {:>22} {:>22}", "K", "ln Z / N", "E / N", "C / N");
        for t in &r.thermodynamics {
            println!(
                "{:>22} {:>22.15e} {:>22.15} {:>22.15}",
                format!(
                    "{}{}",
                    if t.beta < 1e6 { t.beta.to_string() } else { format!("{:e}", t.beta) },
                    if t.critical { " (critical)" } else { "" }
                ),
                t.ln_z_per_site,
                t.energy_per_site,
                t.specific_heat_per_site
            );
        }
    }
    Ok(())
}

pub(crate) fn run_validate(a: &ValidateArgs) -> Result<(), JobError> {
    let (spec, beta, critical) = a.m.resolve()?;
    let d = a.l.dims(spec);
    if let Some(p) = &a.plot {
        super::check_output(p, "--plot", &["png"])?;
    }
    let sites: usize = d.iter().product();
    let mut chains = Vec::new();
    for path in &a.input {
        let text = std::fs::read_to_string(path)
            .map_err(|e| JobError::Usage(format!("--input {}: cannot read: {e}", path.display())))?;
        let mut c =
            validate::read_chains(&text).map_err(|e| JobError::Usage(format!("--input {}: {e}", path.display())))?;
        if a.per_site {
            for ch in c.iter_mut() {
                ch.energy.iter_mut().for_each(|e| *e *= sites as f64);
                if let Some(m) = ch.magnetization.as_mut() {
                    m.iter_mut().for_each(|x| *x *= sites as f64);
                }
            }
        }
        chains.extend(c);
    }
    let exact = validate::exact_reference(spec, &d, beta)?;
    let v = validate::validate_chains(&chains, &exact, beta, sites)?;
    let samples = validate::Samples {
        energy: chains.iter().flat_map(|c| c.energy.iter().copied()).collect(),
        magnetization: None,
    };
    if let Some(path) = &a.plot {
        use crate::plot::{panels, Panel, Series};
        let n = samples.energy.len() as f64;
        let mc: Vec<(f64, f64)> = exact
            .levels
            .iter()
            .map(|&(e, _)| {
                (e, samples.energy.iter().filter(|&&x| (x - e).abs() < 1e-6 * (1.0 + e.abs())).count() as f64 / n)
            })
            .collect();
        let ex: Vec<(f64, f64)> = exact.levels.clone();
        panels(
            path,
            &[Panel {
                title: format!(
                    "energy histogram, {} {} at K = {beta:.6}: verdict {}",
                    spec.name(),
                    d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("x"),
                    v.verdict
                ),
                x_label: "total energy E",
                y_label: "P(E)",
                series: vec![
                    Series { label: "exact P(E)", points: ex, line: true },
                    Series { label: "Monte Carlo frequency", points: mc, line: false },
                ],
                hlines: vec![],
            }],
        )?;
    }
    if a.m.json {
        super::emit_json(
            json!({"model": spec.name(), "dims": d, "beta": beta, "critical": critical, "samples": v.samples,
                "observables": v.observables.iter().map(|o| json!({"name": o.name, "mc_mean": o.mc_mean,
                    "mc_error": o.mc_error, "exact": o.exact, "z": o.z, "p_value": o.p_value, "tau_int": o.tau_int,
                    "tau_int_error": o.tau_error})).collect::<Vec<_>>(),
                "histogram_chi2": v.chi2, "histogram_dof": v.dof, "histogram_p_value": v.histogram_p_value,
                "effective_samples": v.effective_samples, "tau_max": v.tau_max, "batches": v.batches,
                "verdict": v.verdict, "reason": v.reason, "exact_source": v.source}),
        );
        return Ok(());
    }
    println!(
        "Monte Carlo vs exact: {} on a periodic {} torus at K = {beta}{}, {} samples (exact: {})",
        spec.name(),
        d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("x"),
        if critical { " (critical)" } else { "" },
        v.samples,
        v.source
    );
    println!("{:<36} {:>22} {:>20} {:>8} {:>10} {:>14}", "observable", "MC ± error", "exact", "t", "p", "τ_int");
    for o in &v.observables {
        println!(
            "{:<36} {:>22} {:>20.10} {:>8} {:>10.2e} {:>14}",
            o.name,
            format!("{:.6} ± {:.6}", o.mc_mean, o.mc_error),
            o.exact,
            if o.z.abs() < 1e6 { format!("{:.2}", o.z) } else { format!("{:.1e}", o.z) },
            o.p_value,
            format!("{:.2} ± {:.2}", o.tau_int, o.tau_error)
        );
    }
    println!("effective samples n/2τ_int = {:.0}; {} batches", v.effective_samples, v.batches);
    if v.batches > 0 {
        println!(
            "energy histogram: Hotelling T² = {:.4e} over {} bins (batch covariance), p = {:.3e}",
            v.chi2,
            v.dof + 1,
            v.histogram_p_value
        );
    }
    println!("verdict: {} — {}", v.verdict, v.reason);
    Ok(())
}
