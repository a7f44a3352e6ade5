//! Brute-force enumeration of every configuration of a tiny lattice.
//!
//! Exact by construction (a finite sum), independent of every other method in the project, and
//! used to check them. Cost O(q^N · D); cumulants O(q^N · D³/6).

use onsager_models::{Model, ModelError, Torus};

/// Largest number of configurations enumerated (2^25 Ising spins).
pub const MAX_ENUMERATION_STATES: u64 = 1 << 25;

/// Exact mean, covariance and third cumulant of the bond variables s_b = f(σ_i, σ_j).
#[derive(Debug, Clone)]
pub struct BondCumulants {
    /// ln Z
    pub ln_z: f64,
    /// ⟨s_b⟩, length D
    pub mean: Vec<f64>,
    /// g_ab = Cov(s_a, s_b), D×D row-major
    pub g: Vec<f64>,
    /// T_abc = ⟨δs_a δs_b δs_c⟩, D×D×D row-major
    pub t: Vec<f64>,
}

fn check_size(model: Model, torus: &Torus) -> Result<u64, ModelError> {
    let states = (model.q() as f64).powi(torus.sites() as i32);
    if states > MAX_ENUMERATION_STATES as f64 {
        return Err(ModelError::range(
            "lattice",
            format!("{} ({} states)", torus.label(), states),
            "enumeration handles at most 2^25 configurations (25 Ising spins)",
        ));
    }
    Ok(states as u64)
}

/// Calls `visit(bond_values)` for every configuration, with the bond variables of that state.
fn for_each_state(model: Model, torus: &Torus, mut visit: impl FnMut(&[f64])) -> Result<(), ModelError> {
    let states = check_size(model, torus)?;
    let (q, n) = (model.q(), torus.sites());
    let pairs: Vec<(usize, usize)> = (0..torus.bonds()).map(|b| torus.bond_sites(b)).collect();
    let fm = model.bond_matrix();
    let mut spin = vec![0usize; n];
    let mut s = vec![0.0; pairs.len()];
    for _ in 0..states {
        for (b, &(i, j)) in pairs.iter().enumerate() {
            s[b] = fm[spin[i] * q + spin[j]];
        }
        visit(&s);
        // odometer increment
        for v in spin.iter_mut() {
            *v += 1;
            if *v < q {
                break;
            }
            *v = 0;
        }
    }
    Ok(())
}

/// Σ exp(e_i − m), Neumaier-compensated: plain summation of 2^25 terms loses ~1e-11.
fn sum_exp(e: &[f64], m: f64) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for x in e {
        let v = (x - m).exp();
        let t = sum + v;
        comp += if sum.abs() >= v.abs() { (sum - t) + v } else { (v - t) + sum };
        sum = t;
    }
    sum + comp
}

fn energies(model: Model, torus: &Torus, couplings: &[f64]) -> Result<Vec<f64>, ModelError> {
    let mut e = Vec::new();
    for_each_state(model, torus, |s| e.push(s.iter().zip(couplings).map(|(a, k)| a * k).sum()))?;
    Ok(e)
}

/// ln Z = ln Σ_σ exp(Σ_b K_b s_b(σ)) by enumeration; `couplings` has one entry per bond.
pub fn enumerate_ln_z(model: Model, torus: &Torus, couplings: &[f64]) -> Result<f64, ModelError> {
    assert_eq!(couplings.len(), torus.bonds(), "one coupling per bond");
    let e = energies(model, torus, couplings)?;
    let m = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(m + sum_exp(&e, m).ln())
}

/// Exact cumulants of all bond variables by enumeration (two passes: weights, then moments).
pub fn enumerate_cumulants(model: Model, torus: &Torus, couplings: &[f64]) -> Result<BondCumulants, ModelError> {
    assert_eq!(couplings.len(), torus.bonds(), "one coupling per bond");
    let d = torus.bonds();
    let e = energies(model, torus, couplings)?;
    let m = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = e.iter().map(|x| (x - m).exp()).collect();
    let z = sum_exp(&e, m);
    let mut mean = vec![0.0; d];
    let mut idx = 0;
    for_each_state(model, torus, |s| {
        let p = w[idx] / z;
        idx += 1;
        for b in 0..d {
            mean[b] += p * s[b];
        }
    })?;
    let (mut g, mut t) = (vec![0.0; d * d], vec![0.0; d * d * d]);
    let mut ds = vec![0.0; d];
    idx = 0;
    for_each_state(model, torus, |s| {
        let p = w[idx] / z;
        idx += 1;
        for b in 0..d {
            ds[b] = s[b] - mean[b];
        }
        for a in 0..d {
            let pa = p * ds[a];
            for b in a..d {
                let pab = pa * ds[b];
                g[a * d + b] += pab;
                for c in b..d {
                    t[(a * d + b) * d + c] += pab * ds[c];
                }
            }
        }
    })?;
    // fill the symmetric images of the a ≤ b ≤ c entries
    for a in 0..d {
        for b in a..d {
            g[b * d + a] = g[a * d + b];
            for c in b..d {
                let v = t[(a * d + b) * d + c];
                for (i, j, k) in [(a, c, b), (b, a, c), (b, c, a), (c, a, b), (c, b, a)] {
                    t[(i * d + j) * d + k] = v;
                }
            }
        }
    }
    Ok(BondCumulants { ln_z: m + z.ln(), mean, g, t })
}

/// Exact energy distribution by enumeration: (E, number of configurations) sorted by E, with
/// E = −Σ_b s_b(σ) at unit couplings (Ising −Σ s_i s_j, Potts −Σ δ, clock −Σ cos). Energies that
/// agree to 1e-9 are one level (clock energies are sums of cosines).
pub fn enumerate_energy_counts(model: Model, torus: &Torus) -> Result<Vec<(f64, u64)>, ModelError> {
    let mut levels: std::collections::BTreeMap<i64, (f64, u64)> = std::collections::BTreeMap::new();
    for_each_state(model, torus, |s| {
        let e = -s.iter().sum::<f64>();
        let entry = levels.entry((e * 1e9).round() as i64).or_insert((e, 0));
        entry.1 += 1;
    })?;
    Ok(levels.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_site_ring_closed_form() {
        // a 1D ring of 2 sites has 2 bonds between the same pair: Z = 2 Σ_{s=±1} e^{2Ks} = 4 cosh 2K
        let t = Torus::new(&[2]).unwrap();
        let k = 0.3;
        let v = enumerate_ln_z(Model::Ising, &t, &[k, k]).unwrap();
        assert!((v - (4.0 * (2.0 * k).cosh()).ln()).abs() < 1e-14);
    }

    #[test]
    fn too_big_is_an_error() {
        let t = Torus::new(&[6, 5]).unwrap();
        let e = enumerate_ln_z(Model::Ising, &t, &vec![0.1; 60]).unwrap_err().to_string();
        assert!(e.contains("2^25"), "{e}");
    }
}
