//! Corner transfer matrix renormalization group, C4v-symmetric form
//! (T. Nishino, K. Okunishi, JPSJ 65, 891 (1996); R. Orús, G. Vidal, PRB 80, 094403 (2009)).
//!
//! For a site tensor with the full square symmetry, one corner C (χ × χ, symmetric) and one
//! edge E\[i,s,j\] describe the environment. An iteration absorbs one row and column:
//! the enlarged corner M = C E E a (a χd × χd symmetric matrix) is diagonalised and its χ
//! dominant eigenvectors P renormalise C ← Pᵀ M P and E ← Pᵀ (E a) P.
//!
//! Free energy per site: κ = Z₁ Z₄ / Z₂² with Z₁ the environment closed around one site,
//! Z₄ = Tr C⁴ and Z₂ the ring of four corners and two edges; lnZ/N = ln κ.
//! Convergence criterion (stated): the normalised corner spectrum changes by less than `tol`
//! (max abs difference) between consecutive iterations, checked every iteration.

use crate::contract::{eigh_desc, permute, tensordot};
use crate::Stop;
use faer::Mat;
use ndarray::{ArrayD, IxDyn};

/// CTMRG environment.
#[derive(Debug, Clone)]
pub struct Ctmrg {
    a: ArrayD<f64>,
    c: ArrayD<f64>,
    e: ArrayD<f64>,
    chi: usize,
}

/// Result of [`Ctmrg::converge`].
#[derive(Debug, Clone, Copy)]
pub struct CtmrgRecord {
    /// iterations done
    pub iterations: usize,
    /// whether the stated criterion was met (else the cap was hit)
    pub converged: bool,
    /// last change of the normalised corner spectrum
    pub spectrum_change: f64,
    /// largest discarded weight of the last projector, Σ_dropped |w| / Σ |w|
    pub truncation_error: f64,
}

/// max |s_i − t_i| of two normalised spectra; ∞ when their lengths differ (χ still growing).
pub(crate) fn spectrum_change(s: &[f64], t: &[f64]) -> f64 {
    if s.len() == t.len() {
        s.iter().zip(t).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
    } else {
        f64::INFINITY
    }
}

fn max_abs(t: &ArrayD<f64>) -> f64 {
    t.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

impl Ctmrg {
    /// Starts from a C4v-symmetric site tensor a\[l,u,r,d\] with an open (summed) boundary.
    pub fn new(a: ArrayD<f64>, chi: usize) -> Self {
        let d = a.shape()[0];
        Ctmrg { a, c: ArrayD::ones(IxDyn(&[1, 1])), e: ArrayD::ones(IxDyn(&[1, d, 1])), chi }
    }

    /// Starts with the boundary spins fixed: `boundary\[k\]` is the bond vector of the fixed
    /// boundary state (e.g. row σ = 0 of the split factor M), which selects one ordered phase
    /// below T_c, so that the magnetization impurity measures the spontaneous magnetization.
    pub fn with_boundary(a: ArrayD<f64>, chi: usize, boundary: &[f64]) -> Self {
        let d = a.shape()[0];
        let e = ArrayD::from_shape_fn(IxDyn(&[1, d, 1]), |ix| boundary[ix[1]]);
        Ctmrg { a, c: ArrayD::ones(IxDyn(&[1, 1])), e, chi }
    }

    /// An environment from its parts: a\[l,u,r,d\], corner C (χ' × χ', symmetric) and edge E\[i,s,j\]
    /// (symmetric in i ↔ j), for methods that reach the fixed point another way.
    pub(crate) fn from_parts(a: ArrayD<f64>, c: ArrayD<f64>, e: ArrayD<f64>, chi: usize) -> Self {
        Ctmrg { a, c, e, chi }
    }

    /// (a, C, E).
    pub(crate) fn parts(&self) -> (&ArrayD<f64>, &ArrayD<f64>, &ArrayD<f64>) {
        (&self.a, &self.c, &self.e)
    }

    /// the bond dimension χ
    pub fn chi(&self) -> usize {
        self.chi
    }

    fn iterate(&mut self) -> f64 {
        let d = self.a.shape()[0];
        let ct = tensordot(&self.c, &[1], &self.e, &[0]); // i,s,j
        let tct = tensordot(&self.e, &[2], &ct, &[0]); // k,s2,s,j
        let m = tensordot(&tct, &[1, 2], &self.a, &[0, 1]); // k,j,r,d
        let (k, j) = (m.shape()[0], m.shape()[1]);
        let m = permute(&m, &[0, 3, 1, 2]); // (k,d),(j,r)
        let n = k * d;
        debug_assert_eq!(j * d, n);
        let ms = m.as_slice().expect("standard");
        let mm = Mat::from_fn(n, n, |r, c| 0.5 * (ms[r * n + c] + ms[c * n + r]));
        let (w, v) = eigh_desc(&mm);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&x, &y| w[y].abs().total_cmp(&w[x].abs()));
        // never cut through a (near-)degenerate multiplet: the kept vectors of a split multiplet
        // are arbitrary from one iteration to the next and the corners never settle
        let mut keep = self.chi.min(n);
        let top = w[order[0]].abs();
        while keep < n && keep > 1 && (w[order[keep - 1]].abs() - w[order[keep]].abs()) < 1e-10 * top {
            keep -= 1;
        }
        let total: f64 = w.iter().map(|x| x.abs()).sum();
        let dropped: f64 = order[keep..].iter().map(|&i| w[i].abs()).sum();
        let p = ArrayD::from_shape_fn(IxDyn(&[k, d, keep]), |ix| v[(ix[0] * d + ix[1], order[ix[2]])]);
        // C ← Pᵀ M P is diagonal in the eigenbasis
        self.c = ArrayD::from_shape_fn(IxDyn(&[keep, keep]), |ix| if ix[0] == ix[1] { w[order[ix[0]]] } else { 0.0 });
        let ea = tensordot(&self.e, &[1], &self.a, &[0]); // i,j,u,r,d
        let ea = permute(&ea, &[0, 2, 3, 1, 4]); // i,u,r,j,d
        let x = tensordot(&p, &[0, 1], &ea, &[0, 1]); // a,r,j,d
        let mut e = tensordot(&x, &[2, 3], &p, &[0, 1]); // a,r,b
        let et = permute(&e, &[2, 1, 0]);
        e.zip_mut_with(&et, |x, y| *x = 0.5 * (*x + y));
        let (nc, ne) = (max_abs(&self.c), max_abs(&e));
        self.c.mapv_inplace(|x| x / nc);
        self.e = e.mapv(|x| x / ne);
        if total > 0.0 {
            dropped / total
        } else {
            0.0
        }
    }

    fn corner_spectrum(&self) -> Vec<f64> {
        let k = self.c.shape()[0];
        let mut s: Vec<f64> = (0..k).map(|i| self.c[[i, i].as_ref()].abs()).collect();
        s.sort_by(|a, b| b.total_cmp(a));
        let sum: f64 = s.iter().sum();
        s.iter().map(|x| x / sum).collect()
    }

    /// Iterates until the normalised corner spectrum changes by less than `tol`, at most
    /// `max_iter` times ([`Ctmrg::converge_until`] with [`Stop::tolerance`]).
    pub fn converge(&mut self, tol: f64, max_iter: usize) -> CtmrgRecord {
        self.converge_until(&Stop::tolerance(tol, max_iter))
    }

    /// Iterates until `stop` says so; the change it sees is that of the normalised corner
    /// spectrum in one iteration (max abs difference).
    pub fn converge_until(&mut self, stop: &Stop) -> CtmrgRecord {
        let mut prev = self.corner_spectrum();
        let (mut change, mut err, mut it) = (f64::INFINITY, 0.0, 0);
        while !stop.done(it, change) {
            err = self.iterate();
            it += 1;
            let s = self.corner_spectrum();
            change = spectrum_change(&s, &prev);
            prev = s;
        }
        CtmrgRecord {
            iterations: it,
            converged: stop.converged(it, change),
            spectrum_change: change,
            truncation_error: err,
        }
    }

    /// The environment closed around one site tensor `b` (a with an impurity, or a itself).
    pub fn closed(&self, b: &ArrayD<f64>) -> f64 {
        let ctc = tensordot(&tensordot(&self.c, &[1], &self.e, &[0]), &[2], &self.c, &[0]); // i,s,j
        let x = tensordot(&ctc, &[2], &self.e, &[0]); // i,s1,s2,e
        let x = tensordot(&x, &[3], &ctc, &[0]); // i,s1,s2,s3,h
        let x = tensordot(&x, &[4, 0], &self.e, &[0, 2]); // s1,s2,s3,s4
        let z = tensordot(&x, &[3, 0, 1, 2], b, &[0, 1, 2, 3]);
        z.iter().sum()
    }

    /// lnZ/N = ln(Z₁ Z₄ / Z₂²).
    pub fn ln_z_per_site(&self) -> f64 {
        let c2 = tensordot(&self.c, &[1], &self.c, &[0]);
        let z4: f64 = tensordot(&c2, &[0, 1], &c2, &[1, 0]).iter().sum();
        let ctc = tensordot(&tensordot(&self.c, &[1], &self.e, &[0]), &[2], &self.c, &[0]);
        let z2: f64 = tensordot(&ctc, &[0, 1, 2], &ctc, &[2, 1, 0]).iter().sum();
        (self.closed(&self.a) * z4 / (z2 * z2)).abs().ln()
    }

    /// ⟨b⟩ = Z₁(b)/Z₁(a) for an impurity tensor b.
    pub fn expectation(&self, b: &ArrayD<f64>) -> f64 {
        self.closed(b) / self.closed(&self.a)
    }
}
