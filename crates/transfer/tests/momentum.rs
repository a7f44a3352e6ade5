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
