//! DMRG against exact diagonalisation of Hamiltonians written from their textbook definitions,
//! independently of the MPO code: local operators from their matrix elements, Kronecker
//! products, a sum over bonds; the quantum Potts terms Ω^k Ω^{−k} and M^k as explicit powers of
//! complex diagonal and shift matrices (none of the identities the MPO uses). faer's dense
//! symmetric eigensolver gives the reference levels.

use faer::Mat;
use onsager_tn::dmrg::{dmrg, DmrgOptions};
use onsager_tn::mpo::{Chain, Mpo};

/// A ⊗ B of square row-major matrices.
fn kron(a: &Mat<f64>, b: &Mat<f64>) -> Mat<f64> {
    let (n, m) = (a.nrows(), b.nrows());
    Mat::from_fn(n * m, n * m, |i, j| a[(i / m, j / m)] * b[(i % m, j % m)])
}

fn eye(n: usize) -> Mat<f64> {
    Mat::from_fn(n, n, |i, j| f64::from(u8::from(i == j)))
}

/// Σ over the bonds (i, i + 1) of an open chain (and (N − 1, 0) on a ring) of Σ_t A_t ⊗ B_t,
/// plus Σ_i F on every site; built by placing each operator in the full product space.
fn chain_hamiltonian(d: usize, n: usize, bond: &[(Mat<f64>, Mat<f64>)], field: &Mat<f64>, ring: bool) -> Mat<f64> {
    let dim = d.pow(n as u32);
    let at = |ops: &[(usize, &Mat<f64>)]| {
        let mut m = Mat::from_fn(1, 1, |_, _| 1.0);
        for site in 0..n {
            let op = ops.iter().find(|o| o.0 == site).map_or(eye(d), |o| o.1.clone());
            m = kron(&m, &op);
        }
        m
    };
    let mut h = Mat::<f64>::zeros(dim, dim);
    let bonds = if ring { n } else { n - 1 };
    for i in 0..bonds {
        for (a, b) in bond {
            h += at(&[(i, a), ((i + 1) % n, b)]);
        }
    }
    for i in 0..n {
        h += at(&[(i, field)]);
    }
    h
}

/// Spin-S matrices in the basis m = S, S − 1, …, −S: S^z = diag(m) and
/// ⟨m + 1| S^+ |m⟩ = √(S(S + 1) − m(m + 1)).
fn spin(two_s: usize) -> (Mat<f64>, Mat<f64>, Mat<f64>) {
    let d = two_s + 1;
    let s = two_s as f64 / 2.0;
    let m = |i: usize| s - i as f64;
    let sz = Mat::from_fn(d, d, |i, j| if i == j { m(i) } else { 0.0 });
    let sp = Mat::from_fn(d, d, |i, j| if i + 1 == j { (s * (s + 1.0) - m(j) * (m(j) + 1.0)).sqrt() } else { 0.0 });
    let sm = sp.transpose().to_owned();
    (sz, sp, sm)
}

/// XXZ: Σ S^x S^x + S^y S^y + Δ S^z S^z = Σ ½(S^+ S^− + S^− S^+) + Δ S^z S^z.
fn xxz(two_s: usize, delta: f64, n: usize, ring: bool) -> Mat<f64> {
    let (sz, sp, sm) = spin(two_s);
    let half = |m: &Mat<f64>| m * faer::Scale(0.5);
    let bond = [(half(&sp), sm.clone()), (half(&sm), sp.clone()), (sz.clone() * faer::Scale(delta), sz)];
    chain_hamiltonian(two_s + 1, n, &bond, &Mat::zeros(two_s + 1, two_s + 1), ring)
}

/// Quantum Potts: −Σ_i Σ_{k=1}^{q−1} Ω_i^k Ω_{i+1}^{−k} − g Σ_i Σ_{k=1}^{q−1} M_i^k with
/// Ω = diag(e^{2πin/q}) and M|n⟩ = |n + 1 mod q⟩. Ω^k ⊗ Ω^{−k} is complex; the sum over k is
/// real, so its real and imaginary parts are kept as the pairs (cos, cos) + (sin, sin).
fn qpotts(q: usize, g: f64, n: usize, ring: bool) -> Mat<f64> {
    let theta = |k: usize, a: usize| 2.0 * std::f64::consts::PI * (k * a) as f64 / q as f64;
    let mut bond = Vec::new();
    for k in 1..q {
        // Re(Ω^k ⊗ Ω^{−k}) = cos ⊗ cos + sin ⊗ sin (the imaginary parts cancel in Σ_k)
        let c = Mat::from_fn(q, q, |i, j| if i == j { theta(k, i).cos() } else { 0.0 });
        let s = Mat::from_fn(q, q, |i, j| if i == j { theta(k, i).sin() } else { 0.0 });
        bond.push((c.clone() * faer::Scale(-1.0), c));
        bond.push((s.clone() * faer::Scale(-1.0), s));
    }
    let shift = Mat::from_fn(q, q, |i, j| f64::from(u8::from(i == (j + 1) % q)));
    let mut field = Mat::<f64>::zeros(q, q);
    let mut power = eye(q);
    for _ in 1..q {
        power = &shift * &power;
        field -= &power * faer::Scale(g);
    }
    chain_hamiltonian(q, n, &bond, &field, ring)
}

fn levels(h: &Mat<f64>) -> Vec<f64> {
    onsager_linalg::eigvalsh(h.as_ref()).unwrap()
}

#[test]
fn dmrg_equals_exact_diagonalisation_of_independent_hamiltonians() {
    // E₀ and E₁ of open chains and E₀ of rings, to 1e-9 (DMRG at χ large enough to be exact:
    // the discarded weight is below 1e-14 on these sizes)
    let opts = |states: usize| DmrgOptions { chi: 64, states, ..Default::default() };
    let cases: Vec<(&str, Mpo, Mat<f64>, usize)> = vec![
        ("Heisenberg ½, 8 sites", Mpo::xxz(8, 1, 1.0), xxz(1, 1.0, 8, false), 2),
        ("XXZ ½ Δ = 0.5, 8 sites", Mpo::xxz(8, 1, 0.5), xxz(1, 0.5, 8, false), 2),
        ("spin 1, 6 sites", Mpo::xxz(6, 2, 1.0), xxz(2, 1.0, 6, false), 2),
        ("3-state Potts g = 0.8, 7 sites", Mpo::finite(Chain::QPotts { q: 3, g: 0.8 }, 7), qpotts(3, 0.8, 7, false), 2),
        ("4-state Potts g = 1.2, 5 sites", Mpo::finite(Chain::QPotts { q: 4, g: 1.2 }, 5), qpotts(4, 1.2, 5, false), 2),
        ("TFIM g = 0.7, 10 sites", Mpo::tfim(10, 0.7), qpotts(2, 0.7, 10, false), 2),
        (
            "3-state Potts ring g = 0.9, 7 sites",
            Mpo::periodic(Chain::QPotts { q: 3, g: 0.9 }, 7),
            qpotts(3, 0.9, 7, true),
            1,
        ),
        ("spin-1 ring, 6 sites", Mpo::periodic(Chain::Xxz { two_s: 2, delta: 1.0 }, 6), xxz(2, 1.0, 6, true), 1),
    ];
    for (what, mpo, h, states) in cases {
        let lam = levels(&h);
        let r = dmrg(&mpo, &opts(states)).unwrap();
        for s in 0..states {
            assert!((r.energies[s] - lam[s]).abs() < 1e-9, "{what}: E_{s} = {} vs ED {}", r.energies[s], lam[s]);
        }
    }
}

#[test]
fn the_dense_hamiltonians_have_their_closed_forms() {
    // checks of the reference itself: the 2-site spin-½ Heisenberg bond has E = −3/4 (singlet)
    // and 1/4 (triplet); the 2-state Potts chain is the TFIM −Σ ZZ − g Σ X (q = 2: Ω = Z, M = X);
    // the 3-site spin-1 ring's lowest level: ½[S_tot(S_tot+1) − 3·2] at S_tot = 0, i.e. −3
    let h2 = levels(&xxz(1, 1.0, 2, false));
    assert!((h2[0] + 0.75).abs() < 1e-14 && (h2[1] - 0.25).abs() < 1e-14 && (h2[3] - 0.25).abs() < 1e-14);
    let (z, x) = (
        Mat::from_fn(2, 2, |i, j| if i == j { [1.0, -1.0][i] } else { 0.0 }),
        Mat::from_fn(2, 2, |i, j| f64::from(u8::from(i != j))),
    );
    let tfim = chain_hamiltonian(2, 6, &[(z.clone() * faer::Scale(-1.0), z)], &(x * faer::Scale(-0.7)), false);
    let (a, b) = (levels(&tfim), levels(&qpotts(2, 0.7, 6, false)));
    assert!(a.iter().zip(&b).all(|(u, v)| (u - v).abs() < 1e-12));
    assert!((levels(&xxz(2, 1.0, 3, true))[0] + 3.0).abs() < 1e-12);
}
