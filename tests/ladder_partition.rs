//! The testing ladder for ln Z: enumeration ↔ transfer matrix ↔ Kaufman, and the exact
//! mappings between models (Potts q=2 ↔ Ising, clock q=4 ↔ two Ising copies).

use onsager::exact::{enumerate_ln_z, kaufman_ln_z};
use onsager::models::{Model, Torus};
use onsager::transfer::torus::ln_z_torus;

const KC: f64 = 0.44068679350977147; // ln(1+√2)/2
const MEM: f64 = 8e9;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn kaufman_transfer_enumeration_agree() {
    // every β: high T, critical, low T, very low T
    for &beta in &[0.1, KC, 0.8, 2.0] {
        for dims in [[3, 3], [4, 4], [3, 4], [4, 3], [4, 5], [5, 5]] {
            if dims == [5, 5] && beta != KC {
                continue; // 2^25 states: once is enough
            }
            let t = Torus::new(&dims).unwrap();
            let kf = kaufman_ln_z(dims[1], dims[0], beta);
            let tm = ln_z_torus(Model::Ising, &t, &[beta, beta], MEM).unwrap();
            let en = enumerate_ln_z(Model::Ising, &t, &vec![beta; t.bonds()]).unwrap();
            // 1e-12 relative: the bound; all three are exact up to rounding
            assert!(rel(tm, kf) < 1e-12, "{dims:?} β={beta}: transfer {tm} vs Kaufman {kf}");
            assert!(rel(en, kf) < 1e-12, "{dims:?} β={beta}: enumeration {en} vs Kaufman {kf}");
        }
    }
}

#[test]
fn kaufman_equals_transfer_on_wide_and_long_tori() {
    for &beta in &[0.3, KC, 1.0, 5.0] {
        for dims in [[12, 12], [10, 17], [7, 40], [12, 3]] {
            let t = Torus::new(&dims).unwrap();
            let kf = kaufman_ln_z(dims[1], dims[0], beta);
            let tm = ln_z_torus(Model::Ising, &t, &[beta, beta], MEM).unwrap();
            assert!(rel(tm, kf) < 1e-12, "{dims:?} β={beta}: {tm} vs {kf}");
        }
    }
}

#[test]
fn reference_torus_values() {
    // shared/reference.json ising2d.torus_Kc_lnZ_over_L2 (Tr T^L, dense numpy)
    let t4 = Torus::new(&[4, 4]).unwrap();
    assert!((ln_z_torus(Model::Ising, &t4, &[KC, KC], MEM).unwrap() / 16.0 - 0.970119716172205).abs() < 1e-14);
    let t10 = Torus::new(&[10, 10]).unwrap();
    assert!((ln_z_torus(Model::Ising, &t10, &[KC, KC], MEM).unwrap() / 100.0 - 0.936103005102221).abs() < 1e-14);
}

#[test]
fn potts_q2_is_ising_at_half_coupling() {
    // δ(σ,σ') = (1 + s s')/2, so Z_Potts(2K) = e^{K·D} Z_Ising(K) with D bonds
    for &k in &[0.2, KC, 0.9] {
        let t = Torus::new(&[5, 6]).unwrap();
        let p = ln_z_torus(Model::Potts { q: 2 }, &t, &[2.0 * k, 2.0 * k], MEM).unwrap();
        let i = kaufman_ln_z(6, 5, k);
        assert!(rel(p, i + k * t.bonds() as f64) < 1e-12, "K={k}: {p} vs {}", i + k * t.bonds() as f64);
    }
}

#[test]
fn clock_q4_is_two_ising_copies() {
    // cos(θ−θ') = (s₁s₁' + s₂s₂')/2 with θ = πσ/2, so Z_clock4(K) = Z_Ising(K/2)²
    for &k in &[0.3, 2.0 * KC, 1.5] {
        let t = Torus::new(&[4, 5]).unwrap();
        let c = ln_z_torus(Model::Clock { q: 4 }, &t, &[k, k], MEM).unwrap();
        let i = 2.0 * kaufman_ln_z(5, 4, k / 2.0);
        assert!(rel(c, i) < 1e-12, "K={k}: {c} vs {i}");
    }
}

#[test]
fn potts_and_3d_transfer_equal_enumeration() {
    let cases: [(Model, &[usize], f64); 4] = [
        (Model::Potts { q: 3 }, &[3, 4], 1.005052538742381),
        (Model::Potts { q: 4 }, &[3, 3], 0.7),
        (Model::Clock { q: 6 }, &[3, 3], 1.1),
        (Model::Ising, &[2, 3, 4], 0.221654626),
    ];
    for (m, dims, k) in cases {
        let t = Torus::new(dims).unwrap();
        let tm = ln_z_torus(m, &t, &vec![k; t.d()], MEM).unwrap();
        let en = enumerate_ln_z(m, &t, &vec![k; t.bonds()]).unwrap();
        assert!(rel(tm, en) < 1e-12, "{m} {dims:?}: {tm} vs {en}");
    }
}

#[test]
fn too_wide_torus_says_so() {
    let t = Torus::new(&[13, 13]).unwrap();
    let e = ln_z_torus(Model::Ising, &t, &[KC, KC], MEM).unwrap_err().to_string();
    assert!(e.contains("cylinder"), "{e}");
}
