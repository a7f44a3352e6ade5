//! The global spin symmetry of a layer: its real orthogonal irreducible representations and the
//! basis of the layer's state space in which the transfer matrix is block diagonal.
//!
//! Every bond variable f(σ_i, σ_j) (s s' for Ising, δ for Potts, cos for clock) is unchanged when
//! one permutation g of the q spin values is applied to every site, so the transfer matrix W and
//! every insertion O(S) commute with the permutation matrices π(g) of the q^{n_s} layer states
//! (G = S_q for Potts with q ≤ 5, the dihedral group D_q for clock and larger Potts, Z_2 for
//! Ising). With real orthogonal irreps ρ of G (d_ρ × d_ρ) and the Wigner operators
//!
//! P^ρ_{ab} = (d_ρ/|G|) Σ_g ρ(g)_{ab} π(g),   P_{ab} P_{cd} = δ_{bc} P_{ad},   P_{ab}ᵀ = P_{ba},
//!
//! an invariant operator F obeys P_{aa} F P_{bb} = δ_{ab} P_{a1} (P_{11} F P_{11}) P_{1a}: with an
//! orthonormal basis V_ρ of the image of P^ρ_{11} ("row 1" of ρ) and V^a_ρ = P_{a1} V_ρ,
//!
//! F = Σ_ρ Σ_a V^a_ρ F_ρ V^{aᵀ}_ρ,   F_ρ = V_ρᵀ F V_ρ,   Tr F = Σ_ρ d_ρ Tr F_ρ.
//!
//! F_ρ has the size k_ρ = multiplicity of ρ = (1/|G|) Σ_g χ_ρ(g) fix(g)^{n_s} (fix(g) = number of
//! spin values g leaves alone), about d_ρ q^{n_s}/|G|: the dense work Σ_ρ k_ρ³ is ~|G|²/Σd_ρ³
//! times less than for W itself (21× for q = 3, ~190× for q = 4).
//!
//! The irreps come from the regular representation: a generic symmetric element A of the right
//! group algebra commutes with the left regular action, and each eigenspace of A carries one copy
//! of one irrep (the right algebra is ⊕_ρ M_{d_ρ}, a generic symmetric element has distinct
//! eigenvalues in each block). The groups used here have only irreps of real type, so the
//! restricted left action Qᵀ L(g) Q is a real orthogonal irrep. V_ρ is built orbit by orbit of G
//! on the states: P_{11} maps the span of one orbit into itself, and its image there is spanned
//! by P_{11} e_s, s in the orbit (Gram–Schmidt).

use faer::Mat;
use onsager_linalg::OrFail;
use onsager_models::Model;

/// A group of permutations of the spin values 0..q, with its irreps.
#[derive(Debug, Clone)]
pub struct SpinGroup {
    q: usize,
    /// each element as the image of 0..q
    perms: Vec<Vec<u8>>,
    /// mult\[g\]\[h\] = index of g∘h
    mult: Vec<Vec<usize>>,
    /// inequivalent real orthogonal irreps
    irreps: Vec<Irrep>,
}

/// One real orthogonal irrep: ρ(g) for every group element g (row-major d × d).
#[derive(Debug, Clone)]
pub struct Irrep {
    /// dimension d_ρ
    pub dim: usize,
    /// ρ(g), row-major, in the order of the group's elements
    pub mats: Vec<Vec<f64>>,
}

impl SpinGroup {
    /// The symmetry group of `model`'s bond variable used for the blocks: S_2 (Ising), S_q
    /// (Potts, q ≤ 5; the q! elements stay ≤ 120), D_q (clock, and Potts with q > 5, a subgroup).
    pub fn for_model(model: Model) -> Self {
        let q = model.q();
        // S_q up to q = 5 (the q! elements stay ≤ 120), the dihedral group beyond
        let mut perms: Vec<Vec<u8>> =
            model.spin_permutations(5).into_iter().map(|p| p.into_iter().map(|x| x as u8).collect()).collect();
        // the identity first, so that index 0 is the neutral element
        let id: Vec<u8> = (0..q as u8).collect();
        let pos = perms.iter().position(|p| *p == id).expect("identity is an element");
        perms.swap(0, pos);
        let mult = multiplication_table(&perms);
        let irreps = irreps_of(&mult);
        SpinGroup { q, perms, mult, irreps }
    }

    /// Number of elements |G|.
    pub fn order(&self) -> usize {
        self.perms.len()
    }

    /// The inequivalent irreps.
    pub fn irreps(&self) -> &[Irrep] {
        &self.irreps
    }

    /// The permutations of the spin values.
    pub fn perms(&self) -> &[Vec<u8>] {
        &self.perms
    }

    /// fix(g)^{n_s}: the number of layer states of `n_s` sites that g leaves alone.
    fn fixed_states(&self, g: usize, n_s: usize) -> f64 {
        let fix = self.perms[g].iter().enumerate().filter(|&(a, &b)| a == b as usize).count();
        (fix as f64).powi(n_s as i32)
    }

    /// Multiplicity k_ρ of each irrep in the permutation representation of G on the q^{n_s}
    /// states of `n_s` sites: (1/|G|) Σ_g χ_ρ(g) fix(g)^{n_s} (the block sizes, known before any
    /// state is visited).
    pub fn multiplicities(&self, n_s: usize) -> Vec<f64> {
        self.irreps
            .iter()
            .map(|r| {
                let s: f64 = (0..self.order()).map(|g| trace(&r.mats[g], r.dim) * self.fixed_states(g, n_s)).sum();
                (s / self.order() as f64).round()
            })
            .collect()
    }

    /// Number of G-orbits of the states of `n_s` sites (Burnside's lemma).
    pub fn orbit_count(&self, n_s: usize) -> f64 {
        let s: f64 = (0..self.order()).map(|g| self.fixed_states(g, n_s)).sum();
        (s / self.order() as f64).round()
    }
}

fn trace(m: &[f64], d: usize) -> f64 {
    (0..d).map(|i| m[i * d + i]).sum()
}

fn multiplication_table(perms: &[Vec<u8>]) -> Vec<Vec<usize>> {
    let index = |p: &[u8]| perms.iter().position(|x| x.as_slice() == p).expect("closed under composition");
    perms
        .iter()
        .map(|g| perms.iter().map(|h| index(&h.iter().map(|&x| g[x as usize]).collect::<Vec<u8>>())).collect())
        .collect()
}

/// Real orthogonal irreps from the eigenspaces of a generic symmetric element of the right
/// regular algebra (see the module doc).
fn irreps_of(mult: &[Vec<usize>]) -> Vec<Irrep> {
    let n = mult.len();
    // R(h) e_g = e_{g∘h}; A = Σ_h c_h (R(h) + R(h)ᵀ) with fixed irrational weights (generic)
    let mut a = Mat::<f64>::zeros(n, n);
    for h in 0..n {
        let c = ((h as f64 + 1.0) * 0.754_877_666_246_692_7).fract() + 0.1 * (h as f64 * 1.3).sin();
        for g in 0..n {
            let gh = mult[g][h];
            a[(gh, g)] += c;
            a[(g, gh)] += c;
        }
    }
    let (lam, q) = onsager_linalg::eigh(a.as_ref()).or_fail("the irrep projector eigendecomposition");
    let scale = lam.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    let mut irreps: Vec<Irrep> = Vec::new();
    let mut chars: Vec<Vec<f64>> = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && (lam[j] - lam[i]).abs() < 1e-9 * scale {
            j += 1;
        }
        let d = j - i;
        // ρ(h)[a][b] = Σ_g Q[g,a] Q[h∘g, b]... as Qᵀ L(h) Q with L(h) e_g = e_{h∘g}
        let mats: Vec<Vec<f64>> = (0..n)
            .map(|h| {
                let mut m = vec![0.0; d * d];
                for r in 0..d {
                    for c in 0..d {
                        m[r * d + c] = (0..n).map(|g| q[(mult[h][g], i + r)] * q[(g, i + c)]).sum();
                    }
                }
                m
            })
            .collect();
        let chi: Vec<f64> = mats.iter().map(|m| trace(m, d)).collect();
        let norm: f64 = chi.iter().map(|x| x * x).sum::<f64>() / n as f64;
        assert!((norm - 1.0).abs() < 1e-8, "eigenspace of dimension {d} is not irreducible (⟨χ,χ⟩ = {norm})");
        if !chars.iter().any(|c| c.iter().zip(&chi).all(|(x, y)| (x - y).abs() < 1e-8)) {
            chars.push(chi);
            irreps.push(Irrep { dim: d, mats });
        }
        i = j;
    }
    let total: usize = irreps.iter().map(|r| r.dim * r.dim).sum();
    assert_eq!(total, n, "Σ d_ρ² = |G| (all irreps found)");
    irreps
}

/// The row-1 basis of every irrep on the layer states, orbit by orbit.
#[derive(Debug, Clone)]
pub struct LayerBasis {
    /// the smallest state of each G-orbit
    pub reps: Vec<usize>,
    /// size of each orbit
    pub orbit_size: Vec<usize>,
    /// the states of each orbit (reps\[o\] first)
    pub orbit_states: Vec<Vec<u32>>,
    /// one block per irrep
    pub sectors: Vec<SectorBasis>,
}

/// Basis of one irrep's row-1 space: k columns, column j supported on the orbit `col_orbit[j]`.
#[derive(Debug, Clone)]
pub struct SectorBasis {
    /// d_ρ (the weight of this block in every trace)
    pub dim: usize,
    /// orbit of each column
    pub col_orbit: Vec<u32>,
    /// offset of column j's values in `vals[a]` (its orbit's length of them)
    pub col_offset: Vec<usize>,
    /// the columns of each orbit: `orbit_cols[o]..orbit_cols[o + 1]`
    pub orbit_cols: Vec<usize>,
    /// V^a values for a = 0..d_ρ (a = 0 is the row-1 basis itself)
    pub vals: Vec<Vec<f64>>,
    /// column j = Σ_c alpha\[j·d + c\] P_{1c} e_r (r = its orbit's representative): so that
    /// V_jᵀ F V_i = Σ_c alpha\[j·d + c\] (F V^c_i)(r) for an invariant F, from the rows of F at
    /// the representatives only
    pub alpha: Vec<f64>,
}

impl SectorBasis {
    /// Number of columns k_ρ (the block size).
    pub fn cols(&self) -> usize {
        self.col_orbit.len()
    }
}

impl LayerBasis {
    /// The adapted basis for the states of `n_s` sites with `q` values (index Σ σ_i q^i).
    pub fn new(group: &SpinGroup, n_s: usize) -> Self {
        let q = group.q;
        let n = q.pow(n_s as u32);
        let ng = group.order();
        let act = |g: usize, mut s: usize| -> usize {
            let (mut out, mut p) = (0, 1);
            for _ in 0..n_s {
                out += group.perms[g][s % q] as usize * p;
                s /= q;
                p *= q;
            }
            out
        };
        let mut visited = vec![false; n];
        let (mut reps, mut orbit_size, mut orbit_states) = (Vec::new(), Vec::new(), Vec::new());
        // images[o][g] = position of g·rep in the orbit list
        let mut images: Vec<Vec<u8>> = Vec::new();
        for s in 0..n {
            if visited[s] {
                continue;
            }
            let mut states: Vec<u32> = vec![s as u32];
            let img: Vec<u8> = (0..ng)
                .map(|g| {
                    let t = act(g, s) as u32;
                    let p = states.iter().position(|&x| x == t).unwrap_or_else(|| {
                        states.push(t);
                        states.len() - 1
                    });
                    p as u8
                })
                .collect();
            for &t in &states {
                visited[t as usize] = true;
            }
            reps.push(s);
            orbit_size.push(states.len());
            orbit_states.push(states);
            images.push(img);
        }
        let sectors = group
            .irreps
            .iter()
            .map(|rho| {
                let d = rho.dim;
                let w = d as f64 / ng as f64;
                let mut sb = SectorBasis {
                    dim: d,
                    col_orbit: Vec::new(),
                    col_offset: Vec::new(),
                    orbit_cols: vec![0],
                    vals: vec![Vec::new(); d],
                    alpha: Vec::new(),
                };
                for (o, states) in orbit_states.iter().enumerate() {
                    let len = states.len();
                    // the orbit element at position p is h_p·rep for some h_p; g·(h_p·rep) = (g∘h_p)·rep
                    let h_of: Vec<usize> =
                        (0..len).map(|p| images[o].iter().position(|&x| x as usize == p).unwrap()).collect();
                    let mult_pos = |g: usize, p: usize| -> usize { images[o][group.mult[g][h_of[p]]] as usize };
                    // P_{a1} e_{t}: (d/|G|) Σ_g ρ(g)_{a0} e_{g·t}, as |O| × |O| matrices per a
                    let pmat: Vec<Vec<f64>> = (0..d)
                        .map(|a| {
                            let mut m = vec![0.0; len * len];
                            for p in 0..len {
                                for g in 0..ng {
                                    m[mult_pos(g, p) * len + p] += w * rho.mats[g][a * d];
                                }
                            }
                            m
                        })
                        .collect();
                    // the row-1 space of the orbit is spanned by u_c = P_{1c} e_r, c < d (since
                    // P_11 π(h) = Σ_c ρ(h⁻¹)_{c1} P_{1c}); Gram–Schmidt on them, keeping each
                    // vector's coefficients in the u_c
                    let mut basis: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
                    for c in 0..d {
                        let mut v = vec![0.0; len];
                        for g in 0..ng {
                            v[images[o][g] as usize] += w * rho.mats[g][c];
                        }
                        let mut coef = vec![0.0; d];
                        coef[c] = 1.0;
                        for _ in 0..2 {
                            for (b, bc) in &basis {
                                let x: f64 = v.iter().zip(b).map(|(x, y)| x * y).sum();
                                v.iter_mut().zip(b).for_each(|(vi, y)| *vi -= x * y);
                                coef.iter_mut().zip(bc).for_each(|(ci, y)| *ci -= x * y);
                            }
                        }
                        let nrm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                        if nrm > 1e-8 {
                            v.iter_mut().for_each(|x| *x /= nrm);
                            coef.iter_mut().for_each(|x| *x /= nrm);
                            basis.push((v, coef));
                        }
                    }
                    for (v, coef) in basis {
                        sb.alpha.extend(coef);
                        sb.col_orbit.push(o as u32);
                        sb.col_offset.push(sb.vals[0].len());
                        for (a, pa) in pmat.iter().enumerate() {
                            // V^a = P_{a1} V (V lies in the image of P_11, so P_{a1} V is isometric)
                            let va: Vec<f64> = if a == 0 {
                                v.clone()
                            } else {
                                (0..len).map(|r| (0..len).map(|c| pa[r * len + c] * v[c]).sum()).collect()
                            };
                            sb.vals[a].extend(va);
                        }
                    }
                    sb.orbit_cols.push(sb.col_orbit.len());
                }
                sb
            })
            .collect::<Vec<_>>();
        let dims: usize = sectors.iter().map(|s| s.dim * s.cols()).sum();
        assert_eq!(dims, n, "the irreps' row spaces span the states: Σ d_ρ k_ρ = q^n_s");
        LayerBasis { reps, orbit_size, orbit_states, sectors }
    }

    /// Values of column j of V^a on its orbit's states (in the orbit's order).
    #[inline]
    pub fn column(&self, sector: usize, a: usize, j: usize) -> (&[u32], &[f64]) {
        let sb = &self.sectors[sector];
        let states = &self.orbit_states[sb.col_orbit[j] as usize];
        (states, &sb.vals[a][sb.col_offset[j]..sb.col_offset[j] + states.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_orders_and_irrep_dimensions() {
        // character tables: S_2 (1,1), S_3 (1,1,2), S_4 (1,1,2,3,3), D_6 (1,1,1,1,2,2)
        for (model, order, mut dims) in [
            (Model::Ising, 2, vec![1, 1]),
            (Model::Potts { q: 3 }, 6, vec![1, 1, 2]),
            (Model::Potts { q: 4 }, 24, vec![1, 1, 2, 3, 3]),
            (Model::Clock { q: 6 }, 12, vec![1, 1, 1, 1, 2, 2]),
            (Model::Clock { q: 3 }, 6, vec![1, 1, 2]),
        ] {
            let g = SpinGroup::for_model(model);
            assert_eq!(g.order(), order, "{model}");
            let mut got: Vec<usize> = g.irreps().iter().map(|r| r.dim).collect();
            got.sort();
            dims.sort();
            assert_eq!(got, dims, "{model}");
            // ρ(g)ρ(h) = ρ(g∘h) and orthogonality, for every pair
            for r in g.irreps() {
                let d = r.dim;
                for (a, pa) in g.perms().iter().enumerate() {
                    for (b, pb) in g.perms().iter().enumerate() {
                        let ab: Vec<u8> = pb.iter().map(|&x| pa[x as usize]).collect();
                        let c = g.perms().iter().position(|x| *x == ab).unwrap();
                        assert_eq!(c, g.mult[a][b]);
                        for i in 0..d {
                            for j in 0..d {
                                let p: f64 = (0..d).map(|k| r.mats[a][i * d + k] * r.mats[b][k * d + j]).sum();
                                assert!((p - r.mats[c][i * d + j]).abs() < 1e-10, "{model}: not a homomorphism");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn basis_is_orthonormal_and_multiplicities_match_burnside() {
        for (model, n_s) in
            [(Model::Potts { q: 3 }, 4), (Model::Potts { q: 4 }, 3), (Model::Clock { q: 6 }, 2), (Model::Ising, 5)]
        {
            let g = SpinGroup::for_model(model);
            let b = LayerBasis::new(&g, n_s);
            let n = model.q().pow(n_s as u32);
            assert_eq!(b.reps.len() as f64, g.orbit_count(n_s), "{model}: Burnside");
            for (sec, k) in b.sectors.iter().zip(g.multiplicities(n_s)) {
                assert_eq!(sec.cols() as f64, k, "{model}: block size from characters");
            }
            // all vectors V^a_ρ of all sectors together: an orthonormal basis of R^n
            let mut cols: Vec<Vec<f64>> = Vec::new();
            for (s, sec) in b.sectors.iter().enumerate() {
                for a in 0..sec.dim {
                    for j in 0..sec.cols() {
                        let (st, v) = b.column(s, a, j);
                        let mut full = vec![0.0; n];
                        st.iter().zip(v).for_each(|(&t, &x)| full[t as usize] = x);
                        cols.push(full);
                    }
                }
            }
            assert_eq!(cols.len(), n);
            for i in 0..n {
                for j in 0..n {
                    let p: f64 = cols[i].iter().zip(&cols[j]).map(|(x, y)| x * y).sum();
                    assert!((p - if i == j { 1.0 } else { 0.0 }).abs() < 1e-10, "{model}: ⟨{i},{j}⟩ = {p}");
                }
            }
        }
    }
}
