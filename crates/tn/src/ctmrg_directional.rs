//! Directional CTMRG for site tensors without the square symmetry (anisotropic couplings,
//! fields, any real a\[l,u,r,d\]): four corners and four edges, one move per direction
//! (R. Orús, G. Vidal, PRB 80, 094403 (2009); projectors from the full 2 × 2 environment,
//! P. Corboz, T. M. Rice, M. Troyer, PRL 113, 046402 (2014)).
//!
//! Labels go clockwise: C₁ T₁ C₂ T₂ C₃ T₃ C₄ T₄ (top-left corner, top edge, ...). Every edge is
//! T_k\[α, s, β\] with α towards the corner before it and β towards the corner after it, s into
//! the lattice (T₁ meets the u leg, T₂ r, T₃ d, T₄ l); every corner C_k\[α, β\] with α towards
//! T_{k−1} and β towards T_k. In these labels the four directions look alike, so only the left
//! move is written: it absorbs a column into C₁, T₄, C₄; the labels and the site tensor are then
//! rotated by a quarter turn and the move repeats, four times per iteration.
//!
//! Left move: with the enlarged corners Q_k (C_k with its two edges and one a), the upper half
//! A = Q₁Q₂ and the lower half B = (Q₃Q₄)ᵀ share the cut of the left column. From the SVD
//! Aᵀ B = U S Vᵀ (the full environment, rank χ kept) the projectors P₁ = B V S^{−1/2} and
//! P₂ = A U S^{−1/2} make Aᵀ P₁ P₂ᵀ B the rank-χ truncation of Aᵀ B.
//!
//! Free energy per site: κ = Z₁ Z₀ / (Z_h Z_v), with Z₁ the ring of all eight around one a,
//! Z₀ the four corners, Z_h the ring without T₂, T₄ and a, Z_v the ring without T₁, T₃ and a.

use crate::contract::{permute, tensordot};
use crate::ctmrg::spectrum_change;
use faer::Mat;
use ndarray::{ArrayD, IxDyn};
use onsager_linalg::OrFail;

/// The directional CTMRG environment of one site tensor.
#[derive(Debug, Clone)]
pub struct DirectionalCtmrg {
    /// a, and a turned by one, two and three quarter turns (a′[l,u,r,d] = a\[u,r,d,l\])
    a: [ArrayD<f64>; 4],
    c: [ArrayD<f64>; 4],
    t: [ArrayD<f64>; 4],
    chi: usize,
}

/// Result of [`DirectionalCtmrg::converge`].
#[derive(Debug, Clone, Copy)]
pub struct DirectionalRecord {
    /// iterations done (one iteration = four moves)
    pub iterations: usize,
    /// whether the stated criterion was met
    pub converged: bool,
    /// last change of the normalised spectrum of the corner ring C₁C₂C₃C₄
    pub spectrum_change: f64,
    /// largest discarded weight of the last iteration, Σ_dropped s / Σ s
    pub truncation_error: f64,
}

fn normalize(t: &mut ArrayD<f64>) {
    let m = t.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if m > 0.0 {
        t.mapv_inplace(|x| x / m);
    }
}

fn mat(t: &ArrayD<f64>, rows: usize) -> Mat<f64> {
    let cols = t.len() / rows;
    let s = t.as_standard_layout();
    let s = s.as_slice().expect("standard");
    Mat::from_fn(rows, cols, |r, c| s[r * cols + c])
}

fn arr(m: &Mat<f64>, shape: &[usize]) -> ArrayD<f64> {
    let cols = m.ncols();
    let data = (0..m.nrows() * cols).map(|f| m[(f / cols, f % cols)]).collect();
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("shape matches")
}

/// Q[(e, b.d), (c, b.r)] = Σ C\[x,y\] T_k\[y,s₁,c\] T_prev\[e,s₀,x\] b\[s₀,s₁,r,d\]: the corner C with the
/// edge before it, the edge after it and the site tensor b (turned so T_prev meets its l leg).
fn enlarged(c: &ArrayD<f64>, tp: &ArrayD<f64>, tk: &ArrayD<f64>, b: &ArrayD<f64>) -> Mat<f64> {
    let ct = tensordot(c, &[1], tk, &[0]); // x, s1, c
    let tct = tensordot(tp, &[2], &ct, &[0]); // e, s0, s1, c
    let q = tensordot(&tct, &[1, 2], b, &[0, 1]); // e, c, r, d
    let q = permute(&q, &[0, 3, 1, 2]); // (e,d), (c,r)
    let rows = q.shape()[0] * q.shape()[1];
    mat(&q, rows)
}

impl DirectionalCtmrg {
    /// Starts from a site tensor a\[l,u,r,d\]; the edges start as the all-ones vector of their bond,
    /// which in a split-factor basis is some boundary field. Prefer [`Self::with_boundary`].
    pub fn new(a: ArrayD<f64>, chi: usize) -> Self {
        let (dl, du) = (a.shape()[0], a.shape()[1]);
        Self::with_boundary(a, chi, &vec![1.0; dl], &vec![1.0; du])
    }

    /// Starts with the boundary vectors `horizontal` (on the l, r bonds: edges T₂, T₄) and
    /// `vertical` (u, d bonds: T₁, T₃). For a free boundary use Σ_σ M\[σ, k\] of each direction's
    /// split factor: in the disordered phase a boundary that breaks the symmetry decays only as
    /// e^{−n/ξ} in the odd sector, which the corner spectrum barely sees (a stray ⟨m⟩ ≈ 4e-7 after
    /// 25 iterations at K = 0.3), so the boundary should respect the symmetry.
    pub fn with_boundary(a: ArrayD<f64>, chi: usize, horizontal: &[f64], vertical: &[f64]) -> Self {
        let a1 = permute(&a, &[1, 2, 3, 0]);
        let a2 = permute(&a1, &[1, 2, 3, 0]);
        let a3 = permute(&a2, &[1, 2, 3, 0]);
        let one = ArrayD::ones(IxDyn(&[1, 1]));
        let edge = |v: &[f64]| ArrayD::from_shape_fn(IxDyn(&[1, v.len(), 1]), |ix| v[ix[1]]);
        DirectionalCtmrg {
            a: [a, a1, a2, a3],
            c: [one.clone(), one.clone(), one.clone(), one],
            // T₁ meets u, T₂ r, T₃ d, T₄ l
            t: [edge(vertical), edge(horizontal), edge(vertical), edge(horizontal)],
            chi,
        }
    }

    /// Rotates labels by a quarter turn: C_k ← C_{k+1}, T_k ← T_{k+1}, a ← a turned.
    fn turn(&mut self) {
        self.c.rotate_left(1);
        self.t.rotate_left(1);
        self.a.rotate_left(1);
    }

    /// The left move (see the module docs); returns the discarded weight.
    fn left_move(&mut self) -> f64 {
        let [c1, c2, c3, c4] = &self.c;
        let [t1, t2, t3, t4] = &self.t;
        let q1 = enlarged(c1, t4, t1, &self.a[0]);
        let q2 = enlarged(c2, t1, t2, &self.a[1]);
        let q3 = enlarged(c3, t2, t3, &self.a[2]);
        let q4 = enlarged(c4, t3, t4, &self.a[3]);
        let a_half = &q1 * &q2; // [Q₁.bottom, Q₂.bottom]
        let b_half = (&q3 * &q4).transpose().to_owned(); // [Q₄.top, Q₃.top]
        let n = a_half.transpose() * &b_half;
        let svd = n.thin_svd().or_fail("the projector SVD of directional CTMRG");
        let s: Vec<f64> = (0..svd.S().dim()).map(|i| svd.S()[i]).collect();
        let smax = s.first().copied().unwrap_or(0.0);
        let keep = s.iter().take(self.chi).filter(|&&x| x > 1e-12 * smax).count().max(1);
        let total: f64 = s.iter().sum();
        let dropped: f64 = s[keep..].iter().sum();
        let inv: Vec<f64> = s[..keep].iter().map(|x| 1.0 / x.sqrt()).collect();
        let (u, v) = (svd.U(), svd.V());
        let us = Mat::from_fn(u.nrows(), keep, |r, c| u[(r, c)] * inv[c]);
        let vs = Mat::from_fn(v.nrows(), keep, |r, c| v[(r, c)] * inv[c]);
        let p1 = &b_half * &vs; // on the upper element's down leg (edge χ, d)
        let p2 = &a_half * &us; // on the lower element's up leg
        let (chi4, d) = (t4.shape()[0], self.a[0].shape()[3]);
        let p1 = arr(&p1, &[chi4, d, keep]);
        let p2 = arr(&p2, &[t4.shape()[2], self.a[0].shape()[1], keep]);
        // C₁′[k, β] = Σ P₁[(x,s),k] C₁[x,y] T₁[y,s,β]
        let c1t1 = tensordot(c1, &[1], t1, &[0]); // x, s, β
        let mut nc1 = tensordot(&p1, &[0, 1], &c1t1, &[0, 1]); // k, β
                                                               // T₄′[k_dn, r, k_up] = Σ P₁[(e,d),k_dn] P₂[(x,u),k_up] T₄[e,s,x] a[s,u,r,d]
        let t4a = tensordot(t4, &[1], &self.a[0], &[0]); // e, x, u, r, d
        let x = tensordot(&p1, &[0, 1], &t4a, &[0, 4]); // k_dn, x, u, r
        let mut nt4 = tensordot(&x, &[1, 2], &p2, &[0, 1]); // k_dn, r, k_up
                                                            // C₄′[α, k] = Σ P₂[(y,s),k] C₄[x,y] T₃[α,s,x]
        let t3c4 = tensordot(t3, &[2], c4, &[0]); // α, s, y
        let mut nc4 = tensordot(&t3c4, &[2, 1], &p2, &[0, 1]); // α, k
        normalize(&mut nc1);
        normalize(&mut nt4);
        normalize(&mut nc4);
        self.c[0] = nc1;
        self.t[3] = nt4;
        self.c[3] = nc4;
        if total > 0.0 {
            dropped / total
        } else {
            0.0
        }
    }

    /// One iteration: a move in each of the four directions; returns the largest discarded weight.
    pub fn iterate(&mut self) -> f64 {
        let mut err: f64 = 0.0;
        for _ in 0..4 {
            err = err.max(self.left_move());
            self.turn();
        }
        err
    }

    /// Normalised moduli of the eigenvalues of the corner ring C₁C₂C₃C₄, descending. The oblique
    /// projectors fix each corner only up to an invertible change of basis on its legs, which
    /// moves the corners' singular values but not the spectrum of the ring (a similarity).
    fn spectrum(&self) -> Vec<f64> {
        let [c1, c2, c3, c4] = &self.c;
        let n = c1.shape()[0];
        let ring = mat(c1, n) * mat(c2, c2.shape()[0]) * mat(c3, c3.shape()[0]) * mat(c4, c4.shape()[0]);
        let mut s = onsager_linalg::eig_moduli(ring.as_ref()).or_fail("the corner-ring eigensolver");
        s.sort_by(|a, b| b.total_cmp(a));
        let sum: f64 = s.iter().sum();
        s.iter().map(|x| x / sum).collect()
    }

    /// Iterates until the normalised spectrum of the corner ring changes by less than `tol`
    /// (max abs difference) in one iteration, at most `max_iter` iterations.
    pub fn converge(&mut self, tol: f64, max_iter: usize) -> DirectionalRecord {
        self.converge_until(&crate::Stop::tolerance(tol, max_iter))
    }

    /// Iterates until `stop` says so; the change it sees is that of the corner ring's normalised
    /// spectrum in one iteration.
    pub fn converge_until(&mut self, stop: &crate::Stop) -> DirectionalRecord {
        let mut prev = self.spectrum();
        let (mut change, mut err, mut it) = (f64::INFINITY, 0.0, 0);
        while !stop.done(it, change) {
            err = self.iterate();
            it += 1;
            let s = self.spectrum();
            change = spectrum_change(&s, &prev);
            prev = s;
        }
        DirectionalRecord {
            iterations: it,
            converged: stop.converged(it, change),
            spectrum_change: change,
            truncation_error: err,
        }
    }

    /// The eight environment tensors closed around one site tensor b (a, or a with an impurity).
    pub fn closed(&self, b: &ArrayD<f64>) -> f64 {
        let [c1, c2, c3, c4] = &self.c;
        let [t1, t2, t3, t4] = &self.t;
        let top = tensordot(&tensordot(c1, &[1], t1, &[0]), &[2], c2, &[0]); // x4, u, y2
        let bot = tensordot(&tensordot(c3, &[1], t3, &[0]), &[2], c4, &[0]); // y2', d, x4'
        let x = tensordot(&top, &[2], t2, &[0]); // x4, u, r, y2'
        let x = tensordot(&x, &[3], &bot, &[0]); // x4, u, r, d, x4'
        let x = tensordot(&x, &[4, 0], t4, &[0, 2]); // u, r, d, l
        tensordot(&x, &[3, 0, 1, 2], b, &[0, 1, 2, 3]).iter().sum()
    }

    /// lnZ/N = ln(Z₁ Z₀ / (Z_h Z_v)).
    pub fn ln_z_per_site(&self) -> f64 {
        let [c1, c2, c3, c4] = &self.c;
        let [t1, t2, t3, t4] = &self.t;
        // Z₀ = Tr(C₁ C₂ C₃ C₄): each corner's β leg meets the next corner's α leg
        let c12 = tensordot(c1, &[1], c2, &[0]);
        let c34 = tensordot(c3, &[1], c4, &[0]);
        let z0: f64 = tensordot(&c12, &[0, 1], &c34, &[1, 0]).iter().sum();
        // Z_h: C₁ T₁ C₂ C₃ T₃ C₄ with the s legs of T₁ and T₃ joined
        let top = tensordot(&tensordot(c1, &[1], t1, &[0]), &[2], c2, &[0]); // x4, s, y2
        let bot = tensordot(&tensordot(c3, &[1], t3, &[0]), &[2], c4, &[0]); // y2, s, x4
        let zh: f64 = tensordot(&top, &[0, 1, 2], &bot, &[2, 1, 0]).iter().sum();
        // Z_v: C₂ T₂ C₃ C₄ T₄ C₁ with the s legs of T₂ and T₄ joined
        let right = tensordot(&tensordot(c2, &[1], t2, &[0]), &[2], c3, &[0]); // x1, s, x3
        let left = tensordot(&tensordot(c4, &[1], t4, &[0]), &[2], c1, &[0]); // x3, s, x1
        let zv: f64 = tensordot(&right, &[0, 1, 2], &left, &[2, 1, 0]).iter().sum();
        (self.closed(&self.a[0]) * z0 / (zh * zv)).abs().ln()
    }

    /// ⟨b⟩ = Z₁(b)/Z₁(a) for an impurity tensor b.
    pub fn expectation(&self, b: &ArrayD<f64>) -> f64 {
        self.closed(b) / self.closed(&self.a[0])
    }
}
