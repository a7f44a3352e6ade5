//! The momentum-space route for R, A, B against the streamed real-space route and the stored
//! slices (both checked against the transfer matrix and enumeration in tests/free_fermion.rs).

use onsager_transfer::free_fermion::FreeFermion;
use onsager_transfer::geometry::curvature_from_slices;
use onsager_transfer::momentum::NoCheckpoint;
use onsager_transfer::streaming::Alone;

const KC: f64 = 0.44068679350977147; // ln(1+√2)/2, shared/physics.md

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn momentum_route_equals_the_stored_slices_on_small_tori() {
    // curvature_from_slices holds every entry of T (O(N²) memory): exact to rounding
    for &(lx, ly, k) in &[(3, 3, KC), (4, 4, KC), (5, 5, 0.3), (4, 6, KC), (6, 6, 0.7), (5, 3, 0.5)] {
        let ff = FreeFermion::new(lx, ly, k, k).unwrap();
        let want = curvature_from_slices(&ff.slices());
        let got = ff.curvature_momentum(&|| {}, &Alone, &NoCheckpoint).unwrap();
        let c = got.curvature;
        eprintln!(
            "{lx}x{ly} K={k}: R {} vs {} ({:e}), A {} vs {}, B {} vs {}",
            c.r,
            want.r,
            rel(c.r, want.r),
            c.a,
            want.a,
            c.b,
            want.b
        );
        assert!(rel(c.r, want.r) < 1e-11, "{lx}x{ly} K={k}: R {} vs {}", c.r, want.r);
        assert!(rel(c.a, want.a) < 1e-11 && rel(c.b, want.b) < 1e-11, "{lx}x{ly} K={k}: A, B");
    }
}

#[test]
fn bulk_quadrature_is_one_sector_exactly_and_converges_to_the_infinite_lattice() {
    // the one-sector grid through the momentum route equals its own stored slices (every entry
    // of T held), as the four-sector torus does above
    for &(m, k) in &[(4, 0.3), (6, 0.7), (5, KC)] {
        let ff = FreeFermion::bulk(m, k, k).unwrap();
        let want = curvature_from_slices(&ff.slices());
        let c = ff.curvature_momentum(&|| {}, &Alone, &NoCheckpoint).unwrap().curvature;
        assert!(rel(c.r, want.r) < 1e-11, "M = {m} K = {k}: R {} vs {}", c.r, want.r);
        assert!(rel(c.a, want.a) < 1e-11 && rel(c.b, want.b) < 1e-11, "M = {m} K = {k}: A, B");
    }
    // off K_c the midpoint rule converges exponentially: ln Z/N to Onsager's closed form
    // (onsager_exact, the integral of shared/physics.md) and R/N to the large torus
    for &k in &[0.3, 0.6] {
        let per_site = |m: usize| {
            let ff = FreeFermion::bulk(m, k, k).unwrap();
            let c = ff.curvature_momentum(&|| {}, &Alone, &NoCheckpoint).unwrap().curvature;
            (ff.ln_z() / (m * m) as f64, c.r / (m * m) as f64)
        };
        let onsager = onsager_exact::onsager_ln_z_per_site(k);
        let (lnz32, r32) = per_site(32);
        let (lnz48, r48) = per_site(48);
        let torus = FreeFermion::new(40, 40, k, k).unwrap();
        let rt = torus.curvature_momentum(&|| {}, &Alone, &NoCheckpoint).unwrap().curvature.r / 1600.0;
        eprintln!(
            "K = {k}: ln Z/N − Onsager {:e} (M = 32), {:e} (M = 48); R/N {r32} (32), {r48} (48); torus 40x40 {rt}",
            lnz32 - onsager,
            lnz48 - onsager
        );
        // measured: 1.1e-16 and 1.8e-15 at M = 48 (5.9e-12 and 3.2e-11 at M = 32: converging)
        assert!((lnz48 - onsager).abs() < 1e-14, "K = {k}: ln Z/N {lnz48} vs Onsager {onsager}");
        assert!((lnz32 - onsager).abs() > (lnz48 - onsager).abs(), "K = {k}: ln Z/N does not converge");
        // two approximations of one limit, both exponentially close to it (measured 3.5e-9 and
        // 2.1e-9; M = 32 is still 5e-7 away, so this cannot pass by accident)
        assert!(rel(rt, r48) < 1e-8, "K = {k}: R/N torus 40x40 {rt} vs bulk M = 48 {r48}");
        assert!(rel(r32, r48) > 1e-8, "K = {k}: the M = 32 grid is expected to be visibly coarse");
    }
}

#[test]
fn every_sector_alone_is_a_quadrature_of_the_same_infinite_lattice() {
    // K − K_c = +0.16 (ordered, ξ ≈ 1.5): each of the four sectors alone, a Gaussian of weight 1,
    // is the midpoint or trapezoidal rule of the same Brillouin-zone integrals on grids offset by
    // its twist, so all four give the infinite lattice's R/N at L = 64 (measured spread 5.9e-14
    // relative; at L = 48 still 3e-10, so the size is not an accident). This checks the
    // propagator tables of the periodic sectors the way the bulk checks the antiperiodic one.
    use onsager_exact::kasteleyn::Sector;
    let k = KC + 0.16;
    let r: Vec<f64> = Sector::ALL
        .iter()
        .map(|&s| {
            let ff = FreeFermion::one_sector(64, k, k, s).unwrap();
            ff.curvature_momentum(&|| {}, &Alone, &NoCheckpoint).unwrap().curvature.r / 4096.0
        })
        .collect();
    for (s, x) in Sector::ALL.iter().zip(&r) {
        assert!(rel(*x, r[3]) < 1e-12, "{s:?}: R/N {x} vs antiperiodic {}", r[3]);
    }
    // the torus (four sectors mixed, the periodic–periodic one completed) is the same limit at
    // L/ξ ≈ 40: measured 2.2e-12 relative. Before the sector means were taken as differences and
    // ln Pf summed with compensation it was 1.3e-10 (L = 64) and 2e-10 (L = 96), with 13 digits
    // claimed.
    let torus = FreeFermion::new(64, 64, k, k).unwrap();
    let rt = torus.curvature_momentum(&|| {}, &Alone, &NoCheckpoint).unwrap().curvature.r / 4096.0;
    assert!(rel(rt, r[3]) < 1e-11, "torus R/N {rt} vs one sector {}", r[3]);
}
