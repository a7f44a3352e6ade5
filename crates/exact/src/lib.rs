//! Closed forms and brute force: the bottom rungs of the testing ladder.
//!
//! - [`onsager`]: the infinite square-lattice Ising model (Onsager 1944): lnZ/N, energy, specific heat.
//! - [`kaufman`]: any finite L_x × L_y Ising torus in closed form (Kaufman 1949), evaluated in logs.
//! - [`kasteleyn`]: the same torus as four Pfaffian (free-fermion) sectors, their Bloch blocks and
//!   propagators: the base of the free-fermion Fisher geometry.
//! - [`dos`]: the exact density of states g(E) of the Ising torus in big integers (Pfaffians mod p).
//! - [`microcanonical`]: the exact g(E) of any model (Ising, Potts, clock q ∈ {2, 3, 4, 6}) on any
//!   torus by the microcanonical transfer matrix (counts mod 2^64 and primes, CRT).
//! - [`order_parameter`]: exact ⟨|M|⟩, ⟨M²⟩, ⟨M⁴⟩ of the same models at one coupling, by a
//!   transfer matrix over the lattice of the vector magnetization.
//! - [`mod@reference`]: the values results are compared with (Onsager, Kaufman, Yang, the 3D series
//!   value, Pfeuty, Hulthén), each with its source and whether it is exact.
//! - [`enumerate`]: every configuration of a tiny lattice (≤ 25 Ising spins): lnZ and exact
//!   cumulants of bond variables, for any model.

pub mod dos;
pub mod enumerate;
pub mod kasteleyn;
pub mod kaufman;
pub mod microcanonical;
pub mod onsager;
pub mod order_parameter;
mod quad;
pub mod reference;

pub use enumerate::{
    enumerate_cumulants, enumerate_energy_counts, enumerate_ln_z, BondCumulants, MAX_ENUMERATION_STATES,
};
pub use kaufman::kaufman_ln_z;
pub use onsager::{onsager_energy, onsager_ln_z_anisotropic, onsager_ln_z_per_site, onsager_specific_heat};
pub use reference::{reference, Quantity, Reference, System};

/// Adds numbers given as (sign, ln|x|) pairs; returns (sign, ln|sum|).
pub fn signed_log_sum(terms: &[(f64, f64)]) -> (f64, f64) {
    let m = terms.iter().filter(|t| t.0 != 0.0).map(|t| t.1).fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return (0.0, f64::NEG_INFINITY);
    }
    let s: f64 = terms.iter().map(|&(sg, l)| sg * (l - m).exp()).sum();
    (s.signum(), m + s.abs().ln())
}
