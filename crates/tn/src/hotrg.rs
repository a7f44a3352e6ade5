//! Higher-order TRG in 2D (Z. Y. Xie et al., PRB 86, 045139 (2012)).
//!
//! Two tensors stacked along the vertical bond are merged; the doubled horizontal legs are
//! compressed by the isometry from the eigenvectors of the environment M Mᵀ (higher-order SVD),
//! on whichever side (left or right) discards less. The lattice is then rotated by 90° so the
//! next step merges along the other axis. Cost O(χ⁷); after 2n steps one tensor holds a
//! 2ⁿ × 2ⁿ torus.
//!
//! Z₂: when the leg states carry spin-flip parities and the tensor is even (Ising at h = 0),
//! the environments are parity-block diagonal, the isometries are taken block by block, and
//! every contraction runs on the two parity blocks ([`tensordot_z2`]): a quarter of the flops.

use crate::contract::{
    eigh_desc, gemm_into as gemm, gemm_rows_parallel, permute, sector_offsets, split_chunks, tensordot_z2,
};
use crate::scheme::{CoarseGraining, StepInfo, Truncation};
use crate::trg::{closed_trace, normalize};
use faer::Mat;
use faer::MatRef;
use ndarray::{ArrayD, IxDyn};

/// HOTRG state: the current tensor, legs (l, u, r, d), the parity labels of its horizontal and
/// vertical legs (all 0: no symmetry used), and impurity tensors carried along.
#[derive(Debug, Clone)]
pub struct Hotrg {
    t: ArrayD<f64>,
    parity: [Vec<u8>; 2],
    /// the start tensor was invariant under both mirror reflections (l ↔ r, u ↔ d)
    mirror: bool,
    norm0: f64,
    /// impurity tensors: the block with one insertion, averaged over its positions
    imps: Vec<ArrayD<f64>>,
    /// steps done: after an odd number the tensor is a 2 × 1 block, not a square cell
    steps: usize,
}

/// The registry entry (Xie et al., PRB 86, 045139 (2012)); with impurities it carries the energy
/// and magnetization, else it works on Z₂ parity blocks when the start has them.
pub const SCHEME: crate::scheme::Scheme = crate::scheme::Scheme {
    name: "hotrg",
    about: "Higher-order TRG (2D; ising3d on the simple cubic lattice): lnZ/N of the infinite lattice",
    build: |s| {
        if s.impurities.is_empty() {
            Box::new(Hotrg::with_parity(s.tensor, s.parity))
        } else {
            Box::new(Hotrg::with_impurities(s.tensor, s.impurities))
        }
    },
    peak_bytes,
    capabilities: crate::scheme::Capabilities { spectrum: true, observables: true, three_d: true },
};

/// Peak memory of a 2D HOTRG run from the largest bond it reaches in `steps` steps (legs start at
/// q states): it holds P and Q, χ⁵ numbers each when dense (measured max RSS 0.88 GB at χ = 32),
/// half that with Z₂ blocks (two blocks of a quarter each; 0.36 GB at χ = 32, 2.53 GB at χ = 48).
pub fn peak_bytes(q: usize, chi: usize, steps: usize, parity: bool) -> f64 {
    // (h, v) → merge compresses h² states to k → rotated (v, k); P has k·v rows of h²·v
    let (mut h, mut v, mut peak) = (q, q, 0.0f64);
    for _ in 0..steps {
        let k = chi.min(h * h);
        peak = peak.max((k * v) as f64 * (h * h * v) as f64);
        (h, v) = (v, k);
    }
    peak * 8.0 * if parity { 1.3 } else { 3.3 }
}

impl Hotrg {
    /// Starts from a site tensor a\[l,u,r,d\] holding one site.
    pub fn new(a: ArrayD<f64>) -> Self {
        Self::with_parity(a, None)
    }

    /// Starts from a site tensor whose leg states carry Z₂ parities (`labels\[k\]` for state k, as
    /// [`crate::initial::leg_parity`] gives them); they are used only if `a` is even under them to
    /// rounding, else the dense contractions run.
    pub fn with_parity(mut a: ArrayD<f64>, labels: Option<Vec<u8>>) -> Self {
        let norm0 = normalize(&mut a);
        let (dh, dv) = (a.shape()[0], a.shape()[1]);
        let labels = labels.filter(|l| {
            l.len() == dh
                && dh == dv
                && a.indexed_iter().all(|(ix, &x)| (0..4).map(|k| l[ix[k]]).sum::<u8>() % 2 == 0 || x.abs() <= 1e-14)
        });
        let parity = match labels {
            Some(l) => [l.clone(), l],
            None => [vec![0; dh], vec![0; dv]],
        };
        let mirror = [[2, 1, 0, 3], [0, 3, 2, 1]].iter().all(|perm| {
            let m = permute(&a, perm);
            a.iter().zip(m.iter()).all(|(x, y)| (x - y).abs() <= 1e-14)
        });
        Hotrg { t: a, parity, mirror, norm0, imps: vec![], steps: 0 }
    }

    /// Whether the Z₂ blocks are in use.
    pub fn symmetric(&self) -> bool {
        self.parity.iter().any(|l| l.contains(&1))
    }

    /// Starts from a site tensor and impurity tensors b_i (a with an operator inserted, e.g.
    /// `initial::site_tensor_2d(.., Insertion::Magnetization)`). Each step merges the impurity
    /// with a pure tensor in both orders, ½(F(b, a) + F(a, b)), with the pure tensor's isometry
    /// and norm, so Tr b / Tr a stays the expectation value ⟨O⟩ of the block (translation average).
    pub fn with_impurities(a: ArrayD<f64>, imps: Vec<ArrayD<f64>>) -> Self {
        let mut h = Hotrg::new(a);
        h.imps = imps.into_iter().map(|b| b.mapv(|x| x / h.norm0)).collect();
        h
    }
}

/// A parity block of P or Q: row-major data and the (x, y) of each row.
type Block = (Vec<f64>, Vec<(usize, usize)>);

/// Merges `a` (first) and `b` (second) along the vertical bond and compresses the doubled
/// horizontal legs with `u`; returns the new tensor rotated by 90° (legs l, u, r, d).
/// `h`, `v`, `k`: parity labels of the horizontal and vertical legs and of the isometry's new leg.
///
/// T′[k,u,k′,d] = Σ_g P[(k,u), g] Q[(k′,d), g] with g = (l₂, m, r₁):
/// P[(k,u), g] = Σ_{l₁} U\[l₁,l₂,k\] a\[l₁,u,r₁,m\] and Q[(k′,d), g] = Σ_{r₂} b\[l₂,m,r₂,d\] U\[r₁,r₂,k′\].
/// Each row of P and Q is one small GEMM (2χ⁴ flops) written straight into its parity block,
/// so no χ⁵ intermediate is ever scattered or gathered; the product of the blocks is the
/// O(χ⁷) part (a quarter of it with Z₂).
fn merge(u: &ArrayD<f64>, a: &ArrayD<f64>, b: &ArrayD<f64>, (h, v, k): (&[u8], &[u8], &[u8])) -> ArrayD<f64> {
    use rayon::prelude::*;
    let (dh, dv, dk) = (a.shape()[0], a.shape()[1], u.shape()[2]);
    // g = (l₂, m, r₁) by parity class: offsets in the P product [l₂, (u, m, r₁)] of one k
    // (strides dv·dv·dh, dh, 1) and in the Q product [(d, l₂, m), r₁] of one k′ (C order)
    let gp = sector_offsets(&[(dh, dv * dv * dh, h), (dv, dh, v), (dh, 1, h)]);
    let gq = sector_offsets(&[(dh, dv * dh, h), (dv, dh, v), (dh, 1, h)]);
    // A[l₁, (u, m, r₁)], U_k[l₂][l₁]; B[(d, l₂, m), r₂], U′_k′[r₂][r₁]
    let ap = permute(a, &[0, 1, 3, 2]);
    let uk = permute(u, &[2, 1, 0]);
    let bp = permute(b, &[3, 0, 1, 2]);
    let (ap, uk, bp) = (ap.as_slice().expect("std"), uk.as_slice().expect("std"), bp.as_slice().expect("std"));
    let glen = dh * dv * dh;
    // rows (x, y) of P (x = k, y = u) and of Q (x = k′, y = d), x-major, in parity blocks; one
    // task per x makes all its rows from one GEMM of size χ × χ × χ³ and copies each row's
    // parity-p part (offsets `g`, row y at `base(y)`) into its block
    let build = |prod: &(dyn Fn(usize, &mut [f64]) + Sync), g: &[Vec<usize>; 2], base: usize| -> [Block; 2] {
        let mut blocks: [Block; 2] = [0, 1].map(|p| {
            let mine: Vec<(usize, usize)> = (0..dk)
                .flat_map(|x| (0..dv).map(move |y| (x, y)))
                .filter(|&(x, y)| ((k[x] + v[y]) % 2) as usize == p)
                .collect();
            (vec![0.0; mine.len() * g[p].len()], mine)
        });
        let lens: [Vec<usize>; 2] = [0, 1].map(|p| {
            (0..dk).map(|x| (0..dv).filter(|&y| ((k[x] + v[y]) % 2) as usize == p).count() * g[p].len()).collect()
        });
        let [(b0, _), (b1, _)] = &mut blocks;
        let mut chunks: Vec<(&mut [f64], &mut [f64])> =
            split_chunks(b0, &lens[0]).into_iter().zip(split_chunks(b1, &lens[1])).collect();
        // one product buffer per worker, not per task (each is χ⁴ numbers)
        chunks.par_iter_mut().enumerate().for_each_init(
            || vec![0.0; dv * glen],
            |full, (x, (c0, c1))| {
                prod(x, full);
                let mut r = [0, 0];
                for y in 0..dv {
                    let p = ((k[x] + v[y]) % 2) as usize;
                    let idx = &g[p];
                    let dst = if p == 0 { &mut **c0 } else { &mut **c1 };
                    let src = &full[y * base..];
                    for (d, &i) in dst[r[p] * idx.len()..(r[p] + 1) * idx.len()].iter_mut().zip(idx) {
                        *d = src[i];
                    }
                    r[p] += 1;
                }
            },
        );
        drop(chunks);
        blocks
    };
    // P, one k: [l₂ × l₁] · [l₁ × (u, m, r₁)]
    let pb = build(&|x, out| gemm(&uk[x * dh * dh..(x + 1) * dh * dh], ap, out, dh, dh, dv * dv * dh), &gp, dv * dh);
    // Q, one k′: [(d, l₂, m) × r₂] · [r₂ × r₁] with U′_k′[r₂][r₁] = U[r₁, r₂, k′]
    let uq = permute(u, &[2, 1, 0]);
    let uq = uq.as_slice().expect("std");
    let qb = build(&|x, out| gemm(bp, &uq[x * dh * dh..(x + 1) * dh * dh], out, dv * dh * dv, dh, dh), &gq, glen);
    let g = gp;
    let mut t = vec![0.0; dk * dv * dk * dv];
    for p in 0..2 {
        let ((pm, pr), (qm, qr)) = (&pb[p], &qb[p]);
        let kg = g[p].len();
        if pr.is_empty() || qr.is_empty() || kg == 0 {
            continue;
        }
        let mut prod = vec![0.0; pr.len() * qr.len()];
        let qt = MatRef::from_row_major_slice(qm, qr.len(), kg).transpose();
        gemm_rows_parallel(pm, qt, &mut prod, pr.len(), kg);
        // T′[k, u, k′, d]
        for (row, &(x, y)) in prod.chunks(qr.len()).zip(pr) {
            for (&val, &(x2, y2)) in row.iter().zip(qr) {
                t[((x * dv + y) * dk + x2) * dv + y2] = val;
            }
        }
    }
    let tn = ArrayD::from_shape_vec(IxDyn(&[dk, dv, dk, dv]), t).expect("shape");
    permute(&tn, &[1, 2, 3, 0]) // rotate by 90°
}

/// Environment of the doubled left (or right) legs: E[(x1,x2),(x1',x2')]; `h`, `v` are the
/// parity labels of the horizontal and vertical legs.
fn environment(t: &ArrayD<f64>, left: bool, h: &[u8], v: &[u8]) -> Mat<f64> {
    let d = t.shape()[0];
    let lt = [h, v, h, v];
    let dot = |ax: &[usize]| tensordot_z2(t, ax, &lt, t, ax, &lt);
    let (a, b) = if left {
        (dot(&[1, 2]), dot(&[2, 3])) // (l1,k,l1',k'), (l2,k,l2',k')
    } else {
        (dot(&[0, 1]), permute(&dot(&[0, 3]), &[1, 0, 3, 2]))
        // (r1,k,..), (r2,k,..)
    };
    let le = [h, v, h, v];
    let e = tensordot_z2(&a, &[1, 3], &le, &b, &[1, 3], &le); // x1,x1',x2,x2'
    let e = permute(&e, &[0, 2, 1, 3]);
    let (es, n) = (e.as_slice().expect("standard"), d * d);
    Mat::from_fn(n, n, |i, j| 0.5 * (es[i * n + j] + es[j * n + i]))
}

/// The top `k` eigenpairs of the symmetric positive semi-definite environment `e`, taken per
/// parity block of its index (x1, x2) (`labels` of x1 and x2; one block when all are 0):
/// (vectors as columns, parity of each, discarded fraction of the trace).
fn isometry(e: &Mat<f64>, labels: &[u8], k: usize) -> (Mat<f64>, Vec<u8>, f64) {
    let n = e.nrows();
    let d = labels.len();
    let total: f64 = (0..n).map(|i| e[(i, i)]).sum();
    use rayon::prelude::*;
    // the two parity blocks are independent problems: one per core
    let per_block: Vec<Vec<(f64, u8, Vec<f64>)>> = (0..2u8)
        .into_par_iter()
        .map(|p| {
            let mut pairs = Vec::new();
            let idx: Vec<usize> = (0..n).filter(|&x| (labels[x / d] + labels[x % d]) % 2 == p).collect();
            if idx.is_empty() {
                return pairs;
            }
            let m = idx.len();
            let block = Mat::from_fn(m, m, |r, c| e[(idx[r], idx[c])]);
            let kk = k.min(m);
            // E is PSD: its top eigenpairs are its top singular triplets, so the randomized partial
            // SVD serves when kk ≪ m (as in TRG)
            let (v, w) = if 4 * kk < m {
                let (u, s, _) = onsager_linalg::randomized_svd(block.as_ref(), kk, kk, 3);
                (u, s)
            } else {
                let (w, v) = eigh_desc(&block);
                (v, w.into_iter().map(|x| x.max(0.0)).collect())
            };
            for (c, &lam) in w.iter().enumerate().take(kk) {
                let mut vec = vec![0.0; n];
                for (r, &x) in idx.iter().enumerate() {
                    vec[x] = v[(r, c)];
                }
                pairs.push((lam, p, vec));
            }
            pairs
        })
        .collect();
    let mut pairs: Vec<(f64, u8, Vec<f64>)> = per_block.into_iter().flatten().collect();
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
    pairs.truncate(k);
    let kept: f64 = pairs.iter().map(|x| x.0).sum();
    let err = if total > 0.0 { ((total - kept) / total).max(0.0) } else { 0.0 };
    let u = Mat::from_fn(n, pairs.len(), |r, c| pairs[c].2[r]);
    (u, pairs.iter().map(|x| x.1).collect(), err)
}

impl CoarseGraining for Hotrg {
    fn name(&self) -> &'static str {
        "hotrg"
    }

    fn initial(&self) -> (f64, f64) {
        (self.norm0, 1.0)
    }

    fn step(&mut self, trunc: &Truncation) -> StepInfo {
        self.steps += 1;
        let d = self.t.shape()[0];
        let k = trunc.chi.min(d * d);
        let (h, v) = (&self.parity[0], &self.parity[1]);
        let pick = |left: bool| isometry(&environment(&self.t, left, h, v), h, k);
        // A mirror-symmetric start stays so up to a gauge on the legs (the merge puts the same
        // isometry on both sides, and the stacked environment commutes with the swap of the two
        // doubled legs), so the left and right environments have one spectrum and either side
        // discards the same weight; otherwise take the side that discards less
        let (w, pk, err) = if self.mirror {
            pick(true)
        } else {
            let ((vl, pl, el), (vr, pr, er)) = rayon::join(|| pick(true), || pick(false));
            if el <= er {
                (vl, pl, el)
            } else {
                (vr, pr, er)
            }
        };
        let k = w.ncols();
        let u = ArrayD::from_shape_fn(IxDyn(&[d, d, k]), |ix| w[(ix[0] * d + ix[1], ix[2])]);
        let mut t = merge(&u, &self.t, &self.t, (h, v, &pk));
        let norm = normalize(&mut t);
        let imps: Vec<ArrayD<f64>> = self
            .imps
            .iter()
            .map(|b| {
                // impurities may be odd: they run only with all labels 0 (dense)
                let mut m = merge(&u, b, &self.t, (h, v, &pk));
                m.zip_mut_with(&merge(&u, &self.t, b, (h, v, &pk)), |x, y| *x = 0.5 * (*x + y) / norm);
                m
            })
            .collect();
        self.imps = imps;
        self.t = t;
        // rotated by 90°: the vertical legs become horizontal, the new legs vertical
        self.parity = [std::mem::take(&mut self.parity[1]), pk];
        StepInfo { norm, merged: 2.0, truncation_error: err }
    }

    fn trace(&self) -> f64 {
        closed_trace(&self.t, None)
    }
    /// Two tensors stacked along the vertical bond (the next merge), each closed horizontally
    /// on itself and the pair closed vertically: Σ_{u,d} M\[u,d\] M\[d,u\] with M\[u,d\] = Σ_l t\[l,u,l,d\].
    fn pair_trace(&self) -> Option<f64> {
        let (dh, dv) = (self.t.shape()[0], self.t.shape()[1]);
        let m: Vec<f64> =
            (0..dv * dv).map(|x| (0..dh).map(|l| self.t[[l, x / dv, l, x % dv].as_ref()]).sum()).collect();
        Some((0..dv * dv).map(|x| m[x] * m[(x % dv) * dv + x / dv]).sum())
    }
    /// The 2 × 2 torus of the current tensor: with M[(l₁,r₁),(l₂,r₂)] = Σ_{u,m} t\[l₁,u,r₁,m\]
    /// t\[l₂,m,r₂,u\] (a column of two, closed vertically), Z = Σ M[(l₁,r₁),(l₂,r₂)] M[(r₁,l₁),(r₂,l₂)]
    /// (two columns, closed horizontally). One GEMM of χ² × χ² × χ²; `None` when M would pass
    /// 2 GiB (χ > 128).
    fn quad_trace(&self) -> Option<f64> {
        let (dh, dv) = (self.t.shape()[0], self.t.shape()[1]);
        let (n, k) = (dh * dh, dv * dv);
        if n * n * 8 > 2 << 30 {
            return None;
        }
        let t1 = permute(&self.t, &[0, 2, 1, 3]); // (l₁,r₁),(u,m)
        let t2 = permute(&self.t, &[3, 1, 0, 2]); // (u,m),(l₂,r₂)
        let a = MatRef::from_row_major_slice(t1.as_slice().expect("standard"), n, k);
        let b = MatRef::from_row_major_slice(t2.as_slice().expect("standard"), k, n);
        let mut m = Mat::zeros(n, n);
        faer::linalg::matmul::matmul(&mut m, faer::Accum::Replace, a, b, 1.0, faer::Par::rayon(0));
        let swap = |x: usize| (x % dh) * dh + x / dh;
        Some((0..n).map(|i| (0..n).map(|j| m[(i, j)] * m[(swap(i), swap(j))]).sum::<f64>()).sum())
    }

    /// The tensor after an even number of steps only: after an odd number it covers a 2 × 1
    /// block, and Gu–Wen's square-cell formulas would return half of c and of every x.
    fn site_tensor(&self) -> Option<ArrayD<f64>> {
        (self.steps & 1 == 0).then(|| self.t.clone())
    }
    /// ⟨O_i⟩ = Tr b_i / Tr a for each impurity, on the torus the current tensor closes.
    fn expectations(&self) -> Vec<f64> {
        let z = closed_trace(&self.t, None);
        self.imps.iter().map(|b| closed_trace(b, None) / z).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::initial::{leg_parity, site_tensor_2d, Insertion};
    use crate::{run, Stop};
    use onsager_models::Model;

    #[test]
    fn mirror_shortcut_equals_both_sides() {
        // the mirror argument (one environment suffices) against the general rule (both
        // environments, the side that discards less), 24 steps at K_c, χ = 16: lnZ/N equal to
        // rounding, and the D4-symmetric Ising tensor is recognised as mirror symmetric
        let kc = 0.5 * (1.0 + 2f64.sqrt()).ln();
        let a = site_tensor_2d(Model::Ising, kc, 0.0, Insertion::None);
        let fast = Hotrg::with_parity(a.clone(), leg_parity(Model::Ising, kc, 0.0));
        assert!(fast.mirror);
        let mut slow = fast.clone();
        slow.mirror = false;
        let mut fast = fast;
        let t = Truncation::chi(16);
        let x = run(&mut fast, &t, &Stop::MaxSteps(24), &mut |_, _| {}).ln_z_per_site;
        let y = run(&mut slow, &t, &Stop::MaxSteps(24), &mut |_, _| {}).ln_z_per_site;
        assert!((x - y).abs() < 1e-13 * x, "{x} vs {y}");
        // a bond insertion breaks the l ↔ r mirror: both sides are searched
        assert!(!Hotrg::new(site_tensor_2d(Model::Ising, kc, 0.0, Insertion::BondRight)).mirror);
    }
}
