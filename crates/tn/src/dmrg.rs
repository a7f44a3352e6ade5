//! Finite two-site DMRG with matrix-product operators built from couplings (White 1992;
//! Schollwöck, Ann. Phys. 326, 96 (2011), §6). First piece of the MPS/MPO engine (issue 6):
//! open chains, real Hamiltonians, Lanczos for the two-site problem, SVD truncation by χ and
//! by discarded weight.
//!
//! MPO convention (finite-state machine, lower triangular): W[a, b, s', s] with a the left and b
//! the right virtual index, s' the outgoing and s the incoming physical index; the chain is
//! H = ⟨start| W₁ W₂ ⋯ W_N |done⟩ with `start` the last state and `done` state 0.

use crate::contract::{permute, svd_truncated, tensordot};
use ndarray::{ArrayD, IxDyn};

/// A matrix-product operator: one W[a, b, s', s] per site.
#[derive(Debug, Clone)]
pub struct Mpo {
    /// the site tensors
    pub w: Vec<ArrayD<f64>>,
}

/// Builds W from a list of (left state, right state, operator) for a d-dimensional site.
fn fsm(states: usize, d: usize, entries: &[(usize, usize, Vec<f64>)]) -> ArrayD<f64> {
    let mut w = ArrayD::zeros(IxDyn(&[states, states, d, d]));
    for (a, b, op) in entries {
        for sp in 0..d {
            for s in 0..d {
                w[[*a, *b, sp, s].as_ref()] += op[sp * d + s];
            }
        }
    }
    w
}

fn identity(d: usize) -> Vec<f64> {
    (0..d * d).map(|i| if i / d == i % d { 1.0 } else { 0.0 }).collect()
}

fn scaled(op: &[f64], c: f64) -> Vec<f64> {
    op.iter().map(|x| c * x).collect()
}

impl Mpo {
    /// Transverse-field Ising chain H = −Σ Z_i Z_{i+1} − g Σ X_i (open, n sites).
    pub fn tfim(n: usize, g: f64) -> Self {
        let (z, x) = (vec![1.0, 0.0, 0.0, -1.0], vec![0.0, 1.0, 1.0, 0.0]);
        let w = fsm(
            3,
            2,
            &[
                (0, 0, identity(2)),
                (1, 0, z.clone()),
                (2, 0, scaled(&x, -g)),
                (2, 1, scaled(&z, -1.0)),
                (2, 2, identity(2)),
            ],
        );
        Mpo { w: vec![w; n] }
    }

    /// XXZ chain of spin S (2S + 1 states): H = Σ S^x S^x + S^y S^y + Δ S^z S^z (open, n sites).
    pub fn xxz(n: usize, two_s: usize, delta: f64) -> Self {
        let d = two_s + 1;
        let s = two_s as f64 / 2.0;
        let m = |i: usize| s - i as f64; // S^z eigenvalue of state i
        let mut sz = vec![0.0; d * d];
        let mut sp = vec![0.0; d * d]; // S⁺|m⟩ = √(s(s+1) − m(m+1)) |m+1⟩
        for i in 0..d {
            sz[i * d + i] = m(i);
            if i > 0 {
                sp[(i - 1) * d + i] = (s * (s + 1.0) - m(i) * (m(i) + 1.0)).sqrt();
            }
        }
        let sm: Vec<f64> = (0..d * d).map(|k| sp[(k % d) * d + k / d]).collect();
        let w = fsm(
            5,
            d,
            &[
                (0, 0, identity(d)),
                (1, 0, sm.clone()),
                (2, 0, sp.clone()),
                (3, 0, sz.clone()),
                (4, 1, scaled(&sp, 0.5)),
                (4, 2, scaled(&sm, 0.5)),
                (4, 3, scaled(&sz, delta)),
                (4, 4, identity(d)),
            ],
        );
        Mpo { w: vec![w; n] }
    }
}

/// Lowest eigenpair of a symmetric operator by Lanczos with full reorthogonalisation, restarted
/// from the current Ritz vector until the residual ‖Hv − λv‖ < tol.
fn lanczos_ground(apply: &dyn Fn(&[f64]) -> Vec<f64>, v0: &[f64], tol: f64) -> (f64, Vec<f64>) {
    let n = v0.len();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let mut start: Vec<f64> = v0.to_vec();
    let mut restarts = 0;
    loop {
        let nv = norm(&start);
        let mut basis: Vec<Vec<f64>> = vec![start.iter().map(|x| x / nv).collect()];
        let (mut alpha, mut beta) = (Vec::new(), Vec::new());
        let m = 40.min(n);
        for j in 0..m {
            let mut w = apply(&basis[j]);
            let a: f64 = w.iter().zip(&basis[j]).map(|(x, y)| x * y).sum();
            alpha.push(a);
            for _ in 0..2 {
                for b in &basis {
                    let c: f64 = w.iter().zip(b).map(|(x, y)| x * y).sum();
                    w.iter_mut().zip(b).for_each(|(x, y)| *x -= c * y);
                }
            }
            let bnorm = norm(&w);
            if j + 1 == m || bnorm < 1e-13 {
                break;
            }
            beta.push(bnorm);
            basis.push(w.iter().map(|x| x / bnorm).collect());
        }
        let k = alpha.len();
        let t = faer::Mat::from_fn(k, k, |i, j| {
            if i == j {
                alpha[i]
            } else if i + 1 == j || j + 1 == i {
                beta[i.min(j)]
            } else {
                0.0
            }
        });
        let (lam, u) = onsager_linalg::eigh(t.as_ref()).expect("tridiagonal eigenproblem converges");
        let mut v = vec![0.0; n];
        for (i, b) in basis.iter().enumerate() {
            v.iter_mut().zip(b).for_each(|(x, y)| *x += u[(i, 0)] * y);
        }
        let hv = apply(&v);
        let res = norm(&hv.iter().zip(&v).map(|(h, x)| h - lam[0] * x).collect::<Vec<_>>());
        restarts += 1;
        // converged, or the Krylov space was exhausted (exact), or the restart budget is spent
        if res < tol || k < 40 || restarts == 20 {
            return (lam[0], v);
        }
        start = v;
    }
}

/// Result of [`dmrg`].
#[derive(Debug, Clone)]
pub struct DmrgResult {
    /// ground-state energy
    pub energy: f64,
    /// energy after each sweep (left → right → left counts as two)
    pub sweep_energies: Vec<f64>,
    /// largest discarded weight of the last sweep
    pub truncation_error: f64,
    /// entanglement entropy S = −Σ s² ln s² at each bond after the last sweep
    pub entropy: Vec<f64>,
}

/// Two-site DMRG for the ground state of `h` (d states per site): at most `chi` states per
/// bond, at most `max_sweeps` half-sweeps, stopping when the energy changes by less than `tol`.
pub fn dmrg(h: &Mpo, chi: usize, max_sweeps: usize, tol: f64) -> DmrgResult {
    let n = h.w.len();
    let d = h.w[0].shape()[2];
    let nw = h.w[0].shape()[0];
    // product start state (alternating to cover both magnetisation sectors of XXZ)
    let mut mps: Vec<ArrayD<f64>> = (0..n)
        .map(|i| {
            let mut a = ArrayD::zeros(IxDyn(&[1, d, 1]));
            for s in 0..d {
                a[[0, s, 0].as_ref()] = if s == (i % 2) * (d - 1) { 1.0 } else { 0.1 };
            }
            let nrm = a.iter().map(|x| x * x).sum::<f64>().sqrt();
            a.mapv(|x| x / nrm)
        })
        .collect();
    let mut left_edge = ArrayD::zeros(IxDyn(&[1, nw, 1]));
    left_edge[[0, nw - 1, 0].as_ref()] = 1.0;
    let mut right_edge = ArrayD::zeros(IxDyn(&[1, nw, 1]));
    right_edge[[0, 0, 0].as_ref()] = 1.0;
    let grow_left = |l: &ArrayD<f64>, a: &ArrayD<f64>, w: &ArrayD<f64>| {
        let y = tensordot(l, &[2], a, &[0]); // a', w1, s, a2
        let y = tensordot(&y, &[1, 2], w, &[0, 3]); // a', a2, w2, s'
        let y = tensordot(&y, &[0, 3], a, &[0, 1]); // a2, w2, a''
        permute(&y, &[2, 1, 0])
    };
    let grow_right = |r: &ArrayD<f64>, b: &ArrayD<f64>, w: &ArrayD<f64>| {
        let y = tensordot(b, &[2], r, &[2]); // b, s, c', w2
        let y = tensordot(&y, &[1, 3], w, &[3, 1]); // b, c', w1, s'
        let y = tensordot(&y, &[1, 3], b, &[2, 1]); // b, w1, b'
        permute(&y, &[2, 1, 0])
    };
    // right environments of the start state: renv[i] closes sites i.. n−1
    let mut renv: Vec<ArrayD<f64>> = vec![right_edge.clone(); n + 1];
    for i in (0..n).rev() {
        renv[i] = grow_right(&renv[i + 1], &mps[i], &h.w[i]);
    }
    let mut lenv: Vec<ArrayD<f64>> = vec![left_edge.clone(); n + 1];
    let mut energies = Vec::new();
    let (mut err_max, mut entropy) = (0.0f64, vec![0.0; n.saturating_sub(1)]);
    for sweep in 0..max_sweeps {
        let right = sweep % 2 == 0;
        err_max = 0.0;
        let mut e = 0.0;
        let order: Vec<usize> = if right { (0..n - 1).collect() } else { (0..n - 1).rev().collect() };
        for i in order {
            let theta = tensordot(&mps[i], &[2], &mps[i + 1], &[0]); // l, s1, s2, r
            let shape = theta.shape().to_vec();
            let (le, re, w1, w2) = (&lenv[i], &renv[i + 2], &h.w[i], &h.w[i + 1]);
            let apply = |v: &[f64]| -> Vec<f64> {
                let th = ArrayD::from_shape_vec(IxDyn(&shape), v.to_vec()).expect("shape");
                let x = tensordot(le, &[2], &th, &[0]); // a', w1, s1, s2, b
                let x = tensordot(&x, &[1, 2], w1, &[0, 3]); // a', s2, b, w2, s1'
                let x = tensordot(&x, &[3, 1], w2, &[0, 3]); // a', b, s1', w3, s2'
                let x = tensordot(&x, &[3, 1], re, &[1, 2]); // a', s1', s2', b'
                x.as_standard_layout().iter().copied().collect()
            };
            let v0: Vec<f64> = theta.as_standard_layout().iter().copied().collect();
            let (lam, v) = lanczos_ground(&apply, &v0, 1e-10);
            e = lam;
            let (m, k) = (shape[0] * shape[1], shape[2] * shape[3]);
            let (u, s, vt, err) = svd_truncated(&v, m, k, chi, 1e-14);
            err_max = err_max.max(err);
            let kk = s.len();
            let snorm = s.iter().map(|x| x * x).sum::<f64>().sqrt();
            entropy[i] = -s.iter().map(|x| (x / snorm).powi(2)).filter(|p| *p > 0.0).map(|p| p * p.ln()).sum::<f64>();
            if right {
                mps[i] =
                    ArrayD::from_shape_fn(IxDyn(&[shape[0], shape[1], kk]), |ix| u[(ix[0] * shape[1] + ix[1], ix[2])]);
                mps[i + 1] = ArrayD::from_shape_fn(IxDyn(&[kk, shape[2], shape[3]]), |ix| {
                    s[ix[0]] / snorm * vt[(ix[0], ix[1] * shape[3] + ix[2])]
                });
                lenv[i + 1] = grow_left(&lenv[i], &mps[i], &h.w[i]);
            } else {
                mps[i] = ArrayD::from_shape_fn(IxDyn(&[shape[0], shape[1], kk]), |ix| {
                    u[(ix[0] * shape[1] + ix[1], ix[2])] * s[ix[2]] / snorm
                });
                mps[i + 1] =
                    ArrayD::from_shape_fn(IxDyn(&[kk, shape[2], shape[3]]), |ix| vt[(ix[0], ix[1] * shape[3] + ix[2])]);
                renv[i + 1] = grow_right(&renv[i + 2], &mps[i + 1], &h.w[i + 1]);
            }
        }
        energies.push(e);
        let k = energies.len();
        if k >= 3 && (energies[k - 1] - energies[k - 2]).abs() < tol && (energies[k - 2] - energies[k - 3]).abs() < tol
        {
            break;
        }
    }
    DmrgResult {
        energy: *energies.last().expect("at least one sweep"),
        sweep_energies: energies,
        truncation_error: err_max,
        entropy,
    }
}

/// Exact ground-state energy of the open TFIM chain H = −Σ Z Z − g Σ X (free fermions):
/// E₀ = −½ Σ_k Λ_k with Λ_k the singular values of the N × N bidiagonal matrix C, C_ii = 2g,
/// C_{i,i+1} = 2 (Pfeuty, Ann. Phys. 57, 79 (1970)).
pub fn tfim_exact_energy(n: usize, g: f64) -> f64 {
    let c = faer::Mat::from_fn(n, n, |i, j| {
        if i == j {
            2.0 * g
        } else if j == i + 1 {
            2.0
        } else {
            0.0
        }
    });
    let ctc = c.transpose() * &c;
    let lam = onsager_linalg::eigvalsh(ctc.as_ref()).expect("symmetric eigenproblem converges");
    -0.5 * lam.iter().map(|x| x.max(0.0).sqrt()).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfim_ground_state_equals_free_fermions() {
        // Pfeuty's free-fermion energy of the open chain; N = 24 at g = 1 (critical) and 0.5
        for &g in &[1.0, 0.5, 1.5] {
            let r = dmrg(&Mpo::tfim(24, g), 32, 20, 1e-12);
            let exact = tfim_exact_energy(24, g);
            assert!((r.energy - exact).abs() < 1e-9 * exact.abs(), "g = {g}: {} vs {exact}", r.energy);
        }
    }

    /// Issue 6's target (about a minute on 2 cores): run with
    /// `cargo test --release -p onsager-tn --lib -- --ignored tfim_100_sites`
    #[test]
    #[ignore]
    fn tfim_100_sites_chi_64() {
        // Pfeuty's free-fermion energy, N = 100, g = 1, χ = 64: ≤ 1e-9 relative
        let r = dmrg(&Mpo::tfim(100, 1.0), 64, 20, 1e-12);
        let exact = tfim_exact_energy(100, 1.0);
        assert!((r.energy - exact).abs() < 1e-9 * exact.abs(), "{} vs {exact}", r.energy);
    }

    #[test]
    fn small_heisenberg_chain_equals_exact_diagonalisation() {
        // dense H of the open 8-site spin-½ chain from the same MPO contracted fully, then
        // faer's symmetric eigensolver: an independent route to E₀
        let n = 8;
        let h = Mpo::xxz(n, 1, 1.0);
        let dim = 1usize << n;
        let mut full = faer::Mat::<f64>::zeros(dim, dim);
        for col in 0..dim {
            // apply H to basis state `col` through the MPO (sum over FSM paths)
            let mut vec: Vec<(usize, usize, f64)> = vec![(4, 0, 1.0)]; // (mpo state, out bits, amplitude)
            for site in 0..n {
                let s_in = (col >> (n - 1 - site)) & 1;
                let mut next = Vec::new();
                for &(a, out, amp) in &vec {
                    for b in 0..5 {
                        for sp in 0..2 {
                            let w = h.w[site][[a, b, sp, s_in].as_ref()];
                            if w != 0.0 {
                                next.push((b, out * 2 + sp, amp * w));
                            }
                        }
                    }
                }
                vec = next;
            }
            for (b, out, amp) in vec {
                if b == 0 {
                    full[(out, col)] += amp;
                }
            }
        }
        let ed = onsager_linalg::eigvalsh(full.as_ref()).unwrap()[0];
        let r = dmrg(&h, 32, 20, 1e-12);
        assert!((r.energy - ed).abs() < 1e-10, "{} vs {ed}", r.energy);
    }
}
