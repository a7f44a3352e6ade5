//! Free-fermion (Pfaffian) cumulants against the exact transfer matrix and enumeration.

use onsager_exact::enumerate_cumulants;
use onsager_models::{Model, Torus};
use onsager_transfer::fisher::{cumulant_slices, CumulantSlices};
use onsager_transfer::free_fermion::FreeFermion;
use onsager_transfer::geometry::{curvature_from_slices, expand_slices};
use onsager_transfer::streaming;

const KC: f64 = 0.44068679350977147; // ln(1+√2)/2, shared/physics.md

/// Largest deviation of every g and T entry, relative to the largest entry of each.
fn max_dev(a: &CumulantSlices, b: &CumulantSlices) -> (f64, f64) {
    let rel = |x: &[Vec<f64>], y: &[Vec<f64>]| {
        let scale = y.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        x.iter().flatten().zip(y.iter().flatten()).fold(0.0f64, |m, (p, q)| m.max((p - q).abs())) / scale
    };
    (rel(&a.g, &b.g), rel(&a.t, &b.t))
}

fn versus_transfer(lx: usize, ly: usize, k: f64) {
    let torus = Torus::new(&[lx, ly]).unwrap();
    let tm = cumulant_slices(Model::Ising, &torus, &[k, k], 1e10, &|| {}).unwrap();
    let ff = FreeFermion::new(lx, ly, k, k).unwrap().slices();
    assert!((ff.ln_z - tm.ln_z).abs() < 1e-12 * tm.ln_z.abs(), "{lx}x{ly} K={k}: lnZ {} vs {}", ff.ln_z, tm.ln_z);
    for mu in 0..2 {
        assert!((ff.mean[mu] - tm.mean[mu]).abs() < 1e-12, "{lx}x{ly}: mean {:?} vs {:?}", ff.mean, tm.mean);
    }
    let (dg, dt) = max_dev(&ff, &tm);
    // both are exact; rounding of O(N) sums of O(1) terms: 1e-11 of the largest entry
    assert!(dg < 1e-11 && dt < 1e-11, "{lx}x{ly} K={k}: g {dg:e}, T {dt:e}");
    let (a, b) = (curvature_from_slices(&ff), curvature_from_slices(&tm));
    assert!((a.r - b.r).abs() < 1e-10 * b.r.abs(), "{lx}x{ly} K={k}: R {} vs {}", a.r, b.r);
}

#[test]
fn equals_the_transfer_matrix_at_and_off_criticality() {
    // the transfer-matrix path (crates/transfer/src/fisher.rs, itself checked against enumeration)
    for &k in &[KC, 0.3, 0.7] {
        for &(lx, ly) in &[(3, 3), (4, 4), (5, 5), (3, 5), (4, 6), (6, 6)] {
            versus_transfer(lx, ly, k);
        }
    }
}

#[test]
fn equals_enumeration_at_3x3_and_4x4() {
    // brute force over 2^N states (onsager_exact::enumerate_cumulants)
    for &l in &[3, 4] {
        let torus = Torus::new(&[l, l]).unwrap();
        let e = enumerate_cumulants(Model::Ising, &torus, &vec![KC; torus.bonds()]).unwrap();
        let ff = FreeFermion::new(l, l, KC, KC).unwrap().slices();
        let (g, t) = expand_slices(&ff);
        let sg = e.g.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let st = e.t.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(g.iter().zip(&e.g).all(|(a, b)| (a - b).abs() < 1e-11 * sg));
        assert!(t.iter().zip(&e.t).all(|(a, b)| (a - b).abs() < 1e-11 * st));
    }
}

#[test]
fn streaming_curvature_equals_the_stored_slices() {
    // the same R by the O(D³)-memory Fourier route (geometry::curvature_from_slices); the small
    // budget allows one k₁ₓ per slab, so every pass boundary is exercised, both parities of L
    for &(l, k) in &[(3, KC), (4, KC), (5, 0.3), (6, KC), (7, KC), (8, 0.6)] {
        let ff = FreeFermion::new(l, l, k, k).unwrap();
        let want = curvature_from_slices(&ff.slices());
        let (per_kx, fixed) = streaming::bytes(l, l);
        assert_eq!(streaming::passes(l, l, fixed + 1.5 * per_kx), Some(l / 2 + 1));
        for &budget in &[1e9, fixed + 1.5 * per_kx] {
            let got = ff.curvature(budget, &|| {}).expect("fits");
            assert!((got.r - want.r).abs() < 1e-11 * want.r.abs(), "L={l} K={k}: R {} vs {}", got.r, want.r);
            assert!((got.a - want.a).abs() < 1e-11 * want.a.abs().max(1.0), "L={l}: A {} vs {}", got.a, want.a);
            assert!((got.g_min_eig - want.g_min_eig).abs() < 1e-13);
        }
    }
}

/// Two "ranks" as threads: all_sum through a shared buffer and a barrier.
struct Threads {
    rank: usize,
    acc: std::sync::Arc<(std::sync::Mutex<Vec<f64>>, std::sync::Barrier)>,
}

impl streaming::Partition for Threads {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        2
    }
    fn all_sum(&self, x: &mut [f64]) {
        let (buf, bar) = &*self.acc;
        bar.wait();
        if self.rank == 0 {
            *buf.lock().unwrap() = vec![0.0; x.len()];
        }
        bar.wait();
        buf.lock().unwrap().iter_mut().zip(x.iter()).for_each(|(a, b)| *a += b);
        bar.wait();
        x.copy_from_slice(&buf.lock().unwrap());
        bar.wait();
    }
}

#[test]
fn work_shared_by_two_ranks_gives_the_same_curvature() {
    // the split used under MPI (rows and momenta round-robin, slab summed), here with threads;
    // odd and even L, several passes: equal to one process to 1e-12
    for &l in &[9usize, 10] {
        let ff = FreeFermion::new(l, l, KC, KC).unwrap();
        let (per_kx, fixed) = streaming::bytes(l, l);
        let budget = fixed + 2.5 * per_kx;
        let one = ff.curvature(budget, &|| {}).unwrap();
        let acc = std::sync::Arc::new((std::sync::Mutex::new(Vec::new()), std::sync::Barrier::new(2)));
        let results: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..2)
                .map(|rank| {
                    let (ff, acc) = (&ff, acc.clone());
                    s.spawn(move || ff.curvature_shared(budget, &|| {}, &Threads { rank, acc }).unwrap())
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in results {
            assert!((r.r - one.r).abs() < 1e-12 * one.r.abs(), "L={l}: {} vs {}", r.r, one.r);
        }
    }
}

#[test]
fn momentum_route_on_two_ranks_gives_the_same_bits() {
    // the orbits of k₁ dealt round-robin over two "ranks" (threads with an all-sum), odd and
    // even L: R, A, B identical to the bit to one process (shares are summed in a fixed order)
    use onsager_transfer::momentum::NoCheckpoint;
    for &l in &[9usize, 12] {
        let ff = FreeFermion::new(l, l, KC, KC).unwrap();
        let one = ff.curvature_momentum(&|| {}, &streaming::Alone, &NoCheckpoint).unwrap();
        let acc = std::sync::Arc::new((std::sync::Mutex::new(Vec::new()), std::sync::Barrier::new(2)));
        let results: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..2)
                .map(|rank| {
                    let (ff, acc) = (&ff, acc.clone());
                    s.spawn(move || ff.curvature_momentum(&|| {}, &Threads { rank, acc }, &NoCheckpoint).unwrap())
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in results {
            let (a, b) = (r.curvature, one.curvature);
            assert_eq!(
                (a.r.to_bits(), a.a.to_bits(), a.b.to_bits()),
                (b.r.to_bits(), b.a.to_bits(), b.b.to_bits()),
                "L={l}"
            );
        }
    }
}
