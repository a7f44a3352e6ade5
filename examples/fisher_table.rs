//! The README's main job (`onsager fisher`: 2D Ising at K_c, L = 3..9) through the library, and a
//! partition function at a few couplings: the typed jobs the CLI, the sweeps and the Python
//! package run.
//!
//! `cargo run --release --example fisher_table`

use onsager::jobs::{fisher, partition, Ctx, JobError};

fn main() -> Result<(), JobError> {
    let ctx = Ctx::default();
    // the CLI's defaults: 2D Ising at K_c, sizes 3..9, free fermions
    let r = fisher::run(&fisher::FisherParams::default(), &ctx)?;
    println!("Fisher curvature of the {} model at K = {} [{}]", r.model, r.beta, r.method);
    println!("{:>4} {:>24} {:>10}", "L", "R", "d_R loc");
    let mut prev: Option<&fisher::FisherRow> = None;
    for row in &r.rows {
        let local = prev.map(|p| (row.r.abs().ln() - p.r.abs().ln()) / (2.0 * ((row.l as f64) / (p.l as f64)).ln()));
        // R to the digits rounding leaves it (row.r_digits), as the CLI prints it
        let r = format!("{:.*e}", (row.r_digits.floor() as usize).clamp(1, 16) - 1, row.r);
        println!("{:>4} {:>24} {:>10}", row.l, r, local.map(|d| format!("{d:.5}")).unwrap_or_default());
        prev = Some(row);
    }
    if let Some(f) = &r.fit {
        println!("d_R over L = {}..{}: {:.5} ± {:.5}", f.window.0, f.window.1, f.d_r, f.stderr);
    }
    // the same job type takes its parameters from a struct literal, or from JSON (sweeps, Python)
    for beta in ["0.2", "0.3", "critical"] {
        let mut p = partition::PartitionParams::default();
        p.lattice.lx = 6;
        p.model.beta = beta.into();
        let z = partition::run(&p, &ctx)?;
        println!("6×6 torus, K = {beta}: ln Z/N = {:.15} ({})", z.ln_z_per_site, z.method);
    }
    Ok(())
}
