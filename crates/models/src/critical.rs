//! Known critical couplings, with the exponents ν and η of the transition where it is
//! continuous (shared/physics.md, and from them the Fisher-zero exponent d_R).

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
    /// ν and η of the transition, if it is continuous with known exponents
    pub exponents: Option<Exponents>,
}

/// A critical exponent: an exact fraction p/q, or a numerical estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Exponent {
    /// p/q
    Exact(u64, u64),
    /// a numerical estimate, quoted to five decimals
    Estimate(f64),
}

impl Exponent {
    /// The value.
    pub fn value(self) -> f64 {
        match self {
            Exponent::Exact(p, q) => p as f64 / q as f64,
            Exponent::Estimate(x) => x,
        }
    }
}

/// The correlation-length exponent ν and the anomalous dimension η of a continuous transition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exponents {
    /// ν
    pub nu: Exponent,
    /// η
    pub eta: Exponent,
    /// where they come from
    pub source: &'static str,
}

impl Exponents {
    /// The Fisher-zero exponent d_R = (dν + 2η)/(dν + η) in d dimensions (|R| ∝ N^{d_R},
    /// arXiv:2603.07651; shared/physics.md), with how to write it: the reduced fraction when ν
    /// and η are exact (10/9 for the 2D Ising model), else the formula with the estimates.
    pub fn fisher_d_r(&self, d: usize) -> (f64, String) {
        match (self.nu, self.eta) {
            (Exponent::Exact(a, b), Exponent::Exact(c, e)) => {
                // ν = a/b, η = c/e: d_R = (d a e + 2 c b)/(d a e + c b)
                let (dae, cb) = (d as u64 * a * e, c * b);
                let (num, den) = (dae + 2 * cb, dae + cb);
                let g = gcd(num, den);
                (num as f64 / den as f64, format!("{}/{}", num / g, den / g))
            }
            (nu, eta) => {
                let (nu, eta, df) = (nu.value(), eta.value(), d as f64);
                let label = format!("({d}ν+2η)/({d}ν+η), ν={nu:.5}, η={eta:.5}");
                ((df * nu + 2.0 * eta) / (df * nu + eta), label)
            }
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The critical coupling of `model` on the d-dimensional hypercubic lattice, if known.
///
/// - 2D Ising: K_c = ln(1+√2)/2 (Kramers–Wannier).
/// - 2D Potts: K_c = ln(1+√q) (self-duality; continuous for q ≤ 4, first order above).
/// - 2D clock q = 2, 3, 4: mapped to Ising/Potts (q=2: Ising K_c; q=3: (2/3)ln(1+√3);
///   q=4: two Ising copies at K/2, so 2·K_c^Ising). q ≥ 5 has BKT transitions, not known exactly.
/// - 3D Ising: 0.221654626 (Monte Carlo / series estimate; shared/physics.md).
///
/// Exponents (shared/physics.md): 2D Ising universality (Ising, Potts q = 2, clock q = 2 and
/// q = 4, which is two Ising copies) ν = 1, η = 1/4; 3-state Potts (and clock q = 3) ν = 5/6,
/// η = 4/15; 4-state Potts ν = 2/3, η = 1/4 (den Nijs 1979, Nienhuis 1984); 3D Ising
/// ν = 0.62997, η = 0.03630 (conformal bootstrap estimates). Potts q > 4 is first order: none.
pub fn critical_coupling(model: Model, d: usize) -> Result<CriticalPoint, ModelError> {
    let ising2d = (1.0 + 2f64.sqrt()).ln() / 2.0;
    let exact_2d = |nu: (u64, u64), eta: (u64, u64), source| Exponents {
        nu: Exponent::Exact(nu.0, nu.1),
        eta: Exponent::Exact(eta.0, eta.1),
        source,
    };
    let ising = Some(exact_2d((1, 1), (1, 4), "2D Ising (Onsager; Fisher)"));
    let potts3 = Some(exact_2d((5, 6), (4, 15), "3-state Potts (den Nijs; Nienhuis)"));
    let potts4 = Some(exact_2d((2, 3), (1, 4), "4-state Potts (den Nijs; Nienhuis)"));
    let exact = |coupling, source, exponents| Ok(CriticalPoint { coupling, exact: true, source, exponents });
    match (model, d) {
        (Model::Ising, 2) => exact(ising2d, "Kramers–Wannier: ln(1+√2)/2", ising),
        (Model::Ising, 3) => Ok(CriticalPoint {
            coupling: 0.221654626,
            exact: false,
            source: "3D Ising, Monte Carlo/series estimate",
            exponents: Some(Exponents {
                nu: Exponent::Estimate(0.62997),
                eta: Exponent::Estimate(0.03630),
                source: "3D Ising, conformal bootstrap estimates",
            }),
        }),
        (Model::Potts { q }, 2) => {
            let exponents = match q {
                2 => ising,
                3 => potts3,
                4 => potts4,
                _ => None,
            };
            exact((1.0 + (q as f64).sqrt()).ln(), "self-duality: ln(1+√q)", exponents)
        }
        (Model::Clock { q: 2 }, 2) => exact(ising2d, "clock q=2 = Ising", ising),
        (Model::Clock { q: 3 }, 2) => {
            exact((1.0 + 3f64.sqrt()).ln() * 2.0 / 3.0, "clock q=3 = Potts q=3 at K_P = 3K/2", potts3)
        }
        (Model::Clock { q: 4 }, 2) => exact(2.0 * ising2d, "clock q=4 = two Ising copies at K/2", ising),
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

    #[test]
    fn fisher_exponent_from_nu_and_eta() {
        // shared/physics.md's table: d_R = 10/9, 33/29, 22/19 exactly; 3D Ising 1.019
        let d_r = |m, d| critical_coupling(m, d).unwrap().exponents.unwrap().fisher_d_r(d);
        assert_eq!(d_r(Model::Ising, 2).1, "10/9");
        assert!((d_r(Model::Ising, 2).0 - 10.0 / 9.0).abs() < 1e-15);
        assert_eq!(d_r(Model::Potts { q: 3 }, 2).1, "33/29");
        assert_eq!(d_r(Model::Clock { q: 3 }, 2).1, "33/29");
        assert_eq!(d_r(Model::Potts { q: 4 }, 2).1, "22/19");
        assert_eq!(d_r(Model::Clock { q: 4 }, 2).1, "10/9");
        assert_eq!(d_r(Model::Potts { q: 2 }, 2).1, "10/9");
        let (v, label) = d_r(Model::Ising, 3);
        assert!((v - 1.019).abs() < 5e-4, "{v}");
        assert_eq!(label, "(3ν+2η)/(3ν+η), ν=0.62997, η=0.03630");
        // first order: no exponents
        assert!(critical_coupling(Model::Potts { q: 5 }, 2).unwrap().exponents.is_none());
    }
}
