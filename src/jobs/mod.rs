//! The jobs: one typed job per command, the CLI, the sweeps and the Python package being thin
//! adapters over them.
//!
//! Each command has a params struct (`FisherParams`, `PartitionParams`, …: the CLI's flags with
//! their defaults, the keys of a sweep spec), validated in one place (`params.validate()`, errors
//! naming the field and its range), and a `run(&params, &Ctx) -> Result<Record, JobError>` whose
//! record serialises to the command's JSON and carries the params and the version. [`commands`]
//! and [`run_command`] reach every job by name from a JSON object of parameters.
//!
//! ```
//! use onsager::jobs::{partition, Ctx};
//! let mut p = partition::PartitionParams::default();
//! p.lattice.lx = 4;
//! p.model.beta = "0.3".into();
//! let kaufman = partition::run(&p, &Ctx::default()).unwrap();
//! assert_eq!(kaufman.method, "kaufman");
//! // the same job by brute force over all 2^16 configurations
//! p.method = partition::Method::Enumerate;
//! let brute = partition::run(&p, &Ctx::default()).unwrap();
//! assert!((kaufman.ln_z - brute.ln_z).abs() < 1e-12 * brute.ln_z);
//! // and from a JSON object of parameters, as a sweep or the Python package passes them
//! let v = onsager::jobs::run_command(
//!     "partition",
//!     &serde_json::json!({"lx": 4, "beta": 0.3}),
//!     &Ctx::default(),
//! ).unwrap();
//! assert_eq!(v["ln_z"].as_f64(), Some(kaufman.ln_z));
//! ```

pub mod chain;
pub mod checkpoint;
pub mod collapse;
pub mod dos;
pub mod fisher;
pub mod params;
pub mod partition;
pub mod spectrum;
pub mod sweep;
pub mod tn;
pub mod validate;
pub mod vouch;

/// The message of a panic payload (a `String` or a `&str`; anything else is "a panic").
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".into())
}

/// A record after [`vouch::vouch`]: every number in it is finite.
pub(crate) fn vouched<R: serde::Serialize>(record: R) -> Result<R, JobError> {
    vouch::vouch(&record)?;
    Ok(record)
}

use onsager_models::{critical_coupling, Model, ModelError};
use std::sync::atomic::{AtomicBool, Ordering};
use thiserror::Error;

/// A coupling in a heading or a message: as given while short, else scientific (`{}` of 1e300
/// is 301 digits).
pub fn coupling(k: f64) -> String {
    let s = k.to_string();
    if s.len() <= 20 {
        s
    } else {
        format!("{k:e}")
    }
}

/// Any error a job can report to a user.
#[derive(Debug, Error)]
pub enum JobError {
    /// bad model or lattice parameter
    #[error(transparent)]
    Model(#[from] ModelError),
    /// transfer-matrix failure or memory refusal
    #[error(transparent)]
    Transfer(#[from] onsager_transfer::TransferError),
    /// the exact DOS cannot be computed for this model
    #[error(transparent)]
    Dos(#[from] onsager_exact::microcanonical::DosError),
    /// the exact order-parameter moments cannot be computed for this model
    #[error(transparent)]
    Magnetization(#[from] onsager_exact::order_parameter::MagnetizationError),
    /// a parameter out of its range or in conflict with another. `field` is the parameter's
    /// name in the params struct: the sweep key and the Python keyword; the CLI flag is
    /// `--field` with `-` for `_` ([`JobError::naming`] renders each). The message reads on
    /// from the name: `= 1 is out of range: 2 ≤ q ≤ 64`.
    #[error("{field} {message}")]
    Param {
        /// the params-struct field
        field: String,
        /// what is wrong, reading on from the field's name
        message: String,
    },
    /// a usage error that belongs to no one parameter (an unknown command, a file that cannot be
    /// written)
    #[error("{0}")]
    Usage(String),
    /// the job stopped because [`Ctx::cancel`] was set
    #[error("the job was cancelled")]
    Cancelled,
    /// the job would not fit in the memory budget: the parameter that sets its size, the
    /// predicted need and the budget it was checked against (bytes), and the one-line message
    /// that says both and what to lower
    #[error("{message}")]
    Memory {
        /// the params-struct field that sets the job's size (`chi`, `sizes`)
        field: String,
        /// predicted peak memory, bytes
        need: f64,
        /// the budget it exceeds, bytes ([`Ctx::memory_budget`])
        budget: f64,
        /// the message, with both numbers human readable
        message: String,
    },
    /// a result the code cannot vouch for (conditioning, overflow), with the reason
    #[error("{0}")]
    Numerical(String),
}

/// What kind of failure a [`JobError`] is (the Python package raises `ValueError`, `MemoryError`
/// or `RuntimeError` from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// a parameter out of its range, or a job refused as too long
    Input,
    /// the memory prediction refused the job
    Memory,
    /// a numerical kernel failed or an internal check did not hold
    Numerical,
    /// the caller cancelled the job ([`Ctx::cancel`])
    Cancelled,
}

impl JobError {
    /// A parameter error: `field` and what is wrong with it, reading on from its name.
    pub fn param(field: &str, message: impl Into<String>) -> Self {
        JobError::Param { field: field.into(), message: message.into() }
    }

    /// The parameter this error is about, by its params-struct field name, if it is about one.
    pub fn field(&self) -> Option<&str> {
        use onsager_transfer::TransferError;
        match self {
            JobError::Param { field, .. } | JobError::Memory { field, .. } => Some(field),
            JobError::Model(m) | JobError::Transfer(TransferError::Model(m)) => match m {
                ModelError::OutOfRange { name, .. } => Some(name),
                ModelError::NoCriticalPoint(_) => Some("beta"),
            },
            // its message begins with the word and the file
            JobError::Transfer(TransferError::Checkpoint(_)) => Some("checkpoint"),
            _ => None,
        }
    }

    /// The message with its parameters named by `name(field)` where `known(field)`: the leading
    /// field of a parameter error, and every other parameter the message refers to, which it
    /// writes as `` `field` `` (the CLI passes `--flag`; [`Display`](std::fmt::Display) keeps the
    /// field names, as a sweep key or a Python keyword reads).
    pub fn naming(&self, known: impl Fn(&str) -> bool, name: impl Fn(&str) -> String) -> String {
        let text = self.to_string();
        let (lead, rest) = match self.field() {
            Some(f) if known(f) && text.starts_with(f) => (name(f), &text[f.len()..]),
            _ => (String::new(), text.as_str()),
        };
        let mut out = lead;
        // a usage error's backticks quote what the user wrote (a sweep's `key`, a command)
        if matches!(self, JobError::Usage(_)) || rest.matches('`').count() % 2 == 1 {
            out.push_str(rest);
            return out;
        }
        // the odd pieces are the quoted ones
        for (i, piece) in rest.split('`').enumerate() {
            let field = piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') && !piece.is_empty();
            match i % 2 {
                0 => out.push_str(piece),
                _ if field && known(piece) => out.push_str(&name(piece)),
                _ => out.push_str(&format!("`{piece}`")),
            }
        }
        out
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        use onsager_exact::microcanonical::DosError;
        use onsager_transfer::TransferError;
        match self {
            JobError::Memory { .. } | JobError::Transfer(TransferError::TooBig { .. }) => ErrorKind::Memory,
            JobError::Dos(DosError::LayerTooLarge { .. })
            | JobError::Magnetization(onsager_exact::order_parameter::MagnetizationError::LayerTooLarge { .. }) => {
                ErrorKind::Memory
            }
            JobError::Cancelled => ErrorKind::Cancelled,
            JobError::Numerical(_)
            | JobError::Transfer(TransferError::Linalg(_))
            | JobError::Dos(DosError::Check(_)) => ErrorKind::Numerical,
            _ => ErrorKind::Input,
        }
    }
}

/// What every job runs with: the memory budget, progress callbacks (the CLI draws an indicatif
/// bar with them; a library caller passes its own or none) and a cancellation flag.
pub struct Ctx<'a> {
    /// bytes a job may allocate ([`memory_limit`] by default)
    pub memory_budget: f64,
    /// called with (done, of) as work units finish
    pub on_progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// called with a short status line (the size being computed, the current energy)
    pub on_message: Option<&'a (dyn Fn(&str) + Sync)>,
    /// set from any thread to stop the job: at its next progress report or status line it
    /// unwinds, and [`run_command`] (or [`cancellable`] around a typed `run`) returns
    /// [`JobError::Cancelled`]; the kernels in between are not interrupted
    pub cancel: Option<&'a AtomicBool>,
}

impl Default for Ctx<'_> {
    fn default() -> Self {
        Ctx { memory_budget: memory_limit(), on_progress: None, on_message: None, cancel: None }
    }
}

/// The unwind payload of a cancelled job ([`Ctx::cancel`]).
struct Cancelled;

impl<'a> Ctx<'a> {
    /// The default context with a progress callback.
    pub fn with_progress(f: &'a (dyn Fn(usize, usize) + Sync)) -> Self {
        Ctx { on_progress: Some(f), ..Ctx::default() }
    }

    /// Whether the caller asked the job to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Unwinds out of the job (to [`cancellable`]) if the caller asked it to stop. Progress
    /// reports come from inside the crates' kernels and rayon workers, which cannot return a
    /// `JobError`; the unwind carries the stop through them (rayon re-raises it in the caller).
    fn stop_if_cancelled(&self) {
        if self.cancelled() {
            // resume_unwind: no panic hook runs, so nothing is printed
            std::panic::resume_unwind(Box::new(Cancelled));
        }
    }

    /// Reports progress, if anybody listens; stops a cancelled job.
    pub fn progress(&self, done: usize, of: usize) {
        self.stop_if_cancelled();
        if let Some(f) = self.on_progress {
            f(done, of)
        }
    }

    /// Reports a status line, if anybody listens; stops a cancelled job.
    pub fn message(&self, m: &str) {
        self.stop_if_cancelled();
        if let Some(f) = self.on_message {
            f(m)
        }
    }
}

/// Runs a job so that a cancellation through [`Ctx::cancel`] returns [`JobError::Cancelled`]
/// and a kernel's [`onsager_linalg::NumericalFailure`] (a decomposition that did not converge)
/// returns [`JobError::Numerical`]; any other panic goes on unwinding.
pub fn cancellable<T>(job: impl FnOnce() -> Result<T, JobError>) -> Result<T, JobError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
        Ok(r) => r,
        Err(payload) if payload.is::<Cancelled>() => Err(JobError::Cancelled),
        Err(payload) => match payload.downcast::<onsager_linalg::NumericalFailure>() {
            Ok(failure) => Err(JobError::Numerical(failure.0)),
            Err(payload) => std::panic::resume_unwind(payload),
        },
    }
}

/// The commands that run as typed jobs from a table of parameters (sweeps, Python): the fixed
/// ones and every registered coarse-graining scheme (`onsager_tn::registry::SCHEMES`).
pub fn commands() -> Vec<&'static str> {
    let schemes = onsager_tn::registry::SCHEMES.iter().map(|s| s.name);
    ["fisher", "partition", "spectrum"].into_iter().chain(schemes).chain(["ctmrg", "dos", "dmrg", "vumps"]).collect()
}

/// Reads, validates and (with a context) runs one job by its command name from a JSON object
/// of parameters; returns its record as JSON. Without a context only the checks run.
fn dispatch(
    command: &str,
    params: &serde_json::Value,
    ctx: Option<&Ctx>,
) -> Result<Option<serde_json::Value>, JobError> {
    use params::{from_value, to_json};
    macro_rules! job {
        ($p:ty, $validate:expr, $run:expr) => {{
            let p: $p = from_value(command, params)?;
            match ctx {
                None => $validate(&p).map(|_| None),
                Some(c) => cancellable(|| $run(&p, c)).map(|r| Some(to_json(&r))),
            }
        }};
    }
    match command {
        "fisher" => job!(fisher::FisherParams, |p: &fisher::FisherParams| p.validate(), fisher::run),
        "partition" => job!(partition::PartitionParams, |p: &partition::PartitionParams| p.validate(), partition::run),
        "spectrum" => job!(spectrum::SpectrumParams, |p: &spectrum::SpectrumParams| p.validate(), spectrum::run),
        // every registered scheme, so that a new one needs no line here
        name if name == "ctmrg" || onsager_tn::registry::find(name).is_some() => {
            // the memory one step needs is predicted here too, so a sweep refuses it up front
            let check = |p: &tn::TnParams| p.validate_within(command, memory_limit());
            job!(tn::TnParams, check, |p: &tn::TnParams, c: &Ctx| tn::run(command, p, c))
        }
        "dos" => job!(dos::DosParams, |p: &dos::DosParams| p.validate(), dos::run),
        "dmrg" => job!(chain::DmrgParams, |p: &chain::DmrgParams| p.validate(), chain::run_dmrg_job),
        "vumps" => job!(chain::VumpsParams, |p: &chain::VumpsParams| p.validate(), chain::run_vumps_job),
        other => Err(JobError::Usage(format!("command `{other}` is out of range: {}", commands().join(", ")))),
    }
}

/// A job's default parameters as JSON (the CLI's defaults; the Python package checks its keyword
/// defaults against them). `validate` is included: its samples come separately.
pub fn default_params(command: &str) -> Result<serde_json::Value, JobError> {
    use params::to_json;
    Ok(match command {
        "fisher" => to_json(&fisher::FisherParams::default()),
        "partition" => to_json(&partition::PartitionParams::default()),
        "spectrum" => to_json(&spectrum::SpectrumParams::default()),
        name if name == "ctmrg" || onsager_tn::registry::find(name).is_some() => to_json(&tn::TnParams::default()),
        "dos" => to_json(&dos::DosParams::default()),
        "dmrg" => to_json(&chain::DmrgParams::default()),
        "vumps" => to_json(&chain::VumpsParams::default()),
        "validate" => to_json(&validate::ValidateParams::default()),
        other => return Err(JobError::Usage(format!("command `{other}` is out of range: {}", commands().join(", ")))),
    })
}

/// Checks a job's parameters without running it (a sweep checks every grid point first).
pub fn check_command(command: &str, params: &serde_json::Value) -> Result<(), JobError> {
    dispatch(command, params, None).map(|_| ())
}

/// Runs one job by name from a JSON object of parameters and returns its record as JSON — the
/// same object `onsager <command> --json` prints.
pub fn run_command(command: &str, params: &serde_json::Value, ctx: &Ctx) -> Result<serde_json::Value, JobError> {
    dispatch(command, params, Some(ctx)).map(|v| v.unwrap_or(serde_json::Value::Null))
}

/// A model on a hypercubic lattice of a given dimension, as named on the command line:
/// `ising` (2D), `ising3d`, `ising1d`, `potts` and `clock` (2D, with q).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSpec {
    /// the local degree of freedom
    pub model: Model,
    /// lattice dimension
    pub dim: usize,
}

impl ModelSpec {
    /// Parses `--model` and `--q`.
    pub fn parse(name: &str, q: Option<usize>) -> Result<Self, ModelError> {
        let (base, dim) = match name {
            "ising3d" => ("ising", 3),
            "ising1d" => ("ising", 1),
            "ising" | "potts" | "clock" => (name, 2),
            other => return Err(ModelError::range("model", other, "one of ising, potts, clock, ising3d, ising1d")),
        };
        if base == "ising" && q.is_some_and(|q| q != 2) {
            return Err(ModelError::range(
                "q",
                q.unwrap_or(0),
                "the Ising model has q = 2; use `model` potts or clock",
            ));
        }
        Ok(ModelSpec { model: Model::from_name(base, q)?, dim })
    }

    /// Name used in output (`ising`, `ising3d`, `potts3`, ...).
    pub fn name(&self) -> String {
        match self.dim {
            2 => self.model.name(),
            d => format!("{}{d}d", self.model.name()),
        }
    }

    /// Resolves `--beta`: a number ≥ 0 or `critical`. Returns (β, is_critical).
    pub fn beta(&self, spec: &str) -> Result<(f64, bool), ModelError> {
        if spec.eq_ignore_ascii_case("critical") {
            return Ok((critical_coupling(self.model, self.dim)?.coupling, true));
        }
        let b: f64 =
            spec.trim().parse().map_err(|_| ModelError::range("beta", spec, "a finite number ≥ 0, or 'critical'"))?;
        Ok((onsager_models::check_beta(b)?, false))
    }
}

/// Parses an inclusive range `A..B`, a comma-separated list `4,6,8`, or a single number.
pub fn parse_sizes(name: &str, spec: &str) -> Result<Vec<usize>, ModelError> {
    let bad =
        || ModelError::range(name, spec, "A..B (inclusive), a comma-separated list, or both (4..8,12,16), all ≥ 1");
    let mut list: Vec<usize> = Vec::new();
    for item in spec.split(',') {
        if let Some((a, b)) = item.split_once("..") {
            let (a, b): (usize, usize) =
                (a.trim().parse().map_err(|_| bad())?, b.trim().trim_start_matches('=').parse().map_err(|_| bad())?);
            if a > b {
                return Err(bad());
            }
            list.extend(a..=b);
        } else {
            list.push(item.trim().parse::<usize>().map_err(|_| bad())?);
        }
    }
    if list.is_empty() || list.contains(&0) {
        return Err(bad());
    }
    // a size twice is a zero-width step for every local slope and fit (NaN, "± 0")
    let mut seen = std::collections::HashSet::new();
    if let Some(&d) = list.iter().find(|&&l| !seen.insert(l)) {
        return Err(ModelError::range(name, spec, &format!("every size once ({d} appears twice)")));
    }
    Ok(list)
}

/// Refuses with [`JobError::Memory`] when the `need` predicted for a job (bytes, before anything
/// is allocated) is over `budget`. `message(need, budget)` gets both human readable and writes the
/// line: what needs it, and what to lower (`field`, the parameter that sets the size).
pub fn check_memory(
    field: &str,
    need: f64,
    budget: f64,
    message: impl FnOnce(String, String) -> String,
) -> Result<(), JobError> {
    use onsager_transfer::memory::human;
    if need <= budget {
        return Ok(());
    }
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let threads = rayon::current_num_threads() + 1;
    let reserve = threads as f64 * gemm_scratch_bytes(&read);
    // under ulimit -v faer's scratch can be what does not fit: when nothing is left after it,
    // lowering the parameter cannot help; when the job would fit without it, it is one remedy more
    let message = match rlimit_as_room(&read) {
        Some(room) if room - reserve <= 0.0 => format!(
            "`{field}`: nothing is left of the address-space limit (ulimit -v, {} free) after faer's matrix \
             products reserve {} ({threads} threads × 2 × L3); raise ulimit -v or lower RAYON_NUM_THREADS",
            human(room.max(0.0)),
            human(reserve)
        ),
        Some(room) if 0.9 * room >= need && 0.9 * (room - reserve) < need => format!(
            "{}; or raise ulimit -v or lower RAYON_NUM_THREADS, since faer's matrix products reserve {} of it \
             ({threads} threads × 2 × L3)",
            message(human(need), human(budget)),
            human(reserve)
        ),
        _ => message(human(need), human(budget)),
    };
    Err(JobError::Memory { field: field.into(), need, budget, message })
}

/// Peak resident memory of this process so far (VmHWM, Linux), in bytes.
pub fn peak_rss_bytes() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// Memory the jobs may use: 90 % of the smallest of MemAvailable, the cgroup's memory limit
/// (v2 `memory.max` less `memory.current`, or v1 `memory.limit_in_bytes` less usage) and
/// RLIMIT_AS less the address space already mapped; 16 GiB where none can be read (not Linux).
///
/// Under RLIMIT_AS the address space, not the resident set, is what runs out, and faer's matrix
/// products (private-gemm) reserve 2 × L3 of packing scratch per thread that multiplies, untouched
/// but mapped: 960 MiB a thread on a machine that reports a 480 MiB L3. That reserve, for every
/// rayon worker and the calling thread, comes off the RLIMIT_AS term; without it a job predicted
/// to fit aborts in the allocator at its first product.
pub fn memory_limit() -> f64 {
    memory_limit_from(|p| std::fs::read_to_string(p).ok(), rayon::current_num_threads() + 1)
}

/// [`memory_limit`] with the files it reads (`/proc/meminfo`, `/proc/self/cgroup`, the cgroup's
/// `memory.*` files, `/proc/self/limits`, `/proc/self/status`) supplied by `read`, so that every
/// cgroup layout can be tested without being on it; `threads` is the number of threads that may
/// run matrix products.
pub fn memory_limit_from(read: impl Fn(&str) -> Option<String>, threads: usize) -> f64 {
    let num = |s: Option<String>| s.and_then(|s| s.trim().parse::<f64>().ok());
    let mut limits = Vec::new();
    if let Some(s) = read("/proc/meminfo") {
        if let Some(kib) = s
            .lines()
            .find(|l| l.starts_with("MemAvailable:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        {
            limits.push(kib * 1024.0);
        }
    }
    // the cgroup of this process (v2: one line "0::/path"; v1: a "memory" controller line)
    if let Some(cg) = read("/proc/self/cgroup") {
        for line in cg.lines() {
            let mut f = line.splitn(3, ':');
            let (_, ctrl, path) = (f.next(), f.next().unwrap_or(""), f.next().unwrap_or(""));
            if ctrl.is_empty() {
                let dir = format!("/sys/fs/cgroup{path}");
                if let (Some(max), used) =
                    (num(read(&format!("{dir}/memory.max"))), num(read(&format!("{dir}/memory.current"))))
                {
                    limits.push(max - used.unwrap_or(0.0));
                }
            } else if ctrl.split(',').any(|c| c == "memory") {
                for dir in [format!("/sys/fs/cgroup/memory{path}"), "/sys/fs/cgroup/memory".to_string()] {
                    if let Some(max) = num(read(&format!("{dir}/memory.limit_in_bytes"))) {
                        let used = num(read(&format!("{dir}/memory.usage_in_bytes"))).unwrap_or(0.0);
                        // v1 reports "no limit" as a number near 2^63
                        if max < 1e18 {
                            limits.push(max - used);
                        }
                        break;
                    }
                }
            }
        }
    }
    if let Some(room) = rlimit_as_room(&read) {
        limits.push(room - threads as f64 * gemm_scratch_bytes(&read));
    }
    match limits.into_iter().reduce(f64::min) {
        Some(b) => 0.9 * b.max(0.0),
        None => 16.0 * 1024f64.powi(3),
    }
}

/// RLIMIT_AS less the address space already mapped (`/proc/self/limits` "Max address space",
/// `/proc/self/status` VmSize), in bytes; None where there is no limit.
fn rlimit_as_room(read: &impl Fn(&str) -> Option<String>) -> Option<f64> {
    let soft = read("/proc/self/limits")?
        .lines()
        .find(|l| l.starts_with("Max address space"))
        .and_then(|l| l.split_whitespace().nth(3)?.parse::<f64>().ok())?;
    let mapped = read("/proc/self/status")
        .and_then(|s| s.lines().find(|l| l.starts_with("VmSize:"))?.split_whitespace().nth(1)?.parse::<f64>().ok())
        .unwrap_or(0.0)
        * 1024.0;
    Some(soft - mapped)
}

/// Address space faer's matrix products (private-gemm) reserve per multiplying thread: 2 × the
/// last-level (L3) cache of cpu0 read from sysfs ("491520K"), 0 where there is none to read.
pub fn gemm_scratch_bytes(read: &impl Fn(&str) -> Option<String>) -> f64 {
    2.0 * (0..8)
        .map(|i| format!("/sys/devices/system/cpu/cpu0/cache/index{i}"))
        .find(|d| read(&format!("{d}/level")).is_some_and(|l| l.trim() == "3"))
        .and_then(|d| read(&format!("{d}/size")))
        .and_then(|s| {
            let s = s.trim();
            let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
            let scale = match unit {
                "K" => 1024.0,
                "M" => 1024.0 * 1024.0,
                "" => 1.0,
                _ => return None,
            };
            Some(digits.parse::<f64>().ok()? * scale)
        })
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake /proc and /sys: the files named, nothing else.
    fn fake<'a>(files: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |p| files.iter().find(|(q, _)| *q == p).map(|(_, t)| t.to_string())
    }

    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    const MEMINFO: &str = "MemTotal:       25165824 kB\nMemAvailable:   20971520 kB\n";

    #[test]
    fn memory_limit_reads_every_cgroup_layout() {
        // nothing readable (not Linux): the 16 GiB default
        assert_eq!(memory_limit_from(fake(&[]), 3), 16.0 * GIB);
        // MemAvailable alone: 20 GiB, of which 90 %
        assert_eq!(memory_limit_from(fake(&[("/proc/meminfo", MEMINFO)]), 3), 0.9 * 20.0 * GIB);
        // cgroup v2: memory.max 4 GiB less memory.current 1 GiB
        let v2 = [
            ("/proc/meminfo", MEMINFO),
            ("/proc/self/cgroup", "0::/user.slice/job\n"),
            ("/sys/fs/cgroup/user.slice/job/memory.max", "4294967296\n"),
            ("/sys/fs/cgroup/user.slice/job/memory.current", "1073741824\n"),
        ];
        assert_eq!(memory_limit_from(fake(&v2), 3), 0.9 * 3.0 * GIB);
        // v2 "max" (no limit) does not parse as a number and leaves MemAvailable in charge
        let v2max = [
            ("/proc/meminfo", MEMINFO),
            ("/proc/self/cgroup", "0::/\n"),
            ("/sys/fs/cgroup/memory.max", "max\n"),
            ("/sys/fs/cgroup/memory.current", "1073741824\n"),
        ];
        assert_eq!(memory_limit_from(fake(&v2max), 3), 0.9 * 20.0 * GIB);
        // cgroup v1 (the layout of this project's own machines): the memory controller's line,
        // limit 2 GiB less usage 0.5 GiB
        let v1 = [
            ("/proc/meminfo", MEMINFO),
            ("/proc/self/cgroup", "12:cpuset:/\n11:memory:/process_api/x\n1:name=systemd:/\n"),
            ("/sys/fs/cgroup/memory/process_api/x/memory.limit_in_bytes", "2147483648\n"),
            ("/sys/fs/cgroup/memory/process_api/x/memory.usage_in_bytes", "536870912\n"),
        ];
        assert_eq!(memory_limit_from(fake(&v1), 3), 0.9 * 1.5 * GIB);
        // v1 inside a container: the path is not mounted, the root of the hierarchy is;
        // "no limit" there is 2^63 - 4096 and is ignored
        let v1root = [
            ("/proc/meminfo", MEMINFO),
            ("/proc/self/cgroup", "4:cpu,memory:/docker/abc\n"),
            ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n"),
        ];
        assert_eq!(memory_limit_from(fake(&v1root), 3), 0.9 * 20.0 * GIB);
        // RLIMIT_AS 8 GiB with 2 GiB already mapped (VmSize) wins over the rest
        let rlimit = [
            ("/proc/meminfo", MEMINFO),
            (
                "/proc/self/limits",
                "Limit                     Soft Limit           Hard Limit           Units\n\
                 Max address space         8589934592           unlimited            bytes\n",
            ),
            ("/proc/self/status", "VmPeak:  2097152 kB\nVmSize:  2097152 kB\n"),
        ];
        assert_eq!(memory_limit_from(fake(&rlimit), 3), 0.9 * 6.0 * GIB);
        // and with a 256 MiB L3 (sysfs index3), three threads that multiply reserve 2 × 256 MiB
        // each of address space for faer's packing: 6 GiB - 1.5 GiB
        let mut l3 = rlimit.to_vec();
        l3.push(("/sys/devices/system/cpu/cpu0/cache/index0/level", "1\n"));
        l3.push(("/sys/devices/system/cpu/cpu0/cache/index3/level", "3\n"));
        l3.push(("/sys/devices/system/cpu/cpu0/cache/index3/size", "262144K\n"));
        assert_eq!(memory_limit_from(fake(&l3), 3), 0.9 * 4.5 * GIB);
        // "unlimited" is not a number: no RLIMIT_AS term
        let unlimited = [
            ("/proc/meminfo", MEMINFO),
            ("/proc/self/limits", "Max address space         unlimited            unlimited            bytes\n"),
        ];
        assert_eq!(memory_limit_from(fake(&unlimited), 3), 0.9 * 20.0 * GIB);
    }

    #[test]
    fn ranges_are_inclusive() {
        assert_eq!(parse_sizes("sizes", "3..6").unwrap(), vec![3, 4, 5, 6]);
        assert_eq!(parse_sizes("sizes", "3..5,8,10..11").unwrap(), vec![3, 4, 5, 8, 10, 11]);
        assert!(parse_sizes("sizes", "5..3,8").is_err());
        assert_eq!(parse_sizes("sizes", "4,6,8").unwrap(), vec![4, 6, 8]);
        assert_eq!(parse_sizes("sizes", "7").unwrap(), vec![7]);
        assert!(parse_sizes("sizes", "9..3").is_err());
        assert!(parse_sizes("sizes", "0..3").is_err());
        assert!(parse_sizes("sizes", "a").unwrap_err().to_string().starts_with("sizes = a is out of range"));
        assert!(parse_sizes("sizes", "3,3,4").unwrap_err().to_string().contains("3 appears twice"));
        assert!(parse_sizes("sizes", "3..5,4").unwrap_err().to_string().contains("4 appears twice"));
    }

    #[test]
    fn beta_critical_resolves_or_errors() {
        let s = ModelSpec::parse("ising", None).unwrap();
        // K_c = ln(1+√2)/2 (shared/physics.md)
        assert_eq!(s.beta("critical").unwrap(), (0.44068679350977147, true));
        let r = ModelSpec::parse("ising1d", None).unwrap().beta("critical");
        assert!(r.unwrap_err().to_string().contains("no known critical"));
        assert!(s.beta("-0.2").is_err() && s.beta("nan").is_err());
        assert!(ModelSpec::parse("potts", Some(1)).is_err());
    }
}
