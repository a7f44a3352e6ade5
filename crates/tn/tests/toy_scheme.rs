//! A scheme defined outside the crate plugs into the shared driver (docs/adding-a-scheme.md).
//!
//! The toy: decoupled spins in a field (K = 0). Every tensor is the 1 × 1 × 1 × 1 number
//! w = 2 cosh h, and merging two tensors multiplies them, so the driver must return
//! lnZ/N = ln(2 cosh h) exactly, whatever the number of steps.

use ndarray::{ArrayD, IxDyn};
use onsager_tn::{run, CoarseGraining, StepInfo, Stop, Truncation};

struct Squaring {
    w: f64,
    norm0: f64,
    seen: usize,
}

impl CoarseGraining for Squaring {
    fn name(&self) -> &'static str {
        "squaring"
    }
    fn initial(&self) -> (f64, f64) {
        (self.norm0, 1.0)
    }
    fn step(&mut self, _trunc: &Truncation) -> StepInfo {
        self.seen += 1;
        let t = self.w * self.w;
        // divide by something other than t, so that both the norm and the trace carry weight
        let norm = t / 3.0;
        self.w = t / norm;
        StepInfo { norm, merged: 2.0, truncation_error: 0.0 }
    }
    fn trace(&self) -> f64 {
        self.w
    }
}

#[test]
fn toy_scheme_through_the_driver() {
    let h: f64 = 0.37;
    let a = ArrayD::from_elem(IxDyn(&[1, 1, 1, 1]), 2.0 * h.cosh());
    let norm0 = a[[0, 0, 0, 0].as_ref()] / 5.0;
    let mut s = Squaring { w: 5.0, norm0, seen: 0 };
    let mut observed = 0;
    let r =
        run(&mut s, &Truncation::chi(1), &Stop::Any(vec![Stop::MaxSteps(12), Stop::Converged(0.0)]), &mut |_, _| {
            observed += 1
        });
    assert_eq!((r.steps, s.seen, observed), (12, 12, 12));
    assert_eq!(r.sites_per_tensor, 4096.0);
    assert!((r.ln_z_per_site - (2.0 * h.cosh()).ln()).abs() < 1e-15, "{}", r.ln_z_per_site);
}
