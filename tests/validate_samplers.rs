//! Verdicts of `onsager validate` for real samplers on the lattices Monte Carlo codes are tested
//! on, against the microcanonical transfer-matrix DOS: 3-state Potts 8×8 at K_c and the 4×4×4
//! Ising model at K = 0.2 — single-site Metropolis (E after every sweep), Wolff clusters (E after
//! every cluster), independent draws from the exact P(E), and Metropolis at K + 1 %.
//!
//! About 6 minutes (the 4×4×4 DOS is 150 s of it):
//! `cargo test --release --test validate_samplers -- --ignored --nocapture`

use onsager::jobs::validate::{exact_reference, validate, ExactReference, Samples};
use onsager::jobs::ModelSpec;
use onsager::models::Torus;

mod common;
use common::Rng;

/// Neighbour lists of a torus (each bond once per endpoint) and its bond list.
fn graph(dims: &[usize]) -> (Vec<Vec<usize>>, Vec<(usize, usize)>) {
    let t = Torus::new(dims).unwrap();
    let bonds: Vec<(usize, usize)> = (0..t.bonds()).map(|b| t.bond_sites(b)).collect();
    let mut nb = vec![Vec::new(); t.sites()];
    for &(a, b) in &bonds {
        nb[a].push(b);
        nb[b].push(a);
    }
    (nb, bonds)
}

/// E = −Σ_bonds δ(σ_i, σ_j) (Potts) or −Σ s_i s_j (Ising, q = 2 with σ ∈ {0, 1}).
fn energy(s: &[usize], bonds: &[(usize, usize)], ising: bool) -> f64 {
    bonds
        .iter()
        .map(|&(a, b)| match (ising, s[a] == s[b]) {
            (_, true) => -1.0,
            (true, false) => 1.0,
            (false, false) => 0.0,
        })
        .sum()
}

fn metropolis(dims: &[usize], q: usize, ising: bool, k: f64, n: usize, seed: u64) -> Samples {
    let (nb, bonds) = graph(dims);
    let mut rng = Rng(seed);
    let mut s = vec![0usize; nb.len()];
    let f = |a: usize, b: usize| match (ising, a == b) {
        (_, true) => 1.0,
        (true, false) => -1.0,
        (false, false) => 0.0,
    };
    let mut out = Vec::with_capacity(n);
    for sweep in 0..n + 2000 {
        for i in 0..s.len() {
            let new = (s[i] + 1 + (rng.next() * (q - 1) as f64) as usize) % q;
            let de: f64 = nb[i].iter().map(|&j| f(s[i], s[j]) - f(new, s[j])).sum();
            if de <= 0.0 || rng.next() < (-k * de).exp() {
                s[i] = new;
            }
        }
        if sweep >= 2000 {
            out.push(energy(&s, &bonds, ising));
        }
    }
    Samples { energy: out, magnetization: None }
}

fn wolff(dims: &[usize], q: usize, ising: bool, k: f64, n: usize, seed: u64) -> Samples {
    let (nb, bonds) = graph(dims);
    let mut rng = Rng(seed);
    let mut s = vec![0usize; nb.len()];
    // Ising: weight e^{K s s'}, p_add = 1 − e^{−2K}; Potts e^{K δ}, p_add = 1 − e^{−K}
    let p_add = 1.0 - (-(if ising { 2.0 } else { 1.0 }) * k).exp();
    let mut out = Vec::with_capacity(n);
    let mut stack = Vec::new();
    let mut inside = vec![false; s.len()];
    for c in 0..n + 2000 {
        let seed_site = (rng.next() * s.len() as f64) as usize;
        let old = s[seed_site];
        let new = (old + 1 + (rng.next() * (q - 1) as f64) as usize) % q;
        let mut cluster = vec![seed_site];
        inside[seed_site] = true;
        stack.push(seed_site);
        while let Some(i) = stack.pop() {
            for &j in &nb[i] {
                if !inside[j] && s[j] == old && rng.next() < p_add {
                    inside[j] = true;
                    cluster.push(j);
                    stack.push(j);
                }
            }
        }
        for &i in &cluster {
            s[i] = new;
            inside[i] = false;
        }
        if c >= 2000 {
            out.push(energy(&s, &bonds, ising));
        }
    }
    Samples { energy: out, magnetization: None }
}

fn independent(ex: &ExactReference, n: usize, seed: u64) -> Samples {
    let mut rng = Rng(seed);
    let energy = (0..n)
        .map(|_| {
            let u = rng.next();
            let mut acc = 0.0;
            ex.levels
                .iter()
                .find(|l| {
                    acc += l.1;
                    acc >= u
                })
                .unwrap_or(ex.levels.last().unwrap())
                .0
        })
        .collect();
    Samples { energy, magnetization: None }
}

fn report(what: &str, s: &Samples, ex: &ExactReference, k: f64, sites: usize) -> &'static str {
    let v = validate(s, ex, k, sites).unwrap();
    let e = &v.observables[0];
    eprintln!(
        "{what:<44} n = {:>8}  τ_int = {:>7.2} ± {:<5.2} n_eff = {:>8.0}  E: t = {:>6.2}  hist p = {:.2e}  → {}",
        v.samples, e.tau_int, e.tau_error, v.effective_samples, e.z, v.histogram_p_value, v.verdict
    );
    v.verdict
}

#[test]
#[ignore = "about 6 min: cargo test --release --test validate_samplers -- --ignored --nocapture"]
fn potts3_8x8_and_ising_4x4x4_samplers() {
    let kc = 1.005_052_538_742_381; // ln(1 + √3), 2D 3-state Potts
    let potts = ModelSpec::parse("potts", Some(3)).unwrap();
    let ex = exact_reference(potts, &[8, 8], kc).unwrap();
    let hot = 1.01 * kc;
    let cases = [
        ("Potts 3, 8×8, K_c: Metropolis", metropolis(&[8, 8], 3, false, kc, 200_000, 1)),
        ("Potts 3, 8×8, K_c: Wolff", wolff(&[8, 8], 3, false, kc, 400_000, 2)),
        ("Potts 3, 8×8, K_c: independent exact draws", independent(&ex, 100_000, 3)),
    ];
    for (what, s) in &cases {
        assert_eq!(report(what, s, &ex, kc, 64), "consistent", "{what}");
    }
    let wrong = metropolis(&[8, 8], 3, false, hot, 200_000, 4);
    assert_eq!(report("Potts 3, 8×8: Metropolis at K_c + 1 %", &wrong, &ex, kc, 64), "inconsistent");

    let k = 0.2;
    let ising3 = ModelSpec::parse("ising3d", None).unwrap();
    let ex3 = exact_reference(ising3, &[4, 4, 4], k).unwrap();
    let cases = [
        ("Ising 4×4×4, K = 0.2: Metropolis", metropolis(&[4, 4, 4], 2, true, k, 200_000, 5)),
        ("Ising 4×4×4, K = 0.2: Wolff", wolff(&[4, 4, 4], 2, true, k, 400_000, 6)),
        ("Ising 4×4×4, K = 0.2: independent exact draws", independent(&ex3, 100_000, 7)),
    ];
    for (what, s) in &cases {
        assert_eq!(report(what, s, &ex3, k, 64), "consistent", "{what}");
    }
    let wrong = metropolis(&[4, 4, 4], 2, true, 1.01 * k, 200_000, 8);
    assert_eq!(report("Ising 4×4×4: Metropolis at K + 1 %", &wrong, &ex3, k, 64), "inconsistent");
}
