//! Fisher information geometry of the bond couplings (shared/physics.md):
//!
//! g_ab = ∂_a∂_b lnZ,  T_abc = ∂_a∂_b∂_c lnZ,  v_c = T_abc g^ab,  A = v_a g^ab v_b,
//! B = T_abc T_def g^ad g^be g^cf,  R = ¼ (B − A)   (α = 0 connection; the sphere is positive,
//! the normal family N(μ, σ) has R = −1).
//!
//! On a torus at a translation-invariant point, g and T are diagonalised by Fourier transforms
//! over the site positions: with ĝ(k)_{γα} = Σ_r g_{(0,γ),(r,α)} e^{−ik·r} (a d × d Hermitian
//! matrix per momentum), Ĝ(k) = ĝ(k)^{-1} and T̂_{γαβ}(k₁,k₂) the transform of the slice with the
//! first bond at the origin,
//!
//! B = (1/N) Σ_{k₁,k₂} T̂_{γαβ}(k₁,k₂) conj T̂_{γ'α'β'}(k₁,k₂) Ĝ_{γγ'}(−k₁−k₂) Ĝ_{αα'}(k₁) Ĝ_{ββ'}(k₂),
//! v_γ = (1/N) Σ_k Ĝ_{αβ}(k) T̂_{γαβ}(k, −k),   A = N v_γ Ĝ_{γγ'}(0) v_{γ'},
//!
//! which costs O(d³N³) instead of the O(D⁴) of the dense contraction ([`curvature_dense`],
//! kept as the reference for tests and for non-uniform couplings).

use crate::fisher::CumulantSlices;
use num_complex::Complex64 as C;
use onsager_linalg::OrFail;
use onsager_models::Torus;

pub use crate::curvature::Curvature;

fn inverse_c(a: &[Vec<C>]) -> Vec<Vec<C>> {
    let n = a.len();
    let mut m: Vec<Vec<C>> = a.to_vec();
    let mut inv: Vec<Vec<C>> =
        (0..n).map(|i| (0..n).map(|j| if i == j { C::new(1.0, 0.0) } else { C::new(0.0, 0.0) }).collect()).collect();
    for col in 0..n {
        let p = (col..n).max_by(|&i, &j| m[i][col].norm().total_cmp(&m[j][col].norm())).expect("non-empty");
        m.swap(col, p);
        inv.swap(col, p);
        let piv = m[col][col];
        assert!(piv.norm() > 0.0, "the Fisher metric is singular at some momentum");
        for j in 0..n {
            m[col][j] /= piv;
            inv[col][j] /= piv;
        }
        for r in 0..n {
            if r != col {
                let f = m[r][col];
                for j in 0..n {
                    let (mc, ic) = (m[col][j], inv[col][j]);
                    m[r][j] -= f * mc;
                    inv[r][j] -= f * ic;
                }
            }
        }
    }
    inv
}

/// Eigenvalues of a d × d Hermitian matrix, via the real symmetric 2d × 2d embedding
/// [[Re, −Im], [Im, Re]] (each eigenvalue appears twice).
fn hermitian_eigenvalues(a: &[Vec<C>]) -> Vec<f64> {
    let n = a.len();
    let e = faer::Mat::from_fn(2 * n, 2 * n, |i, j| {
        let z = a[i % n][j % n];
        match (i < n, j < n) {
            (true, true) | (false, false) => z.re,
            (true, false) => -z.im,
            (false, true) => z.im,
        }
    });
    onsager_linalg::eigvalsh(e.as_ref()).or_fail("a 4 × 4 eigenproblem").into_iter().step_by(2).collect()
}

/// Momenta indexed like the sites of the torus (k_a = 2π n_a / L_a with n the site coordinates).
struct MomentumGrid<'a> {
    torus: &'a Torus,
    coords: Vec<Vec<usize>>,
}

impl<'a> MomentumGrid<'a> {
    fn new(torus: &'a Torus) -> Self {
        MomentumGrid { torus, coords: (0..torus.sites()).map(|s| torus.coords(s)).collect() }
    }
    /// Index of sa·k_a + sb·k_b (wrapped), e.g. −k₁−k₂ or −k.
    fn combine(&self, a: usize, b: usize, sa: i64, sb: i64) -> usize {
        let x: Vec<i64> =
            (0..self.coords[a].len()).map(|k| sa * self.coords[a][k] as i64 + sb * self.coords[b][k] as i64).collect();
        self.torus.site(&x)
    }
    /// e^{−i k·x} for momentum index k and site index x
    fn phase(&self, k: usize, x: usize) -> C {
        let dims = self.torus.dims();
        let ph: f64 = (0..dims.len())
            .map(|a| 2.0 * std::f64::consts::PI * (self.coords[k][a] * self.coords[x][a]) as f64 / dims[a] as f64)
            .sum();
        C::from_polar(1.0, -ph)
    }
}

/// R, A, B from translation-invariant slices (Fourier route, see the module docs).
pub fn curvature_from_slices(s: &CumulantSlices) -> Curvature {
    let t = &s.torus;
    let (d, n) = (t.d(), t.sites());
    let big_d = t.bonds();
    let grid = MomentumGrid::new(t);
    let f: Vec<C> = (0..n * n).map(|i| grid.phase(i / n, i % n)).collect(); // f[k·n + x]
                                                                            // ĝ(k) and its inverse
    let ghat: Vec<Vec<Vec<C>>> = (0..n)
        .map(|k| {
            (0..d).map(|c| (0..d).map(|a| (0..n).map(|x| f[k * n + x] * s.g[c][x * d + a]).sum()).collect()).collect()
        })
        .collect();
    let mut eig_min = f64::INFINITY;
    let mut eig_max = f64::NEG_INFINITY;
    for gk in &ghat {
        for e in hermitian_eigenvalues(gk) {
            eig_min = eig_min.min(e);
            eig_max = eig_max.max(e);
        }
    }
    let ginv: Vec<Vec<Vec<C>>> = ghat.iter().map(|gk| inverse_c(gk)).collect();
    // T̂[γ][(k1·d + α)·(n·d) + k2·d + β] by two matrix products with the DFT matrix
    let that: Vec<Vec<C>> = (0..d)
        .map(|c| {
            let tc = &s.t[c];
            // step 1: over x2
            let mut a1 = vec![C::new(0.0, 0.0); big_d * big_d];
            for i in 0..big_d {
                for k2 in 0..n {
                    for b in 0..d {
                        let mut acc = C::new(0.0, 0.0);
                        for x2 in 0..n {
                            acc += f[k2 * n + x2] * tc[i * big_d + x2 * d + b];
                        }
                        a1[i * big_d + k2 * d + b] = acc;
                    }
                }
            }
            // step 2: over x1
            let mut out = vec![C::new(0.0, 0.0); big_d * big_d];
            for k1 in 0..n {
                for a in 0..d {
                    for j in 0..big_d {
                        let mut acc = C::new(0.0, 0.0);
                        for x1 in 0..n {
                            acc += f[k1 * n + x1] * a1[(x1 * d + a) * big_d + j];
                        }
                        out[(k1 * d + a) * big_d + j] = acc;
                    }
                }
            }
            out
        })
        .collect();
    let th = |c: usize, k1: usize, a: usize, k2: usize, b: usize| that[c][(k1 * d + a) * big_d + k2 * d + b];
    // B
    let mut bsum = C::new(0.0, 0.0);
    for k1 in 0..n {
        for k2 in 0..n {
            let k0 = grid.combine(k1, k2, -1, -1);
            let (g0, g1, g2) = (&ginv[k0], &ginv[k1], &ginv[k2]);
            for c in 0..d {
                for a in 0..d {
                    for b in 0..d {
                        let x = th(c, k1, a, k2, b);
                        let mut y = C::new(0.0, 0.0);
                        for c2 in 0..d {
                            for a2 in 0..d {
                                for b2 in 0..d {
                                    y += g0[c][c2] * g1[a][a2] * g2[b][b2] * th(c2, k1, a2, k2, b2).conj();
                                }
                            }
                        }
                        bsum += x * y;
                    }
                }
            }
        }
    }
    let bval = bsum.re / n as f64;
    // A
    let v: Vec<C> = (0..d)
        .map(|c| {
            let mut acc = C::new(0.0, 0.0);
            for k in 0..n {
                let mk = grid.combine(k, k, -1, 0);
                for a in 0..d {
                    for b in 0..d {
                        acc += ginv[k][a][b] * th(c, k, a, mk, b);
                    }
                }
            }
            acc / n as f64
        })
        .collect();
    let mut asum = C::new(0.0, 0.0);
    for c in 0..d {
        for c2 in 0..d {
            asum += v[c] * ginv[0][c][c2] * v[c2];
        }
    }
    let aval = asum.re * n as f64;
    Curvature { r: 0.25 * (bval - aval), a: aval, b: bval, g_min_eig: eig_min, g_max_eig: eig_max }
}

/// R, A, B by dense contraction of the full g (D × D) and T (D × D × D), any couplings.
pub fn curvature_dense(big_d: usize, g: &[f64], t: &[f64]) -> Curvature {
    let gm = faer::Mat::from_fn(big_d, big_d, |i, j| g[i * big_d + j]);
    let (lam, u) = onsager_linalg::eigh(gm.as_ref()).or_fail("the metric eigendecomposition");
    let gi: Vec<f64> = (0..big_d * big_d)
        .map(|ij| {
            let (i, j) = (ij / big_d, ij % big_d);
            (0..big_d).map(|k| u[(i, k)] * u[(j, k)] / lam[k]).sum()
        })
        .collect();
    // T' = T contracted with g⁻¹ on each index in turn
    let contract = |x: &[f64], axis: usize| -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        for a in 0..big_d {
            for b in 0..big_d {
                for c in 0..big_d {
                    let mut acc = 0.0;
                    for e in 0..big_d {
                        let (src, w) = match axis {
                            0 => ((e * big_d + b) * big_d + c, gi[a * big_d + e]),
                            1 => ((a * big_d + e) * big_d + c, gi[b * big_d + e]),
                            _ => ((a * big_d + b) * big_d + e, gi[c * big_d + e]),
                        };
                        acc += w * x[src];
                    }
                    out[(a * big_d + b) * big_d + c] = acc;
                }
            }
        }
        out
    };
    let tu = contract(&contract(&contract(t, 0), 1), 2);
    let b: f64 = t.iter().zip(&tu).map(|(x, y)| x * y).sum();
    let v: Vec<f64> = (0..big_d)
        .map(|m| {
            (0..big_d)
                .flat_map(|i| (0..big_d).map(move |l| (i, l)))
                .map(|(i, l)| t[(i * big_d + l) * big_d + m] * gi[i * big_d + l])
                .sum()
        })
        .collect();
    let a: f64 =
        (0..big_d).flat_map(|i| (0..big_d).map(move |j| (i, j))).map(|(i, j)| v[i] * gi[i * big_d + j] * v[j]).sum();
    Curvature { r: 0.25 * (b - a), a, b, g_min_eig: lam[0], g_max_eig: lam[big_d - 1] }
}

/// The full g (D×D) and T (D×D×D) rebuilt from translation-invariant slices (small lattices).
pub fn expand_slices(s: &CumulantSlices) -> (Vec<f64>, Vec<f64>) {
    let t = &s.torus;
    let (d, big_d) = (t.d(), t.bonds());
    let shifted = |b: usize, origin: usize| -> usize {
        let xo = t.coords(origin / d);
        let x: Vec<i64> = t.coords(b / d).iter().zip(&xo).map(|(&a, &o)| a as i64 - o as i64).collect();
        t.site(&x) * d + b % d
    };
    let mut g = vec![0.0; big_d * big_d];
    let mut tt = vec![0.0; big_d * big_d * big_d];
    for a in 0..big_d {
        for b in 0..big_d {
            let bs = shifted(b, a);
            g[a * big_d + b] = s.g[a % d][bs];
            for c in 0..big_d {
                tt[(a * big_d + b) * big_d + c] = s.t[a % d][bs * big_d + shifted(c, a)];
            }
        }
    }
    (g, tt)
}
