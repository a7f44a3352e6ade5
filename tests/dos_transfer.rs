//! The microcanonical transfer-matrix DOS through the typed job (`onsager::jobs::dos`): exact
//! low-temperature counts from closed-form droplet counting, the E → −E symmetry of bipartite
//! Ising tori, Σ g = q^N, lnZ from the counts against `onsager partition`, and validate on Potts.

use onsager::jobs::dos::{run, DosMethod, DosParams, DosRecord};
use onsager::jobs::params::LatticeParams;
use onsager::jobs::Ctx;

fn lattice(lx: usize, ly: Option<usize>, lz: Option<usize>) -> LatticeParams {
    LatticeParams { lx, ly, lz }
}

fn dos(model: &str, q: Option<usize>, dims: &[usize]) -> DosRecord {
    let p = DosParams {
        model: model.into(),
        q,
        lattice: lattice(dims[0], dims.get(1).copied(), dims.get(2).copied()),
        ..DosParams::default()
    };
    run(&p, &Ctx::default()).unwrap()
}

/// g at the lowest energies, as (E, count) pairs.
fn lowest(r: &DosRecord, n: usize) -> Vec<(f64, u64)> {
    r.energies.iter().zip(&r.counts).take(n).map(|(&e, c)| (e, c.parse().unwrap())).collect()
}

#[test]
fn potts3_8x8_low_temperature_counts_and_total() {
    // 3 ground states; one flipped site (4 broken bonds): 3·64·2; an adjacent pair flipped to one
    // colour (6 broken): 3·128·2; to two different colours (7 broken): 3·128·2; no other
    // configuration breaks fewer than 8 bonds. E = −128 + broken.
    let r = dos("potts", Some(3), &[8, 8]);
    assert_eq!(r.method, "microcanonical-transfer-matrix");
    assert_eq!(lowest(&r, 4), vec![(-128.0, 3), (-124.0, 384), (-122.0, 768), (-121.0, 768)]);
    assert_eq!(r.total, "3433683820292512484657849089281"); // 3^64
    let s: num_bigint::BigUint = r.counts.iter().map(|c| c.parse::<num_bigint::BigUint>().unwrap()).sum();
    assert_eq!(s.to_string(), r.total);
    // the highest level: no bond satisfied needs a proper 3-colouring of the 8×8 torus
    assert_eq!(*r.energies.last().unwrap(), 0.0);
}

#[test]
fn clock6_4x4_low_temperature_counts() {
    // clock 6, 4×4: 6 ground states (E = −32); one site turned by ±60° costs 4·½: 6·16·2 at
    // E = −30; an adjacent pair turned together costs 6·½: 6·32·2 at E = −29
    let r = dos("clock", Some(6), &[4, 4]);
    assert_eq!(lowest(&r, 3), vec![(-32.0, 6), (-30.0, 192), (-29.0, 384)]);
    assert_eq!(r.total, "2821109907456"); // 6^16
}

#[test]
fn ising3d_4x4x4_counts() {
    // 2^64 configurations (the required 3D size; about 150 s on 2 cores). Closed forms at low
    // temperature: 2 ground states (E = −192); one flipped spin breaks 6 bonds: 2·64; an
    // adjacent pair 10: 2·192; a non-adjacent pair 12: 2·(C(64,2) − 192) = 3648. The cubic torus
    // with even sides is bipartite, so g(E) = g(−E).
    let r = dos("ising3d", None, &[4, 4, 4]);
    assert_eq!(lowest(&r, 4), vec![(-192.0, 2), (-180.0, 128), (-172.0, 384), (-168.0, 3648)]);
    assert_eq!(r.total, "18446744073709551616");
    let n = r.energies.len();
    for i in 0..n {
        assert_eq!(r.energies[i], -r.energies[n - 1 - i]);
        assert_eq!(r.counts[i], r.counts[n - 1 - i]);
    }
    let s: num_bigint::BigUint = r.counts.iter().map(|c| c.parse::<num_bigint::BigUint>().unwrap()).sum();
    assert_eq!(s.to_string(), r.total);
}

#[test]
fn ln_z_from_counts_equals_partition() {
    // the transfer-matrix partition function (an independent code path: dense row transfer
    // matrices in crates/transfer) at several β, to 1e-12 relative
    use onsager::jobs::partition::{partition, Method};
    use onsager::jobs::ModelSpec;
    for (model, q, dims) in
        [("potts", Some(3), vec![5, 6]), ("clock", Some(6), vec![3, 4]), ("ising3d", None, vec![3, 3, 3])]
    {
        let spec = ModelSpec::parse(model, q).unwrap();
        let torus = onsager::models::Torus::new(&dims).unwrap();
        let p = DosParams {
            model: model.into(),
            q,
            lattice: lattice(dims[0], Some(dims[1]), dims.get(2).copied()),
            beta: vec!["0.2".into(), "0.7".into(), "3.0".into()],
            ..DosParams::default()
        };
        let r = run(&p, &Ctx::default()).unwrap();
        for t in &r.thermodynamics {
            let want = partition(spec, &torus, t.beta, Method::Transfer, 1e10).unwrap().ln_z;
            assert!((t.ln_z - want).abs() < 1e-12 * want.abs(), "{model} {dims:?} β={}: {} vs {want}", t.beta, t.ln_z);
        }
    }
}

#[test]
fn methods_agree_and_wrong_ones_are_named() {
    // enumeration is the brute-force rung: equal to the transfer matrix count for count
    let t = DosParams { model: "potts".into(), q: Some(4), lattice: lattice(3, Some(3), None), ..DosParams::default() };
    let e = DosParams { method: DosMethod::Enumerate, ..t.clone() };
    let (rt, re) = (run(&t, &Ctx::default()).unwrap(), run(&e, &Ctx::default()).unwrap());
    assert_eq!((rt.energies, rt.counts), (re.energies, re.counts));
    let bad = DosParams { method: DosMethod::Pfaffian, ..t.clone() };
    assert!(run(&bad, &Ctx::default()).unwrap_err().to_string().starts_with("method"));
    // β → ∞: every weight on the ground states, C = 0 exactly (not 0·∞); past the double range: refused
    let cold = DosParams { beta: vec!["1e300".into()], ..t.clone() };
    let th = &run(&cold, &Ctx::default()).unwrap().thermodynamics[0];
    assert_eq!((th.energy_per_site, th.specific_heat_per_site), (-2.0, 0.0)); // E_0/N = −2 bonds per site
    let hotter = DosParams { beta: vec!["1e308".into()], ..t.clone() };
    assert!(run(&hotter, &Ctx::default()).unwrap_err().to_string().contains("overflows"));
    let c5 = DosParams { model: "clock".into(), q: Some(5), lattice: lattice(3, None, None), ..DosParams::default() };
    assert!(run(&c5, &Ctx::default()).unwrap_err().to_string().contains("q ∈ {2, 3, 4, 6}"));
    let big = DosParams { model: "ising3d".into(), lattice: lattice(5, None, None), ..DosParams::default() };
    let msg = run(&big, &Ctx { memory_budget: 1e9, ..Ctx::default() }).unwrap_err().to_string();
    assert!(msg.contains("needs") && msg.contains("GiB"), "{msg}");
}

#[test]
fn potts_heat_bath_chain_validates_against_the_transfer_dos() {
    // 6×6 3-state Potts at K_c (3^36 states: beyond enumeration), heat-bath sweeps, E after each
    // sweep: consistent at the true β, inconsistent against the exact P(E) of a 10 % larger β
    use onsager::jobs::validate::{exact_reference, validate, Samples};
    use onsager::jobs::ModelSpec;
    let (l, q) = (6usize, 3usize);
    let kc = 1.005_052_538_742_381; // ln(1 + √3), shared/physics.md
    let mut rng = 0x9e3779b97f4a7c15u64;
    let mut next = || {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut s = vec![0usize; l * l];
    let mut energy = Vec::new();
    for sweep in 0..40_500 {
        for i in 0..l * l {
            let (x, y) = (i % l, i / l);
            let nb = [(x + 1) % l + y * l, (x + l - 1) % l + y * l, x + ((y + 1) % l) * l, x + ((y + l - 1) % l) * l];
            let w: Vec<f64> = (0..q).map(|c| (kc * nb.iter().filter(|&&j| s[j] == c).count() as f64).exp()).collect();
            let u = next() * w.iter().sum::<f64>();
            let mut acc = 0.0;
            s[i] = (0..q)
                .find(|&c| {
                    acc += w[c];
                    acc >= u
                })
                .unwrap_or(q - 1);
        }
        if sweep >= 500 {
            let mut e = 0.0;
            for i in 0..l * l {
                let (x, y) = (i % l, i / l);
                e -= f64::from(u8::from(s[i] == s[(x + 1) % l + y * l]) + u8::from(s[i] == s[x + ((y + 1) % l) * l]));
            }
            energy.push(e);
        }
    }
    let samples = Samples { energy, magnetization: None };
    let spec = ModelSpec::parse("potts", Some(q)).unwrap();
    let ex = exact_reference(spec, &[l, l], kc).unwrap();
    assert!(ex.source.contains("transfer"), "{}", ex.source);
    let good = validate(&samples, &ex, kc, l * l).unwrap();
    assert_eq!(good.verdict, "consistent", "{good:?}");
    let wrong = exact_reference(spec, &[l, l], 1.1 * kc).unwrap();
    let bad = validate(&samples, &wrong, 1.1 * kc, l * l).unwrap();
    assert_eq!(bad.verdict, "inconsistent", "{bad:?}");
}

#[test]
fn stored_potts3_10x10_table_sums_to_3_pow_100_with_droplet_counts() {
    // data/dos/potts3_10x10.csv (1597 s to regenerate: data/dos/README.md). Independent checks of
    // the stored table: Σ g = 3^100 exactly, the closed-form droplet counts at the bottom
    // (3, 3·100·2, 3·200·2, 3·200·2) and, the torus being bipartite, a top level E = 0
    // (proper 3-colourings exist)
    let text = std::fs::read_to_string("data/dos/potts3_10x10.csv").unwrap();
    let rows: Vec<(f64, num_bigint::BigUint)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("energy"))
        .map(|l| {
            let (e, c) = l.split_once(',').unwrap();
            (e.parse().unwrap(), c.parse().unwrap())
        })
        .collect();
    let total: num_bigint::BigUint = rows.iter().map(|r| &r.1).sum();
    assert_eq!(total, num_bigint::BigUint::from(3u8).pow(100));
    let low: Vec<(f64, String)> = rows.iter().take(4).map(|(e, c)| (*e, c.to_string())).collect();
    assert_eq!(
        low,
        [(-200.0, "3"), (-196.0, "600"), (-194.0, "1200"), (-193.0, "1200")].map(|(e, c)| (e, c.to_string()))
    );
    assert_eq!(rows.last().unwrap().0, 0.0);
}

#[test]
fn magnetization_moments_equal_the_fourier_route_on_ising_tori() {
    // two independent routes to P(M) of the 2D Ising torus: the Fourier inversion of Z(θ)
    // (onsager_transfer::magnetization, absolute error ~1e-15 per P(M)) and the transfer matrix
    // over the magnetization lattice (onsager_exact::order_parameter)
    use onsager::models::{Model, Torus};
    for &(lx, ly, k) in &[(8usize, 8usize, 0.44068679350977147), (6, 10, 0.3), (12, 4, 0.6)] {
        let p = onsager_transfer::magnetization::magnetization_distribution(lx, ly, k).unwrap();
        let n = (lx * ly) as f64;
        let mom = |f: &dyn Fn(f64) -> f64| p.iter().enumerate().map(|(j, w)| w * f(2.0 * j as f64 - n)).sum::<f64>();
        let m = onsager_exact::order_parameter::moments(Model::Ising, &Torus::new(&[lx, ly]).unwrap(), k, &|_, _| {})
            .unwrap();
        for (got, want) in [(m.abs_m, mom(&|x| x.abs())), (m.m2, mom(&|x| x * x)), (m.m4, mom(&|x| x.powi(4)))] {
            assert!((got - want).abs() < 1e-12 * want, "{lx}x{ly} K={k}: {got} vs {want}");
        }
    }
}
