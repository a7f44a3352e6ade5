//! `onsager sweep FILE.toml`.

use super::{progress_bar, show_progress};
use crate::jobs::sweep::{finished_keys, parse_spec, pending, run_local, ResultsFile};
use crate::jobs::JobError;
use clap::Args;
use serde_json::json;

#[derive(Args)]
pub(crate) struct SweepArgs {
    /// the sweep spec: `command = "fisher"` and the command's flags as keys; a list is a grid axis
    file: std::path::PathBuf,
    /// results file (JSON Lines, appended; finished jobs are skipped) [default: FILE with .jsonl]
    #[arg(long)]
    output: Option<std::path::PathBuf>,
    /// print one JSON summary on stdout
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(a: &SweepArgs) -> Result<(), JobError> {
    let name = a.file.display().to_string();
    let text =
        std::fs::read_to_string(&a.file).map_err(|e| JobError::Usage(format!("sweep {name}: cannot read: {e}")))?;
    let jobs = parse_spec(&text).map_err(|e| JobError::Usage(format!("sweep {name}: {e}")))?;
    let output = a.output.clone().unwrap_or_else(|| a.file.with_extension("jsonl"));
    let t0 = std::time::Instant::now();
    #[cfg(feature = "mpi")]
    {
        use crate::mpi_sweep::{run_if_parallel, Role};
        match run_if_parallel(&jobs, &output)? {
            Role::Alone => {}
            Role::Worker => return Ok(()),
            Role::Master(skipped, ran, failed) => return report(a, &output, jobs.len(), (skipped, ran, failed), t0),
        }
    }
    #[cfg(not(feature = "mpi"))]
    {
        // several copies of a serial build under mpirun would each run the whole sweep
        let ranks = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"]
            .iter()
            .find_map(|v| std::env::var(v).ok()?.parse::<usize>().ok())
            .unwrap_or(1);
        if ranks > 1 {
            return Err(JobError::Usage(format!(
                "sweep runs under MPI with {ranks} ranks but this onsager was built without the mpi feature: \
                 cargo build --release --features mpi"
            )));
        }
    }
    // the lock first: no other sweep may read or cut the file while this one decides what is done
    let out = ResultsFile::open(&output).map_err(JobError::Usage)?;
    let (done, dropped) = finished_keys(&output).map_err(|e| JobError::param("output", e))?;
    if dropped > 0 {
        eprintln!("note: {}: cut a truncated last line ({dropped} bytes); its job runs again", output.display());
    }
    let total = jobs.len();
    let todo = pending(jobs, &done);
    let skipped = total - todo.len();
    let bar = progress_bar(show_progress(a.json), todo.len() as u64, "jobs");
    let workers = rayon::current_num_threads().min(todo.len()).max(1);
    let (ran, failed) = run_local(todo, &out, workers, &|| bar.inc(1))?;
    bar.finish_and_clear();
    report(a, &output, total, (skipped, ran, failed), t0)
}

fn report(
    a: &SweepArgs,
    output: &std::path::Path,
    total: usize,
    (skipped, ran, failed): (usize, usize, usize),
    t0: std::time::Instant,
) -> Result<(), JobError> {
    let secs = t0.elapsed().as_secs_f64();
    if a.json {
        super::print_json(&json!({"spec": a.file.display().to_string(), "output": output.display().to_string(),
            "jobs": total, "skipped": skipped, "ran": ran, "failed": failed, "seconds": secs}));
    } else {
        println!(
            "sweep {}: {total} jobs, {skipped} already in {}, ran {ran} ({failed} failed) in {secs:.2} s",
            a.file.display(),
            output.display()
        );
    }
    Ok(())
}
