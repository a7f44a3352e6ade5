//! Higher-order TRG in 2D (Z. Y. Xie et al., PRB 86, 045139 (2012)).
//!
//! Two tensors stacked along the vertical bond are merged; the doubled horizontal legs are
//! compressed by the isometry from the eigenvectors of the environment M Mᵀ (higher-order SVD),
//! on whichever side (left or right) discards less. The lattice is then rotated by 90° so the
//! next step merges along the other axis. Cost O(χ⁷); after 2n steps one tensor holds a
//! 2ⁿ × 2ⁿ torus.

use crate::contract::{eigh_desc, permute, tensordot};
use crate::scheme::{CoarseGraining, StepInfo, Truncation};
use crate::trg::{closed_trace, normalize};
use faer::Mat;
use ndarray::{ArrayD, IxDyn};

/// HOTRG state: the current tensor, legs (l, u, r, d), and impurity tensors carried along.
#[derive(Debug, Clone)]
pub struct Hotrg {
    t: ArrayD<f64>,
    norm0: f64,
    /// impurity tensors: the block with one insertion, averaged over its positions
    imps: Vec<ArrayD<f64>>,
}

impl Hotrg {
    /// Starts from a site tensor a[l,u,r,d] holding one site.
    pub fn new(mut a: ArrayD<f64>) -> Self {
        let norm0 = normalize(&mut a);
        Hotrg { t: a, norm0, imps: vec![] }
    }

    /// Starts from a site tensor and impurity tensors b_i (a with an operator inserted, e.g.
    /// `initial::site_tensor_2d(.., Insertion::Magnetization)`). Each step merges the impurity
    /// with a pure tensor in both orders, ½(F(b, a) + F(a, b)), with the pure tensor's isometry
    /// and norm, so Tr b / Tr a stays the expectation value ⟨O⟩ of the block (translation average).
    pub fn with_impurities(a: ArrayD<f64>, imps: Vec<ArrayD<f64>>) -> Self {
        let mut h = Hotrg::new(a);
        h.imps = imps.into_iter().map(|b| b.mapv(|x| x / h.norm0)).collect();
        h
    }
}

/// Merges `a` (first) and `b` (second) along the vertical bond and compresses the doubled
/// horizontal legs with `u`; returns the new tensor rotated by 90° (legs l, u, r, d).
fn merge(u: &ArrayD<f64>, a: &ArrayD<f64>, b: &ArrayD<f64>) -> ArrayD<f64> {
    let x = tensordot(u, &[0], a, &[0]); // l2,a,u,r1,k
    let y = tensordot(&x, &[0, 4], b, &[0, 1]); // a,u,r1,r2,d
    let tn = tensordot(&y, &[2, 3], u, &[0, 1]); // a,u,d,b
    let tn = permute(&tn, &[0, 1, 3, 2]); // l,u,r,d
    permute(&tn, &[1, 2, 3, 0]) // rotate by 90°
}

/// Environment of the doubled left (or right) legs: E[(x1,x2),(x1',x2')].
fn environment(t: &ArrayD<f64>, left: bool) -> Mat<f64> {
    let d = t.shape()[0];
    let (a, b) = if left {
        (tensordot(t, &[1, 2], t, &[1, 2]), tensordot(t, &[2, 3], t, &[2, 3])) // (l1,k,l1',k'), (l2,k,l2',k')
    } else {
        (tensordot(t, &[0, 1], t, &[0, 1]), permute(&tensordot(t, &[0, 3], t, &[0, 3]), &[1, 0, 3, 2]))
        // (r1,k,..), (r2,k,..)
    };
    let e = tensordot(&a, &[1, 3], &b, &[1, 3]); // x1,x1',x2,x2'
    let e = permute(&e, &[0, 2, 1, 3]);
    Mat::from_fn(d * d, d * d, |i, j| {
        0.5 * (e[[i / d, i % d, j / d, j % d].as_ref()] + e[[j / d, j % d, i / d, i % d].as_ref()])
    })
}

impl CoarseGraining for Hotrg {
    fn name(&self) -> &'static str {
        "hotrg"
    }

    fn initial(&self) -> (f64, f64) {
        (self.norm0, 1.0)
    }

    fn step(&mut self, trunc: &Truncation) -> StepInfo {
        let d = self.t.shape()[0];
        let k = trunc.chi.min(d * d);
        // E is symmetric positive semi-definite: its top-k eigenpairs are its top-k singular
        // triplets, so the randomized partial SVD serves when k ≪ d² (as in TRG)
        let pick = |left: bool| {
            let e = environment(&self.t, left);
            let total: f64 = (0..d * d).map(|i| e[(i, i)]).sum();
            let (v, w) = if 4 * k < d * d {
                let (u, s, _) = onsager_linalg::randomized_svd(e.as_ref(), k, k, 3);
                (u, s)
            } else {
                let (w, v) = eigh_desc(&e);
                (v, w.into_iter().map(|x| x.max(0.0)).collect())
            };
            let kept: f64 = w[..k].iter().sum();
            (v, if total > 0.0 { ((total - kept) / total).max(0.0) } else { 0.0 })
        };
        let ((vl, el), (vr, er)) = (pick(true), pick(false));
        let (v, err) = if el <= er { (vl, el) } else { (vr, er) };
        let u = ArrayD::from_shape_fn(IxDyn(&[d, d, k]), |ix| v[(ix[0] * d + ix[1], ix[2])]);
        let mut t = merge(&u, &self.t, &self.t);
        let norm = normalize(&mut t);
        let imps: Vec<ArrayD<f64>> = self
            .imps
            .iter()
            .map(|b| {
                let mut m = merge(&u, b, &self.t);
                m.zip_mut_with(&merge(&u, &self.t, b), |x, y| *x = 0.5 * (*x + y) / norm);
                m
            })
            .collect();
        self.imps = imps;
        self.t = t;
        StepInfo { norm, merged: 2.0, truncation_error: err }
    }

    fn trace(&self) -> f64 {
        closed_trace(&self.t, None)
    }
    /// Two tensors stacked along the vertical bond (the next merge), each closed horizontally
    /// on itself and the pair closed vertically: Σ_{u,d} M[u,d] M[d,u] with M[u,d] = Σ_l t[l,u,l,d].
    fn pair_trace(&self) -> Option<f64> {
        let (dh, dv) = (self.t.shape()[0], self.t.shape()[1]);
        let m: Vec<f64> =
            (0..dv * dv).map(|x| (0..dh).map(|l| self.t[[l, x / dv, l, x % dv].as_ref()]).sum()).collect();
        Some((0..dv * dv).map(|x| m[x] * m[(x % dv) * dv + x / dv]).sum())
    }
    fn site_tensor(&self) -> Option<ArrayD<f64>> {
        Some(self.t.clone())
    }
    /// ⟨O_i⟩ = Tr b_i / Tr a for each impurity, on the torus the current tensor closes.
    fn expectations(&self) -> Vec<f64> {
        let z = closed_trace(&self.t, None);
        self.imps.iter().map(|b| closed_trace(b, None) / z).collect()
    }
}
