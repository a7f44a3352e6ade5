//! `onsager validate`: a Monte Carlo time series against exact finite-lattice results.
//!
//! Statistics (Madras & Sokal, J. Stat. Phys. 50, 109 (1988); Janke, NIC Series 10 (2002)):
//! - each observable's mean with error σ √(2τ_int/n), τ_int = ½ + Σ_{t=1}^{W} ρ(t) with the
//!   automatic window W = min{W : W ≥ 6 τ_int(W)};
//! - the specific heat C = β² Var(E)/N with a jackknife error over blocks of ≥ 4τ_int samples;
//! - the energy histogram against the exact P(E) at β: adjacent levels merged until each bin
//!   expects ≥ 5 effective counts (n/2τ_int(E)), each bin's Pearson term divided by 2τ_int of its
//!   own indicator series, p-value from the χ² distribution with bins − 1 degrees of freedom.
//!
//! Verdict: "inconsistent" when some |z| > 4 or the histogram p-value < 10⁻⁴ (with about five
//! tests the false-alarm rate of a correct sampler is ~3·10⁻⁴ per run), else "consistent".

use super::{JobError, ModelSpec};
use onsager_models::Model;

/// The parsed samples.csv.
#[derive(Debug, Clone)]
pub struct Samples {
    /// total energy E = −Σ_bonds s_b per sample
    pub energy: Vec<f64>,
    /// total magnetization per sample, if the file has that column
    pub magnetization: Option<Vec<f64>>,
}

/// Parses samples.csv: a header naming `energy` and optionally `magnetization` (any order, other
/// columns ignored), then one row per sample. Errors name the line.
pub fn read_samples(text: &str) -> Result<Samples, String> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let (_, header) = lines.next().ok_or("the file is empty")?;
    let cols: Vec<String> = header.split(',').map(|c| c.trim().to_ascii_lowercase()).collect();
    let ie = cols.iter().position(|c| c == "energy").ok_or("line 1: the header has no `energy` column")?;
    let im = cols.iter().position(|c| c == "magnetization");
    let (mut e, mut m) = (Vec::new(), Vec::new());
    for (i, line) in lines {
        let f: Vec<&str> = line.split(',').map(|x| x.trim()).collect();
        if f.len() != cols.len() {
            return Err(format!("line {}: {} fields, the header has {}", i + 1, f.len(), cols.len()));
        }
        let num = |k: usize| {
            f[k].parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("line {}: `{}` is not a number ({})", i + 1, f[k], cols[k]))
        };
        e.push(num(ie)?);
        if let Some(k) = im {
            m.push(num(k)?);
        }
    }
    if e.len() < 100 {
        return Err(format!("{} samples: at least 100 are needed for error estimates", e.len()));
    }
    Ok(Samples { energy: e, magnetization: im.map(|_| m) })
}

/// Mean, error and integrated autocorrelation time of a series.
#[derive(Debug, Clone, Copy)]
pub struct SeriesStats {
    /// sample mean
    pub mean: f64,
    /// σ √(2τ_int/n)
    pub error: f64,
    /// τ_int (½ for independent samples)
    pub tau_int: f64,
    /// σ/√n, the error if the samples were independent
    pub naive_error: f64,
}

/// [`SeriesStats`] with Sokal's automatic window (c = 6).
pub fn series_stats(x: &[f64]) -> SeriesStats {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let c0 = d.iter().map(|v| v * v).sum::<f64>() / n as f64;
    let mut tau = 0.5;
    if c0 > 0.0 {
        for t in 1..n / 2 {
            let ct = d[..n - t].iter().zip(&d[t..]).map(|(a, b)| a * b).sum::<f64>() / n as f64;
            tau += ct / c0;
            if t as f64 >= 6.0 * tau {
                break;
            }
        }
    }
    let tau = tau.max(0.5);
    let naive = (c0 / n as f64).sqrt();
    SeriesStats { mean, error: naive * (2.0 * tau).sqrt(), tau_int: tau, naive_error: naive }
}

/// ln Γ(x), Lanczos (g = 7, n = 9), |error| < 1e-14 for x > 0.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized upper incomplete gamma Q(a, x) (series below a + 1, Lentz continued fraction above).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let lnpre = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (1.0 - sum * lnpre.exp()).max(0.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        lnpre.exp() * h
    }
}

/// The exact reference at β: P(E) over the energy levels, and |M|, M² where known.
#[derive(Debug, Clone)]
pub struct ExactReference {
    /// (E, P(E)) sorted by E
    pub levels: Vec<(f64, f64)>,
    /// ⟨|M|⟩ (2D Ising with the shorter side ≤ 12)
    pub abs_m: Option<f64>,
    /// ⟨M²⟩ likewise
    pub m2: Option<f64>,
    /// where the numbers come from
    pub source: &'static str,
}

/// Exact P(E) (DOS for the 2D Ising model, enumeration for the others) and the magnetization.
pub fn exact_reference(spec: ModelSpec, dims: &[usize], beta: f64) -> Result<ExactReference, JobError> {
    if spec.model == Model::Ising && spec.dim == 2 {
        let (lx, ly) = (dims[0], dims[1]);
        super::dos::check_ising_dos(lx, ly)?;
        let dos = onsager_exact::dos::ising_dos(lx, ly);
        let p = dos.probabilities(beta);
        let levels = dos.energies.iter().zip(p).filter(|(_, p)| *p > 0.0).map(|(&e, p)| (e as f64, p)).collect();
        let pm = onsager_transfer::magnetization::magnetization_distribution(lx, ly, beta);
        let n = (lx * ly) as f64;
        let mom = |f: &dyn Fn(f64) -> f64| {
            pm.as_ref().map(|p| p.iter().enumerate().map(|(k, w)| w * f(2.0 * k as f64 - n)).sum::<f64>())
        };
        return Ok(ExactReference {
            levels,
            abs_m: mom(&|m: f64| m.abs()),
            m2: mom(&|m: f64| m * m),
            source: "exact density of states (Pfaffians mod p) and magnetization by transfer matrix",
        });
    }
    // every other model: the exact DOS (transfer matrix where the levels are rational, else
    // enumeration), probabilities in logarithms from the exact counts
    let method = if onsager_exact::microcanonical::BondCosts::of(spec.model).is_ok() {
        super::dos::DosMethod::Transfer
    } else {
        super::dos::DosMethod::Enumerate
    };
    let job = super::dos::DosJob { spec, dims: dims.to_vec(), betas: Vec::new(), method };
    let counts = super::dos::levels(&job, &super::Ctx::default())?;
    let lw: Vec<f64> = counts.iter().map(|(e, c)| onsager_exact::dos::ln_big(c) - beta * e).collect();
    let m = lw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = lw.iter().map(|l| (l - m).exp()).sum();
    let levels = counts.iter().zip(&lw).map(|((e, _), l)| (*e, (l - m).exp() / z)).collect();
    let source = match method {
        super::dos::DosMethod::Transfer => "exact density of states (microcanonical transfer matrix)",
        _ => "enumeration of every configuration",
    };
    Ok(ExactReference { levels, abs_m: None, m2: None, source })
}

/// One compared observable.
#[derive(Debug, Clone)]
pub struct Observable {
    /// name with units, e.g. "energy (total)"
    pub name: &'static str,
    /// Monte Carlo estimate
    pub mc_mean: f64,
    /// its error (autocorrelation included)
    pub mc_error: f64,
    /// exact value
    pub exact: f64,
    /// (mc − exact)/error
    pub z: f64,
    /// τ_int of the underlying series
    pub tau_int: f64,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Validation {
    /// number of samples
    pub samples: usize,
    /// compared observables
    pub observables: Vec<Observable>,
    /// Σ_bins (O − E)²/(E · 2τ_bin) of the energy histogram
    pub chi2: f64,
    /// its degrees of freedom
    pub dof: usize,
    /// p-value of the histogram test
    pub histogram_p_value: f64,
    /// "consistent" | "inconsistent"
    pub verdict: &'static str,
    /// where the exact numbers come from
    pub source: &'static str,
}

fn observable(name: &'static str, s: SeriesStats, exact: f64) -> Observable {
    let z = if s.error > 0.0 { (s.mean - exact) / s.error } else { f64::INFINITY * (s.mean - exact).signum() };
    Observable { name, mc_mean: s.mean, mc_error: s.error, exact, z, tau_int: s.tau_int }
}

/// Compares the samples with the exact reference (see the module docs).
pub fn validate(samples: &Samples, exact: &ExactReference, beta: f64, sites: usize) -> Result<Validation, JobError> {
    let n = samples.energy.len();
    // every sample must sit on an energy level of this lattice (levels ascend: binary search)
    let close = |a: f64, e: f64| (a - e).abs() < 1e-6 * (1.0 + e.abs());
    let level_of = |e: f64| {
        let i = exact.levels.partition_point(|l| l.0 < e);
        [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .find(|&k| k < exact.levels.len() && close(exact.levels[k].0, e))
    };
    let level_index: Vec<usize> = samples
        .energy
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            level_of(e).ok_or_else(|| {
                JobError::Usage(format!(
                    "--input: sample {} has energy {e}, which is no energy level of this lattice (E = −Σ_bonds s_i s_j, total)",
                    i + 1
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let se = series_stats(&samples.energy);
    let mean_e: f64 = exact.levels.iter().map(|(e, p)| e * p).sum();
    let var_e: f64 = exact.levels.iter().map(|(e, p)| (e - mean_e).powi(2) * p).sum();
    let mut obs = vec![observable("energy (total)", se, mean_e)];
    // specific heat per site, jackknife over blocks of ≥ 4τ samples
    let c_of = |xs: &[f64]| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        beta * beta * xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64 / sites as f64
    };
    let block = ((4.0 * se.tau_int).ceil() as usize).max(1);
    let nb = (n / block).clamp(2, 200);
    let bl = n / nb;
    let full = c_of(&samples.energy[..nb * bl]);
    let jk: Vec<f64> = (0..nb)
        .map(|b| {
            let rest: Vec<f64> =
                samples.energy[..nb * bl].iter().enumerate().filter(|(i, _)| i / bl != b).map(|(_, &v)| v).collect();
            c_of(&rest)
        })
        .collect();
    let jm = jk.iter().sum::<f64>() / nb as f64;
    let jerr = ((nb as f64 - 1.0) / nb as f64 * jk.iter().map(|v| (v - jm).powi(2)).sum::<f64>()).sqrt();
    obs.push(observable(
        "specific heat per site β²Var(E)/N",
        SeriesStats { mean: full, error: jerr, tau_int: se.tau_int, naive_error: jerr },
        beta * beta * var_e / sites as f64,
    ));
    if let Some(m) = &samples.magnetization {
        if let (Some(am), Some(m2)) = (exact.abs_m, exact.m2) {
            let abs: Vec<f64> = m.iter().map(|v| v.abs()).collect();
            let sq: Vec<f64> = m.iter().map(|v| v * v).collect();
            obs.push(observable("|M| (total)", series_stats(&abs), am));
            obs.push(observable("M² (total)", series_stats(&sq), m2));
        }
    }
    // histogram: adjacent levels merged until each expects ≥ 5 effective counts (n/2τ_E); then
    // each merged bin's Pearson term is divided by 2τ_int of its own indicator series (bins of a
    // fine histogram decorrelate faster than E itself)
    let mut bin_of_level = vec![0usize; exact.levels.len()];
    let mut bin_expect = Vec::new();
    let mut ex = 0.0;
    for (k, &(_, p)) in exact.levels.iter().enumerate() {
        bin_of_level[k] = bin_expect.len();
        ex += n as f64 * p;
        if ex / (2.0 * se.tau_int) >= 5.0 || k + 1 == exact.levels.len() {
            bin_expect.push(ex);
            ex = 0.0;
        }
    }
    let mut chi2 = 0.0;
    for (b, &e) in bin_expect.iter().enumerate() {
        let ind: Vec<f64> = level_index.iter().map(|&k| if bin_of_level[k] == b { 1.0 } else { 0.0 }).collect();
        let o: f64 = ind.iter().sum();
        let tau = series_stats(&ind).tau_int;
        if e > 0.0 {
            chi2 += (o - e).powi(2) / e / (2.0 * tau);
        }
    }
    let bins = bin_expect.len();
    let dof = bins.saturating_sub(1).max(1);
    let p = gamma_q(dof as f64 / 2.0, chi2 / 2.0);
    let bad = obs.iter().any(|o| o.z.abs() > 4.0) || p < 1e-4;
    Ok(Validation {
        samples: n,
        observables: obs,
        chi2,
        dof,
        histogram_p_value: p,
        verdict: if bad { "inconsistent" } else { "consistent" },
        source: exact.source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi2_survival_matches_closed_forms() {
        // Q(1, x) = e^{−x}; Q(k/2, x/2) for dof 2 is e^{−x/2}; χ²(dof = 10) at its median 9.3418
        assert!((gamma_q(1.0, 2.5) - (-2.5f64).exp()).abs() < 1e-14);
        assert!((gamma_q(1.0, 0.3) - (-0.3f64).exp()).abs() < 1e-14);
        assert!((gamma_q(5.0, 9.341_817_765_591_96 / 2.0) - 0.5).abs() < 1e-9);
        assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn tau_int_of_an_ar1_series() {
        // x_t = a x_{t−1} + noise has τ_int = ½ (1 + a)/(1 − a) = 4.5 for a = 0.8
        let mut seed = 1u64;
        let mut gauss = || {
            let mut s = 0.0;
            for _ in 0..12 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s += (seed >> 11) as f64 / (1u64 << 53) as f64;
            }
            s - 6.0
        };
        let mut x = vec![0.0; 200_000];
        for t in 1..x.len() {
            x[t] = 0.8 * x[t - 1] + gauss();
        }
        let s = series_stats(&x);
        assert!((s.tau_int - 4.5).abs() < 0.5, "{}", s.tau_int);
    }

    #[test]
    fn malformed_files_name_the_line() {
        assert!(read_samples("").unwrap_err().contains("empty"));
        assert!(read_samples("E,M\n1,2\n").unwrap_err().contains("energy"));
        let mut text = String::from("energy,magnetization\n");
        for _ in 0..150 {
            text.push_str("-10,2\n");
        }
        text.push_str("-10,abc\n");
        assert!(read_samples(&text).unwrap_err().starts_with("line 152:"), "{:?}", read_samples(&text));
    }
}
