//! 3D HOTRG against brute-force enumeration of small tori, and the Z₂ blocks against the dense
//! contraction.

use onsager_exact::enumerate_ln_z;
use onsager_models::{Model, Torus};
use onsager_tn::hotrg3d::Hotrg3d;
use onsager_tn::initial::{leg_parity, site_tensor_3d};
use onsager_tn::{run, Stop, Truncation};

fn hotrg3d_ln_z(k: f64, chi: usize, steps: usize, symmetric: bool) -> f64 {
    let a = site_tensor_3d(Model::Ising, k, 0.0);
    let p = if symmetric { leg_parity(Model::Ising, k, 0.0) } else { None };
    let mut s = Hotrg3d::new(a, p);
    assert_eq!(s.symmetric(), symmetric);
    run(&mut s, &Truncation::chi(chi), &Stop::MaxSteps(steps), &mut |_, _| {}).ln_z_per_site
}

/// Steps z, x, y, ... double the torus along z, then x, then y: 1, 2 and 3 steps make the
/// (x, y, z) tori (1, 1, 2), (2, 1, 2) and (2, 2, 2) (a side of 1 bonds a site to itself).
/// With χ = 16 nothing before the last step is truncated, and the last step is closed exactly
/// (pair closure), so the result is the exact lnZ/N (rounding only). The fourth step would be
/// a full χ = 16 step (minutes), so larger tori are left to the CLI.
#[test]
fn small_tori_equal_enumeration() {
    for k in [0.1, 0.221654626, 0.4] {
        for (steps, dims) in [(1, [1, 1, 2]), (2, [2, 1, 2]), (3, [2, 2, 2])] {
            let torus = Torus::new(&dims).unwrap();
            let exact = enumerate_ln_z(Model::Ising, &torus, &vec![k; torus.bonds()]).unwrap() / torus.sites() as f64;
            for sym in [true, false] {
                let got = hotrg3d_ln_z(k, 16, steps, sym);
                assert!((got - exact).abs() < 1e-13 * exact, "K={k} {dims:?} sym={sym}: {got} vs {exact}");
            }
        }
    }
}

/// The Z₂ block contraction and the dense one are the same arithmetic up to rounding: at a
/// truncating χ the two runs agree to rounding amplified over the steps (and near-degenerate
/// isometry choices), far below the truncation error (~1e-4 at χ = 6).
#[test]
fn blocks_equal_dense() {
    let k = 0.221654626;
    let (a, b) = (hotrg3d_ln_z(k, 6, 12, true), hotrg3d_ln_z(k, 6, 12, false));
    assert!((a - b).abs() < 1e-10, "{a} vs {b}");
}

/// A budget too small for more than one z slice of P and of Q at a time (as at χ = 16, where
/// Q is rebuilt for every block of P) must give the same numbers as the single-block run.
#[test]
fn sliced_blocks_equal_one_block() {
    let k = 0.221654626;
    let run_with = |budget: Option<usize>| {
        let a = site_tensor_3d(Model::Ising, k, 0.0);
        let mut s = Hotrg3d::new(a, leg_parity(Model::Ising, k, 0.0));
        if let Some(b) = budget {
            s = s.with_budget(b);
        }
        run(&mut s, &Truncation::chi(6), &Stop::MaxSteps(10), &mut |_, _| {}).ln_z_per_site
    };
    let (one, sliced) = (run_with(None), run_with(Some(1)));
    assert!((one - sliced).abs() < 1e-13, "{one} vs {sliced}");
}
