//! Matrix-product-state kernels shared by [`crate::dmrg`] and [`crate::vumps`].
//!
//! Layouts (all row-major, real):
//! - an MPS tensor A\[l, s, r\] (dims `dl, d, dr`), read as a (dl·d) × dr or a dl × (d·dr) matrix
//!   without copying;
//! - an environment is one matrix per MPO virtual state: left L_a\[l', l\] and right R_b\[r', r\],
//!   bra index first. Missing (`None`) blocks are zero.
//!
//! Every contraction is a GEMM (faer) plus a sparse pass over the MPO's non-zero blocks, so a
//! two-site effective Hamiltonian costs 2·w·d²·χ³ flops for w non-zero MPO states.

use crate::mpo::MpoSite;
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use onsager_linalg::{arnoldi_dominant, arnoldi_moduli};

/// An environment: one optional matrix per MPO virtual state (all n × n).
pub type Env = Vec<Option<Vec<f64>>>;

/// C = op(A) · op(B) for row-major A (ar × ac) and B (br × bc), with optional transposes;
/// `accumulate` adds to C.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    c: &mut [f64],
    a: &[f64],
    ar: usize,
    ac: usize,
    ta: bool,
    b: &[f64],
    br: usize,
    bc: usize,
    tb: bool,
    accumulate: bool,
) {
    let am = MatRef::from_row_major_slice(a, ar, ac);
    let bm = MatRef::from_row_major_slice(b, br, bc);
    let am = if ta { am.transpose() } else { am };
    let bm = if tb { bm.transpose() } else { bm };
    let (m, n) = (am.nrows(), bm.ncols());
    assert_eq!(am.ncols(), bm.nrows(), "inner dimensions");
    let accum = if accumulate { Accum::Add } else { Accum::Replace };
    matmul(MatMut::from_row_major_slice_mut(c, m, n), accum, am, bm, 1.0, Par::Seq);
}

/// Y_b\[pre, s', post\] = Σ_{a, s} W\[a, b, s', s\] X_a\[pre, s, post\] (or, with `backward`,
/// Y_a = Σ_b W\[a, b\] X_b): the MPO acting on one physical leg of a stack of tensors.
pub fn apply_w(xs: &[Option<Vec<f64>>], w: &MpoSite, pre: usize, post: usize, backward: bool) -> Vec<Option<Vec<f64>>> {
    let d = w.d;
    let nout = if backward { w.nl } else { w.nr };
    let mut ys: Vec<Option<Vec<f64>>> = vec![None; nout];
    for blk in &w.blocks {
        let (i, o) = if backward { (blk.b, blk.a) } else { (blk.a, blk.b) };
        let Some(x) = &xs[i] else { continue };
        let y = ys[o].get_or_insert_with(|| vec![0.0; pre * d * post]);
        for sp in 0..d {
            for s in 0..d {
                let c = blk.op[sp * d + s];
                if c == 0.0 {
                    continue;
                }
                for p in 0..pre {
                    let src = &x[(p * d + s) * post..(p * d + s + 1) * post];
                    let dst = &mut y[(p * d + sp) * post..(p * d + sp + 1) * post];
                    dst.iter_mut().zip(src).for_each(|(u, v)| *u += c * v);
                }
            }
        }
    }
    ys
}

/// Applies `f` to every present block of an environment (or stack of tensors).
fn each(blocks: &[Option<Vec<f64>>], f: impl Fn(&[f64]) -> Vec<f64>) -> Vec<Option<Vec<f64>>> {
    blocks.iter().map(|b| b.as_deref().map(&f)).collect()
}

/// L'_b = Σ_a Σ_{s',s} W\[a,b,s',s\] A_{s'}ᵀ L_a A_s: the left environment grown by one site.
/// `bra` is the conjugate (here: the same real) tensor of the upper layer.
pub fn grow_left(l: &Env, a: &[f64], bra: &[f64], w: &MpoSite, dl: usize, dr: usize) -> Env {
    let d = w.d;
    let xs = each(l, |la| {
        let mut x = vec![0.0; dl * d * dr];
        gemm(&mut x, la, dl, dl, false, a, dl, d * dr, false, false);
        x
    });
    each(&apply_w(&xs, w, dl, dr, false), |y| {
        let mut out = vec![0.0; dr * dr];
        gemm(&mut out, bra, dl * d, dr, true, y, dl * d, dr, false, false);
        out
    })
}

/// R'_a = Σ_b Σ_{s',s} W\[a,b,s',s\] B_{s'} R_b B_sᵀ: the right environment grown by one site.
pub fn grow_right(r: &Env, b: &[f64], bra: &[f64], w: &MpoSite, dl: usize, dr: usize) -> Env {
    let d = w.d;
    let xs = each(r, |rb| {
        let mut x = vec![0.0; dl * d * dr];
        gemm(&mut x, b, dl * d, dr, false, rb, dr, dr, true, false);
        x
    });
    each(&apply_w(&xs, w, dl, dr, true), |y| {
        let mut out = vec![0.0; dl * dl];
        gemm(&mut out, bra, dl, d * dr, false, y, dl, d * dr, true, false);
        out
    })
}

/// One-site effective operator: H(X)\[l', s', r'\] = Σ L_a\[l', l\] W\[a,b,s',s\] R_b\[r', r\] X\[l, s, r\].
pub fn apply_one_site(l: &Env, w: &MpoSite, r: &Env, x: &[f64], dl: usize, dr: usize) -> Vec<f64> {
    let d = w.d;
    let xs = each(l, |la| {
        let mut y = vec![0.0; dl * d * dr];
        gemm(&mut y, la, dl, dl, false, x, dl, d * dr, false, false);
        y
    });
    let mut out = vec![0.0; dl * d * dr];
    for (y, rb) in apply_w(&xs, w, dl, dr, false).iter().zip(r) {
        if let (Some(y), Some(rb)) = (y, rb) {
            gemm(&mut out, y, dl * d, dr, false, rb, dr, dr, true, true);
        }
    }
    out
}

/// Two-site effective operator on θ\[l, s₁, s₂, r\] with MPO tensors W₁, W₂.
#[allow(clippy::too_many_arguments)]
pub fn apply_two_site(l: &Env, w1: &MpoSite, w2: &MpoSite, r: &Env, x: &[f64], dl: usize, dr: usize) -> Vec<f64> {
    let d = w1.d;
    let xs = each(l, |la| {
        let mut y = vec![0.0; dl * d * d * dr];
        gemm(&mut y, la, dl, dl, false, x, dl, d * d * dr, false, false);
        y
    });
    let ys = apply_w(&xs, w1, dl, d * dr, false);
    let zs = apply_w(&ys, w2, dl * d, dr, false);
    let mut out = vec![0.0; dl * d * d * dr];
    for (z, rc) in zs.iter().zip(r) {
        if let (Some(z), Some(rc)) = (z, rc) {
            gemm(&mut out, z, dl * d * d, dr, false, rc, dr, dr, true, true);
        }
    }
    out
}

/// Zero-site (bond) effective operator: H(C) = Σ_a L_a C R_aᵀ.
pub fn apply_bond(l: &Env, r: &Env, c: &[f64], dl: usize, dr: usize) -> Vec<f64> {
    let mut out = vec![0.0; dl * dr];
    let mut tmp = vec![0.0; dl * dr];
    for (la, ra) in l.iter().zip(r) {
        if let (Some(la), Some(ra)) = (la, ra) {
            gemm(&mut tmp, la, dl, dl, false, c, dl, dr, false, false);
            gemm(&mut out, &tmp, dl, dr, false, ra, dr, dr, true, true);
        }
    }
    out
}

/// Flattens an environment with all blocks present into one vector (Krylov solvers).
pub fn flatten(env: &Env, n: usize) -> Vec<f64> {
    env.iter().flat_map(|x| x.clone().unwrap_or_else(|| vec![0.0; n * n])).collect()
}

/// The inverse of [`flatten`].
pub fn unflatten(v: &[f64], n: usize) -> Env {
    v.chunks(n * n).map(|c| Some(c.to_vec())).collect()
}

/// Von Neumann entropy −Σ p ln p of the Schmidt weights p = s² / Σ s².
pub fn entropy(s: &[f64]) -> f64 {
    let total: f64 = s.iter().map(|x| x * x).sum();
    // + 0.0 turns the −0.0 of a product state into 0.0
    -s.iter().map(|x| x * x / total).filter(|p| *p > 0.0).map(|p| p * p.ln()).sum::<f64>() + 0.0
}

/// A start vector with no special symmetry (a fixed point as start would make the Krylov space
/// invariant after one step and hide λ₂).
fn generic(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1.0 + ((i * 7919 + 17) % 97) as f64 / 97.0).collect()
}

/// ξ = −1/ln|λ₂/λ₁| of a transfer operator given by its left and right actions: the Perron pair
/// (λ₁, v_L, v_R) by Arnoldi, then the top modulus of the deflated operator
/// x ↦ x T − λ₁ (x·v_R)/(v_L·v_R) v_L. Deflation makes λ₂ the outermost eigenvalue, which Arnoldi
/// resolves even when |λ₂/λ₁| is 0.999 (without it, ξ at criticality scattered by a factor 2
/// between neighbouring χ).
pub fn correlation_length(
    left: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    right: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    n: usize,
) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let dl = arnoldi_dominant(left, &generic(n), 1e-13, 40, 100);
    let dr = arnoldi_dominant(right, &generic(n), 1e-13, 40, 100);
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let overlap = dot(&dl.vector, &dr.vector);
    let lam = dl.value;
    let mut deflated = |x: &[f64]| {
        let c = lam * dot(x, &dr.vector) / overlap;
        left(x).iter().zip(&dl.vector).map(|(y, v)| y - c * v).collect::<Vec<f64>>()
    };
    let start: Vec<f64> = (0..n).map(|i| ((i * 31 + 7) % 23) as f64 / 23.0 - 0.5).collect();
    let mu = arnoldi_moduli(&mut deflated, &start, 1, 150.min(n));
    match mu.first() {
        Some(&m) if m > 0.0 && m < lam.abs() => -1.0 / (m / lam.abs()).ln(),
        _ => 0.0,
    }
}
