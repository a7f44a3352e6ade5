//! Criterion benches of the exact Fisher curvature, one size per model:
//! 2D Ising L = 8 and 9, Potts q = 3 L = 5, Potts q = 4 L = 4, clock q = 6 L = 4, 3D Ising L = 3.
//!
//! Free fermions (2D Ising at K_c): L = 16, 32, 64.
//!
//! Run: `cargo bench --bench fisher`; the numpy peer of the transfer-matrix path is
//! `python3 ../shared/anchors/fisher_tm.py ising 2 0.44068679350977147 9 10 11`; the free-fermion
//! reference outside the project (issue 4) took 7.5 s at L = 32 and 112 s at L = 64.
use criterion::{criterion_group, criterion_main, Criterion};
use onsager::jobs::fisher::{fisher_row, FisherMethod};
use onsager::jobs::ModelSpec;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("fisher");
    g.sample_size(10);
    let cases: [(&str, Option<usize>, usize, &str); 6] = [
        ("ising", None, 8, "critical"),
        ("ising", None, 9, "critical"),
        ("potts", Some(3), 5, "critical"),
        ("potts", Some(4), 4, "critical"),
        ("clock", Some(6), 4, "1.1"),
        ("ising3d", None, 3, "critical"),
    ];
    for (name, q, l, beta) in cases {
        let spec = ModelSpec::parse(name, q).expect("valid model");
        let (b, _) = spec.beta(beta).expect("valid beta");
        g.bench_function(format!("{}_L{l}", spec.name()), |bn| {
            bn.iter(|| fisher_row(spec, l, b, FisherMethod::Transfer, 16e9, &|| {}).expect("fits in memory"))
        });
    }
    let spec = ModelSpec::parse("ising", None).expect("valid model");
    let (kc, _) = spec.beta("critical").expect("valid beta");
    for l in [16, 32, 64] {
        g.bench_function(format!("ising_free_fermion_L{l}"), |bn| {
            bn.iter(|| fisher_row(spec, l, kc, FisherMethod::FreeFermion, 16e9, &|| {}).expect("fits in memory"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
