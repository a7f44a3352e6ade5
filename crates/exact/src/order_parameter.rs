//! Exact moments of the order parameter, ⟨|M|⟩, ⟨M²⟩, ⟨M⁴⟩, of Ising (any dimension), Potts and
//! clock q ∈ {2, 3, 4, 6} tori at one coupling K, by a transfer matrix whose vector entries are
//! distributions over the order parameter.
//!
//! The order parameter is the vector magnetization M = Σ_i e(σ_i) with |e| = 1, so that the
//! ordered state has |M| = N:
//! - Ising: e = ±1, M = N_↑ − N_↓;
//! - Potts: e(σ) the q vertices of the regular simplex in R^{q−1}, which gives
//!   |M|² = (q Σ_a N_a² − N²)/(q − 1) with N_a the number of sites in state a (q = 2 is Ising;
//!   q = 3 is |Σ_i e^{2πiσ_i/3}|);
//! - clock: e(σ) = e^{2πiσ/q}, |M|² = |Σ_i e^{iθ_i}|².
//!
//! For each model M lives on an integer lattice: the composition (N_0, …, N_{q−2}) for Ising,
//! Potts and clock q ≤ 3 (|M|² is a quadratic form in it), the Gaussian integers for clock 4
//! (e = 1, i, −1, −i) and the Eisenstein integers a + b e^{iπ/3} for clock 6
//! (|M|² = a² + ab + b²). The transfer matrix carries, for every layer state, the Boltzmann
//! weight of each lattice point, so any function of M is exact; only the invariant moments
//! are returned. The trace is closed over one starting layer per orbit of (layer translations
//! and reflections × the global spin symmetry), as in [`crate::microcanonical`]: |M| is
//! invariant under both, so Σ_{b ∈ orbit(a)} ⟨f(|M|)⟩_b = |orbit(a)| ⟨f(|M|)⟩_a.
//!
//! Numbers: every weight is e^{K(f − 1)} ≤ 1 (f ≤ 1 for every bond variable here, K ≥ 0), every
//! sum has positive terms only, so the moments are accurate to a few ulps times the number of
//! additions along one path (relative ~1e-13), ln Z = K·N_b + ln Σ without overflow while
//! q^N < 1e300. Cost: |reps| · (M − 2) · L_⊥ · q^{L_⊥} · q² · (lattice points) multiply-adds;
//! memory: q^{L_⊥} · (lattice points) doubles per worker ([`plan`], queried before allocating).

use onsager_models::{Model, Torus};
use rayon::prelude::*;
use thiserror::Error;

use crate::microcanonical::{orbit_count, orbits, transfer_order};

/// Why the exact order-parameter moments cannot be computed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MagnetizationError {
    /// e^{2πiσ/q} spans no integer lattice of dimension ≤ 2 (clock q = 5 or q ≥ 7).
    #[error(
        "the magnetization of the {0} model is not on an integer lattice: exact moments need clock q ∈ {{2, 3, 4, 6}}"
    )]
    NoLattice(String),
    /// The layer state space is too large.
    #[error("a layer of {sites} sites has {q}^{sites} states, above the limit of 2^27")]
    LayerTooLarge {
        /// sites per layer
        sites: usize,
        /// states per site
        q: usize,
    },
    /// q^N weights of at most 1 would overflow a double.
    #[error("q^N = {q}^{sites} configurations overflow double precision (N ln q must stay below 690)")]
    TooManyConfigurations {
        /// states per site
        q: usize,
        /// sites
        sites: usize,
    },
    /// Only ferromagnetic and zero couplings keep every weight ≤ 1.
    #[error("the coupling K = {0} must be finite and ≥ 0")]
    Coupling(f64),
}

/// The lattice that M lives on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Lattice {
    /// (N_0, …, N_{q−2}), digits in base N + 1
    Composition,
    /// clock 4: (Re, Im) ∈ [−N, N]², digits in base 2N + 1
    Gaussian,
    /// clock 6: a + b e^{iπ/3}, (a, b) ∈ [−N, N]²
    Eisenstein,
}

/// The order parameter's lattice for `model` on `n` sites: flattened offsets per spin value.
#[derive(Debug, Clone)]
struct Charges {
    kind: Lattice,
    q: usize,
    n: usize,
    base: usize,
    digits: usize,
    /// flattened index of M = 0 (composition: of N_a = 0 for all a < q − 1)
    origin: usize,
    /// flattened offset added by one spin in state σ
    offset: Vec<isize>,
}

impl Charges {
    fn of(model: Model, n: usize) -> Result<Self, MagnetizationError> {
        let q = model.q();
        let kind = match model {
            Model::Ising | Model::Potts { .. } => Lattice::Composition,
            Model::Clock { q } if q <= 3 => Lattice::Composition,
            Model::Clock { q: 4 } => Lattice::Gaussian,
            Model::Clock { q: 6 } => Lattice::Eisenstein,
            Model::Clock { .. } => return Err(MagnetizationError::NoLattice(model.to_string())),
        };
        Ok(match kind {
            Lattice::Composition => {
                let base = n + 1;
                let offset = (0..q).map(|s| if s + 1 < q { base.pow(s as u32) as isize } else { 0 }).collect();
                Charges { kind, q, n, base, digits: q - 1, origin: 0, offset }
            }
            _ => {
                let base = 2 * n + 1;
                let coords: &[(isize, isize)] = if kind == Lattice::Gaussian {
                    &[(1, 0), (0, 1), (-1, 0), (0, -1)]
                } else {
                    // e^{iπσ/3} in the basis (1, ω), ω = e^{iπ/3}: ω² = ω − 1
                    &[(1, 0), (0, 1), (-1, 1), (-1, 0), (0, -1), (1, -1)]
                };
                let b = base as isize;
                let offset = coords.iter().map(|&(x, y)| x + y * b).collect();
                Charges { kind, q, n, base, digits: 2, origin: n * (1 + base), offset }
            }
        })
    }

    fn len(&self) -> usize {
        self.base.pow(self.digits as u32)
    }

    /// |M|² at every flattened index (unreachable indices get some finite value; their weight is 0).
    fn m2_table(&self) -> Vec<f64> {
        (0..self.len())
            .map(|i| {
                let d0 = (i % self.base) as f64;
                let d1 = (i / self.base % self.base) as f64;
                match self.kind {
                    Lattice::Composition => {
                        let mut rest = self.n as f64;
                        let mut sq = 0.0;
                        let mut x = i;
                        for _ in 0..self.digits {
                            let na = (x % self.base) as f64;
                            x /= self.base;
                            rest -= na;
                            sq += na * na;
                        }
                        sq += rest * rest;
                        let (q, n) = (self.q as f64, self.n as f64);
                        ((q * sq - n * n) / (q - 1.0)).max(0.0)
                    }
                    Lattice::Gaussian => {
                        let (a, b) = (d0 - self.n as f64, d1 - self.n as f64);
                        a * a + b * b
                    }
                    Lattice::Eisenstein => {
                        let (a, b) = (d0 - self.n as f64, d1 - self.n as f64);
                        a * a + a * b + b * b
                    }
                }
            })
            .collect()
    }
}

/// What [`moments`] will cost, before anything is allocated.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// torus sides, the longest last (the transfer direction)
    pub dims: Vec<usize>,
    /// q^{L_⊥}
    pub layer_states: usize,
    /// lattice points of M carried per layer state
    pub lattice_points: usize,
    /// starting-layer orbit representatives
    pub representatives: usize,
    /// worker threads the plan assumes
    pub threads: usize,
    /// predicted peak bytes
    pub bytes: f64,
    /// predicted multiply-adds (about 1e9 per second per thread)
    pub flops: f64,
}

/// The cost of [`moments`] for `model` on `torus` with `threads` workers.
pub fn plan(model: Model, torus: &Torus, threads: usize) -> Result<Plan, MagnetizationError> {
    let dims = transfer_order(torus);
    let t = Torus::new(&dims).expect("valid dims");
    let q = model.q();
    let (w, n) = (t.layer_sites(), t.sites());
    if (w as f64) * (q as f64).log2() > 27.0 {
        return Err(MagnetizationError::LayerTooLarge { sites: w, q });
    }
    if n as f64 * (q as f64).ln() > 690.0 {
        return Err(MagnetizationError::TooManyConfigurations { q, sites: n });
    }
    let ch = Charges::of(model, n)?;
    let states = q.pow(w as u32);
    let representatives = orbit_count(model, &dims[..dims.len() - 1]);
    let threads = threads.max(1).min(representatives);
    let per_thread = ((states + q) * ch.len() * 8) as f64;
    // the orbit table (a u32 key and a u64 size per state) and the binary's own 8 MB
    let bytes = threads as f64 * per_thread + (ch.len() * 8) as f64 + states as f64 * 12.0 + 8e6;
    // the reachable part of the lattice grows with the sites placed: about half on average
    let flops = representatives as f64
        * (t.layers().saturating_sub(2) * w) as f64
        * states as f64
        * (q * q) as f64
        * ch.len() as f64
        / 2.0;
    Ok(Plan { dims, layer_states: states, lattice_points: ch.len(), representatives, threads, bytes, flops })
}

/// Exact canonical moments of the order parameter at coupling K (totals, not per site).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// K = βJ
    pub beta: f64,
    /// ln Z (a cross-check against the DOS and `partition`)
    pub ln_z: f64,
    /// ⟨|M|⟩
    pub abs_m: f64,
    /// ⟨M²⟩ = ⟨|M|²⟩
    pub m2: f64,
    /// ⟨M⁴⟩
    pub m4: f64,
}

impl Moments {
    /// Binder's cumulant U_4 = 1 − ⟨M⁴⟩/(3⟨M²⟩²).
    pub fn binder(&self) -> f64 {
        1.0 - self.m4 / (3.0 * self.m2 * self.m2)
    }

    /// χ/N = K (⟨M²⟩ − ⟨|M|⟩²)/N, the finite-lattice susceptibility with |M| (the usual Monte
    /// Carlo estimator: ⟨M⟩ = 0 on a finite torus without field).
    pub fn susceptibility_per_site(&self, sites: usize) -> f64 {
        self.beta * (self.m2 - self.abs_m * self.abs_m) / sites as f64
    }
}

/// Geometry and weights of the site-by-site transfer.
struct Sweep {
    q: usize,
    w: usize,
    layers: usize,
    /// e^{K(f(a, b) − 1)}, row-major
    wt: Vec<f64>,
    back: Vec<Vec<usize>>,
    intra: Vec<(usize, usize)>,
    pow: Vec<usize>,
    ch: Charges,
    m2: Vec<f64>,
}

impl Sweep {
    fn new(model: Model, dims: &[usize], k: f64) -> Result<Self, MagnetizationError> {
        let torus = Torus::new(dims).expect("valid dims");
        let (w, q) = (torus.layer_sites(), model.q());
        let (back, intra) = crate::microcanonical::layer_bonds(&torus);
        let wt = (0..q * q).map(|i| (k * (model.bond(i / q, i % q) - 1.0)).exp()).collect();
        let ch = Charges::of(model, torus.sites())?;
        let m2 = ch.m2_table();
        let pow = (0..=w).map(|i| q.pow(i as u32)).collect();
        Ok(Sweep { q, w, layers: torus.layers(), wt, back, intra, pow, ch, m2 })
    }

    fn digit(&self, s: usize, p: usize) -> usize {
        s / self.pow[p] % self.q
    }

    fn layer_offset(&self, s: usize) -> isize {
        (0..self.w).map(|p| self.ch.offset[self.digit(s, p)]).sum()
    }

    /// Σ over the configurations whose first layer is `a` of the weight times (1, |M|, M², M⁴).
    fn diagonal(&self, a: usize, cur: &mut Vec<f64>, tmp: &mut Vec<f64>) -> [f64; 4] {
        let (q, w, stride) = (self.q, self.w, self.ch.len());
        let states = self.pow[w];
        let wt = |x: usize, y: usize| self.wt[x * q + y];
        let intra =
            |s: usize| -> f64 { self.intra.iter().map(|&(u, v)| wt(self.digit(s, u), self.digit(s, v))).product() };
        let inter = |s: usize| -> f64 { (0..w).map(|p| wt(self.digit(s, p), self.digit(a, p))).product() };
        let start = self.ch.origin as isize + self.layer_offset(a);
        let mut dist = vec![0.0; stride];
        if self.layers == 1 {
            dist[start as usize] = intra(a);
        } else {
            cur.clear();
            cur.resize(states * stride, 0.0);
            let ia = intra(a);
            for s in 0..states {
                cur[s * stride + (start + self.layer_offset(s)) as usize] = ia * inter(s) * intra(s);
            }
            let (omin, omax) =
                (*self.ch.offset.iter().min().expect("q ≥ 2"), *self.ch.offset.iter().max().expect("q ≥ 2"));
            let clamp = |x: isize| x.clamp(0, stride as isize - 1);
            let mut lo = clamp(start + w as isize * omin);
            let mut hi = clamp(start + w as isize * omax);
            tmp.resize(q * stride, 0.0);
            for _layer in 2..self.layers {
                for p in 0..w {
                    let pw = self.pow[p];
                    let (nlo, nhi) = (clamp(lo + omin), clamp(hi + omax));
                    let (l, h) = (lo as usize, hi as usize);
                    for top in 0..states / (pw * q) {
                        for low in 0..pw {
                            let base = top * pw * q + low;
                            for b in 0..q {
                                let hb: f64 = self.back[p].iter().map(|&pp| wt(b, self.digit(base, pp))).product();
                                let t = &mut tmp[b * stride..][l..=h];
                                t.fill(0.0);
                                for a_ in 0..q {
                                    let f = hb * wt(a_, b);
                                    let src = &cur[(base + a_ * pw) * stride..][l..=h];
                                    for (d, &v) in t.iter_mut().zip(src) {
                                        *d += f * v;
                                    }
                                }
                            }
                            for b in 0..q {
                                let row = &mut cur[(base + b * pw) * stride..][..stride];
                                row[nlo as usize..=nhi as usize].fill(0.0);
                                let o = self.ch.offset[b];
                                let dst = &mut row[(lo + o) as usize..=(hi + o) as usize];
                                dst.copy_from_slice(&tmp[b * stride..][l..=h]);
                            }
                        }
                    }
                    lo = nlo;
                    hi = nhi;
                }
            }
            for s in 0..states {
                let f = inter(s);
                for (d, &v) in
                    dist[lo as usize..=hi as usize].iter_mut().zip(&cur[s * stride..][lo as usize..=hi as usize])
                {
                    *d += f * v;
                }
            }
        }
        let mut out = [0.0; 4];
        for (p, &m2) in dist.iter().zip(&self.m2) {
            out[0] += p;
            out[1] += p * m2.sqrt();
            out[2] += p * m2;
            out[3] += p * m2 * m2;
        }
        out
    }
}

/// The exact moments of |M| on `torus` at coupling `k` (see the module docs). `tick(done, of)`
/// is called after each starting layer. Check [`plan`] first: this allocates [`Plan::bytes`].
pub fn moments(
    model: Model,
    torus: &Torus,
    k: f64,
    tick: &(dyn Fn(usize, usize) + Sync),
) -> Result<Moments, MagnetizationError> {
    if !(k.is_finite() && k >= 0.0) {
        return Err(MagnetizationError::Coupling(k));
    }
    plan(model, torus, 1)?;
    let dims = transfer_order(torus);
    let sweep = Sweep::new(model, &dims, k)?;
    let orb = orbits(model, &dims[..dims.len() - 1]);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let of = orb.reps.len();
    let parts: Vec<[f64; 4]> = orb
        .reps
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(cur, tmp), &(a, size)| {
                let d = sweep.diagonal(a, cur, tmp);
                tick(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, of);
                d.map(|x| x * size as f64)
            },
        )
        .collect();
    // summed in the order of the representatives: the result does not depend on the threads
    let mut s = [0.0; 4];
    for p in &parts {
        for (a, b) in s.iter_mut().zip(p) {
            *a += b;
        }
    }
    Ok(Moments {
        beta: k,
        ln_z: k * torus.bonds() as f64 + s[0].ln(),
        abs_m: s[1] / s[0],
        m2: s[2] / s[0],
        m4: s[3] / s[0],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over every configuration: (ln Z, ⟨|M|⟩, ⟨M²⟩, ⟨M⁴⟩) with M = Σ e(σ_i) summed
    /// as floating-point vectors (e from the model's own definition, not from the lattices above).
    fn brute(model: Model, dims: &[usize], k: f64) -> [f64; 4] {
        let t = Torus::new(dims).unwrap();
        let (q, n) = (model.q(), t.sites());
        let e = |s: usize| -> Vec<f64> {
            match model {
                Model::Clock { .. } | Model::Ising => {
                    let th = 2.0 * std::f64::consts::PI * s as f64 / q as f64;
                    vec![th.cos(), th.sin()]
                }
                // the simplex vertices: e_s − (1/q)(1, …, 1), scaled to unit length
                Model::Potts { .. } => {
                    let norm = ((q as f64 - 1.0) / q as f64).sqrt();
                    (0..q).map(|a| (f64::from(u8::from(a == s)) - 1.0 / q as f64) / norm).collect()
                }
            }
        };
        let mut acc = [0.0; 4];
        let mut sig = vec![0usize; n];
        for c in 0..q.pow(n as u32) {
            let mut x = c;
            for v in sig.iter_mut() {
                *v = x % q;
                x /= q;
            }
            let en: f64 = (0..t.bonds())
                .map(|b| {
                    let (i, j) = t.bond_sites(b);
                    model.bond(sig[i], sig[j])
                })
                .sum();
            let mut m = vec![0.0; e(0).len()];
            for &s in &sig {
                for (a, b) in m.iter_mut().zip(e(s)) {
                    *a += b;
                }
            }
            let m2: f64 = m.iter().map(|v| v * v).sum();
            let wgt = (k * en).exp();
            acc[0] += wgt;
            acc[1] += wgt * m2.sqrt();
            acc[2] += wgt * m2;
            acc[3] += wgt * m2 * m2;
        }
        [acc[0].ln(), acc[1] / acc[0], acc[2] / acc[0], acc[3] / acc[0]]
    }

    #[test]
    fn equals_brute_force_for_every_lattice() {
        for (model, dims, k) in [
            (Model::Ising, vec![3, 4], 0.44),
            (Model::Ising, vec![2, 3, 3], 0.2),
            (Model::Potts { q: 3 }, vec![3, 3], 1.0),
            (Model::Potts { q: 4 }, vec![2, 4], 1.1),
            (Model::Clock { q: 3 }, vec![3, 3], 0.8),
            (Model::Clock { q: 4 }, vec![3, 3], 0.9),
            (Model::Clock { q: 6 }, vec![2, 4], 1.1),
            (Model::Ising, vec![5], 0.7),
            (Model::Potts { q: 3 }, vec![4, 1], 0.5),
            // two layers (no layer loop) and sides of 2 (double bonds)
            (Model::Ising, vec![2, 2], 0.6),
            (Model::Potts { q: 3 }, vec![2, 2, 2], 0.7),
            (Model::Clock { q: 6 }, vec![3, 2], 0.9),
        ] {
            let got = moments(model, &Torus::new(&dims).unwrap(), k, &|_, _| {}).unwrap();
            let want = brute(model, &dims, k);
            let g = [got.ln_z, got.abs_m, got.m2, got.m4];
            for i in 0..4 {
                // sums of ≤ 3^9 positive terms in both routes
                assert!(
                    (g[i] - want[i]).abs() < 1e-11 * want[i].abs(),
                    "{model} {dims:?} [{i}]: {} vs {}",
                    g[i],
                    want[i]
                );
            }
        }
    }

    #[test]
    fn limits_and_refusals() {
        // K = 0: independent spins, ⟨M²⟩ = N exactly (Σ_i |e|² with ⟨e_i·e_j⟩ = 0 for i ≠ j)
        let t = Torus::new(&[4, 4]).unwrap();
        let m = moments(Model::Potts { q: 3 }, &t, 0.0, &|_, _| {}).unwrap();
        assert!((m.m2 - 16.0).abs() < 1e-12 && (m.ln_z - 16.0 * 3f64.ln()).abs() < 1e-12);
        // K → ∞: the q ordered states, |M| = N, U_4 = 2/3
        let m = moments(Model::Ising, &t, 200.0, &|_, _| {}).unwrap();
        assert!((m.abs_m - 16.0).abs() < 1e-12 && (m.binder() - 2.0 / 3.0).abs() < 1e-12);
        assert!(matches!(moments(Model::Clock { q: 5 }, &t, 1.0, &|_, _| {}), Err(MagnetizationError::NoLattice(_))));
        assert!(matches!(moments(Model::Ising, &t, -1.0, &|_, _| {}), Err(MagnetizationError::Coupling(_))));
        assert!(matches!(moments(Model::Ising, &t, f64::NAN, &|_, _| {}), Err(MagnetizationError::Coupling(_))));
    }

    #[test]
    fn ising_equals_kaufman_and_brute_force() {
        // ln Z: Kaufman's closed form; ⟨|M|⟩, ⟨M⁴⟩: brute force on 4×4 (2^16) at K_c (the
        // Fourier P(M) route is compared in tests/dos_transfer.rs)
        let t = Torus::new(&[4, 4]).unwrap();
        let kc = 0.44068679350977147;
        let m = moments(Model::Ising, &t, kc, &|_, _| {}).unwrap();
        let kz = crate::kaufman_ln_z(4, 4, kc);
        assert!((m.ln_z - kz).abs() < 1e-13 * kz);
        let b = brute(Model::Ising, &[4, 4], kc);
        assert!((m.abs_m - b[1]).abs() < 1e-12 * b[1] && (m.m4 - b[3]).abs() < 1e-12 * b[3]);
    }
}
