//! Higher-order TRG on the simple cubic lattice (Z. Y. Xie et al., PRB 86, 045139 (2012)),
//! with Z₂ block sparsity and a sliced contraction that needs O(χ⁷) memory instead of O(χ⁸).
//!
//! One tensor per site, legs (x−, x+, y−, y+, z−, z+). A step stacks two tensors along z
//! (T₁ below, T₂ above, joined by k), compresses the doubled x and y legs with isometries U_x,
//! U_y from the environments of one doubled bond (higher-order SVD; of the two sides of a bond
//! the one that discards less is used, as in the paper), and cycles the axes
//! (x, y, z) ← (y, z, x) so the next step merges along the old x:
//!
//! T′[a,b,c,d,z−,z+] = Σ U_x\[x₁,x₂,a\] U_x\[x₁′,x₂′,b\] U_y\[y₁,y₂,c\] U_y\[y₁′,y₂′,d\]
//!                      · T\[x₁,x₁′,y₁,y₁′,z−,k\] T\[x₂,x₂′,y₂,y₂′,k,z+\].
//!
//! The contraction is split into P\[z−\][(a,c), g] (T₁ with the two "−" isometries) and
//! Q\[z+\][g, (b,d)] (T₂ with the two "+" isometries), g = (y₂, y₁′, x₁′, x₂, k), and
//! T′[..,z−,z+] = P\[z−\] Q\[z+\]: 2χ¹¹ flops, like the paper, but with slices of size χ⁷. Each
//! row (a,c) of P and (b,d) of Q is made by small GEMMs and written straight into its parity
//! block, so no χ⁷ slice is ever scattered; P is built once per step, Q once per block of P
//! slices that fits the memory budget.
//!
//! Z₂: for the Ising model at h = 0 every leg index carries a parity and every tensor is even
//! (its odd-parity elements vanish). The isometries are eigenvectors of parity-block-diagonal
//! environments, so they keep this. Then P\[z−\] is non-zero only where
//! parity(a,c) = parity(g) ⊕ parity(z−), and likewise Q, so P Q splits into two products of
//! half the size in every dimension: a quarter of the dense flops. Without a symmetry every
//! label is 0 and the same code does the dense product.

use crate::contract::{
    eigh_desc, gemm_into as gemm, gemm_rows_parallel, permute, permute_slice, sector_offsets, split_chunks, tensordot,
};
use crate::scheme::{CoarseGraining, StepInfo, Truncation};
use faer::{Mat, MatRef};
use ndarray::{ArrayD, IxDyn};

/// Default memory for the P and Q blocks of one step (bytes). Q is rebuilt once per block of P,
/// so P gets most of it; for χ ≤ 14 everything fits and each is built once.
pub const DEFAULT_BUDGET: usize = 8 << 30;

/// 3D HOTRG state: the tensor T\[x−,x+,y−,y+,z−,z+\] and the parity of every leg index.
#[derive(Debug, Clone)]
pub struct Hotrg3d {
    t: ArrayD<f64>,
    /// parity labels of the x, y and z legs (all 0: no symmetry used)
    parity: [Vec<u8>; 3],
    norm0: f64,
    budget: usize,
}

impl Hotrg3d {
    /// Starts from a site tensor a\[x−,x+,y−,y+,z−,z+\] holding one site. `parity`, if given,
    /// labels the q leg states with their Z₂ parity (0 even, 1 odd), as
    /// [`crate::initial::leg_parity`] finds them; it is used only if `a` is even under it to
    /// rounding (otherwise the dense contraction is used).
    pub fn new(a: ArrayD<f64>, parity: Option<Vec<u8>>) -> Self {
        assert_eq!(a.ndim(), 6, "a 3D site tensor has six legs");
        let q = a.shape()[0];
        let amax = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let labels = parity
            .filter(|p| p.len() == q)
            .filter(|p| {
                a.indexed_iter()
                    .all(|(ix, &x)| (0..6).map(|l| p[ix[l]]).sum::<u8>() % 2 == 0 || x.abs() <= 1e-14 * amax)
            })
            .unwrap_or_else(|| vec![0; q]);
        let norm0 = amax;
        let t = a.mapv(|x| x / norm0);
        Hotrg3d { t, parity: [labels.clone(), labels.clone(), labels], norm0, budget: DEFAULT_BUDGET }
    }

    /// Sets the memory for the P and Q blocks of a step (bytes); see [`min_bytes`].
    pub fn with_budget(mut self, bytes: usize) -> Self {
        self.budget = bytes;
        self
    }

    /// Whether the Z₂ blocks are in use.
    pub fn symmetric(&self) -> bool {
        self.parity[0].contains(&1)
    }

    /// The current tensor.
    pub fn tensor(&self) -> &ArrayD<f64> {
        &self.t
    }
}

/// Bytes of one z slice of the P (or Q) blocks at bond dimension χ: χ² rows of the χ⁵ g-row,
/// half of it in each parity block when the Z₂ symmetry is in use (`symmetric`), all of it in
/// one block without (a field).
pub fn slice_bytes(chi: usize, symmetric: bool) -> usize {
    slice_len(chi.pow(7), symmetric) * 8
}

/// Doubles of one slice whose full rows hold `full` doubles: half with the Z₂ blocks.
fn slice_len(full: usize, symmetric: bool) -> usize {
    if symmetric {
        full.div_ceil(2)
    } else {
        full
    }
}

/// Bytes a step at χ needs besides the P and Q blocks: the half-contracted slice and its
/// permuted copy, the new tensor, per-thread rows (a few χ⁶ arrays).
pub fn work_bytes(chi: usize) -> usize {
    6 * chi.pow(6) * 8
}

/// The least memory a step at χ can run in: one slice each of P and Q, and the work arrays.
pub fn min_bytes(chi: usize, symmetric: bool) -> usize {
    2 * slice_bytes(chi, symmetric) + work_bytes(chi)
}

/// How many z slices of P and of Q a merge holds at once, (P, Q), when one slice takes `per_z`
/// bytes, the z leg has `dz` values and the blocks may take `budget`: a quarter of it for Q, the
/// rest for P, at least one slice each.
fn blocks(per_z: usize, dz: usize, budget: usize) -> (usize, usize) {
    let q_block = (budget / 4 / per_z.max(1)).clamp(1, dz);
    let p_block = (budget.saturating_sub(q_block * per_z) / per_z.max(1)).clamp(1, dz);
    (p_block, q_block)
}

/// The memory a step at bond dimension χ takes when its P and Q blocks may use `budget` bytes:
/// the blocks the merge chooses at full bond (dz = χ) and the work arrays. Above [`min_bytes`],
/// this is what the run is predicted to hold at its peak (χ = 12 with 8 GiB for the blocks:
/// 3.34 GiB predicted, 3.36 GiB measured).
pub fn step_bytes(chi: usize, budget: usize, symmetric: bool) -> usize {
    let per_z = slice_bytes(chi, symmetric);
    let (p, q) = blocks(per_z, chi, budget);
    (p + q) * per_z + work_bytes(chi)
}

/// The parity blocks of P (or Q) for a run of slices of the outer z leg: block p holds the rows
/// (z, u, v) with parity(u, v) = p ⊕ parity(z), each of them the g-row restricted to parity p.
struct Blocks {
    /// row-major data of block p: rows × (g of parity p)
    data: [Vec<f64>; 2],
    /// position in T′ of every row of block p (z, u and v placed)
    place: [Vec<usize>; 2],
}

/// Shapes and labels of one merge, shared by the P and Q builders.
struct Layout<'a> {
    dx: usize,
    dy: usize,
    dz: usize,
    mx: usize,
    my: usize,
    /// parities of the y and z legs and of the new legs a (x) and c (y)
    py: &'a [u8],
    pz: &'a [u8],
    pa: &'a [u8],
    pc: &'a [u8],
    /// r = (ȳ, x̄, x₂, k) split by parity: positions in its C order
    rest: [Vec<usize>; 2],
    /// where the segment of each y₂ starts in a row of block p (dy + 1 entries)
    g_off: [Vec<usize>; 2],
}

impl Layout<'_> {
    fn rest_len(&self) -> usize {
        self.dy * self.dx * self.dx * self.dz
    }

    /// Columns of block p: g = (y₂, r) with parity(y₂) ⊕ parity(r) = p.
    fn g_len(&self, p: usize) -> usize {
        self.g_off[p][self.dy]
    }

    /// Copies the parity-p part of a full g-row (y₂ outer, r inner, C order) into `dst`.
    fn compress(&self, full: &[f64], p: usize, dst: &mut [f64]) {
        let n = self.rest_len();
        for y in 0..self.dy {
            self.compress_segment(&full[y * n..(y + 1) * n], y, p, dst);
        }
    }

    /// Copies the parity-p part of the segment y₂ of a g-row (an r-row) to its place in `dst`.
    fn compress_segment(&self, src: &[f64], y2: usize, p: usize, dst: &mut [f64]) {
        let idx = &self.rest[p ^ self.py[y2] as usize];
        let at = self.g_off[p][y2];
        for (d, &i) in dst[at..at + idx.len()].iter_mut().zip(idx) {
            *d = src[i];
        }
    }

    /// Empty blocks for the rows (z, u, v), z in `zs`, u < mx, v < my; `place(z, u, v)` is the
    /// row's offset in T′.
    /// `spare`: buffers of an earlier block to refill (a fresh multi-GB allocation costs a page
    /// fault per 4 KiB page; Q is rebuilt many times per step at large χ).
    fn blocks(
        &self,
        zs: &[usize],
        place: impl Fn(usize, usize, usize) -> usize,
        spare: Option<[Vec<f64>; 2]>,
    ) -> (Blocks, [Vec<usize>; 2]) {
        let mut placed = [Vec::new(), Vec::new()];
        // rows per (z, u) in each block, for splitting the work by (z, u)
        let mut per_zu = [Vec::new(), Vec::new()];
        for &z in zs {
            for u in 0..self.mx {
                let mut n = [0, 0];
                for v in 0..self.my {
                    let p = ((self.pz[z] + self.pa[u] + self.pc[v]) % 2) as usize;
                    placed[p].push(place(z, u, v));
                    n[p] += 1;
                }
                per_zu[0].push(n[0]);
                per_zu[1].push(n[1]);
            }
        }
        let mut data = spare.unwrap_or_default();
        for (p, d) in data.iter_mut().enumerate() {
            d.clear();
            d.resize(placed[p].len() * self.g_len(p), 0.0);
        }
        (Blocks { data, place: placed }, per_zu)
    }
}

/// P rows for the slices `zs` of T₁: P\[z\][(a,c), (y₂, r)] = Σ U_x\[x,x₂,a\] U_y\[y,y₂,c\] T₁\[x,x̄,y,ȳ,z,k\].
/// `s1` is T permuted to [z−, x−, x+, y−, y+, z+]; `ux` is U_x as [(a, x₂), x], `uy` is U_y as
/// [c, y₂, y] (both row-major).
fn build_p(l: &Layout, s1: &[f64], ux: &[f64], uy: &[f64], zs: &[usize], place: &[usize; 3]) -> Blocks {
    use rayon::prelude::*;
    let (dx, dy, dz, mx, my) = (l.dx, l.dy, l.dz, l.mx, l.my);
    let n = l.rest_len();
    let slice = dx * dx * dy * dy * dz;
    let (mut b, per_zu) = l.blocks(zs, |z, a, c| z * place[0] + a * place[1] + c * place[2], None);
    let lens: [Vec<usize>; 2] = [0, 1].map(|p| per_zu[p].iter().map(|r| r * l.g_len(p)).collect());
    let [d0, d1] = &mut b.data;
    let mut chunks: Vec<(&mut [f64], &mut [f64])> =
        split_chunks(d0, &lens[0]).into_iter().zip(split_chunks(d1, &lens[1])).collect();
    for (iz, &z) in zs.iter().enumerate() {
        // X[(a, x₂), (x̄, y, ȳ, k)] = Σ_x U_x[x, (a, x₂)] T₁[x, x̄, y, ȳ, z, k]
        let mut x = vec![0.0; mx * dx * slice / dx];
        gemm(ux, &s1[z * slice..(z + 1) * slice], &mut x, mx * dx, dx, slice / dx);
        // per a: X_a[y, (ȳ, x̄, x₂, k)]
        let xa = permute_slice(&x, &[mx, dx, dx, dy, dy, dz], &[0, 3, 4, 2, 1, 5]);
        chunks[iz * mx..(iz + 1) * mx].par_iter_mut().enumerate().for_each(|(a, (c0, c1))| {
            let xa = &xa[a * dy * n..(a + 1) * dy * n];
            let mut full = vec![0.0; dy * n];
            let (mut r0, mut r1) = (0, 0);
            for c in 0..my {
                // row (a, c): [y₂, r] = Σ_y U_y[c, y₂, y] X_a[y, r]
                gemm(&uy[c * dy * dy..(c + 1) * dy * dy], xa, &mut full, dy, dy, n);
                let p = ((l.pz[z] + l.pa[a] + l.pc[c]) % 2) as usize;
                let (dst, r) = if p == 0 { (&mut **c0, &mut r0) } else { (&mut **c1, &mut r1) };
                let g = l.g_len(p);
                l.compress(&full, p, &mut dst[*r * g..(*r + 1) * g]);
                *r += 1;
            }
        });
    }
    drop(chunks);
    b
}

/// Q columns for the slices `zs` of T₂, as rows of the transposed block:
/// Q\[z\][(b,d), (y₂, r)] = Σ U_x\[x₁′,x,b\] U_y\[y₁′,y,d\] T₂\[x₂,x,y₂,y,k,z\], r = (y₁′, x₁′, x₂, k).
/// `s2` is T permuted to [z+, x+, y−, y+, x−, z−]; `ux` is U_x as [(b, x₁′), x₂′], `uy` is U_y as
/// [(d, y₁′), y₂′].
fn build_q(
    l: &Layout,
    s2: &[f64],
    (ux, uy): (&[f64], &[f64]),
    zs: &[usize],
    place: &[usize; 3],
    spare: Option<[Vec<f64>; 2]>,
) -> Blocks {
    use rayon::prelude::*;
    let (dx, dy, dz, mx, my) = (l.dx, l.dy, l.dz, l.mx, l.my);
    let n = l.rest_len();
    let slice = dx * dx * dy * dy * dz;
    let (mut b, per_zu) = l.blocks(zs, |z, bb, d| z * place[0] + bb * place[1] + d * place[2], spare);
    let lens: [Vec<usize>; 2] = [0, 1].map(|p| per_zu[p].iter().map(|r| r * l.g_len(p)).collect());
    let [d0, d1] = &mut b.data;
    let mut chunks: Vec<(&mut [f64], &mut [f64])> =
        split_chunks(d0, &lens[0]).into_iter().zip(split_chunks(d1, &lens[1])).collect();
    let seg = dx * dx * dz; // (x₁′, x₂, k)
    for (iz, &z) in zs.iter().enumerate() {
        // Y[(b, x₁′), (y₂, y, x₂, k)] = Σ_x U_x[x, (b, x₁′)] T₂[x₂, x, y₂, y, k, z]
        let mut y = vec![0.0; mx * dx * slice / dx];
        gemm(ux, &s2[z * slice..(z + 1) * slice], &mut y, mx * dx, dx, slice / dx);
        // per (b, y₂): [y, (x₁′, x₂, k)]
        let yb = permute_slice(&y, &[mx, dx, dy, dy, dx, dz], &[0, 2, 3, 1, 4, 5]);
        chunks[iz * mx..(iz + 1) * mx].par_iter_mut().enumerate().for_each(|(bb, (c0, c1))| {
            // rows of every d, filled one y₂ segment at a time
            let mut part = vec![0.0; my * dy * seg];
            let rows: Vec<(usize, usize)> = {
                let mut r = [0, 0];
                (0..my)
                    .map(|d| {
                        let p = ((l.pz[z] + l.pa[bb] + l.pc[d]) % 2) as usize;
                        r[p] += 1;
                        (p, r[p] - 1)
                    })
                    .collect()
            };
            for y2 in 0..dy {
                let src = &yb[(bb * dy + y2) * dy * seg..(bb * dy + y2 + 1) * dy * seg];
                // [(d, y₁′), (x₁′, x₂, k)] = Σ_y U_y[(d, y₁′), y] · [y, (x₁′, x₂, k)]
                gemm(uy, src, &mut part, my * dy, dy, seg);
                for (d, &(p, r)) in rows.iter().enumerate() {
                    let g = l.g_len(p);
                    let dst = if p == 0 { &mut **c0 } else { &mut **c1 };
                    l.compress_segment(&part[d * n..(d + 1) * n], y2, p, &mut dst[r * g..(r + 1) * g]);
                }
            }
        });
    }
    drop(chunks);
    b
}

/// The merge T′ = P Q slice block by slice block (see the module docs). `ux\[x₁,x₂,a\]`,
/// `uy\[y₁,y₂,c\]`; the P and Q blocks take at most `budget` bytes (at least one slice each).
fn merge(
    t: &ArrayD<f64>,
    parity: &[Vec<u8>; 3],
    (ux, pa): (&ArrayD<f64>, &[u8]),
    (uy, pc): (&ArrayD<f64>, &[u8]),
    budget: usize,
) -> ArrayD<f64> {
    let sh = t.shape();
    let (dx, dy, dz) = (sh[0], sh[2], sh[4]);
    let (mx, my) = (ux.shape()[2], uy.shape()[2]);
    let (px, py, pz) = (&parity[0][..], &parity[1][..], &parity[2][..]);
    // positions in C order of r = (ȳ, x̄, x₂, k): offsets with the C-order strides
    let rest = sector_offsets(&[(dy, dx * dx * dz, py), (dx, dx * dz, px), (dx, dz, px), (dz, 1, pz)]);
    let g_off = [0, 1].map(|p| {
        let mut acc = vec![0];
        for y in 0..dy {
            acc.push(acc[y] + rest[p ^ py[y] as usize].len());
        }
        acc
    });
    let l = Layout { dx, dy, dz, mx, my, py, pz, pa, pc, rest, g_off };
    let s1 = permute(t, &[4, 0, 1, 2, 3, 5]);
    let s2 = permute(t, &[5, 1, 2, 3, 0, 4]);
    let s1 = s1.as_slice().expect("standard");
    let s2 = s2.as_slice().expect("standard");
    // U_x as [(a, x₂), x] for P, [(b, x₁′), x₂′] for Q; U_y as [c, y₂, y] for P, [(d, y₁′), y₂′] for Q
    let ux_p = permute(ux, &[2, 1, 0]);
    let ux_q = permute(ux, &[2, 0, 1]);
    let uy_p = permute(uy, &[2, 1, 0]);
    let uy_q = permute(uy, &[2, 0, 1]);
    // T′[a,b,c,d,z−,z+]
    let ts = [mx * my * my * dz * dz, my * my * dz * dz, my * dz * dz, dz * dz, dz, 1];
    let mut out = vec![0.0; mx * mx * my * my * dz * dz];
    // one z slice of a P or Q block: mx·my rows of about half the g-row each with the Z₂
    // blocks, of the whole g-row without (every label 0: block 0 holds everything)
    let symmetric = [px, py, pz].iter().any(|p| p.contains(&1));
    let per_z = slice_len(mx * my * dy * l.rest_len(), symmetric) * 8;
    let (p_block, q_block) = blocks(per_z, dz, budget);
    let zs_all: Vec<usize> = (0..dz).collect();
    let mut spare: Option<[Vec<f64>; 2]> = None;
    let uq = (ux_q.as_slice().expect("std"), uy_q.as_slice().expect("std"));
    for zm in zs_all.chunks(p_block) {
        let pb =
            build_p(&l, s1, ux_p.as_slice().expect("std"), uy_p.as_slice().expect("std"), zm, &[ts[4], ts[0], ts[2]]);
        for zp in zs_all.chunks(q_block) {
            let qb = build_q(&l, s2, uq, zp, &[ts[5], ts[1], ts[3]], spare.take());
            for p in 0..2 {
                let (nr, nc, kg) = (pb.place[p].len(), qb.place[p].len(), l.g_len(p));
                if nr == 0 || nc == 0 || kg == 0 {
                    continue;
                }
                let mut prod = vec![0.0; nr * nc];
                let cm = MatRef::from_row_major_slice(&qb.data[p], nc, kg).transpose();
                gemm_rows_parallel(&pb.data[p], cm, &mut prod, nr, kg);
                for (row, &ro) in prod.chunks(nc).zip(&pb.place[p]) {
                    for (&v, &co) in row.iter().zip(&qb.place[p]) {
                        out[ro + co] = v;
                    }
                }
            }
            spare = Some(qb.data);
        }
    }
    ArrayD::from_shape_vec(IxDyn(&[mx, mx, my, my, dz, dz]), out).expect("shape")
}

/// The isometry for the doubled legs on side `side` (0: x−, 1: x+, 2: y−, 3: y+) of a z-pair,
/// from the environment G[(i,i′),(j,j′)] = Σ A\[i,k,j,l\] B\[i′,k,j′,l\] of the two one-tensor
/// halves, diagonalised per parity block. Returns (U\[i,i′,a\], parity of a, discarded fraction).
fn isometry(t: &ArrayD<f64>, par: &[u8], chi: usize, side: usize) -> (ArrayD<f64>, Vec<u8>, f64) {
    let rest: Vec<usize> = (0..4).filter(|&i| i != side).collect();
    let ax_a: Vec<usize> = rest.iter().copied().chain([4]).collect();
    let ax_b: Vec<usize> = rest.iter().copied().chain([5]).collect();
    let a = tensordot(t, &ax_a, t, &ax_a); // i,k,j,l
    let b = tensordot(t, &ax_b, t, &ax_b); // i',k,j',l
    let d = t.shape()[side];
    let g = tensordot(&a, &[1, 3], &b, &[1, 3]); // i,j,i',j'
    let g = permute(&g, &[0, 2, 1, 3]); // (i,i'),(j,j')
    let gs = g.as_slice().expect("standard");
    let n = d * d;
    let total: f64 = (0..n).map(|i| gs[i * n + i]).sum();
    // eigenpairs per parity block of (i, i')
    let mut pairs: Vec<(f64, u8, Vec<f64>)> = Vec::new();
    for p in 0..2u8 {
        let idx: Vec<usize> = (0..n).filter(|&x| (par[x / d] + par[x % d]) % 2 == p).collect();
        if idx.is_empty() {
            continue;
        }
        let m = Mat::from_fn(idx.len(), idx.len(), |r, c| 0.5 * (gs[idx[r] * n + idx[c]] + gs[idx[c] * n + idx[r]]));
        let (w, v) = eigh_desc(&m);
        for (col, &lam) in w.iter().enumerate() {
            let mut vec = vec![0.0; n];
            for (r, &x) in idx.iter().enumerate() {
                vec[x] = v[(r, col)];
            }
            pairs.push((lam.max(0.0), p, vec));
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
    let m = chi.min(n);
    let kept: f64 = pairs[..m].iter().map(|x| x.0).sum();
    let err = if total > 0.0 { ((total - kept) / total).max(0.0) } else { 0.0 };
    let u = ArrayD::from_shape_fn(IxDyn(&[d, d, m]), |ix| pairs[ix[2]].2[ix[0] * d + ix[1]]);
    (u, pairs[..m].iter().map(|x| x.1).collect(), err)
}

impl CoarseGraining for Hotrg3d {
    fn name(&self) -> &'static str {
        "hotrg"
    }

    fn initial(&self) -> (f64, f64) {
        (self.norm0, 1.0)
    }

    fn step(&mut self, trunc: &Truncation) -> StepInfo {
        let best = |s0: usize, s1: usize, par: &[u8]| {
            let a = isometry(&self.t, par, trunc.chi, s0);
            let b = isometry(&self.t, par, trunc.chi, s1);
            if a.2 <= b.2 {
                a
            } else {
                b
            }
        };
        let (ux, pa, ex) = best(0, 1, &self.parity[0]);
        let (uy, pc, ey) = best(2, 3, &self.parity[1]);
        let t = merge(&self.t, &self.parity, (&ux, &pa), (&uy, &pc), self.budget);
        // (x, y, z) ← (y, z, x)
        let mut t = permute(&t, &[2, 3, 4, 5, 0, 1]);
        let norm = t.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        t.mapv_inplace(|x| x / norm);
        self.t = t;
        self.parity = [pc, std::mem::take(&mut self.parity[2]), pa];
        StepInfo { norm, merged: 2.0, truncation_error: ex.max(ey) }
    }

    /// Σ T\[a,a,b,b,c,c\]: the tensor closed on itself in all three directions.
    fn trace(&self) -> f64 {
        let s = self.t.shape();
        let mut sum = 0.0;
        for a in 0..s[0] {
            for b in 0..s[2] {
                for c in 0..s[4] {
                    sum += self.t[[a, a, b, b, c, c].as_ref()];
                }
            }
        }
        sum
    }

    /// The two tensors the next step stacks along z, each closed on itself in x and y, closed
    /// along z: Σ M\[z,k\] M\[k,z\] with M\[z,k\] = Σ_{x,y} T\[x,x,y,y,z,k\].
    fn pair_trace(&self) -> Option<f64> {
        let s = self.t.shape();
        let dz = s[4];
        let mut m = vec![0.0; dz * dz];
        for (i, x) in m.iter_mut().enumerate() {
            for a in 0..s[0] {
                for b in 0..s[2] {
                    *x += self.t[[a, a, b, b, i / dz, i % dz].as_ref()];
                }
            }
        }
        Some((0..dz * dz).map(|i| m[i] * m[(i % dz) * dz + i / dz]).sum())
    }
}
