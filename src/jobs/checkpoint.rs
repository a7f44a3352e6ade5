//! Resumable checkpoints of the momentum-space Fisher curvature: one file per size in a
//! directory, a header naming the job, then one line per finished momentum orbit with its
//! shares as exact bit patterns (so a resumed run gives the same R to the bit).
//!
//! Lines are appended and synced per block; a line cut by a kill is dropped on the next load.

use super::JobError;
use onsager_transfer::fisher::UnitEntries;
use onsager_transfer::momentum::Checkpoint;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Checks before any computation that `dir` is (or can be made) a writable directory.
pub fn check_dir(dir: &Path) -> Result<(), JobError> {
    let bad = |e: String| JobError::param("checkpoint", format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(|e| bad(format!("cannot create the directory: {e}")))?;
    if !dir.is_dir() {
        return Err(bad("is not a directory".into()));
    }
    let probe = dir.join(format!(".onsager-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| bad(format!("cannot write there: {e}")))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// A checkpoint file: a header line naming the job, then one line per finished piece of work,
/// appended and synced; a line cut by a kill is dropped (and trimmed away) on the next load.
struct LineFile {
    path: PathBuf,
    header: String,
}

impl LineFile {
    /// The complete lines after the header (`what` names their form in errors), each parsed.
    fn load<T>(&self, what: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("checkpoint {}: cannot read: {e}", self.path.display())),
        };
        let mut lines = text.split_inclusive('\n');
        match lines.next() {
            Some(h) if h.trim_end() == self.header => {}
            _ => {
                return Err(format!(
                    "checkpoint {} belongs to another job or version (expected `{}`); move it away to start afresh",
                    self.path.display(),
                    self.header
                ))
            }
        }
        let mut out = Vec::new();
        let mut kept = self.header.len() + 1;
        for (i, line) in lines.enumerate() {
            if !line.ends_with('\n') {
                break; // cut by a kill: that piece runs again
            }
            let v = parse(line)
                .ok_or_else(|| format!("checkpoint {}: line {} is not `{what}`", self.path.display(), i + 2))?;
            out.push(v);
            kept += line.len();
        }
        if kept < text.len() {
            let f = std::fs::OpenOptions::new().write(true).open(&self.path).map_err(|e| e.to_string())?;
            f.set_len(kept as u64).map_err(|e| format!("checkpoint {}: cannot trim: {e}", self.path.display()))?;
        }
        Ok(out)
    }

    /// Appends `lines` (each ending in a newline), with the header first in a new file.
    fn append(&self, lines: &str) -> Result<(), String> {
        let mut text = String::new();
        if !self.path.exists() {
            text.push_str(&self.header);
            text.push('\n');
        }
        text.push_str(lines);
        let err = |e: std::io::Error| format!("checkpoint {}: cannot write: {e}", self.path.display());
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.path).map_err(err)?;
        f.write_all(text.as_bytes()).map_err(err)?;
        f.sync_data().map_err(err)
    }
}

fn bits(s: &str) -> Option<f64> {
    u64::from_str_radix(s, 16).ok().map(f64::from_bits)
}

/// The checkpoint file of one L and K in a directory (momentum route).
pub struct OrbitFile(LineFile);

impl OrbitFile {
    /// `dir/fisher-momentum-L{l}-K{bits}.ckpt`; the header holds K's bits and the version.
    pub fn new(dir: &Path, l: usize, k: f64) -> Self {
        let path = dir.join(format!("fisher-momentum-L{l}-K{:016x}.ckpt", k.to_bits()));
        let header = format!(
            "# onsager {} fisher momentum checkpoint: ising L={l} K={k:e} bits={:016x}",
            env!("CARGO_PKG_VERSION"),
            k.to_bits()
        );
        OrbitFile(LineFile { path, header })
    }
}

fn parse_orbit(line: &str) -> Option<(usize, [f64; 3])> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() != 4 {
        return None;
    }
    Some((f[0].parse().ok()?, [bits(f[1])?, bits(f[2])?, bits(f[3])?]))
}

impl Checkpoint for OrbitFile {
    fn load(&self) -> Result<Vec<(usize, [f64; 3])>, String> {
        self.0.load("orbit b v0 v1", parse_orbit)
    }

    fn save(&self, block: &[(usize, [f64; 3])]) -> Result<(), String> {
        let mut text = String::new();
        for (i, v) in block {
            text.push_str(&format!("{i} {:016x} {:016x} {:016x}\n", v[0].to_bits(), v[1].to_bits(), v[2].to_bits()));
        }
        self.0.append(&text)
    }
}

/// The checkpoint file of one model, L and K of the transfer-matrix route, one per MPI rank
/// (each rank records the units it computed; a resume needs the same number of ranks).
pub struct UnitFile(LineFile);

impl UnitFile {
    /// `dir/fisher-transfer-{model}-L{l}-K{bits}-rank{r}of{n}.ckpt`.
    pub fn new(dir: &Path, model: &str, l: usize, k: f64, rank: usize, ranks: usize) -> Self {
        let path = dir.join(format!("fisher-transfer-{model}-L{l}-K{:016x}-rank{rank}of{ranks}.ckpt", k.to_bits()));
        let header = format!(
            "# onsager {} fisher transfer checkpoint: {model} L={l} K={k:e} bits={:016x} rank {rank} of {ranks}",
            env!("CARGO_PKG_VERSION"),
            k.to_bits()
        );
        UnitFile(LineFile { path, header })
    }
}

fn parse_unit(line: &str) -> Option<UnitEntries> {
    let mut f = line.split_whitespace();
    let unit = f.next()?.parse().ok()?;
    let count: usize = f.next()?.parse().ok()?;
    let entries: Option<Vec<(usize, f64)>> = f
        .map(|e| {
            let (i, v) = e.split_once(':')?;
            Some((i.parse().ok()?, bits(v)?))
        })
        .collect();
    entries.filter(|e| e.len() == count).map(|e| (unit, e))
}

impl onsager_transfer::fisher::UnitCheckpoint for UnitFile {
    fn load(&self) -> Result<Vec<UnitEntries>, String> {
        self.0.load("unit count index:bits ...", parse_unit)
    }

    fn save(&self, unit: usize, entries: &[(usize, f64)]) -> Result<(), String> {
        let mut text = format!("{unit} {}", entries.len());
        for (i, v) in entries {
            text.push_str(&format!(" {i}:{:016x}", v.to_bits()));
        }
        text.push('\n');
        self.0.append(&text)
    }
}
