//! Matrix-product operators built from couplings (finite-state-machine form; McCulloch,
//! J. Stat. Mech. P10014 (2007); Schollwöck, Ann. Phys. 326, 96 (2011), §6.1).
//!
//! Convention: the site tensor is W\[a, b, s', s\] with a the left and b the right virtual index,
//! s' the outgoing (bra) and s the incoming (ket) physical index. A Hamiltonian MPO is lower
//! triangular (W\[a, b\] ≠ 0 only for a ≥ b): state `a = n_w − 1` ("start") has placed nothing yet,
//! state 0 ("done") has completed its term, and H = ⟨start| W₁ W₂ ⋯ W_N |done⟩. Only the non-zero
//! blocks are stored, since every kernel sums over them.
//!
//! Quantum chains are data ([`Chain`]): one value, one bulk tensor, any length.

use crate::initial::{site_tensor_2d, Insertion};
use onsager_models::Model;
use std::fmt;

/// One non-zero block W\[a, b, ·, ·\] of an MPO tensor: a d × d operator, row-major op\[s'\]\[s\].
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// left virtual state
    pub a: usize,
    /// right virtual state
    pub b: usize,
    /// the operator, `op[s' * d + s]`
    pub op: Vec<f64>,
}

/// One MPO tensor, stored by its non-zero blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct MpoSite {
    /// number of left virtual states
    pub nl: usize,
    /// number of right virtual states
    pub nr: usize,
    /// physical dimension
    pub d: usize,
    /// the non-zero blocks
    pub blocks: Vec<Block>,
}

impl MpoSite {
    /// Builds a tensor from (a, b, operator) entries; entries with the same (a, b) add.
    pub fn from_entries(nl: usize, nr: usize, d: usize, entries: Vec<(usize, usize, Vec<f64>)>) -> Self {
        let mut blocks: Vec<Block> = Vec::new();
        for (a, b, op) in entries {
            assert_eq!(op.len(), d * d, "operator is d × d");
            match blocks.iter_mut().find(|x| x.a == a && x.b == b) {
                Some(x) => x.op.iter_mut().zip(&op).for_each(|(p, q)| *p += q),
                None => blocks.push(Block { a, b, op }),
            }
        }
        blocks.retain(|x| x.op.iter().any(|v| *v != 0.0));
        MpoSite { nl, nr, d, blocks }
    }

    /// The block W\[a, b\], if non-zero.
    pub fn block(&self, a: usize, b: usize) -> Option<&Block> {
        self.blocks.iter().find(|x| x.a == a && x.b == b)
    }

    /// Whether W\[a, b, s', s\] = W\[a, b, s, s'\] for every block (a symmetric transfer matrix, or
    /// a real Hamiltonian).
    pub fn is_physically_symmetric(&self) -> bool {
        let d = self.d;
        self.blocks
            .iter()
            .all(|x| (0..d * d).all(|k| (x.op[k] - x.op[(k % d) * d + k / d]).abs() <= 1e-14 * (1.0 + x.op[k].abs())))
    }
}

/// A finite MPO: one tensor per site.
#[derive(Debug, Clone)]
pub struct Mpo {
    /// the site tensors
    pub sites: Vec<MpoSite>,
}

fn identity(d: usize) -> Vec<f64> {
    (0..d * d).map(|i| if i / d == i % d { 1.0 } else { 0.0 }).collect()
}

fn scaled(op: &[f64], c: f64) -> Vec<f64> {
    op.iter().map(|x| c * x).collect()
}

/// Spin-S matrices (S^z, S⁺, S⁻) in the basis m = S, S − 1, …, −S.
pub fn spin_matrices(two_s: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let d = two_s + 1;
    let s = two_s as f64 / 2.0;
    let m = |i: usize| s - i as f64;
    let mut sz = vec![0.0; d * d];
    let mut sp = vec![0.0; d * d]; // S⁺|m⟩ = √(s(s+1) − m(m+1)) |m+1⟩
    for i in 0..d {
        sz[i * d + i] = m(i);
        if i > 0 {
            sp[(i - 1) * d + i] = (s * (s + 1.0) - m(i) * (m(i) + 1.0)).sqrt();
        }
    }
    let sm: Vec<f64> = (0..d * d).map(|k| sp[(k % d) * d + k / d]).collect();
    (sz, sp, sm)
}

/// A translation-invariant quantum chain, as data. Every Hamiltonian is real and summed over
/// nearest neighbours i, i + 1 (open chains have N − 1 bonds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Chain {
    /// transverse-field Ising H = −Σ Z_i Z_{i+1} − g Σ X_i (critical at g = 1, c = 1/2)
    Tfim {
        /// transverse field
        g: f64,
    },
    /// spin-S XXZ H = Σ S^x S^x + S^y S^y + Δ S^z S^z (Δ = 1: Heisenberg; S = 1/2: c = 1)
    Xxz {
        /// 2S (1 for spin ½, 2 for spin 1)
        two_s: usize,
        /// anisotropy Δ
        delta: f64,
    },
    /// q-state quantum Potts H = −Σ Σ_{k=1}^{q−1} Ω_i^k Ω_{i+1}^{−k} − g Σ Σ_{k=1}^{q−1} M_i^k
    /// (Sólyom & Pfeuty 1981), with Ω = diag(ω^n) and M the cyclic shift. In the real basis,
    /// Σ_k Ω_i^k Ω_j^{−k} = q δ(n_i, n_j) − 1 and Σ_k M^k = (all-ones) − 1. Self-dual, critical
    /// at g = 1; q = 2 is the TFIM.
    QPotts {
        /// number of states
        q: usize,
        /// transverse field
        g: f64,
    },
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Chain::Tfim { g } => write!(f, "transverse-field Ising, g = {g}"),
            Chain::Xxz { two_s, delta } => {
                let spin = if two_s % 2 == 0 { format!("{}", two_s / 2) } else { format!("{two_s}/2") };
                write!(f, "spin-{spin} XXZ, Δ = {delta}")
            }
            Chain::QPotts { q, g } => write!(f, "{q}-state quantum Potts, g = {g}"),
        }
    }
}

impl Chain {
    /// Local Hilbert-space dimension.
    pub fn d(&self) -> usize {
        match *self {
            Chain::Tfim { .. } => 2,
            Chain::Xxz { two_s, .. } => two_s + 1,
            Chain::QPotts { q, .. } => q,
        }
    }

    /// The bulk MPO tensor. `staggered` applies the sublattice rotation U = Π_{i odd} e^{iπS^z_i}
    /// to XXZ, which flips the sign of the S^x S^x + S^y S^y coupling: the spectrum is unchanged
    /// and the antiferromagnet's ground state becomes representable with a one-site unit cell.
    pub fn mpo_site(&self, staggered: bool) -> MpoSite {
        match *self {
            Chain::Tfim { g } => {
                let (z, x) = (vec![1.0, 0.0, 0.0, -1.0], vec![0.0, 1.0, 1.0, 0.0]);
                MpoSite::from_entries(
                    3,
                    3,
                    2,
                    vec![
                        (0, 0, identity(2)),
                        (1, 0, z.clone()),
                        (2, 0, scaled(&x, -g)),
                        (2, 1, scaled(&z, -1.0)),
                        (2, 2, identity(2)),
                    ],
                )
            }
            Chain::Xxz { two_s, delta } => {
                let d = two_s + 1;
                let (sz, sp, sm) = spin_matrices(two_s);
                let xy = if staggered { -0.5 } else { 0.5 };
                MpoSite::from_entries(
                    5,
                    5,
                    d,
                    vec![
                        (0, 0, identity(d)),
                        (1, 0, sm.clone()),
                        (2, 0, sp.clone()),
                        (3, 0, sz.clone()),
                        (4, 1, scaled(&sp, xy)),
                        (4, 2, scaled(&sm, xy)),
                        (4, 3, scaled(&sz, delta)),
                        (4, 4, identity(d)),
                    ],
                )
            }
            Chain::QPotts { q, g } => {
                // −(q δ − 1) = −q Σ_n P_n ⊗ P_n + 1: q projector channels, the constant on site
                let proj = |n: usize| {
                    (0..q * q).map(|k| if k / q == n && k % q == n { 1.0 } else { 0.0 }).collect::<Vec<f64>>()
                };
                let field: Vec<f64> = (0..q * q).map(|k| if k / q == k % q { 0.0 } else { 1.0 }).collect();
                let start = q + 1;
                let mut e = vec![(0, 0, identity(q)), (start, start, identity(q))];
                for n in 0..q {
                    e.push((1 + n, 0, proj(n)));
                    e.push((start, 1 + n, scaled(&proj(n), -(q as f64))));
                }
                // the +1 of each bond and the field: −g (J − 1) + 1, placed once per site; open
                // chains then carry one constant too many, removed by `Mpo::finite`
                let mut onsite = scaled(&field, -g);
                onsite.iter_mut().zip(identity(q)).for_each(|(x, i)| *x += i);
                e.push((start, 0, onsite));
                MpoSite::from_entries(q + 2, q + 2, q, e)
            }
        }
    }

    /// The nearest-neighbour terms Σ_t A_t ⊗ B_t of one bond (without on-site fields): the bond
    /// energy whose alternation tracks the entropy's (see [`crate::entanglement`]).
    pub fn bond_terms(&self) -> Vec<(Vec<f64>, Vec<f64>)> {
        match *self {
            Chain::Tfim { .. } => vec![(vec![1.0, 0.0, 0.0, -1.0], vec![-1.0, 0.0, 0.0, 1.0])],
            Chain::Xxz { two_s, delta } => {
                let (sz, sp, sm) = spin_matrices(two_s);
                vec![(sp.clone(), scaled(&sm, 0.5)), (sm, scaled(&sp, 0.5)), (sz.clone(), scaled(&sz, delta))]
            }
            Chain::QPotts { q, .. } => (0..q)
                .map(|n| {
                    let p: Vec<f64> = (0..q * q).map(|k| if k / q == n && k % q == n { 1.0 } else { 0.0 }).collect();
                    (p.clone(), scaled(&p, -(q as f64)))
                })
                .collect(),
        }
    }

    /// Known ground-state energy per site of the infinite chain, where a closed form exists
    /// ([`onsager_exact::reference()`]: TFIM and the q = 2 Potts chain by Pfeuty's integral,
    /// Heisenberg ½ by Hulthén's 1/4 − ln 2, the self-dual 3-state Potts chain).
    pub fn exact_energy_per_site(&self) -> Option<f64> {
        use onsager_exact::{reference, Quantity, System};
        let system = match *self {
            Chain::Tfim { g } => System::TfimChain { g },
            Chain::Xxz { two_s, delta } => System::XxzChain { two_s, delta },
            Chain::QPotts { q, g } => System::QPottsChain { q, g },
        };
        reference(system, Quantity::EnergyPerSite).map(|r| r.value)
    }
}

impl Mpo {
    /// The open chain of `n` sites (n ≥ 2).
    pub fn finite(chain: Chain, n: usize) -> Self {
        let w = chain.mpo_site(false);
        let mut sites = vec![w; n];
        if let Chain::QPotts { q, .. } = chain {
            // the bulk tensor adds +1 per site for the q δ − 1 of the bond to its left; the
            // first site has no such bond
            let start = q + 1;
            let first = &mut sites[0];
            if let Some(b) = first.blocks.iter_mut().find(|x| x.a == start && x.b == 0) {
                for s in 0..q {
                    b.op[s * q + s] -= 1.0;
                }
            }
        }
        Mpo { sites }
    }

    /// The periodic chain of `n` sites (n ≥ 3): the open chain plus the bond (n − 1, 0). Each term
    /// A_t ⊗ B_t of that bond gets its own finite-state-machine state, which A_t opens on site 0
    /// and B_t closes on site n − 1, passing the sites between with the identity; so the MPO
    /// grows by as many states as the bond has terms (3 for XXZ, 1 for the TFIM, q for Potts).
    pub fn periodic(chain: Chain, n: usize) -> Self {
        let w = chain.mpo_site(false);
        let (nw, d) = (w.nl, w.d);
        let terms = chain.bond_terms();
        let nt = terms.len();
        let (start, carrier) = (nw - 1, |t: usize| nw + t);
        let widen = |w: &MpoSite, nl: usize, nr: usize| MpoSite { nl, nr, d, blocks: w.blocks.clone() };
        let mut sites = Vec::with_capacity(n);
        for i in 0..n {
            let mut site = if i == 0 {
                widen(&w, nw, nw + nt)
            } else if i == n - 1 {
                widen(&w, nw + nt, nw)
            } else {
                widen(&w, nw + nt, nw + nt)
            };
            for (t, (a, b)) in terms.iter().enumerate() {
                if i == 0 {
                    site.blocks.push(Block { a: start, b: carrier(t), op: a.clone() });
                } else if i == n - 1 {
                    site.blocks.push(Block { a: carrier(t), b: 0, op: b.clone() });
                } else {
                    site.blocks.push(Block { a: carrier(t), b: carrier(t), op: identity(d) });
                }
            }
            sites.push(site);
        }
        Mpo { sites }
    }

    /// Transverse-field Ising chain H = −Σ Z_i Z_{i+1} − g Σ X_i (open, n sites).
    pub fn tfim(n: usize, g: f64) -> Self {
        Mpo::finite(Chain::Tfim { g }, n)
    }

    /// XXZ chain of spin S (2S + 1 states): H = Σ S^x S^x + S^y S^y + Δ S^z S^z (open, n sites).
    pub fn xxz(n: usize, two_s: usize, delta: f64) -> Self {
        Mpo::finite(Chain::Xxz { two_s, delta }, n)
    }

    /// Physical dimension.
    pub fn d(&self) -> usize {
        self.sites[0].d
    }

    /// Number of sites.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Whether the MPO has no sites.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }
}

/// The row-to-row transfer matrix of a 2D classical model as a one-site MPO: the site tensor
/// a\[l, u, r, d\] of [`site_tensor_2d`] read as W\[a = l, b = r, s' = u, s = d\]. Its dominant
/// eigenvalue per column is the partition function per site, ln Λ = lnZ/N (each tensor carries
/// one site and, through the split bond matrices, two bonds).
pub fn row_transfer(model: Model, k: f64, h: f64) -> MpoSite {
    let a = site_tensor_2d(model, k, h, Insertion::None);
    let q = model.q();
    let mut entries = Vec::new();
    for l in 0..q {
        for r in 0..q {
            let op: Vec<f64> = (0..q * q).map(|idx| a[[l, idx / q, r, idx % q].as_ref()]).collect();
            entries.push((l, r, op));
        }
    }
    MpoSite::from_entries(q, q, q, entries)
}
