//! Exact density of states of the L_x × L_y Ising torus with big-integer counts.
//!
//! Beale (PRL 76, 78, 1996) expanded Kaufman's formula into polynomials. The same idea is used here
//! in the four-Pfaffian form of [`crate::kasteleyn`], over finite fields: for a prime p with
//! p ≡ 1 (mod 2·lcm(L_x, L_y)) the momenta e^{ik} are roots of unity of F_p, so every Bloch
//! factor of Pf A_s (a polynomial of degree ≤ 4 in t) exists mod p, and
//!
//! Z_even(t) = Σ_k a_k t^k = Σ_s c_s Π_{pairs} det Â_s(k) · Π_{k ≡ −k} Pf Â_s(k)   (mod p)
//!
//! holds because it is a polynomial identity over Z[e^{iπ/L}]. With u = e^{−2K},
//! t = (1 − u)/(1 + u) and cosh K = (1 + u)/(2√u):
//!
//! Z = 2^N cosh^{2N}K Z_even = 2^{−N} u^{−N} P(u),   P(u) = Σ_k a_k (1 − u)^k (1 + u)^{2N−k},
//!
//! so the number of states with E = −Σ_bonds s_i s_j = 2m − 2N is g(E) = 2^{−N} [u^m] P(u).
//! Each g(E) ≤ 2^N is rebuilt from its residues modulo ⌈(N + 2)/61⌉ + 1 primes below 2^62 by the
//! Chinese remainder theorem (the extra prime is a check: the result must not change).
//!
//! Cost per prime: O(N²) multiplications mod p (polynomial products and the change of variable);
//! the primes are independent (rayon).

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive, Zero};
use rayon::prelude::*;

/// a·b mod p
#[inline]
fn mulm(a: u64, b: u64, p: u64) -> u64 {
    ((a as u128 * b as u128) % p as u128) as u64
}

fn addm(a: u64, b: u64, p: u64) -> u64 {
    let s = a + b;
    if s >= p {
        s - p
    } else {
        s
    }
}

fn subm(a: u64, b: u64, p: u64) -> u64 {
    if a >= b {
        a - b
    } else {
        a + p - b
    }
}

fn powm(mut a: u64, mut e: u64, p: u64) -> u64 {
    let mut r = 1;
    while e > 0 {
        if e & 1 == 1 {
            r = mulm(r, a, p);
        }
        a = mulm(a, a, p);
        e >>= 1;
    }
    r
}

pub(crate) fn invm(a: u64, p: u64) -> u64 {
    powm(a, p - 2, p)
}

/// Deterministic Miller–Rabin for 64-bit integers.
pub(crate) fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    for q in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
        if n.is_multiple_of(q) {
            return n == q;
        }
    }
    let (mut d, mut s) = (n - 1, 0);
    while d.is_multiple_of(2) {
        d /= 2;
        s += 1;
    }
    'witness: for a in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
        let mut x = powm(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mulm(x, x, n);
            if x == n - 1 {
                continue 'witness;
            }
        }
        return false;
    }
    true
}

fn prime_factors(mut m: u64) -> Vec<u64> {
    let mut f = Vec::new();
    let mut q = 2;
    while q * q <= m {
        if m.is_multiple_of(q) {
            f.push(q);
            while m.is_multiple_of(q) {
                m /= q;
            }
        }
        q += 1;
    }
    if m > 1 {
        f.push(m);
    }
    f
}

/// An element of exact order m in F_p* (m | p − 1).
fn root_of_unity(m: u64, p: u64) -> u64 {
    let qs = prime_factors(m);
    (2..)
        .map(|a| powm(a, (p - 1) / m, p))
        .find(|&w| qs.iter().all(|&q| powm(w, m / q, p) != 1))
        .expect("F_p* is cyclic")
}

/// `count` primes p ≡ 1 (mod m) below 2^62, largest first.
fn primes(m: u64, count: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let mut p = ((1u64 << 62) / m) * m + 1;
    while out.len() < count {
        p -= m;
        if is_prime(p) {
            out.push(p);
        }
    }
    out
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Determinant of a 4 × 4 matrix mod p (Gaussian elimination).
fn det4(mut a: [[u64; 4]; 4], p: u64) -> u64 {
    let mut det = 1;
    for c in 0..4 {
        let Some(r) = (c..4).find(|&r| a[r][c] != 0) else { return 0 };
        if r != c {
            a.swap(r, c);
            det = subm(0, det, p);
        }
        det = mulm(det, a[c][c], p);
        let inv = invm(a[c][c], p);
        for r in c + 1..4 {
            let f = mulm(a[r][c], inv, p);
            for k in c..4 {
                a[r][k] = subm(a[r][k], mulm(f, a[c][k], p), p);
            }
        }
    }
    det
}

/// Coefficients of the polynomial of degree < n through (j, v_j), j = 0..n−1 (Lagrange, mod p).
fn interpolate(vals: &[u64], p: u64) -> Vec<u64> {
    let n = vals.len();
    let mut out = vec![0u64; n];
    for (j, &vj) in vals.iter().enumerate() {
        // basis polynomial Π_{i≠j} (t − i)/(j − i)
        let mut poly = vec![1u64];
        let mut denom = 1u64;
        for i in 0..n {
            if i == j {
                continue;
            }
            let mut next = vec![0u64; poly.len() + 1];
            for (d, &c) in poly.iter().enumerate() {
                next[d + 1] = addm(next[d + 1], c, p);
                next[d] = subm(next[d], mulm(c, i as u64 % p, p), p);
            }
            poly = next;
            let diff = if j >= i { (j - i) as u64 } else { p - (i - j) as u64 };
            denom = mulm(denom, diff, p);
        }
        let scale = mulm(vj, invm(denom, p), p);
        for (d, &c) in poly.iter().enumerate() {
            out[d] = addm(out[d], mulm(c, scale, p), p);
        }
    }
    out
}

/// P(u) mod p: the g(E)·2^N of the module docs, index m = (E + 2N)/2.
fn dos_mod_p(lx: usize, ly: usize, p: u64) -> Vec<u64> {
    let n = lx * ly;
    let (wx, wy) = (root_of_unity(2 * lx as u64, p), root_of_unity(2 * ly as u64, p));
    let e = |w: u64, j: i64, l: usize| powm(w, j.rem_euclid(2 * l as i64) as u64, p);
    let mut z_even = vec![0u64; 2 * n + 1];
    for (si, &(px, py)) in [(true, true), (true, false), (false, true), (false, false)].iter().enumerate() {
        let (thx, thy) = (usize::from(!px), usize::from(!py));
        // Bloch block at t: entries c0 + t c1
        let block = |nx: usize, ny: usize, t: u64| {
            let (jx, jy) = ((2 * nx + thx) as i64, (2 * ny + thy) as i64);
            let mut a = [[0u64; 4]; 4];
            for (r, row) in a.iter_mut().enumerate() {
                for (c, v) in row.iter_mut().enumerate() {
                    *v = match r.cmp(&c) {
                        std::cmp::Ordering::Less => 1,
                        std::cmp::Ordering::Greater => p - 1,
                        std::cmp::Ordering::Equal => 0,
                    };
                }
            }
            a[0][2] = addm(a[0][2], mulm(t, e(wx, jx, lx), p), p);
            a[2][0] = subm(a[2][0], mulm(t, e(wx, -jx, lx), p), p);
            a[1][3] = addm(a[1][3], mulm(t, e(wy, jy, ly), p), p);
            a[3][1] = subm(a[3][1], mulm(t, e(wy, -jy, ly), p), p);
            a
        };
        let mut prod = vec![1u64];
        for ny in 0..ly {
            for nx in 0..lx {
                let (mx, my) = ((2 * lx - nx - thx) % lx, (2 * ly - ny - thy) % ly); // index of −k
                let (me, partner) = (ny * lx + nx, my * lx + mx);
                if me > partner {
                    continue;
                }
                let factor = if me == partner {
                    let vals: Vec<u64> = (0..3u64)
                        .map(|t| {
                            let a = block(nx, ny, t);
                            let x = subm(mulm(a[0][1], a[2][3], p), mulm(a[0][2], a[1][3], p), p);
                            addm(x, mulm(a[0][3], a[1][2], p), p)
                        })
                        .collect();
                    interpolate(&vals, p)
                } else {
                    let vals: Vec<u64> = (0..5u64).map(|t| det4(block(nx, ny, t), p)).collect();
                    interpolate(&vals, p)
                };
                let mut next = vec![0u64; prod.len() + factor.len() - 1];
                for (i, &a) in prod.iter().enumerate() {
                    if a == 0 {
                        continue;
                    }
                    for (j, &b) in factor.iter().enumerate() {
                        next[i + j] = addm(next[i + j], mulm(a, b, p), p);
                    }
                }
                prod = next;
            }
        }
        // c_s = ∓½
        let half = invm(2, p);
        let c = if si == 0 { p - half } else { half };
        for (k, &v) in prod.iter().enumerate().take(2 * n + 1) {
            z_even[k] = addm(z_even[k], mulm(c, v, p), p);
        }
    }
    // P(u) = Σ_k a_k (1 − u)^k (1 + u)^{2N−k}: homogeneous Horner from k = 2N down
    let deg = 2 * n;
    let mut h = vec![z_even[deg]];
    let mut ypow = vec![1u64];
    for k in (0..deg).rev() {
        // h ← h·(1 − u), ypow ← ypow·(1 + u), h += a_k ypow
        let mut nh = vec![0u64; h.len() + 1];
        for (i, &c) in h.iter().enumerate() {
            nh[i] = addm(nh[i], c, p);
            nh[i + 1] = subm(nh[i + 1], c, p);
        }
        let mut ny = vec![0u64; ypow.len() + 1];
        for (i, &c) in ypow.iter().enumerate() {
            ny[i] = addm(ny[i], c, p);
            ny[i + 1] = addm(ny[i + 1], c, p);
        }
        for (i, &c) in ny.iter().enumerate() {
            nh[i] = addm(nh[i], mulm(z_even[k], c, p), p);
        }
        h = nh;
        ypow = ny;
    }
    let inv2n = invm(powm(2, n as u64, p), p);
    h.iter().map(|&c| mulm(c, inv2n, p)).collect()
}

/// The exact density of states: `counts\[m\]` configurations with total energy
/// E = −Σ_bonds s_i s_j = 2m − 2N (m = 0..2N), N = L_x L_y sites, periodic both ways.
#[derive(Debug, Clone)]
pub struct DensityOfStates {
    /// L_x, L_y
    pub dims: (usize, usize),
    /// energies E_m = 2m − 2N
    pub energies: Vec<i64>,
    /// g(E_m), exact
    pub counts: Vec<BigUint>,
}

impl DensityOfStates {
    /// ln Z(β) = ln Σ_E g(E) e^{−βE}, summed in logs.
    pub fn ln_z(&self, beta: f64) -> f64 {
        let terms: Vec<f64> = self
            .counts
            .iter()
            .zip(&self.energies)
            .filter(|(c, _)| !c.is_zero())
            .map(|(c, &e)| ln_big(c) - beta * e as f64)
            .collect();
        let m = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln()
    }

    /// P(E) at β as f64 probabilities (Boltzmann weights normalised).
    pub fn probabilities(&self, beta: f64) -> Vec<f64> {
        let lz = self.ln_z(beta);
        self.counts
            .iter()
            .zip(&self.energies)
            .map(|(c, &e)| if c.is_zero() { 0.0 } else { (ln_big(c) - beta * e as f64 - lz).exp() })
            .collect()
    }
}

/// ln of a big integer (via its top 64 bits).
pub fn ln_big(x: &BigUint) -> f64 {
    let bits = x.bits();
    if bits <= 1000 {
        return x.to_f64().expect("finite").ln();
    }
    let shift = bits - 64;
    (x >> shift).to_f64().expect("finite").ln() + shift as f64 * std::f64::consts::LN_2
}

/// Exact g(E) of the L_x × L_y Ising torus (L_x, L_y ≥ 2): see the module docs.
pub fn ising_dos(lx: usize, ly: usize) -> DensityOfStates {
    ising_dos_with_progress(lx, ly, &|| {})
}

/// Number of primes (progress ticks) [`ising_dos`] uses for an L_x × L_y torus.
pub fn dos_primes(lx: usize, ly: usize) -> usize {
    (lx * ly + 2).div_ceil(61) + 1
}

/// Memory [`ising_dos`] is predicted to take for an L_x × L_y torus with `threads` workers, in
/// bytes: the residues of every prime ((2N + 1) words each), about six working polynomials of
/// 2N + 1 words per worker, and the (2N + 1) big-integer counts of up to N bits with the CRT's
/// partial products (a few MB at 64 × 64, so no memory check refuses on it).
pub fn dos_bytes(lx: usize, ly: usize, threads: usize) -> f64 {
    let n = (lx * ly) as f64;
    let words = 2.0 * n + 1.0;
    8.0 * words * (dos_primes(lx, ly) + 6 * threads) as f64 + 2.0 * words * (n / 8.0 + 32.0)
}

/// [`ising_dos`] calling `tick` once per prime finished.
pub fn ising_dos_with_progress(lx: usize, ly: usize, tick: &(dyn Fn() + Sync)) -> DensityOfStates {
    assert!(lx >= 2 && ly >= 2, "ising_dos needs L_x, L_y ≥ 2");
    let n = lx * ly;
    let m = 2 * (lx as u64 * ly as u64 / gcd(lx as u64, ly as u64));
    let count = dos_primes(lx, ly);
    let ps = primes(m, count);
    let residues: Vec<Vec<u64>> = ps
        .par_iter()
        .map(|&p| {
            let r = dos_mod_p(lx, ly, p);
            tick();
            r
        })
        .collect();
    // CRT with all but the last prime; the last one must agree (a check of the bound)
    let crt = |upto: usize| -> Vec<BigUint> {
        (0..=2 * n)
            .map(|k| {
                let mut x = BigUint::zero();
                let mut modulus = BigUint::one();
                for (pi, &p) in ps.iter().enumerate().take(upto) {
                    let xr = (&x % p).to_u64().expect("< p");
                    let mr = (&modulus % p).to_u64().expect("< p");
                    let t = mulm(subm(residues[pi][k], xr, p), invm(mr, p), p);
                    x += &modulus * t;
                    modulus *= p;
                }
                x
            })
            .collect()
    };
    let counts = crt(count - 1);
    for (k, c) in counts.iter().enumerate() {
        let p = ps[count - 1];
        assert_eq!((c % p).to_u64(), Some(residues[count - 1][k]), "CRT check prime disagrees");
    }
    let energies = (0..=2 * n as i64).map(|m| 2 * m - 2 * n as i64).collect();
    DensityOfStates { dims: (lx, ly), energies, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modular_helpers() {
        // 2^61 − 1 is a Mersenne prime; 2^61 + 1 is divisible by 3
        assert!(is_prime((1 << 61) - 1) && !is_prime((1 << 61) + 1));
        let p = primes(16, 1)[0];
        assert_eq!(p % 16, 1);
        let w = root_of_unity(16, p);
        assert_eq!(powm(w, 16, p), 1);
        assert_ne!(powm(w, 8, p), 1);
        // (t + 1)(t + 2) through its values at 0, 1, 2
        assert_eq!(interpolate(&[2, 6, 12], p), vec![2, 3, 1]);
    }

    #[test]
    fn small_tori_equal_brute_force_counts() {
        // every configuration, binned by E = −Σ s_i s_j
        for &(lx, ly) in &[(2, 2), (3, 3), (4, 4), (3, 4), (5, 3)] {
            let n = lx * ly;
            let mut brute = vec![0u64; 2 * n + 1];
            for c in 0u64..1 << n {
                let s = |x: usize, y: usize| if c >> ((y % ly) * lx + x % lx) & 1 == 1 { 1i64 } else { -1 };
                let mut e = 0;
                for y in 0..ly {
                    for x in 0..lx {
                        e -= s(x, y) * (s(x + 1, y) + s(x, y + 1));
                    }
                }
                brute[((e + 2 * n as i64) / 2) as usize] += 1;
            }
            let dos = ising_dos(lx, ly);
            let got: Vec<u64> = dos.counts.iter().map(|c| c.to_u64().unwrap()).collect();
            assert_eq!(got, brute, "{lx}x{ly}");
        }
    }

    #[test]
    fn counts_sum_to_2_pow_n_and_ln_z_is_kaufman() {
        // Σ g = 2^N exactly; ln Σ g e^{−βE} = Kaufman's closed form
        for &l in &[8usize, 16] {
            let dos = ising_dos(l, l);
            let total: BigUint = dos.counts.iter().sum();
            assert_eq!(total, BigUint::one() << (l * l));
            for &b in &[0.2, 0.4406867935097715, 0.7] {
                let (a, k) = (dos.ln_z(b), crate::kaufman_ln_z(l, l, b));
                assert!((a - k).abs() < 1e-12 * k, "L={l} β={b}: {a} vs {k}");
            }
        }
    }
}
