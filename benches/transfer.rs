//! Criterion benches of the transfer-matrix kernels: the matrix-free product W·x (2D Ising,
//! widths 16 and 20) and the top six levels of the width-16 and width-20 cylinders at K_c.
//!
//! Run: `cargo bench --bench transfer`. Compare with `python3 ../shared/anchors/strip.py`
//! (dense numpy) on the widths both can do (see docs/benchmarks.md).
use criterion::{criterion_group, criterion_main, Criterion};
use onsager::models::Model;
use onsager::transfer::{cylinder, Strip};

const KC: f64 = 0.44068679350977147;

fn product(c: &mut Criterion) {
    for w in [16usize, 20] {
        let s = Strip::square(Model::Ising, w, KC).expect("valid strip");
        let n = s.n_states().expect("fits");
        let h = s.half_diagonal();
        let x = vec![1.0; n];
        let (mut y, mut scratch) = (vec![0.0; n], vec![0.0; n]);
        c.bench_function(&format!("ising_tm_product_width{w}"), |b| b.iter(|| s.apply(&h, &x, &mut y, &mut scratch)));
    }
}

fn cylinders(c: &mut Criterion) {
    let mut g = c.benchmark_group("cylinder");
    g.sample_size(10);
    for w in [12usize, 16, 20] {
        let s = Strip::square(Model::Ising, w, KC).expect("valid strip");
        g.bench_function(format!("ising_cylinder_width{w}_6_levels"), |b| {
            b.iter(|| cylinder::spectrum(&s, 6, 16e9).expect("converges"))
        });
    }
    g.finish();
}

/// One k₁ of the momentum-space Fisher curvature at L = 64 (102 FFTs of 64 × 64 and the
/// contraction): the unit of work of `onsager fisher --method momentum` (561 orbits at L = 64).
fn momentum_k1(c: &mut Criterion) {
    let kc = 0.44068679350977147; // ln(1+√2)/2
    let ff = onsager_transfer::free_fermion::FreeFermion::new(64, 64, kc, kc).expect("valid torus");
    let tables = onsager_transfer::momentum::MomentumTables::new(&ff);
    c.bench_function("fisher_momentum_one_k1_L64", |b| b.iter(|| tables.share((5, 3))));
}

criterion_group!(benches, product, cylinders, momentum_k1);
criterion_main!(benches);
