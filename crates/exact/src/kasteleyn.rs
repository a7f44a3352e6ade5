//! The 2D Ising torus as free fermions: four Pfaffian sectors (Kasteleyn 1963; Fisher 1966;
//! McCoy & Wu, *The Two-Dimensional Ising Model*, ch. V).
//!
//! High-temperature expansion: with t_b = tanh K_b,
//! Z = 2^N Π_b cosh K_b · Z_even,  Z_even = Σ_{even subgraphs G} Π_{b∈G} t_b.
//!
//! Construction used here (4 Grassmann nodes per site, R = 0, U = 1, L = 2, D = 3, nodes ordered
//! site-major): every pair of nodes of one site is joined with weight +1 (p < q), the x bond
//! from site r to r + x̂ joins R(r)–L(r + x̂) with weight t_x, the y bond joins U(r)–D(r + ŷ)
//! with t_y. A bond crossing the boundary in an antiperiodic direction gets weight −t. With
//! A_s the resulting 4N × 4N antisymmetric matrix of sector s = (x periodic?, y periodic?),
//!
//! Z_even = −½ Pf A_pp + ½ Pf A_pa + ½ Pf A_ap + ½ Pf A_aa,
//!
//! for every L_x, L_y ≥ 2 of either parity (derived by fitting the four coefficients to the exact
//! even-subgraph sum at random non-uniform couplings on 2×2 … 5×5 tori, and checked in the tests
//! here against enumeration and in crates/transfer against the exact transfer matrix).
//!
//! Each Pf A_s is multilinear in the t_b (each bond sits in one entry pair), which is what makes
//! every moment of the bond variables an exact Pfaffian minor of A_s⁻¹ (see
//! `onsager_transfer::free_fermion`).
//!
//! At uniform couplings A_s is block-circulant: with
//! A_{(r,α),(r',β)} = (1/N) Σ_k e^{ik·(r−r')} Â(k)_{αβ}, k_a = 2π(n_a + θ_a)/L_a (θ = 0 periodic,
//! ½ antiperiodic), the 4 × 4 anti-Hermitian Bloch block is Â(k) = local + t_x(e^{ik_x} E_RL −
//! e^{−ik_x} E_LR) + t_y(e^{ik_y} E_UD − e^{−ik_y} E_DU) and
//!
//! Pf A_s = Π_{pairs {k, −k}} det Â(k) · Π_{k ≡ −k} Pf Â(k)
//!
//! (det Â(k) is real for an anti-Hermitian 4 × 4 block; the overall sign is +1 for this node
//! order, checked against dense Pfaffians). In the periodic–periodic sector at k = 0,
//! Pf Â(0) = 1 − (1 + t_x)(1 + t_y) + 1 vanishes exactly at the critical point
//! (t_x = t_y = √2 − 1): Z_pp = 0 there and its two-dimensional kernel is handled by
//! [`Propagator`]'s completion.

use nalgebra::{Matrix4, Vector4};
use num_complex::Complex64 as C;

/// Grassmann node of a site: right, up, left, down.
pub const NODE_R: usize = 0;
/// up node
pub const NODE_U: usize = 1;
/// left node
pub const NODE_L: usize = 2;
/// down node
pub const NODE_D: usize = 3;

/// A boundary-condition sector of the fermions (not of the spins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sector {
    /// periodic fermions along x
    pub periodic_x: bool,
    /// periodic fermions along y
    pub periodic_y: bool,
}

impl Sector {
    /// pp, pa, ap, aa (first letter: x).
    pub const ALL: [Sector; 4] = [
        Sector { periodic_x: true, periodic_y: true },
        Sector { periodic_x: true, periodic_y: false },
        Sector { periodic_x: false, periodic_y: true },
        Sector { periodic_x: false, periodic_y: false },
    ];

    /// Coefficient c_s in Z_even = Σ_s c_s Pf A_s.
    pub fn coefficient(self) -> f64 {
        if self.periodic_x && self.periodic_y {
            -0.5
        } else {
            0.5
        }
    }

    /// (θ_x, θ_y) = ±1: the propagator picks up θ_a when a node moves by L_a along axis a.
    pub fn twist(self) -> (f64, f64) {
        (if self.periodic_x { 1.0 } else { -1.0 }, if self.periodic_y { 1.0 } else { -1.0 })
    }

    /// k_a = 2π(n + θ)/L.
    pub fn momentum(self, n: usize, l: usize, axis: usize) -> f64 {
        let periodic = if axis == 0 { self.periodic_x } else { self.periodic_y };
        let shift = if periodic { 0.0 } else { 0.5 };
        2.0 * std::f64::consts::PI * (n as f64 + shift) / l as f64
    }

    /// index of −k_n along an axis
    fn minus(self, n: usize, l: usize, axis: usize) -> usize {
        let periodic = if axis == 0 { self.periodic_x } else { self.periodic_y };
        let shift = usize::from(!periodic);
        (2 * l - n - shift) % l
    }

    /// "pp", "pa", "ap", "aa"
    pub fn label(self) -> &'static str {
        match (self.periodic_x, self.periodic_y) {
            (true, true) => "pp",
            (true, false) => "pa",
            (false, true) => "ap",
            (false, false) => "aa",
        }
    }
}

/// Pfaffian of a 4 × 4 antisymmetric matrix.
pub fn pf4<
    T: nalgebra::Scalar + Copy + std::ops::Mul<Output = T> + std::ops::Sub<Output = T> + std::ops::Add<Output = T>,
>(
    a: &Matrix4<T>,
) -> T {
    a[(0, 1)] * a[(2, 3)] - a[(0, 2)] * a[(1, 3)] + a[(0, 3)] * a[(1, 2)]
}

/// The Bloch block Â(k) at uniform couplings t_x, t_y (see the module docs).
pub fn bloch(kx: f64, ky: f64, tx: f64, ty: f64) -> Matrix4<C> {
    let mut a = Matrix4::from_fn(|p, q| match p.cmp(&q) {
        std::cmp::Ordering::Less => C::new(1.0, 0.0),
        std::cmp::Ordering::Greater => C::new(-1.0, 0.0),
        std::cmp::Ordering::Equal => C::new(0.0, 0.0),
    });
    a[(NODE_R, NODE_L)] += tx * C::from_polar(1.0, kx);
    a[(NODE_L, NODE_R)] -= tx * C::from_polar(1.0, -kx);
    a[(NODE_U, NODE_D)] += ty * C::from_polar(1.0, ky);
    a[(NODE_D, NODE_U)] -= ty * C::from_polar(1.0, -ky);
    a
}

/// Visits each momentum pair {k, −k} once: `f(nx, ny, self_conjugate)`.
fn for_each_pair(s: Sector, lx: usize, ly: usize, mut f: impl FnMut(usize, usize, bool)) {
    for ny in 0..ly {
        for nx in 0..lx {
            let (mx, my) = (s.minus(nx, lx, 0), s.minus(ny, ly, 1));
            let (me, partner) = (ny * lx + nx, my * lx + mx);
            if me <= partner {
                f(nx, ny, me == partner);
            }
        }
    }
}

/// (sign, ln|Pf A_s|) at uniform couplings from the Bloch blocks; `replace_k0` substitutes the
/// block at k = 0 (used for the completed periodic–periodic sector).
pub fn ln_pfaffian(s: Sector, lx: usize, ly: usize, tx: f64, ty: f64, replace_k0: Option<f64>) -> (f64, f64) {
    // ln Pf is a sum of N/2 logarithms of order one that reaches ~N: a plain sum would leave an
    // absolute error ~N ε in it, i.e. a relative error N ε in the sector weights e^{ln Pf_s − ln Z},
    // which the sector-mean terms of the cumulants multiply by N again (R of the ordered 96 × 96
    // torus was off by 2e-10). Neumaier's compensated sum leaves only the terms' own rounding.
    let (mut sign, mut ln, mut carry) = (1.0, 0.0f64, 0.0f64);
    for_each_pair(s, lx, ly, |nx, ny, sc| {
        let a = bloch(s.momentum(nx, lx, 0), s.momentum(ny, ly, 1), tx, ty);
        let v = match (sc, replace_k0) {
            (true, Some(p)) if nx == 0 && ny == 0 && s.periodic_x && s.periodic_y => p,
            (true, _) => pf4(&a).re,
            (false, _) => a.determinant().re,
        };
        sign *= v.signum();
        let x = v.abs().ln();
        let t = ln + x;
        carry += if ln.abs() >= x.abs() { (ln - t) + x } else { (x - t) + ln };
        ln = t;
    });
    (sign, ln + carry)
}

/// ln Z_even = ln Σ_s c_s Pf A_s at uniform couplings (log-sign sums; no overflow).
pub fn ln_z_even(lx: usize, ly: usize, tx: f64, ty: f64) -> f64 {
    let terms: Vec<(f64, f64)> = Sector::ALL
        .iter()
        .map(|&s| {
            let (sg, l) = ln_pfaffian(s, lx, ly, tx, ty, None);
            (sg * s.coefficient().signum(), l + s.coefficient().abs().ln())
        })
        .collect();
    let (sign, l) = crate::signed_log_sum(&terms);
    assert!(sign > 0.0, "Z_even must be positive");
    l
}

/// ln Z of the Ising torus with couplings K_x, K_y (> 0, h = 0) from the four Pfaffians:
/// ln Z = N ln 2 + N (ln cosh K_x + ln cosh K_y) + ln Z_even.
pub fn ln_z_free_fermion(lx: usize, ly: usize, kx: f64, ky: f64) -> f64 {
    let n = (lx * ly) as f64;
    n * (2f64.ln() + kx.cosh().ln() + ky.cosh().ln()) + ln_z_even(lx, ly, kx.tanh(), ky.tanh())
}

/// The dense 4N × 4N matrix A_s (row-major) for arbitrary bond weights: `tx[site]` for the
/// bond from site to site + x̂, `ty[site]` likewise; site = y·L_x + x. For tests.
pub fn kasteleyn_dense(s: Sector, lx: usize, ly: usize, tx: &[f64], ty: &[f64]) -> Vec<f64> {
    let n = 4 * lx * ly;
    let mut a = vec![0.0; n * n];
    let mut put = |p: usize, q: usize, v: f64| {
        a[p * n + q] += v;
        a[q * n + p] -= v;
    };
    let (thx, thy) = s.twist();
    for y in 0..ly {
        for x in 0..lx {
            let site = y * lx + x;
            for p in 0..4 {
                for q in p + 1..4 {
                    put(4 * site + p, 4 * site + q, 1.0);
                }
            }
            let right = y * lx + (x + 1) % lx;
            put(4 * site + NODE_R, 4 * right + NODE_L, tx[site] * if x + 1 == lx { thx } else { 1.0 });
            let up = ((y + 1) % ly) * lx + x;
            put(4 * site + NODE_U, 4 * up + NODE_D, ty[site] * if y + 1 == ly { thy } else { 1.0 });
        }
    }
    a
}

/// Pfaffian of a dense antisymmetric n × n matrix (row-major) by Parlett–Reid elimination with
/// partial pivoting (O(n³)). For tests and small lattices.
pub fn pfaffian(mut a: Vec<f64>, n: usize) -> f64 {
    if n % 2 == 1 {
        return 0.0;
    }
    let mut res = 1.0;
    let mut k = 0;
    while k + 1 < n {
        let piv = (k + 1..n).max_by(|&i, &j| a[k * n + i].abs().total_cmp(&a[k * n + j].abs())).expect("k + 1 < n");
        if piv != k + 1 {
            for c in 0..n {
                a.swap((k + 1) * n + c, piv * n + c);
            }
            for r in 0..n {
                a.swap(r * n + k + 1, r * n + piv);
            }
            res = -res;
        }
        let p = a[k * n + k + 1];
        if p == 0.0 {
            return 0.0;
        }
        res *= p;
        for i in k + 2..n {
            let tau_i = a[k * n + i] / p;
            for j in k + 2..n {
                let tau_j = a[k * n + j] / p;
                a[i * n + j] += tau_i * a[j * n + k + 1] - a[i * n + k + 1] * tau_j;
            }
        }
        k += 2;
    }
    res
}

/// Translation-invariant propagator of one sector at uniform couplings,
/// G(Δ)_{αβ} = (A_s⁻¹)_{(r+Δ,α),(r,β)} = (1/N) Σ_k e^{ik·Δ} Â(k)⁻¹_{αβ}, tabulated for
/// Δ ∈ [0, L_x) × [0, L_y) and continued by G(Δ + L_a â) = θ_a G(Δ).
///
/// Completion (periodic–periodic sector only, where Pf Â(0) → 0 at K_c): the block at k = 0 is
/// replaced by Â'(0) = Â(0) + v₁v₂ᵀ − v₂v₁ᵀ, with v₁, v₂ spanning the invariant plane of the
/// smaller singular value of Â(0). Then A' = A + φ₁φ₂ᵀ − φ₂φ₁ᵀ (φ_i = v_i/√N, constant in space)
/// is invertible at every coupling, Pf A = r₀ Pf A' with r₀ = Pf Â(0)/Pf Â'(0), and every
/// Pfaffian minor of A follows from A'⁻¹ and the vectors f_i = A'⁻¹φ_i (see
/// `onsager_transfer::free_fermion`). The table then holds A'⁻¹.
#[derive(Debug, Clone)]
pub struct Propagator {
    /// the sector
    pub sector: Sector,
    /// L_x, L_y
    pub dims: (usize, usize),
    /// G(Δ) as 16 numbers (α·4 + β) per Δ, index Δ_y·L_x + Δ_x
    table: Vec<[f64; 16]>,
    /// completion data: (f₁, f₂ per node kind, r₀, x = v₂ᵀ Â'(0)⁻¹ v₁)
    pub completion: Option<Completion>,
    /// sign and ln|Pf A'_s| (equals Pf A_s without completion)
    pub ln_pf: (f64, f64),
}

/// See [`Propagator`].
#[derive(Debug, Clone, Copy)]
pub struct Completion {
    /// f₁(α) = (Â'(0)⁻¹ v₁)_α / √N, the same on every site
    pub f1: [f64; 4],
    /// f₂(α) likewise
    pub f2: [f64; 4],
    /// r₀ = Pf A / Pf A' = Pf Â(0)/Pf Â'(0)
    pub r0: f64,
    /// x = φ₂ᵀ A'⁻¹ φ₁ (equals 1 − r₀ exactly; kept as a check)
    pub x: f64,
}

impl Propagator {
    /// Builds the table (O(16 L_x L_y (L_x + L_y)) work). `complete` applies the k = 0 completion
    /// (only meaningful in the periodic–periodic sector).
    pub fn new(sector: Sector, lx: usize, ly: usize, tx: f64, ty: f64, complete: bool) -> Self {
        let complete = complete && sector.periodic_x && sector.periodic_y;
        let n = (lx * ly) as f64;
        let mut completion = None;
        let mut k0_block = None;
        if complete {
            let a0: Matrix4<f64> = bloch(0.0, 0.0, tx, ty).map(|z| z.re);
            let eig = nalgebra::SymmetricEigen::new(a0.transpose() * a0);
            let mut idx = [0usize, 1, 2, 3];
            idx.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
            let u: Vector4<f64> = eig.eigenvectors.column(idx[0]).into();
            let mut w: Vector4<f64> = eig.eigenvectors.column(idx[1]).into();
            // the two smallest eigenvalues of AᵀA belong to one invariant plane of A
            w -= u * u.dot(&w);
            w /= w.norm();
            let c = u.dot(&(a0 * w));
            let s = eig.eigenvalues[idx[3]].max(0.0).sqrt().max(1.0) * if c < 0.0 { -1.0 } else { 1.0 };
            let v1 = u * s;
            let v2 = w;
            let ap = a0 + v1 * v2.transpose() - v2 * v1.transpose();
            let gp = ap.try_inverse().expect("the completed k = 0 block is invertible");
            let g1 = gp * v1 / n.sqrt();
            let g2 = gp * v2 / n.sqrt();
            let r0 = pf4(&a0) / pf4(&ap);
            let x = v2.dot(&(gp * v1));
            completion = Some(Completion { f1: [g1[0], g1[1], g1[2], g1[3]], f2: [g2[0], g2[1], g2[2], g2[3]], r0, x });
            k0_block = Some((pf4(&ap), gp.map(|v| C::new(v, 0.0))));
        }
        let ln_pf = ln_pfaffian(sector, lx, ly, tx, ty, k0_block.as_ref().map(|b| b.0));
        // Ĝ(k) for all k
        let mut ghat = vec![Matrix4::<C>::zeros(); lx * ly];
        for ny in 0..ly {
            for nx in 0..lx {
                ghat[ny * lx + nx] = match (&k0_block, nx == 0 && ny == 0) {
                    (Some((_, g)), true) => *g,
                    _ => bloch(sector.momentum(nx, lx, 0), sector.momentum(ny, ly, 1), tx, ty)
                        .try_inverse()
                        .expect("a Bloch block of a regular sector is invertible"),
                };
            }
        }
        // separable inverse transform: over k_x, then k_y
        let ex: Vec<C> =
            (0..lx * lx).map(|i| C::from_polar(1.0, sector.momentum(i / lx, lx, 0) * (i % lx) as f64)).collect(); // e^{i k_x(n) Δx}, index n·L_x + Δx
        let ey: Vec<C> =
            (0..ly * ly).map(|i| C::from_polar(1.0, sector.momentum(i / ly, ly, 1) * (i % ly) as f64)).collect();
        let mut table = vec![[0.0; 16]; lx * ly];
        let mut h = vec![C::new(0.0, 0.0); lx * ly];
        for ab in 0..16 {
            let (al, be) = (ab / 4, ab % 4);
            for ny in 0..ly {
                for dx in 0..lx {
                    h[ny * lx + dx] = (0..lx).map(|nx| ex[nx * lx + dx] * ghat[ny * lx + nx][(al, be)]).sum();
                }
            }
            for dy in 0..ly {
                for dx in 0..lx {
                    let v: C = (0..ly).map(|ny| ey[ny * ly + dy] * h[ny * lx + dx]).sum();
                    table[dy * lx + dx][ab] = v.re / n;
                }
            }
        }
        Propagator { sector, dims: (lx, ly), table, completion, ln_pf }
    }

    /// G(Δ)_{αβ} for any integer displacement (continued with the twist).
    #[inline]
    pub fn get(&self, dx: i64, dy: i64, al: usize, be: usize) -> f64 {
        let (lx, ly) = (self.dims.0 as i64, self.dims.1 as i64);
        let (qx, rx) = (dx.div_euclid(lx), dx.rem_euclid(lx));
        let (qy, ry) = (dy.div_euclid(ly), dy.rem_euclid(ly));
        let (thx, thy) = self.sector.twist();
        let sign = if qx % 2 != 0 { thx } else { 1.0 } * if qy % 2 != 0 { thy } else { 1.0 };
        sign * self.table[(ry * lx + rx) as usize][al * 4 + be]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Σ_σ Π_b (1 + t_b s_b) / 2^N by brute force (same site and bond layout as kasteleyn_dense).
    fn z_even_brute(lx: usize, ly: usize, tx: &[f64], ty: &[f64]) -> f64 {
        let n = lx * ly;
        let mut tot = 0.0;
        for c in 0u64..1 << n {
            let s = |site: usize| if c >> site & 1 == 1 { 1.0 } else { -1.0 };
            let mut w = 1.0;
            for y in 0..ly {
                for x in 0..lx {
                    let i = y * lx + x;
                    w *= 1.0 + tx[i] * s(i) * s(y * lx + (x + 1) % lx);
                    w *= 1.0 + ty[i] * s(i) * s(((y + 1) % ly) * lx + x);
                }
            }
            tot += w;
        }
        tot / (1u64 << n) as f64
    }

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn four_pfaffians_give_the_even_subgraph_sum_at_random_couplings() {
        // brute-force even-subgraph sum: the defining identity of the sector coefficients
        let mut seed = 7;
        for &(lx, ly) in &[(2, 2), (3, 3), (4, 4), (3, 4), (4, 3), (5, 3), (2, 5)] {
            let n = lx * ly;
            let tx: Vec<f64> = (0..n).map(|_| 0.1 + 0.8 * lcg(&mut seed)).collect();
            let ty: Vec<f64> = (0..n).map(|_| 0.1 + 0.8 * lcg(&mut seed)).collect();
            let z: f64 = Sector::ALL
                .iter()
                .map(|&s| s.coefficient() * pfaffian(kasteleyn_dense(s, lx, ly, &tx, &ty), 4 * n))
                .sum();
            let exact = z_even_brute(lx, ly, &tx, &ty);
            assert!((z - exact).abs() <= 1e-13 * exact, "{lx}x{ly}: {z} vs {exact}");
        }
    }

    #[test]
    fn bloch_product_equals_the_dense_pfaffian_with_sign() {
        // dense Parlett–Reid Pfaffian of the same matrix: checks the +1 overall sign
        for &(lx, ly) in &[(3, 3), (4, 4), (3, 4), (5, 4), (6, 3)] {
            for &s in &Sector::ALL {
                let (tx, ty) = (0.37, 0.52);
                let n = lx * ly;
                let dense = pfaffian(kasteleyn_dense(s, lx, ly, &vec![tx; n], &vec![ty; n]), 4 * n);
                let (sg, l) = ln_pfaffian(s, lx, ly, tx, ty, None);
                assert!((sg * l.exp() - dense).abs() <= 1e-12 * dense.abs(), "{lx}x{ly} {}", s.label());
            }
        }
    }

    #[test]
    fn ln_z_equals_kaufman() {
        // Kaufman's closed form (crate::kaufman), square and rectangular, both parities, at K_c
        let kc = 0.5 * (1.0 + 2f64.sqrt()).ln();
        for &(lx, ly) in &[(3, 3), (4, 4), (5, 7), (8, 6), (16, 16), (31, 17), (64, 64), (128, 128)] {
            for &k in &[0.2, kc, 0.7, 2.0] {
                let a = ln_z_free_fermion(lx, ly, k, k);
                let b = crate::kaufman_ln_z(ly, lx, k);
                assert!((a - b).abs() <= 1e-12 * b.abs(), "{lx}x{ly} K={k}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn propagator_inverts_the_dense_matrix() {
        // A·G = 1 on the dense 4N × 4N matrix, every sector, with the twisted continuation
        let (lx, ly, t) = (4, 3, 0.45);
        let n = lx * ly;
        let m = 4 * n;
        for &s in &Sector::ALL {
            let a = kasteleyn_dense(s, lx, ly, &vec![t; n], &vec![t; n]);
            let p = Propagator::new(s, lx, ly, t, t, false);
            let g = |i: usize, j: usize| {
                let (si, sj) = (i / 4, j / 4);
                p.get((si % lx) as i64 - (sj % lx) as i64, (si / lx) as i64 - (sj / lx) as i64, i % 4, j % 4)
            };
            for i in 0..m {
                for j in 0..m {
                    let v: f64 = (0..m).map(|k| a[i * m + k] * g(k, j)).sum();
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!((v - want).abs() < 1e-12, "{} ({i},{j}): {v}", s.label());
                }
            }
        }
    }

    #[test]
    fn completion_is_exact_at_the_critical_point() {
        // x = 1 − r₀ is an identity (Pf A = Pf A' (1 − x)); at K_c, r₀ = 0 to rounding
        let t = 2f64.sqrt() - 1.0;
        for &l in &[3, 4, 8] {
            let p = Propagator::new(Sector::ALL[0], l, l, t, t, true);
            let c = p.completion.expect("pp sector completes");
            assert!(c.r0.abs() < 1e-14, "r0 = {}", c.r0);
            assert!((c.x - (1.0 - c.r0)).abs() < 1e-13, "x = {}", c.x);
            let p = Propagator::new(Sector::ALL[0], l, l, 0.3, 0.3, true);
            let c = p.completion.expect("pp sector completes");
            assert!((c.x - (1.0 - c.r0)).abs() < 1e-13, "x = {} r0 = {}", c.x, c.r0);
        }
    }
}
