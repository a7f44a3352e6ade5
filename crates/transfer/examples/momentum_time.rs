//! Times the momentum route against the streamed route: `cargo run --release -p onsager-transfer --example momentum_time -- 32 64`.
use onsager_transfer::free_fermion::FreeFermion;
use onsager_transfer::momentum::NoCheckpoint;
use onsager_transfer::streaming::Alone;

fn main() {
    let kc = 0.44068679350977147;
    let stream = std::env::var("STREAM").is_ok();
    for l in std::env::args().skip(1).map(|a| a.parse::<usize>().expect("L")) {
        let t0 = std::time::Instant::now();
        let ff = FreeFermion::new(l, l, kc, kc).unwrap();
        let t1 = t0.elapsed().as_secs_f64();
        let m = ff.curvature_momentum(&|| {}, &Alone, &NoCheckpoint).unwrap();
        let t2 = t0.elapsed().as_secs_f64();
        print!(
            "L={l} setup {t1:.2}s momentum {:.2}s R={:.15e} err={:.1e} orbits={}",
            t2 - t1,
            m.curvature.r,
            m.r_error,
            m.orbits
        );
        if stream {
            let s = ff.curvature(12e9, &|| {}).unwrap();
            let t3 = t0.elapsed().as_secs_f64();
            print!(" streamed {:.2}s R={:.15e} rel={:.1e}", t3 - t2, s.r, ((s.r - m.curvature.r) / s.r).abs());
        }
        println!();
    }
}
