//! Krylov solvers for operators known only through `y = A x`, sized for MPS kernels (vectors of
//! 10²–10⁶ entries, a few dozen Krylov vectors):
//!
//! - [`lanczos_eigs`]: extremal eigenpairs of a symmetric operator (Lanczos with full
//!   reorthogonalisation, thick-free restarts from the Ritz vectors);
//! - [`arnoldi_dominant`]: the eigenpair of largest modulus of a non-symmetric operator whose
//!   dominant eigenvalue is real (Perron–Frobenius: positive transfer operators);
//! - [`arnoldi_moduli`]: the largest eigenvalue moduli (correlation lengths);
//! - [`gmres`]: restarted GMRES for `A x = b` (MPS environments).
//!
//! Every basis is reorthogonalised twice (Gram–Schmidt "twice is enough", Giraud et al. 2005),
//! so the small projected problems are exact to rounding.

use crate::OrFail;
use crate::{eig_moduli, eigh, solve_small};
use faer::Mat;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Orthogonalises `w` against `basis` twice; returns the projections (summed over both passes).
fn orthogonalise(w: &mut [f64], basis: &[Vec<f64>]) -> Vec<f64> {
    let mut h = vec![0.0; basis.len()];
    for _ in 0..2 {
        for (hj, b) in h.iter_mut().zip(basis) {
            let c = dot(w, b);
            *hj += c;
            w.iter_mut().zip(b).for_each(|(x, y)| *x -= c * y);
        }
    }
    h
}

fn combine(basis: &[Vec<f64>], coeffs: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v = vec![0.0; basis[0].len()];
    for (b, c) in basis.iter().zip(coeffs) {
        v.iter_mut().zip(b).for_each(|(x, y)| *x += c * y);
    }
    v
}

/// Which end of a symmetric spectrum [`lanczos_eigs`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// smallest algebraic (ground states)
    Lowest,
    /// largest algebraic (dominant fixed points of symmetric transfer operators)
    Highest,
}

/// Extremal eigenpairs of a symmetric operator.
#[derive(Debug, Clone)]
pub struct Eigs {
    /// the `k` wanted eigenvalues, best first (ascending for `Lowest`, descending for `Highest`)
    pub values: Vec<f64>,
    /// the normalised Ritz vectors, same order
    pub vectors: Vec<Vec<f64>>,
    /// operator applications used
    pub matvecs: usize,
    /// largest residual ‖A v − λ v‖ among the returned pairs
    pub residual: f64,
}

/// The `k` extremal eigenpairs of the symmetric operator `apply` (y = A x), starting from `v0`.
///
/// Lanczos with full reorthogonalisation; after each step the tridiagonal T_j is diagonalised and
/// the residual of Ritz pair i is |β_j u_{j,i}| (exact in exact arithmetic). It stops when every
/// wanted residual is below `tol` (absolute; callers pass `tol · scale`), when the Krylov space
/// is invariant, or after `max_iter` steps; then it restarts from the sum of the wanted Ritz
/// vectors, at most `restarts` times. A start vector orthogonal to a wanted eigenvector cannot
/// find it: callers targeting k > 1 states pass a generic mixture.
pub fn lanczos_eigs(
    apply: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    v0: &[f64],
    k: usize,
    which: Which,
    tol: f64,
    max_iter: usize,
    restarts: usize,
) -> Eigs {
    let n = v0.len();
    let mut start = v0.to_vec();
    if norm(&start) == 0.0 {
        start = (0..n).map(|i| ((i * 7919 + 13) % 101) as f64 / 101.0 - 0.45).collect();
    }
    let mut matvecs = 0;
    let mut round = 0;
    loop {
        let nv = norm(&start);
        let mut basis: Vec<Vec<f64>> = vec![start.iter().map(|x| x / nv).collect()];
        let (mut alpha, mut beta) = (Vec::<f64>::new(), Vec::<f64>::new());
        let m = max_iter.min(n).max(1);
        let mut ritz: (Vec<f64>, Mat<f64>) = (Vec::new(), Mat::zeros(0, 0));
        let mut converged = false;
        for j in 0..m {
            let mut w = apply(&basis[j]);
            matvecs += 1;
            let h = orthogonalise(&mut w, &basis);
            alpha.push(h[j]);
            let b = norm(&w);
            let size = j + 1;
            let t = Mat::from_fn(size, size, |r, c| {
                if r == c {
                    alpha[r]
                } else if r + 1 == c || c + 1 == r {
                    beta[r.min(c)]
                } else {
                    0.0
                }
            });
            let (lam, u) = eigh(t.as_ref()).or_fail("the tridiagonal Lanczos eigenproblem");
            let order: Vec<usize> = match which {
                Which::Lowest => (0..size).collect(),
                Which::Highest => (0..size).rev().collect(),
            };
            let kk = k.min(size);
            let res = order[..kk].iter().map(|&i| (b * u[(size - 1, i)]).abs()).fold(0.0, f64::max);
            let lam_o: Vec<f64> = order.iter().map(|&i| lam[i]).collect();
            let u_o = Mat::from_fn(size, size, |r, c| u[(r, order[c])]);
            ritz = (lam_o, u_o);
            let invariant = b <= 1e-14 * alpha.iter().fold(0.0f64, |x, y| x.max(y.abs())).max(1e-300);
            if (kk == k && res < tol) || invariant || size == n {
                converged = true;
                break;
            }
            if j + 1 < m {
                beta.push(b);
                basis.push(w.iter().map(|x| x / b).collect());
            }
        }
        let kk = k.min(ritz.0.len());
        let vectors: Vec<Vec<f64>> =
            (0..kk).map(|i| combine(&basis, (0..basis.len()).map(|r| ritz.1[(r, i)]))).collect();
        round += 1;
        if converged || round > restarts {
            // true residuals, one extra application per pair
            let mut residual = 0.0f64;
            for (v, &l) in vectors.iter().zip(&ritz.0) {
                let av = apply(v);
                matvecs += 1;
                residual = residual.max(norm(&av.iter().zip(v).map(|(a, x)| a - l * x).collect::<Vec<_>>()));
            }
            return Eigs { values: ritz.0[..kk].to_vec(), vectors, matvecs, residual };
        }
        start = vectors.iter().fold(vec![0.0; n], |mut acc, v| {
            acc.iter_mut().zip(v).for_each(|(a, x)| *a += x);
            acc
        });
    }
}

/// An m-step Arnoldi factorisation A Q_m = Q_{m+1} H̄_m from `v0` (stopping early on an invariant
/// subspace): the basis Q, the columns of H̄ (column j holds h_{0..=j+1, j}) and the square H_m.
#[allow(clippy::type_complexity)]
fn arnoldi(
    apply: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    v0: &[f64],
    m: usize,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>, Mat<f64>) {
    let nv = norm(v0);
    let mut basis: Vec<Vec<f64>> = vec![v0.iter().map(|x| x / nv).collect()];
    let mut hcols: Vec<Vec<f64>> = Vec::new();
    let size_max = m.min(v0.len()).max(1);
    for j in 0..size_max {
        let mut w = apply(&basis[j]);
        let mut h = orthogonalise(&mut w, &basis);
        let b = norm(&w);
        h.push(b);
        hcols.push(h);
        if b <= 1e-14 * hcols.iter().flatten().fold(0.0f64, |x, y| x.max(y.abs())) || j + 1 == size_max {
            break;
        }
        basis.push(w.iter().map(|x| x / b).collect());
    }
    let size = hcols.len();
    let hm = Mat::from_fn(size, size, |r, c| if r <= c + 1 { hcols[c][r] } else { 0.0 });
    (basis, hcols, hm)
}

/// The dominant eigenpair (largest modulus, assumed real) of a non-symmetric operator.
#[derive(Debug, Clone)]
pub struct Dominant {
    /// the eigenvalue
    pub value: f64,
    /// the normalised eigenvector (sign fixed so that its largest entry is positive)
    pub vector: Vec<f64>,
    /// operator applications used
    pub matvecs: usize,
    /// ‖A v − λ v‖ of the returned pair (relative to |λ|)
    pub residual: f64,
}

/// Dominant eigenpair by restarted Arnoldi: `m` steps, the Hessenberg eigenvalue of largest
/// modulus, its eigenvector by three steps of inverse iteration on the small matrix, restart from
/// the Ritz vector until the relative residual |h_{m+1,m} y_m| / |λ| < `tol`.
///
/// Meant for positive transfer operators (Perron–Frobenius: the dominant eigenvalue is real and
/// simple); a complex dominant pair is reported through a residual that does not fall.
pub fn arnoldi_dominant(
    apply: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    v0: &[f64],
    tol: f64,
    m: usize,
    restarts: usize,
) -> Dominant {
    let n = v0.len();
    let mut start = v0.to_vec();
    let mut matvecs = 0;
    let mut round = 0;
    loop {
        let (basis, hcols, hm) = arnoldi(apply, &start, m);
        matvecs += hcols.len();
        let size = hcols.len();
        let ev = hm.eigenvalues().or_fail("the Hessenberg eigenvalues of Arnoldi");
        let top = ev.iter().max_by(|a, b| a.norm().total_cmp(&b.norm())).expect("nonempty");
        let lam = top.re;
        // inverse iteration on H − λ(1 + ε) I for the Ritz vector
        let shift = lam + lam.abs().max(1e-300) * 1e-11;
        let a: Vec<Vec<f64>> =
            (0..size).map(|r| (0..size).map(|c| hm[(r, c)] - if r == c { shift } else { 0.0 }).collect()).collect();
        let mut y = vec![1.0; size];
        for _ in 0..3 {
            y = solve_small(&a, &y).unwrap_or(y);
            let ny = norm(&y);
            y.iter_mut().for_each(|x| *x /= ny);
        }
        let last_b = hcols[size - 1][size];
        let res_est = (last_b * y[size - 1]).abs() / lam.abs().max(1e-300);
        let mut v = combine(&basis, y.iter().copied());
        let nvv = norm(&v);
        v.iter_mut().for_each(|x| *x /= nvv);
        round += 1;
        if res_est < tol || round > restarts || size < m.min(n) {
            let av = apply(&v);
            matvecs += 1;
            let residual = norm(&av.iter().zip(&v).map(|(a, x)| a - lam * x).collect::<Vec<_>>()) / lam.abs();
            let imax = (0..n).max_by(|&i, &j| v[i].abs().total_cmp(&v[j].abs())).unwrap_or(0);
            if v[imax] < 0.0 {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            return Dominant { value: lam, vector: v, matvecs, residual };
        }
        start = v;
    }
}

/// The `k` largest eigenvalue moduli of a non-symmetric operator from an `m`-step Arnoldi
/// factorisation started at `v0` (descending). Outer eigenvalues converge first; callers check
/// stability by comparing two `m`.
pub fn arnoldi_moduli(apply: &mut dyn FnMut(&[f64]) -> Vec<f64>, v0: &[f64], k: usize, m: usize) -> Vec<f64> {
    let (_, _, hm) = arnoldi(apply, v0, m);
    let mut moduli = eig_moduli(hm.as_ref()).or_fail("the Hessenberg eigenvalues of Arnoldi");
    moduli.truncate(k);
    moduli
}

/// Result of [`gmres`].
#[derive(Debug, Clone)]
pub struct Solve {
    /// the solution
    pub x: Vec<f64>,
    /// ‖b − A x‖ / ‖b‖ reached
    pub residual: f64,
    /// operator applications used
    pub matvecs: usize,
}

/// Restarted GMRES(m) for `A x = b` from the guess `x0` (Saad & Schultz 1986): Arnoldi with
/// Givens rotations; stops when ‖b − A x‖ ≤ `tol` ‖b‖ or after `restarts` cycles.
pub fn gmres(
    apply: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    b: &[f64],
    x0: &[f64],
    tol: f64,
    m: usize,
    restarts: usize,
) -> Solve {
    let n = b.len();
    let bnorm = norm(b).max(1e-300);
    let mut x = x0.to_vec();
    let mut matvecs = 0;
    let mut residual = f64::INFINITY;
    for _ in 0..=restarts {
        let ax = apply(&x);
        matvecs += 1;
        let r: Vec<f64> = b.iter().zip(&ax).map(|(p, q)| p - q).collect();
        let beta = norm(&r);
        residual = beta / bnorm;
        if residual <= tol {
            break;
        }
        let mut basis: Vec<Vec<f64>> = vec![r.iter().map(|v| v / beta).collect()];
        let mut hcols: Vec<Vec<f64>> = Vec::new(); // rotated columns (upper triangular R)
        let (mut cs, mut sn) = (Vec::<f64>::new(), Vec::<f64>::new());
        let mut g = vec![beta];
        for j in 0..m.min(n) {
            let mut w = apply(&basis[j]);
            matvecs += 1;
            let mut h = orthogonalise(&mut w, &basis);
            let hn = norm(&w);
            h.push(hn);
            for i in 0..j {
                let (a, c) = (h[i], h[i + 1]);
                h[i] = cs[i] * a + sn[i] * c;
                h[i + 1] = -sn[i] * a + cs[i] * c;
            }
            let rho = (h[j] * h[j] + h[j + 1] * h[j + 1]).sqrt();
            let (c, s) = if rho == 0.0 { (1.0, 0.0) } else { (h[j] / rho, h[j + 1] / rho) };
            cs.push(c);
            sn.push(s);
            h[j] = rho;
            h[j + 1] = 0.0;
            let gj = g[j];
            g[j] = c * gj;
            g.push(-s * gj);
            hcols.push(h);
            residual = g[j + 1].abs() / bnorm;
            if residual <= tol || hn <= 1e-300 {
                break;
            }
            basis.push(w.iter().map(|v| v / hn).collect());
        }
        // back substitution R y = g
        let k = hcols.len();
        let mut y = vec![0.0; k];
        for i in (0..k).rev() {
            let s: f64 = (i + 1..k).map(|c| hcols[c][i] * y[c]).sum();
            y[i] = (g[i] - s) / hcols[i][i];
        }
        for (bv, yi) in basis.iter().zip(&y) {
            x.iter_mut().zip(bv).for_each(|(xv, v)| *xv += yi * v);
        }
        if residual <= tol {
            break;
        }
    }
    Solve { x, residual, matvecs }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed test matrix: symmetric tridiagonal-plus-rank-one with known structure.
    fn sym(n: usize) -> Mat<f64> {
        Mat::from_fn(n, n, |i, j| {
            if i == j {
                (i as f64) * 0.37 - 3.0
            } else if i + 1 == j || j + 1 == i {
                0.8
            } else {
                0.01 * ((i * j) % 5) as f64
            }
        })
    }

    #[test]
    fn lanczos_matches_dense_eigensolver() {
        // reference: faer's dense symmetric eigensolver on the same matrix
        let n = 120;
        let a = sym(n);
        let exact = crate::eigvalsh(a.as_ref()).unwrap();
        let mut apply = |x: &[f64]| (0..n).map(|i| (0..n).map(|j| a[(i, j)] * x[j]).sum()).collect::<Vec<f64>>();
        let v0 = vec![1.0; n];
        let lo = lanczos_eigs(&mut apply, &v0, 2, Which::Lowest, 1e-11, 60, 20);
        assert!((lo.values[0] - exact[0]).abs() < 1e-10 && (lo.values[1] - exact[1]).abs() < 1e-10, "{:?}", lo.values);
        let hi = lanczos_eigs(&mut apply, &v0, 1, Which::Highest, 1e-11, 60, 20);
        assert!((hi.values[0] - exact[n - 1]).abs() < 1e-10);
        assert!(lo.residual < 1e-9);
    }

    #[test]
    fn arnoldi_finds_the_perron_pair_and_gmres_solves() {
        // positive non-symmetric matrix; reference: dense eigenvalues (faer) and A x = b checked
        let n = 80;
        let a = Mat::from_fn(n, n, |i, j| 1.0 / (1.0 + (i as f64 - 0.7 * j as f64).abs()));
        let mut apply = |x: &[f64]| (0..n).map(|i| (0..n).map(|j| a[(i, j)] * x[j]).sum()).collect::<Vec<f64>>();
        let moduli = eig_moduli(a.as_ref()).unwrap();
        let d = arnoldi_dominant(&mut apply, &vec![1.0; n], 1e-13, 20, 50);
        assert!((d.value - moduli[0]).abs() < 1e-11 * moduli[0] && d.residual < 1e-11, "{} vs {}", d.value, moduli[0]);
        let top = arnoldi_moduli(&mut apply, &vec![1.0; n], 2, 60);
        assert!((top[1] - moduli[1]).abs() < 1e-8 * moduli[0], "{top:?} vs {:?}", &moduli[..2]);
        let b: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        // shift to make the system well conditioned: (A + 3 I) x = b
        let mut shifted = |x: &[f64]| {
            let mut y = apply(x);
            y.iter_mut().zip(x).for_each(|(p, q)| *p += 3.0 * q);
            y
        };
        let s = gmres(&mut shifted, &b, &vec![0.0; n], 1e-12, 30, 20);
        let r = shifted(&s.x);
        let err = norm(&r.iter().zip(&b).map(|(p, q)| p - q).collect::<Vec<_>>()) / norm(&b);
        assert!(err < 1e-11, "{err}");
    }
}
