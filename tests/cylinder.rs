//! Cylinder spectra against reference values, Onsager and conformal field theory.

use onsager::exact::onsager_ln_z_per_site;
use onsager::models::Model;
use onsager::transfer::cylinder::{central_charge, spectrum, spectrum_with, Solver};
use onsager::transfer::Strip;

const KC: f64 = 0.44068679350977147;

#[test]
fn reference_ln_lambda_max() {
    // shared/reference.json ising2d.cylinder_Kc_ln_lambda_max_over_L (dense numpy)
    for (w, v) in [(4, 0.946784141023979), (8, 0.933824573410263), (10, 0.932328895317585)] {
        let s = spectrum(&Strip::square(Model::Ising, w, KC).unwrap(), 1, 8e9).unwrap();
        assert!((s.ln_lambda[0] / w as f64 - v).abs() < 1e-14, "width {w}");
    }
}

#[test]
fn lanczos_equals_dense() {
    // width 12 is the largest dense case; compare distinct top levels with the Lanczos path
    let s = Strip::square(Model::Ising, 12, KC).unwrap();
    let dense = spectrum_with(&s, 8, Solver::Dense, 8e9).unwrap();
    let n = s.n_states().unwrap();
    let h = s.half_diagonal();
    let apply = |x: &[f64], y: &mut [f64]| s.apply(&h, x, y, &mut vec![0.0; n]);
    let lz = onsager::linalg::lanczos_top(n, &apply, &onsager::linalg::LanczosOptions { k: 3, ..Default::default() })
        .unwrap();
    let mut distinct: Vec<f64> = Vec::new();
    for l in dense.ln_lambda.iter().map(|l| (l - s.log_scale()).exp()) {
        if distinct.last().is_none_or(|d| (d - l).abs() > 1e-9 * d) {
            distinct.push(l);
        }
    }
    for i in 0..3 {
        assert!((lz.values[i] - distinct[i]).abs() < 1e-11 * distinct[0], "level {i}");
    }
}

#[test]
fn central_charge_and_scaling_dimensions_at_kc() {
    // CFT of the Ising critical point: c = 1/2, x_σ = 1/8, x_ε = 1 (the bound: 0.01)
    let widths: Vec<usize> = (8..=20).collect();
    let mut per_site = Vec::new();
    let mut last = None;
    for &w in &widths {
        let s = spectrum(&Strip::square(Model::Ising, w, KC).unwrap(), 3, 16e9).unwrap();
        per_site.push(s.ln_lambda[0] / w as f64);
        // ln λ0/L − lnZ/N_∞ ≈ πc/(6L²): within 10 % at every width ≥ 8
        let shift = per_site.last().unwrap() - onsager_ln_z_per_site(KC);
        let cft = std::f64::consts::PI * 0.5 / (6.0 * (w * w) as f64);
        assert!((shift / cft - 1.0).abs() < 0.1, "width {w}: {shift} vs {cft}");
        last = Some(s);
    }
    let (c, _, f) = central_charge(&widths, &per_site).unwrap();
    assert!((c - 0.5).abs() < 0.01, "c = {c}");
    assert!((f - 0.9296953983416102).abs() < 1e-6, "f∞ = {f}");
    let x = last.unwrap().scaling_dimensions(20);
    assert!((x[0] - 0.125).abs() < 0.01, "x_σ = {}", x[0]);
    assert!((x[1] - 1.0).abs() < 0.01, "x_ε = {}", x[1]);
}

#[test]
fn potts_q3_width_10_converges() {
    // Potts q=3: x_σ = 2/15 (CFT, c = 4/5); 3^10 states needs Lanczos
    let s = spectrum(&Strip::square(Model::Potts { q: 3 }, 10, 1.005052538742381).unwrap(), 2, 8e9).unwrap();
    assert_eq!(s.method, "lanczos");
    let x = s.scaling_dimensions(10);
    assert!((x[0] - 2.0 / 15.0).abs() < 0.01, "x_σ = {}", x[0]);
}
