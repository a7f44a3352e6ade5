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

use crate::jobs::partition::PartitionParams;
use crate::jobs::spectrum::{SpectrumParams, SpectrumRecord};
use crate::jobs::{self, Ctx, JobError};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
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

#[derive(Args)]
struct PartitionArgs {
    #[command(flatten)]
    p: PartitionParams,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SpectrumArgs {
    #[command(flatten)]
    p: SpectrumParams,
    /// draw x_n vs 1/L and ln λ0/L vs 1/L² (with the central-charge fit) to a PNG
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// print one JSON object on stdout instead of a table
    #[arg(long)]
    json: bool,
}

fn spectrum_plot(path: &std::path::Path, r: &SpectrumRecord) -> Result<(), JobError> {
    use crate::plot::{panels, Panel, Series};
    let rows = r.widths();
    let levels = rows.iter().map(|r| r.scaling_dimensions.len()).min().unwrap_or(0);
    let names: Vec<String> = (1..=levels).map(|n| format!("x_{n}")).collect();
    let series: Vec<Series> = (0..levels)
        .map(|n| Series {
            label: &names[n],
            points: rows.iter().map(|r| (1.0 / r.width as f64, r.scaling_dimensions[n])).collect(),
            line: true,
            errors: Vec::new(),
        })
        .collect();
    let per: Vec<(f64, f64)> =
        rows.iter().map(|r| (1.0 / (r.width * r.width) as f64, r.ln_lambda_max_per_site)).collect();
    let mut s2 = vec![Series { label: "ln λ0 per site", points: per.clone(), line: false, errors: Vec::new() }];
    let fit_label;
    if let Some(cc) = &r.central_charge {
        fit_label = format!("f + πc/(6L²), c = {:.4} ± {:.4}", cc.c, cc.stderr);
        let xmax = per.iter().map(|p| p.0).fold(0.0, f64::max);
        s2.push(Series {
            label: &fit_label,
            points: (0..=20)
                .map(|i| {
                    let x = xmax * i as f64 / 20.0;
                    (x, cc.ln_z_per_site_infinite + std::f64::consts::PI * cc.c / 6.0 * x)
                })
                .collect(),
            line: true,
            errors: Vec::new(),
        });
    }
    panels(
        path,
        &[
            Panel {
                title: format!("scaling dimensions, {} at K = {:.6}", r.model, r.beta),
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

/// Prints a record as the command's one JSON object (keys sorted, as in a sweep's results).
pub(crate) fn print_json<R: serde::Serialize>(record: &R) {
    println!("{}", jobs::params::to_json(record));
}

/// A number for a table: fixed with `decimals` places while that stays short, else scientific
/// with 15 significant digits (`{}` of 1e300 is 301 digits, `{:.15}` of 1e-300 is all zeros).
pub(crate) fn num(x: f64, decimals: usize) -> String {
    if x == 0.0 || (x.abs() >= 1e-4 && x.abs() < 1e12) {
        format!("{x:.decimals$}")
    } else {
        format!("{x:.14e}")
    }
}

pub(crate) use crate::jobs::coupling;

fn partition(a: &PartitionArgs) -> Result<(), JobError> {
    let r = jobs::partition::run(&a.p, &Ctx::default())?;
    if a.json {
        print_json(&r);
        return Ok(());
    }
    println!(
        "{} model on the periodic {} torus, K = {}{}",
        r.params.model.model,
        r.lattice,
        coupling(r.beta),
        if r.critical { " (critical)" } else { "" }
    );
    println!("  method                        {}", r.method);
    println!("  ln Z                          {:.15e}", r.ln_z);
    println!("  ln Z / N                      {}", num(r.ln_z_per_site, 15));
    match r.free_energy_per_site {
        Some(f) => println!("  f = −ln Z/(βN)                {}", num(f, 15)),
        None => println!("  f = −ln Z/(βN)                undefined at β = 0"),
    }
    Ok(())
}

fn spectrum(a: &SpectrumArgs) -> Result<(), JobError> {
    let job = a.p.validate()?;
    if let Some(p) = &a.plot {
        check_output(p, "--plot", &["png"])?;
    }
    let bar = progress_bar(show_progress(a.json), job.widths.len() as u64, "widths");
    let tick = |done: usize, _of: usize| bar.set_position(done as u64);
    let r = jobs::spectrum::run_checked(&a.p, &job, &Ctx::with_progress(&tick))?;
    bar.finish_and_clear();
    if let Some(path) = &a.plot {
        spectrum_plot(path, &r)?;
    }
    if a.json {
        print_json(&r);
        return Ok(());
    }
    println!(
        "{} model, periodic cylinder of width L, K = {}{}",
        job.spec.model,
        coupling(r.beta),
        if r.critical { " (critical)" } else { "" }
    );
    println!("x_n = (L/2π) ln(λ0/λn); ξ = 1/ln(λ0/λ1); {} levels", a.p.levels);
    let per = if job.spec.dim == 3 { "ln λ0 / L²" } else { "ln λ0 / L" };
    println!("{:>4} {:>20} {:>14}  scaling dimensions x_1, x_2, ...", "L", per, "ξ");
    for w in r.widths() {
        let x: Vec<String> = w.scaling_dimensions.iter().map(|x| format!("{x:.6}")).collect();
        let xi = match (w.correlation_length, w.ln_lambda.len()) {
            (Some(xi), _) => format!("{xi:.6}"),
            (None, 1) => "-".into(),
            (None, _) => "∞".into(),
        };
        println!("{:>4} {:>20.15} {:>14}  {}", w.width, w.ln_lambda_max_per_site, xi, x.join(" "));
    }
    if let Some(cc) = &r.central_charge {
        println!(
            "central charge from ln λ0/L = f + (πc/6)/L² + e/L⁴: c = {:.6} ± {:.1e}  (f = {:.12})",
            cc.c, cc.stderr, cc.ln_z_per_site_infinite
        );
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

fn dispatch(cli: &Cli) -> Result<(), JobError> {
    match &cli.command {
        Command::Partition(a) => partition(a),
        Command::Spectrum(a) => spectrum(a),
        Command::Fisher(a) => fisher::run(a),
        Command::Ctmrg(a) => tn::run("ctmrg", a),
        Command::Dmrg(a) => chain::run_dmrg_cmd(a),
        Command::Vumps(a) => chain::run_vumps_cmd(a),
        Command::Dos(a) => dos::run_dos(a),
        Command::Validate(a) => dos::run_validate(a),
        Command::Sweep(a) => sweep::run(a),
    }
}

/// The command line: the fixed commands and one subcommand per registered coarse-graining
/// scheme (`onsager_tn::registry::SCHEMES`), all with the same tensor-network flags.
fn command() -> clap::Command {
    let mut c = Cli::command();
    for s in onsager_tn::registry::SCHEMES {
        // the entry's about after the flags: augment_args would put the params' doc there
        c = c.subcommand(tn::TnArgs::augment_args(clap::Command::new(s.name)).about(s.about));
    }
    c
}

/// Parses the command line and runs the command.
fn parse_and_run() -> Result<Result<(), JobError>, clap::Error> {
    let matches = command().try_get_matches()?;
    let job: Box<dyn FnOnce() -> Result<(), JobError> + '_> = match matches.subcommand() {
        Some((name, sub)) if onsager_tn::registry::find(name).is_some() => {
            let args = tn::TnArgs::from_arg_matches(sub)?;
            Box::new(move || tn::run(name, &args))
        }
        _ => {
            let cli = Cli::from_arg_matches(&matches)?;
            Box::new(move || dispatch(&cli))
        }
    };
    // a kernel's decomposition that did not converge unwinds to here: one line, exit 2
    Ok(jobs::cancellable(job))
}

/// clap's error in one line: its first line and, for a bad value, the allowed ones.
fn one_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ").to_string();
    match text.lines().find_map(|l| l.trim().strip_prefix("[possible values: ")) {
        Some(v) => format!("{first}: one of {}", v.trim_end_matches(']')),
        None => first,
    }
}

/// Runs the CLI: parses arguments, runs the command, maps errors to one stderr line and exit 2.
pub fn main() -> ExitCode {
    // `onsager ... | head` closes stdout early: end quietly (status 141, as for SIGPIPE)
    // instead of printing println!'s panic; a full disk under `> file` is one line and exit 2
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = jobs::panic_message(info.payload());
        if msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        if let Some(why) = msg.strip_prefix("failed printing to stdout: ") {
            eprintln!("error: cannot write the result to standard output: {why}");
            std::process::exit(2);
        }
        default_hook(info);
    }));
    let result = match parse_and_run() {
        Ok(r) => r,
        Err(e) => {
            use clap::error::ErrorKind::*;
            if matches!(e.kind(), DisplayHelp | DisplayVersion | DisplayHelpOnMissingArgumentOrSubcommand) {
                e.exit()
            }
            eprintln!("error: {}", one_line(&e));
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.naming(is_flag, |f| format!("--{}", f.replace('_', "-"))));
            ExitCode::from(2)
        }
    }
}

/// Whether a params field is a flag of some command (`beta_y` → `--beta-y`): the errors name
/// fields, the CLI shows them as its flags.
fn is_flag(field: &str) -> bool {
    let long = field.replace('_', "-");
    let cmd = command();
    let mut args = cmd.get_arguments().chain(cmd.get_subcommands().flat_map(|s| s.get_arguments()));
    args.any(|a| a.get_long() == Some(long.as_str()))
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
