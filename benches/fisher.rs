//! Criterion benches of the exact Fisher curvature, one size per model:
//! 2D Ising L = 8 and 9, Potts q = 3 L = 5, Potts q = 4 L = 4, clock q = 6 L = 4, 3D Ising L = 3.
//!
//! Run: `cargo bench --bench fisher`; the numpy peer is
//! `python3 ../shared/anchors/fisher_tm.py ising 2 0.44068679350977147 9 10 11`.
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
