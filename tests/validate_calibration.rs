//! Calibration of `onsager validate`: the rate at which correct samplers are called
//! inconsistent must not exceed the nominal 1 % (`FALSE_ALARM_RATE`), whatever their
//! autocorrelation, and wrong samplers must be caught.
//!
//! Samplers of the exact P(E) of the 8×8 Ising torus at K_c (Pfaffian DOS):
//! - independent draws (τ_int = ½);
//! - a "restart" chain: keep the level with probability 1 − r, else draw a fresh one from P(E);
//!   its stationary law is exactly P(E), ρ(t) = (1 − r)^t and τ_int = 1/r − ½ exactly;
//! - a Metropolis walk on the energy levels (propose the next level up or down, accept with
//!   min(1, P(E')/P(E))): local moves, τ_int ≈ 110, many relaxation modes;
//! - spin Metropolis recorded after every single flip (τ_int of hundreds of samples), the case
//!   that the old per-bin χ² test failed half the time.
//!
//! The default run has four cells of 200 chains (about a minute on 2 cores); the full table
//! (n/τ_int from 300 to 10^5, and the power study) is
//! `cargo test --release --test validate_calibration -- --ignored --nocapture`.

use onsager::jobs::validate::{exact_reference, validate, ExactReference, Samples, FALSE_ALARM_RATE};
use onsager::jobs::ModelSpec;
use rayon::prelude::*;

const KC: f64 = 0.44068679350977147; // ln(1+√2)/2
const L: usize = 8;

mod common;
use common::{samplers, Rng};

fn exact(beta: f64) -> ExactReference {
    exact_reference(ModelSpec::parse("ising", None).unwrap(), &[L, L], beta).unwrap()
}

/// How the next level is chosen.
#[derive(Clone, Copy, Debug)]
enum Chain {
    /// a fresh draw every time
    Independent,
    /// a fresh draw with probability r, else the same level (τ_int = 1/r − ½)
    Restart(f64),
    /// Metropolis to a neighbouring level
    Walk,
}

/// n energies from the exact P(E) at the reference's β.
fn level_chain(ex: &ExactReference, n: usize, chain: Chain, seed: u64) -> Samples {
    let mut rng = Rng(seed);
    let p: Vec<f64> = ex.levels.iter().map(|l| l.1).collect();
    let draw = |rng: &mut Rng| {
        let u = rng.next();
        let mut acc = 0.0;
        p.iter()
            .position(|&pk| {
                acc += pk;
                acc >= u
            })
            .unwrap_or(p.len() - 1)
    };
    let mut k = draw(&mut rng);
    let energy = (0..n)
        .map(|_| {
            match chain {
                Chain::Independent => k = draw(&mut rng),
                Chain::Restart(r) => {
                    if rng.next() < r {
                        k = draw(&mut rng);
                    }
                }
                Chain::Walk => {
                    let up = rng.next() < 0.5;
                    let j = if up { k + 1 } else { k.wrapping_sub(1) };
                    if j < p.len() && rng.next() < p[j] / p[k] {
                        k = j;
                    }
                }
            }
            ex.levels[k].0
        })
        .collect();
    Samples { energy, magnetization: None }
}

/// Spin Metropolis at β on the 8×8 torus, E recorded after every attempted flip. `bug`: the
/// x-neighbour across the boundary is left out of ΔE (a wrong acceptance rule at one column).
fn spin_chain(beta: f64, n: usize, seed: u64, bug: bool) -> Samples {
    let mut rng = Rng(seed);
    let mut s = vec![1i64; L * L];
    let at = |x: usize, y: usize| (y % L) * L + x % L;
    let mut e: i64 = -2 * (L * L) as i64;
    let acc: Vec<f64> = (0..=8).map(|de| (-beta * de as f64).exp()).collect();
    let mut energy = Vec::with_capacity(n);
    for t in 0..n + 200 * L * L {
        let i = (rng.next() * (L * L) as f64) as usize;
        let (x, y) = (i % L, i / L);
        let right = if bug && x == L - 1 { 0 } else { s[at(x + 1, y)] };
        let nb_true = s[at(x + 1, y)] + s[at(x + L - 1, y)] + s[at(x, y + 1)] + s[at(x, y + L - 1)];
        let nb = right + s[at(x + L - 1, y)] + s[at(x, y + 1)] + s[at(x, y + L - 1)];
        let de = 2 * s[i] * nb;
        if de <= 0 || rng.next() < acc[de as usize] {
            e += 2 * s[i] * nb_true;
            s[i] = -s[i];
        }
        if t >= 200 * L * L {
            energy.push(e as f64);
        }
    }
    Samples { energy, magnetization: None }
}

/// (consistent, inconsistent, too short, median τ_int) over `chains` runs.
fn tally(ex: &ExactReference, chains: usize, run: impl Fn(u64) -> Samples + Sync) -> (usize, usize, usize, f64) {
    let v: Vec<(&'static str, f64)> = (0..chains as u64)
        .into_par_iter()
        .map(|c| {
            let r = validate(&run(1000 + c), ex, KC, L * L).unwrap();
            (r.verdict, r.observables[0].tau_int)
        })
        .collect();
    let count = |w: &str| v.iter().filter(|r| r.0 == w).count();
    let mut taus: Vec<f64> = v.iter().map(|r| r.1).collect();
    taus.sort_by(f64::total_cmp);
    (count("consistent"), count("inconsistent"), count("too short"), taus[taus.len() / 2])
}

/// At most this many false alarms among 200 chains at a 1 % rate: P(Binomial(200, 0.01) ≥ 9)
/// = 1.1e-4, so a calibrated validator fails this check about once in 10^4 runs.
const MAX_ALARMS_OF_200: usize = 8;

#[test]
fn correct_samplers_are_called_consistent_at_the_nominal_rate() {
    assert_eq!(FALSE_ALARM_RATE, 0.01);
    let ex = exact(KC);
    // τ_int = ½, 1.5, 19.5, 332.8 (exact for the restart chain), ≈ 110 for the walk;
    // n/τ ≈ 2·10^4, 4·10^4, 5·10^3, 600, 900 (the noisy τ of the histogram bins sets τ_max, so
    // the cell at n/τ_int = 600 keeps clear of the "too short" threshold of 200)
    for (chain, n) in [
        (Chain::Independent, 10_000),
        (Chain::Restart(0.5), 60_000),
        (Chain::Restart(0.05), 100_000),
        (Chain::Restart(0.003), 200_000),
        (Chain::Walk, 100_000),
    ] {
        let (ok, bad, short, tau) = tally(&ex, 200, |seed| level_chain(&ex, n, chain, seed));
        eprintln!(
            "{chain:?} n {n}: τ_int ≈ {tau:.1}, n/τ ≈ {:.0}: {ok} consistent, {bad} inconsistent, {short} too short",
            n as f64 / tau
        );
        assert!(bad <= MAX_ALARMS_OF_200, "{chain:?}, n = {n}: {bad} false alarms of 200 (τ ≈ {tau})");
        assert!(short <= 2, "{chain:?}: n/τ ≥ 300 must be tested ({short} too short)");
    }
}

/// False alarms of the magnetization tests (|M|, M², U₄, χ against the exact moments of
/// `onsager_exact::order_parameter`) for real samplers: 200 chains per cell on 4×4 tori at K_c,
/// Wolff for Ising and Metropolis for 3-state Potts; and one sampler whose M is wrong while E is
/// right (one spin miscounted in every other sample) must be caught.
#[test]
fn magnetization_tests_are_calibrated_for_real_samplers() {
    let kp = 1.005_052_538_742_381; // ln(1 + √3)
    for (model, q, k, wolff) in [("ising", 2usize, KC, true), ("potts", 3, kp, false)] {
        let spec = ModelSpec::parse(model, (q > 2).then_some(q)).unwrap();
        let ex = exact_reference(spec, &[4, 4], k).unwrap();
        assert!(ex.m4.is_some(), "{model}: exact moments");
        let run = |seed: u64| {
            if wolff {
                samplers::wolff(&[4, 4], q, q == 2, k, 20_000, seed)
            } else {
                samplers::metropolis(&[4, 4], q, q == 2, k, 20_000, seed)
            }
        };
        let v: Vec<&'static str> = (0..200u64)
            .into_par_iter()
            .map(|c| {
                let r = validate(&run(5000 + c), &ex, k, 16).unwrap();
                assert_eq!(r.observables.len(), 6, "E, C, |M|, M², U₄, χ");
                r.verdict
            })
            .collect();
        let bad = v.iter().filter(|&&x| x == "inconsistent").count();
        let short = v.iter().filter(|&&x| x == "too short").count();
        eprintln!(
            "{model} 4×4 at K_c, {}: {bad} of 200 inconsistent, {short} too short",
            if wolff { "Wolff" } else { "Metropolis" }
        );
        assert!(bad <= MAX_ALARMS_OF_200 && short == 0, "{model}: {bad} false alarms, {short} too short");
        // a bug that leaves E exact: every other sample reports ||M| − 2| (one spin miscounted)
        let mut wrong = run(99);
        if let Some(m) = wrong.magnetization.as_mut() {
            for x in m.iter_mut().step_by(2) {
                *x = (*x - 2.0).abs();
            }
        }
        let r = validate(&wrong, &ex, k, 16).unwrap();
        assert_eq!(r.verdict, "inconsistent", "{model}: distorted |M| not caught: {}", r.reason);
    }
}

#[test]
fn short_chains_are_called_too_short_not_judged() {
    // τ_int = 332.8 and n = 20 000: n/τ ≈ 60 < 200
    let ex = exact(KC);
    let r = validate(&level_chain(&ex, 20_000, Chain::Restart(0.003), 7), &ex, KC, L * L).unwrap();
    assert_eq!(r.verdict, "too short", "{r:?}");
    assert!(r.reason.contains("need ≥"), "{}", r.reason);
}

#[test]
fn wrong_coupling_and_a_buggy_sampler_are_caught() {
    // a correct chain at K_c + 1 %, judged against K_c: ⟨E⟩ moves by Var(E)·ΔK ≈ 1.0 while the
    // error at n = 10^5, τ = 1.5 is ≈ 0.12
    let ex = exact(KC);
    let hot = exact(1.01 * KC);
    let (_, bad, _, _) = tally(&ex, 20, |seed| level_chain(&hot, 100_000, Chain::Restart(0.5), seed));
    assert!(bad >= 19, "K_c + 1 %: only {bad} of 20 detected");
    // spin Metropolis with the boundary column's ΔE wrong, 2·10^6 single flips (n/τ ≈ 10^4)
    let (_, bad, _, _) = tally(&ex, 4, |seed| spin_chain(KC, 2_000_000, seed, true));
    assert_eq!(bad, 4, "buggy sampler: only {bad} of 4 detected");
}

#[test]
#[ignore = "calibration table, ~10 min: cargo test --release --test validate_calibration -- --ignored --nocapture"]
fn calibration_table() {
    let ex = exact(KC);
    eprintln!("sampler                 τ_int    n/τ_int   consistent inconsistent too-short");
    let cells: Vec<(Chain, usize)> = vec![
        (Chain::Independent, 2_000),
        (Chain::Independent, 50_000),
        (Chain::Restart(0.5), 600),
        (Chain::Restart(0.5), 150_000),
        (Chain::Restart(0.05), 6_000),
        (Chain::Restart(0.05), 1_000_000),
        (Chain::Restart(0.003), 70_000),
        (Chain::Restart(0.003), 1_000_000),
        (Chain::Walk, 30_000),
        (Chain::Walk, 1_000_000),
    ];
    for (chain, n) in cells {
        let (ok, bad, short, tau) = tally(&ex, 200, |seed| level_chain(&ex, n, chain, seed));
        eprintln!("{:<22} {tau:>7.1} {:>10.0} {ok:>12} {bad:>12} {short:>9}", format!("{chain:?}"), n as f64 / tau);
    }
    for n in [200_000, 2_000_000] {
        let (ok, bad, short, tau) = tally(&ex, 200, |seed| spin_chain(KC, n, seed, false));
        eprintln!("{:<22} {tau:>7.1} {:>10.0} {ok:>12} {bad:>12} {short:>9}", "spin Metropolis/flip", n as f64 / tau);
    }
    eprintln!("power: fraction of 20 chains called inconsistent");
    let hot = exact(1.01 * KC);
    for n in [3_000, 10_000, 30_000, 100_000] {
        let (_, bad, short, _) = tally(&ex, 20, |seed| level_chain(&hot, n, Chain::Restart(0.5), seed));
        eprintln!("K_c + 1 %, restart chain τ = 1.5, n = {n}: {bad}/20 (too short {short})");
    }
    for n in [100_000, 300_000, 1_000_000, 3_000_000] {
        let (_, bad, short, _) = tally(&ex, 20, |seed| spin_chain(KC, n, seed, true));
        eprintln!("buggy spin Metropolis, n = {n} flips: {bad}/20 (too short {short})");
    }
}
