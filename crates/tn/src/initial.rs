//! Initial site tensors built from the model value.
//!
//! The bond Boltzmann matrix B\[σ,σ'\] = exp(K f(σ,σ')) is positive semi-definite for K ≥ 0, so
//! B = M Mᵀ with M = U √Λ. Splitting every bond this way gives the site tensor
//!
//! a\[l,u,r,d\] = Σ_σ w(σ) M\[σ,l\] M\[σ,u\] M\[σ,r\] M\[σ,d\],   w(σ) = exp(h·m(σ)),
//!
//! one tensor per site, legs ordered (left, up, right, down), with m(σ) = s (Ising), δ(σ,0)
//! (Potts) or cos θ (clock). Impurities replace w by w·m(σ) (magnetization) or one leg's M by
//! N = (B∘f) M⁻ᵀ, so that Σ_k M\[σ,k\] N\[σ',k\] = f(σ,σ') B\[σ,σ'\] (one bond variable inserted).

use ndarray::{ArrayD, IxDyn};
use onsager_models::Model;

/// Site magnetization variable m(σ) used for the field and the magnetization impurity.
pub fn site_moment(model: Model, s: usize) -> f64 {
    match model {
        Model::Ising => 1.0 - 2.0 * s as f64,
        Model::Potts { .. } => {
            if s == 0 {
                1.0
            } else {
                0.0
            }
        }
        Model::Clock { q } => (2.0 * std::f64::consts::PI * s as f64 / q as f64).cos(),
    }
}

/// Split factor M of the bond matrix (q × q, row-major) with B = M Mᵀ, and the impurity N with
/// M Nᵀ = B∘f (row-major too).
pub fn bond_factors(model: Model, k: f64) -> (Vec<f64>, Vec<f64>) {
    let q = model.q();
    let f = model.bond_matrix();
    let b = faer::Mat::from_fn(q, q, |i, j| (k * f[i * q + j]).exp());
    let (lam, u) = onsager_linalg::eigh(b.as_ref()).expect("q × q eigensolve");
    let m: Vec<f64> = (0..q * q).map(|i| u[(i / q, i % q)] * lam[i % q].max(0.0).sqrt()).collect();
    // N = (B∘f) M^{-T} = (B∘f) U Λ^{-1/2}; needs Λ > 0 (true for K > 0)
    let n: Vec<f64> = (0..q * q)
        .map(|idx| {
            let (s, c) = (idx / q, idx % q);
            let bf: f64 = (0..q).map(|t| b[(s, t)] * f[s * q + t] * u[(t, c)]).sum();
            if lam[c] > 1e-300 {
                bf / lam[c].sqrt()
            } else {
                0.0
            }
        })
        .collect();
    (m, n)
}

/// Which site tensor to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insertion {
    /// the plain tensor
    None,
    /// m(σ) on the site
    Magnetization,
    /// the bond variable on the bond to the right
    BondRight,
}

/// The 2D site tensor a\[l,u,r,d\] at coupling K and field h.
pub fn site_tensor_2d(model: Model, k: f64, h: f64, insertion: Insertion) -> ArrayD<f64> {
    site_tensor_anisotropic(model, k, k, h, insertion)
}

/// The 2D site tensor with couplings K_x on horizontal and K_y on vertical bonds (legs l, r carry
/// K_x and u, d carry K_y), field h, with an insertion (the bond variable goes on the horizontal
/// bond to the right). It has the square's reflections but not its rotations when K_x ≠ K_y, so
/// it needs the directional CTMRG.
pub fn site_tensor_anisotropic(model: Model, kx: f64, ky: f64, h: f64, insertion: Insertion) -> ArrayD<f64> {
    let q = model.q();
    let (mx, nx) = bond_factors(model, kx);
    let (my, _) = bond_factors(model, ky);
    ArrayD::from_shape_fn(IxDyn(&[q, q, q, q]), |ix| {
        (0..q)
            .map(|s| {
                let w = (h * site_moment(model, s)).exp();
                let w = if insertion == Insertion::Magnetization { w * site_moment(model, s) } else { w };
                let right = if insertion == Insertion::BondRight { nx[s * q + ix[2]] } else { mx[s * q + ix[2]] };
                w * mx[s * q + ix[0]] * my[s * q + ix[1]] * right * my[s * q + ix[3]]
            })
            .sum()
    })
}

/// The free-boundary bond vector v\[k\] = Σ_σ M\[σ, k\]: an open end of a bond of coupling K,
/// summed over its spin.
pub fn free_boundary(model: Model, k: f64) -> Vec<f64> {
    let q = model.q();
    let (m, _) = bond_factors(model, k);
    (0..q).map(|c| (0..q).map(|s| m[s * q + c]).sum()).collect()
}

/// The 3D site tensor a\[x−,x+,y−,y+,z−,z+\] = Σ_σ w(σ) Π_legs M\[σ,leg\] at coupling K and field h.
pub fn site_tensor_3d(model: Model, k: f64, h: f64) -> ArrayD<f64> {
    let q = model.q();
    let (m, _) = bond_factors(model, k);
    ArrayD::from_shape_fn(IxDyn(&[q; 6]), |ix| {
        (0..q).map(|s| (h * site_moment(model, s)).exp() * (0..6).map(|l| m[s * q + ix[l]]).product::<f64>()).sum()
    })
}

/// Z₂ parities of the leg states of [`bond_factors`]' M, if the model has the spin-flip symmetry
/// at this field: Ising at h = 0, where column c of M is even (M\[↑,c\] = M\[↓,c\]) or odd
/// (M\[↑,c\] = −M\[↓,c\]). `None` otherwise.
pub fn leg_parity(model: Model, k: f64, h: f64) -> Option<Vec<u8>> {
    if model != Model::Ising || h != 0.0 {
        return None;
    }
    let (m, _) = bond_factors(model, k);
    Some((0..2).map(|c| u8::from(m[c] * m[2 + c] < 0.0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_reproduce_the_bond_matrix() {
        for model in [Model::Ising, Model::Potts { q: 3 }, Model::Clock { q: 5 }] {
            let q = model.q();
            let f = model.bond_matrix();
            let (m, n) = bond_factors(model, 0.7);
            for i in 0..q {
                for j in 0..q {
                    let b: f64 = (0..q).map(|k| m[i * q + k] * m[j * q + k]).sum();
                    let bf: f64 = (0..q).map(|k| m[j * q + k] * n[i * q + k]).sum();
                    assert!((b - (0.7 * f[i * q + j]).exp()).abs() < 1e-13);
                    assert!((bf - f[i * q + j] * (0.7 * f[i * q + j]).exp()).abs() < 1e-12, "{model}");
                }
            }
        }
    }
}
