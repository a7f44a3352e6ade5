//! Couplings K_b, one per bond of a torus.

use crate::{ModelError, Torus};

/// One coupling per bond, indexed like [`Torus`] bonds (`site·d + μ`).
///
/// The exact transfer-matrix paths need couplings that are uniform per direction (translation
/// invariance); enumeration takes any [`Couplings`].
#[derive(Debug, Clone, PartialEq)]
pub struct Couplings {
    values: Vec<f64>,
    d: usize,
}

impl Couplings {
    /// The same K on every bond.
    pub fn uniform(torus: &Torus, k: f64) -> Self {
        Couplings { values: vec![k; torus.bonds()], d: torus.d() }
    }

    /// K_μ on every bond along axis μ.
    pub fn per_direction(torus: &Torus, k: &[f64]) -> Result<Self, ModelError> {
        if k.len() != torus.d() {
            return Err(ModelError::range("couplings", k.len(), "one coupling per lattice direction"));
        }
        Ok(Couplings { values: (0..torus.bonds()).map(|b| k[b % torus.d()]).collect(), d: torus.d() })
    }

    /// Arbitrary per-bond couplings (finite values, one per bond).
    pub fn per_bond(torus: &Torus, values: Vec<f64>) -> Result<Self, ModelError> {
        if values.len() != torus.bonds() {
            return Err(ModelError::range(
                "couplings",
                values.len(),
                &format!("exactly {} values (one per bond)", torus.bonds()),
            ));
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(ModelError::range("coupling", v, "finite numbers"));
        }
        Ok(Couplings { values, d: torus.d() })
    }

    /// The couplings as a slice, bond order.
    pub fn as_slice(&self) -> &[f64] {
        &self.values
    }

    /// `Some(K_μ)` if the couplings are uniform per direction (what the transfer matrices need).
    pub fn per_direction_values(&self) -> Option<Vec<f64>> {
        let k: Vec<f64> = self.values[..self.d].to_vec();
        self.values.iter().enumerate().all(|(b, &v)| v == k[b % self.d]).then_some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_direction_round_trip() {
        let t = Torus::new(&[3, 4]).unwrap();
        let c = Couplings::per_direction(&t, &[0.1, 0.2]).unwrap();
        assert_eq!(c.per_direction_values(), Some(vec![0.1, 0.2]));
        let mut v = c.as_slice().to_vec();
        v[5] = 0.3;
        assert_eq!(Couplings::per_bond(&t, v).unwrap().per_direction_values(), None);
        assert!(Couplings::per_bond(&t, vec![0.1; 3]).is_err());
    }
}
