//! Verdicts of `onsager validate` for real samplers on the lattices Monte Carlo codes are tested
//! on, against the microcanonical transfer-matrix DOS: 3-state Potts 8×8 at K_c and the 4×4×4
//! Ising model at K = 0.2 — single-site Metropolis (E after every sweep), Wolff clusters (E after
//! every cluster), both with |M|, independent draws from the exact P(E), and Metropolis at
//! K + 1 %.
//!
//! About 6 minutes (the 4×4×4 DOS is 150 s of it):
//! `cargo test --release --test validate_samplers -- --ignored --nocapture`

use onsager::jobs::validate::{exact_reference, validate, ExactReference, Samples};
use onsager::jobs::ModelSpec;

mod common;
use common::samplers::{metropolis, wolff};
use common::Rng;

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
    // t of |M|, M², U₄, χ when the sampler records M (observables 2..6)
    let tm: Vec<String> = v.observables.iter().skip(2).map(|o| format!("{:.2}", o.z)).collect();
    eprintln!(
        "{what:<44} n = {:>8}  τ_int = {:>7.2} ± {:<5.2} n_eff = {:>8.0}  E: t = {:>6.2}  |M|, M², U₄, χ: t = [{}]  hist p = {:.2e}  → {}",
        v.samples,
        e.tau_int,
        e.tau_error,
        v.effective_samples,
        e.z,
        tm.join(", "),
        v.histogram_p_value,
        v.verdict
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
