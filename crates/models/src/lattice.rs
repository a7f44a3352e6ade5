//! Periodic hypercubic lattices (tori) and their bond indexing.

use crate::ModelError;

/// A periodic hypercubic lattice with side lengths `dims = (L_0, …, L_{d−1})`.
///
/// Indexing (shared with the transfer matrices, which transfer along the **last** axis):
/// a layer is the (d−1)-torus at fixed `x_{d−1} = y`, holding `n_s = L_0 ⋯ L_{d−2}` sites
/// in C order; `site = y·n_s + s`. Bond `(site, μ)` joins `site` and `site + e_μ` and has index
/// `site·d + μ`, so each layer owns `d·n_s` consecutive bonds: directions μ < d−1 lie in the
/// layer, μ = d−1 joins it to the next layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Torus {
    dims: Vec<usize>,
}

impl Torus {
    /// A torus with the given side lengths (1 ≤ d ≤ 3, every side ≥ 1; a 1D ring needs L ≥ 2).
    pub fn new(dims: &[usize]) -> Result<Self, ModelError> {
        if dims.is_empty() || dims.len() > 3 {
            return Err(ModelError::range("dimension", dims.len(), "1, 2 or 3"));
        }
        for (i, &l) in dims.iter().enumerate() {
            let name = ["lx", "ly", "lz"][i];
            if !(1..=1 << 20).contains(&l) {
                return Err(ModelError::range(name, l, "1 ≤ L ≤ 1048576"));
            }
        }
        Ok(Torus { dims: dims.to_vec() })
    }

    /// The square/cubic torus L^d.
    pub fn hypercube(l: usize, d: usize) -> Result<Self, ModelError> {
        Self::new(&vec![l; d])
    }

    /// Side lengths.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// Dimension d.
    pub fn d(&self) -> usize {
        self.dims.len()
    }

    /// Number of sites N.
    pub fn sites(&self) -> usize {
        self.dims.iter().product()
    }

    /// Number of bonds D = d·N.
    pub fn bonds(&self) -> usize {
        self.d() * self.sites()
    }

    /// Sites per layer n_s (layers are orthogonal to the last axis).
    pub fn layer_sites(&self) -> usize {
        self.dims[..self.d() - 1].iter().product()
    }

    /// Number of layers (the last side length).
    pub fn layers(&self) -> usize {
        *self.dims.last().expect("non-empty dims")
    }

    /// Coordinates of a site.
    pub fn coords(&self, site: usize) -> Vec<usize> {
        let mut x = vec![0; self.d()];
        let mut r = site;
        // C order within a layer, layer index last
        let y = r / self.layer_sites();
        r %= self.layer_sites();
        for k in (0..self.d() - 1).rev() {
            x[k] = r % self.dims[k];
            r /= self.dims[k];
        }
        x[self.d() - 1] = y;
        x
    }

    /// Site index of (periodically wrapped) coordinates.
    pub fn site(&self, x: &[i64]) -> usize {
        let d = self.d();
        let mut s = 0usize;
        for k in 0..d - 1 {
            s = s * self.dims[k] + x[k].rem_euclid(self.dims[k] as i64) as usize;
        }
        x[d - 1].rem_euclid(self.dims[d - 1] as i64) as usize * self.layer_sites() + s
    }

    /// The two sites joined by bond `b = site·d + μ`.
    pub fn bond_sites(&self, b: usize) -> (usize, usize) {
        let d = self.d();
        let (site, mu) = (b / d, b % d);
        let mut x: Vec<i64> = self.coords(site).into_iter().map(|v| v as i64).collect();
        x[mu] += 1;
        (site, self.site(&x))
    }

    /// Human-readable shape, e.g. `8x8` or `3x3x3`.
    pub fn label(&self) -> String {
        self.dims.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("x")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bond_indexing_round_trips() {
        let t = Torus::new(&[3, 4]).unwrap();
        assert_eq!(t.bonds(), 24);
        // site 0 = (0,0); its x-bond goes to (1,0) = site 1, its y-bond to (0,1) = site 3
        assert_eq!(t.bond_sites(0), (0, 1));
        assert_eq!(t.bond_sites(1), (0, 3));
        // last site (2,3): x-bond wraps to (0,3) = 9, y-bond wraps to (2,0) = 2
        assert_eq!(t.bond_sites(11 * 2), (11, 9));
        assert_eq!(t.bond_sites(11 * 2 + 1), (11, 2));
        for s in 0..t.sites() {
            let x: Vec<i64> = t.coords(s).iter().map(|&v| v as i64).collect();
            assert_eq!(t.site(&x), s);
        }
    }

    #[test]
    fn zero_side_is_rejected_with_name() {
        let e = Torus::new(&[0, 4]).unwrap_err().to_string();
        assert!(e.starts_with("lx = "), "{e}");
    }
}
