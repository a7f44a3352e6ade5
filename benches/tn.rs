//! Criterion benches of one RG step at χ = 32 (TRG, BTRG, HOTRG with the Z₂ blocks and dense;
//! steady state after the bond dimension saturated), one 3D HOTRG step at χ = 10 (3D Ising at
//! K_c; the peer is ../shared/anchors/hotrg3d.py, side by side in scripts/compare_hotrg3d.py),
//! and one CTMRG iteration at χ = 64 (C4v and directional), 2D Ising at K_c. The whole C4v
//! fixed point at K_c, χ = 32, by the fixed-point corner method (`ctmrg_fixed_point/fpcm_chi32`,
//! from 50 power iterations to the 1e-10 criterion; the power method and ../shared/anchors/ctm.py
//! run into their 20 000-iteration caps instead: scripts/compare_ctmrg.py).
//!
//! Also one full DMRG sweep (left → right → left) of the open TFIM chain, N = 100, g = 1, χ = 64,
//! from the converged state (issue 6; the TeNPy side-by-side is scripts/compare_dmrg.py).
//!
//! Run: `cargo bench --bench tn`; the numpy peers are `python3 ../shared/anchors/trg.py trg 32`
//! and `... hotrg 32` (see scripts/compare_tn.py for the side-by-side run).
use criterion::{criterion_group, criterion_main, Criterion};
use onsager::models::Model;
use onsager::tn::btrg::Btrg;
use onsager::tn::ctmrg::Ctmrg;
use onsager::tn::ctmrg_directional::DirectionalCtmrg;
use onsager::tn::hotrg::Hotrg;
use onsager::tn::hotrg3d::Hotrg3d;
use onsager::tn::initial::{free_boundary, leg_parity, site_tensor_2d, site_tensor_3d, Insertion};
use onsager::tn::trg::Trg;
use onsager::tn::{run, CoarseGraining, Stop, Truncation};

const KC: f64 = 0.44068679350977147;

fn saturated<S: CoarseGraining>(mut s: S, chi: usize, steps: usize) -> S {
    run(&mut s, &Truncation::chi(chi), &Stop::MaxSteps(steps), &mut |_, _| {});
    s
}

fn steps(c: &mut Criterion) {
    onsager::tune_allocator();
    let mut g = c.benchmark_group("rg_step");
    g.sample_size(10);
    let a = site_tensor_2d(Model::Ising, KC, 0.0, Insertion::None);
    let t = Truncation::chi(32);
    let trg = saturated(Trg::new(a.clone()), 32, 6);
    g.bench_function("trg_chi32", |b| {
        b.iter_batched(|| trg.clone(), |mut s| s.step(&t), criterion::BatchSize::LargeInput)
    });
    let btrg = saturated(Btrg::new(a.clone(), -0.5), 32, 6);
    g.bench_function("btrg_chi32", |b| {
        b.iter_batched(|| btrg.clone(), |mut s| s.step(&t), criterion::BatchSize::LargeInput)
    });
    let hotrg = saturated(Hotrg::with_parity(a.clone(), leg_parity(Model::Ising, KC, 0.0)), 32, 12);
    g.bench_function("hotrg_chi32", |b| {
        b.iter_batched(|| hotrg.clone(), |mut s| s.step(&t), criterion::BatchSize::LargeInput)
    });
    let dense = saturated(Hotrg::new(a.clone()), 32, 12);
    g.bench_function("hotrg_chi32_dense", |b| {
        b.iter_batched(|| dense.clone(), |mut s| s.step(&t), criterion::BatchSize::LargeInput)
    });
    let k3 = 0.221654626;
    let h3 = Hotrg3d::new(site_tensor_3d(Model::Ising, k3, 0.0), leg_parity(Model::Ising, k3, 0.0));
    let h3 = saturated(h3, 10, 10);
    let t10 = Truncation::chi(10);
    g.bench_function("hotrg3d_chi10", |b| {
        b.iter_batched(|| h3.clone(), |mut s| s.step(&t10), criterion::BatchSize::LargeInput)
    });
    let free = free_boundary(Model::Ising, KC);
    let mut dir = DirectionalCtmrg::with_boundary(a.clone(), 64, &free, &free);
    dir.converge(0.0, 100);
    g.bench_function("ctmrg_directional_chi64_iteration", |b| {
        b.iter_batched(|| dir.clone(), |mut s| s.iterate(), criterion::BatchSize::LargeInput)
    });
    let mut ctm = Ctmrg::new(a.clone(), 64);
    ctm.converge(0.0, 200);
    g.bench_function("ctmrg_chi64_iteration", |b| {
        b.iter_batched(|| ctm.clone(), |mut s| s.converge(0.0, 1), criterion::BatchSize::LargeInput)
    });
    g.finish();
    let mut g = c.benchmark_group("ctmrg_fixed_point");
    g.sample_size(10);
    let mut warm = Ctmrg::new(a, 32);
    warm.converge(0.0, 50);
    g.bench_function("fpcm_chi32", |b| b.iter(|| onsager::tn::fpcm::fixed_point(&warm, 1e-10, 2000).1.iterations));
    g.finish();
}

fn dmrg_sweep(c: &mut Criterion) {
    onsager::tune_allocator();
    use onsager::tn::dmrg::{dmrg, dmrg_from, DmrgOptions};
    use onsager::tn::mpo::Mpo;
    let mut g = c.benchmark_group("dmrg");
    g.sample_size(10);
    let h = Mpo::tfim(100, 1.0);
    let opts = DmrgOptions { chi: 64, ..Default::default() };
    let converged = dmrg(&h, &opts).expect("valid options").mps;
    let one = DmrgOptions { stop: onsager::tn::Stop::MaxSteps(1), ..opts };
    g.bench_function("tfim_n100_chi64_sweep", |b| {
        b.iter(|| dmrg_from(&h, &one, Some(&converged), &mut |_, _| {}).expect("valid options").energy)
    });
    g.finish();
}

criterion_group!(benches, steps, dmrg_sweep);
criterion_main!(benches);
