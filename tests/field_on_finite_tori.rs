//! A field h ≠ 0 against brute force: HOTRG with `--steps N` contracts the finite
//! 2^⌈N/2⌉ × 2^⌊N/2⌋ torus, exactly when χ keeps every state (discarded weight at rounding level), so its ln Z/N
//! in a field must equal the sum over every configuration of exp(K Σ f + h Σ m(σ)), written here
//! from the definitions (m = s for Ising, δ(σ, 0) for Potts, cos θ for clock).

use std::process::Command;

fn onsager(args: &[&str]) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_onsager")).args(args).arg("--json").output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// ln Z / N of the lx × ly torus by enumeration.
fn brute(model: &str, q: usize, lx: usize, ly: usize, k: f64, h: f64) -> f64 {
    let n = lx * ly;
    let theta = |s: usize| 2.0 * std::f64::consts::PI * s as f64 / q as f64;
    let f = |a: usize, b: usize| match model {
        "ising" => {
            if a == b {
                1.0
            } else {
                -1.0
            }
        }
        "potts" => f64::from(u8::from(a == b)),
        _ => (theta(a) - theta(b)).cos(),
    };
    let m = |a: usize| match model {
        "ising" => {
            if a == 0 {
                1.0
            } else {
                -1.0
            }
        }
        "potts" => f64::from(u8::from(a == 0)),
        _ => theta(a).cos(),
    };
    let mut logs = Vec::with_capacity(q.pow(n as u32));
    let mut s = vec![0usize; n];
    for c in 0..q.pow(n as u32) {
        let mut x = c;
        for v in s.iter_mut() {
            *v = x % q;
            x /= q;
        }
        let at = |x: usize, y: usize| s[(y % ly) * lx + x % lx];
        let mut w = 0.0;
        for y in 0..ly {
            for x in 0..lx {
                w += k * (f(at(x, y), at(x + 1, y)) + f(at(x, y), at(x, y + 1))) + h * m(at(x, y));
            }
        }
        logs.push(w);
    }
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (top + logs.iter().map(|l| (l - top).exp()).sum::<f64>().ln()) / n as f64
}

#[test]
fn hotrg_on_finite_tori_in_a_field_equals_enumeration() {
    // (model, q, β, h, steps, torus, χ): fields of both signs, weak and strong; χ large enough
    // to keep every state of the torus
    type Case = (&'static str, usize, f64, f64, usize, (usize, usize), &'static str);
    let cases: [Case; 7] = [
        ("ising", 2, 0.4, 0.1, 4, (4, 4), "64"),
        ("ising", 2, 0.4, -0.3, 4, (4, 4), "64"),
        ("ising", 2, 0.2, 2.0, 4, (4, 4), "64"),
        ("potts", 3, 0.9, 0.2, 3, (4, 2), "81"),
        ("potts", 3, 1.1, -0.5, 3, (4, 2), "81"),
        ("clock", 4, 0.7, 0.3, 2, (2, 2), "64"),
        ("clock", 6, 0.7, -0.4, 2, (2, 2), "64"),
    ];
    for (model, q, k, h, steps, (lx, ly), chi) in cases {
        let (bs, hs, qs, ss) = (k.to_string(), format!("{h}"), q.to_string(), steps.to_string());
        let mut args = vec!["hotrg", "--model", model, "--beta", &bs, "--h", &hs, "--chi", chi, "--steps", &ss];
        if model != "ising" {
            args.extend(["--q", &qs]);
        }
        let r = onsager(&args);
        // χ keeps every state: the discarded weight is rounding only
        assert!(r["truncation_error"].as_f64().unwrap() < 1e-14, "{model}: {}", r["truncation_error"]);
        let (got, want) = (r["ln_z_per_site"].as_f64().unwrap(), brute(model, q, lx, ly, k, h));
        // both are sums of positive terms: a few ulps per step of the contraction
        assert!((got - want).abs() < 1e-13 * want.abs(), "{model} K={k} h={h} {lx}x{ly}: {got} vs {want}");
    }
}
