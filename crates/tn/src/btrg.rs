//! Bond-weighted TRG (D. Adachi, T. Okubo, S. Todo, PRB 105, L060402 (2022)).
//!
//! TRG with a diagonal weight on every bond. Each SVD T = U s Vᵀ is split as
//! (U s^{(1−k)/2}) · s^k · (s^{(1−k)/2} Vᵀ): the pieces carry s^{(1−k)/2} and the new bond keeps
//! the weight s^k; the old bond weights sit on the four edges of the plaquette that is
//! contracted into the new tensor. k = −½ is the paper's optimum (same O(χ⁶) cost as TRG,
//! markedly smaller error).

use crate::contract::tensordot;
use crate::scheme::{CoarseGraining, StepInfo, Truncation};
use crate::trg::{closed_trace, normalize, split_pow};
use ndarray::ArrayD;

/// BTRG state: the site tensor (legs l, u, r, d) and the weights of the horizontal (l–r) and
/// vertical (u–d) bonds.
#[derive(Debug, Clone)]
pub struct Btrg {
    t: ArrayD<f64>,
    wh: Vec<f64>,
    wv: Vec<f64>,
    k: f64,
    norm0: f64,
}

/// The registry entry (Adachi, Okubo, Todo, PRB 105, L060402 (2022)), at k = −1/2.
pub const SCHEME: crate::scheme::Scheme = crate::scheme::Scheme {
    name: "btrg",
    about: "Bond-weighted TRG (k = −1/2): lnZ/N of the infinite 2D lattice",
    build: |s| Box::new(Btrg::new(s.tensor, -0.5)),
    peak_bytes: crate::trg::peak_bytes,
    capabilities: crate::scheme::Capabilities { spectrum: true, observables: false, three_d: false },
};

impl Btrg {
    /// Starts from a site tensor a\[l,u,r,d\] holding one site, unit bond weights, exponent `k`.
    pub fn new(mut a: ArrayD<f64>, k: f64) -> Self {
        let norm0 = normalize(&mut a);
        let d = a.shape()[0];
        Btrg { t: a, wh: vec![1.0; d], wv: vec![1.0; d], k, norm0 }
    }
}

/// Multiplies axis `axis` of `t` by the weights `w`.
fn scale_axis(t: &mut ArrayD<f64>, axis: usize, w: &[f64]) {
    for (i, mut lane) in t.axis_iter_mut(ndarray::Axis(axis)).enumerate() {
        lane.mapv_inplace(|x| x * w[i]);
    }
}

impl CoarseGraining for Btrg {
    fn name(&self) -> &'static str {
        "btrg"
    }

    fn initial(&self) -> (f64, f64) {
        (self.norm0, 1.0)
    }

    fn step(&mut self, trunc: &Truncation) -> StepInfo {
        let alpha = (1.0 - self.k) / 2.0;
        let (mut f1, mut f3, s1, e1) = split_pow(&self.t, trunc, alpha); // F1[l,u,a], F3[a,r,d]
        let perm = crate::contract::permute(&self.t, &[1, 2, 3, 0]);
        let (f2, f4, s2, e2) = split_pow(&perm, trunc, alpha); // F2[u,r,b], F4[b,d,l]
                                                               // old weights on the plaquette edges: TL.r, TL.d (on F3) and BR.l, BR.u (on F1)
        scale_axis(&mut f3, 1, &self.wh);
        scale_axis(&mut f3, 2, &self.wv);
        scale_axis(&mut f1, 0, &self.wh);
        scale_axis(&mut f1, 1, &self.wv);
        let x = tensordot(&f3, &[1], &f4, &[2]); // a,w,b,y
        let y = tensordot(&f1, &[0], &f2, &[1]); // y,c,w,d
        let mut t = tensordot(&x, &[1, 3], &y, &[2, 0]); // a,b,c,d
        let norm = normalize(&mut t);
        self.t = t;
        self.wh = s1.iter().map(|s| s.powf(self.k)).collect();
        self.wv = s2.iter().map(|s| s.powf(self.k)).collect();
        StepInfo { norm, merged: 2.0, truncation_error: e1.max(e2) }
    }

    fn trace(&self) -> f64 {
        closed_trace(&self.t, Some((&self.wh, &self.wv)))
    }
    fn site_tensor(&self) -> Option<ArrayD<f64>> {
        // each bond weight once: on the left and the up leg of every site
        let mut t = self.t.clone();
        t.indexed_iter_mut().for_each(|(ix, v)| *v *= self.wh[ix[0]] * self.wv[ix[1]]);
        Some(t)
    }
}
