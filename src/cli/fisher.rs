//! `onsager fisher`.

use super::{progress_bar, show_progress, ModelArgs};
use crate::jobs::fisher::{fisher_row, fit, ticks, FisherFit, FisherRow};
use crate::jobs::{self, JobError, ModelSpec};
use clap::Args;
use onsager_models::Model;
use serde_json::json;

#[derive(Args)]
pub(crate) struct FisherArgs {
    #[command(flatten)]
    m: ModelArgs,
    /// side lengths L of the L^d tori: A..B (inclusive) or a list [default: 3..9 for 2D Ising]
    #[arg(long)]
    sizes: Option<String>,
    /// sizes used in the OLS fit of ln|R| vs ln N, inclusive [default: 6..largest]
    #[arg(long)]
    fit_window: Option<String>,
    /// also write the table to this CSV file, with provenance
    #[arg(long)]
    csv: Option<std::path::PathBuf>,
}

fn default_sizes(spec: ModelSpec) -> &'static str {
    match (spec.model, spec.dim) {
        (_, 1) => "3..12",
        (_, 3) => "3",
        (Model::Ising, _) | (Model::Potts { q: 2 }, _) | (Model::Clock { q: 2 }, _) => "3..9",
        (Model::Potts { q: 3 }, _) | (Model::Clock { q: 3 }, _) => "3..6",
        (Model::Potts { q: 4 }, _) | (Model::Clock { q: 4 }, _) => "3..5",
        _ => "3..4",
    }
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

fn write_csv(path: &std::path::Path, spec: ModelSpec, beta: f64, rows: &[FisherRow]) -> Result<(), JobError> {
    let mut s = String::new();
    s.push_str(
        "# Exact Fisher information geometry of the bond couplings (onsager, transfer matrix with insertions)\n",
    );
    s.push_str(&format!("# model: {} on L^{} periodic tori, uniform coupling K = {beta:.17}\n", spec.name(), spec.dim));
    s.push_str("# R = (B - A)/4, A = v g^-1 v, B = T.T with three g^-1 (shared/physics.md sign: sphere > 0)\n");
    s.push_str(&format!("# command: onsager {}\n", std::env::args().skip(1).collect::<Vec<_>>().join(" ")));
    s.push_str(&format!("# version: onsager {}\n# date: {}\n", env!("CARGO_PKG_VERSION"), today()));
    s.push_str("L,bonds,R,A,B,g_min_eig,ln_z,seconds\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{:.17e},{:.17e},{:.17e},{:.17e},{:.17e},{:.3}\n",
            r.l, r.bonds, r.r, r.a, r.b, r.g_min_eig, r.ln_z, r.seconds
        ));
    }
    std::fs::write(path, s).map_err(|e| JobError::Usage(format!("--csv {}: cannot write: {e}", path.display())))
}

fn fit_json(f: &Option<FisherFit>) -> serde_json::Value {
    match f {
        None => serde_json::Value::Null,
        Some(f) => json!({
            "window": [f.window.0, f.window.1], "d_R": f.d_r, "stderr": f.stderr,
            "predicted": f.predicted.map(|p| p.0), "predicted_formula": f.predicted.map(|p| p.1),
            "local_slopes": f.local_slopes.iter().map(|&(a, b, s)| json!({"from": a, "to": b, "d_R": s})).collect::<Vec<_>>(),
            "fit": "OLS of ln|R| on ln N, N = L^d sites",
        }),
    }
}

pub(crate) fn run(a: &FisherArgs) -> Result<(), JobError> {
    let (spec, beta, critical) = a.m.resolve()?;
    let sizes = jobs::parse_sizes("--sizes", a.sizes.as_deref().unwrap_or(default_sizes(spec)))?;
    let max = *sizes.iter().max().expect("non-empty");
    let window = match &a.fit_window {
        Some(w) => {
            let v = jobs::parse_sizes("--fit-window", w)?;
            (*v.iter().min().expect("non-empty"), *v.iter().max().expect("non-empty"))
        }
        None if sizes.iter().filter(|&&l| l >= 6).count() >= 2 => (6, max),
        None => (*sizes.iter().min().expect("non-empty"), max),
    };
    if let Some(&l) = sizes.iter().find(|&&l| l < 3) {
        return Err(JobError::Usage(format!(
            "--sizes contains {l}, out of range: every L ≥ 3 for the Fisher geometry (L = 2 doubles bonds)"
        )));
    }
    let mem = jobs::memory_limit();
    // validate every size before the first long computation
    for &l in &sizes {
        onsager_transfer::fisher::check_fisher_lattice(spec.model, &jobs::fisher::lattice(spec, l)?, mem)?;
    }
    let show = show_progress(a.m.json);
    if show {
        eprintln!(
            "Fisher curvature of the {}{} model on L^{} tori at K = {beta}{}, exact (transfer matrix)",
            spec.model,
            if spec.dim == 2 {
                ""
            } else if spec.dim == 3 {
                " (3D)"
            } else {
                " (1D)"
            },
            spec.dim,
            if critical { " (critical)" } else { "" }
        );
    }
    let total: usize = sizes.iter().map(|&l| ticks(spec, l)).sum();
    let bar = progress_bar(show, total as u64, "steps");
    let mut rows = Vec::new();
    for &l in &sizes {
        bar.set_message(format!("L = {l}"));
        rows.push(fisher_row(spec, l, beta, mem, &|| bar.inc(1))?);
    }
    bar.finish_and_clear();
    let f = fit(spec, &rows, window);
    if let Some(path) = &a.csv {
        write_csv(path, spec, beta, &rows)?;
    }
    if a.m.json {
        let out = json!({
            "model": spec.name(), "dimension": spec.dim, "beta": beta, "critical": critical,
            "method": "transfer", "boundary": "periodic",
            "rows": rows.iter().map(|r| json!({"L": r.l, "bonds": r.bonds, "R": r.r, "A": r.a, "B": r.b,
                "g_min_eig": r.g_min_eig, "ln_z": r.ln_z, "bond_mean": r.bond_mean, "seconds": r.seconds,
                "peak_rss_bytes": r.peak_rss})).collect::<Vec<_>>(),
            "fit": fit_json(&f),
        });
        println!("{out}");
        return Ok(());
    }
    println!(
        "Exact Fisher curvature R = (B − A)/4 of the {} model on periodic L^{} tori, K = {beta}{}",
        spec.model,
        spec.dim,
        if critical { " (critical)" } else { "" }
    );
    println!("{:>4} {:>7} {:>24} {:>24} {:>24} {:>9} {:>10}", "L", "bonds", "R", "A", "B", "time [s]", "peak mem");
    for r in &rows {
        println!(
            "{:>4} {:>7} {:>24.15e} {:>24.15e} {:>24.15e} {:>9.3} {:>10}",
            r.l,
            r.bonds,
            r.r,
            r.a,
            r.b,
            r.seconds,
            if r.peak_rss.is_nan() { "-".into() } else { onsager_transfer::memory::human(r.peak_rss) }
        );
    }
    match &f {
        Some(f) => {
            let pred = match f.predicted {
                Some((p, label)) => format!("predicted d_R = {label} = {p:.5}"),
                None => "no prediction for this model".into(),
            };
            println!(
                "\nfit |R| ~ N^d_R (OLS of ln|R| on ln N, N = L^{}) over L = {}..{}: d_R = {:.5} ± {:.5};  {pred}",
                spec.dim, f.window.0, f.window.1, f.d_r, f.stderr
            );
            let slopes: Vec<String> = f.local_slopes.iter().map(|(a, b, s)| format!("{a}→{b}: {s:.5}")).collect();
            println!("local slopes Δln|R|/Δln N:  {}", slopes.join("  "));
        }
        None => println!("\n(no fit: the window {}..{} holds fewer than two sizes)", window.0, window.1),
    }
    Ok(())
}
