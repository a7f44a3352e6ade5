//! The coarse-graining schemes by name: one [`Scheme`] entry per scheme, listed once in
//! [`SCHEMES`]. The CLI makes a subcommand of each entry and the sweeps accept each name as a
//! `command`, so a new scheme is its file (with its `SCHEME` entry) plus one line in [`SCHEMES`]
//! (docs/adding-a-scheme.md).
//!
//! An entry carries what a driver needs before it allocates anything: the constructor, the
//! peak-memory estimate of a run, and what the scheme can do besides lnZ/N.

pub use crate::scheme::{Capabilities, Scheme, Start};

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
