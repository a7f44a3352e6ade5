//! The coarse-graining schemes by name: one [`Scheme`] entry per scheme, listed once in
//! [`SCHEMES`]. The CLI makes a subcommand of each entry and the sweeps accept each name as a
//! `command`, so a new scheme is its file (with its `SCHEME` entry) plus one line in [`SCHEMES`]
//! (docs/adding-a-scheme.md).
//!
//! An entry carries what a driver needs before it allocates anything: the constructor, the
//! peak-memory estimate of a run, and what the scheme can do besides lnZ/N.

use crate::CoarseGraining;
use ndarray::ArrayD;

/// What a scheme supports besides lnZ/N (the job refuses the others with a one-line reason).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Gu–Wen conformal data from its last 4-leg tensor ([`CoarseGraining::site_tensor`])
    pub spectrum: bool,
    /// energy and magnetization from impurity tensors ([`Start::impurities`])
    pub observables: bool,
    /// the simple cubic lattice (Ising): runs [`crate::hotrg3d`]
    pub three_d: bool,
}

/// What a scheme starts from.
#[derive(Debug, Clone)]
pub struct Start {
    /// the site tensor a\[l,u,r,d\] of one site
    pub tensor: ArrayD<f64>,
    /// Z₂ parity of every leg state when the model has the spin-flip symmetry (a scheme may use
    /// it to work on parity blocks, or ignore it)
    pub parity: Option<Vec<u8>>,
    /// impurity site tensors carried along (only for schemes with `observables`)
    pub impurities: Vec<ArrayD<f64>>,
}

/// A registered scheme.
#[derive(Clone, Copy)]
pub struct Scheme {
    /// its name: the CLI subcommand and the sweep `command`
    pub name: &'static str,
    /// one line for `onsager --help`
    pub about: &'static str,
    /// builds the scheme from its start
    pub build: fn(Start) -> Box<dyn CoarseGraining>,
    /// peak bytes of a 2D run: (leg states q of the site tensor, χ, steps, parity blocks used)
    pub peak_bytes: fn(usize, usize, usize, bool) -> f64,
    /// what it can do
    pub capabilities: Capabilities,
}

impl std::fmt::Debug for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheme").field("name", &self.name).field("capabilities", &self.capabilities).finish()
    }
}

/// Every coarse-graining scheme, in the order `onsager --help` lists them.
pub static SCHEMES: &[Scheme] = &[crate::trg::SCHEME, crate::btrg::SCHEME, crate::hotrg::SCHEME];

/// The scheme of this name.
pub fn find(name: &str) -> Option<&'static Scheme> {
    SCHEMES.iter().find(|s| s.name == name)
}

/// The registered names, comma-separated (for error messages).
pub fn names() -> String {
    SCHEMES.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for s in SCHEMES {
            assert_eq!(find(s.name).map(|f| f.name), Some(s.name));
            assert_eq!(SCHEMES.iter().filter(|t| t.name == s.name).count(), 1);
        }
        assert!(find("nope").is_none());
    }
}
