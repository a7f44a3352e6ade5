//! Dense and Krylov linear algebra for onsager, backed by faer.
//!
//! - [`eigh`]: full symmetric eigendecomposition `A = U diag(λ) Uᵀ` (faer's divide and conquer).
//! - [`lanczos_top`]: the largest eigenvalues of a symmetric operator given only as `y = A x`
//!   (Lanczos with full reorthogonalisation), for transfer matrices too big to form.
//! - [`lanczos_eigs`], [`arnoldi_dominant`], [`arnoldi_moduli`], [`gmres`]: Krylov kernels for
//!   matrix-product states (ground states, Perron fixed points, correlation lengths, environments).
//! - [`randomized_svd`]: the top k singular triplets of a dense matrix (partial SVD).
//! - [`solve_small`], [`inverse_small`]: small dense solves used by fits.
//! - [`OrFail`], [`fail`], [`NumericalFailure`]: how a kernel that cannot return a `Result`
//!   (a coarse-graining step, a rayon worker) reports a decomposition that did not converge.

mod krylov;
mod lanczos;
mod randomized;

pub use faer::{Mat, MatRef};
pub use krylov::{arnoldi_dominant, arnoldi_moduli, gmres, lanczos_eigs, Dominant, Eigs, Solve, Which};
pub use lanczos::{lanczos_top, LanczosOptions, LanczosResult};
pub use randomized::randomized_svd;

use thiserror::Error;

/// The unwind payload of a decomposition that did not converge inside a kernel whose signature
/// cannot carry an error (a scheme's `step`, a rayon closure). It is a numerical failure, not a
/// broken invariant: the job boundary (`onsager::jobs::cancellable`) turns it into a one-line
/// `JobError::Numerical`, so the CLI exits 2, a sweep records a failed job and Python raises
/// `RuntimeError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumericalFailure(pub String);

/// Unwinds with a [`NumericalFailure`] saying `what`. By `resume_unwind`, so no panic hook
/// prints a panic message; rayon carries the payload back to the caller unchanged.
pub fn fail(what: impl Into<String>) -> ! {
    std::panic::resume_unwind(Box::new(NumericalFailure(what.into())))
}

/// `result.or_fail("the SVD of the corner")`: the value, or a [`NumericalFailure`] naming what
/// did not converge and why.
pub trait OrFail<T> {
    /// The value, or unwind with a [`NumericalFailure`] "`what` did not converge (`error`)".
    fn or_fail(self, what: &str) -> T;
}

impl<T, E: std::fmt::Debug> OrFail<T> for Result<T, E> {
    fn or_fail(self, what: &str) -> T {
        self.unwrap_or_else(|e| fail(format!("{what} did not converge ({e:?})")))
    }
}

/// Numerical failures.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LinalgError {
    /// The eigensolver did not converge.
    #[error("the symmetric eigensolver did not converge (size {0})")]
    NoConvergence(usize),
    /// Lanczos ran out of iterations before the residuals fell below the tolerance.
    #[error("Lanczos did not converge in {iterations} iterations (residual {residual:.2e}); raise the iteration cap")]
    LanczosNoConvergence {
        /// iterations performed
        iterations: usize,
        /// largest relative residual among the wanted Ritz pairs
        residual: f64,
    },
}

/// Eigendecomposition of a symmetric matrix (only the lower triangle is read):
/// `A = U diag(λ) Uᵀ`, eigenvalues ascending.
pub fn eigh(a: MatRef<'_, f64>) -> Result<(Vec<f64>, Mat<f64>), LinalgError> {
    let evd = a.self_adjoint_eigen(faer::Side::Lower).map_err(|_| LinalgError::NoConvergence(a.nrows()))?;
    let s = evd.S();
    let lam: Vec<f64> = (0..a.nrows()).map(|i| s[i]).collect();
    Ok((lam, evd.U().to_owned()))
}

/// Moduli of the eigenvalues of a general real square matrix, descending (faer's Schur-based
/// eigenvalue solver).
pub fn eig_moduli(a: MatRef<'_, f64>) -> Result<Vec<f64>, LinalgError> {
    let ev = a.eigenvalues().map_err(|_| LinalgError::NoConvergence(a.nrows()))?;
    let mut m: Vec<f64> = ev.iter().map(|z| (z.re * z.re + z.im * z.im).sqrt()).collect();
    m.sort_by(|x, y| y.total_cmp(x));
    Ok(m)
}

/// Eigenvalues of a symmetric matrix, ascending.
pub fn eigvalsh(a: MatRef<'_, f64>) -> Result<Vec<f64>, LinalgError> {
    a.self_adjoint_eigenvalues(faer::Side::Lower).map_err(|_| LinalgError::NoConvergence(a.nrows()))
}

/// Solves the small symmetric positive definite system `A x = b` by Cholesky-free Gaussian
/// elimination with partial pivoting (for normal equations of fits with ≤ 10 unknowns).
pub fn solve_small(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut m: Vec<Vec<f64>> = a.iter().zip(b).map(|(r, &bi)| r.iter().copied().chain([bi]).collect()).collect();
    for col in 0..n {
        let p = (col..n).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[p][col].abs() < 1e-300 {
            return None;
        }
        m.swap(col, p);
        for r in 0..n {
            if r != col {
                let f = m[r][col] / m[col][col];
                for c in col..=n {
                    m[r][c] -= f * m[col][c];
                }
            }
        }
    }
    Some((0..n).map(|i| m[i][n] / m[i][i]).collect())
}

/// Inverse of a small dense matrix (Gauss–Jordan), `None` if singular.
pub fn inverse_small(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let cols: Option<Vec<Vec<f64>>> = (0..n)
        .map(|j| {
            let e: Vec<f64> = (0..n).map(|i| if i == j { 1.0 } else { 0.0 }).collect();
            solve_small(a, &e)
        })
        .collect();
    let cols = cols?;
    Some((0..n).map(|i| (0..n).map(|j| cols[j][i]).collect()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigh_reconstructs() {
        let a = Mat::from_fn(4, 4, |i, j| 1.0 / (1.0 + i as f64 + j as f64));
        let (lam, u) = eigh(a.as_ref()).unwrap();
        let rec = &u * Mat::from_fn(4, 4, |i, j| if i == j { lam[i] } else { 0.0 }) * u.transpose();
        for i in 0..4 {
            for j in 0..4 {
                assert!((rec[(i, j)] - a[(i, j)]).abs() < 1e-14);
            }
        }
        assert!(lam.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn small_inverse() {
        let a = vec![vec![4.0, 1.0], vec![1.0, 3.0]];
        let inv = inverse_small(&a).unwrap();
        // closed form: 1/11 [[3,-1],[-1,4]]
        assert!((inv[0][0] - 3.0 / 11.0).abs() < 1e-15);
        assert!((inv[0][1] + 1.0 / 11.0).abs() < 1e-15);
        assert!(inverse_small(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }
}
