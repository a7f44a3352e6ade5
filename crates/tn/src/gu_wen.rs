//! Conformal data from a fixed-point tensor (Gu & Wen, PRB 80, 155131 (2009)).
//!
//! A tensor T (legs l, u, r, d) that stands for a b × b block of a critical lattice is, up to a
//! factor α (bulk free energy and normalisation), a piece of a conformal field theory. The
//! transfer matrix of a cylinder of circumference w tensors and height one tensor has eigenvalues
//! λ_n = α^w exp[−(2π/w)(Δ_n − c/12)]. With
//! M₁[u, d] = Σ_l T[l,u,l,d] (w = 1) and M₂[(u₁u₂),(d₁d₂)] = Σ_{l,r} T[l,u₁,r,d₁] T[r,u₂,l,d₂] (w = 2),
//! α cancels from 2 ln λ₀(M₁) − ln λ₀(M₂) = πc/4, and Δ_n = (1/π) ln(λ₀/λ_n) from M₂.
//! (Moduli are used: states of non-zero momentum give complex λ.)

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use ndarray::ArrayD;

/// Central charge and the lowest scaling dimensions (Δ₀ = 0 excluded), ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct CftData {
    /// c = (4/π)(2 ln λ₀(M₁) − ln λ₀(M₂))
    pub central_charge: f64,
    /// Δ_n = (1/π) ln(λ₀/λ_n) from M₂, n = 1, 2, ...
    pub scaling_dimensions: Vec<f64>,
}

/// [`CftData`] of a 4-leg tensor (l, u, r, d) with equal horizontal bonds; `levels` dimensions.
pub fn cft_data(t: &ArrayD<f64>, levels: usize) -> Option<CftData> {
    let s = t.shape();
    let (dl, du, dd) = (s[0], s[1], s[3]);
    if s[2] != dl || du != dd {
        return None;
    }
    let m1 = Mat::from_fn(du, dd, |u, d| (0..dl).map(|l| t[[l, u, l, d].as_ref()]).sum());
    // X[(u₁,d₁),(l,r)] = T[l,u₁,r,d₁], Y[(l,r),(u₂,d₂)] = T[r,u₂,l,d₂]
    let x = Mat::from_fn(du * dd, dl * dl, |i, j| t[[j / dl, i / dd, j % dl, i % dd].as_ref()]);
    let y = Mat::from_fn(dl * dl, du * dd, |i, j| t[[i % dl, j / dd, i / dl, j % dd].as_ref()]);
    let mut p = Mat::<f64>::zeros(du * dd, du * dd);
    matmul(p.as_mut(), Accum::Replace, x.as_ref(), y.as_ref(), 1.0, Par::rayon(0));
    // M₂[(u₁,u₂),(d₁,d₂)] = P[(u₁,d₁),(u₂,d₂)]
    let m2 = Mat::from_fn(du * du, dd * dd, |i, j| p[((i / du) * dd + j / dd, (i % du) * dd + j % dd)]);
    let e1 = onsager_linalg::eig_moduli(m1.as_ref()).ok()?;
    let e2 = onsager_linalg::eig_moduli(m2.as_ref()).ok()?;
    let (l1, l2) = (e1[0], e2[0]);
    if l1 <= 0.0 || l2 <= 0.0 {
        return None;
    }
    let c = 4.0 / std::f64::consts::PI * (2.0 * l1.ln() - l2.ln());
    let dims = e2.iter().skip(1).take(levels).map(|v| (l2 / v).ln() / std::f64::consts::PI).collect();
    Some(CftData { central_charge: c, scaling_dimensions: dims })
}
