//! `onsager dos` and `onsager validate`.

use super::{progress_bar, show_progress, LatticeArgs, ModelArgs};
use crate::jobs::{dos, validate, JobError};
use clap::Args;
use serde_json::json;

#[derive(Args)]
pub(crate) struct DosArgs {
    #[command(flatten)]
    m: ModelArgs,
    #[command(flatten)]
    l: LatticeArgs,
    /// also write energy,count to this CSV file
    #[arg(long)]
    csv: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    m: ModelArgs,
    #[command(flatten)]
    l: LatticeArgs,
    /// Monte Carlo samples: CSV with a header, columns `energy` (total, −Σ_bonds s_i s_j) and
    /// optionally `magnetization` (total), one row per sample in time order
    #[arg(long)]
    input: std::path::PathBuf,
    /// draw the Monte Carlo energy histogram against the exact P(E) to a PNG
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
}

pub(crate) fn run_dos(a: &DosArgs) -> Result<(), JobError> {
    let (spec, _, _) = a.m.resolve()?;
    let d = a.l.dims(spec);
    let bar = progress_bar(show_progress(a.m.json), dos::ticks(spec, &d) as u64, "primes");
    bar.set_message(format!("exact DOS of {}", d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("x")));
    let t0 = std::time::Instant::now();
    let r = dos::dos(spec, &d, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let secs = t0.elapsed().as_secs_f64();
    if let Some(p) = &a.csv {
        let mut s = format!(
            "# exact density of states, {} on a periodic {} torus; E = total energy (Ising −Σ s_i s_j, Potts −Σ δ, clock −Σ cos)\n# method: {}; counts sum to {}\nenergy,count\n",
            spec.name(),
            d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("x"),
            r.method,
            r.total
        );
        for (e, c) in r.energies.iter().zip(&r.counts) {
            s.push_str(&format!("{e},{c}\n"));
        }
        std::fs::write(p, s).map_err(|e| JobError::Usage(format!("--csv {}: cannot write: {e}", p.display())))?;
    }
    if a.m.json {
        super::emit_json(
            json!({"model": spec.name(), "dims": d, "sites": d.iter().product::<usize>(), "method": r.method,
                "energy_convention": "total E = -sum over bonds of the bond variable (Ising s_i s_j)",
                "energies": r.energies, "counts": r.counts, "total": r.total, "seconds": secs}),
        );
        return Ok(());
    }
    println!(
        "Exact density of states of the {} model on a periodic {} torus ({}, {:.3} s); E = total energy",
        spec.name(),
        d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("x"),
        r.method,
        secs
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
    Ok(())
}

pub(crate) fn run_validate(a: &ValidateArgs) -> Result<(), JobError> {
    let (spec, beta, critical) = a.m.resolve()?;
    let d = a.l.dims(spec);
    let text = std::fs::read_to_string(&a.input)
        .map_err(|e| JobError::Usage(format!("--input {}: cannot read: {e}", a.input.display())))?;
    let samples =
        validate::read_samples(&text).map_err(|e| JobError::Usage(format!("--input {}: {e}", a.input.display())))?;
    let exact = validate::exact_reference(spec, &d, beta)?;
    let v = validate::validate(&samples, &exact, beta, d.iter().product())?;
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
                    "mc_error": o.mc_error, "exact": o.exact, "z": o.z, "tau_int": o.tau_int})).collect::<Vec<_>>(),
                "histogram_chi2": v.chi2, "histogram_dof": v.dof, "histogram_p_value": v.histogram_p_value,
                "verdict": v.verdict, "exact_source": v.source}),
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
    println!("{:<36} {:>22} {:>20} {:>8} {:>8}", "observable", "MC ± error", "exact", "z", "τ_int");
    for o in &v.observables {
        println!(
            "{:<36} {:>22} {:>20.10} {:>8.2} {:>8.2}",
            o.name,
            format!("{:.6} ± {:.6}", o.mc_mean, o.mc_error),
            o.exact,
            o.z,
            o.tau_int
        );
    }
    println!(
        "energy histogram: χ² (autocorrelation-corrected per bin) = {:.2} for {} degrees of freedom, p = {:.3e}",
        v.chi2, v.dof, v.histogram_p_value
    );
    println!("verdict: {} (inconsistent if some |z| > 4 or p < 1e-4)", v.verdict);
    Ok(())
}
