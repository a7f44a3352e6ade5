//! Bad and extreme values for every numeric and choice flag of every command (784 cases): each
//! must end in one of two ways, never a panic, a hang or a silent null.
//! - exit 0 with one JSON object whose numbers are all numbers (a null only where an optional
//!   parameter was not given);
//! - exit 2 with one line on stderr.
//!
//! The values: negative, zero, one, the double range's ends, NaN, ±∞, not a number, empty,
//! 2^64, a fraction for an integer flag, and 10^8 − 1. Each case runs on a small base job, so the
//! accepted ones finish in milliseconds.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VALUES: [&str; 14] = [
    "-3",
    "-1",
    "0",
    "1",
    "1e308",
    "1e-300",
    "nan",
    "inf",
    "-inf",
    "abc",
    "",
    "18446744073709551616",
    "3.5",
    "99999999",
];

/// (base command line, flags to vary)
fn bases(samples: &str) -> Vec<(Vec<String>, Vec<&'static str>)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (s(&["partition", "--lx", "3", "--beta", "0.3"]), vec!["lx", "ly", "beta", "q", "method", "model"]),
        (s(&["spectrum", "--width", "4", "--beta", "0.3", "--levels", "3"]), vec!["width", "levels", "beta", "solver"]),
        (s(&["fisher", "--sizes", "3", "--beta", "0.3"]), vec!["sizes", "beta", "fit-window", "method", "q"]),
        (s(&["trg", "--chi", "4", "--steps", "4", "--beta", "0.3"]), vec!["chi", "steps", "beta", "h"]),
        (s(&["btrg", "--chi", "4", "--steps", "4", "--beta", "0.3"]), vec!["chi", "steps", "beta", "h"]),
        (s(&["hotrg", "--chi", "4", "--steps", "4", "--beta", "0.3"]), vec!["chi", "steps", "beta", "h"]),
        (s(&["ctmrg", "--chi", "4", "--beta", "0.3"]), vec!["chi", "steps", "beta", "h", "tol", "beta-y"]),
        (
            s(&["dmrg", "--length", "6", "--chi", "4"]),
            vec!["length", "chi", "g", "delta", "sweeps", "min-sweeps", "tol", "q"],
        ),
        (s(&["vumps", "--chi", "4"]), vec!["chi", "g", "delta", "tol", "max-iter"]),
        (s(&["vumps", "--model", "ising", "--beta", "0.3", "--chi", "4"]), vec!["beta", "h", "chi"]),
        (s(&["dos", "--lx", "3"]), vec!["lx", "ly", "beta", "q"]),
        (s(&["validate", "--lx", "4", "--beta", "0.3", "--input", samples]), vec!["lx", "beta", "ly"]),
    ]
}

/// Paths of null values in a record, except the parameters that were not given.
fn nulls(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    const OPTIONAL: [&str; 16] = [
        "checkpoint",
        "g",
        "delta",
        "ly",
        "lz",
        "q",
        "sizes",
        "fit_window",
        "steps",
        "beta_y",
        "tol",
        "chi",
        "fit",
        "extrapolation",
        "ln_z_rel_dev_kaufman",
        "log_power",
    ];
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if x.is_null() && !OPTIONAL.contains(&k.as_str()) {
                    out.push(format!("{path}.{k}"));
                }
                nulls(x, &format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| nulls(x, &format!("{path}[{i}]"), out)),
        _ => {}
    }
}

/// Runs the binary with a time bound; (exit code, stdout, stderr), or None if it had to be killed.
fn run(args: &[String], bound: Duration) -> Option<(i32, String, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_onsager"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let t0 = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            let o = child.wait_with_output().expect("output");
            return Some((
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into(),
                String::from_utf8_lossy(&o.stderr).into(),
            ));
        }
        if t0.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn every_bad_or_extreme_value_is_a_result_or_a_one_line_refusal() {
    let dir = std::env::temp_dir().join(format!("onsager-extreme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // a short independent series of 4×4 Ising energies (the verdict does not matter here)
    let samples = dir.join("s.csv");
    let mut text = String::from("energy,magnetization\n");
    let mut x: u64 = 1;
    for _ in 0..2000 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        text.push_str(&format!("{},{}\n", -32 + 8 * ((x >> 33) % 5) as i64, -16 + 16 * ((x >> 40) % 3) as i64));
    }
    std::fs::write(&samples, text).unwrap();
    let (mut cases, mut refused, mut failures) = (0, 0, Vec::new());
    for (base, flags) in bases(samples.to_str().unwrap()) {
        for flag in flags {
            for value in VALUES {
                let mut args = base.clone();
                let f = format!("--{flag}");
                match args.iter().position(|a| *a == f) {
                    Some(i) => args[i + 1] = value.to_string(),
                    None => args.extend([f, value.to_string()]),
                }
                args.push("--json".into());
                cases += 1;
                match run(&args, Duration::from_secs(60)) {
                    None => failures.push(format!("hangs (killed after 60 s): {}", args.join(" "))),
                    Some((0, out, _)) => match serde_json::from_str::<serde_json::Value>(&out) {
                        Ok(v) => {
                            let mut n = Vec::new();
                            nulls(&v, "", &mut n);
                            if !n.is_empty() {
                                failures.push(format!("null {n:?}: {}", args.join(" ")));
                            }
                        }
                        Err(_) => failures.push(format!("not one JSON object: {}", args.join(" "))),
                    },
                    Some((2, _, err)) => {
                        refused += 1;
                        if err.trim_end().lines().count() != 1 || err.contains("panicked") {
                            failures.push(format!("not one line: {}: {err}", args.join(" ")));
                        }
                    }
                    Some((code, _, err)) => failures.push(format!(
                        "exit {code}: {}: {}",
                        args.join(" "),
                        err.lines().take(2).collect::<Vec<_>>().join(" | ")
                    )),
                }
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(cases >= 700, "{cases} cases");
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{cases} cases: {refused} refused in one line, {} results, 0 panics, 0 nulls", cases - refused);
}
