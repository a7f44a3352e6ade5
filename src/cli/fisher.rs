//! `onsager fisher`.

use super::{progress_bar, show_progress};
use crate::jobs::fisher::{
    analyse, check_sizes, local_exponents, predicted_d_r, ticks, AnsatzFit, BulkRecord, CorrectedFit, Extrapolation,
    FisherFit, FisherMethod, FisherParams, FisherRecord, FisherRow,
};
use crate::jobs::{Ctx, JobError, ModelSpec};
use clap::Args;

#[derive(Args)]
pub(crate) struct FisherArgs {
    #[command(flatten)]
    p: FisherParams,
    /// also write the table to this CSV file, with provenance
    #[arg(long)]
    csv: Option<std::path::PathBuf>,
    /// also draw d_R(L) vs 1/L and ln|R| vs ln N into this PNG file
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// analyse a stored table (written by --csv) instead of computing: fits, extrapolation, plot
    #[arg(long, conflicts_with = "sizes")]
    from_csv: Option<std::path::PathBuf>,
    /// the finite-size-scaling collapse y = R/N − R∞/N(K) against x = (K − K_c)L^{1/ν} from stored
    /// records (comma-separated JSON Lines files of `sweep` or `--json` output: fisher jobs at
    /// several K and L, and `--bulk` jobs at the same K); table, --csv and --plot, no computation
    #[arg(long, conflicts_with_all = ["sizes", "from_csv", "model", "q", "beta", "method", "bulk", "fit_window", "checkpoint"])]
    collapse: Option<String>,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
}

/// Civil date (UTC) from the system clock, `YYYY-MM-DD` (Howard Hinnant's days-to-civil).
fn today() -> String {
    let days =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 86400).unwrap_or(0)
            as i64;
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The method of a record by its name.
fn method_of(name: &str) -> FisherMethod {
    [FisherMethod::Transfer, FisherMethod::FreeFermion, FisherMethod::Momentum]
        .into_iter()
        .find(|m| m.name() == name)
        .unwrap_or(FisherMethod::Auto)
}

fn csv_text(r: &FisherRecord) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Exact Fisher information geometry of the bond couplings (onsager, {})\n",
        method_of(r.method).describe()
    ));
    s.push_str(&format!(
        "# model: {} on L^{} periodic tori, uniform coupling K = {:.17}\n",
        r.model, r.dimension, r.beta
    ));
    s.push_str("# R = (B - A)/4, A = v g^-1 v, B = T.T with three g^-1 (shared/physics.md sign: sphere > 0)\n");
    s.push_str(&format!("# command: onsager {}\n", std::env::args().skip(1).collect::<Vec<_>>().join(" ")));
    s.push_str(&format!("# version: onsager {}\n# date: {}\n", r.version, today()));
    s.push_str("L,bonds,R,A,B,g_min_eig,ln_z,seconds\n");
    for r in &r.rows {
        s.push_str(&format!(
            "{},{},{:.17e},{:.17e},{:.17e},{:.17e},{:.17e},{:.3}\n",
            r.l, r.bonds, r.r, r.a, r.b, r.g_min_eig, r.ln_z, r.seconds
        ));
    }
    s
}

pub(crate) fn run(a: &FisherArgs) -> Result<(), JobError> {
    for (path, flag, ext) in [(&a.csv, "--csv", "csv"), (&a.plot, "--plot", "png")] {
        if let Some(p) = path {
            super::check_output(p, flag, &[ext])?;
        }
    }
    if let Some(files) = &a.collapse {
        return collapse(a, files);
    }
    let (job, rows, bulk) = match &a.from_csv {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| JobError::param("from_csv", format!("{}: cannot read: {e}", p.display())))?;
            let (spec, beta, _) = a.p.model.resolve()?;
            let method = a.p.method.resolve(spec, beta)?;
            let rows = crate::jobs::fisher::read_csv(&text, method)
                .map_err(|e| JobError::param("from_csv", format!("{}: {e}", p.display())))?;
            let job = a.p.validate_with_sizes(rows.iter().map(|r| r.l).collect())?;
            let bulk = job.bulk.then(|| bulk(a, &job, &onsager_transfer::streaming::Alone)).transpose()?;
            (job, rows, bulk)
        }
        None => {
            let job = a.p.validate()?;
            match compute(a, &job)? {
                Some((rows, bulk)) => (job, rows, bulk),
                None => return Ok(()), // an MPI rank other than 0: rank 0 reports
            }
        }
    };
    report(a, &job, &FisherRecord { bulk, ..analyse(&a.p, &job, rows)? })
}

/// `--collapse`: reads the records, prints the points (or one JSON object), writes --csv and
/// --plot (the y of each L against x, |x| ≤ 4, with the quadrature's error bounds as bars).
fn collapse(a: &FisherArgs, files: &str) -> Result<(), JobError> {
    let mut records = Vec::new();
    for f in files.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let text =
            std::fs::read_to_string(f).map_err(|e| JobError::param("collapse", format!("{f}: cannot read: {e}")))?;
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            records.push(
                serde_json::from_str(line)
                    .map_err(|e| JobError::param("collapse", format!("{f} line {}: not JSON ({e})", i + 1)))?,
            );
        }
    }
    let c = crate::jobs::collapse::collapse(&records)?;
    if let Some(path) = &a.csv {
        let mut s = format!(
            "# Finite-size scaling of the exact Fisher curvature: y = R/N - R_inf/N(K) at x = (K - K_c) L^(1/nu)\n\
             # model: {}, K_c = {:.17}, nu = {}\n# command: onsager {}\n# version: onsager {}\n# date: {}\n\
             L,beta,x,R_per_site,R_inf_per_site,R_inf_error,y\n",
            c.model,
            c.critical_beta,
            c.nu,
            std::env::args().skip(1).collect::<Vec<_>>().join(" "),
            env!("CARGO_PKG_VERSION"),
            today()
        );
        for p in &c.points {
            s.push_str(&format!(
                "{},{:.17e},{:.17e},{:.17e},{:.17e},{:.3e},{:.17e}\n",
                p.l, p.beta, p.x, p.r_per_site, p.r_inf_per_site, p.r_inf_error, p.y
            ));
        }
        super::write_atomic(path, "--csv", s.as_bytes())?;
    }
    if let Some(path) = &a.plot {
        use crate::plot::{panels, Panel, Series};
        let mut sizes: Vec<usize> = c.points.iter().map(|p| p.l).collect();
        sizes.sort_unstable();
        sizes.dedup();
        let labels: Vec<String> = sizes.iter().map(|l| format!("L = {l}")).collect();
        let series = sizes
            .iter()
            .zip(&labels)
            .map(|(&l, label)| {
                let pts: Vec<&crate::jobs::collapse::CollapsePoint> =
                    c.points.iter().filter(|p| p.l == l && p.x.abs() <= 4.0).collect();
                Series {
                    label,
                    points: pts.iter().map(|p| (p.x, p.y)).collect(),
                    line: false,
                    errors: pts.iter().map(|p| p.r_inf_error).collect(),
                }
            })
            .collect();
        panels(
            path,
            &[Panel {
                title: format!("{}: R/N − R∞/N(K) against (K − K_c) L^(1/ν), ν = {}", c.model, c.nu),
                x_label: "x = (K − K_c) L^(1/ν)",
                y_label: "y = R/N − R∞/N(K)",
                series,
                hlines: vec![(0.0, "y = 0".into())],
            }],
        )?;
    }
    if a.json {
        super::print_json(&c);
        return Ok(());
    }
    println!(
        "Finite-size scaling of the exact Fisher curvature, {} (K_c = {}, ν = {}): y = R/N − R∞/N(K) at x = (K − K_c) L^(1/ν)",
        c.model, c.critical_beta, c.nu
    );
    println!("{:>9} {:>5} {:>9} {:>16} {:>16} {:>9} {:>13}", "x", "L", "K − K_c", "R/N", "R∞/N", "±", "y");
    for p in &c.points {
        println!(
            "{:>9.3} {:>5} {:>+9.4} {:>16.9} {:>16.9} {:>9.1e} {:>13.5e}",
            p.x,
            p.l,
            p.beta - c.critical_beta,
            p.r_per_site,
            p.r_inf_per_site,
            p.r_inf_error,
            p.y
        );
    }
    if !c.couplings_without_bulk.is_empty() {
        let ks: Vec<String> = c.couplings_without_bulk.iter().map(|b| format!("{b}")).collect();
        println!("(no --bulk record, so left out: K = {})", ks.join(", "));
    }
    Ok(())
}

/// The infinite lattice by quadrature, with a spinner-free status line on a terminal.
fn bulk(
    a: &FisherArgs,
    job: &crate::jobs::fisher::FisherJob,
    part: &dyn onsager_transfer::streaming::Partition,
) -> Result<BulkRecord, JobError> {
    let show = show_progress(a.json) && part.rank() == 0;
    let bar = progress_bar(show, crate::jobs::fisher::BULK_GRIDS.len() as u64, "grids");
    let message = |m: &str| {
        bar.inc(1);
        bar.set_message(m.to_string())
    };
    let ctx = Ctx { on_message: Some(&message), ..Ctx::default() };
    let out = crate::jobs::fisher::bulk(job.beta, &ctx, part);
    bar.finish_and_clear();
    out
}

type Computed = (Vec<FisherRow>, Option<BulkRecord>);

fn compute(a: &FisherArgs, job: &crate::jobs::fisher::FisherJob) -> Result<Option<Computed>, JobError> {
    // under mpirun (mpi feature), the ranks share each size
    #[cfg(feature = "mpi")]
    let universe = mpi::initialize();
    #[cfg(feature = "mpi")]
    let part: Box<dyn onsager_transfer::streaming::Partition> = match &universe {
        Some(u) => Box::new(crate::mpi_sweep::MpiPartition::new(u.world())),
        None => Box::new(onsager_transfer::streaming::Alone),
    };
    #[cfg(not(feature = "mpi"))]
    let part: Box<dyn onsager_transfer::streaming::Partition> = Box::new(onsager_transfer::streaming::Alone);
    let ctx = Ctx::default();
    check_sizes(job, &ctx)?;
    let (spec, beta) = (job.spec, job.beta);
    let show = show_progress(a.json) && part.rank() == 0;
    if show {
        eprintln!(
            "Fisher curvature of the {}{} model on L^{} tori at K = {beta}{}, exact ({})",
            spec.model,
            match spec.dim {
                2 => "",
                3 => " (3D)",
                _ => " (1D)",
            },
            spec.dim,
            if job.critical { " (critical)" } else { "" },
            job.method.describe()
        );
        let (l, need) = job
            .sizes
            .iter()
            .map(|&l| (l, crate::jobs::fisher::predicted_bytes(spec, l, job.method, ctx.memory_budget)))
            .fold((0, 0.0), |m, x| if x.1 > m.1 { x } else { m });
        eprintln!(
            "predicted peak memory {} (largest at L = {l}); available {}",
            onsager_transfer::memory::human(need),
            onsager_transfer::memory::human(ctx.memory_budget)
        );
    }
    let total: usize = job.sizes.iter().map(|&l| ticks(spec, l, job.method, ctx.memory_budget)).sum();
    let bar = progress_bar(show, total as u64, "steps");
    let tick = |done: usize, _of: usize| bar.set_position(done as u64);
    let message = |m: &str| bar.set_message(m.to_string());
    let ctx = Ctx { on_progress: Some(&tick), on_message: Some(&message), ..ctx };
    let rows = crate::jobs::fisher::rows(job, &ctx, part.as_ref())?;
    bar.finish_and_clear();
    // rows without a trustworthy digit are refused before the quadrature's minutes
    crate::jobs::fisher::check_digits(&rows)?;
    let bulk = job.bulk.then(|| bulk(a, job, part.as_ref())).transpose()?;
    Ok((part.rank() == 0).then_some((rows, bulk)))
}

fn report(a: &FisherArgs, job: &crate::jobs::fisher::FisherJob, rec: &FisherRecord) -> Result<(), JobError> {
    let spec = job.spec;
    let (beta, rows, f) = (rec.beta, &rec.rows, &rec.fit);
    // the prediction is for the critical point: off it R is extensive (R/N → R∞/N)
    let predicted = predicted_d_r(spec).filter(|_| rec.critical);
    let predicted = predicted.as_ref().map(|(v, label)| (*v, label.as_str()));
    if let Some(path) = &a.plot {
        plot(path, spec, beta, rows, f, &rec.extrapolation, predicted)?;
    }
    if let Some(path) = &a.csv {
        super::write_atomic(path, "--csv", csv_text(rec).as_bytes())?;
    }
    if a.json {
        super::print_json(rec);
        return Ok(());
    }
    println!(
        "Exact Fisher curvature R = (B − A)/4 of the {} model on periodic L^{} tori, K = {beta}{} [{}]",
        spec.model,
        spec.dim,
        if rec.critical { " (critical)" } else { "" },
        rec.method
    );
    println!(
        "{:>4} {:>7} {:>24} {:>24} {:>24} {:>9} {:>6} {:>9} {:>10} {:>10}",
        "L", "bonds", "R", "A", "B", "d_R loc", "digits", "time [s]", "peak mem", "predicted"
    );
    let mut prev: Option<&FisherRow> = None;
    for r in rows {
        let local = match prev {
            Some(p) if p.l < r.l => format!(
                "{:.5}",
                (r.r.abs().ln() - p.r.abs().ln()) / (spec.dim as f64 * ((r.l as f64).ln() - (p.l as f64).ln()))
            ),
            _ => "".into(),
        };
        println!(
            "{:>4} {:>7} {:>24} {:>24.15e} {:>24.15e} {:>9} {:>6.1} {:>9.3} {:>10} {:>10}",
            r.l,
            r.bonds,
            // R to the digits it has (the JSON and --csv keep every bit)
            format!("{:.*e}", (r.r_digits.floor() as usize).clamp(1, 16) - 1, r.r),
            r.a,
            r.b,
            local,
            r.r_digits.min(15.9),
            r.seconds,
            r.peak_rss.map(onsager_transfer::memory::human).unwrap_or_else(|| "-".into()),
            r.predicted_bytes.map(onsager_transfer::memory::human).unwrap_or_else(|| "-".into())
        );
        prev = Some(r);
    }
    match f {
        Some(f) => {
            let pred = match &f.predicted {
                Some((p, label)) => format!("predicted d_R = {label} = {p:.5}"),
                None if rec.critical => "no prediction for this model".into(),
                None => "off K_c, R is extensive (d_R → 1): the prediction is for K_c".into(),
            };
            println!(
                "\nfit |R| ~ N^d_R (OLS of ln|R| on ln N, N = L^{}) over L = {}..{}: d_R = {:.5} ± {:.5};  {pred}",
                spec.dim, f.window.0, f.window.1, f.d_r, f.stderr
            );
            if f.local_slopes.len() <= 8 {
                let slopes: Vec<String> = f.local_slopes.iter().map(|(a, b, s)| format!("{a}→{b}: {s:.5}")).collect();
                println!("local slopes Δln|R|/Δln N:  {}", slopes.join("  "));
            }
        }
        None => {
            let w = job.window;
            println!("\n(no fit: the window {}..{} holds fewer than two sizes)", w.0, w.1)
        }
    }
    if let Some(b) = &rec.bulk {
        print_bulk(b, rows, rec.critical);
    }
    print_analysis(&rec.corrected_fits, &rec.extrapolation, predicted);
    println!("\n{}", verdict(spec, rows, &rec.extrapolation, predicted));
    Ok(())
}

/// The infinite-lattice line and each size's distance from it.
fn print_bulk(b: &BulkRecord, rows: &[FisherRow], critical: bool) {
    let grids: Vec<String> = b.grids.iter().map(|g| format!("M = {}: {:.15e}", g.m, g.r_per_site)).collect();
    println!("\ninfinite lattice by quadrature (midpoint rule on M × M antiperiodic momenta, one Gaussian sector):");
    println!("  R/N by grid: {}", grids.join(";  "));
    // each to the digits its own convergence leaves (at most 13: the rounding of the sums)
    let shown = |x: f64, err: f64| {
        let digits = (-(err / x.abs()).log10()).clamp(1.0, 13.0) as usize;
        format!("{:.*e}", digits - 1, x)
    };
    println!(
        "  R∞/N = {:.*e}  ± {:.1e} ({:.1} digits),  A∞/N = {} ± {:.1e},  B∞/N = {} ± {:.1e};  ln Z/N − Onsager = \
         {:.1e}  ({:.1} s)",
        (b.r_digits.floor() as usize).clamp(1, 16) - 1,
        b.r_per_site,
        b.r_error,
        b.r_digits.min(15.9),
        shown(b.a_per_site, b.a_error),
        b.a_error,
        shown(b.b_per_site, b.b_error),
        b.b_error,
        b.ln_z_dev_onsager,
        b.seconds
    );
    if !critical && !rows.is_empty() {
        let approach: Vec<String> =
            rows.iter().map(|r| format!("L = {}: {:+.2e}", r.l, r.r / (r.l * r.l) as f64 - b.r_per_site)).collect();
        println!("  R/N − R∞/N:  {}", approach.join("  "));
    }
}

/// One plain sentence on what the table shows: the drift of the local exponent and, where the
/// sizes allow an extrapolation, its value against the prediction and the N ln N hypothesis.
fn verdict(
    spec: ModelSpec,
    rows: &[FisherRow],
    extra: &Option<Extrapolation>,
    predicted: Option<(f64, &str)>,
) -> String {
    let local = local_exponents(spec, rows);
    if local.len() < 3 {
        return "What the numbers show: too few sizes to follow the local exponent.".into();
    }
    // the smallest tori first fall to a minimum; the story starts there
    let lo = (0..local.len() - 1).find(|&i| local[i + 1].1 > local[i].1).unwrap_or(local.len() - 1);
    let (min, last) = (local[lo], local[local.len() - 1]);
    let peak = local[lo..].iter().cloned().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or(last);
    let drift = if lo + 1 >= local.len() {
        format!("the local exponent falls with L, to {:.4} near L = {:.0}", last.1, last.0)
    } else if peak.0 < last.0 {
        format!(
            "after a minimum of {:.4} near L = {:.0} the local exponent rises to {:.4} near L = {:.0} and then falls, \
             to {:.4} near L = {:.0}",
            min.1, min.0, peak.1, peak.0, last.1, last.0
        )
    } else {
        format!(
            "after a minimum of {:.4} near L = {:.0} the local exponent rises, to {:.4} near L = {:.0} at the largest sizes",
            min.1, min.0, last.1, last.0
        )
    };
    let Some(e) = extra else {
        return format!(
            "What the numbers show: {drift}; the sizes are too few for an extrapolation (it needs 8 sizes ≥ 16, \
             e.g. the default `onsager fisher`), so no fit here estimates the L → ∞ exponent."
        );
    };
    let mut s = format!("What the numbers show: {drift}; extrapolated, d_R(∞) = {:.3} ± {:.3}", e.d_r, e.uncertainty);
    if let Some((p, label)) = predicted {
        let z = (e.d_r - p) / e.uncertainty;
        s.push_str(&if z.abs() <= 2.0 {
            format!(", consistent with the predicted {label}")
        } else {
            format!(", {:.0} uncertainties {} the predicted {label}", z.abs(), if z < 0.0 { "below" } else { "above" })
        });
    }
    if let Some(f) = e.fits.iter().find(|f| f.fixed_d && f.from_l == e.central.from_l) {
        let p = f.log_power.unwrap_or(f64::NAN);
        s.push_str(&format!(", and |R| = N (ln N + c)^p fits L ≥ {} with p = {p:.3}", f.from_l));
        if (p - 1.0).abs() < 0.05 && f.rms <= 2.0 * e.central.rms {
            s.push_str(": |R| grows like N ln N");
        }
    }
    s.push('.');
    s
}

fn print_analysis(corrected: &[CorrectedFit], extra: &Option<Extrapolation>, predicted: Option<(f64, &str)>) {
    // power-law fits with corrections only where no log-corrected extrapolation is possible
    if !corrected.is_empty() && extra.is_none() {
        println!("\nfits ln|R| = d_R ln N + a + b/L + c/L² over L₀..L_max:");
        for c in corrected.iter().step_by(corrected.len().div_ceil(12)) {
            println!(
                "  L = {:>3}..{:<3} ({:>2} sizes): d_R = {:.5} ± {:.5}",
                c.window.0, c.window.1, c.points, c.d_r, c.stderr
            );
        }
    }
    if let Some(e) = extra {
        println!("\nscaling forms for ln|R| over L ≥ L₀ (rms = residual of ln|R|):");
        for f in &e.fits {
            println!(
                "  {:<48} L ≥ {:>3} ({:>2} sizes): d_R = {:.5} ± {:.5}{}  rms {:.1e}",
                f.form,
                f.from_l,
                f.points,
                f.d_r,
                f.stderr,
                f.log_power.map(|p| format!(", p = {p:.3}")).unwrap_or_default(),
                f.rms
            );
        }
        println!(
            "extrapolated d_R(L → ∞) = {:.4} ± {:.4}  (central: {} over L ≥ {}; ± = spread of the log-corrected fits + stderr)",
            e.d_r, e.uncertainty, e.central.form, e.central.from_l
        );
        if let Some((p, label)) = predicted {
            let z = (e.d_r - p) / e.uncertainty;
            println!(
                "  vs predicted {label} = {p:.5}: difference {:+.4} = {z:+.1} × uncertainty ({})",
                e.d_r - p,
                if z.abs() <= 2.0 { "consistent" } else { "not consistent" }
            );
        }
    }
}

fn plot(
    path: &std::path::Path,
    spec: ModelSpec,
    beta: f64,
    rows: &[FisherRow],
    f: &Option<FisherFit>,
    extra: &Option<Extrapolation>,
    predicted: Option<(f64, &str)>,
) -> Result<(), JobError> {
    use crate::plot::{panels, Panel, Series};
    let d = spec.dim as f64;
    let local: Vec<(f64, f64)> = local_exponents(spec, rows).iter().map(|&(l, s)| (1.0 / l, s)).collect();
    let mut h1 = Vec::new();
    if let Some((p, label)) = predicted {
        h1.push((p, format!("predicted {label}")));
    }
    let mut series1 = vec![Series { label: "exact local slope", points: local, line: true, errors: Vec::new() }];
    let labels: Vec<String>;
    if let Some(e) = extra {
        h1.push((e.d_r, format!("extrapolated {:.4} ± {:.4}", e.d_r, e.uncertainty)));
        // the fitted forms' own local slopes, continued to L = 16384
        let shown: Vec<&AnsatzFit> =
            [Some(&e.central), e.fits.iter().find(|f| f.fixed_d && f.from_l == e.central.from_l)]
                .into_iter()
                .flatten()
                .collect();
        labels = shown.iter().map(|f| format!("fit: {} (L ≥ {})", f.form, f.from_l)).collect();
        for (f, label) in shown.iter().zip(&labels) {
            let pts = f
                .curve
                .windows(2)
                .map(|w| (2.0 / (w[0].0 + w[1].0), (w[1].1 - w[0].1) / (d * (w[1].0.ln() - w[0].0.ln()))))
                .collect();
            series1.push(Series { label, points: pts, line: true, errors: Vec::new() });
        }
    }
    let pts: Vec<(f64, f64)> = rows.iter().map(|r| (d * (r.l as f64).ln(), r.r.abs().ln())).collect();
    let mut series2 = vec![Series { label: "exact ln|R|", points: pts.clone(), line: false, errors: Vec::new() }];
    let fit_label;
    if let Some(f) = f {
        let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let sel: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].l >= f.window.0 && rows[i].l <= f.window.1).collect();
        let xm = sel.iter().map(|&i| xs[i]).sum::<f64>() / sel.len() as f64;
        let ym = sel.iter().map(|&i| ys[i]).sum::<f64>() / sel.len() as f64;
        let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, &x| (a.0.min(x), a.1.max(x)));
        fit_label = format!("OLS L = {}..{}: slope {:.4}", f.window.0, f.window.1, f.d_r);
        series2.push(Series {
            label: &fit_label,
            points: vec![(lo, ym + f.d_r * (lo - xm)), (hi, ym + f.d_r * (hi - xm))],
            line: true,
            errors: Vec::new(),
        });
    }
    panels(
        path,
        &[
            Panel {
                title: format!("local d_R(L) = Δln|R|/Δln N, {} at K = {beta:.6}", spec.name()),
                x_label: "1/L (L = mean of neighbouring sizes)",
                y_label: "d_R(L)",
                series: series1,
                hlines: h1,
            },
            Panel {
                title: format!("ln|R| vs ln N, N = L^{}", spec.dim),
                x_label: "ln N",
                y_label: "ln|R|",
                series: series2,
                hlines: vec![],
            },
        ],
    )
}
