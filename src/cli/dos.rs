//! `onsager dos` and `onsager validate`.

use super::{progress_bar, show_progress};
use crate::jobs::{dos, validate, Ctx, JobError};
use clap::Args;

#[derive(Args)]
pub(crate) struct DosArgs {
    #[command(flatten)]
    p: dos::DosParams,
    /// also write energy,count (with --joint: energy,magnetization,count) to this CSV file
    #[arg(long)]
    csv: Option<std::path::PathBuf>,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    p: validate::ValidateParams,
    /// Monte Carlo samples, one or more files (comma-separated; each an independent chain, or
    /// several with a `chain` column): a header with `energy` (total, −Σ_bonds s_i s_j) and
    /// optionally `magnetization` (total |M|), one row per sample in time order; comma, tab or
    /// whitespace separated, `#` comments. Several couplings: `--beta B1,B2,...` with one file
    /// per β in that order, or a `beta` column; one table, and with --plot E/N and C/N against β
    #[arg(long, value_delimiter = ',', required = true)]
    input: Vec<std::path::PathBuf>,
    /// draw the Monte Carlo energy histogram against the exact P(E) to a PNG (several β: E/N
    /// and C/N with error bars on the exact curves)
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
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
    if !a.json && !job.betas.is_empty() && a.p.magnetization != dos::MagnetizationMode::Off {
        if let Ok((plan, secs)) = dos::magnetization_plan(job.spec, &job.dims, &Ctx::default()) {
            eprintln!(
                "magnetization moments: {} layer states × {} values of M, {} starting layers, predicted {} and about {:.0} s per β",
                plan.layer_states,
                plan.lattice_points,
                plan.representatives,
                onsager_transfer::memory::human(plan.bytes),
                secs.max(1.0)
            );
        }
    }
    if a.p.joint && !a.json {
        let (plan, secs) = dos::joint_plan(&job, &Ctx::default())?;
        eprintln!(
            "joint counts g(E, M): {} layer states × {} coefficients, predicted {} and about {:.0} s",
            plan.layer_states,
            plan.degree,
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
    let r = dos::run_checked(&a.p, &job, &Ctx::with_progress(&tick))?;
    bar.finish_and_clear();
    if let Some(p) = &a.csv {
        let mut s = format!(
            "# exact density of states, {} on a periodic {label} torus; E = total energy (Ising −Σ s_i s_j, Potts −Σ δ, clock −Σ cos)\n# method: {}; counts sum to {}\nenergy,count\n",
            r.model, r.method, r.total
        );
        match &r.joint {
            Some(j) => {
                s = s
                    .replace("energy,count\n", "energy,magnetization,count\n")
                    .replace("exact density of states,", "exact joint counts g(E, M) (M = sum of s),");
                for ((e, m), c) in j.energies.iter().zip(&j.magnetizations).zip(&j.counts) {
                    s.push_str(&format!("{e},{m},{c}\n"));
                }
            }
            None => {
                for (e, c) in r.energies.iter().zip(&r.counts) {
                    s.push_str(&format!("{e},{c}\n"));
                }
            }
        }
        super::write_atomic(p, "--csv", s.as_bytes())?;
    }
    if a.json {
        super::print_json(&r);
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
    if let Some(j) = &r.joint {
        println!(
            "joint counts g(E, M): {} non-zero entries (M = Σ s from {} to {}); --csv or --json for all",
            j.counts.len(),
            j.magnetizations.first().copied().unwrap_or(0),
            j.magnetizations.last().copied().unwrap_or(0)
        );
    }
    if !r.thermodynamics.is_empty() {
        println!("\n{:>22} {:>22} {:>22} {:>22}", "K", "ln Z / N", "E / N", "C / N");
        for t in &r.thermodynamics {
            println!(
                "{:>22} {:>22.15e} {:>22.15} {:>22.15}",
                format!("{}{}", super::coupling(t.beta), if t.critical { " (critical)" } else { "" }),
                t.ln_z_per_site,
                t.energy_per_site,
                t.specific_heat_per_site
            );
        }
        if r.thermodynamics.iter().all(|t| t.magnetization.is_some()) {
            println!("\n{:>22} {:>22} {:>22} {:>22} {:>22}", "K", "<|m|>", "<m^2>", "U_4", "chi / N");
            for t in &r.thermodynamics {
                let m = t.magnetization.expect("checked");
                println!(
                    "{:>22} {:>22.15} {:>22.15} {:>22.15} {:>22.15}",
                    super::coupling(t.beta),
                    m.abs_magnetization,
                    m.m2,
                    m.binder_cumulant,
                    m.susceptibility_per_site
                );
            }
            println!("m = M/N, M = sum of unit spin vectors (Potts: simplex vertices); chi = beta N (<m^2> - <|m|>^2)");
        }
        if let Some(n) = &r.magnetization_note {
            println!("{n}");
        }
    }
    Ok(())
}

pub(crate) fn run_validate(a: &ValidateArgs) -> Result<(), JobError> {
    let spec = crate::jobs::ModelSpec::parse(&a.p.model.model, a.p.model.q)?;
    a.p.lattice.dims(spec)?;
    let list = validate::betas(&a.p)?;
    if let Some(p) = &a.plot {
        super::check_output(p, "--plot", &["png"])?;
    }
    // every chain with its β: from a `beta` column, else file i at the i-th β of --beta
    let mut tagged: Vec<(f64, validate::Samples)> = Vec::new();
    for (i, path) in a.input.iter().enumerate() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| JobError::param("input", format!("{}: cannot read: {e}", path.display())))?;
        let chains = validate::read_chains_at(&text)
            .map_err(|e| JobError::param("input", format!("{}: {e}", path.display())))?;
        for (b, c) in chains {
            let beta = match b {
                Some(b) => b,
                None if list.len() == 1 => list[0].0,
                None if a.input.len() == list.len() => list[i].0,
                None => {
                    return Err(JobError::Usage(format!(
                        "--input: {} files for {} couplings of --beta and no `beta` column: give one file per β, in the order of --beta, or a `beta` column",
                        a.input.len(),
                        list.len()
                    )))
                }
            };
            tagged.push((beta, c));
        }
    }
    if list.len() > 1 {
        return render_scan(a, validate::run_scan(&a.p, tagged)?);
    }
    let same = |x: f64| (x - list[0].0).abs() <= 1e-12 * x.abs().max(list[0].0.abs());
    if let Some((b, _)) = tagged.iter().find(|(b, _)| !same(*b)) {
        return Err(JobError::Usage(format!(
            "--input: a chain at β = {b} is not the --beta of this run ({})",
            list[0].0
        )));
    }
    let chains: Vec<validate::Samples> = tagged.into_iter().map(|c| c.1).collect();
    let v = validate::run(&a.p, chains.clone())?;
    let label = v.dims.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("x");
    if let Some(path) = &a.plot {
        use crate::plot::{panels, Panel, Series};
        let scale = if a.p.per_site { v.dims.iter().product::<usize>() as f64 } else { 1.0 };
        let energy: Vec<f64> = chains.iter().flat_map(|c| c.energy.iter().map(|e| e * scale)).collect();
        let n = energy.len() as f64;
        let mc: Vec<(f64, f64)> = v
            .exact_levels
            .iter()
            .map(|&(e, _)| (e, energy.iter().filter(|&&x| (x - e).abs() < 1e-6 * (1.0 + e.abs())).count() as f64 / n))
            .collect();
        panels(
            path,
            &[Panel {
                title: format!("energy histogram, {} {label} at K = {:.6}: verdict {}", v.model, v.beta, v.verdict),
                x_label: "total energy E",
                y_label: "P(E)",
                series: vec![
                    Series { label: "exact P(E)", points: v.exact_levels.clone(), line: true, errors: Vec::new() },
                    Series { label: "Monte Carlo frequency", points: mc, line: false, errors: Vec::new() },
                ],
                hlines: vec![],
            }],
        )?;
    }
    if a.json {
        super::print_json(&v);
        return Ok(());
    }
    println!(
        "Monte Carlo vs exact: {} on a periodic {label} torus at K = {}{}, {} samples (exact: {})",
        v.model,
        super::coupling(v.beta),
        if v.critical { " (critical)" } else { "" },
        v.samples,
        v.exact_source
    );
    println!("{:<36} {:>22} {:>20} {:>8} {:>10} {:>14}", "observable", "MC ± error", "exact", "t", "p", "τ_int");
    for o in &v.observables {
        println!(
            "{:<36} {:>22} {:>20.10} {:>8} {:>10.2e} {:>14}",
            o.name,
            format!("{:.6} ± {:.6}", o.mc_mean, o.mc_error),
            o.exact,
            t_text(o.z),
            o.p_value,
            format!("{:.2} ± {:.2}", o.tau_int, o.tau_error)
        );
    }
    println!("effective samples n/2τ_int = {:.0}; {} batches", v.effective_samples, v.batches);
    if v.batches > 0 {
        println!(
            "energy histogram: Hotelling T² = {:.4e} over {} bins (batch covariance), p = {:.3e}",
            v.histogram_chi2,
            v.histogram_dof + 1,
            v.histogram_p_value
        );
    }
    if let Some(n) = &v.magnetization_note {
        println!("{n}");
    }
    println!("verdict: {} — {}", v.verdict, v.reason);
    Ok(())
}

/// A t value for a table: ±f64::MAX (a deviation with no spread) would be 309 digits.
fn t_text(z: f64) -> String {
    if z.abs() < 1e6 {
        format!("{z:.2}")
    } else {
        format!("{z:.1e}")
    }
}

/// The table and plot of a validation over several β.
fn render_scan(a: &ValidateArgs, r: validate::ValidateScanRecord) -> Result<(), JobError> {
    let label = r.dims.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("x");
    let sites = r.dims.iter().product::<usize>() as f64;
    // (E/N, C/N) of a point: (MC, error, exact, t), looked up by name: a "too short" point has
    // no specific-heat entry (its tests did not run)
    let of = |p: &validate::ValidateRecord, col: usize, scale: f64| {
        let prefix = if col == 0 { "energy" } else { "specific heat" };
        p.observables
            .iter()
            .find(|o| o.name.starts_with(prefix))
            .map(|o| (o.mc_mean / scale, o.mc_error / scale, o.exact / scale, o.z))
    };
    if let Some(path) = &a.plot {
        use crate::plot::{panels, Panel, Series};
        let panel = |title: &str, y: &'static str, col: usize, scale: f64| {
            let exact: Vec<(f64, f64)> = r.curve.iter().map(|c| (c.0, if col == 0 { c.1 } else { c.2 })).collect();
            let measured: Vec<(f64, (f64, f64, f64, f64))> =
                r.points.iter().filter_map(|p| of(p, col, scale).map(|o| (p.beta, o))).collect();
            let pts: Vec<(f64, f64)> = measured.iter().map(|(b, o)| (*b, o.0)).collect();
            let errs: Vec<f64> = measured.iter().map(|(_, o)| o.1).collect();
            Panel {
                title: format!("{title}, {} {label}: verdict {}", r.model, r.verdict),
                x_label: "K = βJ",
                y_label: y,
                series: vec![
                    Series { label: "exact (from the DOS)", points: exact, line: true, errors: Vec::new() },
                    Series { label: "Monte Carlo ± error", points: pts, line: false, errors: errs },
                ],
                hlines: vec![],
            }
        };
        panels(path, &[panel("energy per site", "E/N", 0, sites), panel("specific heat per site", "C/N", 1, 1.0)])?;
    }
    if a.json {
        super::print_json(&r);
        return Ok(());
    }
    println!(
        "Monte Carlo vs exact: {} on a periodic {label} torus at {} couplings (exact: {})",
        r.model,
        r.points.len(),
        r.points[0].exact_source
    );
    println!(
        "{:>16} {:>9} {:>26} {:>16} {:>7} {:>22} {:>12} {:>7} {:>13}  verdict",
        "K", "samples", "E/N MC ± error", "E/N exact", "t", "C/N MC ± error", "C/N exact", "t", "τ_int(E)"
    );
    for p in &r.points {
        let (e, ee, ex, et) = of(p, 0, sites).expect("the energy is always compared");
        let (cm, cx, ct) = match of(p, 1, 1.0) {
            Some((c, ce, cx, ct)) => (format!("{c:.5} ± {ce:.5}"), format!("{cx:.8}"), t_text(ct)),
            None => ("—".into(), "—".into(), "—".into()),
        };
        println!(
            "{:>16} {:>9} {:>26} {:>16.10} {:>7} {:>22} {:>12} {:>7} {:>13}  {}",
            // K_c to 10 digits here; the JSON carries every digit
            if p.critical { format!("{:.10} (c)", p.beta) } else { super::coupling(p.beta) },
            p.samples,
            format!("{e:.8} ± {ee:.8}"),
            ex,
            t_text(et),
            cm,
            cx,
            ct,
            format!("{:.2} ± {:.2}", p.observables[0].tau_int, p.observables[0].tau_error),
            p.verdict
        );
    }
    for p in &r.points {
        // the magnetization tests, by name (a "too short" point lists |M| and M² untested)
        let z: Vec<String> = p
            .observables
            .iter()
            .filter(|o| !o.name.starts_with("energy") && !o.name.starts_with("specific heat"))
            .map(|o| format!("{} {}", o.name.split(' ').next().unwrap_or(""), t_text(o.z)))
            .collect();
        if !z.is_empty() {
            println!("K = {}: t of {}", super::coupling(p.beta), z.join(", "));
        }
    }
    for p in &r.points {
        println!("K = {}: {}", super::coupling(p.beta), p.reason);
    }
    println!("verdict: {} — {}", r.verdict, r.reason);
    Ok(())
}
