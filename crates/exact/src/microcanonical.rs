//! Exact density of states of any model on any periodic torus by the microcanonical transfer
//! matrix, with exact integer counts.
//!
//! Every model here has a bond variable f(σ, σ') = 1 − u·c(σ, σ') with an integer *cost*
//! c ∈ {0, …, c_max} and an energy unit u (Ising: c = [σ ≠ σ'], u = 2; Potts: c = [σ ≠ σ'],
//! u = 1; clock q ∈ {2, 3, 4, 6}: c = 2(1 − cos θ)/g with g the gcd of those integers, u = g/2).
//! With E = −Σ_bonds f the generating polynomial of the costs
//!
//! Z(x) = Σ_σ x^{Σ_b c_b(σ)} = Σ_k g_k x^k,    g(E = −N_b + u k) = g_k,
//!
//! is a trace over the layers orthogonal to the last axis of the torus (L_⊥ sites each,
//! M layers): Z(x) = Tr T(x)^M with T(x)_{ab} = x^{c_inter(a,b) + c_intra(b)}. The entries of
//! the propagated vector are polynomials in x whose coefficients are counts; T is applied one
//! site at a time (replace the spin at position p of the frontier: q^{L_⊥}·q² shifted
//! polynomial additions, no multiplication), and the trace is closed exactly:
//!
//! Z(x) = Σ_{a ∈ reps} |orbit(a)| · (T(x)^M)_{aa},
//!
//! where the starting layers a run over one representative per orbit of the layer symmetries
//! that commute with T: translations and reflections of the layer (and the swap of its two
//! axes when they are equal, 3D), times the global spin symmetry (S_q for Potts, the dihedral
//! group σ → ±σ + k for clock and Ising). The polynomials are kept modulo 2^64 and modulo
//! primes below 2^63, joined by the Chinese remainder theorem; one more prime must agree with
//! the reconstruction, and Σ_k g_k = q^N must hold exactly (no count wrapped around).
//!
//! The second layer is written down directly (one monomial per state), the others are added
//! site by site, k positions at a time on a block of q^k polynomials that stays in cache (the
//! vector itself is streamed from memory once per k sites).
//!
//! Cost: |reps| · (M − 2) · L_⊥ · q^{L_⊥} · q² · (average degree) additions per modulus;
//! memory: one vector of q^{L_⊥} polynomials of degree c_max·N_b per worker thread
//! ([`Plan::bytes`], queried before anything is allocated).

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive, Zero};
use onsager_models::{Model, Torus};
use rayon::prelude::*;
use thiserror::Error;

/// Why a microcanonical transfer-matrix DOS cannot be computed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DosError {
    /// The model's bond variable takes irrational values (clock q ∉ {2, 3, 4, 6}).
    #[error(
        "the {0} model has irrational bond energies cos(2π/q): an exact integer DOS needs clock q ∈ {{2, 3, 4, 6}}"
    )]
    IrrationalLevels(String),
    /// The layer state space is too large to store.
    #[error("a layer of {sites} sites has {q}^{sites} states, above the limit of 2^27")]
    LayerTooLarge {
        /// sites per layer
        sites: usize,
        /// states per site
        q: usize,
    },
    /// A reconstruction check failed (an internal error: please report it).
    #[error("exact DOS check failed: {0}")]
    Check(String),
}

/// The integer bond costs of a model: f(σ, σ') = 1 − unit · cost[σ q + σ'].
#[derive(Debug, Clone, PartialEq)]
pub struct BondCosts {
    /// states per site
    pub q: usize,
    /// c(σ, σ'), row-major q × q
    pub cost: Vec<u32>,
    /// energy per cost unit u
    pub unit: f64,
    /// largest cost
    pub max: u32,
}

impl BondCosts {
    /// The costs of `model` (see the module docs); clock models with irrational cosines are refused.
    pub fn of(model: Model) -> Result<Self, DosError> {
        let q = model.q();
        // twice (1 − f) is an integer for every model served here
        let mut half = Vec::with_capacity(q * q);
        for a in 0..q {
            for b in 0..q {
                let v = 2.0 * (1.0 - model.bond(a, b));
                let r = v.round();
                if (v - r).abs() > 1e-12 {
                    return Err(DosError::IrrationalLevels(model.to_string()));
                }
                half.push(r as u32);
            }
        }
        let g = half.iter().fold(0u32, |g, &c| gcd(g as u64, c as u64) as u32).max(1);
        let cost: Vec<u32> = half.iter().map(|&c| c / g).collect();
        let max = cost.iter().copied().max().unwrap_or(0);
        Ok(BondCosts { q, cost, unit: g as f64 / 2.0, max })
    }

    #[inline]
    fn c(&self, a: usize, b: usize) -> u32 {
        self.cost[a * self.q + b]
    }
}

/// An exact energy distribution: `counts\[k\]` configurations at E = e0 + unit·k.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyCounts {
    /// torus sides
    pub dims: Vec<usize>,
    /// states per site
    pub q: usize,
    /// lowest possible energy −N_b (all bonds satisfied)
    pub e0: f64,
    /// energy spacing
    pub unit: f64,
    /// g_k, exact
    pub counts: Vec<BigUint>,
}

impl EnergyCounts {
    /// The levels with at least one configuration: (E, g(E)), ascending in E.
    pub fn levels(&self) -> Vec<(f64, &BigUint)> {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, c)| (self.e0 + self.unit * k as f64, c))
            .collect()
    }

    /// Σ_E g(E) (= q^N).
    pub fn total(&self) -> BigUint {
        self.counts.iter().sum()
    }

    /// Canonical averages from the counts: [`thermodynamics`].
    pub fn thermodynamics(&self, beta: f64) -> Thermodynamics {
        thermodynamics(&self.levels(), beta, self.dims.iter().product())
    }
}

/// Canonical averages of `n` sites from exact levels (E, g(E)), in logarithms so that no
/// weight under- or overflows: ln Z = ln Σ g(E) e^{−βE}, ⟨E⟩ and the specific heat per site
/// C/N = β² ⟨(E − ⟨E⟩)²⟩/N (the centred second moment, no cancellation).
pub fn thermodynamics(levels: &[(f64, &BigUint)], beta: f64, n: usize) -> Thermodynamics {
    let lw: Vec<f64> = levels.iter().map(|(e, c)| crate::dos::ln_big(c) - beta * e).collect();
    let m = lw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = lw.iter().map(|l| (l - m).exp()).collect();
    let z: f64 = w.iter().sum();
    let mean = levels.iter().zip(&w).map(|((e, _), w)| e * w).sum::<f64>() / z;
    let var = levels.iter().zip(&w).map(|((e, _), w)| (e - mean).powi(2) * w).sum::<f64>() / z;
    // (β σ)², not β² σ²: at β = 1e300 the variance is 0 and β² alone would be inf (0·inf = NaN)
    let c = (beta * var.sqrt()).powi(2) / n as f64;
    Thermodynamics { beta, ln_z: m + z.ln(), energy: mean, specific_heat_per_site: c }
}

/// Canonical averages at one β from an exact DOS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thermodynamics {
    /// β (K = βJ, J = 1)
    pub beta: f64,
    /// ln Z
    pub ln_z: f64,
    /// ⟨E⟩, total
    pub energy: f64,
    /// C/N = β² Var(E)/N
    pub specific_heat_per_site: f64,
}

/// What a microcanonical transfer-matrix DOS will cost, before anything is allocated.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// torus sides, reordered so that the longest is the transfer direction
    pub dims: Vec<usize>,
    /// sites per layer L_⊥
    pub layer_sites: usize,
    /// q^{L_⊥}
    pub layer_states: usize,
    /// polynomial length c_max·N_b + 1
    pub degree: usize,
    /// starting-layer orbit representatives
    pub representatives: usize,
    /// moduli (2^64 and primes) the CRT needs, plus one check prime
    pub moduli: usize,
    /// worker threads the plan assumes
    pub threads: usize,
    /// predicted peak bytes
    pub bytes: f64,
    /// predicted additions (a time estimate: about 1e9 per second per thread)
    pub additions: f64,
}

/// Symmetry data of the starting layers.
pub(crate) struct Orbits {
    pub(crate) reps: Vec<(usize, u64)>,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The torus with its longest side last (the DOS does not depend on the order of the axes).
pub(crate) fn transfer_order(torus: &Torus) -> Vec<usize> {
    let mut d = torus.dims().to_vec();
    let (imax, _) = d.iter().enumerate().max_by_key(|&(i, &l)| (l, i)).expect("non-empty");
    let l = d.remove(imax);
    d.push(l);
    d
}

/// Permutations of the layer positions (C order over the first d − 1 axes) that preserve the
/// layer's bonds: translations, reflections, and the swap of two equal axes.
fn layer_group(ld: &[usize]) -> Vec<Vec<usize>> {
    let w: usize = ld.iter().product();
    let mut out = Vec::new();
    match ld.len() {
        0 => out.push(vec![0]),
        1 => {
            let l = ld[0] as i64;
            for s in [1i64, -1] {
                for t in 0..l {
                    out.push((0..l).map(|x| (s * x + t).rem_euclid(l) as usize).collect());
                }
            }
        }
        _ => {
            let (l0, l1) = (ld[0] as i64, ld[1] as i64);
            let swaps: &[bool] = if l0 == l1 { &[false, true] } else { &[false] };
            for &sw in swaps {
                for s0 in [1i64, -1] {
                    for s1 in [1i64, -1] {
                        for t0 in 0..l0 {
                            for t1 in 0..l1 {
                                let perm = (0..w)
                                    .map(|p| {
                                        let (x0, x1) = (p as i64 / l1, p as i64 % l1);
                                        let (a, b) = if sw { (x1, x0) } else { (x0, x1) };
                                        let y0 = (s0 * a + t0).rem_euclid(l0);
                                        let y1 = (s1 * b + t1).rem_euclid(l1);
                                        (y0 * l1 + y1) as usize
                                    })
                                    .collect();
                                out.push(perm);
                            }
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// One representative per orbit of (layer symmetries × spin symmetries), with the orbit size.
pub(crate) fn orbits(model: Model, ld: &[usize]) -> Orbits {
    let q = model.q();
    let w: usize = ld.iter().product();
    let states = q.pow(w as u32);
    let group = layer_group(ld);
    // the spin symmetry as a canonical relabelling: Potts by order of first appearance (the
    // S_q orbit), Ising and clock by the least of the 2q dihedral images
    let potts = matches!(model, Model::Potts { .. });
    let canon = |s: usize, dig: &mut Vec<usize>, img: &mut Vec<usize>| -> usize {
        let mut x = s;
        for d in dig.iter_mut() {
            *d = x % q;
            x /= q;
        }
        let mut best = usize::MAX;
        for g in &group {
            for p in 0..w {
                img[g[p]] = dig[p];
            }
            if potts {
                let mut map = [usize::MAX; 64];
                let mut next = 0;
                let mut code = 0;
                for p in (0..w).rev() {
                    let v = img[p];
                    if map[v] == usize::MAX {
                        map[v] = next;
                        next += 1;
                    }
                    code = code * q + map[v];
                }
                best = best.min(code);
            } else {
                for sign in [1usize, q - 1] {
                    for k in 0..q {
                        let mut code = 0;
                        for p in (0..w).rev() {
                            code = code * q + (sign * img[p] + k) % q;
                        }
                        best = best.min(code);
                    }
                }
            }
        }
        best
    };
    let chunk = 4096;
    let keys: Vec<u32> = (0..states)
        .into_par_iter()
        .chunks(chunk)
        .flat_map_iter(|c| {
            let mut dig = vec![0; w];
            let mut img = vec![0; w];
            c.into_iter().map(move |s| canon(s, &mut dig, &mut img) as u32).collect::<Vec<_>>()
        })
        .collect();
    let mut size = vec![0u64; states];
    for &k in &keys {
        size[k as usize] += 1;
    }
    Orbits { reps: size.iter().enumerate().filter(|(_, &n)| n > 0).map(|(s, &n)| (s, n)).collect() }
}

/// The number of starting-layer orbits without visiting the q^{L_⊥} states (Burnside): the mean
/// over (π, σ) ∈ layer group × spin group of the colourings fixed by both, Π_{cycles of π}
/// #{c : σ^{len}(c) = c}. Potts with q > 8 (q! spin permutations) falls back to states/|G|.
pub(crate) fn orbit_count(model: Model, ld: &[usize]) -> usize {
    let q = model.q();
    let w: usize = ld.iter().product();
    let group = layer_group(ld);
    if matches!(model, Model::Potts { .. }) && q > 8 {
        // q! spin permutations: the orbits are nearly all of full size
        let g = group.len() as f64 * (1..=q).map(|k| k as f64).product::<f64>();
        return ((q as f64).powi(w as i32) / g).ceil() as usize;
    }
    let spins = model.spin_permutations(8);
    let mut sum = 0f64;
    for pi in &group {
        let mut seen = vec![false; w];
        let mut cycles = Vec::new();
        for p in 0..w {
            let mut len = 0;
            let mut x = p;
            while !seen[x] {
                seen[x] = true;
                x = pi[x];
                len += 1;
            }
            if len > 0 {
                cycles.push(len);
            }
        }
        for sg in &spins {
            let fixed = |len: usize| {
                (0..q)
                    .filter(|&c| {
                        let mut y = c;
                        for _ in 0..len {
                            y = sg[y];
                        }
                        y == c
                    })
                    .count() as f64
            };
            sum += cycles.iter().map(|&l| fixed(l)).product::<f64>();
        }
    }
    (sum / (group.len() * spins.len()) as f64).round() as usize
}

/// A residue ring for the polynomial coefficients.
trait Ring: Copy + Send + Sync {
    fn add(self, a: u64, b: u64) -> u64;
    fn mul(self, a: u64, b: u64) -> u64;
}

#[derive(Clone, Copy)]
struct Wrap;
impl Ring for Wrap {
    #[inline(always)]
    fn add(self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    #[inline(always)]
    fn mul(self, a: u64, b: u64) -> u64 {
        a.wrapping_mul(b)
    }
}

#[derive(Clone, Copy)]
struct Prime(u64);
impl Ring for Prime {
    #[inline(always)]
    fn add(self, a: u64, b: u64) -> u64 {
        // p < 2^63: no overflow; min() is the branch-free conditional subtraction
        let s = a + b;
        s.min(s.wrapping_sub(self.0))
    }
    #[inline(always)]
    fn mul(self, a: u64, b: u64) -> u64 {
        ((a as u128 * b as u128) % self.0 as u128) as u64
    }
}

/// The bonds inside one layer: for each position p the positions p' < p it is bonded to (with
/// multiplicity, so a side of 2 counts twice), and the list of bonds (p, p'). A side of 1 makes
/// a self-loop, which costs nothing in any configuration and is left out.
pub(crate) fn layer_bonds(torus: &Torus) -> (Vec<Vec<usize>>, Vec<(usize, usize)>) {
    let (w, d) = (torus.layer_sites(), torus.d());
    let mut back = vec![Vec::new(); w];
    let mut intra = Vec::new();
    for s in 0..w {
        for mu in 0..d - 1 {
            let (a, b) = torus.bond_sites(s * d + mu);
            if a != b {
                back[a.max(b)].push(a.min(b));
                intra.push((a, b));
            }
        }
    }
    (back, intra)
}

/// Geometry of the site-by-site transfer, shared by every starting layer.
struct Sweep {
    q: usize,
    w: usize,
    layers: usize,
    /// last index of the flattened polynomial: cost degree c_max·N_b, or with the magnetization
    /// (cost degree + 1)(N + 1) − 1, index = cost + mstep·(number of σ = 0 sites)
    deg: usize,
    /// 0 for the energy alone; cost degree + 1 for the joint (E, M) counts
    mstep: usize,
    /// N
    sites: usize,
    costs: BondCosts,
    /// in-layer bonds of position p to positions p' < p (with multiplicity)
    back: Vec<Vec<usize>>,
    /// in-layer bonds (p, p') of one layer, p' ≠ p
    intra: Vec<(usize, usize)>,
    pow: Vec<usize>,
}

impl Sweep {
    fn new(model: Model, dims: &[usize], joint: bool) -> Result<Self, DosError> {
        let costs = BondCosts::of(model)?;
        let torus = Torus::new(dims).expect("valid dims");
        let w = torus.layer_sites();
        let (back, intra) = layer_bonds(&torus);
        let q = model.q();
        let pow = (0..=w).map(|i| q.pow(i as u32)).collect();
        let cdeg = costs.max as usize * torus.bonds();
        let (mstep, deg) = if joint { (cdeg + 1, (cdeg + 1) * (torus.sites() + 1) - 1) } else { (0, cdeg) };
        Ok(Sweep { q, w, layers: torus.layers(), deg, mstep, sites: torus.sites(), costs, back, intra, pow })
    }

    fn digit(&self, s: usize, p: usize) -> usize {
        s / self.pow[p] % self.q
    }

    /// The magnetization offset of one spin: σ = 0 (s = +1) counts.
    #[inline]
    fn moff(&self, b: usize) -> usize {
        if b == 0 {
            self.mstep
        } else {
            0
        }
    }

    /// The magnetization offset of a whole layer state.
    fn layer_moff(&self, s: usize) -> usize {
        (0..self.w).map(|p| self.moff(self.digit(s, p))).sum()
    }

    /// Σ_{b ∈ orbit(a)} P_b from P_a: the orbit includes the global flip (n → N − n) together
    /// with the layer symmetries, so the sum is |orbit|/2 (P_a + flip P_a) for an even orbit and
    /// |orbit| P_a for an odd one (then the flip maps a into its own geometric orbit and P_a is
    /// already symmetric); exact in any ring.
    fn orbit_sum<R: Ring>(&self, r: R, v: &[u64], size: u64) -> Vec<u64> {
        if self.mstep == 0 || size % 2 == 1 {
            return v.iter().map(|&x| r.mul(x, size)).collect();
        }
        let (cs, n) = (self.mstep, self.sites);
        (0..v.len())
            .map(|i| {
                let (k, j) = (i % cs, i / cs);
                r.mul(r.add(v[i], v[k + cs * (n - j)]), size / 2)
            })
            .collect()
    }

    /// Positions updated together in cache: q^k polynomials of the current and the next
    /// vector fit in 512 KiB, so main memory is streamed once per k site updates, not per site.
    fn block(&self) -> usize {
        let poly = (self.deg + 1) * 8 * 2;
        (1..=self.w).rev().find(|&k| self.pow[k] * poly <= 1 << 19).unwrap_or(1)
    }

    /// (T^M)_{aa} modulo the ring, as a polynomial of length deg + 1. `cur` holds the vector
    /// (q^{L_⊥} polynomials); `sa`, `sb` the cache-sized block being updated.
    fn diagonal<R: Ring>(&self, r: R, a: usize, bufs: &mut (Vec<u64>, Vec<u64>, Vec<u64>)) -> Vec<u64> {
        let (q, w, stride) = (self.q, self.w, self.deg + 1);
        let states = self.pow[w];
        let intra = |s: usize| -> usize {
            self.intra.iter().map(|&(u, v)| self.costs.c(self.digit(s, u), self.digit(s, v)) as usize).sum()
        };
        let inter =
            |s: usize| -> usize { (0..w).map(|p| self.costs.c(self.digit(s, p), self.digit(a, p)) as usize).sum() };
        let intra_a = intra(a);
        let ma = self.layer_moff(a);
        let mut out = vec![0u64; stride];
        if self.layers == 1 {
            out[intra_a + ma] = 1;
            return out;
        }
        let (cur, sa, sb) = bufs;
        cur.clear();
        cur.resize(states * stride, 0);
        // layer 1 directly: one monomial per state, x^{intra(a) + inter(a, s) + intra(s)}
        for s in 0..states {
            cur[s * stride + intra_a + inter(s) + intra(s) + ma + self.layer_moff(s)] = 1;
        }
        let cmax = self.costs.max as usize;
        let mut top = intra_a + cmax * (w + self.intra.len()) + ma + w * self.mstep;
        let kb = self.block();
        for _layer in 2..self.layers {
            let mut p0 = 0;
            while p0 < w {
                let k = kb.min(w - p0);
                let (g, below, above) = (self.pow[k], self.pow[p0], self.pow[p0 + k]);
                sa.resize(g * stride, 0);
                sb.resize(g * stride, 0);
                let mut lt = top;
                for hi in 0..states / above {
                    for lo in 0..below {
                        let global = |m: usize| hi * above + m * below + lo;
                        for m in 0..g {
                            sa[m * stride..][..=top].copy_from_slice(&cur[global(m) * stride..][..=top]);
                        }
                        lt = top;
                        for j in 0..k {
                            let p = p0 + j;
                            let new = lt + cmax * (1 + self.back[p].len()) + self.mstep;
                            let (sj, bj) = (self.pow[j], self.pow[j + 1]);
                            for mh in 0..g / bj {
                                for ml in 0..sj {
                                    let mb = mh * bj + ml;
                                    // digits p' < p of the global state: lo, then the block's own
                                    let gs = global(mb);
                                    for b in 0..q {
                                        let hb: usize = self.back[p]
                                            .iter()
                                            .map(|&pp| self.costs.c(b, self.digit(gs, pp)) as usize)
                                            .sum();
                                        let dst = &mut sb[(mb + b * sj) * stride..][..=new];
                                        dst.fill(0);
                                        for a_ in 0..q {
                                            let shift = hb + self.costs.c(a_, b) as usize + self.moff(b);
                                            let src = &sa[(mb + a_ * sj) * stride..][..=lt];
                                            for (d, &v) in dst[shift..shift + lt + 1].iter_mut().zip(src) {
                                                *d = r.add(*d, v);
                                            }
                                        }
                                    }
                                }
                            }
                            std::mem::swap(sa, sb);
                            lt = new;
                        }
                        for m in 0..g {
                            cur[global(m) * stride..][..=lt].copy_from_slice(&sa[m * stride..][..=lt]);
                        }
                    }
                }
                top = lt;
                p0 += k;
            }
        }
        // close the periodic direction: bonds from the last layer back to a
        for s in 0..states {
            let shift = inter(s);
            let src = &cur[s * stride..][..=top.min(self.deg.saturating_sub(shift))];
            for (d, &v) in out[shift..].iter_mut().zip(src) {
                *d = r.add(*d, v);
            }
        }
        out
    }
}

/// `count` primes below 2^63, largest first.
fn primes_below_2_63(count: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let mut p = (1u64 << 63) - 1;
    while out.len() < count {
        if crate::dos::is_prime(p) {
            out.push(p);
        }
        p -= 2;
    }
    out
}

/// ln(2^64 · Π primes) in bits for the first `k` moduli.
fn moduli_bits(k: usize) -> f64 {
    64.0 + 63.0 * (k.saturating_sub(1)) as f64
}

/// Moduli the CRT needs at first: the product times 8 covers q^N (no level holds more than an
/// eighth of q^N beyond the tiniest lattices; the exact-sum check catches the rest and adds one).
fn initial_moduli(q: usize, sites: usize) -> usize {
    let bits = sites as f64 * (q as f64).log2() - 3.0;
    (1..).find(|&k| moduli_bits(k) >= bits).expect("finite")
}

/// The plan (memory, work) of [`energy_counts`] for `model` on `torus` with `threads` workers.
pub fn plan(model: Model, torus: &Torus, threads: usize) -> Result<Plan, DosError> {
    let dims = transfer_order(torus);
    let costs = BondCosts::of(model)?;
    let q = model.q();
    let t = Torus::new(&dims).expect("valid dims");
    let w = t.layer_sites();
    if (w as f64) * (q as f64).log2() > 27.0 {
        return Err(DosError::LayerTooLarge { sites: w, q });
    }
    let states = q.pow(w as u32);
    let degree = costs.max as usize * t.bonds() + 1;
    let moduli = initial_moduli(q, t.sites()) + 1;
    let representatives = orbit_count(model, &dims[..dims.len() - 1]);
    let threads = threads.max(1).min(representatives * moduli);
    let vectors = if t.layers() > 1 { (states * degree * 8) as f64 + 2.0 * 524288.0 } else { 0.0 };
    // 8 MB: the binary, the thread stacks and the orbit table's temporaries (measured: 7–9 MB
    // for tiny tori)
    let bytes = threads as f64 * vectors + states as f64 * 12.0 + 8e6;
    let additions = (representatives * moduli) as f64
        * (t.layers().saturating_sub(2) * w) as f64
        * states as f64
        * (q * q) as f64
        * degree as f64
        / 2.0;
    Ok(Plan { dims, layer_sites: w, layer_states: states, degree, representatives, moduli, threads, bytes, additions })
}

/// The exact energy distribution of `model` on `torus` (see the module docs). `tick(done, of)`
/// is called after each (starting layer, modulus) task. Check [`plan`] first: this allocates
/// [`Plan::bytes`].
pub fn energy_counts(
    model: Model,
    torus: &Torus,
    tick: &(dyn Fn(usize, usize) + Sync),
) -> Result<EnergyCounts, DosError> {
    let dims = transfer_order(torus);
    let sweep = Sweep::new(model, &dims, false)?;
    let counts = exact_counts(model, torus, &sweep, tick)?;
    Ok(EnergyCounts {
        dims: torus.dims().to_vec(),
        q: model.q(),
        e0: -(torus.bonds() as f64),
        unit: sweep.costs.unit,
        counts,
    })
}

/// The exact joint distribution of the energy and the magnetization of the Ising torus:
/// g(E, M) configurations at E = −N_b + 2k and M = 2n − N, by the same transfer matrix with a
/// second polynomial variable counting the up spins (N + 1 times the memory and the work of
/// [`energy_counts`], see [`joint_plan`]).
pub fn joint_counts(torus: &Torus, tick: &(dyn Fn(usize, usize) + Sync)) -> Result<JointCounts, DosError> {
    let dims = transfer_order(torus);
    let sweep = Sweep::new(Model::Ising, &dims, true)?;
    let flat = exact_counts(Model::Ising, torus, &sweep, tick)?;
    let cs = sweep.mstep;
    let n = torus.sites();
    // rows by magnetization M = 2n − N, ascending: n = 0 … N
    let counts = (0..=n).map(|j| flat[j * cs..(j + 1) * cs].to_vec()).collect();
    Ok(JointCounts { dims: torus.dims().to_vec(), e0: -(torus.bonds() as f64), unit: 2.0, counts })
}

/// The cost of [`joint_counts`] on `torus` with `threads` workers (as [`plan`]).
pub fn joint_plan(torus: &Torus, threads: usize) -> Result<Plan, DosError> {
    let mut p = plan(Model::Ising, torus, threads)?;
    let rows = (torus.sites() + 1) as f64;
    let t = Torus::new(&p.dims).expect("valid dims");
    let vectors = if t.layers() > 1 { (p.layer_states * p.degree * 8) as f64 } else { 0.0 };
    p.bytes += p.threads as f64 * vectors * (rows - 1.0);
    p.additions *= rows;
    p.degree *= torus.sites() + 1;
    Ok(p)
}

/// Exact joint counts g(E, M) of the Ising torus.
#[derive(Debug, Clone, PartialEq)]
pub struct JointCounts {
    /// torus sides
    pub dims: Vec<usize>,
    /// lowest energy −N_b
    pub e0: f64,
    /// energy spacing (2)
    pub unit: f64,
    /// `counts\[j\]\[k\]` configurations at M = 2j − N, E = e0 + unit·k
    pub counts: Vec<Vec<BigUint>>,
}

impl JointCounts {
    /// The non-zero entries (E, M, g), by M then E.
    pub fn entries(&self) -> Vec<(f64, i64, &BigUint)> {
        let n = self.counts.len() as i64 - 1;
        let mut out = Vec::new();
        for (j, row) in self.counts.iter().enumerate() {
            for (k, c) in row.iter().enumerate() {
                if !c.is_zero() {
                    out.push((self.e0 + self.unit * k as f64, 2 * j as i64 - n, c));
                }
            }
        }
        out
    }

    /// The density of states g(E) = Σ_M g(E, M): the same exact counts the energy-only
    /// transfer matrix gives, so a job that has the joint counts need not compute them again.
    pub fn marginal(&self) -> EnergyCounts {
        let width = self.counts.iter().map(Vec::len).max().unwrap_or(0);
        let mut counts = vec![BigUint::zero(); width];
        for row in &self.counts {
            for (k, c) in row.iter().enumerate() {
                counts[k] += c;
            }
        }
        EnergyCounts { dims: self.dims.clone(), q: 2, e0: self.e0, unit: self.unit, counts }
    }
}

/// Counts modulo 2^64 and primes, joined by the CRT (see the module docs), flattened as the
/// sweep lays them out.
fn exact_counts(
    model: Model,
    torus: &Torus,
    sweep: &Sweep,
    tick: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<BigUint>, DosError> {
    let dims = transfer_order(torus);
    let (q, sites) = (model.q(), torus.sites());
    let orb = orbits(model, &dims[..dims.len() - 1]);
    let mut k = initial_moduli(q, sites);
    let all_primes = primes_below_2_63(16 + sites * 6 / 63);
    let mut residues: Vec<Vec<u64>> = Vec::new();
    let total = BigUint::from(q).pow(sites as u32);
    let done = std::sync::atomic::AtomicUsize::new(0);
    loop {
        let need = k + 1;
        let have = residues.len();
        let tasks: Vec<(usize, usize)> = (have..need).flat_map(|m| (0..orb.reps.len()).map(move |r| (m, r))).collect();
        let of = tasks.len() + done.load(std::sync::atomic::Ordering::Relaxed);
        let parts: Vec<(usize, Vec<u64>)> = tasks
            .par_iter()
            .map_init(
                || (Vec::new(), Vec::new(), Vec::new()),
                |bufs, &(m, r)| {
                    let (a, n) = orb.reps[r];
                    let v = if m == 0 {
                        let d = sweep.diagonal(Wrap, a, bufs);
                        sweep.orbit_sum(Wrap, &d, n)
                    } else {
                        let pr = Prime(all_primes[m - 1]);
                        let d = sweep.diagonal(pr, a, bufs);
                        sweep.orbit_sum(pr, &d, n)
                    };
                    let i = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    tick(i, of);
                    (m, v)
                },
            )
            .collect();
        for m in have..need {
            let mut acc = vec![0u64; sweep.deg + 1];
            for (_, v) in parts.iter().filter(|(mm, _)| *mm == m) {
                for (a, &b) in acc.iter_mut().zip(v) {
                    *a = if m == 0 { Wrap.add(*a, b) } else { Prime(all_primes[m - 1]).add(*a, b) };
                }
            }
            residues.push(acc);
        }
        // CRT over the first k moduli; modulus k (a prime) must agree
        let counts: Vec<BigUint> = (0..=sweep.deg)
            .map(|e| {
                let mut x = BigUint::from(residues[0][e]);
                let mut modulus: BigUint = BigUint::one() << 64;
                for (i, &p) in all_primes.iter().enumerate().take(k - 1) {
                    let pr = Prime(p);
                    let xr = (&x % p).to_u64().expect("< p");
                    let mr = (&modulus % p).to_u64().expect("< p");
                    let t = pr.mul((residues[i + 1][e] + p - xr) % p, crate::dos::invm(mr, p));
                    x += &modulus * t;
                    modulus *= p;
                }
                x
            })
            .collect();
        let check = all_primes[k - 1];
        if let Some(e) = (0..=sweep.deg).find(|&e| (&counts[e] % check).to_u64() != Some(residues[k][e])) {
            return Err(DosError::Check(format!("check prime disagrees at cost level {e}")));
        }
        let sum: BigUint = counts.iter().sum();
        if sum == total {
            return Ok(counts);
        }
        if sum > total || k >= all_primes.len() {
            return Err(DosError::Check(format!("counts sum to {sum}, not q^N = {total}")));
        }
        // a level holds more than the product of the moduli: take one more
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enumerated(model: Model, dims: &[usize]) -> Vec<(f64, u64)> {
        crate::enumerate_energy_counts(model, &Torus::new(dims).unwrap()).unwrap()
    }

    fn assert_equal_to_enumeration(model: Model, dims: &[usize]) {
        let t = Torus::new(dims).unwrap();
        let tm = energy_counts(model, &t, &|_, _| {}).unwrap();
        let got: Vec<(f64, u64)> = tm.levels().iter().map(|(e, c)| (*e, c.to_u64().unwrap())).collect();
        let want = enumerated(model, dims);
        assert_eq!(got.len(), want.len(), "{model} {dims:?}");
        for (g, w) in got.iter().zip(&want) {
            // enumeration sums cosines in f64; the levels are multiples of ½
            assert!((g.0 - w.0).abs() < 1e-9 && g.1 == w.1, "{model} {dims:?}: {g:?} vs {w:?}");
        }
        assert_eq!(tm.total(), BigUint::from(model.q()).pow(t.sites() as u32));
    }

    #[test]
    fn costs_of_each_model() {
        // Ising f = ±1: cost [σ ≠ σ'] in units of 2; clock 6: 2(1 − cos) ∈ {0, 1, 3, 4} in units of ½
        assert_eq!(BondCosts::of(Model::Ising).unwrap().unit, 2.0);
        let c6 = BondCosts::of(Model::Clock { q: 6 }).unwrap();
        assert_eq!((c6.unit, c6.max, &c6.cost[..6]), (0.5, 4, &[0, 1, 3, 4, 3, 1][..]));
        let c4 = BondCosts::of(Model::Clock { q: 4 }).unwrap();
        assert_eq!((c4.unit, c4.max), (1.0, 2));
        assert!(matches!(BondCosts::of(Model::Clock { q: 5 }), Err(DosError::IrrationalLevels(_))));
    }

    #[test]
    fn orbit_sizes_add_up() {
        // Σ |orbit| = q^{L_⊥}; S_3 × D_4 on a 4-ring of Potts spins
        for (model, ld) in
            [(Model::Potts { q: 3 }, vec![4]), (Model::Ising, vec![3, 3]), (Model::Clock { q: 6 }, vec![3])]
        {
            let o = orbits(model, &ld);
            let states = model.q().pow(ld.iter().product::<usize>() as u32);
            assert_eq!(o.reps.iter().map(|r| r.1).sum::<u64>(), states as u64);
        }
        // Burnside's count equals the orbits found state by state
        for (model, ld) in
            [(Model::Potts { q: 4 }, vec![5]), (Model::Ising, vec![4, 4]), (Model::Clock { q: 6 }, vec![4])]
        {
            assert_eq!(orbit_count(model, &ld), orbits(model, &ld).reps.len(), "{model} {ld:?}");
        }
        // 2 Ising spins on a ring of 2: orbits {↑↑, ↓↓} and {↑↓, ↓↑}
        assert_eq!(orbits(Model::Ising, &[2]).reps, vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn equals_enumeration_for_every_model() {
        // brute force over all q^N configurations (crate::enumerate)
        assert_equal_to_enumeration(Model::Potts { q: 3 }, &[3, 4]);
        assert_equal_to_enumeration(Model::Potts { q: 4 }, &[3, 3]);
        assert_equal_to_enumeration(Model::Potts { q: 3 }, &[2, 5]);
        assert_equal_to_enumeration(Model::Clock { q: 6 }, &[3, 3]);
        assert_equal_to_enumeration(Model::Clock { q: 3 }, &[3, 3]);
        assert_equal_to_enumeration(Model::Ising, &[2, 3, 4]);
        assert_equal_to_enumeration(Model::Ising, &[3, 3, 2]);
        assert_equal_to_enumeration(Model::Ising, &[5]);
        assert_equal_to_enumeration(Model::Ising, &[4, 1]);
        assert_equal_to_enumeration(Model::Potts { q: 5 }, &[2, 3]);
    }

    #[test]
    fn equals_the_pfaffian_dos_for_the_ising_torus() {
        // crate::dos: Pfaffians mod p, an independent route (matches Beale's 32×32 table)
        for &(lx, ly) in &[(2, 2), (4, 4), (5, 3), (6, 6), (4, 7), (8, 8)] {
            let p = crate::dos::ising_dos(lx, ly);
            let tm = energy_counts(Model::Ising, &Torus::new(&[lx, ly]).unwrap(), &|_, _| {}).unwrap();
            let want: Vec<(f64, BigUint)> = p
                .energies
                .iter()
                .zip(&p.counts)
                .filter(|(_, c)| !c.is_zero())
                .map(|(&e, c)| (e as f64, c.clone()))
                .collect();
            let got: Vec<(f64, BigUint)> = tm.levels().into_iter().map(|(e, c)| (e, c.clone())).collect();
            assert_eq!(got, want, "{lx}x{ly}");
        }
    }

    #[test]
    fn joint_counts_equal_brute_force() {
        // every configuration of small Ising tori, 2D and 3D, tallied by (E, M)
        for dims in
            [vec![3usize, 4], vec![2, 3, 3], vec![4, 4], vec![5], vec![3, 3, 2], vec![2, 2], vec![1, 3], vec![2, 2, 2]]
        {
            let t = Torus::new(&dims).unwrap();
            let n = t.sites();
            let mut want = std::collections::BTreeMap::<(i64, i64), u64>::new();
            for c in 0u64..1 << n {
                let s = |i: usize| if c >> i & 1 == 0 { 1i64 } else { -1 };
                let e: i64 = (0..t.bonds())
                    .map(|b| {
                        let (i, j) = t.bond_sites(b);
                        -s(i) * s(j)
                    })
                    .sum();
                let m: i64 = (0..n).map(s).sum();
                *want.entry((m, e)).or_default() += 1;
            }
            let j = joint_counts(&t, &|_, _| {}).unwrap();
            let got: std::collections::BTreeMap<(i64, i64), u64> =
                j.entries().into_iter().map(|(e, m, c)| ((m, e as i64), c.to_u64().unwrap())).collect();
            assert_eq!(got, want, "{dims:?}");
        }
    }

    #[test]
    fn joint_counts_sum_to_the_dos_and_give_the_magnetization_moments() {
        // Σ_M g(E, M) = g(E) (the energy route), and ⟨M²⟩, ⟨|M|⟩ from g(E, M) at K equal the
        // floating-point transfer matrix over M (crate::order_parameter), 3×3×4 and 6×6
        for dims in [vec![3usize, 3, 4], vec![6, 6]] {
            let t = Torus::new(&dims).unwrap();
            let j = joint_counts(&t, &|_, _| {}).unwrap();
            let g = energy_counts(Model::Ising, &t, &|_, _| {}).unwrap();
            for (k, c) in g.counts.iter().enumerate() {
                let s: BigUint = j.counts.iter().map(|row| &row[k]).sum();
                assert_eq!(&s, c, "{dims:?} level {k}");
            }
            assert_eq!(j.marginal().levels(), g.levels(), "{dims:?}: the marginal the dos job uses");
            let kk = 0.3;
            let (mut z, mut am, mut m2) = (0.0, 0.0, 0.0);
            let top = j.entries().iter().map(|(e, _, _)| -kk * e).fold(f64::NEG_INFINITY, f64::max);
            for (e, m, c) in j.entries() {
                let w = (crate::dos::ln_big(c) - kk * e - top).exp();
                z += w;
                am += w * (m as f64).abs();
                m2 += w * (m * m) as f64;
            }
            let mo = crate::order_parameter::moments(Model::Ising, &t, kk, &|_, _| {}).unwrap();
            assert!((am / z - mo.abs_m).abs() < 1e-12 * mo.abs_m && (m2 / z - mo.m2).abs() < 1e-12 * mo.m2, "{dims:?}");
        }
    }

    #[test]
    fn clock4_is_two_ising_copies() {
        // clock q = 4: cos(θ − θ') = (s_x s_x' + s_y s_y')/2 for θ = (s_x, s_y) at 45°, so
        // Z_clock4(K) = Z_Ising(K/2)²: g_clock4(E) = Σ_{E1+E2 = 2E} g(E1) g(E2)
        let t = Torus::new(&[4, 4]).unwrap();
        let c4 = energy_counts(Model::Clock { q: 4 }, &t, &|_, _| {}).unwrap();
        let is = energy_counts(Model::Ising, &t, &|_, _| {}).unwrap();
        let mut conv = std::collections::BTreeMap::<i64, BigUint>::new();
        for (e1, g1) in is.levels() {
            for (e2, g2) in is.levels() {
                *conv.entry(((e1 + e2) / 2.0) as i64).or_default() += g1 * g2;
            }
        }
        let got: Vec<(i64, BigUint)> = c4.levels().into_iter().map(|(e, c)| (e as i64, c.clone())).collect();
        assert_eq!(got, conv.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn ln_z_from_counts_is_kaufman() {
        // Kaufman's closed form for the 6×6 Ising torus
        let tm = energy_counts(Model::Ising, &Torus::new(&[6, 6]).unwrap(), &|_, _| {}).unwrap();
        for b in [0.1, 0.4406867935097715, 1.0, 50.0] {
            let (a, k) = (tm.thermodynamics(b).ln_z, crate::kaufman_ln_z(6, 6, b));
            assert!((a - k).abs() < 1e-12 * k.abs(), "β={b}: {a} vs {k}");
        }
    }
}
