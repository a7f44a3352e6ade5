//! Monte Carlo samplers shared by the validator tests: single-site Metropolis (samples after
//! every sweep) and Wolff clusters (after every cluster) for Ising and Potts tori, recording the
//! total energy and |M| (M = Σ unit spin vectors; Potts: the simplex vertices, so
//! |M|² = (q Σ_a N_a² − N²)/(q − 1), which is |N_↑ − N_↓| for q = 2).

use onsager::jobs::validate::Samples;
use onsager::models::Torus;

use super::Rng;

/// |M| of a configuration (see the module docs).
pub fn magnetization(s: &[usize], q: usize) -> f64 {
    let mut n = vec![0f64; q];
    for &v in s {
        n[v] += 1.0;
    }
    let sq: f64 = n.iter().map(|x| x * x).sum();
    let total = s.len() as f64;
    ((q as f64 * sq - total * total) / (q as f64 - 1.0)).max(0.0).sqrt()
}

/// Neighbour lists of a torus (each bond once per endpoint) and its bond list.
pub fn graph(dims: &[usize]) -> (Vec<Vec<usize>>, Vec<(usize, usize)>) {
    let t = Torus::new(dims).unwrap();
    let bonds: Vec<(usize, usize)> = (0..t.bonds()).map(|b| t.bond_sites(b)).collect();
    let mut nb = vec![Vec::new(); t.sites()];
    for &(a, b) in &bonds {
        nb[a].push(b);
        nb[b].push(a);
    }
    (nb, bonds)
}

/// E = −Σ_bonds δ(σ_i, σ_j) (Potts) or −Σ s_i s_j (Ising, q = 2 with σ ∈ {0, 1}).
pub fn energy(s: &[usize], bonds: &[(usize, usize)], ising: bool) -> f64 {
    bonds
        .iter()
        .map(|&(a, b)| match (ising, s[a] == s[b]) {
            (_, true) => -1.0,
            (true, false) => 1.0,
            (false, false) => 0.0,
        })
        .sum()
}

pub fn metropolis(dims: &[usize], q: usize, ising: bool, k: f64, n: usize, seed: u64) -> Samples {
    let (nb, bonds) = graph(dims);
    let mut rng = Rng(seed);
    let mut s = vec![0usize; nb.len()];
    let f = |a: usize, b: usize| match (ising, a == b) {
        (_, true) => 1.0,
        (true, false) => -1.0,
        (false, false) => 0.0,
    };
    let mut out = Vec::with_capacity(n);
    let mut mag = Vec::with_capacity(n);
    for sweep in 0..n + 2000 {
        for i in 0..s.len() {
            let new = (s[i] + 1 + (rng.next() * (q - 1) as f64) as usize) % q;
            let de: f64 = nb[i].iter().map(|&j| f(s[i], s[j]) - f(new, s[j])).sum();
            if de <= 0.0 || rng.next() < (-k * de).exp() {
                s[i] = new;
            }
        }
        if sweep >= 2000 {
            out.push(energy(&s, &bonds, ising));
            mag.push(magnetization(&s, q));
        }
    }
    Samples { energy: out, magnetization: Some(mag) }
}

pub fn wolff(dims: &[usize], q: usize, ising: bool, k: f64, n: usize, seed: u64) -> Samples {
    let (nb, bonds) = graph(dims);
    let mut rng = Rng(seed);
    let mut s = vec![0usize; nb.len()];
    // Ising: weight e^{K s s'}, p_add = 1 − e^{−2K}; Potts e^{K δ}, p_add = 1 − e^{−K}
    let p_add = 1.0 - (-(if ising { 2.0 } else { 1.0 }) * k).exp();
    let mut out = Vec::with_capacity(n);
    let mut mag = Vec::with_capacity(n);
    let mut stack = Vec::new();
    let mut inside = vec![false; s.len()];
    for c in 0..n + 2000 {
        let seed_site = (rng.next() * s.len() as f64) as usize;
        let old = s[seed_site];
        let new = (old + 1 + (rng.next() * (q - 1) as f64) as usize) % q;
        let mut cluster = vec![seed_site];
        inside[seed_site] = true;
        stack.push(seed_site);
        while let Some(i) = stack.pop() {
            for &j in &nb[i] {
                if !inside[j] && s[j] == old && rng.next() < p_add {
                    inside[j] = true;
                    cluster.push(j);
                    stack.push(j);
                }
            }
        }
        for &i in &cluster {
            s[i] = new;
            inside[i] = false;
        }
        if c >= 2000 {
            out.push(energy(&s, &bonds, ising));
            mag.push(magnetization(&s, q));
        }
    }
    Samples { energy: out, magnetization: Some(mag) }
}
