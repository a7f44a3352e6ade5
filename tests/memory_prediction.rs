//! Issue 20: the memory a job predicts before it allocates (`predicted_bytes`, the number its
//! memory check compares with the budget) is within a factor 1.5 of the peak it then reaches
//! (`peak_bytes`, VmHWM of the process), for every family of jobs. The jobs are sized so that
//! the prediction is at least 60 MiB: the binary's own few MiB then move the ratio by < 10 %.

use std::process::Command;

/// Runs `onsager args --json` in its own process and returns (peak, predicted) in bytes, from
/// the record or from its last row (fisher).
fn peak_and_predicted(args: &[&str]) -> (f64, f64) {
    let out = Command::new(env!("CARGO_BIN_EXE_onsager")).args(args).arg("--json").output().expect("binary runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let at = v.get("rows").and_then(|r| r.as_array()?.last()).unwrap_or(&v);
    let get = |keys: &[&str]| keys.iter().find_map(|k| at[k].as_f64().or(v[k].as_f64()));
    let peak = get(&["peak_bytes", "peak_rss_bytes"]).expect("peak memory (Linux VmHWM)");
    let predicted = get(&["predicted_bytes"]).expect("predicted_bytes on the record");
    (peak, predicted)
}

/// The factor the prediction must be within: what a refusal quoting it can be trusted to.
const FACTOR: f64 = 1.5;

fn check(cases: &[&[&str]]) {
    if !std::path::Path::new("/proc/self/status").exists() {
        return; // no VmHWM to compare with (not Linux)
    }
    let mut bad = Vec::new();
    for args in cases {
        let (peak, predicted) = peak_and_predicted(args);
        let mib = |b: f64| b / 1048576.0;
        assert!(predicted >= 60.0 * 1048576.0, "{args:?}: predicted {:.0} MiB is too small to test", mib(predicted));
        let ratio = peak / predicted;
        eprintln!("{args:?}: peak {:.0} MiB, predicted {:.0} MiB, ratio {ratio:.2}", mib(peak), mib(predicted));
        if !(1.0 / FACTOR..=FACTOR).contains(&ratio) {
            bad.push(format!("{args:?}: peak {:.0} MiB / predicted {:.0} MiB = {ratio:.2}", mib(peak), mib(predicted)));
        }
    }
    assert!(bad.is_empty(), "outside a factor {FACTOR}: {bad:#?}");
}

#[test]
fn predicted_memory_is_within_a_factor_one_and_a_half_of_the_peak() {
    // a few seconds each on 2 cores (measured ratios in the comments, peak/predicted)
    check(&[
        // dense torus trace, 3^7 = 2187 layer states
        &[
            "partition",
            "--model",
            "potts",
            "--q",
            "3",
            "--lx",
            "7",
            "--ly",
            "7",
            "--beta",
            "0.5",
            "--method",
            "transfer",
        ],
        // dense cylinder spectrum, 2^11 states
        &["spectrum", "--width", "11", "--solver", "dense"],
        // TRG, χ⁴ arrays
        &["trg", "--chi", "48", "--steps", "12"],
        // 3D HOTRG: the blocks it chooses from the budget (χ = 8: 140 MiB), and in a field,
        // without the Z₂ blocks, whole g-rows per slice (268 MiB)
        &["hotrg", "--model", "ising3d", "--chi", "8", "--steps", "6"],
        &["hotrg", "--model", "ising3d", "--chi", "8", "--steps", "6", "--h", "0.1"],
        // free-fermion Fisher curvature, one k slab per pass (measured 372 / 351 MiB = 1.06)
        &["fisher", "--method", "free-fermion", "--sizes", "48"],
        // transfer-matrix Fisher curvature, Potts q = 3 L = 7 (measured 352 / 440 MiB = 0.80)
        &["fisher", "--model", "potts", "--q", "3", "--sizes", "7"],
    ]);
}

#[test]
#[ignore = "about 8 min on 2 cores: cargo test --release --test memory_prediction -- --ignored"]
fn predicted_memory_is_within_a_factor_one_and_a_half_of_the_peak_for_the_large_jobs() {
    check(&[
        // measured 273 / 384 MiB = 0.71
        &[
            "partition",
            "--model",
            "potts",
            "--q",
            "4",
            "--lx",
            "6",
            "--ly",
            "6",
            "--beta",
            "critical",
            "--method",
            "transfer",
        ],
        // measured 307 / 256 MiB = 1.20
        &["spectrum", "--width", "12", "--solver", "dense"],
        // Lanczos, 2^20 states (measured 480 / 512 MiB = 0.94)
        &["spectrum", "--width", "20", "--solver", "lanczos"],
        // measured 936 / 1024 MiB = 0.91
        &["trg", "--chi", "64", "--steps", "12"],
        // measured 360 / 333 MiB = 1.08
        &["hotrg", "--chi", "32"],
        // measured 827 / 809 MiB = 1.02
        &["hotrg", "--model", "ising3d", "--chi", "10", "--steps", "6"],
        // DMRG environments at the bonds 6 sweeps reach (measured 110 / 101 MiB = 1.09, 47 s)
        &["dmrg", "--model", "heisenberg", "--length", "64", "--chi", "128", "--sweeps", "6", "--min-sweeps", "6"],
        // free fermions (measured 1120 / 1089 MiB = 1.03)
        &["fisher", "--method", "free-fermion", "--sizes", "64"],
        // VUMPS, the row transfer matrix (measured 97.7 / 79.7 MiB = 1.23, 36 s)
        &["vumps", "--model", "ising", "--beta", "0.4", "--chi", "300"],
        // microcanonical transfer-matrix DOS, 2^16 layer states (measured 202 / 203 MiB, 247 s)
        &["dos", "--model", "ising3d", "--lx", "4", "--ly", "4", "--lz", "4"],
    ]);
}
