//! `onsager validate`: a Monte Carlo time series against exact finite-lattice results.
//!
//! Statistics:
//! - τ_int of every series by Wolff's Γ-method (U. Wolff, Comput. Phys. Commun. 156, 143
//!   (2004)): ρ(t) by FFT, the window W where g(W) = e^{−W/τ(W)} − τ(W)/√(W n) first turns
//!   negative (S = 1.5), the error of τ_int δτ = 2τ √((W + ½ − τ)/n) and so the error of the
//!   error δσ/σ = δτ/(2τ); n_eff = n/(2τ_int).
//! - The tests use B non-overlapping batches of length b ≥ 20 τ_max (10 ≤ B ≤ 100), so that the
//!   batch statistics are independent to a few percent whatever the sampler's autocorrelation:
//!   each observable's t = (mean − exact)/(s_B/√B) against Student's t with B − 1 degrees of
//!   freedom, the specific heat by the jackknife over the batches, and the energy histogram
//!   (levels merged into k bins of similar exact weight) by Hotelling's T² of the batch
//!   histograms against the exact P(E): F = (B − p) T²/(p (B − 1)) ~ F(p, B − p), p = k − 1.
//! - Verdict: "inconsistent" when the smallest p-value is below 0.01/m (Bonferroni over the m
//!   tests: a correct sampler is called inconsistent in at most 1 % of runs), "too short" when
//!   n/τ_max < 200 (no test can be calibrated), else "consistent".

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
    /// the error of τ_int (Wolff's eq. 42)
    pub tau_error: f64,
    /// the summation window W
    pub window: usize,
}

/// Normalised autocorrelation ρ(t), t = 0..n/2, by FFT (zero-padded, so not circular).
fn autocorrelation(x: &[f64], mean: f64) -> Vec<f64> {
    use rustfft::num_complex::Complex;
    let n = x.len();
    let m = (2 * n).next_power_of_two();
    let mut planner = rustfft::FftPlanner::<f64>::new();
    let (fwd, inv) = (planner.plan_fft_forward(m), planner.plan_fft_inverse(m));
    let mut buf: Vec<Complex<f64>> = x.iter().map(|&v| Complex::new(v - mean, 0.0)).collect();
    buf.resize(m, Complex::new(0.0, 0.0));
    fwd.process(&mut buf);
    for v in buf.iter_mut() {
        *v = Complex::new(v.norm_sqr(), 0.0);
    }
    inv.process(&mut buf);
    let c0 = buf[0].re;
    if c0 <= 0.0 {
        return vec![1.0];
    }
    (0..=n / 2).map(|t| buf[t].re / c0).collect()
}

/// [`SeriesStats`] by Wolff's Γ-method with S = 1.5 (see the module docs).
pub fn series_stats(x: &[f64]) -> SeriesStats {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let c0 = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    let naive = (c0 / n as f64).sqrt();
    let rho = autocorrelation(x, mean);
    let (mut tau, mut window) = (0.5, 0);
    let mut sum = 0.5;
    for (w, &r) in rho.iter().enumerate().skip(1) {
        sum += r;
        // τ(W) of an exponential with this τ_int; a non-positive τ_int(W) ends the sum
        let tw = if sum > 0.5 { 1.5 / ((2.0 * sum + 1.0) / (2.0 * sum - 1.0)).ln() } else { 1e-12 };
        let g = (-(w as f64) / tw).exp() - tw / ((w * n) as f64).sqrt();
        tau = sum;
        window = w;
        if g < 0.0 {
            break;
        }
    }
    let tau = tau.max(0.5);
    let tau_error = 2.0 * tau * ((window as f64 + 0.5 - tau).max(0.0) / n as f64).sqrt();
    SeriesStats { mean, error: naive * (2.0 * tau).sqrt(), tau_int: tau, naive_error: naive, tau_error, window }
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Regularised incomplete beta I_x(a, b) (Lentz continued fraction, symmetric switch).
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - beta_inc(b, a, 1.0 - x);
    }
    let front = (a * x.ln() + b * (1.0 - x).ln() - ln_beta(a, b)).exp() / a;
    let tiny = 1e-300;
    let (mut c, mut d) = (1.0, 1.0 - (a + b) * x / (a + 1.0));
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        for num in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + num * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = 1.0 + num / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    front * h
}

/// Two-sided p-value of Student's t with ν degrees of freedom.
pub fn t_two_sided(t: f64, nu: f64) -> f64 {
    if !t.is_finite() {
        return 0.0;
    }
    beta_inc(nu / 2.0, 0.5, nu / (nu + t * t))
}

/// Upper tail P(F > f) of Fisher's F(d1, d2).
pub fn f_upper(f: f64, d1: f64, d2: f64) -> f64 {
    if !f.is_finite() {
        return 0.0;
    }
    if f <= 0.0 {
        return 1.0;
    }
    beta_inc(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f))
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
    /// its error: the standard error of the B batch means (autocorrelation included)
    pub mc_error: f64,
    /// exact value
    pub exact: f64,
    /// (mc − exact)/error, Student's t with B − 1 degrees of freedom
    pub z: f64,
    /// two-sided p-value of z
    pub p_value: f64,
    /// τ_int of the underlying series (Γ-method)
    pub tau_int: f64,
    /// the error of τ_int
    pub tau_error: f64,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Validation {
    /// number of samples
    pub samples: usize,
    /// n/(2τ_int) of the energy series
    pub effective_samples: f64,
    /// the largest τ_int over the tested series (energy, histogram bins, |M|, M²)
    pub tau_max: f64,
    /// batches B of the tests (0 when too short)
    pub batches: usize,
    /// compared observables
    pub observables: Vec<Observable>,
    /// Hotelling's T² of the batch energy histograms against the exact P(E)
    pub chi2: f64,
    /// its dimension p = bins − 1
    pub dof: usize,
    /// p-value of the histogram test (F(p, B − p))
    pub histogram_p_value: f64,
    /// "consistent" | "inconsistent" | "too short"
    pub verdict: &'static str,
    /// why, in one line
    pub reason: String,
    /// where the exact numbers come from
    pub source: &'static str,
}

/// The family-wise false-alarm rate of a correct sampler (Bonferroni over the tests).
pub const FALSE_ALARM_RATE: f64 = 0.01;

/// Below this n/τ_max no test is calibrated: the verdict is "too short".
pub const MIN_SAMPLES_PER_TAU: f64 = 200.0;

/// Batch means of `x` over `b` batches of length `len`.
fn batch_means(x: &[f64], b: usize, len: usize) -> Vec<f64> {
    (0..b).map(|j| x[j * len..(j + 1) * len].iter().sum::<f64>() / len as f64).collect()
}

/// (mean of the batch values, their standard error) for a statistic that is a batch mean.
fn batch_error(m: &[f64]) -> (f64, f64) {
    let b = m.len() as f64;
    let mean = m.iter().sum::<f64>() / b;
    let var = m.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (b - 1.0);
    (mean, (var / b).sqrt())
}

fn observable(name: &'static str, mean: f64, error: f64, exact: f64, s: SeriesStats, nu: f64) -> Observable {
    let z = if error > 0.0 {
        (mean - exact) / error
    } else if (mean - exact).abs() <= 1e-12 * (1.0 + exact.abs()) {
        0.0
    } else {
        f64::INFINITY * (mean - exact).signum()
    };
    Observable {
        name,
        mc_mean: mean,
        mc_error: error,
        exact,
        z,
        p_value: t_two_sided(z, nu),
        tau_int: s.tau_int,
        tau_error: s.tau_error,
    }
}

/// Solves the small symmetric system S y = d (Gaussian elimination with partial pivoting and a
/// relative ridge, so that a direction with no batch variance but a deviation gives a huge T²).
fn solve(mut s: Vec<Vec<f64>>, mut d: Vec<f64>) -> Vec<f64> {
    let p = d.len();
    let tr = (0..p).map(|i| s[i][i]).sum::<f64>() / p as f64;
    for (i, row) in s.iter_mut().enumerate() {
        row[i] += 1e-12 * tr + 1e-300;
    }
    for c in 0..p {
        let r = (c..p).max_by(|&a, &b| s[a][c].abs().total_cmp(&s[b][c].abs())).expect("non-empty");
        s.swap(c, r);
        d.swap(c, r);
        for r in c + 1..p {
            let f = s[r][c] / s[c][c];
            for k in c..p {
                s[r][k] -= f * s[c][k];
            }
            d[r] -= f * d[c];
        }
    }
    let mut y = vec![0.0; p];
    for c in (0..p).rev() {
        y[c] = (d[c] - (c + 1..p).map(|k| s[c][k] * y[k]).sum::<f64>()) / s[c][c];
    }
    y
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
    // histogram bins: adjacent levels merged into k bins of similar exact weight
    let kmax = 20usize;
    let mut bin_of_level = vec![0usize; exact.levels.len()];
    let mut bin_p: Vec<f64> = Vec::new();
    let mut acc = 0.0;
    for (k, &(_, p)) in exact.levels.iter().enumerate() {
        bin_of_level[k] = bin_p.len();
        acc += p;
        if acc >= 1.0 / kmax as f64 || k + 1 == exact.levels.len() {
            bin_p.push(acc);
            acc = 0.0;
        }
    }
    let indicators: Vec<Vec<f64>> = (0..bin_p.len())
        .map(|b| level_index.iter().map(|&k| f64::from(u8::from(bin_of_level[k] == b))).collect())
        .collect();
    let mut series: Vec<(&'static str, Vec<f64>, Option<f64>)> =
        vec![("energy (total)", samples.energy.clone(), Some(mean_e))];
    if let (Some(m), Some(am), Some(m2)) = (&samples.magnetization, exact.abs_m, exact.m2) {
        series.push(("|M| (total)", m.iter().map(|v| v.abs()).collect(), Some(am)));
        series.push(("M² (total)", m.iter().map(|v| v * v).collect(), Some(m2)));
    }
    let stats: Vec<SeriesStats> = series.iter().map(|s| series_stats(&s.1)).collect();
    let tau_max =
        stats.iter().map(|s| s.tau_int).chain(indicators.iter().map(|x| series_stats(x).tau_int)).fold(0.5, f64::max);
    let ratio = n as f64 / tau_max;
    let too_short = |reason: String| Validation {
        samples: n,
        effective_samples: n as f64 / (2.0 * se.tau_int),
        tau_max,
        batches: 0,
        observables: series
            .iter()
            .zip(&stats)
            .map(|((name, _, ex), s)| Observable {
                name,
                mc_mean: s.mean,
                mc_error: s.error,
                exact: ex.expect("exact"),
                z: (s.mean - ex.expect("exact")) / s.error.max(1e-300),
                p_value: 1.0,
                tau_int: s.tau_int,
                tau_error: s.tau_error,
            })
            .collect(),
        chi2: 0.0,
        dof: 0,
        histogram_p_value: 1.0,
        verdict: "too short",
        reason,
        source: exact.source,
    };
    if ratio < MIN_SAMPLES_PER_TAU {
        return Ok(too_short(format!(
            "too short: n/τ_int = {ratio:.0} (τ_int = {tau_max:.1}), need ≥ {MIN_SAMPLES_PER_TAU:.0}, i.e. ≥ {:.0} samples",
            MIN_SAMPLES_PER_TAU * tau_max
        )));
    }
    let b = ((ratio / 20.0).floor() as usize).clamp(10, 100);
    let len = n / b;
    let nu = (b - 1) as f64;
    let mut obs = Vec::new();
    for ((name, x, ex), s) in series.iter().zip(&stats) {
        let (m, e) = batch_error(&batch_means(x, b, len));
        obs.push(observable(name, m, e, ex.expect("exact"), *s, nu));
        if obs.len() == 1 {
            // specific heat per site: jackknife over the batches
            let c_of = |skip: Option<usize>| {
                let it = || (0..b).filter(|&j| Some(j) != skip).flat_map(|j| x[j * len..(j + 1) * len].iter());
                let cnt = ((b - usize::from(skip.is_some())) * len) as f64;
                let mean = it().sum::<f64>() / cnt;
                beta * beta * it().map(|v| (v - mean).powi(2)).sum::<f64>() / cnt / sites as f64
            };
            let full = c_of(None);
            let jk: Vec<f64> = (0..b).map(|j| c_of(Some(j))).collect();
            let jm = jk.iter().sum::<f64>() / b as f64;
            let jerr = ((b as f64 - 1.0) / b as f64 * jk.iter().map(|v| (v - jm).powi(2)).sum::<f64>()).sqrt();
            obs.push(observable(
                "specific heat per site β²Var(E)/N",
                full,
                jerr,
                beta * beta * var_e / sites as f64,
                *s,
                nu,
            ));
        }
    }
    // Hotelling's T² of the batch histograms (the last bin is implied by the others); at most
    // B/2 dimensions so that the covariance is well determined
    let k = bin_p.len();
    let dims = (k.saturating_sub(1)).min(b / 2);
    let (t2, pval) = if dims == 0 {
        (0.0, 1.0)
    } else {
        // merge the tail bins into the implied one when B limits the dimension
        let h: Vec<Vec<f64>> = (0..dims).map(|i| batch_means(&indicators[i], b, len)).collect();
        let hbar: Vec<f64> = h.iter().map(|v| v.iter().sum::<f64>() / b as f64).collect();
        let d: Vec<f64> = hbar.iter().zip(&bin_p).map(|(o, e)| o - e).collect();
        let cov: Vec<Vec<f64>> = (0..dims)
            .map(|i| {
                (0..dims)
                    .map(|j| (0..b).map(|t| (h[i][t] - hbar[i]) * (h[j][t] - hbar[j])).sum::<f64>() / (b as f64 - 1.0))
                    .collect()
            })
            .collect();
        let y = solve(cov, d.clone());
        let t2 = b as f64 * d.iter().zip(&y).map(|(a, c)| a * c).sum::<f64>();
        let (p, bb) = (dims as f64, b as f64);
        let f = (bb - p) / (p * (bb - 1.0)) * t2;
        (t2, f_upper(f, p, bb - p))
    };
    let tests = obs.len() + 1;
    let threshold = FALSE_ALARM_RATE / tests as f64;
    let worst = obs.iter().map(|o| (o.p_value, o.name)).chain([(pval, "energy histogram")]).fold((1.0, ""), |a, c| {
        if c.0 < a.0 {
            c
        } else {
            a
        }
    });
    let bad = worst.0 < threshold;
    Ok(Validation {
        samples: n,
        effective_samples: n as f64 / (2.0 * se.tau_int),
        tau_max,
        batches: b,
        observables: obs,
        chi2: t2,
        dof: dims,
        histogram_p_value: pval,
        verdict: if bad { "inconsistent" } else { "consistent" },
        reason: format!(
            "smallest p-value {:.2e} ({}) {} {threshold:.1e} = {FALSE_ALARM_RATE}/{tests} tests; {b} batches of {len} samples, n/τ_int = {ratio:.0}",
            worst.0,
            worst.1,
            if bad { "<" } else { "≥" }
        ),
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
        assert!((s.tau_int - 4.5).abs() < 3.0 * s.tau_error, "{} ± {}", s.tau_int, s.tau_error);
        assert!(s.tau_error > 0.0 && s.tau_error < 0.2, "{}", s.tau_error);
    }

    #[test]
    fn t_and_f_tails_match_closed_forms() {
        // t with ν = 1 is Cauchy: P(|t| > 1) = ½; ν = 2: P(|t| > t) = 1 − t/√(2 + t²)
        assert!((t_two_sided(1.0, 1.0) - 0.5).abs() < 1e-13);
        assert!((t_two_sided(3.0, 2.0) - (1.0 - 3.0 / 11f64.sqrt())).abs() < 1e-13);
        // F(2, d2): P(F > f) = (1 + 2f/d2)^{−d2/2}
        assert!((f_upper(1.7, 2.0, 9.0) - (1.0 + 2.0 * 1.7 / 9.0f64).powf(-4.5)).abs() < 1e-13);
        // I_x(1, 1) = x
        assert!((beta_inc(1.0, 1.0, 0.3) - 0.3).abs() < 1e-14);
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
