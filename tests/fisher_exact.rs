//! The exact Fisher geometry: against closed forms, brute-force reference values, the stored
//! data tables, and its own invariances (transfer direction, positive definiteness).

use onsager::jobs::fisher::{extrapolate, fisher_row, fit, read_csv, FisherMethod};
use onsager::jobs::ModelSpec;
use onsager::models::{Model, Torus};
use onsager::transfer::fisher::cumulant_slices;
use onsager::transfer::geometry::curvature_from_slices;

const KC: f64 = 0.44068679350977147; // ln(1+√2)/2

fn r_of(spec: ModelSpec, l: usize, beta: f64) -> f64 {
    fisher_row(spec, l, beta, FisherMethod::Transfer, 16e9, &|| {}).unwrap().r
}

fn r_torus(model: Model, dims: &[usize], k: f64) -> f64 {
    let t = Torus::new(dims).unwrap();
    curvature_from_slices(&cumulant_slices(model, &t, &vec![k; t.d()], 16e9, &|| {}).unwrap()).r
}

#[test]
fn ising1d_ring_equals_closed_form() {
    // shared/reference.json ising1d_ring_fisher_R (closed form for the periodic chain),
    // given to 9–10 significant digits, hence the 1e-9 relative bound
    let spec = ModelSpec::parse("ising1d", None).unwrap();
    let at_kc = [(4, -0.24), (5, -0.234851778), (6, -0.1470935728), (8, -0.0476608649), (12, -0.0033632536)];
    for (n, v) in at_kc {
        let r = r_of(spec, n, KC);
        assert!((r - v).abs() < 1e-9 * v.abs().max(1e-3), "n={n}: {r} vs {v}");
    }
    for (n, v) in [(4, -12.171746438), (6, -12.3752999753)] {
        let r = r_of(spec, n, 1.0);
        assert!((r - v).abs() < 1e-9 * v.abs(), "K=1 n={n}: {r} vs {v}");
    }
    // R(n=3) = +3/2 for every K (closed form). Deep in the ordered phase the variances are
    // ~e^{-4K}, and rounding in the centred moments is amplified by 1/g_min² (g_min = 1.3e-3 at
    // K = 2, measured): 1e-12 up to K = 1, 1e-9 at K = 2
    for (k, tol) in [(0.1, 1e-12), (0.5, 1e-12), (1.0, 1e-12), (2.0, 1e-9)] {
        assert!((r_of(spec, 3, k) - 1.5).abs() < tol, "K={k}: {}", r_of(spec, 3, k));
    }
}

#[test]
fn potts_reference_values() {
    // shared/reference.json potts2d.fisher_R_Kc_torus_L3 (brute-force enumeration, 7 digits)
    let r3 = r_of(ModelSpec::parse("potts", Some(3)).unwrap(), 3, 1.005052538742381);
    assert!((r3 - -79.85048).abs() < 5e-6, "{r3}");
    let r4 = r_of(ModelSpec::parse("potts", Some(4)).unwrap(), 3, 1.0986122886681098);
    assert!((r4 - -74.88285).abs() < 5e-6, "{r4}");
}

#[test]
fn r_does_not_depend_on_the_transfer_direction() {
    // the same torus with its axes permuted is transferred along a different axis
    for (m, a, b, k) in [
        (Model::Ising, [3usize, 5usize], [5usize, 3usize], KC),
        (Model::Ising, [4, 6], [6, 4], 0.3),
        (Model::Potts { q: 3 }, [3, 4], [4, 3], 1.0),
    ] {
        let (ra, rb) = (r_torus(m, &a, k), r_torus(m, &b, k));
        assert!((ra - rb).abs() < 1e-10 * ra.abs(), "{m} {a:?}: {ra} vs {b:?}: {rb}");
    }
    // 3D: swapping the two in-layer axes (anisotropic couplings swapped along) leaves R alone
    let r = |dims: &[usize], k: &[f64]| {
        let t = Torus::new(dims).unwrap();
        curvature_from_slices(&cumulant_slices(Model::Ising, &t, k, 16e9, &|| {}).unwrap()).r
    };
    let (ra, rb) = (r(&[3, 3, 3], &[0.2, 0.25, 0.22]), r(&[3, 3, 3], &[0.25, 0.2, 0.22]));
    assert!((ra - rb).abs() < 1e-10 * ra.abs(), "3D in-layer swap: {ra} vs {rb}");
}

/// 3D transfer along each of the three axes of a 3×3×4 torus (12-site layers, 4096 states:
/// about 3 minutes on 2 cores). Run with `cargo test --release --test fisher_exact -- --ignored`.
#[test]
#[ignore]
fn r_3d_does_not_depend_on_the_transfer_axis() {
    let perms: [[usize; 3]; 3] = [[3, 3, 4], [3, 4, 3], [4, 3, 3]];
    let rs: Vec<f64> = perms.iter().map(|p| r_torus(Model::Ising, p, 0.221654626)).collect();
    for r in &rs[1..] {
        assert!((r - rs[0]).abs() < 1e-10 * rs[0].abs(), "3D: {rs:?}");
    }
}

#[test]
fn metric_is_positive_definite_and_r_negative_at_kc() {
    let spec = ModelSpec::parse("ising", None).unwrap();
    for l in 3..=7 {
        let row = fisher_row(spec, l, KC, FisherMethod::Transfer, 16e9, &|| {}).unwrap();
        assert!(row.g_min_eig > 0.0 && row.r < 0.0, "L={l}: {row:?}");
    }
}

/// Parses a data/fisher CSV: (L, R, A, B).
fn table(csv: &str) -> Vec<(usize, f64, f64, f64)> {
    csv.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("L,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[2].parse().unwrap(), f[3].parse().unwrap(), f[4].parse().unwrap())
        })
        .collect()
}

#[test]
fn stored_ising_table_is_reproduced() {
    // data/fisher/ising2d_Kc.csv was written by `onsager fisher --sizes 3..11 --csv ...`
    let rows = table(include_str!("../data/fisher/ising2d_Kc.csv"));
    assert!(rows.len() >= 9);
    // its L = 3, 4 rows equal brute force (shared/reference.json, anchors/fisher_bruteforce.py)
    assert!((rows[0].1 - -105.64184956553979).abs() < 1e-10 * 105.6);
    assert!((rows[1].1 - -265.31214279349814).abs() < 1e-10 * 265.3);
    let spec = ModelSpec::parse("ising", None).unwrap();
    for &(l, r, a, b) in rows.iter().filter(|row| row.0 <= 9) {
        let now = fisher_row(spec, l, KC, FisherMethod::Transfer, 16e9, &|| {}).unwrap();
        for (x, y) in [(now.r, r), (now.a, a), (now.b, b)] {
            assert!((x - y).abs() < 1e-12 * y.abs(), "L={l}: {x} vs stored {y}");
        }
    }
}

#[test]
fn stored_potts_and_clock_tables_are_reproduced() {
    // data/fisher/{potts3_Kc,potts3_Kc_L7,potts4_Kc,potts4_Kc_L6,clock6_K1.1}.csv were written by
    // `onsager fisher --model M --q Q --csv ...` with the dense transfer matrix of commit 908c6af
    // (no spin symmetry for q > 2): an independent evaluation of the same traces. Their L = 3
    // Potts rows equal brute force (shared/reference.json, 7 significant digits). The irrep
    // blocks reorder every sum: 1e-12 up to 4^5 layer states, 1e-10 beyond (measured ≤ 2.6e-12).
    let tables = [
        ("potts", 3, 1.005052538742381, include_str!("../data/fisher/potts3_Kc.csv"), Some(-79.85048)),
        ("potts", 3, 1.005052538742381, include_str!("../data/fisher/potts3_Kc_L7.csv"), None),
        ("potts", 4, 1.0986122886681098, include_str!("../data/fisher/potts4_Kc.csv"), Some(-74.88285)),
        ("potts", 4, 1.0986122886681098, include_str!("../data/fisher/potts4_Kc_L6.csv"), None),
        ("clock", 6, 1.1, include_str!("../data/fisher/clock6_K1.1.csv"), None),
    ];
    for (name, q, beta, csv, r3) in tables {
        let rows = table(csv);
        if let Some(r3) = r3 {
            assert!((rows[0].1 - r3).abs() < 5e-6, "{name}{q}: {}", rows[0].1);
        }
        let spec = ModelSpec::parse(name, Some(q)).unwrap();
        // clock 6 L = 5 (6^5 states, 28 s) is in the ignored test below
        for &(l, r, a, b) in rows.iter().filter(|row| name == "potts" || row.0 <= 4) {
            let now = fisher_row(spec, l, beta, FisherMethod::Transfer, 16e9, &|| {}).unwrap();
            let tol = if (q as f64).powi(l as i32) <= 1024.0 { 1e-12 } else { 1e-10 };
            for (x, y) in [(now.r, r), (now.a, a), (now.b, b)] {
                assert!((x - y).abs() < tol * y.abs(), "{name}{q} L={l}: {x} vs stored {y}");
            }
        }
    }
}

/// Clock 6 at L = 5 (7776 layer states, about 30 s) against the stored dense-route table.
/// Run with `cargo test --release --test fisher_exact -- --ignored clock6_l5`.
#[test]
#[ignore]
fn clock6_l5_equals_the_stored_dense_route() {
    // data/fisher/clock6_K1.1.csv, L = 5 row (dense transfer matrix, commit 908c6af, 892 s)
    let spec = ModelSpec::parse("clock", Some(6)).unwrap();
    let now = fisher_row(spec, 5, 1.1, FisherMethod::Transfer, 16e9, &|| {}).unwrap();
    let stored = -100.546_571_376_430_55;
    assert!((now.r - stored).abs() < 1e-10 * stored.abs(), "{} vs {stored}", now.r);
}

#[test]
fn d_r_fit_over_6_to_9_matches_the_paper() {
    // paper (arXiv:2603.07651, shared/reference.json): OLS over L = 6..9 gives 1.11150 ± 0.00023
    let spec = ModelSpec::parse("ising", None).unwrap();
    let rows: Vec<_> = table(include_str!("../data/fisher/ising2d_Kc.csv"))
        .into_iter()
        .map(|(l, r, a, b)| fake_row(l, r, a, b))
        .collect();
    let f = fit(spec, &rows, (6, 9)).unwrap();
    assert!((f.d_r - 1.1115).abs() < 0.0001 && (f.stderr - 0.00023).abs() < 0.00002, "{f:?}");
    assert_eq!(f.predicted.unwrap().0, 10.0 / 9.0);
}

fn fake_row(l: usize, r: f64, a: f64, b: f64) -> onsager::jobs::fisher::FisherRow {
    onsager::jobs::fisher::FisherRow {
        l,
        bonds: 2 * l * l,
        r,
        a,
        b,
        g_min_eig: f64::NAN,
        ln_z: f64::NAN,
        bond_mean: vec![],
        seconds: 0.0,
        method: FisherMethod::Transfer,
        ln_z_dev_kaufman: None,
        peak_rss: None,
        predicted_bytes: None,
        r_digits: 15.0,
        r_error: None,
    }
}

#[test]
fn extrapolation_recovers_a_logarithmic_law() {
    // synthetic exact data ln|R| = 1.05 ln N + 0.3 + 1.2 ln ln N + 2/L (one of the forms): the
    // fit must return d = 1.05 and p = 1.2 to rounding
    let spec = ModelSpec::parse("ising", None).unwrap();
    let rows: Vec<_> = (16..=96)
        .step_by(4)
        .map(|l| {
            let ln_n = 2.0 * (l as f64).ln();
            fake_row(l, -(1.05 * ln_n + 0.3 + 1.2 * ln_n.ln() + 2.0 / l as f64).exp(), 0.0, 0.0)
        })
        .collect();
    let e = extrapolate(spec, &rows).unwrap();
    assert!((e.d_r - 1.05).abs() < 1e-7, "{e:?}");
    assert!((e.central.log_power.unwrap() - 1.2).abs() < 1e-6);
    // a malformed line is reported with its number
    let err = read_csv("# header\nL,bonds\n4,32,x\n", FisherMethod::FreeFermion).unwrap_err();
    assert!(err.starts_with("line 3:"), "{err}");
}

/// A regression test, not a correctness test: the numbers of the analysis quoted in
/// docs/fisher.md, as `onsager fisher --from-csv data/fisher/ising2d_Kc_free_fermion.csv` and
/// `--from-csv data/fisher/ising2d_Kc_L4-256.csv` / `ising2d_Kc_L4-512.csv` printed them. No independent source exists for
/// d_R(∞); the test keeps the quoted numbers and the code that makes them in step.
#[test]
fn regression_extrapolation_of_the_stored_tables() {
    let spec = ModelSpec::parse("ising", None).unwrap();
    // data/fisher/ising2d_Kc_free_fermion.csv (L = 4..128)
    let text = include_str!("../data/fisher/ising2d_Kc_free_fermion.csv");
    let rows = read_csv(text, FisherMethod::FreeFermion).unwrap();
    let e = extrapolate(spec, &rows).unwrap();
    assert!((e.d_r - 0.9951).abs() < 5e-4 && e.uncertainty < 0.01, "{:?}", (e.d_r, e.uncertainty));
    assert!((e.d_r - 10.0 / 9.0).abs() > 10.0 * e.uncertainty);
    let d1 = e.fits.iter().find(|f| f.fixed_d && f.from_l == 64).unwrap();
    assert!((d1.log_power.unwrap() - 1.0).abs() < 0.02 && d1.rms < 1e-9, "{d1:?}");
    // data/fisher/ising2d_Kc_L4-256.csv (the momentum route to 256, after f683ed9): the
    // analysis quoted in docs/fisher.md, d_R(∞) = 0.9954 and p = 1.004 for d = 1 on L ≥ 64
    let rows = read_csv(include_str!("../data/fisher/ising2d_Kc_L4-256.csv"), FisherMethod::Momentum).unwrap();
    assert_eq!((rows.len(), rows.last().unwrap().l), (81, 256));
    let e = extrapolate(spec, &rows).unwrap();
    assert!((e.d_r - 0.9954).abs() < 5e-4 && e.uncertainty < 0.01, "{:?}", (e.d_r, e.uncertainty));
    let d1 = e.fits.iter().find(|f| f.fixed_d && f.from_l == 64).unwrap();
    assert!((d1.log_power.unwrap() - 1.004).abs() < 0.002 && d1.rms < 1e-8, "{d1:?}");
    // data/fisher/ising2d_Kc_L4-512.csv (the same, L = 288 and 512): d_R(∞) = 0.9956, p = 1.003
    let rows = read_csv(include_str!("../data/fisher/ising2d_Kc_L4-512.csv"), FisherMethod::Momentum).unwrap();
    assert_eq!((rows.len(), rows.last().unwrap().l), (83, 512));
    let e = extrapolate(spec, &rows).unwrap();
    assert!((e.d_r - 0.9956).abs() < 5e-4 && e.uncertainty < 0.01, "{:?}", (e.d_r, e.uncertainty));
    let d1 = e.fits.iter().find(|f| f.fixed_d && f.from_l == 64).unwrap();
    assert!((d1.log_power.unwrap() - 1.003).abs() < 0.002 && d1.rms < 5e-8, "{d1:?}");
}

#[test]
fn fisher_ln_z_equals_kaufman() {
    // the Fisher engine's own ln Z is Kaufman's (closed form) to 1e-12
    let spec = ModelSpec::parse("ising", None).unwrap();
    for l in [5, 8] {
        let row = fisher_row(spec, l, KC, FisherMethod::Transfer, 16e9, &|| {}).unwrap();
        let kf = onsager::exact::kaufman_ln_z(l, l, KC);
        assert!((row.ln_z - kf).abs() < 1e-12 * kf, "L={l}");
    }
}

/// The L = 10 and 11 rows of the stored table, recomputed (about 40 s on 2 cores). Run with
/// `cargo test --release --test fisher_exact -- --ignored`.
#[test]
#[ignore]
fn stored_ising_table_large_sizes() {
    let rows = table(include_str!("../data/fisher/ising2d_Kc.csv"));
    let spec = ModelSpec::parse("ising", None).unwrap();
    for &(l, r, _, _) in rows.iter().filter(|row| row.0 >= 10) {
        let now = fisher_row(spec, l, KC, FisherMethod::Transfer, 20e9, &|| {}).unwrap();
        assert!((now.r - r).abs() < 1e-12 * r.abs(), "L={l}: {} vs stored {r}", now.r);
    }
}

#[test]
fn free_fermions_equal_the_transfer_matrix_table() {
    // data/fisher/ising2d_Kc.csv: the transfer-matrix path, L = 3..12 (every size both can do)
    let spec = ModelSpec::parse("ising", None).unwrap();
    let rows = table(include_str!("../data/fisher/ising2d_Kc.csv"));
    assert!(rows.iter().any(|r| r.0 == 12));
    for &(l, r, a, b) in &rows {
        let ff = fisher_row(spec, l, KC, FisherMethod::FreeFermion, 16e9, &|| {}).unwrap();
        for (x, y) in [(ff.r, r), (ff.a, a), (ff.b, b)] {
            assert!((x - y).abs() < 1e-10 * y.abs(), "L={l}: free fermions {x} vs transfer matrix {y}");
        }
        // Kaufman's closed form for ln Z
        assert!(ff.ln_z_dev_kaufman.unwrap() < 1e-12, "L={l}: {:?}", ff.ln_z_dev_kaufman);
    }
}

/// Recomputes the rows of data/fisher/ising2d_Kc_free_fermion.csv with `pick(L)` true.
fn reproduce_free_fermion_table(pick: impl Fn(usize) -> bool) {
    // written by `onsager fisher --sizes 4..64,68,...,128 --csv ...` (docs/fisher.md)
    let rows = table(include_str!("../data/fisher/ising2d_Kc_free_fermion.csv"));
    assert!(rows.iter().any(|r| r.0 == 128));
    let spec = ModelSpec::parse("ising", None).unwrap();
    let mut done = 0;
    for &(l, r, a, b) in rows.iter().filter(|row| pick(row.0)) {
        let now = fisher_row(spec, l, KC, FisherMethod::FreeFermion, 16e9, &|| {}).unwrap();
        for (x, y) in [(now.r, r), (now.a, a), (now.b, b)] {
            // deterministic up to the order of rayon's reductions: 1e-12
            assert!((x - y).abs() < 1e-12 * y.abs(), "L={l}: {x} vs stored {y}");
        }
        assert!(now.ln_z_dev_kaufman.unwrap() < 1e-12, "L={l}: {:?}", now.ln_z_dev_kaufman);
        done += 1;
    }
    assert!(done > 0);
}

#[test]
fn stored_free_fermion_table_is_reproduced() {
    reproduce_free_fermion_table(|l| l <= 12 || l == 16 || l == 24 || l == 32);
}

/// Heavy (about 4 minutes and 9 GiB on 2 cores): run with
/// `cargo test --release --test fisher_exact -- --ignored stored_free_fermion_table_to_128`
#[test]
#[ignore]
fn stored_free_fermion_table_to_128() {
    reproduce_free_fermion_table(|l| l == 64 || l == 128);
}

#[test]
fn three_d_cumulants_sum_to_the_energy_cumulants_of_the_exact_dos() {
    // an independent route for the 3D transfer-matrix cumulants (the 3D tori are above the
    // 25-spin enumeration limit): Σ_ab g_ab = κ₂(Σ_b f_b) = Var(E) and Σ_abc T_abc = κ₃(Σ f) =
    // −κ₃(E), with κ₂, κ₃ of E from the exact counts of the microcanonical transfer matrix (a
    // different algorithm: integer polynomials, no eigenvectors). By translation invariance
    // Σ_a = N Σ_c over the d bonds of site 0. (Potts 3 on 3×3×3 would need 19 GiB here.)
    use onsager::exact::microcanonical::energy_counts;
    for (model, dims, k) in [(Model::Ising, vec![3, 3, 3], 0.2), (Model::Ising, vec![3, 3, 4], 0.35)] {
        let t = Torus::new(&dims).unwrap();
        let s = cumulant_slices(model, &t, &[k; 3], 16e9, &|| {}).unwrap();
        let n = t.sites() as f64;
        let sum_g: f64 = n * s.g.iter().flatten().sum::<f64>();
        let sum_t: f64 = n * s.t.iter().flatten().sum::<f64>();
        let counts = energy_counts(model, &t, &|_, _| {}).unwrap();
        let lv = counts.levels();
        let lw: Vec<f64> = lv.iter().map(|(e, c)| onsager::exact::dos::ln_big(c) - k * e).collect();
        let top = lw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = lw.iter().map(|l| (l - top).exp()).collect();
        let z: f64 = w.iter().sum();
        let mean = lv.iter().zip(&w).map(|((e, _), w)| e * w).sum::<f64>() / z;
        let kappa = |p: i32| lv.iter().zip(&w).map(|((e, _), w)| (e - mean).powi(p) * w).sum::<f64>() / z;
        let (k2, k3) = (kappa(2), -kappa(3));
        // sums of D² and D³ entries of both signs, each good to ~1e-14 of the largest
        assert!((sum_g - k2).abs() < 1e-10 * k2.abs(), "{model} {dims:?}: Σg = {sum_g} vs Var(E) = {k2}");
        assert!((sum_t - k3).abs() < 1e-9 * k3.abs(), "{model} {dims:?}: ΣT = {sum_t} vs −κ₃(E) = {k3}");
        // and ln Z itself
        assert!((s.ln_z - (top + z.ln())).abs() < 1e-12 * s.ln_z, "{model} {dims:?}: ln Z");
    }
}
