//! R, A, B of a 2D torus from pinned slices that are generated, never stored.
//!
//! The formulas are those of [`crate::geometry`] (Fourier route):
//! B = (1/N) Σ_{k₁,k₂} T̂_{γαβ}(k₁,k₂) conj T̂_{γ'α'β'}(k₁,k₂) Ĝ_{γγ'}(−k₁−k₂) Ĝ_{αα'}(k₁) Ĝ_{ββ'}(k₂),
//! v_γ = (1/N) Σ_k Ĝ_{αβ}(k) T̂_{γαβ}(k, −k), A = N v Ĝ(0) v.
//!
//! The full T̂ has 8N² complex entries (34 GB at L = 128), so it is built a slab of k₁ₓ at a time:
//! for each row y₁ the slices T_{(0,γ),(x₁,y₁,α),·} of all x₁ are generated (by a callback),
//! transformed over the third bond's position (2D FFT, the two directions β packed into one
//! complex transform) and over x₁ (1D FFT), and the slab's k₁ₓ are kept; after the last row the
//! slab is transformed over y₁ and contracted. T is real, so the summand at (−k₁, −k₂) is the
//! conjugate of that at (k₁, k₂): only k₁ₓ ∈ [0, L_x/2] is needed (weights 1 or 2).
//!
//! Memory: slab 8·n_kx·N·L_y complex + 8·L_x·N complex for one row block. Time: each pass
//! regenerates all 8N² entries of T (the dominant cost) and does O(N² log N) FFT work.

use crate::curvature::Curvature;
use num_complex::Complex64 as C;
use rayon::prelude::*;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// Bytes of the k₁ₓ slab per k₁ₓ value and of the fixed buffers, for an L_x × L_y torus.
pub fn bytes(lx: usize, ly: usize) -> (f64, f64) {
    let n = (lx * ly) as f64;
    let per_kx = 8.0 * n * ly as f64 * 16.0;
    // one row block (complex) + per-thread real rows + ĝ tables
    let fixed = 8.0 * lx as f64 * n * 16.0 + 2.0 * 4.0 * n * 8.0 * rayon::current_num_threads() as f64 + 64.0 * n;
    (per_kx, fixed)
}

/// Number of k₁ₓ slabs (passes over T) needed to stay within `budget` bytes.
pub fn passes(lx: usize, ly: usize, budget: f64) -> Option<usize> {
    let (per_kx, fixed) = bytes(lx, ly);
    let nk = lx / 2 + 1;
    let fit = ((budget - fixed) / per_kx).floor();
    if fit < 1.0 {
        return None;
    }
    let c = (fit as usize).min(nk);
    Some(nk.div_ceil(c))
}

/// 2 × 2 complex inverse.
fn inv2(m: [[C; 2]; 2]) -> [[C; 2]; 2] {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    [[m[1][1] / det, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det]]
}

/// Eigenvalues of a 2 × 2 Hermitian matrix.
fn eig2(m: [[C; 2]; 2]) -> (f64, f64) {
    let (a, d, b) = (m[0][0].re, m[1][1].re, m[0][1].norm());
    let mid = 0.5 * (a + d);
    let r = (0.25 * (a - d) * (a - d) + b * b).sqrt();
    (mid - r, mid + r)
}

/// How one job is shared among processes (MPI ranks): this process's rank, the count, and an
/// elementwise sum over all of them. Rows y₁ are dealt round-robin; the slab (zero in the rows of
/// other ranks) is summed; each rank then transforms and contracts its own k₁ₓ, and the partial
/// B and v are summed, so every process ends with the same R. [`Alone`] is the single-process
/// case (no reduction at all).
pub trait Partition {
    /// this process, 0-based
    fn rank(&self) -> usize;
    /// number of processes
    fn size(&self) -> usize;
    /// x ← Σ_processes x, on every process
    fn all_sum(&self, x: &mut [f64]);
}

/// One process.
pub struct Alone;

impl Partition for Alone {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn all_sum(&self, _x: &mut [f64]) {}
}

/// `row(γ, site₁, α, out)` fills out[site₂·2 + β] = T_{(0,γ),(site₁,α),(site₂,β)}.
pub type SliceRow<'a> = dyn Fn(usize, usize, usize, &mut [f64]) + Sync + 'a;

struct Plans {
    x: Arc<dyn Fft<f64>>,
    y: Arc<dyn Fft<f64>>,
}

impl Plans {
    /// Forward 2D FFT of an L_x × L_y array (index y·L_x + x), `tmp` of the same length.
    fn fft2(&self, buf: &mut [C], tmp: &mut [C], lx: usize, ly: usize) {
        self.x.process(buf);
        for y in 0..ly {
            for x in 0..lx {
                tmp[x * ly + y] = buf[y * lx + x];
            }
        }
        self.y.process(tmp);
        for x in 0..lx {
            for y in 0..ly {
                buf[y * lx + x] = tmp[x * ly + y];
            }
        }
    }
}

/// R, A, B of the L_x × L_y torus (d = 2, bond b = site·2 + μ, site = y·L_x + x) from
/// - `g\[γ\]`: the metric row g_{(0,γ), b} (length 2N),
/// - `row(γ, site₁, α, out)`: fills out[site₂·2 + β] = T_{(0,γ),(site₁,α),(site₂,β)},
///
/// using at most `budget` bytes for the slab (more passes when it is small). `tick` is called
/// once per generated row block (L_y per pass).
pub fn curvature_streaming(
    lx: usize,
    ly: usize,
    g: &[Vec<f64>; 2],
    row: &SliceRow<'_>,
    budget: f64,
    tick: &(dyn Fn() + Sync),
) -> Option<Curvature> {
    curvature_streaming_shared(lx, ly, g, row, budget, tick, &Alone)
}

/// [`curvature_streaming`] with the work dealt among the processes of `part`.
pub fn curvature_streaming_shared(
    lx: usize,
    ly: usize,
    g: &[Vec<f64>; 2],
    row: &SliceRow<'_>,
    budget: f64,
    tick: &(dyn Fn() + Sync),
    part: &dyn Partition,
) -> Option<Curvature> {
    let (me, procs) = (part.rank(), part.size());
    let n = lx * ly;
    let nd = 2 * n;
    let mut planner = FftPlanner::<f64>::new();
    let plans = Plans { x: planner.plan_fft_forward(lx), y: planner.plan_fft_forward(ly) };
    let (ginv, eig_min, eig_max) = inverse_metric(lx, ly, g);
    let neg = |kx: usize, ky: usize| ((ly - ky) % ly) * lx + (lx - kx) % lx;

    let nk = lx / 2 + 1;
    let npass = passes(lx, ly, budget)?;
    let chunk = nk.div_ceil(npass);
    let (mut bsum, mut vsum) = (0.0f64, [C::new(0.0, 0.0); 2]);
    for pass in 0..npass {
        let k_lo = pass * chunk;
        let k_hi = ((pass + 1) * chunk).min(nk);
        let cn = k_hi - k_lo;
        if cn == 0 {
            continue;
        }
        // slab[((γ·cn + kxl)·L_y + y₁)·2 + α][k₂·2 + β]
        let mut slab = vec![C::new(0.0, 0.0); 2 * cn * ly * 2 * nd];
        for y1 in (0..ly).filter(|y| y % procs == me) {
            // one row block: u[(γ·2 + α)·L_x + x₁][k₂·2 + β]
            let mut u = vec![C::new(0.0, 0.0); 4 * lx * nd];
            u.par_chunks_mut(nd).enumerate().for_each(|(r, out)| {
                let (ga, x1) = (r / lx, r % lx);
                let (gamma, al) = (ga / 2, ga % 2);
                let mut t = vec![0.0; nd];
                row(gamma, y1 * lx + x1, al, &mut t);
                // z = T_{β=0} + i T_{β=1}, one complex 2D FFT for both
                let mut z: Vec<C> = (0..n).map(|s| C::new(t[2 * s], t[2 * s + 1])).collect();
                let mut tmp = vec![C::new(0.0, 0.0); n];
                plans.fft2(&mut z, &mut tmp, lx, ly);
                for k in 0..n {
                    let zc = z[neg(k % lx, k / lx)].conj();
                    out[2 * k] = (z[k] + zc) * 0.5;
                    out[2 * k + 1] = (z[k] - zc) * C::new(0.0, -0.5);
                }
            });
            // over x₁, keeping k₁ₓ ∈ [k_lo, k_hi)
            let cols: Vec<Vec<C>> = (0..4)
                .into_par_iter()
                .map(|ga| {
                    let mut res = vec![C::new(0.0, 0.0); cn * nd];
                    let mut col = vec![C::new(0.0, 0.0); lx];
                    for j in 0..nd {
                        for x1 in 0..lx {
                            col[x1] = u[(ga * lx + x1) * nd + j];
                        }
                        plans.x.process(&mut col);
                        for kxl in 0..cn {
                            res[kxl * nd + j] = col[k_lo + kxl];
                        }
                    }
                    res
                })
                .collect();
            for (ga, res) in cols.iter().enumerate() {
                let (gamma, al) = (ga / 2, ga % 2);
                for kxl in 0..cn {
                    let dst = (((gamma * cn + kxl) * ly + y1) * 2 + al) * nd;
                    slab[dst..dst + nd].copy_from_slice(&res[kxl * nd..(kxl + 1) * nd]);
                }
            }
            tick();
        }
        // every rank filled only its rows: the sum is the whole slab (before the y₁ transform)
        part.all_sum(bytemuck::cast_slice_mut(&mut slab));
        // over y₁, and below the contraction, only for this rank's k₁ₓ
        let mine = |kxl: usize| kxl % procs == me;
        slab.par_chunks_mut(ly * 2 * nd).enumerate().filter(|(b, _)| mine(b % cn)).for_each(|(_, blk)| {
            let mut col = vec![C::new(0.0, 0.0); ly];
            for j in 0..2 * nd {
                for y1 in 0..ly {
                    col[y1] = blk[y1 * 2 * nd + j];
                }
                plans.y.process(&mut col);
                for y1 in 0..ly {
                    blk[y1 * 2 * nd + j] = col[y1];
                }
            }
        });
        // contraction over the slab's k₁ and all k₂
        let th = |gamma: usize, kxl: usize, k1y: usize, al: usize, k2: usize, be: usize| {
            slab[(((gamma * cn + kxl) * ly + k1y) * 2 + al) * nd + k2 * 2 + be]
        };
        let (b_part, v_part) = (0..cn * ly)
            .into_par_iter()
            .filter(|idx| mine(idx / ly))
            .map(|idx| {
                let (kxl, k1y) = (idx / ly, idx % ly);
                let kx = k_lo + kxl;
                let w = if kx == 0 || 2 * kx == lx { 1.0 } else { 2.0 };
                let (bs, v) = contract_k1(lx, ly, kx, k1y, &ginv, |c, a, k2, b| th(c, kxl, k1y, a, k2, b));
                (w * bs, [v[0] * w, v[1] * w])
            })
            .reduce(|| (0.0, [C::new(0.0, 0.0); 2]), |a, b| (a.0 + b.0, [a.1[0] + b.1[0], a.1[1] + b.1[1]]));
        let mut partial = [b_part, v_part[0].re, v_part[0].im, v_part[1].re, v_part[1].im];
        part.all_sum(&mut partial);
        bsum += partial[0];
        vsum[0] += C::new(partial[1], partial[2]);
        vsum[1] += C::new(partial[3], partial[4]);
    }
    let nf = n as f64;
    let bval = bsum / nf;
    let v = [vsum[0].re / nf, vsum[1].re / nf];
    let mut asum = C::new(0.0, 0.0);
    for c in 0..2 {
        for c2 in 0..2 {
            asum += v[c] * ginv[0][c][c2] * v[c2];
        }
    }
    let aval = asum.re * nf;
    Some(Curvature { r: 0.25 * (bval - aval), a: aval, b: bval, g_min_eig: eig_min, g_max_eig: eig_max })
}

/// Ĝ(k) = ĝ(k)⁻¹ (2 × 2 per momentum, index k_y·L_x + k_x) from the metric rows g_{(0,γ),b},
/// with the smallest and largest eigenvalue of g.
pub(crate) fn inverse_metric(lx: usize, ly: usize, g: &[Vec<f64>; 2]) -> (Vec<[[C; 2]; 2]>, f64, f64) {
    let n = lx * ly;
    let mut planner = FftPlanner::<f64>::new();
    let plans = Plans { x: planner.plan_fft_forward(lx), y: planner.plan_fft_forward(ly) };
    let mut ghat = vec![[[C::new(0.0, 0.0); 2]; 2]; n];
    let mut tmp = vec![C::new(0.0, 0.0); n];
    for c in 0..2 {
        for a in 0..2 {
            let mut buf: Vec<C> = (0..n).map(|x| C::new(g[c][x * 2 + a], 0.0)).collect();
            plans.fft2(&mut buf, &mut tmp, lx, ly);
            for k in 0..n {
                ghat[k][c][a] = buf[k];
            }
        }
    }
    let (mut eig_min, mut eig_max) = (f64::INFINITY, f64::NEG_INFINITY);
    for gk in &ghat {
        let (lo, hi) = eig2(*gk);
        eig_min = eig_min.min(lo);
        eig_max = eig_max.max(hi);
    }
    (ghat.iter().map(|m| inv2(*m)).collect(), eig_min, eig_max)
}

/// One k₁'s share of B and of v (before the 1/N): with x = T̂(k₁, k₂), k₀ = −k₁ − k₂,
/// b(k₁) = Re Σ_{k₂} x_{γαβ} [Ĝ(k₀) ⊗ Ĝ(k₁) ⊗ Ĝ(k₂) x̄]_{γαβ} and
/// v_γ(k₁) = Σ_{αβ} Ĝ_{αβ}(k₁) T̂_{γαβ}(k₁, −k₁). `th(γ, α, k₂, β)` is T̂_{γαβ}(k₁, k₂).
/// The k₂ sum is compensated (Neumaier): its N terms have both signs.
pub(crate) fn contract_k1(
    lx: usize,
    ly: usize,
    kx: usize,
    k1y: usize,
    ginv: &[[[C; 2]; 2]],
    th: impl Fn(usize, usize, usize, usize) -> C,
) -> (f64, [C; 2]) {
    let n = lx * ly;
    let g1 = &ginv[k1y * lx + kx];
    let mut bs = Neumaier::default();
    // k₂ in row order, k₀ = −k₁ − k₂ stepped down along the row (no division per k₂)
    let (mut k2y, mut k2x, mut row0, mut k0x) = (0, 0, (ly - k1y % ly) % ly * lx, (lx - kx % lx) % lx);
    for k2 in 0..n {
        let k0 = row0 + k0x;
        k2x += 1;
        k0x = if k0x == 0 { lx - 1 } else { k0x - 1 };
        if k2x == lx {
            (k2x, k2y) = (0, k2y + 1);
            row0 = (2 * ly - k1y - k2y) % ly * lx;
            k0x = (lx - kx % lx) % lx;
        }
        let (g0, g2) = (&ginv[k0], &ginv[k2]);
        let mut t = [[[C::new(0.0, 0.0); 2]; 2]; 2];
        for (c, tc) in t.iter_mut().enumerate() {
            for (a, tca) in tc.iter_mut().enumerate() {
                for (b, v) in tca.iter_mut().enumerate() {
                    *v = th(c, a, k2, b);
                }
            }
        }
        // y = (Ĝ₀ ⊗ Ĝ₁ ⊗ Ĝ₂) x̄, one index at a time
        let mut y = [[[C::new(0.0, 0.0); 2]; 2]; 2];
        let mut x = [[[C::new(0.0, 0.0); 2]; 2]; 2];
        for c in 0..2 {
            for a in 0..2 {
                for b in 0..2 {
                    y[c][a][b] = g2[b][0] * t[c][a][0].conj() + g2[b][1] * t[c][a][1].conj();
                }
            }
        }
        for c in 0..2 {
            for a in 0..2 {
                for b in 0..2 {
                    x[c][a][b] = g1[a][0] * y[c][0][b] + g1[a][1] * y[c][1][b];
                }
            }
        }
        let mut s = 0.0;
        for c in 0..2 {
            for a in 0..2 {
                for b in 0..2 {
                    s += (t[c][a][b] * (g0[c][0] * x[0][a][b] + g0[c][1] * x[1][a][b])).re;
                }
            }
        }
        bs.add(s);
    }
    let mk = ((ly - k1y) % ly) * lx + (lx - kx) % lx;
    let mut v = [C::new(0.0, 0.0); 2];
    for (c, vc) in v.iter_mut().enumerate() {
        for a in 0..2 {
            for b in 0..2 {
                *vc += g1[a][b] * th(c, a, mk, b);
            }
        }
    }
    (bs.sum(), v)
}

/// Neumaier's compensated sum (Kahan–Babuška): error O(ε) in the sum, not O(nε).
#[derive(Debug, Clone, Copy, Default)]
pub struct Neumaier {
    s: f64,
    c: f64,
}

impl Neumaier {
    /// adds x
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.s + x;
        self.c += if self.s.abs() >= x.abs() { (self.s - t) + x } else { (x - t) + self.s };
        self.s = t;
    }
    /// the sum
    pub fn sum(self) -> f64 {
        self.s + self.c
    }
}
