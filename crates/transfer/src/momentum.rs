//! R, A, B of the 2D Ising torus from free fermions in momentum space: the third cumulant as a
//! one-loop triangle, O(N² log N) time and O(N) memory per momentum k₁.
//!
//! In each Pfaffian sector s (twist φ = 0 or ½ per axis, momenta p_n = 2π(n + φ)/L) the
//! connected Wick sum of three distinct bonds a = (0, γ), b = (x₁, α), c = (x₂, β) is a sum of
//! eight products of contraction blocks, ab(x₁) · ac(x₂) · bc(x₂ − x₁) (`free_fermion`, with the
//! twisted continuation of bc). With f̂(n) = Σ_x f(x) e^{−i p_n·x} for each block,
//!
//! T̂_s(k₁, k₂) = Σ_{x₁,x₂} e^{−i(k₁x₁ + k₂x₂)} ab(x₁) ac(x₂) bc(x₂ − x₁)
//!             = (1/N) Σ_n âb(n + k₁) b̂c(n) âc(k₂ − n − 2φ),
//!
//! a cyclic convolution in k₂ for fixed k₁, which is a product in real space:
//! T̂_s(k₁, ·) = FFT[ ac(x) e^{2πiφ·x/L} · IFFT_n( âb(n + k₁) b̂c(n) )(x) ]. The eight pairings group
//! into four by their a–c block (a 2 × 2 matrix convolution), so one k₁ costs per sector and
//! direction triple (γ, α, β) four inverse transforms; the sectors are summed in real space and
//! each triple needs one forward transform. Exchanging the outer bonds a ↔ c and translating by
//! −x₂ maps T_{βαγ}(x₁, x₂) to T_{γαβ}(x₁ − x₂, −x₂), so T̂_{βαγ}(k₁, k₂) = T̂_{γαβ}(k₁, −k₁ − k₂):
//! the row of (1, α, 0) is a permutation of the row of (0, α, 1), and six of the eight triples
//! are computed, 4·6·4 + 6 = 102 FFTs of size N per k₁.
//!
//! The rest of the law of total cumulance is diagonal or zero in momentum:
//! - the sector-mean terms κ_s(ac)Δ_b, κ_s(bc)Δ_a, κ_s(ab)Δ_c, Δ_aΔ_bΔ_c live at k₁ = 0,
//!   k₁ + k₂ = 0, k₂ = 0 and k₁ = k₂ = 0;
//! - the completed periodic–periodic sector's F-parts are constant in position, so each of its
//!   three F-terms factorises into a product of two transforms (at k₁ + k₂ and −k₁, at k₁ + k₂
//!   and k₂, at k₁ and k₂);
//! - where bonds coincide (s² = 1) the cumulant is not the Wick formula: the difference lives on
//!   the planes b = a, c = a, c = b and adds a function of k₂, of k₁ and of k₁ + k₂.
//!
//! B and v are then contracted per k₁ exactly as in [`crate::streaming`]. The per-k₁ shares
//! b(k₁), v_γ(k₁) are invariant under the torus's point group acting on k₁ (they are traces of
//! a symmetric tensor restricted to the momentum-k₁ subspace of one leg, and a lattice symmetry
//! maps that subspace onto the one at the image of k₁), so only one k₁ per orbit is computed:
//! the four reflections (k → ±k per axis) always, the diagonal swap too on a square torus with
//! K_x = K_y, where it exchanges v₀ and v₁.
//!
//! Precision: every sum over orbits is compensated, in a fixed order (the result does not
//! depend on the thread or process count); the error estimate is the difference from a plain
//! sum in the reverse order plus the FFT rounding bound ε log₂N (|A| + Σ_k |b(k)|)/4.

use crate::curvature::Curvature;
use crate::free_fermion::{kappa2, Dual, FreeFermion, SectorData};
use crate::streaming::{contract_k1, inverse_metric, Neumaier, Partition};
use num_complex::Complex64 as C;
use rayon::prelude::*;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

const ZERO: C = C::new(0.0, 0.0);

/// The eight pairings of [`crate::free_fermion::kappa3`] grouped by their a–c block j: for each
/// j the two (ab block, bc block, sign).
const LOOPS: [[(usize, usize, f64); 2]; 4] = [
    [(2, 3, -1.0), (3, 1, 1.0)],
    [(2, 2, 1.0), (3, 0, -1.0)],
    [(0, 3, 1.0), (1, 1, -1.0)],
    [(0, 2, -1.0), (1, 0, 1.0)],
];

/// The triples γ·4 + α·2 + β whose rows are computed: all but (1, α, 0).
const COMPUTED: [usize; 6] = [0, 1, 2, 3, 5, 7];

/// (1, α, 0) ← (0, α, 1): T̂_{βαγ}(k₁, k₂) = T̂_{γαβ}(k₁, −k₁ − k₂).
const MIRRORED: [(usize, usize); 2] = [(4, 1), (6, 3)];

/// R, A, B with the estimate of their rounding error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MomentumCurvature {
    /// R, A, B and the extreme eigenvalues of g
    pub curvature: Curvature,
    /// estimated absolute error of R (see the module doc)
    pub r_error: f64,
    /// number of k₁ computed (one per orbit of the point group)
    pub orbits: usize,
}

/// One k₁ per orbit, with the orbit's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Orbit {
    /// k₁ (indices 0..L_x, 0..L_y)
    pub k: (usize, usize),
    /// number of momenta in the orbit
    pub size: usize,
}

/// The orbits of the momenta of an L_x × L_y torus under k → ±k per axis, and the swap
/// (k_x, k_y) → (k_y, k_x) when `swap` (square torus, equal couplings).
pub fn orbits(lx: usize, ly: usize, swap: bool) -> Vec<Orbit> {
    let mut out = Vec::new();
    for ky in 0..ly {
        for kx in 0..lx {
            let mut images: Vec<(usize, usize)> = Vec::with_capacity(8);
            for (x, y) in [(kx, ky), ((lx - kx) % lx, ky), (kx, (ly - ky) % ly), ((lx - kx) % lx, (ly - ky) % ly)] {
                images.push((x, y));
                if swap {
                    images.push((y, x));
                }
            }
            images.sort_unstable_by_key(|&(x, y)| (y, x));
            images.dedup();
            if images[0] == (kx, ky) {
                out.push(Orbit { k: (kx, ky), size: images.len() });
            }
        }
    }
    out
}

/// Peak bytes of the momentum route for an L_x × L_y torus with `threads` workers: per site,
/// the four sectors' 40 transformed tables (16 B each), the coincidence corrections and Ĝ
/// (16 tables), the contraction blocks of [`FreeFermion`] (4 sectors × 4 blocks × 32 B), the
/// propagator being tabulated (Ĝ_s and G_s, 400 B), and per worker 22 transforms' buffers.
pub fn bytes(lx: usize, ly: usize, threads: usize) -> f64 {
    let n = (lx * ly) as f64;
    n * (4.0 * 40.0 * 16.0 + 16.0 * 16.0 + 512.0 + 400.0 + threads as f64 * 22.0 * 16.0)
}

/// 2D transforms of L_x × L_y arrays between the normal layout (index y·L_x + x) and the
/// transposed one (x·L_y + y): pointwise work in real space does not need the layout restored,
/// which saves two of the four transposes per transform pair.
struct Plans {
    lx: usize,
    ly: usize,
    fx: Arc<dyn Fft<f64>>,
    fy: Arc<dyn Fft<f64>>,
    ix: Arc<dyn Fft<f64>>,
    iy: Arc<dyn Fft<f64>>,
    scratch: usize,
}

fn transpose(src: &[C], dst: &mut [C], rows: usize, cols: usize) {
    // src is rows × cols; blocks keep both sides in cache
    const B: usize = 32;
    for r0 in (0..rows).step_by(B) {
        for c0 in (0..cols).step_by(B) {
            for r in r0..(r0 + B).min(rows) {
                for c in c0..(c0 + B).min(cols) {
                    dst[c * rows + r] = src[r * cols + c];
                }
            }
        }
    }
}

impl Plans {
    fn new(lx: usize, ly: usize) -> Self {
        let mut p = FftPlanner::<f64>::new();
        let (fx, fy, ix, iy) =
            (p.plan_fft_forward(lx), p.plan_fft_forward(ly), p.plan_fft_inverse(lx), p.plan_fft_inverse(ly));
        let scratch = [&fx, &fy, &ix, &iy].iter().map(|f| f.get_inplace_scratch_len()).max().unwrap_or(0);
        Plans { lx, ly, fx, fy, ix, iy, scratch }
    }

    /// normal → transposed (src is overwritten)
    fn normal_to_t(&self, src: &mut [C], dst: &mut [C], inverse: bool, scratch: &mut [C]) {
        let (px, py) = if inverse { (&self.ix, &self.iy) } else { (&self.fx, &self.fy) };
        px.process_with_scratch(src, scratch);
        transpose(src, dst, self.ly, self.lx);
        py.process_with_scratch(dst, scratch);
    }

    /// transposed → normal (src is overwritten)
    fn t_to_normal(&self, src: &mut [C], dst: &mut [C], inverse: bool, scratch: &mut [C]) {
        let (px, py) = if inverse { (&self.ix, &self.iy) } else { (&self.fx, &self.fy) };
        py.process_with_scratch(src, scratch);
        transpose(src, dst, self.lx, self.ly);
        px.process_with_scratch(dst, scratch);
    }

    /// forward transform, normal → normal
    fn forward(&self, mut buf: Vec<C>) -> Vec<C> {
        let mut scratch = vec![ZERO; self.scratch];
        let mut t = vec![ZERO; buf.len()];
        self.normal_to_t(&mut buf, &mut t, false, &mut scratch);
        self.untranspose(&mut t, &mut buf);
        buf
    }

    /// transposed → normal without transforming
    fn untranspose(&self, src: &mut [C], dst: &mut [C]) {
        transpose(src, dst, self.lx, self.ly);
    }
}

/// One sector's tables.
struct SectorHat {
    weight: f64,
    dweight: f64,
    /// [(μ·2 + ν)·4 + i]: the twisted transform of contraction block i of bonds (0, μ), (Δ, ν)
    hat: Vec<Vec<C>>,
    /// [(μ·2 + ν)·4 + j]: (ω · block j · e^{2πiφ·x/L} − ρ · its F-part) / N in real space
    /// (transposed layout): the multiplier of the inverse transform, with the sector weights
    acw: Vec<Vec<C>>,
    /// the completed sector only: block j in real space (transposed layout)
    ac_raw: Vec<Vec<f64>>,
    /// F-parts of the blocks (completed sector)
    eps: [[f64; 4]; 4],
    /// [(μ·2 + ν)]: transforms of κ_s of two bonds, value and F-part
    k2: Vec<(Vec<C>, Vec<C>)>,
    delta: [Dual; 2],
}

fn sector_hat(s: &SectorData, plans: &Plans) -> SectorHat {
    let (lx, ly) = (plans.lx, plans.ly);
    let n = lx * ly;
    let phi = (if s.twist.0 < 0.0 { 0.5 } else { 0.0 }, if s.twist.1 < 0.0 { 0.5 } else { 0.0 });
    let phase = |x: usize, sign: f64| {
        let (xx, yy) = ((x % lx) as f64, (x / lx) as f64);
        C::from_polar(1.0, sign * 2.0 * std::f64::consts::PI * (phi.0 * xx / lx as f64 + phi.1 * yy / ly as f64))
    };
    let mut hat = Vec::with_capacity(16);
    let mut acw = Vec::with_capacity(16);
    let mut ac_raw = Vec::new();
    for mn in 0..4 {
        for i in 0..4 {
            let buf: Vec<C> = (0..n).map(|x| phase(x, -1.0) * s.pair[mn * n + x][i]).collect();
            hat.push(plans.forward(buf));
            let real: Vec<C> = (0..n)
                .map(|x| (phase(x, 1.0) * s.pair[mn * n + x][i] * s.weight - s.dweight * s.pair_eps[mn][i]) / n as f64)
                .collect();
            let mut t = vec![ZERO; n];
            transpose(&real, &mut t, ly, lx);
            acw.push(t);
            if s.dweight != 0.0 {
                let raw: Vec<C> = (0..n).map(|x| C::new(s.pair[mn * n + x][i], 0.0)).collect();
                let mut t = vec![ZERO; n];
                transpose(&raw, &mut t, ly, lx);
                ac_raw.push(t.iter().map(|z| z.re).collect());
            }
        }
    }
    let k2 = (0..4)
        .map(|mn| {
            let e = s.pair_eps[mn];
            let (mut re, mut ep) = (Vec::with_capacity(n), Vec::with_capacity(n));
            for x in 0..n {
                let b = s.pair[mn * n + x];
                let v = kappa2(&[0, 1, 2, 3].map(|i| Dual { re: b[i], eps: e[i] }));
                re.push(C::new(v.re, 0.0));
                ep.push(C::new(v.eps, 0.0));
            }
            (plans.forward(re), plans.forward(ep))
        })
        .collect();
    SectorHat { weight: s.weight, dweight: s.dweight, hat, acw, ac_raw, eps: s.pair_eps, k2, delta: s.delta }
}

/// [`build4`] compiled with the CPU's vector instructions (AVX2/FMA where present).
struct Build4<'a>([&'a [C]; 4], [&'a [C]; 4], [&'a mut [C]; 4]);

impl pulp::WithSimd for Build4<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        build4(self.0, self.1, self.2)
    }
}

/// [`accumulate4`] compiled with the CPU's vector instructions.
struct Accumulate4<'a>(&'a mut [C], [&'a [C]; 4], [&'a [C]; 4]);

impl pulp::WithSimd for Accumulate4<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        accumulate4(self.0, self.1, self.2)
    }
}

/// The four a–c blocks of the pairings (LOOPS, signs ordered) for one run of n:
/// L₀ = a₃b₁ − a₂b₃, L₁ = a₂b₂ − a₃b₀, L₂ = a₀b₃ − a₁b₁, L₃ = a₁b₀ − a₀b₂.
#[inline(always)]
fn build4(a: [&[C]; 4], b: [&[C]; 4], out: [&mut [C]; 4]) {
    let len = a[0].len();
    let [a0, a1, a2, a3] = a.map(|x| &x[..len]);
    let [b0, b1, b2, b3] = b.map(|x| &x[..len]);
    let [o0, o1, o2, o3] = out.map(|x| &mut x[..len]);
    for t in 0..len {
        o0[t] = a3[t] * b1[t] - a2[t] * b3[t];
        o1[t] = a2[t] * b2[t] - a3[t] * b0[t];
        o2[t] = a0[t] * b3[t] - a1[t] * b1[t];
        o3[t] = a1[t] * b0[t] - a0[t] * b2[t];
    }
}

/// acc += Σ_j v_j m_j elementwise.
#[inline(always)]
fn accumulate4(acc: &mut [C], v: [&[C]; 4], m: [&[C]; 4]) {
    let len = acc.len();
    let [v0, v1, v2, v3] = v.map(|x| &x[..len]);
    let [m0, m1, m2, m3] = m.map(|x| &x[..len]);
    for t in 0..len {
        acc[t] += v0[t] * m0[t] + v1[t] * m1[t] + v2[t] * m2[t] + v3[t] * m3[t];
    }
}

/// Calls f(k₂, k₁ + k₂) for every k₂ (flat indices, row by row, no division).
#[inline]
fn shifted(lx: usize, ly: usize, (k1x, k1y): (usize, usize), mut f: impl FnMut(usize, usize)) {
    for k2y in 0..ly {
        let (row, srow) = (k2y * lx, ((k2y + k1y) % ly) * lx);
        for k2x in 0..lx {
            let sx = if k2x + k1x >= lx { k2x + k1x - lx } else { k2x + k1x };
            f(row + k2x, srow + sx);
        }
    }
}

/// Rows of L_j built and x-transformed at a time: each then lands in W_j as runs of that many
/// consecutive entries (16 at L = 128; 4 made the scattered stores a tenth of the run time), and
/// the four blocks (4 · 2048 · 16 B) stay in L2.
fn row_block(lx: usize, ly: usize) -> usize {
    (2048 / lx).clamp(1, ly)
}

/// Everything a k₁ needs, built once per torus.
struct Tables<'a> {
    ff: &'a FreeFermion,
    plans: Plans,
    sectors: Vec<SectorHat>,
    ginv: Vec<[[C; 2]; 2]>,
    /// coincidence corrections: [γ·2 + x] for b = a (function of k₂), c = a (of k₁), c = b (of k₁ + k₂)
    planes: [Vec<Vec<C>>; 3],
    /// (1 − t_γ²)(1 − t_α²)(1 − t_β²) per triple γ·4 + α·2 + β
    scale: [f64; 8],
    /// the CPU's vector instruction set
    arch: pulp::Arch,
}

/// Per-worker buffers.
struct Work {
    acc: Vec<Vec<C>>,
    tk: Vec<Vec<C>>,
    /// L_j, a block of rows each
    l: [Vec<C>; 4],
    /// W_j (transposed layout)
    w: [Vec<C>; 4],
    phase: Vec<C>,
    scratch: Vec<C>,
}

impl<'a> Tables<'a> {
    fn new(ff: &'a FreeFermion) -> Self {
        let (lx, ly) = (ff.lx, ff.ly);
        let n = lx * ly;
        let plans = Plans::new(lx, ly);
        let sectors: Vec<SectorHat> = ff.sectors.par_iter().map(|s| sector_hat(s, &plans)).collect();
        let g = [ff.g_row(0), ff.g_row(1)];
        let (ginv, _, _) = inverse_metric(lx, ly, &g);
        let mut planes: [Vec<Vec<C>>; 3] = Default::default();
        for (p, plane) in planes.iter_mut().enumerate() {
            for gamma in 0..2 {
                for x in 0..2 {
                    let buf: Vec<C> = (0..n)
                        .map(|site| {
                            // (site₁, α, site₂, β) of the coincident entry, skipping those of an earlier plane
                            let (s1, al, s2, be) = match p {
                                0 => (0, gamma, site, x),
                                1 => (site, x, 0, gamma),
                                _ => (site, x, site, x),
                            };
                            if p > 0 && site == 0 && x == gamma {
                                return ZERO;
                            }
                            let exact = ff.repeated(gamma, s1, al, s2 * 2 + be, &g[gamma]).expect("a coincident entry");
                            C::new(exact - ff.distinct_formula(gamma, s1, al, s2, be), 0.0)
                        })
                        .collect();
                    plane.push(plans.forward(buf));
                }
            }
        }
        let mut scale = [0.0; 8];
        for (c, sc) in scale.iter_mut().enumerate() {
            *sc = [c / 4, (c / 2) % 2, c % 2].iter().map(|&m| 1.0 - ff.t[m] * ff.t[m]).product();
        }
        Tables { ff, plans, sectors, ginv, planes, scale, arch: pulp::Arch::new() }
    }

    fn work(&self) -> Work {
        let n = self.ff.lx * self.ff.ly;
        Work {
            acc: vec![vec![ZERO; n]; 8],
            tk: vec![vec![ZERO; n]; 8],
            l: std::array::from_fn(|_| vec![ZERO; row_block(self.ff.lx, self.ff.ly) * self.ff.lx]),
            w: std::array::from_fn(|_| vec![ZERO; n]),
            phase: vec![ZERO; n],
            scratch: vec![ZERO; self.plans.scratch],
        }
    }

    /// T̂_{γαβ}(k₁, k₂) for every k₂ into `w.tk[γ·4 + α·2 + β]` (normal layout).
    fn triangle(&self, (k1x, k1y): (usize, usize), w: &mut Work) {
        let (lx, ly) = (self.ff.lx, self.ff.ly);
        let n = lx * ly;
        let nf = n as f64;
        for a in w.acc.iter_mut() {
            a.iter_mut().for_each(|v| *v = ZERO);
        }
        let idx = |x: usize, y: usize| (y % ly) * lx + x % lx;
        let k1 = idx(k1x, k1y);
        let mk1 = idx(lx - k1x, ly - k1y);
        // e^{−ik₁·x} in the transposed layout (the completed sector's F-terms)
        if self.sectors.iter().any(|s| s.dweight != 0.0) {
            // a product of the two axes' phases: 2L sines, not N
            let tau = 2.0 * std::f64::consts::PI;
            let ey: Vec<C> = (0..ly).map(|y| C::from_polar(1.0, -tau * ((k1y * y) % ly) as f64 / ly as f64)).collect();
            for (x, col) in w.phase.chunks_mut(ly).enumerate() {
                let ex = C::from_polar(1.0, -tau * ((k1x * x) % lx) as f64 / lx as f64);
                for (p, e) in col.iter_mut().zip(&ey) {
                    *p = ex * e;
                }
            }
        }
        for s in &self.sectors {
            for c in COMPUTED {
                let (gamma, al, be) = (c / 4, (c / 2) % 2, c % 2);
                let (ab, bc, ac) = (gamma * 2 + al, al * 2 + be, gamma * 2 + be);
                let a: [&[C]; 4] = std::array::from_fn(|i| &s.hat[ab * 4 + i][..]);
                let b: [&[C]; 4] = std::array::from_fn(|k| &s.hat[bc * 4 + k][..]);
                // the four a–c blocks j of the eight pairings (LOOPS) in one pass over n, a few rows
                // at a time: L_j(n) = Σ sign âb_i(n + k₁) b̂c_k(n), inverse-transformed along x while
                // in cache and written transposed into W_j
                let rows = row_block(lx, ly);
                for y0 in (0..ly).step_by(rows) {
                    let nr = rows.min(ly - y0);
                    for r in 0..nr {
                        let ny = y0 + r;
                        let (row, srow) = (ny * lx, ((ny + k1y) % ly) * lx);
                        let out = r * lx;
                        // n + k₁ wraps once along the row: two straight runs
                        let cut = lx - k1x;
                        for (from, to, len) in [(k1x, 0, cut), (0, cut, k1x)] {
                            let ar: [&[C]; 4] = std::array::from_fn(|i| &a[i][srow + from..srow + from + len]);
                            let br: [&[C]; 4] = std::array::from_fn(|k| &b[k][row + to..row + to + len]);
                            let [l0, l1, l2, l3] = &mut w.l;
                            let o =
                                [&mut l0[out + to..], &mut l1[out + to..], &mut l2[out + to..], &mut l3[out + to..]];
                            self.arch.dispatch(Build4(ar, br, o));
                        }
                    }
                    for (blk, wj) in w.l.iter_mut().zip(w.w.iter_mut()) {
                        let blk = &mut blk[..nr * lx];
                        self.plans.ix.process_with_scratch(blk, &mut w.scratch);
                        // column x of the block lands contiguous in the transposed layout
                        for (x, dst) in wj.chunks_mut(ly).enumerate() {
                            for (r, d) in dst[y0..y0 + nr].iter_mut().enumerate() {
                                *d = blk[r * lx + x];
                            }
                        }
                    }
                }
                // along y, then Σ_j W_j · (a–c block j) into the sum, a few columns at a time
                let cols = (512 / ly).clamp(1, lx);
                for x0 in (0..lx).step_by(cols) {
                    let span = x0 * ly..(x0 + cols.min(lx - x0)) * ly;
                    for wj in w.w.iter_mut() {
                        self.plans.iy.process_with_scratch(&mut wj[span.clone()], &mut w.scratch);
                    }
                    let m: [&[C]; 4] = std::array::from_fn(|j| &s.acw[ac * 4 + j][span.clone()]);
                    let v: [&[C]; 4] = std::array::from_fn(|j| &w.w[j][span.clone()]);
                    self.arch.dispatch(Accumulate4(&mut w.acc[c][span.clone()], v, m));
                }
                // the completed sector's F-parts of ab and bc: a constant block leaves a product
                // of one transform with a–c in real space,
                // Σ_j ac_j(x) [e^{−ik₁·x} ab_F b̂c(−k₁) + âb(k₁) bc_F]
                if s.dweight != 0.0 {
                    let f = -s.dweight;
                    let (mut alpha, mut gam) = ([ZERO; 4], [ZERO; 4]);
                    for (j, terms) in LOOPS.iter().enumerate() {
                        for &(i, q, sg) in terms {
                            alpha[j] += s.hat[bc * 4 + q][mk1] * (f * sg * s.eps[ab][i]);
                            gam[j] += s.hat[ab * 4 + i][k1] * (f * sg * s.eps[bc][q]);
                        }
                    }
                    // one pass for the four blocks: ph(x) Σ_j α_j ac_j(x) + Σ_j γ_j ac_j(x)
                    let [r0, r1, r2, r3] = std::array::from_fn(|j| &s.ac_raw[ac * 4 + j][..n]);
                    for (x, (o, ph)) in w.acc[c].iter_mut().zip(&w.phase).enumerate() {
                        let r = [r0[x], r1[x], r2[x], r3[x]];
                        let (mut sa, mut sg) = (ZERO, ZERO);
                        for j in 0..4 {
                            sa += alpha[j] * r[j];
                            sg += gam[j] * r[j];
                        }
                        *o += ph * sa + sg;
                    }
                }
            }
        }
        for c in COMPUTED {
            self.plans.t_to_normal(&mut w.acc[c], &mut w.tk[c], false, &mut w.scratch);
            let sc = self.scale[c];
            w.tk[c].iter_mut().for_each(|t| *t *= sc);
        }
        for c in COMPUTED {
            let (gamma, al, be) = (c / 4, (c / 2) % 2, c % 2);
            let (ab, bc, ac) = (gamma * 2 + al, al * 2 + be, gamma * 2 + be);
            let tk = &mut w.tk[c];
            for s in &self.sectors {
                let emit = |re: C, eps: C| re * s.weight - eps * s.dweight;
                // sector-mean terms of the law of total cumulance
                let (da, db, dc) = (s.delta[gamma], s.delta[al], s.delta[be]);
                let dual = |k: &(Vec<C>, Vec<C>), m: usize, d: Dual| (k.0[m] * d.re, k.0[m] * d.eps + k.1[m] * d.re);
                let sc = self.scale[c] * nf;
                if k1 == 0 {
                    for (k2, t) in tk.iter_mut().enumerate() {
                        let (re, eps) = dual(&s.k2[ac], k2, db);
                        *t += emit(re, eps) * sc;
                    }
                    let ddd = da * db * dc;
                    tk[0] += emit(C::new(ddd.re, 0.0), C::new(ddd.eps, 0.0)) * (sc * nf);
                }
                let (re, eps) = dual(&s.k2[bc], mk1, da);
                tk[mk1] += emit(re, eps) * sc;
                let (re, eps) = dual(&s.k2[ab], k1, dc);
                tk[0] += emit(re, eps) * sc;
            }
            // coincident bonds
            if al == gamma {
                for (t, p) in tk.iter_mut().zip(&self.planes[0][gamma * 2 + be]) {
                    *t += p;
                }
            }
            if be == gamma {
                let p = self.planes[1][gamma * 2 + al][k1];
                tk.iter_mut().for_each(|t| *t += p);
            }
            if be == al {
                let p = &self.planes[2][gamma * 2 + al];
                shifted(lx, ly, (k1x, k1y), |k2, ks| tk[k2] += p[ks]);
            }
        }
        // the partners by the a ↔ c symmetry (module doc): row k₂ of (1, α, 0) is row −k₁ − k₂ of (0, α, 1)
        for (dst, src) in MIRRORED {
            let (head, tail) = w.tk.split_at_mut(dst);
            let (from, to) = (&head[src], &mut tail[0]);
            for k2y in 0..ly {
                let qy = (2 * ly - k1y - k2y) % ly * lx;
                for k2x in 0..lx {
                    to[k2y * lx + k2x] = from[qy + (2 * lx - k1x - k2x) % lx];
                }
            }
        }
    }

    /// (b(k₁), v₀(k₁), v₁(k₁)), before the 1/N.
    fn share(&self, k: (usize, usize), w: &mut Work) -> [f64; 3] {
        self.triangle(k, w);
        let tk = &w.tk;
        let (b, v) = contract_k1(self.ff.lx, self.ff.ly, k.0, k.1, &self.ginv, |c, a, k2, b| tk[c * 4 + a * 2 + b][k2]);
        [b, v[0].re, v[1].re]
    }
}

/// The per-torus tables of the momentum route, to compute one k₁'s share on its own (the
/// criterion bench times one k₁ at L = 64 this way).
pub struct MomentumTables<'a>(Tables<'a>);

impl<'a> MomentumTables<'a> {
    /// Builds the four sectors' transformed tables, Ĝ and the coincidence corrections.
    pub fn new(ff: &'a FreeFermion) -> Self {
        MomentumTables(Tables::new(ff))
    }

    /// (b(k₁), v₀(k₁), v₁(k₁)) before the 1/N (the module doc's shares), buffers allocated here.
    pub fn share(&self, k1: (usize, usize)) -> [f64; 3] {
        self.0.share(k1, &mut self.0.work())
    }
}

/// Where finished orbits are kept between runs (see `checkpoint` in the CLI): `load` returns the
/// shares already computed (orbit index → [b, v₀, v₁]); `save` appends a block.
pub trait Checkpoint {
    /// shares already done
    fn load(&self) -> Result<Vec<(usize, [f64; 3])>, String>;
    /// records a finished block
    fn save(&self, block: &[(usize, [f64; 3])]) -> Result<(), String>;
}

/// No checkpoint.
pub struct NoCheckpoint;

impl Checkpoint for NoCheckpoint {
    fn load(&self) -> Result<Vec<(usize, [f64; 3])>, String> {
        Ok(Vec::new())
    }
    fn save(&self, _block: &[(usize, [f64; 3])]) -> Result<(), String> {
        Ok(())
    }
}

/// Number of orbit blocks (progress ticks, checkpoint writes) for an L_x × L_y torus.
pub fn blocks(lx: usize, ly: usize) -> usize {
    orbits(lx, ly, lx == ly).len().div_ceil(block_len(lx, ly))
}

fn block_len(lx: usize, ly: usize) -> usize {
    (orbits(lx, ly, lx == ly).len() / 200).max(2 * rayon::current_num_threads()).max(1)
}

impl FreeFermion {
    /// R, A, B by the momentum route (module doc), the orbits of k₁ dealt round-robin over the
    /// processes of `part`; `tick` once per block of orbits. The result is the same to the bit
    /// for any number of threads and processes, and after a resume from `ckpt`.
    pub fn curvature_momentum(
        &self,
        tick: &(dyn Fn() + Sync),
        part: &dyn Partition,
        ckpt: &dyn Checkpoint,
    ) -> Result<MomentumCurvature, String> {
        let (lx, ly) = (self.lx, self.ly);
        let swap = lx == ly && self.t[0] == self.t[1];
        let orb = orbits(lx, ly, swap);
        let tables = Tables::new(self);
        let g = [self.g_row(0), self.g_row(1)];
        let (_, eig_min, eig_max) = inverse_metric(lx, ly, &g);
        let mut shares: Vec<Option<[f64; 3]>> = vec![None; orb.len()];
        for (i, v) in ckpt.load()? {
            if i >= orb.len() {
                return Err(format!("checkpoint names orbit {i} of {}: it belongs to another lattice", orb.len()));
            }
            shares[i] = Some(v);
        }
        let (me, procs) = (part.rank(), part.size());
        let todo: Vec<usize> = (0..orb.len()).filter(|&i| shares[i].is_none()).collect();
        let pool: Vec<std::sync::Mutex<Option<Work>>> =
            (0..rayon::current_num_threads().max(1)).map(|_| std::sync::Mutex::new(None)).collect();
        for block in todo.chunks(block_len(lx, ly)) {
            let mine: Vec<usize> = block.iter().copied().filter(|i| i % procs == me).collect();
            // one set of buffers per thread for the whole run (map_init would allocate and zero
            // ~20 arrays of N for every piece rayon splits a block into)
            let got: Vec<(usize, [f64; 3])> = mine
                .par_iter()
                .map(|&i| {
                    let slot = &pool[rayon::current_thread_index().unwrap_or(0) % pool.len()];
                    let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
                    let w = guard.get_or_insert_with(|| tables.work());
                    (i, tables.share(orb[i].k, w))
                })
                .collect();
            // every process ends with the whole block: zeros elsewhere sum exactly
            let mut flat = vec![0.0; 3 * block.len()];
            for (i, v) in &got {
                let p = block.iter().position(|b| b == i).expect("in the block");
                flat[3 * p..3 * p + 3].copy_from_slice(v);
            }
            part.all_sum(&mut flat);
            let done: Vec<(usize, [f64; 3])> =
                block.iter().enumerate().map(|(p, &i)| (i, [flat[3 * p], flat[3 * p + 1], flat[3 * p + 2]])).collect();
            if me == 0 {
                ckpt.save(&done)?;
            }
            for (i, v) in done {
                shares[i] = Some(v);
            }
            tick();
        }
        let n = (lx * ly) as f64;
        let assemble = |order: &mut dyn Iterator<Item = usize>, compensated: bool| {
            let (mut b, mut v0, mut v1) = (Neumaier::default(), Neumaier::default(), Neumaier::default());
            let (mut pb, mut p0, mut p1, mut abs_b) = (0.0, 0.0, 0.0, 0.0);
            for i in order {
                let s = shares[i].expect("every orbit is done");
                let m = orb[i].size as f64;
                let (c0, c1) = if swap { (0.5 * (s[1] + s[2]), 0.5 * (s[1] + s[2])) } else { (s[1], s[2]) };
                b.add(m * s[0]);
                v0.add(m * c0);
                v1.add(m * c1);
                pb += m * s[0];
                p0 += m * c0;
                p1 += m * c1;
                abs_b += (m * s[0]).abs();
            }
            let (bs, vs) = if compensated { (b.sum(), [v0.sum(), v1.sum()]) } else { (pb, [p0, p1]) };
            let bval = bs / n;
            let v = [vs[0] / n, vs[1] / n];
            let mut a = 0.0;
            for c in 0..2 {
                for c2 in 0..2 {
                    a += (v[c] * tables.ginv[0][c][c2] * v[c2]).re;
                }
            }
            (bval, a * n, abs_b / n)
        };
        let (b, a, abs_b) = assemble(&mut (0..orb.len()), true);
        let (b2, a2, _) = assemble(&mut (0..orb.len()).rev(), false);
        let r = 0.25 * (b - a);
        let r_error = (r - 0.25 * (b2 - a2)).abs() + f64::EPSILON * n.log2() * (a.abs() + abs_b) / 4.0;
        Ok(MomentumCurvature {
            curvature: Curvature { r, a, b, g_min_eig: eig_min, g_max_eig: eig_max },
            r_error,
            orbits: orb.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::free_fermion::kappa3;

    #[test]
    fn loops_are_the_eight_pairings() {
        // LOOPS regrouped must reproduce kappa3 on arbitrary blocks
        let ab = [0.3, -1.1, 0.7, 2.0];
        let ac = [1.3, 0.4, -0.6, 0.9];
        let bc = [-0.2, 0.8, 1.7, -1.4];
        let want = kappa3(&ab, &ac, &bc);
        let got: f64 = LOOPS
            .iter()
            .enumerate()
            .map(|(j, t)| t.iter().map(|&(i, k, s)| s * ab[i] * bc[k] * ac[j]).sum::<f64>())
            .sum();
        assert!((want - got).abs() < 1e-14, "{want} vs {got}");
    }

    #[test]
    fn orbits_cover_every_momentum_once() {
        for (lx, ly, swap) in [(4, 4, true), (5, 5, true), (6, 4, false), (7, 7, false), (8, 8, true)] {
            let total: usize = orbits(lx, ly, swap).iter().map(|o| o.size).sum();
            assert_eq!(total, lx * ly, "{lx}x{ly} swap {swap}");
        }
        // square 8 × 8 with the swap: 15 orbits (the triangle 0 ≤ k_y ≤ k_x ≤ 4)
        assert_eq!(orbits(8, 8, true).len(), 15);
    }
}
