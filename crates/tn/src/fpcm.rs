//! Fixed-point corner method for C4v-symmetric networks: the CTMRG fixed point found by
//! eigensolvers instead of by growing the corner one site per iteration
//! (M. T. Fishman, L. Vanderstraeten, V. Zauner-Stauber, J. Haegeman & F. Verstraete,
//! PRB 98, 235148 (2018), §IV).
//!
//! Why: plain CTMRG is a power method. Each iteration adds one row and column, so it needs of order
//! ξ(χ) iterations to settle, and at criticality ξ(χ) grows like χ² (≈ 730 sites at χ = 32 for
//! the Ising model, from VUMPS).
//! Here the slow part, the half-infinite column, is an eigenvector found by Arnoldi.
//!
//! In the symmetric gauge the C4v CTM (corner C, edge E) is a reflection-symmetric uniform MPS, the
//! boundary of the upper half plane: centre tensor A_C = C E C, bond matrix Λ = C² (the Schmidt
//! values are the squares of the corner's eigenvalues), left isometry A_L = C E C⁻¹, which is the
//! CTMRG projector at the fixed point. One iteration:
//! 1. A_L from the polar decomposition of A_C (A_L = U Vᵀ for A_C = U S Vᵀ reshaped (χ d) × χ);
//! 2. the edge E ← the dominant eigenvector of the channel
//!    X\[t,m,b\] ↦ Σ X\[t,m,b\] A_L\[t,u,t′\] a\[m,u,r,d\] A_L\[b,d,b′\] (Arnoldi, restarted from the last E):
//!    the half-infinite row between the upper and lower boundaries, which is the left edge, and by
//!    C4v every edge;
//! 3. the corner Λ = C² ← the dominant eigenvector of X ↦ Σ_m E_m X E_m (Lanczos: the map is
//!    symmetric), the statement that the half-row basis is orthonormal, Σ_m E_m C² E_m ∝ C².
//!
//! Both solves are Krylov methods, so the long correlation length that makes the power method
//! crawl costs only a longer Krylov space. A_L depends on C and E continuously (no eigenvector
//! signs, no choice inside degenerate multiplets), so all iterates share one gauge.
//!
//! Convergence criterion (stated): the boundary tensor A_C = C E C changes by less than `tol`
//! between iterations, relative, ‖C (E′ − E) C‖ / ‖C E C‖ (weighting by the corner keeps the
//! directions where Λ is rounding noise out of it). The CTM C = Λ^{1/2}, E (in the eigenbasis of Λ) then gives lnZ/N,
//! energies and magnetizations through [`Ctmrg`] exactly as for the power method.

use crate::contract::{eigh_desc, tensordot};
use crate::ctmrg::Ctmrg;
use faer::{Mat, MatRef};
use ndarray::{ArrayD, IxDyn};
use onsager_linalg::OrFail;
use onsager_linalg::{arnoldi_dominant, lanczos_eigs, Which};

/// Result of [`fixed_point`].
#[derive(Debug, Clone, Copy)]
pub struct FpcmRecord {
    /// outer iterations (one Arnoldi and one Lanczos solve each)
    pub iterations: usize,
    /// channel and corner-map applications over all solves
    pub matvecs: usize,
    /// whether the residual fell below `tol` (else the cap was hit)
    pub converged: bool,
    /// the last relative change of A_C, ‖C (E′ − E) C‖ / ‖C E C‖
    pub residual: f64,
    /// smallest kept Schmidt value of the boundary MPS over their sum, λ_χ / Σλ (how much χ cuts off)
    pub truncation_error: f64,
    /// the check that this is the CTMRG fixed point: how much one power-method iteration from
    /// the result changes the normalised corner spectrum (the power method's own criterion)
    pub power_step_change: f64,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Symmetrises X\[t,m,b\] in t ↔ b and normalises it to unit norm.
fn symmetrise(x: &mut [f64], chi: usize, d: usize) {
    for t in 0..chi {
        for b in t + 1..chi {
            for m in 0..d {
                let (p, q) = ((t * d + m) * chi + b, (b * d + m) * chi + t);
                let v = 0.5 * (x[p] + x[q]);
                x[p] = v;
                x[q] = v;
            }
        }
    }
    let n = norm(x);
    x.iter_mut().for_each(|v| *v /= n);
}

/// The left isometry A_L = U Vᵀ of A_C = U S Vᵀ ((χ d) × χ, row-major).
fn left_isometry(ac: &[f64], chi: usize, d: usize) -> ArrayD<f64> {
    let svd = MatRef::from_row_major_slice(ac, chi * d, chi).thin_svd().or_fail("the SVD of A_C");
    let al = svd.U() * svd.V().transpose();
    ArrayD::from_shape_fn(IxDyn(&[chi, d, chi]), |ix| al[(ix[0] * d + ix[1], ix[2])])
}

/// X\[t,m,b\] ↦ Σ X\[t,m,b\] A_L\[t,u,t′\] a\[m,u,r,d\] A_L\[b,d,b′\].
fn channel(x: &[f64], al: &ArrayD<f64>, a: &ArrayD<f64>, chi: usize, d: usize) -> Vec<f64> {
    let x = ArrayD::from_shape_vec(IxDyn(&[chi, d, chi]), x.to_vec()).expect("shape");
    let y = tensordot(&x, &[0], al, &[0]); // m,b,u,t′
    let z = tensordot(&y, &[0, 2], a, &[0, 1]); // b,t′,r,d
    let w = tensordot(&z, &[0, 3], al, &[0, 1]); // t′,r,b′
    w.into_raw_vec_and_offset().0
}

/// Schmidt values below this fraction of the largest are rounding noise of the Lanczos solve.
const SUPPORT: f64 = 1e-12;

/// Eigenvalues (descending, made non-negative) and eigenvectors of the symmetrised Λ. Λ is a Gram
/// matrix of the half-row states, definite up to the overall sign an eigensolver may give it.
fn corner_eigen(lam_vec: &[f64], chi: usize) -> (Vec<f64>, Mat<f64>) {
    let lam = Mat::from_fn(chi, chi, |i, j| 0.5 * (lam_vec[i * chi + j] + lam_vec[j * chi + i]));
    let (w, q) = eigh_desc(&lam);
    let sign = if w.iter().sum::<f64>() < 0.0 { -1.0 } else { 1.0 };
    let mut w: Vec<f64> = w.iter().map(|x| (sign * x).max(0.0)).collect();
    let mut order: Vec<usize> = (0..chi).collect();
    order.sort_by(|&x, &y| w[y].total_cmp(&w[x]));
    let q = Mat::from_fn(chi, chi, |i, j| q[(i, order[j])]);
    w = order.iter().map(|&i| w[i]).collect();
    (w, q)
}

/// E ← Q_kᵀ E Q_k with the first k columns of Q.
fn rotate(e: &ArrayD<f64>, q: &Mat<f64>, k: usize) -> ArrayD<f64> {
    let chi = q.nrows();
    let qa = ArrayD::from_shape_fn(IxDyn(&[chi, k]), |ix| q[(ix[0], ix[1])]);
    let x = tensordot(&qa, &[0], e, &[0]); // i,s,j
    tensordot(&x, &[2], &qa, &[0])
}

fn frob_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// X ↦ Σ_m E_m X E_m for X χ × χ and E\[i,m,j\].
fn corner_map(x: &[f64], e: &ArrayD<f64>, chi: usize) -> Vec<f64> {
    let x = ArrayD::from_shape_vec(IxDyn(&[chi, chi]), x.to_vec()).expect("shape");
    let y = tensordot(e, &[2], &x, &[0]); // i,m,k
    tensordot(&y, &[1, 2], e, &[1, 0]).into_raw_vec_and_offset().0 // i,j
}

/// Finds the C4v CTM fixed point of the site tensor `a\[l,u,r,d\]` at bond dimension χ, starting
/// from `ctm` (a few power iterations of [`Ctmrg`], enough for the bond to reach χ), and returns
/// it as a [`Ctmrg`]. Stops when A_C changes by less than `tol` (relative) or after `max_iter`
/// iterations.
pub fn fixed_point(ctm: &Ctmrg, tol: f64, max_iter: usize) -> (Ctmrg, FpcmRecord) {
    fixed_point_until(ctm, &crate::Stop::tolerance(tol, max_iter))
}

/// [`fixed_point`] until `stop` says so; the change it sees is the relative change of A_C in one
/// iteration.
pub fn fixed_point_until(ctm: &Ctmrg, stop: &crate::Stop) -> (Ctmrg, FpcmRecord) {
    let (a, c0, e0) = ctm.parts();
    let (mut chi, d) = (c0.shape()[0], a.shape()[0]);
    let mut c = c0.clone();
    let mut e = e0.clone();
    {
        let v = e.as_slice_mut().expect("standard");
        symmetrise(v, chi, d);
    }
    let (mut iterations, mut matvecs, mut residual) = (0, 0, f64::INFINITY);
    let mut lam_vec: Vec<f64> = tensordot(&c, &[1], &c, &[0]).into_raw_vec_and_offset().0;
    while !stop.done(iterations, residual) {
        let ce = tensordot(&c, &[1], &e, &[0]); // i,s,j
        let ac = tensordot(&ce, &[2], &c, &[0]).into_raw_vec_and_offset().0;
        let al = left_isometry(&ac, chi, d);
        // the eigenvectors only need to be as good as the fixed point they move towards
        let inner = (1e-4 * residual).clamp(1e-14, 1e-9);
        let e_old = e.as_slice().expect("standard").to_vec();
        let mut apply = |x: &[f64]| channel(x, &al, a, chi, d);
        let dom = arnoldi_dominant(&mut apply, &e_old, inner, 30, 100);
        matvecs += dom.matvecs;
        let mut en = dom.vector;
        symmetrise(&mut en, chi, d);
        if frob_dot(&en, &e_old) < 0.0 {
            en.iter_mut().for_each(|x| *x = -*x);
        }
        // the change of A_C = C E C: directions of E where the corner has no weight carry no
        // information (off criticality most of Λ is rounding noise) and must not hold the
        // criterion back
        let de = ArrayD::from_shape_vec(IxDyn(&[chi, d, chi]), en.iter().zip(&e_old).map(|(x, y)| x - y).collect())
            .expect("shape");
        let cdc = tensordot(&tensordot(&c, &[1], &de, &[0]), &[2], &c, &[0]);
        residual = norm(cdc.as_slice().expect("standard")) / norm(&ac);
        e = ArrayD::from_shape_vec(IxDyn(&[chi, d, chi]), en).expect("shape");
        let mut apply_c = |x: &[f64]| corner_map(x, &e, chi);
        let eig = lanczos_eigs(&mut apply_c, &lam_vec, 1, Which::Highest, inner, 40, 100);
        matvecs += eig.matvecs;
        lam_vec = eig.vectors[0].clone();
        let (w, q) = corner_eigen(&lam_vec, chi);
        let k = w.iter().filter(|&&x| x > SUPPORT * w[0]).count().max(1);
        if k < chi {
            // off criticality the Schmidt values end before χ: the rest is rounding noise, in
            // which E is arbitrary and never settles, so the bond shrinks to the support (the
            // change of basis makes this iteration's residual meaningless)
            e = rotate(&e, &q, k);
            lam_vec = (0..k * k).map(|x| if x / k == x % k { w[x / k] } else { 0.0 }).collect();
            c = ArrayD::from_shape_fn(IxDyn(&[k, k]), |ix| if ix[0] == ix[1] { w[ix[0]].sqrt() } else { 0.0 });
            chi = k;
            residual = f64::INFINITY;
        } else {
            c = ArrayD::from_shape_fn(IxDyn(&[chi, chi]), |ix| {
                (0..chi).map(|k| q[(ix[0], k)] * w[k].sqrt() * q[(ix[1], k)]).sum()
            });
        }
        iterations += 1;
    }
    let (w, q) = corner_eigen(&lam_vec, chi);
    let total: f64 = w.iter().sum();
    let truncation_error = w[chi - 1] / total;
    // the CTM in Λ's eigenbasis: C = diag(Λ^{1/2}), E ← Qᵀ E Q
    let e = rotate(&e, &q, chi);
    let c = ArrayD::from_shape_fn(IxDyn(&[chi, chi]), |ix| if ix[0] == ix[1] { w[ix[0]].sqrt() } else { 0.0 });
    // the check runs at the bond the fixed point has (the support), so that the spectra compare
    let power_step_change = Ctmrg::from_parts(a.clone(), c.clone(), e.clone(), chi).converge(0.0, 1).spectrum_change;
    let out = Ctmrg::from_parts(a.clone(), c, e, ctm.chi());
    let converged = stop.converged(iterations, residual);
    (out, FpcmRecord { iterations, matvecs, converged, residual, truncation_error, power_step_change })
}
