//! Least-squares fits of scaling laws.

/// Ordinary least squares y ≈ Σ_j c_j φ_j(x) with standard errors from the residual variance
/// (σ² = RSS/(n − p); zero when the fit is exact, i.e. n = p).
#[derive(Debug, Clone)]
pub struct LinearFit {
    /// coefficients c_j
    pub coef: Vec<f64>,
    /// standard errors of c_j
    pub stderr: Vec<f64>,
    /// residual sum of squares
    pub rss: f64,
}

/// Fits `ys` against the basis functions evaluated at `xs`, by modified Gram–Schmidt QR of the
/// column-scaled design matrix (never the normal equations: bases such as {ln N, 1, 1/L, 1/L²}
/// are too ill-conditioned to square). Returns `None` if the columns are dependent (fewer
/// distinct points than functions).
pub fn least_squares(xs: &[f64], ys: &[f64], basis: &[&dyn Fn(f64) -> f64]) -> Option<LinearFit> {
    let (n, p) = (xs.len(), basis.len());
    if n < p {
        return None;
    }
    // columns, scaled to unit norm
    let mut q: Vec<Vec<f64>> = basis.iter().map(|f| xs.iter().map(|&x| f(x)).collect()).collect();
    let scale: Vec<f64> = q.iter().map(|c| c.iter().map(|v| v * v).sum::<f64>().sqrt()).collect();
    if scale.iter().any(|&s| s == 0.0 || !s.is_finite()) {
        return None;
    }
    for (c, s) in q.iter_mut().zip(&scale) {
        c.iter_mut().for_each(|v| *v /= s);
    }
    // modified Gram–Schmidt twice ("twice is enough": orthogonal to rounding even for
    // condition numbers ~1e10), with y carried along as an extra column (Björck), so the
    // coefficients never see a loss of orthogonality
    let mut r = vec![vec![0.0; p]; p];
    for j in 0..p {
        for _pass in 0..2 {
            for i in 0..j {
                let d: f64 = q[i].iter().zip(&q[j]).map(|(a, b)| a * b).sum();
                r[i][j] += d;
                let qi = q[i].clone();
                q[j].iter_mut().zip(&qi).for_each(|(v, a)| *v -= d * a);
            }
        }
        let nrm = q[j].iter().map(|v| v * v).sum::<f64>().sqrt();
        if nrm < 1e-13 {
            return None;
        }
        r[j][j] = nrm;
        q[j].iter_mut().for_each(|v| *v /= nrm);
    }
    let mut resid = ys.to_vec();
    let mut qty = vec![0.0; p];
    for _pass in 0..2 {
        for i in 0..p {
            let d: f64 = q[i].iter().zip(&resid).map(|(a, b)| a * b).sum();
            qty[i] += d;
            resid.iter_mut().zip(&q[i]).for_each(|(v, a)| *v -= d * a);
        }
    }
    // R⁻¹ (upper triangular) for the coefficients and the covariance R⁻¹R⁻ᵀ
    let mut rinv = vec![vec![0.0; p]; p];
    for j in 0..p {
        rinv[j][j] = 1.0 / r[j][j];
        for i in (0..j).rev() {
            let s: f64 = (i + 1..=j).map(|k| r[i][k] * rinv[k][j]).sum();
            rinv[i][j] = -s / r[i][i];
        }
    }
    let coef_scaled: Vec<f64> = (0..p).map(|i| (i..p).map(|k| rinv[i][k] * qty[k]).sum()).collect();
    let coef: Vec<f64> = coef_scaled.iter().zip(&scale).map(|(c, s)| c / s).collect();
    let rss: f64 = resid.iter().map(|v| v * v).sum();
    let s2 = if n > p { rss / (n - p) as f64 } else { 0.0 };
    let stderr =
        (0..p).map(|i| (s2 * (i..p).map(|k| rinv[i][k] * rinv[i][k]).sum::<f64>()).sqrt() / scale[i]).collect();
    Some(LinearFit { coef, stderr, rss })
}

/// Straight line y = a + b x: returns (b, stderr of b, a).
pub fn line(xs: &[f64], ys: &[f64]) -> Option<(f64, f64, f64)> {
    let f = least_squares(xs, ys, &[&|_| 1.0, &|x| x])?;
    Some((f.coef[1], f.stderr[1], f.coef[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_and_quadratic() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        let ys: Vec<f64> = xs.iter().map(|x| 3.0 - 2.0 * x).collect();
        let (b, se, a) = line(&xs, &ys).unwrap();
        assert!((b + 2.0).abs() < 1e-13 && (a - 3.0).abs() < 1e-13 && se < 1e-12);
        // noisy line: slope stderr matches the textbook formula sqrt(s²/Sxx)
        let ys = [1.0, 2.1, 2.9, 4.2];
        let (b, se, _) = line(&xs, &ys).unwrap();
        let sxx = 5.0; // Σ(x − 2.5)²
        let a = 2.55 - b * 2.5;
        let rss: f64 = xs.iter().zip(ys).map(|(x, y)| (y - a - b * x).powi(2)).sum();
        assert!((se - (rss / 2.0 / sxx).sqrt()).abs() < 1e-12);
        assert!(line(&[1.0], &[1.0]).is_none());
    }

    #[test]
    fn recovers_a_scaling_law_with_corrections_from_exact_data() {
        // y = 1.1 ln N + 0.3 − 2/L + 5/L² at L = 16..128 (N = L²): a 4-parameter fit must return
        // the coefficients to ~1e-9 although the normal equations have condition number ~1e16
        let ls: Vec<f64> = (2..=16).map(|k| 8.0 * k as f64).collect();
        let ys: Vec<f64> = ls.iter().map(|l| 1.1 * (l * l).ln() + 0.3 - 2.0 / l + 5.0 / (l * l)).collect();
        let f = least_squares(&ls, &ys, &[&|l| (l * l).ln(), &|_| 1.0, &|l| 1.0 / l, &|l| 1.0 / (l * l)]).unwrap();
        for (c, want) in f.coef.iter().zip([1.1, 0.3, -2.0, 5.0]) {
            assert!((c - want).abs() < 1e-8 * want.abs().max(1.0), "{:?}", f.coef);
        }
    }
}
