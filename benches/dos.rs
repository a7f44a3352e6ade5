//! Criterion benches of the exact density of states, one size per model: the microcanonical
//! transfer matrix (Potts q = 3 6×6, clock q = 6 4×4, Ising 4×4×3 in 3D) and the Pfaffian route
//! (2D Ising 32×32); the exact magnetization moments at K_c (Potts q = 3 6×6, Ising 4×4×3) and
//! the joint counts g(E, M) of the Ising 6×6 torus.
//!
//! Run: `cargo bench --bench dos`. The required sizes (Potts 3 8×8, Potts 4 8×8, clock 6 6×6,
//! Ising 4×4×4) are whole-process timings of `onsager dos` in docs/benchmarks.md.
use criterion::{criterion_group, criterion_main, Criterion};
use onsager::exact::microcanonical::energy_counts;
use onsager::models::{Model, Torus};

fn dos(c: &mut Criterion) {
    let mut g = c.benchmark_group("dos");
    g.sample_size(10);
    for (name, model, dims) in [
        ("potts3_6x6", Model::Potts { q: 3 }, vec![6, 6]),
        ("clock6_4x4", Model::Clock { q: 6 }, vec![4, 4]),
        ("ising3d_4x4x3", Model::Ising, vec![4, 4, 3]),
    ] {
        let t = Torus::new(&dims).expect("valid torus");
        g.bench_function(format!("transfer_{name}"), |b| {
            b.iter(|| energy_counts(model, &t, &|_, _| {}).expect("fits"))
        });
    }
    g.bench_function("pfaffian_ising_32x32", |b| b.iter(|| onsager::exact::dos::ising_dos(32, 32)));
    for (name, model, dims, k) in [
        ("potts3_6x6", Model::Potts { q: 3 }, vec![6, 6], 1.005_052_538_742_381),
        ("ising3d_4x4x3", Model::Ising, vec![4, 4, 3], 0.221_654_626),
    ] {
        let t = Torus::new(&dims).expect("valid torus");
        g.bench_function(format!("magnetization_{name}"), |b| {
            b.iter(|| onsager::exact::order_parameter::moments(model, &t, k, &|_, _| {}).expect("fits"))
        });
    }
    let t = Torus::new(&[6, 6]).expect("valid torus");
    g.bench_function("joint_ising_6x6", |b| {
        b.iter(|| onsager::exact::microcanonical::joint_counts(&t, &|_, _| {}).expect("fits"))
    });
    g.finish();
}

criterion_group!(benches, dos);
criterion_main!(benches);
