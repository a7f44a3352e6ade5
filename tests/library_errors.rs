//! The library's errors name parameters by their field (the sweep key, the Python keyword), never
//! by a CLI flag, and a job stops with `JobError::Cancelled` when its caller asks it to.

use onsager::jobs::{self, Ctx, ErrorKind, JobError};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};

/// One bad value per command (or per check), with the field its error must name.
fn bad_inputs() -> Vec<(&'static str, serde_json::Value, &'static str)> {
    vec![
        ("partition", json!({"lx": 4, "beta": -1.0}), "beta"),
        ("partition", json!({"lx": 4, "model": "potts", "q": 1}), "q"),
        ("partition", json!({"lx": 4, "model": "xy"}), "model"),
        ("partition", json!({"lx": 0}), "lx"),
        ("partition", json!({"lx": 4, "lz": 3}), "lz"),
        ("partition", json!({"lx": 4, "model": "potts", "q": 3, "method": "kaufman"}), "method"),
        ("partition", json!({"lx": "four"}), "lx"),
        ("fisher", json!({"sizes": "9..3"}), "sizes"),
        ("fisher", json!({"beta": 0.0, "sizes": "4"}), "beta"),
        ("fisher", json!({"bulk": true}), "bulk"),
        ("fisher", json!({"method": "free-fermion", "checkpoint": "/tmp/x", "sizes": "4"}), "checkpoint"),
        ("fisher", json!({"sizes": "4,6", "fit_window": "4..5"}), "fit_window"),
        ("spectrum", json!({"width": "4", "levels": 0}), "levels"),
        ("trg", json!({"chi": 0}), "chi"),
        ("trg", json!({"beta": 0.4, "beta_y": 400.0}), "beta_y"),
        ("trg", json!({"observables": true}), "observables"),
        ("ctmrg", json!({"beta": 0.4, "fpcm": true, "directional": true}), "fpcm"),
        ("hotrg", json!({"steps": 0}), "steps"),
        ("dos", json!({"model": "ising", "method": "pfaffian", "lx": 1}), "lx"),
        ("dmrg", json!({"length": 1}), "length"),
        ("dmrg", json!({"length": 10, "model": "tfim", "q": 5}), "q"),
        ("dmrg", json!({"length": 10, "sweeps": 2, "min_sweeps": 3}), "min_sweeps"),
        ("vumps", json!({"tol": 0.0}), "tol"),
        // a coupling the model does not have is refused, not ignored
        ("dmrg", json!({"length": 10, "model": "heisenberg", "g": 0.5}), "g"),
        ("dmrg", json!({"length": 10, "model": "tfim", "delta": 0.5}), "delta"),
        ("vumps", json!({"model": "ising", "g": 1.5}), "g"),
        // even at the value that is the default of the chains that have it
        ("dmrg", json!({"length": 10, "model": "heisenberg", "g": 1.0}), "g"),
        ("dmrg", json!({"length": 10, "model": "qpotts", "delta": 1.0}), "delta"),
        ("vumps", json!({"model": "potts", "q": 3, "beta": "critical", "delta": 1.0}), "delta"),
        ("vumps", json!({"model": "tfim", "beta": "0.3"}), "beta"),
        ("vumps", json!({"model": "tfim", "h": 0.1}), "h"),
    ]
}

#[test]
fn every_error_names_its_field_and_no_flag() {
    for (command, params, field) in bad_inputs() {
        let e = jobs::run_command(command, &params, &Ctx::default()).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.field(), Some(field), "{command} {params}: {text}");
        assert!(text.starts_with(field) && !text.contains("--"), "{command} {params}: {text}");
        assert_eq!(e.kind(), ErrorKind::Input, "{command} {params}: {text}");
        // the CLI's rendering: the field and every quoted parameter become flags
        let cli = e.naming(|_| true, |f| format!("--{}", f.replace('_', "-")));
        assert!(cli.starts_with(&format!("--{}", field.replace('_', "-"))), "{cli}");
        assert!(!cli.contains('`'), "{cli}");
    }
}

#[test]
fn quoted_parameters_are_rendered_and_usage_backticks_kept() {
    let e = JobError::param("fpcm", "is out of range with `directional` or `beta_y` ≠ `beta`");
    let flags = e.naming(|f| f != "beta", |f| format!("--{}", f.replace('_', "-")));
    assert_eq!(flags, "--fpcm is out of range with --directional or --beta-y ≠ `beta`");
    // unknown fields and usage errors stay as written
    assert_eq!(e.naming(|_| false, |f| format!("--{f}")), e.to_string());
    let u = JobError::Usage("unknown key `size` for command fisher".into());
    assert_eq!(u.naming(|_| true, |f| format!("--{f}")), u.to_string());
    let odd = JobError::param("q", "= 3 has a stray ` backtick `q");
    assert_eq!(odd.naming(|_| true, |f| format!("--{f}")), "--q = 3 has a stray ` backtick `q");
}

#[test]
fn a_cancelled_job_returns_cancelled_from_inside_its_parallel_kernel() {
    // the momentum route reports progress per orbit from rayon workers: the stop unwinds
    // through them and comes back as an error, not a panic
    let stop = AtomicBool::new(true);
    let ctx = Ctx { cancel: Some(&stop), ..Ctx::default() };
    let e = jobs::run_command("fisher", &json!({"sizes": "24", "method": "momentum"}), &ctx).unwrap_err();
    assert!(matches!(e, JobError::Cancelled) && e.kind() == ErrorKind::Cancelled, "{e}");
    // set from another thread while the job runs (the DOS reports per starting layer)
    let stop = AtomicBool::new(false);
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let tick = |_: usize, _: usize| {
        if seen.fetch_add(1, Ordering::Relaxed) == 2 {
            stop.store(true, Ordering::Relaxed);
        }
    };
    let ctx = Ctx { cancel: Some(&stop), on_progress: Some(&tick), ..Ctx::default() };
    let e = jobs::run_command("dos", &json!({"model": "potts", "q": 3, "lx": 5, "beta": "0.5"}), &ctx).unwrap_err();
    assert!(matches!(e, JobError::Cancelled), "{e}");
    // not cancelled: the same job runs to its record
    let stop = AtomicBool::new(false);
    let ctx = Ctx { cancel: Some(&stop), ..Ctx::default() };
    assert!(jobs::run_command("fisher", &json!({"sizes": "6"}), &ctx).is_ok());
}

#[test]
fn a_decomposition_that_does_not_converge_is_a_numerical_error_not_a_panic() {
    use onsager::linalg::{fail, OrFail};
    use rayon::prelude::*;
    // on the job's own thread
    let e = jobs::cancellable(|| -> Result<(), JobError> { fail("the SVD of a test matrix did not converge") })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Numerical, "{e}");
    assert!(e.to_string().contains("test matrix") && !e.to_string().contains('\n'), "{e}");
    // from a rayon worker, as inside the transfer-matrix and TN kernels
    let e = jobs::cancellable(|| {
        (0..64).into_par_iter().for_each(|i| {
            if i == 37 {
                fail(format!("block {i} did not converge"))
            }
        });
        Ok(())
    })
    .unwrap_err();
    assert_eq!((e.kind(), e.to_string().contains("block 37")), (ErrorKind::Numerical, true), "{e}");
    // or_fail names what failed and keeps the solver's reason
    let solver: Result<f64, &str> = Err("no convergence after 30 sweeps");
    let e = jobs::cancellable(|| Ok(solver.or_fail("the corner eigenproblem"))).unwrap_err();
    assert!(e.to_string().contains("the corner eigenproblem did not converge") && e.to_string().contains("30 sweeps"));
    // a panic that is not a numerical failure still unwinds: it is a broken invariant
    let other = std::panic::catch_unwind(|| jobs::cancellable(|| -> Result<(), JobError> { panic!("invariant") }));
    assert!(other.is_err());
}
