//! Exact cumulants of bond variables by transfer matrices with operator insertions.
//!
//! Layers are orthogonal to the last axis (see [`onsager_models::Torus`]); layer `y` owns the
//! `m = d·n_s` bonds `y·m .. y·m+m`. With the symmetric transfer matrix W = U Λ Uᵀ
//! ([`crate::Strip`]), inserting the centred bond variables (f_a − μ_a), a ∈ S, all owned by one
//! layer, replaces that layer's W by
//!
//! O(S)\[s,s'\] = W\[s,s'\] · Π_{a∈S} (f_a(s,s') − μ_a)
//!
//! (an in-layer bond depends on s only, a perpendicular one on (s_i, s'_i)). Central moments are
//! traces of products of such O's and powers of W, divided by Z = Tr W^L, and for second and
//! third order they are the cumulants: g_ab = ∂_a∂_b lnZ, T_abc = ∂_a∂_b∂_c lnZ. No derivative is
//! ever taken numerically.
//!
//! By translation invariance only the slices with the first index c on a bond of site 0 are
//! needed (one per direction). For a, b in layers y_a ≤ y_b:
//!
//! | layers of (c, a, b) | trace                                         | evaluated as                         |
//! |---------------------|-----------------------------------------------|--------------------------------------|
//! | (0, 0, 0)           | Tr[O({c,a,b}) W^{L−1}]                        | spin basis, one GEMM over (a,b)      |
//! | (0, y, y), y ≥ 1    | Tr[O({a,b}) · W^{L−1−y} O(c) W^{y−1}]         | spin basis, one GEMM per y           |
//! | (0, y_a, y_b)       | Σ X_c\[i,j\]λ_j^{y_a−1} X_a\[j,k\] λ_k^{y_b−y_a−1} X_b\[k,i\] λ_i^{L−1−y_b} | eigenbasis, X = Uᵀ O U |
//!
//! and the last kind only for y_a ≤ y_b − y_a and y_a ≤ L − y_b: every other triple is a
//! translate of one of these (rotate the three layer gaps so the smallest comes first, and use
//! the slice of the bond that then sits at the origin).
//!
//! The global spin symmetry G (Z_2 for Ising, S_q for Potts, D_q for clock; [`crate::irreps`])
//! commutes with W and every insertion, so every eigenbasis trace is Σ_ρ d_ρ (the same trace in
//! the block of irrep ρ), with blocks of size k_ρ ≈ d_ρ N/|G|; and every spin-basis sum
//! Σ_{r,s'} F(r,s') of an invariant F is Σ over one state r per G-orbit, times the orbit size.
//! This divides the dense work by ~|G|²/Σd_ρ³ (4 for Ising, 21 for q = 3, ~190 for q = 4) and
//! the memory of the insertion stacks by |G| (Σ_ρ k_ρ² ≈ N² Σ_ρ d_ρ²/|G|² = N²/|G|; see [`estimate_bytes`]).
//!
//! Cost: O(m Σ_ρ k_ρ³ · (1 + L/3)) flops in GEMMs, O(N² + m Σ_ρ k_ρ²) memory (the bond variables on
//! the representatives' rows are generated chunk by chunk, never stored).

use crate::irreps::{LayerBasis, SpinGroup};
use crate::{memory, Strip, TransferError};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use onsager_linalg::OrFail;
use onsager_models::{Model, Torus};
use rayon::prelude::*;

/// Translation-invariant slices of the exact cumulants of the bond variables.
#[derive(Debug, Clone)]
pub struct CumulantSlices {
    /// the lattice
    pub torus: Torus,
    /// ln Z
    pub ln_z: f64,
    /// ⟨f_b⟩ for a bond of each direction
    pub mean: Vec<f64>,
    /// g\[c\]\[b\] = Cov(f_{(0,c)}, f_b): c = direction of the bond at site 0, b any bond (length D)
    pub g: Vec<Vec<f64>>,
    /// t\[c\][a·D + b] = T_{(0,c), a, b} (D × D row-major)
    pub t: Vec<Vec<f64>>,
}

/// One irrep block of W: its weight d_ρ in every trace, eigenvalues (divided by the global
/// λ_max) and eigenvectors (in the block's row-1 basis).
struct Sector {
    weight: f64,
    lam: Vec<f64>,
    u: Mat<f64>,
}

/// Scratch buffers of the GEMM kernels are built this many doubles at a time (512 MiB).
const CHUNK_DOUBLES: usize = 1 << 26;

/// Predicted peak memory of [`cumulant_slices`] in bytes: the largest of its three phases (the
/// Kronecker build of the dense W; the projection of the blocks while W is kept; the slices).
/// The block sizes k_ρ and the orbit count come from the group's characters
/// ([`SpinGroup::multiplicities`]), before any state is visited.
pub fn estimate_bytes(model: Model, torus: &Torus) -> f64 {
    let n_s = torus.layer_sites();
    let n = (model.q() as f64).powi(n_s as i32);
    let m = (torus.d() * n_s) as f64;
    let group = SpinGroup::for_model(model);
    let rows = group.orbit_count(n_s);
    let ks = group.multiplicities(n_s);
    let sec2: f64 = ks.iter().map(|k| k * k).sum();
    let kmax2 = ks.iter().fold(0.0f64, |a, &k| a.max(k * k));
    let chunk = CHUNK_DOUBLES as f64;
    // the Kronecker product and the matrix built from it
    let dense = 2.0 * n * n;
    // W, the X stack, the eigenvectors of every block, the environment of W^{L−1}, a block being
    // projected (its per-orbit rows and the assembled matrix), its rotation and the rotated copy
    // (measured at Potts 3 L = 9: without the last four terms it was 7 % below the peak)
    let build = n * n + m * sec2 + sec2 + rows * n + 5.0 * kmax2;
    // the X stack and a chunk of the P_a stack, the U's and the sandwiches of every block, an
    // environment, the chunks of Φ and of the products in the spin-basis sums, the GEMM scratch of
    // the eigenbasis pairs
    let pa = (chunk / sec2).floor().clamp(1.0, m) * sec2;
    let slices = m * sec2 + pa + 5.0 * sec2 + rows * n + 2.0 * chunk.min(m * rows * n) + chunk.min(m * kmax2);
    // plus what lives throughout: the orbit basis (≤ |G| values per state), the W rows of the
    // representatives, the digits
    8.0 * (dense.max(build).max(slices) + n * group.order() as f64 + rows * n + n * n_s as f64 / 8.0)
}

/// V_ρᵀ F V_ρ (k_ρ × k_ρ) of an invariant operator given by its rows at the orbit
/// representatives, `row(r, out)` filling out\[t\] = F\[r, t\]: entry (j, i) is
/// Σ_c α_jc (F V^c_i)(r_j) ([`crate::irreps::SectorBasis::alpha`]), so only N²/|G| entries of F
/// are ever formed.
fn project<F: Fn(usize, &mut [f64]) + Sync>(basis: &LayerBasis, sector: usize, n: usize, row: F) -> Mat<f64> {
    let sb = &basis.sectors[sector];
    let (k, d) = (sb.cols(), sb.dim);
    let orbits: Vec<usize> = (0..basis.reps.len()).filter(|&o| sb.orbit_cols[o] < sb.orbit_cols[o + 1]).collect();
    let blocks: Vec<(usize, Vec<f64>)> = orbits
        .par_iter()
        .map_init(
            || (vec![0.0; n], vec![0.0; d * k]),
            |(f, y), &o| {
                row(basis.reps[o], f);
                // y[c][i] = (F V^c_i)(r)
                for c in 0..d {
                    for i in 0..k {
                        let (st, v) = basis.column(sector, c, i);
                        y[c * k + i] = st.iter().zip(v).map(|(&t, &x)| f[t as usize] * x).sum();
                    }
                }
                let (c0, c1) = (sb.orbit_cols[o], sb.orbit_cols[o + 1]);
                let mut out = vec![0.0; (c1 - c0) * k];
                for j in c0..c1 {
                    let a = &sb.alpha[j * d..(j + 1) * d];
                    let dst = &mut out[(j - c0) * k..(j - c0 + 1) * k];
                    for (c, &ac) in a.iter().enumerate() {
                        dst.iter_mut().zip(&y[c * k..(c + 1) * k]).for_each(|(x, &yv)| *x += ac * yv);
                    }
                }
                (c0, out)
            },
        )
        .collect();
    let mut m = Mat::zeros(k, k);
    for (c0, out) in blocks {
        for (dj, r) in out.chunks(k).enumerate() {
            for (i, &x) in r.iter().enumerate() {
                m[(c0 + dj, i)] = x;
            }
        }
    }
    m
}

/// Finished units of work of [`cumulant_slices_shared`] kept across runs (a checkpoint): each
/// unit with the slice entries it set, as (flat index, value); the flat index of direction c is
/// c·(D + D²) + b for g\[c\]\[b\] and c·(D + D²) + D + a·D + b for T\[c\]\[a\]\[b\] (D bonds).
pub trait UnitCheckpoint {
    /// the units finished before
    fn load(&self) -> Result<Vec<UnitEntries>, String>;
    /// records one finished unit
    fn save(&self, unit: usize, entries: &[(usize, f64)]) -> Result<(), String>;
}

/// One finished unit: its number and the slice entries it set, (flat index, value).
pub type UnitEntries = (usize, Vec<(usize, f64)>);

/// No checkpoint.
pub struct NoUnits;

impl UnitCheckpoint for NoUnits {
    fn load(&self) -> Result<Vec<UnitEntries>, String> {
        Ok(Vec::new())
    }
    fn save(&self, _unit: usize, _entries: &[(usize, f64)]) -> Result<(), String> {
        Ok(())
    }
}

/// A unit's bookkeeping in [`Engine::direct_slices`]: which units are done already, where to
/// record new ones, and which entries of the current direction's slices are accounted for.
struct Units<'c> {
    ck: &'c dyn UnitCheckpoint,
    error: Option<String>,
}

type DoneUnits = std::collections::HashMap<usize, Vec<(usize, f64)>>;

/// Everything shared by the slices of the different reference directions.
struct Engine<'a> {
    torus: &'a Torus,
    d: usize,
    layers: usize,
    m: usize,
    n: usize,
    /// number of G-orbits of layer states (one representative row each)
    rows: usize,
    basis: LayerBasis,
    /// W / λ_max on the representatives' rows, all columns (row-major)
    wn: Vec<f64>,
    sectors: Vec<Sector>,
    /// digits of every layer state (n × n_s): the bond variables Φ_k(r, s') are generated from
    /// them chunk by chunk, never stored (they would be m N²/|G| doubles)
    digits: Vec<u8>,
    /// f(σ, σ') row-major, and q
    fm: Vec<f64>,
    q: usize,
    /// in-layer neighbour of each bond of layer 0 (None: the bond to the next layer)
    nb: Vec<Option<usize>>,
    /// X_k = Uᵀ O_σ(k) U per sector: m column-major blocks
    xs: Vec<Vec<f64>>,
    /// environment of W^{L−1} (layer-0 traces)
    e0: Vec<f64>,
    mean: Vec<f64>,
    z_hat: f64,
    /// ln of the true λ_max (scale of the strip included)
    ln_lmax: f64,
    par: Par,
}

fn pow_vec(lam: &[f64], p: usize) -> Vec<f64> {
    lam.iter().map(|l| l.powi(p as i32)).collect()
}

/// U diag(a) B diag(b) Uᵀ for a square block B given column-major.
fn sandwich(u: &Mat<f64>, a: &[f64], b: MatRef<'_, f64>, bw: &[f64], par: Par) -> Mat<f64> {
    let n = u.nrows();
    let mid = Mat::from_fn(n, n, |i, j| a[i] * b[(i, j)] * bw[j]);
    let mut t = Mat::zeros(n, n);
    matmul(&mut t, Accum::Replace, u.as_ref(), mid.as_ref(), 1.0, par);
    let mut out = Mat::zeros(n, n);
    matmul(&mut out, Accum::Replace, t.as_ref(), u.transpose(), 1.0, par);
    out
}

impl<'a> Engine<'a> {
    fn block<'s>(&self, stack: &'s [f64], sector: usize, k: usize) -> MatRef<'s, f64> {
        let ns = self.sectors[sector].lam.len();
        MatRef::from_column_major_slice(&stack[k * ns * ns..(k + 1) * ns * ns], ns, ns)
    }

    /// Φ_k(r, s') − (μ_k if `centre`) on the flat range i0.. of (representative, s') pairs
    /// (index o·n + s'), written into `out`.
    fn phi_range(&self, k: usize, i0: usize, out: &mut [f64], centre: bool) {
        let (n, n_s, q) = (self.n, self.torus.layer_sites(), self.q);
        let site = k / self.d;
        let c = if centre { self.mean[k % self.d] } else { 0.0 };
        let mut i = 0;
        while i < out.len() {
            let (o, s0) = ((i0 + i) / n, (i0 + i) % n);
            let len = (n - s0).min(out.len() - i);
            let r = self.basis.reps[o];
            let a = self.digits[r * n_s + site] as usize * q;
            let seg = &mut out[i..i + len];
            match self.nb[k] {
                Some(nb) => seg.fill(self.fm[a + self.digits[r * n_s + nb] as usize] - c),
                None => seg.iter_mut().enumerate().for_each(|(j, x)| {
                    *x = self.fm[a + self.digits[(s0 + j) * n_s + site] as usize] - c;
                }),
            }
            i += len;
        }
    }

    /// E(r, s') such that Tr[O M] = Σ_{r,s'} E(r,s') Π_{a∈S} Φ_a(r,s') for O = O(S) and the
    /// invariant M given by its blocks M_ρ: r runs over the orbit representatives and E carries
    /// the orbit size; M(s', r) = Σ_ρ Σ_a (V^a_ρ M_ρ V^{aᵀ}_ρ e_r)(s').
    fn environment(&self, m: &[Mat<f64>]) -> Vec<f64> {
        let (n, basis) = (self.n, &self.basis);
        let mut e = vec![0.0; self.rows * n];
        e.par_chunks_mut(n).enumerate().for_each_init(
            || (vec![0.0; n], Vec::new()),
            |(col, z), (o, row)| {
                col.fill(0.0);
                for (s, sb) in basis.sectors.iter().enumerate() {
                    let (c0, c1) = (sb.orbit_cols[o], sb.orbit_cols[o + 1]);
                    let k = sb.cols();
                    for a in 0..sb.dim {
                        // V^{aᵀ} e_r is non-zero on the columns of r's orbit, at position 0 (r itself)
                        z.clear();
                        z.resize(k, 0.0);
                        for j in c0..c1 {
                            let wj = sb.vals[a][sb.col_offset[j]];
                            let mc = m[s].col(j);
                            z.iter_mut().zip(mc.iter()).for_each(|(zi, &x)| *zi += x * wj);
                        }
                        for (i, &zi) in z.iter().enumerate() {
                            let (st, v) = basis.column(s, a, i);
                            st.iter().zip(v).for_each(|(&t, &x)| col[t as usize] += zi * x);
                        }
                    }
                }
                let w = &self.wn[o * n..(o + 1) * n];
                let size = basis.orbit_size[o] as f64;
                row.iter_mut().zip(w.iter().zip(col.iter())).for_each(|(r, (&w, &c))| *r = size * w * c);
            },
        );
        e
    }

    /// Σ_{r,s'} E(r,s') [Φ_c(r,s')] Φ_k(r,s') Φ_kb(r,s') for all (k, kb), as GEMMs over chunks of
    /// the (r, s') range (so the m × rows·n product stack is never held at once), and the single
    /// sums Σ E [Φ_c] Φ_k; the reference factor Φ_c is left out when `c` is `None`.
    fn spin_basis_block(&self, e: &[f64], c: Option<usize>) -> (Vec<f64>, Mat<f64>) {
        let (m, len) = (self.m, self.rows * self.n);
        let chunk = (CHUNK_DOUBLES / m).clamp(1, len);
        let mut out = Mat::zeros(m, m);
        let mut singles = vec![0.0; m];
        let mut stack = vec![0.0; m * chunk];
        let mut phis = vec![0.0; m * chunk];
        for i0 in (0..len).step_by(chunk) {
            let cl = chunk.min(len - i0);
            phis[..m * cl].par_chunks_mut(cl).enumerate().for_each(|(k, blk)| self.phi_range(k, i0, blk, true));
            let phis = &phis[..m * cl];
            stack[..m * cl].par_chunks_mut(cl).enumerate().for_each(|(k, blk)| {
                let pk = &phis[k * cl..(k + 1) * cl];
                let ek = &e[i0..i0 + cl];
                match c {
                    Some(c) => {
                        let pc = &phis[c * cl..(c + 1) * cl];
                        for i in 0..cl {
                            blk[i] = ek[i] * pc[i] * pk[i];
                        }
                    }
                    None => {
                        for i in 0..cl {
                            blk[i] = ek[i] * pk[i];
                        }
                    }
                }
            });
            let a = MatRef::from_column_major_slice(&stack[..m * cl], cl, m);
            let p = MatRef::from_column_major_slice(phis, cl, m);
            matmul(&mut out, Accum::Add, a.transpose(), p, 1.0, self.par);
            for (k, sk) in singles.iter_mut().enumerate() {
                *sk += stack[k * cl..(k + 1) * cl].iter().sum::<f64>();
            }
        }
        (singles, out)
    }

    /// Σ_σ Σ_{ij} A_k\[i,j\] λ_i^{pi} λ_j^{pj} X_kb\[j,i\] for every column-block k of `a` (per sector)
    /// and every bond kb of the layer: one GEMM per sector.
    fn eigen_pairs(&self, a: &[Vec<f64>], na: usize, pi: usize, pj: usize) -> Mat<f64> {
        let mut out = Mat::zeros(na, self.m);
        for (s, sec) in self.sectors.iter().enumerate() {
            let ns = sec.lam.len();
            let (wi, wj) = (pow_vec(&sec.lam, pi), pow_vec(&sec.lam, pj));
            let xm = MatRef::from_column_major_slice(&self.xs[s], ns * ns, self.m);
            // C_k[j,i] = A_k[i,j] w_i w'_j, so that the sum is a plain dot product with X_kb;
            // built a few k at a time to bound the scratch memory
            let kc = (CHUNK_DOUBLES / (ns * ns)).clamp(1, na);
            let mut c = vec![0.0; kc * ns * ns];
            for k0 in (0..na).step_by(kc) {
                let nk = kc.min(na - k0);
                c[..nk * ns * ns].par_chunks_mut(ns * ns).enumerate().for_each(|(dk, blk)| {
                    let k = k0 + dk;
                    let ak = &a[s][k * ns * ns..(k + 1) * ns * ns];
                    for i in 0..ns {
                        for j in 0..ns {
                            blk[i * ns + j] = ak[j * ns + i] * wi[i] * wj[j];
                        }
                    }
                });
                let cm = MatRef::from_column_major_slice(&c[..nk * ns * ns], ns * ns, nk);
                matmul(out.as_mut().subrows_mut(k0, nk), Accum::Add, cm.transpose(), xm, sec.weight, self.par);
            }
        }
        out
    }

    fn new(model: Model, torus: &'a Torus, k: &[f64]) -> Self {
        let strip = Strip::new(model, torus, k);
        let (d, n_s, layers) = (torus.d(), torus.layer_sites(), torus.layers());
        let (q, m) = (model.q(), torus.d() * n_s);
        let n = strip.n_states().expect("checked by the caller");
        let basis = LayerBasis::new(&SpinGroup::for_model(model), n_s);
        let rows = basis.reps.len();
        let par = Par::rayon(0);
        let mut wd = strip.dense();
        let mut sectors: Vec<Sector> = (0..basis.sectors.len())
            .map(|s| {
                // W is symmetric: its row r is its (contiguous) column r
                let ws = project(&basis, s, n, |r, out| out.copy_from_slice(wd.col_as_slice(r)));
                let (lam, u) = onsager_linalg::eigh(ws.as_ref()).or_fail("a block eigendecomposition");
                Sector { weight: basis.sectors[s].dim as f64, lam, u }
            })
            .collect();
        let lmax = sectors.iter().flat_map(|s| s.lam.iter().copied()).fold(f64::NEG_INFINITY, f64::max);
        for s in sectors.iter_mut() {
            s.lam.iter_mut().for_each(|l| *l /= lmax);
        }
        wd.par_col_chunks_mut(1).for_each(|c| c.col_mut(0).iter_mut().for_each(|w| *w /= lmax));
        let wn: Vec<f64> = (0..rows * n).map(|i| wd[(basis.reps[i / n], i % n)]).collect();
        let z_hat: f64 =
            sectors.iter().map(|s| s.weight * s.lam.iter().map(|l| l.powi(layers as i32)).sum::<f64>()).sum();

        let fm = model.bond_matrix();
        let digits: Vec<u8> = (0..n).flat_map(|s| strip.digits(s).into_iter().map(|x| x as u8)).collect();
        // the in-layer neighbour of bond kk is in the same layer, so also its layer-site index
        let nb: Vec<Option<usize>> = (0..m).map(|kk| (kk % d + 1 < d).then(|| torus.bond_sites(kk).1)).collect();
        let mut eng = Engine {
            torus,
            d,
            layers,
            m,
            n,
            rows,
            basis,
            wn,
            sectors,
            digits,
            fm,
            q,
            nb,
            xs: Vec::new(),
            e0: Vec::new(),
            mean: Vec::new(),
            z_hat,
            ln_lmax: lmax.ln() + strip.log_scale(),
            par,
        };
        // means from Tr[O(k) W^{L−1}], then centre
        let wl1: Vec<Mat<f64>> = eng
            .sectors
            .iter()
            .map(|s| {
                let ns = s.lam.len();
                let id = Mat::<f64>::identity(ns, ns);
                sandwich(&s.u, &vec![1.0; ns], id.as_ref(), &pow_vec(&s.lam, layers - 1), par)
            })
            .collect();
        eng.e0 = eng.environment(&wl1);
        let n_rows = n;
        eng.mean = (0..d)
            .map(|mu| {
                let e0 = &eng.e0;
                e0.par_chunks(n_rows)
                    .enumerate()
                    .map_init(
                        || vec![0.0; n_rows],
                        |f, (o, er)| {
                            eng.phi_range(mu, o * n_rows, f, false);
                            er.iter().zip(f.iter()).map(|(a, b)| a * b).sum::<f64>()
                        },
                    )
                    .sum::<f64>()
                    / z_hat
            })
            .collect();
        eng.xs = eng.single_insertions(&wd);
        eng
    }

    /// X_k = Uᵀ (V_ρᵀ O(k) V_ρ) U for every bond k of layer 0 and every irrep block, with
    /// O(k)\[s,s'\] = W\[s,s'\] Φ_k(s,s') (`wd` = W/λ_max, `digits` of every state).
    fn single_insertions(&self, wd: &Mat<f64>) -> Vec<Vec<f64>> {
        let (d, n_s, q, fm, digits) = (self.d, self.torus.layer_sites(), self.q, &self.fm, &self.digits);
        self.sectors
            .iter()
            .enumerate()
            .map(|(s, sec)| {
                let ns = sec.lam.len();
                let mut stack = vec![0.0; self.m * ns * ns];
                for k in 0..self.m {
                    let (site, mu) = (k / d, k % d);
                    let centre = self.mean[mu];
                    let o = if mu + 1 < d {
                        let nb = self.torus.bond_sites(k).1;
                        project(&self.basis, s, self.n, |r, out| {
                            let f = fm[digits[r * n_s + site] as usize * q + digits[r * n_s + nb] as usize] - centre;
                            out.iter_mut().zip(wd.col_as_slice(r)).for_each(|(o, &w)| *o = w * f);
                        })
                    } else {
                        project(&self.basis, s, self.n, |r, out| {
                            let tab: Vec<f64> =
                                (0..q).map(|b| fm[digits[r * n_s + site] as usize * q + b] - centre).collect();
                            let col = wd.col_as_slice(r);
                            for (c, o) in out.iter_mut().enumerate() {
                                *o = col[c] * tab[digits[c * n_s + site] as usize];
                            }
                        })
                    };
                    let mut t = Mat::zeros(ns, ns);
                    matmul(&mut t, Accum::Replace, sec.u.transpose(), o.as_ref(), 1.0, self.par);
                    let blk =
                        faer::MatMut::from_column_major_slice_mut(&mut stack[k * ns * ns..(k + 1) * ns * ns], ns, ns);
                    matmul(blk, Accum::Replace, t.as_ref(), sec.u.as_ref(), 1.0, self.par);
                }
                stack
            })
            .collect()
    }

    /// The directly computed entries of the slices for reference direction `c` (the rest NaN).
    /// The directly computed entries of the slices of direction c. The units of work (layer 0,
    /// each same-layer y, each three-layer ya) are dealt round-robin over `part`, counting from
    /// `*unit`; entries of other ranks' units stay NaN.
    fn direct_slices(
        &self,
        c: usize,
        progress: &(dyn Fn() + Sync),
        part: &dyn crate::streaming::Partition,
        unit: &mut usize,
        done: &DoneUnits,
        units: &mut Units<'_>,
    ) -> (Vec<f64>, Vec<f64>) {
        let (m, layers, big_d) = (self.m, self.layers, self.torus.bonds());
        let mut g = vec![f64::NAN; big_d];
        let mut t = vec![f64::NAN; big_d * big_d];
        let base = c * (big_d + big_d * big_d);
        // entries (relative to this direction) set so far, so that a finished unit can name its own
        let mut seen = vec![false; big_d + big_d * big_d];
        // whether this process computes the next unit: not another rank's, not one loaded
        let mut mine = |g: &mut [f64], t: &mut [f64], seen: &mut [bool]| {
            let u = *unit;
            *unit += 1;
            if u % part.size() != part.rank() {
                return None;
            }
            // a loaded unit whose entries are not this direction's (an edited or foreign line that
            // passed the header check) runs again instead of indexing out of range
            let span = big_d + big_d * big_d;
            let valid = |e: &Vec<(usize, f64)>| e.iter().all(|&(i, _)| i >= base && i - base < span);
            if let Some(entries) = done.get(&u).filter(|e| valid(e)) {
                for &(i, v) in entries {
                    let i = i - base;
                    if i < big_d {
                        g[i] = v;
                    } else {
                        t[i - big_d] = v;
                    }
                    seen[i] = true;
                }
                progress();
                return None;
            }
            Some(u)
        };
        let finish = |u: usize, g: &[f64], t: &[f64], seen: &mut [bool], units: &mut Units<'_>| {
            let mut entries = Vec::new();
            for (i, v) in g.iter().chain(t.iter()).enumerate() {
                if !v.is_nan() && !seen[i] {
                    seen[i] = true;
                    entries.push((base + i, *v));
                }
            }
            if units.error.is_none() {
                if let Err(e) = units.ck.save(u, &entries) {
                    units.error = Some(e);
                }
            }
            progress();
        };
        let put = |t: &mut [f64], ya: usize, yb: usize, blk: &Mat<f64>| {
            for k in 0..m {
                for kb in 0..m {
                    let (a, b) = (ya * m + k, yb * m + kb);
                    t[a * big_d + b] = blk[(k, kb)];
                    t[b * big_d + a] = blk[(k, kb)];
                }
            }
        };
        // all three in layer 0
        if let Some(u) = mine(&mut g, &mut t, &mut seen) {
            let (single, pair) = self.spin_basis_block(&self.e0, Some(c));
            g[..m].copy_from_slice(&single);
            put(&mut t, 0, 0, &pair);
            finish(u, &g, &t, &mut seen, units);
        }
        let xc: Vec<Vec<f64>> = self
            .sectors
            .iter()
            .enumerate()
            .map(|(s, sec)| {
                let ns = sec.lam.len();
                self.xs[s][c * ns * ns..(c + 1) * ns * ns].to_vec()
            })
            .collect();
        for y in 1..layers {
            let Some(u) = mine(&mut g, &mut t, &mut seen) else { continue };
            // g: Tr[O_c W^{y−1} O_a W^{L−1−y}]
            let row = self.eigen_pairs(&xc, 1, layers - 1 - y, y - 1);
            for kb in 0..m {
                g[y * m + kb] = row[(0, kb)];
            }
            // (0, y, y): Tr[O({a,b}) M_y], M_y = W^{L−1−y} O_c W^{y−1}
            let my: Vec<Mat<f64>> = self
                .sectors
                .iter()
                .enumerate()
                .map(|(s, sec)| {
                    sandwich(
                        &sec.u,
                        &pow_vec(&sec.lam, layers - 1 - y),
                        self.block(&self.xs[s], s, c),
                        &pow_vec(&sec.lam, y - 1),
                        self.par,
                    )
                })
                .collect();
            let e = self.environment(&my);
            let (_, pair) = self.spin_basis_block(&e, None);
            put(&mut t, y, y, &pair);
            finish(u, &g, &t, &mut seen, units);
        }
        // (0, ya, yb) with the smallest of the three gaps first
        for ya in 1..layers {
            if 2 * ya > layers - ya {
                break;
            }
            let Some(u) = mine(&mut g, &mut t, &mut seen) else { continue };
            // P_a = X_c Λ^{ya−1} X_a, one GEMM per sector for a chunk of bonds a at a time (the
            // stack of all m would be as large as the X stack itself)
            let ybs: Vec<usize> = (2 * ya..=layers - ya).collect();
            let mut blks: Vec<Mat<f64>> = ybs.iter().map(|_| Mat::zeros(m, m)).collect();
            let sec2: usize = self.sectors.iter().map(|sec| sec.lam.len().pow(2)).sum();
            let ca = (CHUNK_DOUBLES / sec2.max(1)).clamp(1, m);
            for a0 in (0..m).step_by(ca) {
                let na = ca.min(m - a0);
                let pa: Vec<Vec<f64>> = self
                    .sectors
                    .iter()
                    .enumerate()
                    .map(|(s, sec)| {
                        let ns = sec.lam.len();
                        let w = pow_vec(&sec.lam, ya - 1);
                        let xcw = Mat::from_fn(ns, ns, |i, j| xc[s][j * ns + i] * w[j]);
                        let xa = &self.xs[s][a0 * ns * ns..(a0 + na) * ns * ns];
                        let xall = MatRef::from_column_major_slice(xa, ns, ns * na);
                        let mut v = vec![0.0; ns * ns * na];
                        let out = faer::MatMut::from_column_major_slice_mut(&mut v, ns, ns * na);
                        matmul(out, Accum::Replace, xcw.as_ref(), xall, 1.0, self.par);
                        v
                    })
                    .collect();
                for (blk, &yb) in blks.iter_mut().zip(&ybs) {
                    let part = self.eigen_pairs(&pa, na, layers - 1 - yb, yb - ya - 1);
                    for k in 0..na {
                        for kb in 0..m {
                            blk[(a0 + k, kb)] = part[(k, kb)];
                        }
                    }
                }
            }
            for (blk, &yb) in blks.iter().zip(&ybs) {
                put(&mut t, ya, yb, blk);
            }
            finish(u, &g, &t, &mut seen, units);
        }
        (g, t)
    }
}

/// Bond `b` translated by the lattice vector `shift`.
fn translate(torus: &Torus, b: usize, shift: &[i64]) -> usize {
    let d = torus.d();
    let x: Vec<i64> = torus.coords(b / d).iter().zip(shift).map(|(&c, s)| c as i64 + s).collect();
    torus.site(&x) * d + b % d
}

/// Fills every entry not computed directly from a translate that was: the triple (c, a, b) seen
/// from a or from b (the bond moved to the origin), in either order of the other two.
fn fill_by_translation(torus: &Torus, t: &mut [Vec<f64>]) {
    let (d, big_d) = (torus.d(), torus.bonds());
    let neg = |b: usize| -> Vec<i64> { torus.coords(b / d).iter().map(|&x| -(x as i64)).collect() };
    for c in 0..d {
        let missing: Vec<(usize, usize)> = (0..big_d)
            .flat_map(|a| (0..big_d).map(move |b| (a, b)))
            .filter(|&(a, b)| t[c][a * big_d + b].is_nan())
            .collect();
        let found: Vec<f64> = missing
            .par_iter()
            .map(|&(a, b)| {
                for (origin, o1, o2) in [(a, c, b), (b, c, a)] {
                    let sh = neg(origin);
                    let (x, y) = (translate(torus, o1, &sh), translate(torus, o2, &sh));
                    for v in [t[origin % d][x * big_d + y], t[origin % d][y * big_d + x]] {
                        if !v.is_nan() {
                            return v;
                        }
                    }
                }
                panic!("triple ({c}, {a}, {b}) has no directly computed translate");
            })
            .collect();
        for (&(a, b), v) in missing.iter().zip(found) {
            t[c][a * big_d + b] = v;
        }
    }
}

/// Exact slices g\[c\]\[·\], T\[c\]\[·\]\[·\] (c = each bond of site 0) of the cumulants of the bond
/// variables of `model` on `torus`, at couplings `k\[μ\]` per direction (uniform per direction).
///
/// Every side must be ≥ 3 (a side of 2 puts two bonds on the same pair of sites, making g
/// singular); the layer state space q^{n_s} must fit in `mem_limit` per [`estimate_bytes`].
/// `progress` is called once per unit of work, [`work_units`] in total.
pub fn cumulant_slices(
    model: Model,
    torus: &Torus,
    k: &[f64],
    mem_limit: f64,
    progress: &(dyn Fn() + Sync),
) -> Result<CumulantSlices, TransferError> {
    cumulant_slices_shared(model, torus, k, mem_limit, progress, &crate::streaming::Alone, &NoUnits)
}

/// [`cumulant_slices`] with its units of work dealt among the processes of `part` (MPI ranks).
/// Every directly computed entry comes from exactly one rank; the others contribute an exact
/// zero and a zero mask, so the summed slices equal the single-process ones bit for bit.
///
/// Units finished in an earlier run are taken from `ck` (and new ones recorded there), so a
/// killed job resumes with the same numbers to the bit; its error (a failed write) is returned
/// after the units that could run.
pub fn cumulant_slices_shared(
    model: Model,
    torus: &Torus,
    k: &[f64],
    mem_limit: f64,
    progress: &(dyn Fn() + Sync),
    part: &dyn crate::streaming::Partition,
    ck: &dyn UnitCheckpoint,
) -> Result<CumulantSlices, TransferError> {
    check_fisher_lattice(model, torus, mem_limit)?;
    let done: DoneUnits = ck.load().map_err(TransferError::Checkpoint)?.into_iter().collect();
    let mut units = Units { ck, error: None };
    let eng = Engine::new(model, torus, k);
    let mut g = Vec::new();
    let mut t = Vec::new();
    let mut unit = 0;
    for c in 0..eng.d {
        let (gc, tc) = eng.direct_slices(c, progress, part, &mut unit, &done, &mut units);
        g.push(gc);
        t.push(tc);
    }
    if let Some(e) = units.error {
        return Err(TransferError::Checkpoint(e));
    }
    if part.size() > 1 {
        // value (0 where not computed here) and a mask of computed entries, summed over ranks
        for v in g.iter_mut().chain(t.iter_mut()) {
            let mut mask: Vec<f64> = v.iter().map(|x| if x.is_nan() { 0.0 } else { 1.0 }).collect();
            v.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = 0.0);
            part.all_sum(v);
            part.all_sum(&mut mask);
            v.iter_mut().zip(&mask).filter(|(_, &m)| m == 0.0).for_each(|(x, _)| *x = f64::NAN);
        }
    }
    fill_by_translation(torus, &mut t);
    // g[c][b] for b in layer 0 and y ≥ 1 are all direct; divide everything by Z
    for v in g.iter_mut().chain(t.iter_mut()) {
        v.par_iter_mut().for_each(|x| *x /= eng.z_hat);
    }
    let ln_z = eng.layers as f64 * eng.ln_lmax + eng.z_hat.ln();
    Ok(CumulantSlices { torus: torus.clone(), ln_z, mean: eng.mean.clone(), g, t })
}

/// Number of progress ticks [`cumulant_slices`] will make.
pub fn work_units(torus: &Torus) -> usize {
    let l = torus.layers();
    torus.d() * (l + (1..l).take_while(|&ya| 2 * ya <= l - ya).count())
}

/// Checks sides and memory for [`cumulant_slices`].
pub fn check_fisher_lattice(model: Model, torus: &Torus, mem_limit: f64) -> Result<(), TransferError> {
    use onsager_models::ModelError;
    for (i, &l) in torus.dims().iter().enumerate() {
        if l < 3 {
            let name = if torus.d() == 1 { "L" } else { ["lx", "ly", "lz"][i] };
            return Err(ModelError::range(
                name,
                l,
                "every side ≥ 3 for the Fisher geometry (a side of 2 doubles bonds)",
            )
            .into());
        }
    }
    let n_s = torus.layer_sites() as f64;
    if (model.q() as f64).powf(n_s) > 1e9 {
        return Err(ModelError::range("L", torus.label(), "a layer with at most 10^9 states").into());
    }
    memory::check(
        &format!("the exact transfer-matrix Fisher geometry of {} on {}", model, torus.label()),
        estimate_bytes(model, torus),
        mem_limit,
        "choose a smaller lattice",
    )
}
