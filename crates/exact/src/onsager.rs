//! Onsager's solution of the infinite square-lattice Ising model (J = 1, isotropic, h = 0).
//!
//! With κ = 2 sinh 2K / cosh² 2K:
//! - lnZ/N = ln(2 cosh 2K) + (1/π) ∫_0^{π/2} ln[(1 + √(1 − κ² sin² φ))/2] dφ,
//! - u = E/N = −coth 2K [1 + (2/π)(2 tanh² 2K − 1) K(κ)],
//! - c = C/N = (4/π)(K coth 2K)² {K(κ) − E(κ) − (1 − tanh² 2K)[π/2 + (2 tanh² 2K − 1) K(κ)]},
//!
//! with K(κ), E(κ) the complete elliptic integrals (modulus κ), computed by the
//! arithmetic–geometric mean. At K_c, lnZ/N = 2G/π + ½ ln 2 (G = Catalan's constant).

use crate::quad::tanh_sinh;
use std::f64::consts::{FRAC_PI_2, PI};

/// lnZ/N of the infinite square-lattice Ising model at coupling K ≥ 0.
pub fn onsager_ln_z_per_site(k: f64) -> f64 {
    let c2 = (2.0 * k).cosh();
    let kappa = 2.0 * (2.0 * k).sinh() / (c2 * c2);
    let k2 = (kappa * kappa).min(1.0);
    let integral = tanh_sinh(
        |phi| {
            let s = phi.sin();
            // 1 − κ² sin² φ written to keep digits near φ = π/2 at κ = 1
            let c = phi.cos();
            let arg = (1.0 - k2) * s * s + c * c;
            ((1.0 + arg.max(0.0).sqrt()) / 2.0).ln()
        },
        0.0,
        FRAC_PI_2,
        1e-16,
    );
    (2.0 * c2).ln() + integral / PI
}

/// Complete elliptic integrals (K(k), E(k)) of modulus k by the AGM.
fn elliptic_ke(k: f64) -> (f64, f64) {
    let (mut a, mut b) = (1.0f64, (1.0 - k * k).max(0.0).sqrt());
    let mut sum = k * k / 2.0;
    let mut pow2 = 0.5;
    for _ in 0..60 {
        let an = (a + b) / 2.0;
        let cn = (a - b) / 2.0;
        b = (a * b).sqrt();
        a = an;
        pow2 *= 2.0;
        sum += pow2 * cn * cn;
        if cn.abs() < 1e-17 * a {
            break;
        }
    }
    let kk = PI / (2.0 * a);
    (kk, kk * (1.0 - sum))
}

/// lnZ/N of the anisotropic square-lattice Ising model (couplings K_x, K_y; Onsager 1944):
///
/// lnZ/N = ln 2 + (1/8π²) ∫₀^{2π}∫₀^{2π} ln[cosh 2K_x cosh 2K_y − sinh 2K_x cos θ₁ − sinh 2K_y cos θ₂] dθ₁ dθ₂.
///
/// The integrand is periodic and analytic off the critical line sinh 2K_x sinh 2K_y = 1, so the
/// trapezoid rule converges exponentially; the grid is doubled until two grids agree to 1e-15
/// (at most 4096², where the critical line's logarithmic singularity limits it to ~1e-9).
pub fn onsager_ln_z_anisotropic(kx: f64, ky: f64) -> f64 {
    let (cx, cy, sx, sy) = ((2.0 * kx).cosh(), (2.0 * ky).cosh(), (2.0 * kx).sinh(), (2.0 * ky).sinh());
    let grid = |n: usize| -> f64 {
        let h = 2.0 * std::f64::consts::PI / n as f64;
        // midpoints: the same exponential accuracy, and they never sit on θ = 0 at K_c
        let cos: Vec<f64> = (0..n).map(|i| ((i as f64 + 0.5) * h).cos()).collect();
        let sum: f64 =
            cos.iter().map(|&c1| cos.iter().map(|&c2| (cx * cy - sx * c1 - sy * c2).ln()).sum::<f64>()).sum();
        sum / (n * n) as f64
    };
    let mut n = 16;
    let mut prev = grid(n);
    while n < 4096 {
        n *= 2;
        let next = grid(n);
        let done = (next - prev).abs() < 1e-15;
        prev = next;
        if done {
            break;
        }
    }
    std::f64::consts::LN_2 + 0.5 * prev
}

/// Energy per site u = E/N = −⟨Σ_bonds s_i s_j⟩/N (J = 1). Finite at K_c (u = −√2).
pub fn onsager_energy(k: f64) -> f64 {
    let (t2, c2) = ((2.0 * k).tanh(), (2.0 * k).cosh());
    let kappa = 2.0 * (2.0 * k).sinh() / (c2 * c2);
    let factor = 2.0 * t2 * t2 - 1.0;
    // (2 tanh² 2K − 1) K(κ) → 0 at K_c although K(κ) diverges (logarithmically, so the product
    // is below 1e-14 once κ rounds to 1)
    let term = if kappa >= 1.0 { 0.0 } else { factor * elliptic_ke(kappa).0 };
    -(1.0 / t2) * (1.0 + 2.0 / PI * term)
}

/// Specific heat per site C/N = K² ∂²(lnZ/N)/∂K². Diverges (returns +∞) at K_c.
pub fn onsager_specific_heat(k: f64) -> f64 {
    let (t2, c2) = ((2.0 * k).tanh(), (2.0 * k).cosh());
    let kappa = 2.0 * (2.0 * k).sinh() / (c2 * c2);
    if (kappa - 1.0).abs() < 1e-15 {
        return f64::INFINITY;
    }
    let (kk, ee) = elliptic_ke(kappa);
    let kc = k / t2;
    4.0 / PI * kc * kc * (kk - ee - (1.0 - t2 * t2) * (FRAC_PI_2 + (2.0 * t2 * t2 - 1.0) * kk))
}

#[cfg(test)]
mod anisotropic_tests {
    /// K_x = K_y must give Onsager's isotropic closed form (its own quadrature, a different code).
    #[test]
    fn isotropic_limit() {
        for k in [0.2, 0.3, 0.6] {
            let (a, b) = (super::onsager_ln_z_anisotropic(k, k), super::onsager_ln_z_per_site(k));
            assert!((a - b).abs() < 1e-13, "K={k}: {a} vs {b}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const KC: f64 = 0.44068679350977147; // ln(1+√2)/2

    #[test]
    fn critical_value_is_catalan_closed_form() {
        // shared/reference.json: 2G/π + ln2/2 = 0.9296953983416102
        let v = onsager_ln_z_per_site(KC);
        assert!((v - 0.9296953983416102).abs() < 2e-15, "{v:.17}");
    }

    #[test]
    fn energy_is_derivative_of_ln_z() {
        // u = −d(lnZ/N)/dK; a 4th-order central difference of a smooth closed form is accurate
        // to ~1e-10 here, far below the 1e-8 asserted (this checks the formula, not the code's exactness)
        for &k in &[0.2, 0.3, 0.6, 1.0] {
            let h = 1e-3;
            let f = onsager_ln_z_per_site;
            let d = (-f(k + 2.0 * h) + 8.0 * f(k + h) - 8.0 * f(k - h) + f(k - 2.0 * h)) / (12.0 * h);
            assert!((onsager_energy(k) + d).abs() < 1e-8, "K={k}: {} vs {}", onsager_energy(k), -d);
        }
        // u(K_c) = −√2 (closed form)
        assert!((onsager_energy(KC) + 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn specific_heat_is_second_derivative() {
        for &k in &[0.25, 0.35, 0.55, 0.8] {
            let h = 1e-3;
            let u = onsager_energy;
            let du = (-u(k + 2.0 * h) + 8.0 * u(k + h) - 8.0 * u(k - h) + u(k - 2.0 * h)) / (12.0 * h);
            // C/N = −K² du/dK
            assert!((onsager_specific_heat(k) + k * k * du).abs() < 1e-6, "K={k}");
        }
    }
}
