//! The `onsager` command line: argument parsing, tables, JSON, progress.
//!
//! Conventions (every command): ranges `A..B` are inclusive, lists comma-separated;
//! `--beta critical` is the model's known critical coupling; `--json` prints exactly one JSON
//! object on stdout and nothing else there; errors go to stderr as one line, exit code 2.

mod chain;
mod dos;
mod fisher;
mod sweep;
mod tn;

use crate::jobs::{self, partition::Method, JobError, ModelSpec};
use clap::{Args, Parser, Subcommand};
use onsager_transfer::cylinder::Solver;
use serde_json::json;
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "onsager", version, about = "Exact and near-exact numbers for classical lattice models")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// ln Z, ln Z per site and free energy of a finite periodic torus.
    Partition(PartitionArgs),
    /// Top transfer-matrix eigenvalues of an infinite cylinder: scaling dimensions,
    /// correlation length, central charge (with several widths).
    Spectrum(SpectrumArgs),
    /// Exact Fisher curvature R of the bond couplings on L^d tori and the fit |R| ~ N^{d_R}.
    /// With no arguments: 2D Ising at K_c, L = 3..9.
    Fisher(fisher::FisherArgs),
    /// Levin–Nave TRG: lnZ/N of the infinite 2D lattice.
    Trg(tn::TnArgs),
    /// Bond-weighted TRG (k = −1/2): lnZ/N of the infinite 2D lattice.
    Btrg(tn::TnArgs),
    /// Higher-order TRG (2D): lnZ/N of the infinite 2D lattice.
    Hotrg(tn::TnArgs),
    /// C4v corner transfer matrices: lnZ/N, energy and magnetization of the infinite 2D lattice.
    Ctmrg(tn::TnArgs),
    /// Finite two-site DMRG of an open quantum chain: energy, gap, entropy profile, central
    /// charge, correlations.
    Dmrg(chain::DmrgArgs),
    /// VUMPS: infinite quantum chains (energy per site) or the row transfer matrix of a 2D
    /// classical model (lnZ/N), with entropy and correlation length.
    Vumps(chain::VumpsArgs),
    /// Exact density of states: number of configurations per total energy (big integers).
    Dos(dos::DosArgs),
    /// Monte Carlo samples (energy, magnetization) against exact finite-lattice results.
    Validate(dos::ValidateArgs),
    /// Runs a grid of jobs from a TOML spec, resumably, into a JSON Lines results file
    /// (with the `mpi` feature: across MPI ranks).
    Sweep(sweep::SweepArgs),
}

/// Model selection shared by all commands.
#[derive(Args, Clone)]
pub(crate) struct ModelArgs {
    /// ising (2D), potts, clock (2D, need --q), ising3d, ising1d
    #[arg(long, default_value = "ising")]
    pub model: String,
    /// number of states for potts and clock (2 ≤ q ≤ 64)
    #[arg(long)]
    pub q: Option<usize>,
    /// coupling K = βJ (J = 1), a number ≥ 0 or 'critical'
    #[arg(long, default_value = "critical", allow_hyphen_values = true)]
    pub beta: String,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

impl ModelArgs {
    pub(crate) fn resolve(&self) -> Result<(ModelSpec, f64, bool), JobError> {
        let spec = ModelSpec::parse(&self.model, self.q)?;
        let (beta, critical) = spec.beta(&self.beta)?;
        Ok((spec, beta, critical))
    }
}

/// The sides of a finite torus, shared by the commands that take one.
#[derive(Args, Clone)]
pub(crate) struct LatticeArgs {
    /// side along x
    #[arg(long)]
    pub lx: usize,
    /// side along y (default: lx; ignored for ising1d)
    #[arg(long)]
    pub ly: Option<usize>,
    /// side along z (ising3d only; default: lx)
    #[arg(long)]
    pub lz: Option<usize>,
}

impl LatticeArgs {
    /// The torus sides for the model's dimension.
    pub(crate) fn dims(&self, spec: ModelSpec) -> Vec<usize> {
        let (lx, ly, lz) = (self.lx, self.ly.unwrap_or(self.lx), self.lz.unwrap_or(self.lx));
        match spec.dim {
            1 => vec![lx],
            2 => vec![lx, ly],
            _ => vec![lx, ly, lz],
        }
    }
}

#[derive(Args)]
struct PartitionArgs {
    #[command(flatten)]
    m: ModelArgs,
    #[command(flatten)]
    l: LatticeArgs,
    /// auto | kaufman | transfer | enumerate
    #[arg(long, default_value = "auto")]
    method: String,
}

#[derive(Args)]
struct SpectrumArgs {
    #[command(flatten)]
    m: ModelArgs,
    /// cylinder width L (a number, a range 8..20 or a list; several widths also fit c)
    #[arg(long)]
    width: String,
    /// number of eigenvalues
    #[arg(long, default_value_t = 6)]
    levels: usize,
    /// auto (dense up to 512 states, else Lanczos) | dense (all levels with multiplicity) | lanczos
    #[arg(long, default_value = "auto")]
    solver: String,
    /// draw x_n vs 1/L and ln λ0/L vs 1/L² (with the central-charge fit) to a PNG
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
}

fn spectrum_plot(
    path: &std::path::Path,
    spec: ModelSpec,
    beta: f64,
    rows: &[jobs::spectrum::SpectrumRow],
    cc: Option<(f64, f64, f64)>,
) -> Result<(), JobError> {
    use crate::plot::{panels, Panel, Series};
    let levels = rows.iter().map(|r| r.spectrum.scaling_dimensions(r.width).len()).min().unwrap_or(0);
    let names: Vec<String> = (1..=levels).map(|n| format!("x_{n}")).collect();
    let series: Vec<Series> = (0..levels)
        .map(|n| Series {
            label: &names[n],
            points: rows.iter().map(|r| (1.0 / r.width as f64, r.spectrum.scaling_dimensions(r.width)[n])).collect(),
            line: true,
        })
        .collect();
    let per: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (1.0 / (r.width * r.width) as f64, r.spectrum.ln_lambda[0] / r.layer_sites as f64))
        .collect();
    let mut s2 = vec![Series { label: "ln λ0 per site", points: per.clone(), line: false }];
    let fit_label;
    if let Some((c, se, f)) = cc {
        fit_label = format!("f + πc/(6L²), c = {c:.4} ± {se:.4}");
        let xmax = per.iter().map(|p| p.0).fold(0.0, f64::max);
        s2.push(Series {
            label: &fit_label,
            points: (0..=20)
                .map(|i| {
                    let x = xmax * i as f64 / 20.0;
                    (x, f + std::f64::consts::PI * c / 6.0 * x)
                })
                .collect(),
            line: true,
        });
    }
    panels(
        path,
        &[
            Panel {
                title: format!("scaling dimensions, {} at K = {beta:.6}", spec.name()),
                x_label: "1/L",
                y_label: "x_n = (L/2π) ln(λ0/λn)",
                series,
                hlines: vec![],
            },
            Panel {
                title: "ln λ0 per site vs 1/L²".into(),
                x_label: "1/L²",
                y_label: "ln λ0 / L",
                series: s2,
                hlines: vec![],
            },
        ],
    )
}

/// Whether to draw progress bars: on a terminal, never with --json.
pub(crate) fn show_progress(json: bool) -> bool {
    !json && std::io::stderr().is_terminal()
}

fn partition(a: &PartitionArgs) -> Result<(), JobError> {
    let (spec, beta, critical) = a.m.resolve()?;
    let method = Method::parse(&a.method)?;
    let dims = a.l.dims(spec);
    let torus = onsager_models::Torus::new(&dims)?;
    let p = jobs::partition::partition(spec, &torus, beta, method, jobs::memory_limit())?;
    if a.m.json {
        let out = json!({
            "model": spec.name(), "lattice": torus.label(), "boundary": "periodic", "beta": beta,
            "critical": critical, "method": p.method.name(), "ln_z": p.ln_z,
            "ln_z_per_site": p.ln_z_per_site, "free_energy_per_site": p.free_energy_per_site,
        });
        emit_json(out);
    } else {
        println!(
            "{} model on the periodic {} torus, K = {beta}{}",
            spec.model,
            torus.label(),
            if critical { " (critical)" } else { "" }
        );
        println!("  method                        {}", p.method.name());
        println!("  ln Z                          {:.15e}", p.ln_z);
        println!("  ln Z / N                      {:.15}", p.ln_z_per_site);
        println!("  f = −ln Z/(βN)                {:.15}", p.free_energy_per_site);
    }
    Ok(())
}

fn spectrum(a: &SpectrumArgs) -> Result<(), JobError> {
    let (spec, beta, critical) = a.m.resolve()?;
    let widths = jobs::parse_sizes("--width", &a.width)?;
    let solver = match a.solver.as_str() {
        "auto" => Solver::Auto,
        "dense" => Solver::Dense,
        "lanczos" => Solver::Lanczos,
        s => return Err(JobError::Usage(format!("--solver = {s} is out of range: one of auto, dense, lanczos"))),
    };
    let mem = jobs::memory_limit();
    let bar = progress_bar(show_progress(a.m.json), widths.len() as u64, "widths");
    let mut rows = Vec::new();
    for &w in &widths {
        rows.push(jobs::spectrum::spectrum(spec, w, beta, a.levels, solver, mem)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let row_json = |r: &jobs::spectrum::SpectrumRow| {
        json!({
            "width": r.width, "ln_lambda": r.spectrum.ln_lambda,
            "ln_lambda_max_per_site": r.spectrum.ln_lambda[0] / r.layer_sites as f64,
            "scaling_dimensions": r.spectrum.scaling_dimensions(r.width),
            "correlation_length": r.spectrum.correlation_length(),
            "method": r.spectrum.method, "seconds": r.seconds,
        })
    };
    let cc = if rows.len() >= 3 {
        let per_site: Vec<f64> = rows.iter().map(|r| r.spectrum.ln_lambda[0] / r.layer_sites as f64).collect();
        onsager_transfer::cylinder::central_charge(&widths, &per_site)
    } else {
        None
    };
    if let Some(path) = &a.plot {
        spectrum_plot(path, spec, beta, &rows, cc)?;
    }
    if a.m.json {
        let mut out = if rows.len() == 1 {
            row_json(&rows[0])
        } else {
            json!({ "rows": rows.iter().map(row_json).collect::<Vec<_>>() })
        };
        let obj = out.as_object_mut().expect("object");
        obj.insert("model".into(), json!(spec.name()));
        obj.insert("beta".into(), json!(beta));
        obj.insert("critical".into(), json!(critical));
        if let Some((c, se, f)) = cc {
            obj.insert(
                "central_charge".into(),
                json!({"c": c, "stderr": se, "ln_z_per_site_infinite": f,
                "fit": "ln λ0/L = f + (πc/6)/L² + e/L⁴"}),
            );
        }
        emit_json(out);
        return Ok(());
    }
    println!(
        "{} model, periodic cylinder of width L, K = {beta}{}",
        spec.model,
        if critical { " (critical)" } else { "" }
    );
    println!("x_n = (L/2π) ln(λ0/λn); ξ = 1/ln(λ0/λ1); {} levels", a.levels);
    let per = if spec.dim == 3 { "ln λ0 / L²" } else { "ln λ0 / L" };
    println!("{:>4} {:>20} {:>14}  scaling dimensions x_1, x_2, ...", "L", per, "ξ");
    for r in &rows {
        let x: Vec<String> = r.spectrum.scaling_dimensions(r.width).iter().map(|x| format!("{x:.6}")).collect();
        println!(
            "{:>4} {:>20.15} {:>14.6}  {}",
            r.width,
            r.spectrum.ln_lambda[0] / r.layer_sites as f64,
            r.spectrum.correlation_length(),
            x.join(" ")
        );
    }
    if let Some((c, se, f)) = cc {
        println!("central charge from ln λ0/L = f + (πc/6)/L² + e/L⁴: c = {c:.6} ± {se:.1e}  (f = {f:.12})");
    }
    Ok(())
}

pub(crate) fn progress_bar(show: bool, len: u64, what: &str) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {what} {{msg}}"
        ))
        .expect("valid template"),
    );
    bar
}

thread_local! {
    /// When set, JSON results are captured here instead of printed (see [`run_json`]).
    static CAPTURE: std::cell::RefCell<Option<Option<serde_json::Value>>> = const { std::cell::RefCell::new(None) };
}

/// Prints a command's one JSON object, or hands it to [`run_json`] on this thread.
pub(crate) fn emit_json(v: serde_json::Value) {
    let captured = CAPTURE.with(|c| {
        let mut c = c.borrow_mut();
        match c.as_mut() {
            Some(slot) => {
                *slot = Some(v.clone());
                true
            }
            None => false,
        }
    });
    if !captured {
        println!("{v}");
    }
}

/// Runs one command in-process with `--json` and returns its JSON object, e.g.
/// `run_json(&["fisher", "--sizes", "6"])` (the sweep runner; no subprocess, no stdout).
pub fn run_json(args: &[String]) -> Result<serde_json::Value, JobError> {
    let argv =
        std::iter::once("onsager".to_string()).chain(args.iter().cloned()).chain(std::iter::once("--json".into()));
    let cli = Cli::try_parse_from(argv).map_err(|e| {
        JobError::Usage(
            e.to_string().lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ").to_string(),
        )
    })?;
    CAPTURE.with(|c| *c.borrow_mut() = Some(None));
    let r = dispatch(&cli);
    let out = CAPTURE.with(|c| c.borrow_mut().take()).flatten();
    r?;
    out.ok_or_else(|| JobError::Usage(format!("`{}` printed no JSON", args.join(" "))))
}

fn dispatch(cli: &Cli) -> Result<(), JobError> {
    match &cli.command {
        Command::Partition(a) => partition(a),
        Command::Spectrum(a) => spectrum(a),
        Command::Fisher(a) => fisher::run(a),
        Command::Trg(a) => tn::run("trg", a),
        Command::Btrg(a) => tn::run("btrg", a),
        Command::Hotrg(a) => tn::run("hotrg", a),
        Command::Ctmrg(a) => tn::run("ctmrg", a),
        Command::Dmrg(a) => chain::run_dmrg_cmd(a),
        Command::Vumps(a) => chain::run_vumps_cmd(a),
        Command::Dos(a) => dos::run_dos(a),
        Command::Validate(a) => dos::run_validate(a),
        Command::Sweep(a) => sweep::run(a),
    }
}

/// Runs the CLI: parses arguments, runs the command, maps errors to one stderr line and exit 2.
pub fn main() -> ExitCode {
    // `onsager ... | head` closes stdout early: end quietly (status 141, as for SIGPIPE)
    // instead of printing println!'s panic
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    let result = dispatch(&cli);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Checks an output target before any computation: the extension is one of `exts` and the
/// directory exists and takes a new file (probed with a temporary file, removed again).
pub(crate) fn check_output(path: &std::path::Path, flag: &str, exts: &[&str]) -> Result<(), JobError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !exts.iter().any(|e| e.eq_ignore_ascii_case(ext)) {
        return Err(JobError::Usage(format!(
            "{flag} {}: the file name must end in .{}",
            path.display(),
            exts.join(" or .")
        )));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let probe = dir.join(format!(".onsager-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| JobError::Usage(format!("{flag} {}: cannot write there: {e}", path.display())))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes a whole file so that it is never seen half-written: to a temporary name in the same
/// directory, then renamed over the target (an existing good file survives a kill or full disk).
pub(crate) fn write_atomic(path: &std::path::Path, flag: &str, bytes: &[u8]) -> Result<(), JobError> {
    use std::io::Write;
    let fail = |e: std::io::Error| JobError::Usage(format!("{flag} {}: cannot write: {e}", path.display()));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}
