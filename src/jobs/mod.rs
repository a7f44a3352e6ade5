//! The computations behind the CLI, as library calls that return plain data.

pub mod chain;
pub mod dos;
pub mod fisher;
pub mod partition;
pub mod spectrum;
pub mod sweep;
pub mod tn;
pub mod validate;

use onsager_models::{critical_coupling, Model, ModelError};
use thiserror::Error;

/// Any error a job can report to a user.
#[derive(Debug, Error)]
pub enum JobError {
    /// bad model or lattice parameter
    #[error(transparent)]
    Model(#[from] ModelError),
    /// transfer-matrix failure or memory refusal
    #[error(transparent)]
    Transfer(#[from] onsager_transfer::TransferError),
    /// a usage error with its own message
    #[error("{0}")]
    Usage(String),
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
            other => return Err(ModelError::range("--model", other, "one of ising, potts, clock, ising3d, ising1d")),
        };
        if base == "ising" && q.is_some_and(|q| q != 2) {
            return Err(ModelError::range(
                "--q",
                q.unwrap_or(0),
                "the Ising model has q = 2; use --model potts or clock",
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
            spec.trim().parse().map_err(|_| ModelError::range("--beta", spec, "a finite number ≥ 0, or 'critical'"))?;
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
    Ok(list)
}

/// Peak resident memory of this process so far (VmHWM, Linux), in bytes.
pub fn peak_rss_bytes() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// Memory the jobs may use: 90 % of MemAvailable (Linux), else 16 GiB.
pub fn memory_limit() -> f64 {
    let avail = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("MemAvailable:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
    });
    avail.map(|kib| 0.9 * kib * 1024.0).unwrap_or(16.0 * 1024f64.powi(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive() {
        assert_eq!(parse_sizes("--sizes", "3..6").unwrap(), vec![3, 4, 5, 6]);
        assert_eq!(parse_sizes("--sizes", "3..5,8,10..11").unwrap(), vec![3, 4, 5, 8, 10, 11]);
        assert!(parse_sizes("--sizes", "5..3,8").is_err());
        assert_eq!(parse_sizes("--sizes", "4,6,8").unwrap(), vec![4, 6, 8]);
        assert_eq!(parse_sizes("--sizes", "7").unwrap(), vec![7]);
        assert!(parse_sizes("--sizes", "9..3").is_err());
        assert!(parse_sizes("--sizes", "0..3").is_err());
        assert!(parse_sizes("--sizes", "a").unwrap_err().to_string().contains("--sizes"));
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
