//! `onsager sweep`: grids, resumption after SIGKILL, truncated last lines, bad specs.

use std::collections::HashSet;
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_onsager")
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("onsager-sweep-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// (key, result) of every record; panics on a bad line.
fn records(path: &std::path::Path) -> Vec<(String, serde_json::Value)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["key"].as_str().unwrap().to_string(), v["result"].clone())
        })
        .collect()
}

#[test]
fn grid_runs_once_and_resumes_without_repeating() {
    let d = tmp("grid");
    let out = d.join("r.jsonl");
    let run = || {
        let o = Command::new(bin())
            .args(["sweep", "tests/data/sweep_small.toml", "--output", out.to_str().unwrap(), "--json"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let first = run();
    assert_eq!(
        (first["jobs"].as_u64(), first["ran"].as_u64(), first["failed"].as_u64()),
        (Some(12), Some(12), Some(0))
    );
    let again = run();
    assert_eq!((again["skipped"].as_u64(), again["ran"].as_u64()), (Some(12), Some(0)));
    let recs = records(&out);
    assert_eq!(recs.len(), 12);
    assert_eq!(recs.iter().map(|r| &r.0).collect::<HashSet<_>>().len(), 12);
    // every record carries the command's own JSON: R at L = 6, K_c equals the stored table
    // (data/fisher/ising2d_Kc_free_fermion.csv: −6.712472387142561e2)
    let r6 = recs
        .iter()
        .find(|r| r.0.contains("\"sizes\":6") && r.0.contains("0.44068679350977147"))
        .map(|r| r.1["rows"][0]["R"].as_f64().unwrap())
        .unwrap();
    assert!((r6 - -671.2472387142561).abs() < 1e-9, "{r6}");
    std::fs::remove_dir_all(d).ok();
}

#[test]
fn two_sweeps_on_one_output_file_neither_duplicate_nor_lose_records() {
    // while one sweep holds the output (its lock), a second one is refused in one line and the
    // file is untouched; once the first is done, the second runs and finds every job finished
    let d = tmp("lock");
    let out = d.join("r.jsonl");
    let args = ["sweep", "tests/data/sweep_small.toml", "--output", out.to_str().unwrap(), "--json"];
    let first = Command::new(bin()).args(args).stdout(std::process::Stdio::null()).spawn().unwrap();
    // the first holds the lock from its start; a second started meanwhile must be refused, or
    // (if the first already ended) skip everything
    std::thread::sleep(std::time::Duration::from_millis(150));
    let second = Command::new(bin()).args(args).output().unwrap();
    let mut first = first;
    assert!(first.wait().unwrap().success());
    let err = String::from_utf8_lossy(&second.stderr);
    if second.status.success() {
        let v: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
        assert_eq!(v["ran"].as_u64(), Some(0), "{v}");
    } else {
        assert_eq!(second.status.code(), Some(2));
        assert!(err.contains("is being written by another sweep") && err.trim_end().lines().count() == 1, "{err}");
    }
    // a lock held by another process, deterministically: this test's own handle
    let held = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
    held.lock().unwrap();
    let refused = Command::new(bin()).args(args).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another sweep"));
    drop(held);
    let recs = records(&out);
    assert_eq!((recs.len(), recs.iter().map(|r| &r.0).collect::<HashSet<_>>().len()), (12, 12));
    std::fs::remove_dir_all(d).ok();
}

#[test]
fn sigkill_mid_sweep_then_restart_loses_and_repeats_nothing() {
    let d = tmp("kill");
    let spec = d.join("s.toml");
    // 14 free-fermion Fisher jobs of 0.05–1 s each (≈ 5 s in all), so the kill lands mid-sweep
    std::fs::write(
        &spec,
        "command = \"fisher\"\nmethod = \"free-fermion\"\nsizes = [20, 24, 28, 32, 36, 40, 44]\nbeta = [0.3, 0.4]\n",
    )
    .unwrap();
    let out = d.join("r.jsonl");
    let mut child = Command::new(bin())
        .args(["sweep", spec.to_str().unwrap(), "--output", out.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while std::fs::read_to_string(&out).map(|s| s.lines().count()).unwrap_or(0) < 2 {
        assert!(t0.elapsed().as_secs() < 120, "no record after 120 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = records(&out).len();
    assert!(before < 14, "the sweep finished before the kill ({before} records)");
    // a write cut short by the kill: half a record, no newline
    let mut f = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
    std::io::Write::write_all(&mut f, b"{\"key\":\"{\\\"command\\\":\\\"fisher\\\",\\\"par").unwrap();
    drop(f);
    let o = Command::new(bin())
        .args(["sweep", spec.to_str().unwrap(), "--output", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("truncated last line"));
    let recs = records(&out);
    assert_eq!(recs.len(), 14, "one record per job");
    assert_eq!(recs.iter().map(|r| &r.0).collect::<HashSet<_>>().len(), 14, "no duplicates");
    assert!(recs.iter().all(|r| r.1["rows"][0]["R"].is_number()));
    std::fs::remove_dir_all(d).ok();
}

#[test]
fn bad_specs_are_one_line_errors() {
    let d = tmp("bad");
    for (text, needle) in [
        ("command = \"fisher\"\nsize = [6]\n", "unknown key `size`"),
        ("command = \"fisher\"\nsizes = [6, -1]\n", "`sizes` = -1"),
        ("command = \"partition\"\nlx = []\n", "empty list"),
        ("command = \"fisher\"\nsizes = [6\n", "not valid TOML"),
        ("command = \"fisher\"\nbeta = [0.3, nan]\n", "finite"),
        ("command = \"fisher\"\nsizes = [\"3,3\"]\n", "appears twice"),
        // a grid point over the memory limit is refused before the first job runs: one 3D HOTRG
        // step at χ = 40 needs 1.4 TiB (hotrg3d::min_bytes), more than this machine has
        ("command = \"hotrg\"\nmodel = \"ising3d\"\nchi = [4, 40]\nsteps = 4\n", "`chi` = 40 needs at least"),
    ] {
        let p = d.join("bad.toml");
        std::fs::write(&p, text).unwrap();
        let o = Command::new(bin()).args(["sweep", p.to_str().unwrap()]).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(o.stdout.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{text}: {err}");
    }
    std::fs::remove_dir_all(d).ok();
}

#[test]
fn typed_dos_sweep_equals_the_cli_and_names_unknown_keys() {
    // the sweep runs DosParams directly (no command line); its record equals the CLI's JSON
    // for the same job except the timings and the measured memory
    let d = tmp("dos");
    let spec = d.join("dos.toml");
    std::fs::write(&spec, "command = \"dos\"\nmodel = \"potts\"\nq = 3\nlx = 3\nly = [3, 4]\nbeta = 0.5\n").unwrap();
    let out = d.join("r.jsonl");
    let o = Command::new(bin())
        .args(["sweep", spec.to_str().unwrap(), "--output", out.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let recs = records(&out);
    assert_eq!(recs.len(), 2);
    let strip = |mut v: serde_json::Value| {
        for k in ["seconds", "peak_bytes"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    for (_, r) in recs {
        let ly = r["dims"][1].as_u64().unwrap().to_string();
        let cli = Command::new(bin())
            .args(["dos", "--model", "potts", "--q", "3", "--lx", "3", "--ly", &ly, "--beta", "0.5", "--json"])
            .output()
            .unwrap();
        let c: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
        assert_eq!(strip(r).to_string(), strip(c).to_string());
    }
    // an unknown key is refused with its name and the allowed keys, before anything runs
    std::fs::write(&spec, "command = \"dos\"\nlx = 3\nsize = 4\n").unwrap();
    let o = Command::new(bin())
        .args(["sweep", spec.to_str().unwrap(), "--output", out.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("unknown key `size`") && err.contains("`lx`") && err.lines().count() == 1, "{err}");
}

#[test]
fn every_command_records_the_same_in_a_sweep_and_on_the_command_line() {
    // one small job per command: the sweep's `result` equals `onsager <command> ... --json`
    // byte for byte once the timings and the measured memory are removed
    let d = tmp("same");
    let cases: [(&str, &[(&str, &str)]); 8] = [
        ("partition", &[("model", "\"potts\""), ("q", "3"), ("lx", "3"), ("beta", "0.5")]),
        ("spectrum", &[("width", "6"), ("levels", "3")]),
        ("fisher", &[("sizes", "\"3..4\"")]),
        ("trg", &[("chi", "8"), ("steps", "6")]),
        ("hotrg", &[("chi", "8"), ("steps", "6"), ("beta", "0.3"), ("observables", "true")]),
        ("ctmrg", &[("chi", "8"), ("beta", "0.3")]),
        ("dmrg", &[("length", "8"), ("chi", "8")]),
        ("vumps", &[("model", "\"ising\""), ("beta", "0.5"), ("chi", "8")]),
    ];
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                for k in ["seconds", "seconds_per_step", "peak_bytes", "peak_rss_bytes", "predicted_bytes"] {
                    o.remove(k);
                }
                o.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    for (command, keys) in cases {
        let spec = d.join(format!("{command}.toml"));
        let mut text = format!("command = \"{command}\"\n");
        let mut args = vec![command.to_string()];
        for (k, v) in keys {
            text.push_str(&format!("{k} = {v}\n"));
            // a boolean key is a bare flag
            args.push(format!("--{}", k.replace('_', "-")));
            if *v != "true" {
                args.push(v.trim_matches('"').to_string());
            }
        }
        std::fs::write(&spec, text).unwrap();
        let out = d.join(format!("{command}.jsonl"));
        let o = Command::new(bin())
            .args(["sweep", spec.to_str().unwrap(), "--output", out.to_str().unwrap(), "--json"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{command}: {}", String::from_utf8_lossy(&o.stderr));
        let recs = records(&out);
        assert_eq!(recs.len(), 1, "{command}");
        let mut r = recs[0].1.clone();
        args.push("--json".into());
        let cli = Command::new(bin()).args(&args).output().unwrap();
        assert!(cli.status.success(), "{args:?}: {}", String::from_utf8_lossy(&cli.stderr));
        let mut c: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
        strip(&mut r);
        strip(&mut c);
        assert_eq!(r.to_string(), c.to_string(), "{command}");
    }
    std::fs::remove_dir_all(d).ok();
}
