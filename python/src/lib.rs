//! `onsager._onsager`: the typed jobs of the `onsager` crate for Python.
//!
//! A thin binding: every function takes the job's parameters as one JSON object (the keys of a
//! sweep spec, checked by the job itself), runs `onsager::jobs::run_command` with the GIL released
//! on a worker thread, and returns the record as JSON text. The Python package
//! (`python/onsager/__init__.py`) turns keyword arguments into that object and the record into
//! typed attributes. Errors: `ValueError` (a parameter out of range, the CLI's one-line message),
//! `MemoryError` (the memory prediction refused the job), `RuntimeError` (a numerical failure).
//! Ctrl-C raises `KeyboardInterrupt` within a second: the job is asked to stop at its next
//! progress report, and a job that does not report is left to finish in the background.

use numpy::PyReadonlyArray1;
use onsager::jobs::{self, Ctx, ErrorKind, JobError};
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

fn py_err(e: JobError) -> PyErr {
    match e.kind() {
        ErrorKind::Input => PyValueError::new_err(e.to_string()),
        ErrorKind::Memory => PyMemoryError::new_err(e.to_string()),
        ErrorKind::Numerical => PyRuntimeError::new_err(e.to_string()),
        ErrorKind::Cancelled => PyKeyboardInterrupt::new_err(e.to_string()),
    }
}

fn parse(params: &str) -> PyResult<serde_json::Value> {
    serde_json::from_str(params).map_err(|e| PyValueError::new_err(format!("parameters are not JSON: {e}")))
}

/// Runs `job` on its own thread while this one waits detached from the interpreter, checking for
/// signals every 50 ms. The job's progress reports go to `progress(done, total)` (a Python
/// callable, called with the GIL); Ctrl-C sets the job's `Ctx::cancel`, which stops it at its
/// next progress report.
fn run_detached<F>(py: Python<'_>, progress: Option<Py<PyAny>>, job: F) -> PyResult<String>
where
    F: FnOnce(&Ctx) -> Result<String, JobError> + Send + 'static,
{
    let cancel = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let flag = cancel.clone();
    std::thread::spawn(move || {
        let tick = move |done: usize, of: usize| {
            if let Some(cb) = &progress {
                // a failing callback must not kill the job: its error is printed by Python
                Python::attach(|py| {
                    if let Err(e) = cb.call1(py, (done, of)) {
                        e.print(py);
                    }
                });
            }
        };
        let ctx = Ctx { on_progress: Some(&tick), cancel: Some(&flag), ..Ctx::default() };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| jobs::cancellable(|| job(&ctx))));
        let _ = tx.send(r);
    });
    let outcome = py.detach(move || loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(r) => return Ok(r),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Ok(Err(Box::new("the job thread ended without a result") as Box<dyn std::any::Any + Send>))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = Python::attach(|py| py.check_signals()) {
                    cancel.store(true, Ordering::Relaxed);
                    // give a job that reports progress a moment to stop; one that does not is
                    // left to finish on its own thread, its result dropped
                    let _ = rx.recv_timeout(Duration::from_millis(500));
                    return Err(e);
                }
            }
        }
    })?;
    match outcome {
        Ok(r) => r.map_err(py_err),
        Err(payload) => Err(PyRuntimeError::new_err(format!(
            "internal error (please report it): {}",
            jobs::panic_message(&*payload)
        ))),
    }
}

/// Runs one job by command name (`fisher`, `partition`, `dos`, `trg`, …) from its parameters as
/// a JSON object and returns its record as JSON (the object `onsager <command> --json` prints).
#[pyfunction]
#[pyo3(signature = (command, params, progress = None))]
fn run(py: Python<'_>, command: String, params: &str, progress: Option<Py<PyAny>>) -> PyResult<String> {
    let v = parse(params)?;
    run_detached(py, progress, move |ctx| jobs::run_command(&command, &v, ctx).map(|r| r.to_string()))
}

/// `onsager validate` on samples given as arrays: `energy` (and optionally `magnetization`) in
/// time order, several independent chains marked by `chain` (one id per sample).
#[pyfunction]
#[pyo3(signature = (params, energy, magnetization = None, chain = None, sample_beta = None))]
fn validate(
    py: Python<'_>,
    params: &str,
    energy: PyReadonlyArray1<'_, f64>,
    magnetization: Option<PyReadonlyArray1<'_, f64>>,
    chain: Option<PyReadonlyArray1<'_, i64>>,
    sample_beta: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<String> {
    let p: jobs::validate::ValidateParams = jobs::params::from_value("validate", &parse(params)?).map_err(py_err)?;
    let e = energy.as_array().to_vec();
    let m = magnetization.map(|m| m.as_array().to_vec());
    if m.as_ref().is_some_and(|m| m.len() != e.len()) {
        return Err(PyValueError::new_err(format!(
            "magnetization has {} samples but energy has {}",
            m.map_or(0, |m| m.len()),
            e.len()
        )));
    }
    let ids = chain.map(|c| c.as_array().to_vec());
    if ids.as_ref().is_some_and(|c| c.len() != e.len()) {
        return Err(PyValueError::new_err("chain must give one id per sample"));
    }
    let betas = sample_beta.map(|c| c.as_array().to_vec());
    if betas.as_ref().is_some_and(|c| c.len() != e.len()) {
        return Err(PyValueError::new_err("sample_beta must give one β per sample"));
    }
    let list = jobs::validate::betas(&p).map_err(py_err)?;
    if list.len() > 1 && betas.is_none() {
        return Err(PyValueError::new_err("several β need sample_beta (one β per sample)"));
    }
    // chains (id, β) in order of first appearance, samples in time order within each
    let mut chains: Vec<(f64, jobs::validate::Samples)> = Vec::new();
    let mut slot = std::collections::HashMap::new();
    for i in 0..e.len() {
        let id = ids.as_ref().map_or(0, |c| c[i]);
        let beta = betas.as_ref().map_or(list[0].0, |b| b[i]);
        let k = *slot.entry((id, beta.to_bits())).or_insert_with(|| {
            let empty = jobs::validate::Samples { energy: vec![], magnetization: m.as_ref().map(|_| vec![]) };
            chains.push((beta, empty));
            chains.len() - 1
        });
        chains[k].1.energy.push(e[i]);
        if let (Some(mv), Some(m)) = (chains[k].1.magnetization.as_mut(), m.as_ref()) {
            mv.push(m[i]);
        }
    }
    run_detached(py, None, move |_| {
        if list.len() > 1 {
            return jobs::validate::run_scan(&p, chains).map(|r| jobs::params::to_json(&r).to_string());
        }
        if let Some((b, _)) = chains.iter().find(|c| c.0 != list[0].0) {
            return Err(jobs::JobError::Usage(format!("sample_beta: β = {b} is not the beta of this run ({})", list[0].0)));
        }
        let chains = chains.into_iter().map(|(_, s)| s).collect();
        jobs::validate::run(&p, chains).map(|r| jobs::params::to_json(&r).to_string())
    })
}

/// The job names `run` takes.
#[pyfunction]
fn commands() -> Vec<&'static str> {
    jobs::commands()
}

/// A job's default parameters as JSON (the CLI's defaults).
#[pyfunction]
fn defaults(command: &str) -> PyResult<String> {
    jobs::default_params(command).map(|v| v.to_string()).map_err(py_err)
}

/// Exact and near-exact numbers for classical lattice models (the Rust core of `onsager`).
#[pymodule]
fn _onsager(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // large kernel temporaries from the heap, not mmap (fisher L = 64: 2.2 s of system time)
    onsager::tune_allocator();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(commands, m)?)?;
    m.add_function(wrap_pyfunction!(defaults, m)?)?;
    Ok(())
}
