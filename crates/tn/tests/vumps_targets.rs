//! Issue 6's infinite-chain and classical targets for VUMPS, each against a closed form or a
//! reference value from shared/reference.json (copied with its source below).

use onsager_models::Model;
use onsager_tn::mpo::{row_transfer, Chain};
use onsager_tn::vumps::{vumps, Problem, VumpsOptions};
use std::time::Instant;

fn ground(chain: Chain, chi: usize) -> (f64, onsager_tn::vumps::VumpsResult) {
    let t = Instant::now();
    let r = vumps(&chain.mpo_site(true), Problem::Ground, &VumpsOptions { chi, tol: 1e-8, max_iter: 1000 }).unwrap();
    eprintln!(
        "{chain} chi {chi}: e {:.15} it {} eps {:.1e} S {:.6} xi {:.3} trunc {:.1e} {:.2}s",
        r.energy_per_site.unwrap(),
        r.iterations,
        r.gauge_error,
        r.entropy,
        r.correlation_length,
        r.truncation_error,
        t.elapsed().as_secs_f64()
    );
    (r.energy_per_site.unwrap(), r)
}

#[test]
fn probe_eps() {
    let kc = 0.5 * (1.0 + 2f64.sqrt()).ln();
    for chi in [24, 28, 30, 31, 33, 34, 36] {
        let t = Instant::now();
        let r = vumps(
            &row_transfer(Model::Ising, kc, 0.0),
            Problem::FixedPoint,
            &VumpsOptions { chi, tol: 1e-10, max_iter: 300 },
        )
        .unwrap();
        let exact = onsager_exact::onsager::onsager_ln_z_per_site(kc);
        eprintln!(
            "chi {chi} it {} eps {:.1e} err {:.1e} {:.1}s tail {:?}",
            r.iterations,
            r.gauge_error,
            (r.ln_z_per_site.unwrap() - exact) / exact,
            t.elapsed().as_secs_f64(),
            &r.schmidt[chi - 4..].iter().map(|x| format!("{x:.2e}")).collect::<Vec<_>>()
        );
    }
}

#[test]
fn probe() {
    for chi in [48, 64] {
        let (e, _) = ground(Chain::Tfim { g: 1.0 }, chi);
        eprintln!("  err {:.2e}", e + 4.0 / std::f64::consts::PI);
    }
    for chi in [96] {
        let (e, _) = ground(Chain::Xxz { two_s: 1, delta: 1.0 }, chi);
        eprintln!("  err {:.2e}", e - (0.25 - std::f64::consts::LN_2));
    }
    for chi in [64, 80, 96, 128] {
        let (e, _) = ground(Chain::Xxz { two_s: 2, delta: 1.0 }, chi);
        eprintln!("  err {:.2e}", e - -1.401484038971);
    }
    let kc = 0.5 * (1.0 + 2f64.sqrt()).ln();
    for chi in [16, 32] {
        let t = Instant::now();
        let r = vumps(
            &row_transfer(Model::Ising, kc, 0.0),
            Problem::FixedPoint,
            &VumpsOptions { chi, tol: 1e-10, max_iter: 1000 },
        )
        .unwrap();
        let exact = onsager_exact::onsager::onsager_ln_z_per_site(kc);
        eprintln!(
            "ising Kc chi {chi}: rel err {:.2e} it {} eps {:.1e} xi {:.2} {:.2}s",
            (r.ln_z_per_site.unwrap() - exact) / exact,
            r.iterations,
            r.gauge_error,
            r.correlation_length,
            t.elapsed().as_secs_f64()
        );
    }
}
