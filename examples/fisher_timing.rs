//! Times the exact transfer-matrix Fisher curvature of the 2D Ising torus at K_c for the sizes
//! given on the command line: `cargo run --release --example fisher_timing -- 8 9 10`.
use onsager_models::{Model, Torus};
use onsager_transfer::{fisher::cumulant_slices, geometry::curvature_from_slices};

fn main() {
    let kc = (1.0 + 2f64.sqrt()).ln() / 2.0;
    for l in std::env::args().skip(1).map(|a| a.parse::<usize>().expect("size")) {
        let t0 = std::time::Instant::now();
        let torus = Torus::new(&[l, l]).unwrap();
        let s = cumulant_slices(Model::Ising, &torus, &[kc, kc], 2e10, &|| {}).unwrap();
        let t1 = t0.elapsed().as_secs_f64();
        let c = curvature_from_slices(&s);
        println!(
            "L={l} R={:.12e} A={:.6e} B={:.6e} slices {:.2}s total {:.2}s",
            c.r,
            c.a,
            c.b,
            t1,
            t0.elapsed().as_secs_f64()
        );
    }
}
