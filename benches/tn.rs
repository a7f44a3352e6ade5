//! Criterion benches of one RG step at χ = 32 (TRG, HOTRG; steady state after the bond
//! dimension saturated) and of one CTMRG iteration at χ = 64, 2D Ising at K_c.
//!
//! Run: `cargo bench --bench tn`; the numpy peers are `python3 ../shared/anchors/trg.py trg 32`
//! and `... hotrg 32` (see scripts/compare_tn.py for the side-by-side run).
use criterion::{criterion_group, criterion_main, Criterion};
use onsager::models::Model;
use onsager::tn::ctmrg::Ctmrg;
use onsager::tn::hotrg::Hotrg;
use onsager::tn::initial::{site_tensor_2d, Insertion};
use onsager::tn::trg::Trg;
use onsager::tn::{run, CoarseGraining, Stop, Truncation};

const KC: f64 = 0.44068679350977147;

fn saturated<S: CoarseGraining>(mut s: S, chi: usize) -> S {
    run(&mut s, &Truncation::chi(chi), &Stop::MaxSteps(6), &mut |_, _| {});
    s
}

fn steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("rg_step");
    g.sample_size(10);
    let a = site_tensor_2d(Model::Ising, KC, 0.0, Insertion::None);
    let t = Truncation::chi(32);
    let trg = saturated(Trg::new(a.clone()), 32);
    g.bench_function("trg_chi32", |b| {
        b.iter_batched(|| trg.clone(), |mut s| s.step(&t), criterion::BatchSize::LargeInput)
    });
    let hotrg = saturated(Hotrg::new(a.clone()), 32);
    g.bench_function("hotrg_chi32", |b| {
        b.iter_batched(|| hotrg.clone(), |mut s| s.step(&t), criterion::BatchSize::LargeInput)
    });
    let mut ctm = Ctmrg::new(a, 64);
    ctm.converge(0.0, 200);
    g.bench_function("ctmrg_chi64_iteration", |b| {
        b.iter_batched(|| ctm.clone(), |mut s| s.converge(0.0, 1), criterion::BatchSize::LargeInput)
    });
    g.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
