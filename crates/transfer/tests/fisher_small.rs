//! Transfer-matrix cumulants and curvature against brute-force enumeration (the rung below).

use onsager_exact::enumerate_cumulants;
use onsager_models::{Model, Torus};
use onsager_transfer::fisher::cumulant_slices;
use onsager_transfer::geometry::{curvature_dense, curvature_from_slices, expand_slices};

const KC: f64 = 0.44068679350977147; // ln(1+√2)/2, shared/physics.md

fn compare(model: Model, dims: &[usize], k: f64) -> f64 {
    let torus = Torus::new(dims).unwrap();
    let ks = vec![k; torus.d()];
    let s = cumulant_slices(model, &torus, &ks, 1e10, &|| {}).unwrap();
    let e = enumerate_cumulants(model, &torus, &vec![k; torus.bonds()]).unwrap();
    assert!((s.ln_z - e.ln_z).abs() < 1e-12 * e.ln_z.abs(), "{model} {dims:?}: lnZ {} vs {}", s.ln_z, e.ln_z);
    let (g, t) = expand_slices(&s);
    // tolerances: the eigendecomposition of W (size q^{n_s}) rounds at ~N·ε relative to the
    // largest entry; enumeration sums q^N positive terms (error ~√(q^N)·ε)
    let scale_g = e.g.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let scale_t = e.t.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for (i, (a, b)) in g.iter().zip(&e.g).enumerate() {
        assert!((a - b).abs() < 1e-11 * scale_g, "{model} {dims:?}: g[{i}] {a} vs {b}");
    }
    for (i, (a, b)) in t.iter().zip(&e.t).enumerate() {
        assert!((a - b).abs() < 1e-11 * scale_t, "{model} {dims:?}: T[{i}] {a} vs {b}");
    }
    let big_d = torus.bonds();
    let dense = curvature_dense(big_d, &e.g, &e.t);
    let fourier = curvature_from_slices(&s);
    assert!((fourier.r - dense.r).abs() < 1e-10 * dense.r.abs(), "{model} {dims:?}: R {} vs {}", fourier.r, dense.r);
    assert!((fourier.a - dense.a).abs() < 1e-10 * dense.a.abs().max(1.0));
    assert!((fourier.g_min_eig - dense.g_min_eig).abs() < 1e-12);
    assert!(dense.g_min_eig > 0.0, "g positive definite");
    fourier.r
}

#[test]
fn ising_3x3_and_4x4_equal_enumeration_and_reference() {
    // shared/reference.json ising2d.fisher_R_Kc_torus (brute force, anchors/fisher_bruteforce.py)
    let r3 = compare(Model::Ising, &[3, 3], KC);
    assert!((r3 - -105.64184956553979).abs() < 1e-10 * 105.6, "{r3}");
    let r4 = compare(Model::Ising, &[4, 4], KC);
    assert!((r4 - -265.31214279349814).abs() < 1e-10 * 265.3, "{r4}");
}

#[test]
fn rectangles_and_other_couplings_equal_enumeration() {
    compare(Model::Ising, &[3, 4], 0.3);
    compare(Model::Ising, &[4, 3], 0.7);
    compare(Model::Ising, &[5, 3], KC);
}

#[test]
fn potts_and_clock_3x3_equal_enumeration() {
    // shared/reference.json potts2d.fisher_R_Kc_torus_L3 (brute force, 7 significant digits given)
    let r = compare(Model::Potts { q: 3 }, &[3, 3], 1.005052538742381);
    assert!((r - -79.85048).abs() < 1e-5, "{r}");
    compare(Model::Clock { q: 4 }, &[3, 3], 0.5);
}
