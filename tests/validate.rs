//! `onsager validate` and `onsager dos`: exact samples, wrong-β samples, a correlated Metropolis
//! chain, and the exact density of states against brute force and Kaufman.

use onsager::jobs::validate::{exact_reference, read_samples, validate, Samples};
use onsager::jobs::ModelSpec;

const KC: f64 = 0.44068679350977147; // ln(1+√2)/2

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// n independent energies drawn from the exact P(E) at β (inverse CDF).
fn exact_energy_samples(l: usize, beta: f64, n: usize, seed: u64) -> Samples {
    let ex = exact_reference(ModelSpec::parse("ising", None).unwrap(), &[l, l], beta).unwrap();
    let mut cdf = Vec::new();
    let mut acc = 0.0;
    for &(e, p) in &ex.levels {
        acc += p;
        cdf.push((acc, e));
    }
    let mut rng = Lcg(seed);
    let energy = (0..n)
        .map(|_| {
            let u = rng.next() * acc;
            cdf.iter().find(|c| c.0 >= u).unwrap_or(cdf.last().unwrap()).1
        })
        .collect();
    Samples { energy, magnetization: None }
}

#[test]
fn exact_samples_are_consistent_and_wrong_beta_is_not() {
    // 8×8 at K_c, 10^5 samples: drawn at β they must pass; drawn at β + 0.01 they must fail
    // (⟨E⟩ moves by ≈ Var(E)·0.01 ≈ 4, the error of the mean is ≈ 0.07)
    let spec = ModelSpec::parse("ising", None).unwrap();
    let ex = exact_reference(spec, &[8, 8], KC).unwrap();
    let good = validate(&exact_energy_samples(8, KC, 100_000, 11), &ex, KC, 64).unwrap();
    assert_eq!(good.verdict, "consistent", "{good:?}");
    assert!(good.histogram_p_value > 1e-4);
    // independent samples: τ_int ≈ ½
    assert!((good.observables[0].tau_int - 0.5).abs() < 0.1, "{good:?}");
    let bad = validate(&exact_energy_samples(8, KC + 0.01, 100_000, 12), &ex, KC, 64).unwrap();
    assert_eq!(bad.verdict, "inconsistent", "{bad:?}");
    assert!(bad.observables[0].z.abs() > 10.0 && bad.histogram_p_value < 1e-10, "{bad:?}");
}

/// Single-spin Metropolis on the L × L torus: (E, M) after every sweep.
fn metropolis(l: usize, beta: f64, sweeps: usize, seed: u64) -> Samples {
    let mut rng = Lcg(seed);
    let mut s = vec![1i64; l * l];
    let at = |x: usize, y: usize| (y % l) * l + x % l;
    let (mut energy, mut magnetization) = (Vec::new(), Vec::new());
    let acc: Vec<f64> = (0..=8).map(|de| (-beta * de as f64).exp()).collect();
    for sweep in 0..sweeps + 1000 {
        for y in 0..l {
            for x in 0..l {
                let nb = s[at(x + 1, y)] + s[at(x + l - 1, y)] + s[at(x, y + 1)] + s[at(x, y + l - 1)];
                let de = 2 * s[at(x, y)] * nb; // ΔE of flipping, E = −Σ s_i s_j
                if de <= 0 || rng.next() < acc[de as usize] {
                    s[at(x, y)] = -s[at(x, y)];
                }
            }
        }
        if sweep >= 1000 {
            let mut e = 0;
            for y in 0..l {
                for x in 0..l {
                    e -= s[at(x, y)] * (s[at(x + 1, y)] + s[at(x, y + 1)]);
                }
            }
            energy.push(e as f64);
            magnetization.push(s.iter().sum::<i64>() as f64);
        }
    }
    Samples { energy, magnetization: Some(magnetization) }
}

#[test]
fn correlated_metropolis_chain_gets_a_sensible_error_bar() {
    // 8×8 at K = 0.4: τ_int(E) of a few sweeps; the error must include it (≥ 1.3× the naive
    // σ/√n) and every observable (E, C, |M|, M², exact by DOS and transfer matrix) must agree
    let spec = ModelSpec::parse("ising", None).unwrap();
    let beta = 0.4;
    let ex = exact_reference(spec, &[8, 8], beta).unwrap();
    assert!(ex.abs_m.is_some() && ex.m2.is_some());
    let samples = metropolis(8, beta, 200_000, 5);
    let v = validate(&samples, &ex, beta, 64).unwrap();
    assert_eq!(v.verdict, "consistent", "{v:?}");
    assert_eq!(v.observables.len(), 6); // E, C, |M|, M², U₄, χ
    let e = &v.observables[0];
    assert!(e.tau_int > 1.0, "{e:?}");
    let st = onsager::jobs::validate::series_stats(&samples.energy);
    // the tests' error is the spread of B batch means: it agrees with the Γ-method error to its
    // own relative precision 1/√(2(B − 1)) (7 % at B = 100; 0.3 is over 4 of those)
    assert!(st.error > 1.3 * st.naive_error && (st.error - e.mc_error).abs() < 0.3 * st.error, "{st:?} {e:?}");
    for o in &v.observables {
        assert!(o.z.abs() < 4.0, "{o:?}");
    }
}

#[test]
fn malformed_samples_name_the_line_and_bad_energies_are_refused() {
    let mut text = String::from("energy\n");
    for _ in 0..120 {
        text.push_str("-128\n");
    }
    text.push_str("-127.5\n");
    let s = read_samples(&text).unwrap();
    let ex = exact_reference(ModelSpec::parse("ising", None).unwrap(), &[8, 8], KC).unwrap();
    let err = validate(&s, &ex, KC, 64).unwrap_err().to_string();
    assert!(err.contains("sample 121") && err.contains("no energy level"), "{err}");
    assert!(read_samples("energy\n1\nx\n").unwrap_err().starts_with("line 3, column 1 (energy)"));
}

#[test]
fn potts_reference_by_enumeration() {
    // 3×3 Potts q = 3: the probabilities sum to 1 and the mean energy equals the enumeration's
    // d lnZ/dβ by the exact cumulants (onsager_exact::enumerate_cumulants: ⟨Σ δ⟩ = Σ_b mean_b)
    let spec = ModelSpec::parse("potts", Some(3)).unwrap();
    let ex = exact_reference(spec, &[3, 3], 1.0).unwrap();
    let total: f64 = ex.levels.iter().map(|l| l.1).sum();
    assert!((total - 1.0).abs() < 1e-14);
    let mean_e: f64 = ex.levels.iter().map(|(e, p)| e * p).sum();
    let t = onsager::models::Torus::new(&[3, 3]).unwrap();
    let c = onsager::exact::enumerate_cumulants(spec.model, &t, &vec![1.0; t.bonds()]).unwrap();
    let want: f64 = -c.mean.iter().sum::<f64>();
    assert!((mean_e - want).abs() < 1e-12, "{mean_e} vs {want}");
}

#[test]
fn dos_ln_z_equals_kaufman_at_16_and_32() {
    // Kaufman's closed form at several β; the counts sum to 2^N exactly
    for l in [16usize, 32] {
        let d = onsager::exact::dos::ising_dos(l, l);
        let total: num_bigint::BigUint = d.counts.iter().sum();
        assert_eq!(total, num_bigint::BigUint::from(1u8) << (l * l));
        for b in [0.1, 0.3, KC, 0.6, 1.5] {
            let (a, k) = (d.ln_z(b), onsager::exact::kaufman_ln_z(l, l, b));
            assert!((a - k).abs() < 1e-12 * k, "L={l} β={b}: {a} vs {k}");
        }
    }
}

#[test]
fn deep_in_the_ordered_phase_levels_are_levels_and_rare_visits_are_caught() {
    // β = 20 on 8×8: P(first excited level) = 128 e^{−160}/Z underflows to 0 in f64, but the level
    // exists (its count is non-zero) and a sample there is judged, not refused; one visit in 151
    // samples has Poisson probability ~1e-66 for a correct sampler
    let spec = ModelSpec::parse("ising", None).unwrap();
    let ex = exact_reference(spec, &[8, 8], 20.0).unwrap();
    let mut energy = vec![-128.0; 151];
    assert_eq!(
        validate(&Samples { energy: energy.clone(), magnetization: None }, &ex, 20.0, 64).unwrap().verdict,
        "consistent"
    );
    energy[75] = -120.0;
    let v = validate(&Samples { energy, magnetization: None }, &ex, 20.0, 64).unwrap();
    assert_eq!(v.verdict, "inconsistent", "{v:?}");
    assert!(v.reason.contains("negligible weight"), "{}", v.reason);
}

#[test]
fn a_scan_over_several_beta_is_judged_as_one_family() {
    use onsager::jobs::validate::{run_scan, ValidateParams};
    // Metropolis chains of the 8×8 Ising torus at three couplings (E and M after every sweep),
    // judged with one exact DOS; each β at 0.01/3 (Bonferroni) so the scan keeps 1 %
    let mut params = ValidateParams::default();
    params.lattice.lx = 8;
    params.model.beta = "0.3,0.4,critical".into();
    let betas = [0.3, 0.4, KC];
    let chains: Vec<(f64, Samples)> =
        betas.iter().enumerate().map(|(i, &b)| (b, metropolis(8, b, 60_000, 40 + i as u64))).collect();
    let r = run_scan(&params, chains.clone()).unwrap();
    assert_eq!(r.verdict, "consistent", "{}", r.reason);
    assert_eq!(r.points.len(), 3);
    // 8 tests per β: E, C, |M|, M², U₄, χ, the histogram and the rare-level test
    assert!(r.points[2].critical && r.points[0].reason.contains("= 0.01/3/8 tests"), "{}", r.points[0].reason);
    // the exact curve spans the scan and passes through the exact points (E/N of the record at
    // K_c, from the same counts; the grid point nearest K_c is within 2e-3 of it in K, so within
    // |dE/dK|·2e-3 ≈ 0.02 in E/N)
    let at_kc = r.curve.iter().min_by(|a, b| (a.0 - KC).abs().total_cmp(&(b.0 - KC).abs())).unwrap();
    assert!(r.curve[0].0 < 0.3 && r.curve.last().unwrap().0 > KC && (at_kc.0 - KC).abs() < 2e-3);
    let exact_kc = r.points[2].observables[0].exact / 64.0;
    assert!((at_kc.1 - exact_kc).abs() < 0.02, "{at_kc:?} vs {exact_kc}");
    // the chain of K = 0.3 filed under K = 0.4 (and back): caught at those two couplings
    let mut swapped = chains.clone();
    swapped[0].0 = 0.4;
    swapped[1].0 = 0.3;
    let w = run_scan(&params, swapped).unwrap();
    assert_eq!(w.verdict, "inconsistent");
    assert!(w.reason.contains("β = 0.3, 0.4") && w.points[2].verdict == "consistent", "{}", w.reason);
    // a chain at a β outside the list, a β without chains, a β listed twice: refused by name
    let mut stray = chains.clone();
    stray[0].0 = 0.25;
    let e = run_scan(&params, stray).unwrap_err().to_string();
    assert!(e.starts_with("beta = ") && e.contains("does not list β = 0.25"), "{e}");
    assert!(run_scan(&params, chains[..2].to_vec()).unwrap_err().to_string().contains("lists β = 0.44"));
    params.model.beta = "0.3,0.3".into();
    assert!(run_scan(&params, chains).unwrap_err().to_string().starts_with("beta lists 0.3 twice"));
}

#[test]
fn ground_state_chains_at_huge_beta_are_judged_not_refused() {
    // β = 1e300 on the 4×4 torus: P(E) is the ground level (E = −32, closed form) and a chain
    // that never leaves it is right; C = (βσ)²/N must be 0, not inf·0 = NaN (which the
    // finite-number check refused). At β = 0 the same chain is wrong.
    let spec = ModelSpec::parse("ising", None).unwrap();
    let chain = Samples { energy: vec![-32.0; 500], magnetization: Some(vec![16.0; 500]) };
    let cold = validate(&chain, &exact_reference(spec, &[4, 4], 1e300).unwrap(), 1e300, 16).unwrap();
    assert_eq!(cold.verdict, "consistent", "{}", cold.reason);
    assert!(cold.observables.iter().all(|o| o.mc_mean.is_finite() && o.exact.is_finite()), "{:?}", cold.observables);
    assert_eq!(cold.observables[1].exact, 0.0);
    let hot = validate(&chain, &exact_reference(spec, &[4, 4], 0.0).unwrap(), 0.0, 16).unwrap();
    assert_eq!(hot.verdict, "inconsistent");
}
