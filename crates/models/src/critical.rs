//! Known critical couplings.

use crate::{Model, ModelError};

/// A critical coupling and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriticalPoint {
    /// K_c (= β_c J with J = 1)
    pub coupling: f64,
    /// whether it is exact (self-duality) or a numerical estimate
    pub exact: bool,
    /// source of the value
    pub source: &'static str,
}

/// The critical coupling of `model` on the d-dimensional hypercubic lattice, if known.
///
/// - 2D Ising: K_c = ln(1+√2)/2 (Kramers–Wannier).
/// - 2D Potts: K_c = ln(1+√q) (self-duality; continuous for q ≤ 4, first order above).
/// - 2D clock q = 2, 3, 4: mapped to Ising/Potts (q=2: Ising K_c; q=3: (2/3)ln(1+√3);
///   q=4: two Ising copies at K/2, so 2·K_c^Ising). q ≥ 5 has BKT transitions, not known exactly.
/// - 3D Ising: 0.221654626 (Monte Carlo / series estimate; shared/physics.md).
pub fn critical_coupling(model: Model, d: usize) -> Result<CriticalPoint, ModelError> {
    let ising2d = (1.0 + 2f64.sqrt()).ln() / 2.0;
    let exact = |coupling, source| Ok(CriticalPoint { coupling, exact: true, source });
    match (model, d) {
        (Model::Ising, 2) => exact(ising2d, "Kramers–Wannier: ln(1+√2)/2"),
        (Model::Ising, 3) => {
            Ok(CriticalPoint { coupling: 0.221654626, exact: false, source: "3D Ising, Monte Carlo/series estimate" })
        }
        (Model::Potts { q }, 2) => exact((1.0 + (q as f64).sqrt()).ln(), "self-duality: ln(1+√q)"),
        (Model::Clock { q: 2 }, 2) => exact(ising2d, "clock q=2 = Ising"),
        (Model::Clock { q: 3 }, 2) => {
            exact((1.0 + 3f64.sqrt()).ln() * 2.0 / 3.0, "clock q=3 = Potts q=3 at K_P = 3K/2")
        }
        (Model::Clock { q: 4 }, 2) => exact(2.0 * ising2d, "clock q=4 = two Ising copies at K/2"),
        (m, d) => Err(ModelError::NoCriticalPoint(format!("the {m} model in {d}D"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_physics_notes() {
        // shared/physics.md: 0.44068679350977147, q=3 1.0050525387423810, q=4 ln 3
        let k = critical_coupling(Model::Ising, 2).unwrap().coupling;
        assert!((k - 0.44068679350977147).abs() < 1e-16);
        let k3 = critical_coupling(Model::Potts { q: 3 }, 2).unwrap().coupling;
        assert!((k3 - 1.005052538742381).abs() < 1e-15);
        let k4 = critical_coupling(Model::Potts { q: 4 }, 2).unwrap().coupling;
        assert!((k4 - 3f64.ln()).abs() < 1e-15);
        assert!(critical_coupling(Model::Clock { q: 6 }, 2).is_err());
        assert!(critical_coupling(Model::Ising, 1).is_err());
    }
}
