//! Tensor networks against Onsager (infinite lattice) and Kaufman (finite 2^n tori).

use onsager_exact::{kaufman_ln_z, onsager_ln_z_per_site};
use onsager_models::Model;
use onsager_tn::ctmrg::Ctmrg;
use onsager_tn::hotrg::Hotrg;
use onsager_tn::initial::{site_tensor_2d, Insertion};
use onsager_tn::trg::Trg;
use onsager_tn::{run, Stop, Truncation};

const KC: f64 = 0.44068679350977147;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn trg_and_hotrg_at_kc() {
    let exact = onsager_ln_z_per_site(KC); // 2G/π + ½ln2
    let a = site_tensor_2d(Model::Ising, KC, 0.0, Insertion::None);
    let r = run(&mut Trg::new(a.clone()), &Truncation::chi(16), &Stop::MaxSteps(40), &mut |_, _| {});
    eprintln!("TRG χ=16: {:.3e}", rel(r.ln_z_per_site, exact));
    // shared/reference.json: numpy TRG χ=16 4.6e-6
    assert!(rel(r.ln_z_per_site, exact) < 5e-6);
    let r = run(
        &mut onsager_tn::btrg::Btrg::new(a.clone(), -0.5),
        &Truncation::chi(16),
        &Stop::MaxSteps(40),
        &mut |_, _| {},
    );
    // shared/reference.json: numpy BTRG (k = −1/2) χ=16 3.3e-7
    assert!(rel(r.ln_z_per_site, exact) < 3.5e-7, "BTRG {:.3e}", rel(r.ln_z_per_site, exact));
    let r = run(&mut Hotrg::new(a), &Truncation::chi(16), &Stop::MaxSteps(40), &mut |_, _| {});
    eprintln!("HOTRG χ=16: {:.3e}", rel(r.ln_z_per_site, exact));
    // shared/reference.json: numpy HOTRG χ=16 5.6e-7
    assert!(rel(r.ln_z_per_site, exact) < 6e-7);
}

/// Off criticality at χ = 32 (the issue asks ≤ 1e-10 of Onsager at K = 0.3 and 0.6). In the ordered
/// phase the closed torus carries ln 2 / N (two ordered states), 1e-5 after 16 steps, so K = 0.6
/// runs 40 steps (2⁴⁰ sites) and K = 0.3 runs 16. Measured: BTRG 2.5e-13 / 4.0e-13, HOTRG
/// 8.4e-13 / 6.8e-13. Plain
/// TRG stops at 7.0e-10 / 7.8e-10, its truncation (discarded weight 2.3e-8 per step at K = 0.3):
/// ../shared/anchors/trg.py gives 6.97e-10 at K = 0.3 too (run side by side), and χ = 48 1.2e-10.
#[test]
fn coarse_graining_off_critical() {
    use onsager_tn::btrg::Btrg;
    use onsager_tn::initial::leg_parity;
    for (k, n) in [(0.3, 16), (0.6, 40)] {
        let exact = onsager_ln_z_per_site(k);
        let a = site_tensor_2d(Model::Ising, k, 0.0, Insertion::None);
        let t = Truncation::chi(32);
        let stop = Stop::MaxSteps(n);
        let b = run(&mut Btrg::new(a.clone(), -0.5), &t, &stop, &mut |_, _| {}).ln_z_per_site;
        let h = Hotrg::with_parity(a.clone(), leg_parity(Model::Ising, k, 0.0));
        let h = run(&mut { h }, &t, &stop, &mut |_, _| {}).ln_z_per_site;
        let g = run(&mut Trg::new(a), &t, &stop, &mut |_, _| {}).ln_z_per_site;
        let (eb, eh, eg) = (rel(b, exact), rel(h, exact), rel(g, exact));
        eprintln!("K={k} χ=32: BTRG {eb:.2e} HOTRG {eh:.2e} TRG {eg:.2e}");
        assert!(eb < 1e-10 && eh < 1e-10, "K={k}: BTRG {eb:.2e} HOTRG {eh:.2e}");
        assert!(eg < 1e-9, "K={k}: TRG {eg:.2e}");
    }
}

/// The Z₂ blocks (Ising leg parities) and the dense contraction are the same truncation: at
/// K_c, χ = 16, 30 steps they agree to rounding amplified by the steps, far below the 5.6e-7
/// truncation error; both tori closures (L = 16, K = 0.3) too.
#[test]
fn hotrg_z2_blocks_equal_dense() {
    use onsager_tn::initial::leg_parity;
    for (k, steps) in [(onsager_models::critical_coupling(Model::Ising, 2).unwrap().coupling, 30), (0.3, 8)] {
        let a = site_tensor_2d(Model::Ising, k, 0.0, Insertion::None);
        let mut z2 = Hotrg::with_parity(a.clone(), leg_parity(Model::Ising, k, 0.0));
        assert!(z2.symmetric());
        let rz = run(&mut z2, &Truncation::chi(16), &Stop::MaxSteps(steps), &mut |_, _| {});
        let rd = run(&mut Hotrg::new(a), &Truncation::chi(16), &Stop::MaxSteps(steps), &mut |_, _| {});
        assert!(
            (rz.ln_z_per_site - rd.ln_z_per_site).abs() < 1e-12,
            "K={k}: {} vs {}",
            rz.ln_z_per_site,
            rd.ln_z_per_site
        );
    }
}

#[test]
fn hotrg_finite_tori_equal_kaufman() {
    // 2^n × 2^n tori after 2n steps, the final 2 × 2 torus closed exactly (`quad_trace`), against
    // Kaufman. Measured at K = 0.3 / 0.6: L = 4 and 8 exact to rounding (no truncation is left),
    // L = 16 3.2e-12 / 1.2e-12 and L = 32 1.1e-12 / 1.2e-12 (χ = 32). With the pair closure alone
    // they were L = 8 8.3e-10 / 3.4e-10 (χ = 40), L = 16 3.3e-10 / 2.1e-10 (χ = 32)
    for k in [0.3, 0.6] {
        for (n, chi) in [(2, 16), (3, 40), (4, 32), (5, 32)] {
            let l = 1usize << n;
            let a = site_tensor_2d(Model::Ising, k, 0.0, Insertion::None);
            let r = run(&mut Hotrg::new(a), &Truncation::chi(chi), &Stop::MaxSteps(2 * n), &mut |_, _| {});
            let exact = kaufman_ln_z(l, l, k) / (l * l) as f64;
            eprintln!("K={k} L={l} χ={chi}: {:.3e}", rel(r.ln_z_per_site, exact));
            assert_eq!(r.sites_per_tensor, (l * l) as f64);
            assert!(rel(r.ln_z_per_site, exact) < 1e-9, "K={k} L={l}: {:.3e}", rel(r.ln_z_per_site, exact));
        }
    }
}

/// At K_c the truncations of the last merges dominate; the driver closes the final 2 × 2 torus
/// exactly (`quad_trace`), which removes the two largest. Measured with it (Z₂ blocks): L = 8
/// exact at χ = 16 (no truncation is left), L = 16 5.3e-10 at χ = 32, L = 32 4.5e-10 at χ = 48
/// and 5.2e-11 at χ = 64. With the pair closure alone they were 1.0e-7 (L = 16, χ = 32) and
/// 7.0e-8 (L = 32, χ = 48).
#[test]
fn hotrg_critical_tori_equal_kaufman() {
    use onsager_tn::initial::leg_parity;
    let k = onsager_models::critical_coupling(Model::Ising, 2).unwrap().coupling;
    for (n, chi) in [(2, 16), (3, 16), (4, 32), (5, 48)] {
        let l = 1usize << n;
        let a = site_tensor_2d(Model::Ising, k, 0.0, Insertion::None);
        let mut s = Hotrg::with_parity(a, leg_parity(Model::Ising, k, 0.0));
        let r = run(&mut s, &Truncation::chi(chi), &Stop::MaxSteps(2 * n), &mut |_, _| {});
        let exact = kaufman_ln_z(l, l, k) / (l * l) as f64;
        eprintln!("K_c L={l} χ={chi}: {:.3e}", rel(r.ln_z_per_site, exact));
        assert_eq!(r.sites_per_tensor, (l * l) as f64);
        assert!(rel(r.ln_z_per_site, exact) < 1e-9, "L={l}: {:.3e}", rel(r.ln_z_per_site, exact));
    }
}

#[test]
fn ctmrg_at_kc_and_off_critical() {
    // at K_c the corner spectrum creeps (critical slowing down): 2000 iterations give 6.7e-9
    // at χ = 32 (measured); off K_c it converges in < 100 iterations to machine precision
    for (k, chi, tol) in [(KC, 32, 1e-8), (0.3, 16, 1e-12), (0.6, 16, 1e-12)] {
        let a = site_tensor_2d(Model::Ising, k, 0.0, Insertion::None);
        let mut c = Ctmrg::new(a, chi);
        let rec = c.converge(1e-13, 2000);
        let e = rel(c.ln_z_per_site(), onsager_ln_z_per_site(k));
        eprintln!("CTMRG K={k} χ={chi}: {e:.3e} after {} iterations (converged {})", rec.iterations, rec.converged);
        assert!(e < tol);
    }
}

#[test]
fn ctmrg_energy_and_magnetization_off_critical() {
    use onsager_exact::onsager_energy;
    use onsager_tn::initial::bond_factors;
    for k in [0.3, 0.6] {
        let a = site_tensor_2d(Model::Ising, k, 0.0, Insertion::None);
        let (m, _) = bond_factors(Model::Ising, k);
        let mut c = Ctmrg::with_boundary(a, 16, &m[0..2]);
        c.converge(1e-13, 2000);
        // energy per site u = −2⟨s_i s_j⟩ (two bonds per site), Onsager's closed form
        let u = -2.0 * c.expectation(&site_tensor_2d(Model::Ising, k, 0.0, Insertion::BondRight));
        assert!((u - onsager_energy(k)).abs() < 1e-10, "K={k}: u = {u} vs {}", onsager_energy(k));
        // Yang: M = (1 − sinh⁻⁴ 2K)^{1/8} below T_c, 0 above
        let mag = c.expectation(&site_tensor_2d(Model::Ising, k, 0.0, Insertion::Magnetization));
        let yang = if k > KC { (1.0 - (2.0 * k).sinh().powi(-4)).powf(0.125) } else { 0.0 };
        assert!((mag - yang).abs() < 1e-10, "K={k}: M = {mag} vs {yang}");
    }
}

/// The fixed-point corner method reaches the power method's fixed point, at K_c in ~10² solves.
mod fpcm {
    use super::{rel, KC};
    use onsager_exact::{onsager_energy, onsager_ln_z_per_site};
    use onsager_models::Model;
    use onsager_tn::ctmrg::Ctmrg;
    use onsager_tn::fpcm::fixed_point;
    use onsager_tn::initial::{bond_factors, site_tensor_2d, Insertion};

    /// 50 power iterations from the σ = 0 boundary (as the CLI does), then the fixed-point method.
    fn solve(model: Model, k: f64, chi: usize, tol: f64) -> (Ctmrg, onsager_tn::fpcm::FpcmRecord) {
        let a = site_tensor_2d(model, k, 0.0, Insertion::None);
        let (m, _) = bond_factors(model, k);
        let mut c = Ctmrg::with_boundary(a, chi, &m[0..model.q()]);
        c.converge(0.0, 50);
        fixed_point(&c, tol, 2000)
    }

    #[test]
    fn critical_ising_reaches_the_power_method_fixed_point() {
        // χ = 32 at K_c: the power method (ours and ../shared/anchors/ctm.py alike) reaches
        // 2.231e-9 only at its 20 000-iteration cap (measured side by side, scripts/compare_ctmrg.py);
        // the fixed point itself must give the same number, and one power iteration from it must
        // leave the corner spectrum where it is (measured 5.6e-13)
        let (c, r) = solve(Model::Ising, KC, 32, 1e-10);
        let e = rel(c.ln_z_per_site(), onsager_ln_z_per_site(KC));
        eprintln!(
            "FPCM K_c χ=32: {e:.4e} in {} iterations, {} matvecs, check {:.1e}",
            r.iterations, r.matvecs, r.power_step_change
        );
        assert!(r.converged && r.iterations < 400, "{r:?}");
        assert!((e - 2.231e-9).abs() < 0.01e-9, "{e:.4e}");
        assert!(r.power_step_change < 1e-11, "{r:?}");
    }

    #[test]
    fn off_critical_ising_equals_onsager_and_yang() {
        for k in [0.3, 0.6] {
            let (c, r) = solve(Model::Ising, k, 24, 1e-10);
            assert!(r.converged && r.iterations < 100, "K={k}: {r:?}");
            // Onsager's lnZ/N and energy, Yang's magnetization (closed forms); the Schmidt
            // spectrum ends well before χ = 24 here, so these are exact to rounding
            assert!(rel(c.ln_z_per_site(), onsager_ln_z_per_site(k)) < 1e-13, "K={k}");
            let u = -2.0 * c.expectation(&site_tensor_2d(Model::Ising, k, 0.0, Insertion::BondRight));
            assert!((u - onsager_energy(k)).abs() < 1e-10, "K={k}: u = {u}");
            let mag = c.expectation(&site_tensor_2d(Model::Ising, k, 0.0, Insertion::Magnetization));
            let yang = if k > KC { (1.0 - (2.0 * k).sinh().powi(-4)).powf(0.125) } else { 0.0 };
            assert!((mag - yang).abs() < 1e-10, "K={k}: M = {mag} vs {yang}");
        }
    }

    #[test]
    fn potts_equals_the_power_method() {
        // q = 3 Potts off its critical point (K_c = ln(1+√3) = 1.005): both methods converge
        // here, so they must agree to rounding (d = 3 legs exercise the general index sizes)
        let k = 0.7;
        let (c, r) = solve(Model::Potts { q: 3 }, k, 24, 1e-11);
        let a = site_tensor_2d(Model::Potts { q: 3 }, k, 0.0, Insertion::None);
        let (m, _) = bond_factors(Model::Potts { q: 3 }, k);
        let mut p = Ctmrg::with_boundary(a, 24, &m[0..3]);
        let rp = p.converge(1e-13, 20000);
        assert!(r.converged && rp.converged, "{r:?} {rp:?}");
        assert!(rel(c.ln_z_per_site(), p.ln_z_per_site()) < 1e-12, "{} vs {}", c.ln_z_per_site(), p.ln_z_per_site());
    }
}

/// Directional CTMRG (four corners) on tensors without the square's rotations.
mod directional {
    use onsager_exact::{onsager_ln_z_anisotropic, onsager_ln_z_per_site};
    use onsager_models::Model;
    use onsager_tn::ctmrg::Ctmrg;
    use onsager_tn::ctmrg_directional::DirectionalCtmrg;
    use onsager_tn::initial::{free_boundary, site_tensor_2d, site_tensor_anisotropic, Insertion};

    fn ln_z(a: ndarray::ArrayD<f64>, chi: usize) -> f64 {
        let mut c = DirectionalCtmrg::new(a, chi);
        let r = c.converge(1e-13, 2000);
        assert!(r.converged, "{r:?}");
        c.ln_z_per_site()
    }

    /// Isotropic: Onsager's closed form, to the 1e-10 the issue asks off-critical.
    #[test]
    fn isotropic_equals_onsager() {
        for k in [0.3, 0.6] {
            let got = ln_z(site_tensor_2d(Model::Ising, k, 0.0, Insertion::None), 24);
            let exact = onsager_ln_z_per_site(k);
            assert!((got - exact).abs() < 1e-10 * exact, "K={k}: {got} vs {exact}");
        }
    }

    /// K_x ≠ K_y on both sides of the critical line sinh 2K_x sinh 2K_y = 1 (0.48 and 2.79):
    /// Onsager's anisotropic integral (onsager_ln_z_anisotropic).
    #[test]
    fn anisotropic_equals_onsager() {
        for (kx, ky) in [(0.2, 0.5), (0.5, 0.8)] {
            let got = ln_z(site_tensor_anisotropic(Model::Ising, kx, ky, 0.0, Insertion::None), 24);
            let exact = onsager_ln_z_anisotropic(kx, ky);
            assert!((got - exact).abs() < 1e-10 * exact, "K=({kx},{ky}): {got} vs {exact}");
        }
    }

    /// In a field the site tensor keeps the square symmetry, so the C4v CTMRG applies too: the
    /// two must agree (to their convergence, 1e-11) on lnZ/N and on the magnetization.
    #[test]
    fn field_agrees_with_c4v() {
        let (k, h) = (0.4, 0.05);
        let a = site_tensor_2d(Model::Ising, k, h, Insertion::None);
        let m = site_tensor_2d(Model::Ising, k, h, Insertion::Magnetization);
        let free = free_boundary(Model::Ising, k);
        let mut d = DirectionalCtmrg::with_boundary(a.clone(), 24, &free, &free);
        assert!(d.converge(1e-13, 2000).converged);
        let mut s = Ctmrg::new(a, 24);
        assert!(s.converge(1e-13, 20000).converged);
        assert!(
            (d.ln_z_per_site() - s.ln_z_per_site()).abs() < 1e-11,
            "{} vs {}",
            d.ln_z_per_site(),
            s.ln_z_per_site()
        );
        let (md, ms) = (d.expectation(&m), s.expectation(&m));
        assert!((md - ms).abs() < 1e-9 && md > 0.1, "{md} vs {ms}");
    }

    /// Ordered anisotropic couplings with a tiny field: the spontaneous magnetization of the
    /// anisotropic model (Onsager–Yang–Chang), m = [1 − (sinh 2K_x sinh 2K_y)^{−2}]^{1/8}.
    /// h = 1e-6 selects the state and shifts m by ~χ_m h ≪ 1e-6 (measured 0.98298218 vs 0.98298...).
    #[test]
    fn ordered_anisotropic_magnetization_equals_yang() {
        let (kx, ky, h) = (0.5, 0.8, 1e-6);
        let a = site_tensor_anisotropic(Model::Ising, kx, ky, h, Insertion::None);
        let mag = site_tensor_anisotropic(Model::Ising, kx, ky, h, Insertion::Magnetization);
        let mut d =
            DirectionalCtmrg::with_boundary(a, 24, &free_boundary(Model::Ising, kx), &free_boundary(Model::Ising, ky));
        assert!(d.converge(1e-13, 5000).converged);
        let yang = (1.0 - ((2.0 * kx).sinh() * (2.0 * ky).sinh()).powi(-2)).powf(0.125);
        let m = d.expectation(&mag);
        assert!((m - yang).abs() < 1e-5, "{m} vs {yang}");
    }

    /// In the disordered phase ⟨m⟩ = 0 by the spin flip; the free boundary keeps it to rounding
    /// (the all-ones edge of `new`, a boundary field in this basis, left 4e-7 at K = 0.3).
    #[test]
    fn free_boundary_keeps_the_symmetry() {
        let (kx, ky) = (0.3, 0.2);
        let a = site_tensor_anisotropic(Model::Ising, kx, ky, 0.0, Insertion::None);
        let mag = site_tensor_anisotropic(Model::Ising, kx, ky, 0.0, Insertion::Magnetization);
        let mut d =
            DirectionalCtmrg::with_boundary(a, 16, &free_boundary(Model::Ising, kx), &free_boundary(Model::Ising, ky));
        assert!(d.converge(1e-13, 2000).converged);
        let v = d.expectation(&mag);
        assert!(v.abs() < 1e-12, "⟨m⟩ = {v}");
    }
}
