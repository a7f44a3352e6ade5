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

/// Fits `ys` against the basis functions evaluated at `xs`. Returns `None` if the normal
/// equations are singular (fewer distinct points than functions).
pub fn least_squares(xs: &[f64], ys: &[f64], basis: &[&dyn Fn(f64) -> f64]) -> Option<LinearFit> {
    let (n, p) = (xs.len(), basis.len());
    if n < p {
        return None;
    }
    let phi: Vec<Vec<f64>> = xs.iter().map(|&x| basis.iter().map(|f| f(x)).collect()).collect();
    let ata: Vec<Vec<f64>> = (0..p).map(|i| (0..p).map(|j| phi.iter().map(|r| r[i] * r[j]).sum()).collect()).collect();
    let aty: Vec<f64> = (0..p).map(|i| phi.iter().zip(ys).map(|(r, y)| r[i] * y).sum()).collect();
    let inv = onsager_linalg::inverse_small(&ata)?;
    let coef: Vec<f64> = (0..p).map(|i| (0..p).map(|j| inv[i][j] * aty[j]).sum()).collect();
    let rss: f64 =
        phi.iter().zip(ys).map(|(r, y)| (y - r.iter().zip(&coef).map(|(a, c)| a * c).sum::<f64>()).powi(2)).sum();
    let s2 = if n > p { rss / (n - p) as f64 } else { 0.0 };
    let stderr = (0..p).map(|i| (s2 * inv[i][i]).sqrt()).collect();
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
}
