//! Lattice models as data.
//!
//! A [`Model`] says what lives on a site (Ising spin, q-state Potts or clock variable) and what
//! the bond variable `f(σ_i, σ_j)` is; a [`Torus`] says where the sites are. Algorithms take
//! a `(Model, Torus, couplings)` value and never branch on a type per model.
//!
//! Conventions (shared/physics.md): the Boltzmann weight is `exp(Σ_bonds K_b f(σ_i, σ_j))` with
//! - Ising:  σ ∈ {0,1}, s = 1 − 2σ, f = s_i s_j,
//! - Potts:  σ ∈ {0..q−1}, f = δ(σ_i, σ_j),
//! - clock:  θ = 2πσ/q, f = cos(θ_i − θ_j).

mod couplings;
mod critical;
mod lattice;

pub use couplings::Couplings;
pub use critical::{critical_coupling, CriticalPoint, Exponent, Exponents};
pub use lattice::Torus;

use std::fmt;
use thiserror::Error;

/// Errors a user can cause when describing a model or lattice.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// A parameter outside its allowed range; the message names both.
    #[error("{name} = {value} is out of range: {allowed}")]
    OutOfRange {
        /// the parameter's field name (`q`, `lx`, `beta`; the CLI shows it as a flag, a sweep
        /// as a key), or a quantity's name when no one parameter is at fault (`L`, `dimension`)
        name: String,
        /// the offending value, printed
        value: String,
        /// the allowed range in words
        allowed: String,
    },
    /// No known critical coupling for this model and dimension.
    #[error("beta = critical is out of range: no known critical coupling for {0}; give a number")]
    NoCriticalPoint(String),
}

impl ModelError {
    /// Shorthand for [`ModelError::OutOfRange`].
    pub fn range(name: &str, value: impl fmt::Display, allowed: &str) -> Self {
        ModelError::OutOfRange { name: name.into(), value: value.to_string(), allowed: allowed.into() }
    }
}

/// All q! permutations of 0..q.
fn all_permutations(q: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![vec![]];
    for _ in 0..q {
        let mut next = Vec::new();
        for p in &out {
            for x in (0..q).filter(|x| !p.contains(x)) {
                let mut p2 = p.clone();
                p2.push(x);
                next.push(p2);
            }
        }
        out = next;
    }
    out
}

/// The local degree of freedom and its bond variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Ising spins s = ±1, bond variable s_i s_j.
    Ising,
    /// q-state Potts, bond variable δ(σ_i, σ_j).
    Potts {
        /// number of states, q ≥ 2
        q: usize,
    },
    /// q-state clock, bond variable cos(2π(σ_i − σ_j)/q).
    Clock {
        /// number of states, q ≥ 2
        q: usize,
    },
}

impl Model {
    /// Builds a model by name (`ising`, `potts`, `clock`), checking q.
    pub fn from_name(name: &str, q: Option<usize>) -> Result<Self, ModelError> {
        let check_q = |q: Option<usize>| match q {
            None => Err(ModelError::range("q", "missing", "give `q` with 2 ≤ q ≤ 64")),
            Some(q) if !(2..=64).contains(&q) => Err(ModelError::range("q", q, "2 ≤ q ≤ 64")),
            Some(q) => Ok(q),
        };
        match name {
            "ising" => Ok(Model::Ising),
            "potts" => Ok(Model::Potts { q: check_q(q)? }),
            "clock" => Ok(Model::Clock { q: check_q(q)? }),
            other => Err(ModelError::range("model", other, "one of ising, potts, clock, ising3d, ising1d")),
        }
    }

    /// Number of states per site.
    pub fn q(&self) -> usize {
        match *self {
            Model::Ising => 2,
            Model::Potts { q } | Model::Clock { q } => q,
        }
    }

    /// The bond variable f(σ, σ') for site states σ, σ' ∈ 0..q.
    #[inline]
    pub fn bond(&self, a: usize, b: usize) -> f64 {
        match *self {
            Model::Ising => {
                if a == b {
                    1.0
                } else {
                    -1.0
                }
            }
            Model::Potts { .. } => {
                if a == b {
                    1.0
                } else {
                    0.0
                }
            }
            Model::Clock { q } => {
                let d = (a as i64 - b as i64).rem_euclid(q as i64) as usize;
                // exact values where cos(2πd/q) is rational, so that the q = 2, 3, 4, 6 clocks
                // reproduce Ising/Potts to the last bit
                let twelfths = (12 * d).is_multiple_of(q);
                match (twelfths, 12 * d / q) {
                    (true, 0) => 1.0,
                    (true, 2) | (true, 10) => 0.5,
                    (true, 3) | (true, 9) => 0.0,
                    (true, 4) | (true, 8) => -0.5,
                    (true, 6) => -1.0,
                    _ => (2.0 * std::f64::consts::PI * d as f64 / q as f64).cos(),
                }
            }
        }
    }

    /// Global spin permutations g (σ → g\[σ\]) with f(g σ, g σ') = f(σ, σ'), as a group: all q!
    /// permutations (S_q) for Ising and for Potts with q ≤ `max_symmetric`, else the dihedral
    /// group σ → ±σ + k of order 2q (the clock model's symmetry group; a subgroup of S_q for
    /// larger Potts). Listed without repeats, in no particular order.
    pub fn spin_permutations(&self, max_symmetric: usize) -> Vec<Vec<usize>> {
        let q = self.q();
        match *self {
            Model::Ising => all_permutations(2),
            Model::Potts { q } if q <= max_symmetric => all_permutations(q),
            _ => {
                let mut out: Vec<Vec<usize>> = Vec::new();
                for t in 0..q {
                    for p in
                        [(0..q).map(|s| (s + t) % q).collect::<Vec<_>>(), (0..q).map(|s| (t + q - s) % q).collect()]
                    {
                        if !out.contains(&p) {
                            out.push(p);
                        }
                    }
                }
                out
            }
        }
    }

    /// The q × q bond matrix f(σ, σ'), row-major.
    pub fn bond_matrix(&self) -> Vec<f64> {
        let q = self.q();
        (0..q * q).map(|i| self.bond(i / q, i % q)).collect()
    }

    /// Short name used in output (`ising`, `potts3`, `clock6`).
    pub fn name(&self) -> String {
        match *self {
            Model::Ising => "ising".into(),
            Model::Potts { q } => format!("potts{q}"),
            Model::Clock { q } => format!("clock{q}"),
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Model::Ising => write!(f, "Ising"),
            Model::Potts { q } => write!(f, "{q}-state Potts"),
            Model::Clock { q } => write!(f, "{q}-state clock"),
        }
    }
}

/// Checks an inverse temperature / coupling: finite and ≥ 0 (ferromagnetic).
pub fn check_beta(beta: f64) -> Result<f64, ModelError> {
    if beta.is_finite() && beta >= 0.0 {
        Ok(beta)
    } else {
        Err(ModelError::range("beta", beta, "a finite number ≥ 0, or 'critical'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spin_permutations_are_symmetries_of_the_bond_variable() {
        // orders: |S_2| = 2, |S_3| = 6, |S_5| = 120; the dihedral group has 2q elements (q ≥ 3)
        for (model, order) in [
            (Model::Ising, 2),
            (Model::Potts { q: 3 }, 6),
            (Model::Potts { q: 5 }, 120),
            (Model::Potts { q: 6 }, 12),
            (Model::Clock { q: 6 }, 12),
            (Model::Clock { q: 2 }, 2),
        ] {
            let g = model.spin_permutations(5);
            assert_eq!(g.len(), order, "{model}");
            let q = model.q();
            for p in &g {
                assert!(
                    (0..q * q).all(|i| model.bond(p[i / q], p[i % q]) == model.bond(i / q, i % q)),
                    "{model} {p:?}"
                );
            }
        }
    }

    #[test]
    fn clock_small_q_matches_ising_and_potts_exactly() {
        // cos(π) = −1, cos(π/2) = 0, cos(2π/3) = −1/2: exact by construction
        let c2 = Model::Clock { q: 2 };
        assert_eq!(c2.bond(0, 1), -1.0);
        let c4 = Model::Clock { q: 4 };
        assert_eq!(c4.bond(0, 1), 0.0);
        assert_eq!(c4.bond(0, 3), 0.0);
        assert_eq!(c4.bond(1, 3), -1.0);
        let c3 = Model::Clock { q: 3 };
        assert!((c3.bond(0, 1) + 0.5).abs() < 1e-15);
        let c6 = Model::Clock { q: 6 };
        assert!((c6.bond(0, 1) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn bad_q_and_model_are_named() {
        let e = Model::from_name("potts", Some(1)).unwrap_err().to_string();
        assert!(e.starts_with("q = ") && e.contains("2 ≤ q"), "{e}");
        let e = Model::from_name("xy", None).unwrap_err().to_string();
        assert!(e.starts_with("model = "), "{e}");
        assert!(check_beta(f64::NAN).is_err());
        assert!(check_beta(-0.1).is_err());
    }
}
