//! The row-to-row transfer matrix of a periodic strip, applied matrix-free.
//!
//! A layer is a (d−1)-dimensional torus of `n_s` sites with `N = q^{n_s}` states; state index
//! `s = Σ_i σ_i q^i` (site i is digit i). The symmetric transfer matrix is
//!
//! W = H^{1/2} V H^{1/2},  H = diag(exp(Σ_{in-layer bonds} K_μ f)),  V = ⊗_i v,  v = exp(K_⊥ f),
//!
//! so Z(torus with M layers) = Tr W^M. Entries are scaled by `exp(−log_scale)` (the largest
//! possible bond energy of one layer) so nothing overflows; [`Strip::log_scale`] gives the
//! factor back: W_true = e^{log_scale} W.
//!
//! [`Strip::apply`] multiplies a vector in O(N · n_s · q) time and O(N) extra memory, one site
//! at a time; [`Strip::dense`] forms the N × N matrix for small N.

use faer::Mat;
use onsager_models::{Model, ModelError, Torus};
use rayon::prelude::*;

/// A periodic strip: model, layer geometry and the couplings per lattice direction.
#[derive(Debug, Clone)]
pub struct Strip {
    model: Model,
    layer_dims: Vec<usize>,
    n_s: usize,
    /// couplings per direction; the last one is the transfer (perpendicular) direction
    k: Vec<f64>,
    /// in-layer bonds: (site, neighbour, direction)
    in_layer: Vec<(usize, usize, usize)>,
    fmax: f64,
}

impl Strip {
    /// A strip whose layers are the first d−1 axes of `torus` (the transfer direction is the last
    /// axis); `k\[μ\]` is the coupling of bonds along axis μ.
    pub fn new(model: Model, torus: &Torus, k: &[f64]) -> Self {
        let d = torus.d();
        assert_eq!(k.len(), d, "one coupling per direction");
        let layer_dims = torus.dims()[..d - 1].to_vec();
        let n_s = torus.layer_sites();
        let mut in_layer = Vec::new();
        for s in 0..n_s {
            for mu in 0..d - 1 {
                let (a, b) = torus.bond_sites(s * d + mu);
                debug_assert_eq!(a, s);
                in_layer.push((s, b, mu));
            }
        }
        let fmax = model.bond_matrix().into_iter().fold(f64::NEG_INFINITY, f64::max);
        Strip { model, layer_dims, n_s, k: k.to_vec(), in_layer, fmax }
    }

    /// The width-`width` strip of a 2D model with isotropic coupling `k`.
    pub fn square(model: Model, width: usize, k: f64) -> Result<Self, ModelError> {
        let t = Torus::new(&[width, 2])?;
        Ok(Self::new(model, &t, &[k, k]))
    }

    /// The model.
    pub fn model(&self) -> Model {
        self.model
    }

    /// Sites per layer.
    pub fn layer_sites(&self) -> usize {
        self.n_s
    }

    /// Geometry of a layer (the first d−1 side lengths).
    pub fn layer_dims(&self) -> &[usize] {
        &self.layer_dims
    }

    /// Number of layer states q^{n_s} (`None` if it overflows usize).
    pub fn n_states(&self) -> Option<usize> {
        self.model.q().checked_pow(self.n_s as u32)
    }

    /// ln of the scale removed from every entry: W_true = exp(log_scale) · W.
    pub fn log_scale(&self) -> f64 {
        let kin: f64 = self.in_layer.iter().map(|&(_, _, mu)| self.k[mu] * self.fmax).sum();
        kin + self.n_s as f64 * self.k[self.k.len() - 1] * self.fmax
    }

    /// Digit (state of site `i`) of layer state `s`.
    #[inline]
    pub fn digit(&self, s: usize, i: usize) -> usize {
        (s / self.model.q().pow(i as u32)) % self.model.q()
    }

    /// All digits of a layer state.
    pub fn digits(&self, mut s: usize) -> Vec<usize> {
        let q = self.model.q();
        (0..self.n_s)
            .map(|_| {
                let d = s % q;
                s /= q;
                d
            })
            .collect()
    }

    /// In-layer bonds as (site, neighbour, direction).
    pub fn in_layer_bonds(&self) -> &[(usize, usize, usize)] {
        &self.in_layer
    }

    /// The scaled one-site perpendicular factor v\[σ,σ'\] = exp(K_⊥ (f(σ,σ') − f_max)), row-major.
    pub fn vertical_factor(&self) -> Vec<f64> {
        let kv = self.k[self.k.len() - 1];
        self.model.bond_matrix().iter().map(|f| (kv * (f - self.fmax)).exp()).collect()
    }

    /// sqrt of the scaled in-layer weight of each state, exp(½ Σ K_μ (f − f_max)).
    pub fn half_diagonal(&self) -> Vec<f64> {
        let q = self.model.q();
        let fm = self.model.bond_matrix();
        let n = self.n_states().expect("state count fits in usize");
        (0..n)
            .into_par_iter()
            .map(|s| {
                let e: f64 = self
                    .in_layer
                    .iter()
                    .map(|&(i, j, mu)| self.k[mu] * (fm[self.digit(s, i) * q + self.digit(s, j)] - self.fmax))
                    .sum();
                (0.5 * e).exp()
            })
            .collect()
    }

    /// y = W x, matrix-free. `half_diag` is [`Strip::half_diagonal`] (passed in so repeated
    /// products do not recompute it); `scratch` has length N.
    pub fn apply(&self, half_diag: &[f64], x: &[f64], y: &mut [f64], scratch: &mut [f64]) {
        let q = self.model.q();
        let v = self.vertical_factor();
        const CH: usize = 1 << 12;
        // y ← H^{1/2} x
        y.par_chunks_mut(CH).zip(x.par_chunks(CH)).zip(half_diag.par_chunks(CH)).for_each(|((y, x), h)| {
            for i in 0..y.len() {
                y[i] = h[i] * x[i];
            }
        });
        // one site at a time: out[s] = Σ_t v[digit_i(s), t] in[s with digit i → t]
        let (mut src, mut dst) = (y, scratch);
        for i in 0..self.n_s {
            let stride = q.pow(i as u32);
            let input: &[f64] = src;
            dst.par_chunks_mut(CH).enumerate().for_each(|(c, out)| {
                let base = c * CH;
                for (o, val) in out.iter_mut().enumerate() {
                    let s = base + o;
                    let di = (s / stride) % q;
                    let s0 = s - di * stride;
                    let row = &v[di * q..di * q + q];
                    let mut acc = 0.0;
                    for t in 0..q {
                        acc += row[t] * input[s0 + t * stride];
                    }
                    *val = acc;
                }
            });
            std::mem::swap(&mut src, &mut dst);
        }
        // after n_s swaps the result is in `src`; it is `y` iff n_s is even
        let result: &mut [f64] = src;
        let other: &mut [f64] = dst;
        let apply_h = |out: &mut [f64], inp: &[f64]| {
            out.par_chunks_mut(CH).zip(inp.par_chunks(CH)).zip(half_diag.par_chunks(CH)).for_each(|((o, x), h)| {
                for i in 0..o.len() {
                    o[i] = h[i] * x[i];
                }
            });
        };
        if self.n_s.is_multiple_of(2) {
            result.par_chunks_mut(CH).zip(half_diag.par_chunks(CH)).for_each(|(o, h)| {
                for i in 0..o.len() {
                    o[i] *= h[i];
                }
            });
        } else {
            // result lives in scratch: write H^{1/2}·result into y
            apply_h(other, result);
        }
    }

    /// The dense scaled transfer matrix W (N × N), built as a Kronecker product.
    pub fn dense(&self) -> Mat<f64> {
        let q = self.model.q();
        let n = self.n_states().expect("state count fits in usize");
        let v = self.vertical_factor();
        let h = self.half_diagonal();
        // V[s,s'] = Π_i v[σ_i, σ'_i]; built digit by digit
        let mut vk = vec![1.0f64];
        let mut dim = 1;
        for _ in 0..self.n_s {
            let nd = dim * q;
            let mut next = vec![0.0; nd * nd];
            // new digit is the most significant: index = old + dim·σ
            for a in 0..q {
                for b in 0..q {
                    let f = v[a * q + b];
                    for r in 0..dim {
                        for c in 0..dim {
                            next[(a * dim + r) * nd + b * dim + c] = f * vk[r * dim + c];
                        }
                    }
                }
            }
            vk = next;
            dim = nd;
        }
        Mat::from_fn(n, n, |r, c| h[r] * vk[r * n + c] * h[c])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_free_equals_dense() {
        for (model, w) in [(Model::Ising, 5), (Model::Ising, 4), (Model::Potts { q: 3 }, 3), (Model::Clock { q: 4 }, 3)]
        {
            let s = Strip::square(model, w, 0.37).unwrap();
            let n = s.n_states().unwrap();
            let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
            let (mut y, mut scratch) = (vec![0.0; n], vec![0.0; n]);
            s.apply(&s.half_diagonal(), &x, &mut y, &mut scratch);
            let wd = s.dense();
            for r in 0..n {
                let e: f64 = (0..n).map(|c| wd[(r, c)] * x[c]).sum();
                assert!((e - y[r]).abs() < 1e-12 * (1.0 + e.abs()), "{model} w={w} row {r}: {e} vs {}", y[r]);
            }
        }
    }
}
