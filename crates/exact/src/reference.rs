//! The values computed numbers are compared with, in one place: [`reference()`] answers "what is
//! known about this quantity of this system", with the value, whether it is exact, and where it
//! comes from. Every comparison the jobs print (`relative_error_vs_onsager`, `_vs_kaufman`,
//! `_vs_series`, a chain's `exact_energy_per_site`) goes through it.
//!
//! What is known (J = 1; conventions of shared/physics.md):
//! - 2D Ising, h = 0, infinite lattice: ln Z/N (Onsager 1944; anisotropic K_x ≠ K_y in the same
//!   paper), u = E/N (Onsager, isotropic), the spontaneous magnetization
//!   m = [1 − (sinh 2K_x sinh 2K_y)^{−2}]^{1/8} above K_c, 0 below (Yang 1952; Chang 1952 for
//!   K_x ≠ K_y);
//! - 2D Ising, h = 0, the L_x × L_y torus: ln Z (Kaufman 1949), exact at any size;
//! - 3D Ising at K_c, h = 0: f = −ln Z/(NK) from the high-temperature series
//!   (shared/reference.json, ising3d.free_energy_Kc_series) — a reference, not exact;
//! - quantum chains, ground-state energy per site of the infinite chain: transverse-field Ising
//!   (Pfeuty 1970, also the q = 2 quantum Potts chain), spin-½ Heisenberg (Hulthén 1938,
//!   1/4 − ln 2), the self-dual 3-state quantum Potts chain (closed form of the integrable
//!   chain in the normalisation of `onsager_tn::mpo`).

use crate::{kaufman_ln_z, onsager_energy, onsager_ln_z_anisotropic, onsager_ln_z_per_site};
use onsager_models::{critical_coupling, Model};

/// A value to compare with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reference {
    /// the value
    pub value: f64,
    /// whether it is exact (closed form or exact finite-size solution) rather than an estimate
    pub exact: bool,
    /// where it comes from
    pub source: &'static str,
}

/// The system a reference value is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum System {
    /// a classical model on the infinite hypercubic lattice of dimension `dim`, couplings K_x
    /// (and K_y; equal for the isotropic model), uniform field h
    Lattice {
        /// the model
        model: Model,
        /// dimension
        dim: usize,
        /// coupling on horizontal bonds (all bonds when `ky` = `kx`)
        kx: f64,
        /// coupling on vertical bonds
        ky: f64,
        /// field
        h: f64,
    },
    /// a classical 2D model on the finite `lx` × `ly` torus at coupling `k`, h = 0
    Torus {
        /// the model
        model: Model,
        /// columns
        lx: usize,
        /// rows
        ly: usize,
        /// coupling
        k: f64,
    },
    /// the transverse-field Ising chain H = −Σ ZZ − g Σ X, infinite
    TfimChain {
        /// transverse field
        g: f64,
    },
    /// the spin-S XXZ chain H = Σ SˣSˣ + SʸSʸ + Δ SᶻSᶻ (2S = `two_s`), infinite
    XxzChain {
        /// twice the spin
        two_s: usize,
        /// anisotropy Δ
        delta: f64,
    },
    /// the q-state quantum Potts chain at transverse field g, infinite
    QPottsChain {
        /// states
        q: usize,
        /// transverse field
        g: f64,
    },
}

/// The quantity compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// ln Z / N (classical)
    LnZPerSite,
    /// E / N (classical: the energy per site; chains: the ground-state energy per site)
    EnergyPerSite,
    /// the spontaneous magnetization per site (classical, h = 0)
    Magnetization,
}

/// f = −ln Z/(NK) of the 3D Ising model at K_c, from the high-temperature series
/// (shared/reference.json, ising3d.free_energy_Kc_series).
pub const ISING3D_F_KC_SERIES: f64 = -3.5083582548883747;

/// What is known of `quantity` for `system` (see the module doc), or `None`.
pub fn reference(system: System, quantity: Quantity) -> Option<Reference> {
    let exact = |value, source| Some(Reference { value, exact: true, source });
    match (system, quantity) {
        (System::Lattice { model: Model::Ising, dim: 2, kx, ky, h: 0.0 }, q) => {
            let isotropic = kx == ky;
            match q {
                Quantity::LnZPerSite if isotropic => exact(onsager_ln_z_per_site(kx), "Onsager (1944)"),
                Quantity::LnZPerSite => exact(onsager_ln_z_anisotropic(kx, ky), "Onsager (1944), K_x ≠ K_y"),
                Quantity::EnergyPerSite if isotropic => exact(onsager_energy(kx), "Onsager (1944)"),
                Quantity::EnergyPerSite => None,
                Quantity::Magnetization => exact(yang_magnetization(kx, ky), "Yang (1952), Chang (1952)"),
            }
        }
        (System::Lattice { model: Model::Ising, dim: 3, kx, ky, h }, Quantity::LnZPerSite) => {
            let kc = critical_coupling(Model::Ising, 3).ok()?.coupling;
            (h == 0.0 && kx == kc && ky == kc).then_some(Reference {
                value: -ISING3D_F_KC_SERIES * kc,
                exact: false,
                source: "3D Ising high-temperature series, f(K_c)",
            })
        }
        (System::Torus { model: Model::Ising, lx, ly, k }, Quantity::LnZPerSite) if lx > 0 && ly > 0 => {
            exact(kaufman_ln_z(ly, lx, k) / (lx * ly) as f64, "Kaufman (1949)")
        }
        (System::TfimChain { g }, Quantity::EnergyPerSite)
        | (System::QPottsChain { q: 2, g }, Quantity::EnergyPerSite) => exact(tfim_energy_per_site(g), "Pfeuty (1970)"),
        (System::XxzChain { two_s: 1, delta: 1.0 }, Quantity::EnergyPerSite) => {
            exact(0.25 - std::f64::consts::LN_2, "Hulthén (1938): 1/4 − ln 2")
        }
        // the integrable self-dual 3-state chain; VUMPS approaches it as χ grows (1.4e-6 at
        // χ = 32, 1.8e-7 at 64), which is the check of the normalisation
        (System::QPottsChain { q: 3, g: 1.0 }, Quantity::EnergyPerSite) => exact(
            -(4.0 / 3.0 + 2.0 * 3f64.sqrt() / std::f64::consts::PI),
            "self-dual 3-state quantum Potts chain, closed form",
        ),
        _ => None,
    }
}

/// The spontaneous magnetization of the 2D Ising model at h = 0 with couplings K_x, K_y:
/// m = [1 − (sinh 2K_x sinh 2K_y)^{−2}]^{1/8} where sinh 2K_x sinh 2K_y > 1 (ordered), else 0
/// (Yang 1952; Chang 1952).
pub fn yang_magnetization(kx: f64, ky: f64) -> f64 {
    let s = (2.0 * kx).sinh() * (2.0 * ky).sinh();
    if s > 1.0 {
        (1.0 - s.powi(-2)).powf(0.125)
    } else {
        0.0
    }
}

/// e₀(g) = −(1/π) ∫₀^π √(1 + g² + 2g cos k) dk of the infinite TFIM (Pfeuty 1970), by
/// composite Simpson on 2¹⁶ panels of the smooth integrand (at g = 1 it is 2 cos(k/2), smooth on
/// [0, π]); the truncation error is below the rounding of the sum, ~1e-14.
pub fn tfim_energy_per_site(g: f64) -> f64 {
    let n = 1 << 16;
    let h = std::f64::consts::PI / n as f64;
    let f = |k: f64| (1.0 + g * g + 2.0 * g * k.cos()).max(0.0).sqrt();
    let mut s = f(0.0) + f(std::f64::consts::PI);
    for i in 1..n {
        s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    -(s * h / 3.0) / std::f64::consts::PI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfim_energy_closed_form() {
        // g = 1: e0 = −4/π exactly (Pfeuty); g = 0.5 and 1.5 from shared/reference.json
        // ("quantum_chains.tfim_e0_per_site"); 1e-13: rounding of the 2¹⁶-term Simpson sum
        assert!((tfim_energy_per_site(1.0) + 4.0 / std::f64::consts::PI).abs() < 1e-13);
        assert!((tfim_energy_per_site(0.5) - -1.063544409973365).abs() < 1e-13);
        assert!((tfim_energy_per_site(1.5) - -1.671926221536195).abs() < 1e-13);
    }

    #[test]
    fn references_answer_what_is_known_and_only_that() {
        let kc = (1.0 + 2f64.sqrt()).ln() / 2.0;
        let lattice = |model, dim, k, h| System::Lattice { model, dim, kx: k, ky: k, h };
        // at K_c, lnZ/N = 2G/π + ½ ln 2 (G = Catalan's constant 0.915965594177219015…)
        let r = reference(lattice(Model::Ising, 2, kc, 0.0), Quantity::LnZPerSite).unwrap();
        let catalan = 0.915_965_594_177_219;
        assert!(
            r.exact && (r.value - (2.0 * catalan / std::f64::consts::PI + 0.5 * std::f64::consts::LN_2)).abs() < 1e-14
        );
        // u(K_c) = −√2 (Onsager)
        let u = reference(lattice(Model::Ising, 2, kc, 0.0), Quantity::EnergyPerSite).unwrap().value;
        assert!((u + 2f64.sqrt()).abs() < 1e-12);
        // Yang: 0 at and below K_c; at K = 0.6, [1 − sinh(1.2)^{−4}]^{1/8} = 0.9736086674403005
        // (the closed form evaluated independently in Python's math module)
        assert_eq!(reference(lattice(Model::Ising, 2, 0.4, 0.0), Quantity::Magnetization).unwrap().value, 0.0);
        let m = reference(lattice(Model::Ising, 2, 0.6, 0.0), Quantity::Magnetization).unwrap().value;
        assert!((m - 0.9736086674403005).abs() < 1e-15, "{m}");
        // no field, no other model: nothing is claimed
        assert!(reference(lattice(Model::Ising, 2, kc, 0.1), Quantity::LnZPerSite).is_none());
        assert!(reference(lattice(Model::Potts { q: 3 }, 2, 1.0, 0.0), Quantity::LnZPerSite).is_none());
        // 3D: only at K_c, and not exact; lnZ/N = 0.7776438368612953 (shared/reference.json,
        // ising3d.lnZ_per_site_Kc_from_series_f)
        let k3 = 0.221654626;
        let s = reference(lattice(Model::Ising, 3, k3, 0.0), Quantity::LnZPerSite).unwrap();
        assert!(!s.exact && (s.value - 0.7776438368612953).abs() < 1e-15);
        assert!(reference(lattice(Model::Ising, 3, 0.2, 0.0), Quantity::LnZPerSite).is_none());
        // the 2 × 2 torus by hand: Z = 2·(e^{8K}·1 + ...) is Kaufman's; compare with enumeration
        let t = reference(System::Torus { model: Model::Ising, lx: 2, ly: 2, k: 0.3 }, Quantity::LnZPerSite).unwrap();
        // 2×2 periodic torus: each nearest-neighbour pair is joined twice, so E = −2(s₁s₂ + s₂s₄
        // + s₄s₃ + s₃s₁); Z = Σ e^{−KE} over the 16 states = 2e^{8K} + 12 + 2e^{−8K}
        let z = 2.0 * (2.4f64).exp() + 12.0 + 2.0 * (-2.4f64).exp();
        assert!((t.value - z.ln() / 4.0).abs() < 1e-14, "{} vs {}", t.value, z.ln() / 4.0);
        // chains: Hulthén, the 3-state Potts closed form, and nothing for Δ ≠ 1
        let h = reference(System::XxzChain { two_s: 1, delta: 1.0 }, Quantity::EnergyPerSite).unwrap();
        assert!((h.value - (0.25 - std::f64::consts::LN_2)).abs() < 1e-16);
        assert!(reference(System::XxzChain { two_s: 1, delta: 0.5 }, Quantity::EnergyPerSite).is_none());
        assert!(reference(System::QPottsChain { q: 3, g: 1.0 }, Quantity::EnergyPerSite).is_some());
        assert!(reference(System::QPottsChain { q: 3, g: 0.9 }, Quantity::EnergyPerSite).is_none());
    }
}
