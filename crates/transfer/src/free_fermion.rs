//! Exact cumulants of the bond variables of the 2D Ising torus from free fermions.
//!
//! With t_b = tanh K_b and Z_even = Σ_s c_s Pf A_s (four sectors, `onsager_exact::kasteleyn`),
//! inserting s_b replaces (1 + t_b s_b) by (t_b + s_b) = t_b(1 + t_b s_b) + (1 − t_b²) s_b, so for
//! distinct bonds
//!
//! ⟨Π_{b∈S} s_b⟩ = Σ_{U⊆S} Π_{b∈S∖U} t_b Π_{b∈U} (1 − t_b²) X_U,  X_U = ∂_U Z_even / Z_even:
//!
//! s_b acts as t_b + (1 − t_b²) η_b, and the joint cumulants of distinct bonds are
//! g_ab = (1−t_a²)(1−t_b²) κ(η_a, η_b), T_abc = Π(1−t²) κ(η_a, η_b, η_c). Repeated bonds follow
//! from s² = 1: g_aa = 1 − m_a², T_aab = −2 m_a g_ab, T_aaa = −2 m_a (1 − m_a²).
//!
//! Each Pf A_s is multilinear in the t_b, so ∂_U Pf A_s / Pf A_s is the Pfaffian of the
//! 2|U| × 2|U| matrix M_pq = G_s(n_q, n_p) over the bond endpoints (Wick's theorem, G_s = A_s⁻¹).
//! X_U is then a mixture of Gaussian (Wick) functionals with weights ω_s = c_s Pf A_s / Z_even,
//! and the law of total cumulance gives, with Δ_s = m_s − m̄ per bond direction,
//!
//! κ(a,b) = Σ_s ω_s [κ_s(a,b) + Δ_{s,a}Δ_{s,b}],
//! κ(a,b,c) = Σ_s ω_s [κ_s(a,b,c) + κ_s(a,b)Δ_{s,c} + κ_s(a,c)Δ_{s,b} + κ_s(b,c)Δ_{s,a} + Δ_aΔ_bΔ_c],
//!
//! where κ_s are connected Wick sums: κ_s(a,b) has 2 terms, κ_s(a,b,c) 8 (every pairing that
//! joins the three bonds into one loop). No raw moment is ever subtracted from another.
//!
//! The periodic–periodic sector vanishes at K_c (Pf Â(0) = 0, a two-dimensional kernel at k = 0)
//! while its derivatives do not. It is always handled by the completion A' = A + J of
//! [`Propagator`]: ∂_U Pf A / Pf A' = r₀ Pf M'_U − d/dλ Pf(M'_U + λF) with F_pq = f₂(p)f₁(q) −
//! f₁(p)f₂(q) (the Schur complement of the extra pair φ₁, φ₂). So that sector is a Gaussian of
//! weight ω' = c Pf A' r₀ / Z_even plus a derivative component of weight −ρ, ρ = c Pf A' / Z_even,
//! evaluated with dual numbers (value, d/dλ) in the same connected formulas — exact for every
//! coupling, with no shift of β and no division by the vanishing Pfaffian.
//!
//! Cost: O(N(L_x + L_y)) to tabulate the propagators, O(1) per cumulant entry (about 50 flops per
//! sector), so a pinned slice T_{(0,γ),·,·} costs O(N²) and memory O(N) beyond the output.

use crate::fisher::CumulantSlices;
use onsager_exact::kasteleyn::{Propagator, Sector, NODE_D, NODE_L, NODE_R, NODE_U};
use onsager_models::Torus;
use rayon::prelude::*;
use std::ops::{Add, Mul, Sub};

/// value + ε·derivative, ε² = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dual {
    pub(crate) re: f64,
    pub(crate) eps: f64,
}

impl Add for Dual {
    type Output = Dual;
    #[inline]
    fn add(self, o: Dual) -> Dual {
        Dual { re: self.re + o.re, eps: self.eps + o.eps }
    }
}
impl Sub for Dual {
    type Output = Dual;
    #[inline]
    fn sub(self, o: Dual) -> Dual {
        Dual { re: self.re - o.re, eps: self.eps - o.eps }
    }
}
impl Mul for Dual {
    type Output = Dual;
    #[inline]
    fn mul(self, o: Dual) -> Dual {
        Dual { re: self.re * o.re, eps: self.re * o.eps + self.eps * o.re }
    }
}

pub(crate) trait Ring: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    /// value with its F-part (dropped by plain f64)
    fn lift(re: f64, eps: f64) -> Self;
    /// the Gaussian part with weight ω minus the derivative part with weight ρ
    fn emit(self, w: f64, dw: f64) -> f64;
}
impl Ring for f64 {
    #[inline]
    fn lift(re: f64, _eps: f64) -> Self {
        re
    }
    #[inline]
    fn emit(self, w: f64, _dw: f64) -> f64 {
        w * self
    }
}
impl Ring for Dual {
    #[inline]
    fn lift(re: f64, eps: f64) -> Self {
        Dual { re, eps }
    }
    #[inline]
    fn emit(self, w: f64, dw: f64) -> f64 {
        w * self.re - dw * self.eps
    }
}

/// A 2 × 2 block of contractions between the endpoints (i, j) of two bonds u, v:
/// [C(i_u,i_v), C(i_u,j_v), C(j_u,i_v), C(j_u,j_v)].
pub(crate) type Block<N> = [N; 4];

/// Connected Wick sum of two bonds.
#[inline]
pub(crate) fn kappa2<N: Ring>(ab: &Block<N>) -> N {
    ab[1] * ab[2] - ab[0] * ab[3]
}

/// Connected Wick sum of three bonds: the 8 pairings of (i_a, j_a, i_b, j_b, i_c, j_c) with no pair
/// inside a bond, with their permutation signs.
#[inline]
pub(crate) fn kappa3<N: Ring>(ab: &Block<N>, ac: &Block<N>, bc: &Block<N>) -> N {
    ab[0] * ac[2] * bc[3] - ab[0] * ac[3] * bc[2] - ab[1] * ac[2] * bc[1] + ab[1] * ac[3] * bc[0]
        - ac[0] * ab[2] * bc[3]
        + ac[0] * ab[3] * bc[1]
        + ac[1] * ab[2] * bc[2]
        - ac[1] * ab[3] * bc[0]
}

/// Endpoint node kinds of a bond of direction μ: (i, j).
const ENDS: [(usize, usize); 2] = [(NODE_R, NODE_L), (NODE_U, NODE_D)];

pub(crate) struct SectorData {
    /// ω: weight of the Gaussian part
    pub(crate) weight: f64,
    /// ρ: weight of the derivative part (completed sector only; else 0)
    pub(crate) dweight: f64,
    /// pair[(μ·2 + ν)·N + site(Δ)]: contractions between bond (0, μ) and bond (Δ, ν), Δ ∈ [0, L)²
    pub(crate) pair: Vec<Block<f64>>,
    /// F-part of the same (position independent), [(μ·2 + ν)]
    pub(crate) pair_eps: [Block<f64>; 4],
    /// the twist (θ_x, θ_y)
    pub(crate) twist: (f64, f64),
    /// one-point C(i, j) per direction, with its F-part
    pub(crate) one: [Dual; 2],
    /// Δ_s = m_s − m̄ per direction
    pub(crate) delta: [Dual; 2],
}

/// Exact cumulants of the bond variables of the L_x × L_y Ising torus at uniform couplings
/// (K_x, K_y > 0, h = 0), bond index b = site·2 + μ as in [`Torus`] (site = y·L_x + x).
pub struct FreeFermion {
    pub(crate) lx: usize,
    pub(crate) ly: usize,
    pub(crate) t: [f64; 2],
    ln_z: f64,
    pub(crate) sectors: Vec<SectorData>,
    /// η means m̄ per direction
    mbar: [f64; 2],
}

impl FreeFermion {
    /// Tabulates the four sector propagators. Needs L_x, L_y ≥ 2 and K_x, K_y > 0.
    pub fn new(lx: usize, ly: usize, kx: f64, ky: f64) -> Result<Self, String> {
        if lx < 2 || ly < 2 {
            return Err(format!("free fermions need L_x, L_y ≥ 2 (got {lx} × {ly})"));
        }
        if !(kx > 0.0 && ky > 0.0 && kx.is_finite() && ky.is_finite()) {
            return Err(format!("free-fermion Fisher geometry needs a coupling K > 0 (got {kx}, {ky})"));
        }
        let t = [kx.tanh(), ky.tanh()];
        let n = lx * ly;
        let props: Vec<Propagator> = Sector::ALL[..]
            .par_iter()
            .map(|&s| Propagator::new(s, lx, ly, t[0], t[1], s.periodic_x && s.periodic_y))
            .collect();
        // Z_even = Σ c_s Pf A_s, the completed sector as c r₀ Pf A'
        let terms: Vec<(f64, f64)> = props
            .iter()
            .map(|p| {
                let c = p.sector.coefficient();
                let r0 = p.completion.map(|c| c.r0).unwrap_or(1.0);
                let v = c * r0 * p.ln_pf.0;
                (v.signum(), p.ln_pf.1 + (c * r0).abs().ln())
            })
            .collect();
        let (sign, ln_z_even) = onsager_exact::signed_log_sum(&terms);
        if sign <= 0.0 {
            return Err("Z_even ≤ 0: the Pfaffian sectors are inconsistent".into());
        }
        let ln_z = n as f64 * (2f64.ln() + kx.cosh().ln() + ky.cosh().ln()) + ln_z_even;

        let mut sectors: Vec<SectorData> = props
            .par_iter()
            .map(|p| {
                let c = p.sector.coefficient();
                let scale = c * p.ln_pf.0 * (p.ln_pf.1 - ln_z_even).exp();
                let (weight, dweight) = match p.completion {
                    Some(comp) => (scale * comp.r0, scale),
                    None => (scale, 0.0),
                };
                build_sector(p, lx, ly, weight, dweight)
            })
            .collect();
        let mut mbar = [0.0; 2];
        for mu in 0..2 {
            mbar[mu] = sectors.iter().map(|s| s.weight * s.one[mu].re - s.dweight * s.one[mu].eps).sum();
        }
        // Δ_s = m_s − m̄ from differences of one-point functions, using Σ_t ω_t = 1 exactly: the
        // computed weights sum to 1 only within rounding, and a Δ of 1e-14 instead of ~0 is
        // multiplied by N in the sector-mean terms (R of the ordered 96 × 96 torus was off by 2e-10)
        let ones: Vec<([Dual; 2], f64, f64)> = sectors.iter().map(|s| (s.one, s.weight, s.dweight)).collect();
        for s in &mut sectors {
            for mu in 0..2 {
                let re: f64 = ones.iter().map(|(o, w, dw)| w * (s.one[mu].re - o[mu].re) + dw * o[mu].eps).sum();
                s.delta[mu] = Dual { re, eps: s.one[mu].eps };
            }
        }
        Ok(FreeFermion { lx, ly, t, ln_z, sectors, mbar })
    }

    /// The infinite lattice by quadrature: one Gaussian sector (fermions antiperiodic along both
    /// axes) on an M × M grid of momenta p = 2π(n + ½)/M, with weight 1 and no sector mixture.
    ///
    /// Every table of this sector is the periodic midpoint rule for the corresponding integral
    /// over the Brillouin zone (its propagator is the infinite-lattice G(x) plus its images,
    /// alternating in sign, at distances M), and the sector-mean terms of the law of total
    /// cumulance vanish with one sector. Off the critical point the integrands are analytic on
    /// the torus of momenta, so R/N, A/N, B/N and ln Z/N converge to their infinite-lattice
    /// values exponentially in M/ξ (Trefethen & Weideman, SIAM Rev. 56, 385 (2014), for the
    /// periodic trapezoidal rule). Use [`Self::curvature_momentum`] on it.
    pub fn bulk(m: usize, kx: f64, ky: f64) -> Result<Self, String> {
        Self::one_sector(m, kx, ky, Sector { periodic_x: false, periodic_y: false })
    }

    /// One sector alone as a Gaussian of weight 1 (see [`Self::bulk`]): any sector without a
    /// zero mode is a quadrature of the infinite lattice, on grids offset by its twist.
    pub fn one_sector(m: usize, kx: f64, ky: f64, sector: Sector) -> Result<Self, String> {
        if m < 2 {
            return Err(format!("the quadrature grid needs M ≥ 2 (got {m})"));
        }
        if !(kx > 0.0 && ky > 0.0 && kx.is_finite() && ky.is_finite()) {
            return Err(format!("free-fermion Fisher geometry needs a coupling K > 0 (got {kx}, {ky})"));
        }
        let t = [kx.tanh(), ky.tanh()];
        let p = Propagator::new(sector, m, m, t[0], t[1], false);
        if p.ln_pf.0 == 0.0 || !p.ln_pf.1.is_finite() {
            return Err("the sector's Pfaffian vanishes".into());
        }
        let n = (m * m) as f64;
        let ln_z = n * (2f64.ln() + kx.cosh().ln() + ky.cosh().ln()) + p.ln_pf.1;
        let sector = build_sector(&p, m, m, 1.0, 0.0);
        let mbar = [sector.one[0].re, sector.one[1].re];
        Ok(FreeFermion { lx: m, ly: m, t, ln_z, sectors: vec![sector], mbar })
    }

    /// ln Z (equals Kaufman's).
    pub fn ln_z(&self) -> f64 {
        self.ln_z
    }

    /// ⟨s_b⟩ for a bond of direction μ: t + (1 − t²) m̄.
    pub fn mean(&self, mu: usize) -> f64 {
        self.t[mu] + (1.0 - self.t[mu] * self.t[mu]) * self.mbar[mu]
    }

    /// g_{(0,γ), b} for every bond b (length 2N).
    pub fn g_row(&self, gamma: usize) -> Vec<f64> {
        let n = self.lx * self.ly;
        let mut out = vec![0.0; 2 * n];
        for site in 0..n {
            for al in 0..2 {
                out[site * 2 + al] = if site == 0 && al == gamma {
                    let m = self.mean(gamma);
                    1.0 - m * m
                } else {
                    let mut k = 0.0;
                    for s in &self.sectors {
                        let ab = s.pair[(gamma * 2 + al) * n + site];
                        let e = s.pair_eps[gamma * 2 + al];
                        let abd = [0, 1, 2, 3].map(|i| Dual { re: ab[i], eps: e[i] });
                        let v = kappa2(&abd) + s.delta[gamma] * s.delta[al];
                        k += s.weight * v.re - s.dweight * v.eps;
                    }
                    (1.0 - self.t[gamma].powi(2)) * (1.0 - self.t[al].powi(2)) * k
                };
            }
        }
        out
    }

    /// T_{(0,γ), b, c} for b = (site1, α) and every c = (site2, β): out[site2·2 + β] (length 2N).
    /// `g0` is [`Self::g_row`]`(γ)` (for the repeated indices).
    pub fn t_row(&self, gamma: usize, site1: usize, al: usize, g0: &[f64], out: &mut [f64]) {
        let (lx, ly) = (self.lx, self.ly);
        let n = lx * ly;
        let scale_ab = (1.0 - self.t[gamma].powi(2)) * (1.0 - self.t[al].powi(2));
        out.iter_mut().for_each(|v| *v = 0.0);
        for s in &self.sectors {
            // regular sectors in plain f64; the completed one carries d/dλ as a dual number
            if s.dweight == 0.0 {
                sector_row::<f64>(s, lx, ly, gamma, site1, al, out);
            } else {
                sector_row::<Dual>(s, lx, ly, gamma, site1, al, out);
            }
        }
        let scale_ab_c = [scale_ab * (1.0 - self.t[0].powi(2)), scale_ab * (1.0 - self.t[1].powi(2))];
        for site2 in 0..n {
            for be in 0..2 {
                out[site2 * 2 + be] *= scale_ab_c[be];
            }
        }
        for (c, v) in out.iter_mut().enumerate() {
            if let Some(r) = self.repeated(gamma, site1, al, c, g0) {
                *v = r;
            }
        }
    }

    /// T_{(0,γ),(site₁,α),c} when two of the bonds coincide (s² = 1: T_aab = −2 m_a g_ab,
    /// T_aaa = −2 m_a g_aa), else `None`; `g0` is [`Self::g_row`]`(γ)`.
    pub(crate) fn repeated(&self, gamma: usize, site1: usize, al: usize, c: usize, g0: &[f64]) -> Option<f64> {
        let a_is_b = site1 == 0 && al == gamma;
        let b = site1 * 2 + al;
        match (a_is_b, c == gamma, c == b) {
            (true, true, _) => Some(-2.0 * self.mean(gamma) * g0[gamma]),
            (true, false, _) => Some(-2.0 * self.mean(gamma) * g0[c]),
            (false, true, _) => Some(-2.0 * self.mean(gamma) * g0[b]),
            (false, false, true) => Some(-2.0 * self.mean(al) * g0[b]),
            (false, false, false) => None,
        }
    }

    /// The Wick (distinct-bond) formula for T_{(0,γ),(site₁,α),(site₂,β)}, also where bonds
    /// coincide and it is not the cumulant: the momentum route transforms this formula and
    /// corrects the coincident entries afterwards.
    pub(crate) fn distinct_formula(&self, gamma: usize, site1: usize, al: usize, site2: usize, be: usize) -> f64 {
        let scale: f64 = [gamma, al, be].iter().map(|&m| 1.0 - self.t[m] * self.t[m]).product();
        let sum: f64 = self
            .sectors
            .iter()
            .map(|s| {
                if s.dweight == 0.0 {
                    sector_entry::<f64>(s, self.lx, self.ly, (gamma, site1), (al, site2), be)
                } else {
                    sector_entry::<Dual>(s, self.lx, self.ly, (gamma, site1), (al, site2), be)
                }
            })
            .sum();
        scale * sum
    }

    /// R, A, B by [`crate::streaming`] (slices generated, never stored); `None` if even one
    /// k₁ₓ slab does not fit in `budget` bytes.
    pub fn curvature(&self, budget: f64, tick: &(dyn Fn() + Sync)) -> Option<crate::geometry::Curvature> {
        self.curvature_shared(budget, tick, &crate::streaming::Alone)
    }

    /// [`Self::curvature`] with the rows and momenta dealt among the processes of `part`.
    pub fn curvature_shared(
        &self,
        budget: f64,
        tick: &(dyn Fn() + Sync),
        part: &dyn crate::streaming::Partition,
    ) -> Option<crate::geometry::Curvature> {
        let g = [self.g_row(0), self.g_row(1)];
        let row = |gamma: usize, site1: usize, al: usize, out: &mut [f64]| self.t_row(gamma, site1, al, &g[gamma], out);
        crate::streaming::curvature_streaming_shared(self.lx, self.ly, &g, &row, budget, tick, part)
    }

    /// All pinned slices (g and T with the first bond at the origin): O(N²) memory, for small
    /// lattices and for checks against the transfer matrix.
    pub fn slices(&self) -> CumulantSlices {
        let n = self.lx * self.ly;
        let torus = Torus::new(&[self.lx, self.ly]).expect("valid torus");
        let g: Vec<Vec<f64>> = (0..2).map(|c| self.g_row(c)).collect();
        let mut t = vec![vec![0.0; 4 * n * n]; 2];
        for (c, tc) in t.iter_mut().enumerate() {
            for (b, row) in tc.chunks_mut(2 * n).enumerate() {
                self.t_row(c, b / 2, b % 2, &g[c], row);
            }
        }
        CumulantSlices { torus, ln_z: self.ln_z, mean: vec![self.mean(0), self.mean(1)], g, t }
    }
}

/// Adds one sector's share of T_{(0,γ),(site₁,α),(site₂,β)} (before the (1 − t²)³ scale) to
/// `out` for every site₂, β: the connected triangle plus the law-of-total-cumulance terms.
fn sector_row<N: Ring>(s: &SectorData, lx: usize, ly: usize, gamma: usize, site1: usize, al: usize, out: &mut [f64]) {
    let n = lx * ly;
    let (x1, y1) = (site1 % lx, site1 / lx);
    let lift = |b: &Block<f64>, e: &Block<f64>, sg: f64| [0, 1, 2, 3].map(|i| N::lift(sg * b[i], e[i]));
    let ab = lift(&s.pair[(gamma * 2 + al) * n + site1], &s.pair_eps[gamma * 2 + al], 1.0);
    let kab = kappa2(&ab);
    let delta = |mu: usize| N::lift(s.delta[mu].re, s.delta[mu].eps);
    let (da, db) = (delta(gamma), delta(al));
    for be in 0..2 {
        let dc = delta(be);
        let row_const = kab * dc + da * db * dc;
        let (ace, bce) = (&s.pair_eps[gamma * 2 + be], &s.pair_eps[al * 2 + be]);
        let ac_tab = &s.pair[(gamma * 2 + be) * n..(gamma * 2 + be + 1) * n];
        let bc_tab = &s.pair[(al * 2 + be) * n..(al * 2 + be + 1) * n];
        for y2 in 0..ly {
            // c sits at x₂ but the table holds x₂ − x₁ mod L: a wrap costs the twist
            let (dy, sy) = if y2 >= y1 { (y2 - y1, 1.0) } else { (y2 + ly - y1, s.twist.1) };
            for x2 in 0..lx {
                let (dx, sx) = if x2 >= x1 { (x2 - x1, 1.0) } else { (x2 + lx - x1, s.twist.0) };
                let site2 = y2 * lx + x2;
                let ac = lift(&ac_tab[site2], ace, 1.0);
                let bc = lift(&bc_tab[dy * lx + dx], bce, sx * sy);
                let v = kappa3(&ab, &ac, &bc) + kappa2(&ac) * db + kappa2(&bc) * da + row_const;
                out[site2 * 2 + be] += v.emit(s.weight, s.dweight);
            }
        }
    }
}

/// One sector's share of T_{(0,γ),(site₁,α),(site₂,β)} before the (1 − t²)³ scale (the same
/// terms as [`sector_row`], one entry).
fn sector_entry<N: Ring>(
    s: &SectorData,
    lx: usize,
    ly: usize,
    (gamma, site1): (usize, usize),
    (al, site2): (usize, usize),
    be: usize,
) -> f64 {
    let n = lx * ly;
    let lift = |b: &Block<f64>, e: &Block<f64>, sg: f64| [0, 1, 2, 3].map(|i| N::lift(sg * b[i], e[i]));
    let (x1, y1, x2, y2) = (site1 % lx, site1 / lx, site2 % lx, site2 / lx);
    let (dy, sy) = if y2 >= y1 { (y2 - y1, 1.0) } else { (y2 + ly - y1, s.twist.1) };
    let (dx, sx) = if x2 >= x1 { (x2 - x1, 1.0) } else { (x2 + lx - x1, s.twist.0) };
    let ab = lift(&s.pair[(gamma * 2 + al) * n + site1], &s.pair_eps[gamma * 2 + al], 1.0);
    let ac = lift(&s.pair[(gamma * 2 + be) * n + site2], &s.pair_eps[gamma * 2 + be], 1.0);
    let bc = lift(&s.pair[(al * 2 + be) * n + dy * lx + dx], &s.pair_eps[al * 2 + be], sx * sy);
    let d = |mu: usize| N::lift(s.delta[mu].re, s.delta[mu].eps);
    let (da, db, dc) = (d(gamma), d(al), d(be));
    let v = kappa3(&ab, &ac, &bc) + kappa2(&ac) * db + kappa2(&bc) * da + kappa2(&ab) * dc + da * db * dc;
    v.emit(s.weight, s.dweight)
}

/// Contraction tables of one sector (see [`SectorData`]).
fn build_sector(p: &Propagator, lx: usize, ly: usize, weight: f64, dweight: f64) -> SectorData {
    let n = lx * ly;
    let unit = [(1i64, 0i64), (0, 1)];
    // C(p, q) = G(pos_q − pos_p)[α_q][α_p]
    let c = |pp: (i64, i64, usize), q: (i64, i64, usize)| p.get(q.0 - pp.0, q.1 - pp.1, q.2, pp.2);
    let ends = |x: i64, y: i64, mu: usize| {
        let (i, j) = ENDS[mu];
        ((x, y, i), (x + unit[mu].0, y + unit[mu].1, j))
    };
    let mut pair = vec![[0.0; 4]; 4 * n];
    for mu in 0..2 {
        for nu in 0..2 {
            let (iu, ju) = ends(0, 0, mu);
            for dy in 0..ly {
                for dx in 0..lx {
                    let (iv, jv) = ends(dx as i64, dy as i64, nu);
                    pair[(mu * 2 + nu) * n + dy * lx + dx] = [c(iu, iv), c(iu, jv), c(ju, iv), c(ju, jv)];
                }
            }
        }
    }
    let (f1, f2) = match p.completion {
        Some(comp) => (comp.f1, comp.f2),
        None => ([0.0; 4], [0.0; 4]),
    };
    let f = |a: usize, b: usize| f2[a] * f1[b] - f1[a] * f2[b];
    let mut pair_eps = [[0.0; 4]; 4];
    for mu in 0..2 {
        for nu in 0..2 {
            let ((iu, ju), (iv, jv)) = (ENDS[mu], ENDS[nu]);
            pair_eps[mu * 2 + nu] = [f(iu, iv), f(iu, jv), f(ju, iv), f(ju, jv)];
        }
    }
    let one = [0, 1].map(|mu| {
        let (i, j) = ends(0, 0, mu);
        Dual { re: c(i, j), eps: f(i.2, j.2) }
    });
    SectorData { weight, dweight, pair, pair_eps, twist: p.sector.twist(), one, delta: [Dual { re: 0.0, eps: 0.0 }; 2] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_numbers_differentiate_products() {
        // d/dλ (a + λa')(b + λb') = a b' + a' b
        let x = Dual { re: 2.0, eps: 3.0 } * Dual { re: 5.0, eps: 7.0 };
        assert_eq!(x, Dual { re: 10.0, eps: 29.0 });
    }
}
