//! `onsager sweep`: a grid of jobs from a TOML spec, resumable, into a JSON Lines file.
//!
//! The spec's keys are the fields of the command's params struct, the flags of the CLI
//! (`command = "fisher"`, `sizes = [6, 7]`, `beta = [0.3, 0.4]`, ...); a list is a grid axis, a
//! scalar is fixed. Every grid point is read and validated as the typed job before any runs
//! (an unknown key is refused with the allowed ones); each job's record is the object
//! `onsager <command> --json` prints, and the sweep's record (parameters, result or error, version, timings) is
//! appended to the results file as one line in one `write` followed by `fsync`, so a killed sweep
//! leaves at most one truncated last line. On restart that line is cut off and every job whose
//! key (command + parameters, canonical JSON) has a record is skipped: nothing is lost or repeated.

use super::JobError;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;

/// One job: the command and one value per key.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// e.g. "fisher"
    pub command: String,
    /// key → scalar value (sorted)
    pub params: BTreeMap<String, Value>,
}

impl Job {
    /// Canonical identity: the command and parameters as sorted JSON.
    pub fn key(&self) -> String {
        json!({"command": self.command, "params": self.params}).to_string()
    }

    /// The parameters as one JSON object (the typed job reads it with `jobs::params::from_value`).
    pub fn params_json(&self) -> Value {
        Value::Object(self.params.clone().into_iter().collect())
    }

    /// A rough cost for ordering (big jobs first): the product of the size-like parameters,
    /// to a power that reflects how the command scales.
    pub fn cost(&self) -> f64 {
        let num = |k: &str| self.params.get(k).and_then(|v| v.as_f64()).unwrap_or(1.0);
        match self.command.as_str() {
            "fisher" => num("sizes").powi(6),
            "dos" => (num("lx") * num("ly")).powi(3),
            "spectrum" => 2f64.powf(num("width")),
            "partition" => num("lx") * num("ly") * num("lz"),
            "dmrg" => num("length") * num("chi").powi(3),
            "vumps" => num("chi").powi(3) * 100.0,
            _ => num("chi").powi(6) * num("steps"),
        }
    }
}

/// Parses and checks a spec; returns the jobs in grid order. Errors are one line naming the key.
pub fn parse_spec(text: &str) -> Result<Vec<Job>, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        format!("not valid TOML: {}", e.message().lines().next().unwrap_or("parse error"))
    })?;
    let commands = super::commands().join(", ");
    let command = match table.get("command") {
        Some(toml::Value::String(c)) => c.clone(),
        Some(_) => return Err("key `command` must be a string".into()),
        None => return Err(format!("missing key `command` ({commands})")),
    };
    if !super::commands().contains(&command.as_str()) {
        return Err(format!("command `{command}` is out of range: {commands}"));
    }
    let mut axes: Vec<(String, Vec<Value>)> = Vec::new();
    for (k, v) in &table {
        if k == "command" {
            continue;
        }
        let values: Vec<&toml::Value> = match v {
            toml::Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        if values.is_empty() {
            return Err(format!("key `{k}` is an empty list: the grid would have no job"));
        }
        let mut out = Vec::new();
        for x in values {
            out.push(match x {
                toml::Value::Integer(i) => json!(i),
                toml::Value::Float(f) if !f.is_finite() => {
                    return Err(format!("key `{k}` = {f} is out of range: finite numbers"));
                }
                toml::Value::Float(f) => json!(f),
                toml::Value::String(s) => json!(s),
                toml::Value::Boolean(b) => json!(b),
                other => return Err(format!("key `{k}` has an unsupported value {other}")),
            });
        }
        axes.push((k.clone(), out));
    }
    let mut jobs = vec![BTreeMap::new()];
    for (k, vals) in &axes {
        jobs = jobs
            .into_iter()
            .flat_map(|p: BTreeMap<String, Value>| {
                vals.iter().map(move |v| {
                    let mut q = p.clone();
                    q.insert(k.clone(), v.clone());
                    q
                })
            })
            .collect();
    }
    let jobs: Vec<Job> = jobs.into_iter().map(|params| Job { command: command.clone(), params }).collect();
    // every grid point is checked by the job's own validation, the CLI's, before any runs
    for j in &jobs {
        super::check_command(&j.command, &j.params_json()).map_err(|e| sweep_error(j, &e))?;
    }
    Ok(jobs)
}

/// A job's error in sweep terms: a parameter named by its key (`` key `sizes` ``).
fn sweep_error(job: &Job, e: &JobError) -> String {
    match e.field() {
        Some(f) if job.params.contains_key(f) => format!("key {}", e.naming(|_| true, |f| format!("`{f}`"))),
        _ => format!("job {}: {e}", job.key()),
    }
}

/// Reads the keys of the finished jobs; cuts a truncated or unparsable last line off the file
/// (returning how many bytes were dropped). A bad line in the middle is an error.
pub fn finished_keys(path: &std::path::Path) -> Result<(HashSet<String>, usize), String> {
    let Ok(bytes) = std::fs::read(path) else { return Ok((HashSet::new(), 0)) };
    let mut keys = HashSet::new();
    let mut good_end = 0;
    let mut start = 0;
    let mut line_no = 0;
    while start < bytes.len() {
        line_no += 1;
        let end = bytes[start..].iter().position(|&b| b == b'\n').map(|p| start + p);
        let line = &bytes[start..end.unwrap_or(bytes.len())];
        let parsed = serde_json::from_slice::<Value>(line).ok().and_then(|v| v.get("key")?.as_str().map(String::from));
        match (parsed, end) {
            (Some(k), Some(e)) => {
                keys.insert(k);
                good_end = e + 1;
                start = e + 1;
            }
            // the last line, cut short by a kill: drop it, its job is redone
            (_, None) | (None, Some(_)) if end.is_none_or(|e| e + 1 == bytes.len()) => break,
            _ => return Err(format!("{}: line {line_no} is not a result record", path.display())),
        }
    }
    let dropped = bytes.len() - good_end;
    if dropped > 0 {
        let f = std::fs::OpenOptions::new().write(true).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        f.set_len(good_end as u64).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok((keys, dropped))
}

/// Appends records as single lines, each in one write followed by fsync.
pub struct ResultsFile {
    file: std::sync::Mutex<std::fs::File>,
}

impl ResultsFile {
    /// Opens (creates) the file for appending and takes an exclusive advisory lock on it
    /// (flock), held until the sweep ends: a second sweep on the same file is refused instead of
    /// duplicating jobs or interleaving records. Open it before [`finished_keys`] reads the file.
    pub fn open(path: &std::path::Path) -> Result<Self, String> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("the results file {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "the results file {} is being written by another sweep (it holds its lock); wait for it or give another output file",
                    path.display()
                ))
            }
            // a file system without locks (some network mounts): go on, as before locks existed
            Err(std::fs::TryLockError::Error(e)) => eprintln!("note: the results file {}: cannot lock ({e})", path.display()),
        }
        Ok(ResultsFile { file: std::sync::Mutex::new(file) })
    }

    /// Writes one record.
    pub fn append(&self, record: &Value) -> Result<(), String> {
        let mut line = record.to_string();
        line.push('\n');
        let mut f = self.file.lock().map_err(|_| "results file lock poisoned".to_string())?;
        f.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
        f.sync_data().map_err(|e| e.to_string())
    }
}

/// Runs one job in-process and builds its record.
pub fn run_job(job: &Job, rank: usize) -> Value {
    let t0 = std::time::Instant::now();
    // a panic in one job (a broken invariant) is that job's failed record, not the end of the
    // sweep: otherwise it would end every resume at the same job and the sweep could never finish
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        super::run_command(&job.command, &job.params_json(), &super::Ctx::default())
    }))
    .unwrap_or_else(|payload| {
        Err(JobError::Numerical(format!("internal error (please report it): {}", super::panic_message(&*payload))))
    });
    let mut rec = Map::new();
    rec.insert("key".into(), json!(job.key()));
    rec.insert("command".into(), json!(job.command));
    rec.insert("params".into(), json!(job.params));
    match r {
        Ok(v) => {
            rec.insert("result".into(), v);
            rec.insert("error".into(), Value::Null);
        }
        Err(e) => {
            rec.insert("result".into(), Value::Null);
            rec.insert("error".into(), json!(e.to_string()));
        }
    }
    rec.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    rec.insert("seconds".into(), json!(t0.elapsed().as_secs_f64()));
    rec.insert("rank".into(), json!(rank));
    rec.insert(
        "finished_unix".into(),
        json!(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)),
    );
    Value::Object(rec)
}

/// The jobs still to run, biggest first.
pub fn pending(jobs: Vec<Job>, done: &HashSet<String>) -> Vec<Job> {
    let mut todo: Vec<Job> = jobs.into_iter().filter(|j| !done.contains(&j.key())).collect();
    todo.sort_by(|a, b| b.cost().total_cmp(&a.cost()));
    todo
}

/// Runs the pending jobs on `workers` threads (each job may itself use rayon), appending each
/// record as it finishes; `tick` after each job. Returns (ran, failed).
pub fn run_local(
    todo: Vec<Job>,
    out: &ResultsFile,
    workers: usize,
    tick: &(dyn Fn() + Sync),
) -> Result<(usize, usize), JobError> {
    let queue = std::sync::Mutex::new(todo.into_iter());
    let failed = std::sync::atomic::AtomicUsize::new(0);
    let ran = std::sync::atomic::AtomicUsize::new(0);
    let write_err = std::sync::Mutex::new(None::<String>);
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                let next = queue.lock().ok().and_then(|mut q| q.next());
                let Some(job) = next else { break };
                let rec = run_job(&job, 0);
                if !rec["error"].is_null() {
                    failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                if let Err(e) = out.append(&rec) {
                    *write_err.lock().expect("not poisoned") = Some(e);
                    break;
                }
                ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tick();
            });
        }
    });
    if let Some(e) = write_err.into_inner().expect("not poisoned") {
        return Err(JobError::Usage(format!("writing the results file: {e}")));
    }
    Ok((ran.into_inner(), failed.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_and_errors() {
        let jobs = parse_spec("command = \"fisher\"\nmodel = \"ising\"\nsizes = [6, 7]\nbeta = [0.3, 0.4]\n").unwrap();
        assert_eq!(jobs.len(), 4);
        assert_eq!(jobs[0].key(), r#"{"command":"fisher","params":{"beta":0.3,"model":"ising","sizes":6}}"#);
        let err = |t: &str| parse_spec(t).unwrap_err();
        assert!(err("command = \"fisher\"\nsize = [6]\n").contains("unknown key `size`"));
        assert!(err("command = \"fisher\"\nsizes = [6, -2]\n").contains("`sizes` = -2"));
        assert!(err("command = \"fisher\"\nsizes = []\n").contains("empty list"));
        assert!(err("sizes = [6]\n").contains("missing key `command`"));
        assert!(err("command = \"dmrg\"\nlength = [0]\n").contains("`length` = 0"));
        assert!(err("command = \"qmc\"\n").contains("out of range"));
        let d = parse_spec("command = \"dmrg\"\nmodel = \"tfim\"\ng = [0.5, 1.0]\nlength = 20\nchi = 16\n").unwrap();
        assert_eq!(d[1].params_json(), json!({"chi": 16, "g": 1.0, "length": 20, "model": "tfim"}));
    }

    #[test]
    fn truncated_last_line_is_cut_and_middle_garbage_is_an_error() {
        let dir = std::env::temp_dir().join(format!("onsager-sweep-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("r.jsonl");
        std::fs::write(&p, "{\"key\":\"a\"}\n{\"key\":\"b\"}\n{\"key\":\"c").unwrap();
        let (keys, dropped) = finished_keys(&p).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(dropped, "{\"key\":\"c".len());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "{\"key\":\"a\"}\n{\"key\":\"b\"}\n");
        std::fs::write(&p, "{\"key\":\"a\"}\nxx\n{\"key\":\"b\"}\n").unwrap();
        assert!(finished_keys(&p).unwrap_err().contains("line 2"));
        std::fs::remove_dir_all(dir).ok();
    }
}
