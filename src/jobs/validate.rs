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

use super::params::{LatticeParams, ModelParams};
use super::{JobError, ModelSpec};
use onsager_models::Model;
use serde::{Deserialize, Serialize};

/// The parsed samples.csv.
#[derive(Debug, Clone)]
pub struct Samples {
    /// total energy E = −Σ_bonds s_b per sample
    pub energy: Vec<f64>,
    /// total magnetization per sample, if the file has that column
    pub magnetization: Option<Vec<f64>>,
}

/// Parses a samples file as Monte Carlo codes write them: comma-, tab- or whitespace-separated
/// (told from the header line), a header naming `energy` and optionally `magnetization` and
/// `chain` (any order, any case, quoted or not, other columns ignored; it may start with `#` as
/// numpy.savetxt writes it), a UTF-8 BOM, CRLF line ends, `#` comment lines; then one row per
/// sample in time order. A `chain` column splits the rows into independent chains (in order of
/// first appearance). Errors name the line and the column.
pub fn read_chains(text: &str) -> Result<Vec<Samples>, String> {
    Ok(read_chains_at(text)?.into_iter().map(|c| c.1).collect())
}

/// [`read_chains`] that also reads an optional `beta` column: rows of one `chain` at different
/// β are different chains, each returned with its β (`None` without the column).
pub fn read_chains_at(text: &str) -> Result<Vec<(Option<f64>, Samples)>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    // the header: the first line naming `energy`, possibly behind '#'; other '#' lines are comments
    let (hline, header) = loop {
        let (i, l) = lines.next().ok_or("the file is empty")?;
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix('#') {
            if rest.to_ascii_lowercase().contains("energy") {
                break (i, rest.trim().to_string());
            }
            continue;
        }
        break (i, t.to_string());
    };
    let delimiter = if header.contains(',') {
        Some(b',')
    } else if header.contains('\t') {
        Some(b'\t')
    } else if header.contains(';') {
        Some(b';')
    } else {
        None
    };
    // whitespace-separated files: runs of blanks become one tab for the csv reader
    let normal = |l: &str| match delimiter {
        Some(_) => l.trim().to_string(),
        None => l.split_whitespace().collect::<Vec<_>>().join("\t"),
    };
    let mut body = normal(&header);
    body.push('\n');
    let mut line_no = vec![hline + 1];
    for (i, l) in lines {
        if l.trim_start().starts_with('#') {
            continue;
        }
        body.push_str(&normal(l));
        body.push('\n');
        line_no.push(i + 1);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter.unwrap_or(b'\t'))
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body.as_bytes());
    let cols: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("line {}: {e}", line_no[0]))?
        .iter()
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let find = |name: &str| cols.iter().position(|c| c == name);
    let ie = find("energy").ok_or_else(|| {
        format!("line {}: the header has no `energy` column (columns: {})", line_no[0], cols.join(", "))
    })?;
    let (im, ic, ib) = (find("magnetization"), find("chain"), find("beta"));
    let mut chains: Vec<((String, String), Option<f64>, Samples)> = Vec::new();
    for (r, rec) in rdr.records().enumerate() {
        let line = line_no.get(r + 1).copied().unwrap_or(0);
        let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
        if rec.len() != cols.len() {
            return Err(format!("line {line}: {} fields, the header has {}", rec.len(), cols.len()));
        }
        let num =
            |k: usize| {
                rec[k].parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    format!("line {line}, column {} ({}): `{}` is not a number", k + 1, cols[k], &rec[k])
                })
            };
        let key =
            (ic.map(|k| rec[k].to_string()).unwrap_or_default(), ib.map(|k| rec[k].to_string()).unwrap_or_default());
        let pos = match chains.iter().position(|c| c.0 == key) {
            Some(p) => p,
            None => {
                let beta = ib.map(num).transpose()?;
                chains.push((key, beta, Samples { energy: Vec::new(), magnetization: im.map(|_| Vec::new()) }));
                chains.len() - 1
            }
        };
        let ch = &mut chains[pos].2;
        ch.energy.push(num(ie)?);
        if let (Some(k), Some(m)) = (im, ch.magnetization.as_mut()) {
            m.push(num(k)?);
        }
    }
    let total: usize = chains.iter().map(|c| c.2.energy.len()).sum();
    if total < 100 {
        return Err(format!("{total} samples: at least 100 are needed for error estimates"));
    }
    Ok(chains.into_iter().map(|c| (c.1, c.2)).collect())
}

/// [`read_chains`] for a file of one chain (several chains are concatenated in file order).
pub fn read_samples(text: &str) -> Result<Samples, String> {
    let chains = read_chains(text)?;
    let mut out = Samples { energy: Vec::new(), magnetization: chains[0].magnetization.as_ref().map(|_| Vec::new()) };
    for c in chains {
        out.energy.extend(c.energy);
        if let (Some(o), Some(m)) = (out.magnetization.as_mut(), c.magnetization) {
            o.extend(m);
        }
    }
    Ok(out)
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

/// The exact reference at β: P(E) over the energy levels, and the moments of |M| where known.
#[derive(Debug, Clone)]
pub struct ExactReference {
    /// (E, P(E)) sorted by E
    pub levels: Vec<(f64, f64)>,
    /// ⟨|M|⟩ (total; M the vector magnetization of [`onsager_exact::order_parameter`])
    pub abs_m: Option<f64>,
    /// ⟨M²⟩ likewise
    pub m2: Option<f64>,
    /// ⟨M⁴⟩ likewise
    pub m4: Option<f64>,
    /// why the moments are absent, when they are
    pub magnetization_note: Option<String>,
    /// where the numbers come from
    pub source: &'static str,
}

/// The exact magnetization moments are computed for validation when predicted to take at most
/// this long (the energy tests do not need them).
pub const MAX_MAGNETIZATION_SECONDS: f64 = 600.0;

/// The exact counts a validation needs, computed once for every β.
#[derive(Debug, Clone)]
pub struct ExactLevels {
    /// (E, g(E)) with g > 0, ascending
    pub counts: Vec<(f64, num_bigint::BigUint)>,
    method: super::dos::DosMethod,
}

impl ExactLevels {
    /// Exact counts: Pfaffians for the 2D Ising model, the microcanonical transfer matrix for
    /// the others, enumeration for irrational clocks.
    pub fn of(spec: ModelSpec, dims: &[usize]) -> Result<Self, JobError> {
        let method = if spec.model == Model::Ising && spec.dim == 2 {
            super::dos::check_ising_dos(dims[0], dims[1])?;
            super::dos::DosMethod::Pfaffian
        } else if onsager_exact::microcanonical::BondCosts::of(spec.model).is_ok() {
            super::dos::DosMethod::Transfer
        } else {
            super::dos::DosMethod::Enumerate
        };
        let job = super::dos::DosJob { spec, dims: dims.to_vec(), betas: Vec::new(), method };
        Ok(ExactLevels { counts: super::dos::levels(&job, &super::Ctx::default())?, method })
    }

    /// ln Z, ⟨E⟩ and C/N at β from the counts.
    pub fn thermodynamics(&self, beta: f64, sites: usize) -> onsager_exact::microcanonical::Thermodynamics {
        let refs: Vec<(f64, &num_bigint::BigUint)> = self.counts.iter().map(|(e, c)| (*e, c)).collect();
        onsager_exact::microcanonical::thermodynamics(&refs, beta, sites)
    }

    /// The reference at β: P(E) from the counts and the moments of |M| (transfer matrix over
    /// the magnetization lattice) when they take at most [`MAX_MAGNETIZATION_SECONDS`].
    /// `magnetization = false` skips the moments (the samples have no M column).
    pub fn at(
        &self,
        spec: ModelSpec,
        dims: &[usize],
        beta: f64,
        magnetization: bool,
    ) -> Result<ExactReference, JobError> {
        let ctx = super::Ctx::default();
        // probabilities in logarithms from the exact counts; a level is a level because its
        // count is non-zero, not because its probability survived the exponential (β = 20
        // underflows most of them)
        let lw: Vec<f64> = self.counts.iter().map(|(e, c)| onsager_exact::dos::ln_big(c) - beta * e).collect();
        let m = lw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = lw.iter().map(|l| (l - m).exp()).sum();
        let levels = self.counts.iter().zip(&lw).map(|((e, _), l)| (*e, (l - m).exp() / z)).collect();
        let plan = if magnetization { Some(super::dos::magnetization_plan(spec, dims, &ctx)) } else { None };
        let (mom, magnetization_note) = match plan {
            None => (None, None),
            Some(Ok((_, secs))) if secs > MAX_MAGNETIZATION_SECONDS => (
                None,
                Some(format!("the exact magnetization moments would take about {secs:.0} s: |M| is not compared")),
            ),
            Some(Ok(_)) => (Some(super::dos::magnetization_moments(spec, dims, beta, &ctx)?), None),
            Some(Err(e)) => (None, Some(format!("no exact magnetization moments ({e}): |M| is not compared"))),
        };
        let source = match (self.method, mom.is_some()) {
            (super::dos::DosMethod::Pfaffian, true) => {
                "exact density of states (Pfaffians mod p) and magnetization moments by transfer matrix"
            }
            (super::dos::DosMethod::Pfaffian, false) => "exact density of states (Pfaffians mod p)",
            (super::dos::DosMethod::Transfer, true) => {
                "exact density of states and magnetization moments (microcanonical transfer matrices)"
            }
            (super::dos::DosMethod::Transfer, false) => "exact density of states (microcanonical transfer matrix)",
            (_, true) => "enumeration of every configuration (P(E)) and magnetization moments by transfer matrix",
            (_, false) => "enumeration of every configuration",
        };
        Ok(ExactReference {
            levels,
            abs_m: mom.map(|x| x.abs_m),
            m2: mom.map(|x| x.m2),
            m4: mom.map(|x| x.m4),
            magnetization_note,
            source,
        })
    }
}

/// Exact P(E) and the moments of |M| at one β ([`ExactLevels::of`], then [`ExactLevels::at`]).
pub fn exact_reference(spec: ModelSpec, dims: &[usize], beta: f64) -> Result<ExactReference, JobError> {
    ExactLevels::of(spec, dims)?.at(spec, dims, beta, true)
}

/// One compared observable.
#[derive(Debug, Clone, Serialize)]
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
    #[serde(rename = "tau_int_error")]
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

/// P(X ≥ k) for X ~ Poisson(λ), summed in logs (λ may be 1e-70).
pub fn poisson_at_least(k: usize, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // the tail from k on: terms e^{−λ} λ^j / j!, j = k, k+1, ... until they stop mattering
    let mut ln_term = -lambda + k as f64 * lambda.ln() - ln_gamma(k as f64 + 1.0);
    let mut sum = 0.0;
    for j in k..k + 10_000 {
        let t = ln_term.exp();
        sum += t;
        if t < 1e-17 * sum && j as f64 > lambda {
            break;
        }
        ln_term += lambda.ln() - ((j + 1) as f64).ln();
    }
    sum.min(1.0)
}

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
        // no spread and a deviation: infinitely significant, but kept finite so that JSON
        // carries a number (serde_json writes ±inf as null)
        f64::MAX * (mean - exact).signum()
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

/// A statistic of the means of (|M|, M², M⁴).
type MomentFn<'a> = dyn Fn(f64, f64, f64) -> f64 + 'a;

/// f of the means of three batch-mean columns and its jackknife error over the batches.
fn jackknife(cols: &[Vec<f64>; 3], f: &MomentFn<'_>) -> (f64, f64) {
    let b = cols[0].len() as f64;
    let sums: Vec<f64> = cols.iter().map(|c| c.iter().sum::<f64>()).collect();
    let full = f(sums[0] / b, sums[1] / b, sums[2] / b);
    let jk: Vec<f64> = (0..cols[0].len())
        .map(|j| {
            let m = |i: usize| (sums[i] - cols[i][j]) / (b - 1.0);
            f(m(0), m(1), m(2))
        })
        .collect();
    let jm = jk.iter().sum::<f64>() / b;
    (full, ((b - 1.0) / b * jk.iter().map(|v| (v - jm).powi(2)).sum::<f64>()).sqrt())
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

/// Compares one chain with the exact reference: [`validate_chains`] with one chain.
pub fn validate(samples: &Samples, exact: &ExactReference, beta: f64, sites: usize) -> Result<Validation, JobError> {
    validate_chains(std::slice::from_ref(samples), exact, beta, sites)
}

/// Compares independent chains of one sampler with the exact reference (see the module docs):
/// every chain is cut into batches of one common length ≥ 20 τ_max, and the tests run on the
/// pooled batches (so chains of different lengths combine with the weight of their length).
pub fn validate_chains(
    chains: &[Samples],
    exact: &ExactReference,
    beta: f64,
    sites: usize,
) -> Result<Validation, JobError> {
    validate_chains_at_rate(chains, exact, beta, sites, FALSE_ALARM_RATE)
}

/// [`validate_chains`] with a family-wise false-alarm `rate` of its own (a scan over m couplings
/// gives each FALSE_ALARM_RATE/m, so that the scan as a whole keeps FALSE_ALARM_RATE).
pub fn validate_chains_at_rate(
    chains: &[Samples],
    exact: &ExactReference,
    beta: f64,
    sites: usize,
    rate: f64,
) -> Result<Validation, JobError> {
    let n: usize = chains.iter().map(|c| c.energy.len()).sum();
    if chains.is_empty() || n == 0 {
        return Err(JobError::Usage("no samples to validate".into()));
    }
    // every sample must sit on an energy level of this lattice (levels ascend: binary search)
    let close = |a: f64, e: f64| (a - e).abs() < 1e-6 * (1.0 + e.abs());
    let level_of = |e: f64| {
        let i = exact.levels.partition_point(|l| l.0 < e);
        [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .find(|&k| k < exact.levels.len() && close(exact.levels[k].0, e))
    };
    let mut level_index: Vec<Vec<usize>> = Vec::new();
    for (c, ch) in chains.iter().enumerate() {
        let mut idx = Vec::with_capacity(ch.energy.len());
        for (i, &e) in ch.energy.iter().enumerate() {
            let Some(k) = level_of(e) else {
                let per_site_hint = if ch.energy.iter().take(1000).all(|&x| level_of(x * sites as f64).is_some()) {
                    "; every energy is a level of E/N: the samples are energies per site (set `per_site`)"
                } else {
                    ""
                };
                return Err(JobError::Usage(format!(
                    "sample {}{} has energy {e}, which is no energy level of this lattice (E = −Σ_bonds f, total){per_site_hint}",
                    i + 1,
                    if chains.len() > 1 { format!(" of chain {}", c + 1) } else { String::new() }
                )));
            };
            idx.push(k);
        }
        level_index.push(idx);
    }
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
    // per chain: the series of every test (energy, |M|, M², then the bin indicators)
    let moments = match (exact.abs_m, exact.m2, exact.m4) {
        (Some(a), Some(b), Some(c)) if chains.iter().all(|c| c.magnetization.is_some()) => Some([a, b, c]),
        _ => None,
    };
    let has_m = moments.is_some();
    let mut names: Vec<&'static str> = vec!["energy (total)"];
    let mut exacts = vec![mean_e];
    if let Some([a, b, _]) = moments {
        names.extend(["|M| (total)", "M² (total)"]);
        exacts.extend([a, b]);
    }
    let series: Vec<Vec<Vec<f64>>> = chains
        .iter()
        .zip(&level_index)
        .map(|(ch, li)| {
            let mut v = vec![ch.energy.clone()];
            if has_m {
                let m = ch.magnetization.as_ref().expect("checked");
                v.push(m.iter().map(|x| x.abs()).collect());
                v.push(m.iter().map(|x| x * x).collect());
            }
            for b in 0..bin_p.len() {
                v.push(li.iter().map(|&k| f64::from(u8::from(bin_of_level[k] == b))).collect());
            }
            if has_m {
                // M⁴ enters U_4 only (not a test of its own): kept after the bin indicators
                let m = ch.magnetization.as_ref().expect("checked");
                v.push(m.iter().map(|x| x.powi(4)).collect());
            }
            v
        })
        .collect();
    let nobs = names.len();
    let stats: Vec<Vec<SeriesStats>> = series.iter().map(|c| c.iter().map(|x| series_stats(x)).collect()).collect();
    let tau_max = stats.iter().flatten().map(|s| s.tau_int).fold(0.5, f64::max);
    // τ_int of each observable: the longest chain's estimate (the most precise)
    let longest = (0..chains.len()).max_by_key(|&c| chains[c].energy.len()).expect("non-empty");
    let se = stats[longest][0];
    let n_eff: f64 = stats.iter().zip(chains).map(|(s, c)| c.energy.len() as f64 / (2.0 * s[0].tau_int)).sum();
    let ratio = n as f64 / tau_max;
    let base = |verdict: &'static str, reason: String| Validation {
        samples: n,
        effective_samples: n_eff,
        tau_max,
        batches: 0,
        observables: Vec::new(),
        chi2: 0.0,
        dof: 0,
        histogram_p_value: 1.0,
        verdict,
        reason,
        source: exact.source,
    };
    // batches of one common length, at least 20 τ_max, at most 100 in all
    let len = ((20.0 * tau_max).ceil() as usize).max(n.div_ceil(100)).max(1);
    let b: usize = chains.iter().map(|c| c.energy.len() / len).sum();
    if ratio < MIN_SAMPLES_PER_TAU || b < 10 {
        let mut v = base(
            "too short",
            format!(
                "too short: n/τ_int = {ratio:.0} (τ_int = {tau_max:.1}), need ≥ {MIN_SAMPLES_PER_TAU:.0} and ≥ 10 batches of 20 τ_int in the chains, i.e. ≥ {:.0} samples",
                (MIN_SAMPLES_PER_TAU * tau_max).max(10.0 * len as f64)
            ),
        );
        v.observables = (0..nobs)
            .map(|i| {
                let s = stats[longest][i];
                observable(names[i], s.mean, s.error, exacts[i], s, f64::INFINITY)
            })
            .map(|mut o| {
                o.p_value = 1.0;
                o
            })
            .collect();
        return Ok(v);
    }
    // pooled batch means of series i; and the batches' raw energies for the jackknife
    let batches_of =
        |i: usize| -> Vec<f64> { series.iter().flat_map(|c| batch_means(&c[i], c[i].len() / len, len)).collect() };
    let energy_batches: Vec<&[f64]> =
        chains.iter().flat_map(|c| (0..c.energy.len() / len).map(move |j| &c.energy[j * len..(j + 1) * len])).collect();
    let nu = (b - 1) as f64;
    let mut obs = Vec::new();
    for i in 0..nobs {
        let (m, e) = batch_error(&batches_of(i));
        let s = stats[longest][i];
        obs.push(observable(names[i], m, e, exacts[i], s, nu));
        if i == 0 {
            // specific heat per site: jackknife over the batches
            let c_of = |skip: Option<usize>| {
                let it =
                    || energy_batches.iter().enumerate().filter(|(j, _)| Some(*j) != skip).flat_map(|(_, x)| x.iter());
                let cnt = ((b - usize::from(skip.is_some())) * len) as f64;
                let mean = it().sum::<f64>() / cnt;
                // (β σ)², not β² σ²: at β = 1e300 a ground-state chain has σ = 0 and β² = inf
                (beta * (it().map(|v| (v - mean).powi(2)).sum::<f64>() / cnt).sqrt()).powi(2) / sites as f64
            };
            let full = c_of(None);
            let jk: Vec<f64> = (0..b).map(|j| c_of(Some(j))).collect();
            let jm = jk.iter().sum::<f64>() / b as f64;
            let jerr = ((b as f64 - 1.0) / b as f64 * jk.iter().map(|v| (v - jm).powi(2)).sum::<f64>()).sqrt();
            obs.push(observable(
                "specific heat per site β²Var(E)/N",
                full,
                jerr,
                (beta * var_e.sqrt()).powi(2) / sites as f64,
                se,
                nu,
            ));
        }
    }
    if let Some([ea, eb, ec]) = moments {
        // U_4 = 1 − ⟨M⁴⟩/(3⟨M²⟩²) and χ/N = β(⟨M²⟩ − ⟨|M|⟩²)/N are functions of batch means:
        // the jackknife over the batches, t with B − 1 degrees of freedom as for C
        let cols = [batches_of(1), batches_of(2), batches_of(nobs + bin_p.len())];
        let binder = |_a: f64, b: f64, c: f64| 1.0 - c / (3.0 * b * b);
        let chi = |a: f64, b: f64, _c: f64| beta * (b - a * a) / sites as f64;
        let fns: [(&'static str, &MomentFn<'_>, usize); 2] = [
            ("Binder cumulant U₄ = 1 − ⟨M⁴⟩/3⟨M²⟩²", &binder, 2),
            ("susceptibility per site β(⟨M²⟩ − ⟨|M|⟩²)/N", &chi, 1),
        ];
        for (name, f, tau_of) in fns {
            let (full, err) = jackknife(&cols, f);
            obs.push(observable(name, full, err, f(ea, eb, ec), stats[longest][tau_of], nu));
        }
    }
    // Hotelling's T² of the batch histograms (the last bin is implied by the others); at most
    // B/2 dimensions so that the covariance is well determined
    let k = bin_p.len();
    let dims = (k.saturating_sub(1)).min(b / 2);
    let (t2, pval) = if dims == 0 {
        (0.0, 1.0)
    } else {
        let h: Vec<Vec<f64>> = (0..dims).map(|i| batches_of(nobs + i)).collect();
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
    // rare levels: the batches cannot see an event a correct chain would almost never show
    // (e.g. an excited level at β = 20). R = the levels expected fewer than 10⁻³ times in n
    // samples; entries into R of a correct chain are at most Poisson(n·P(R)) (an entry is rarer
    // than a visit), so P(≥ entries) is a conservative p-value.
    let rare: Vec<bool> = exact.levels.iter().map(|l| (n as f64) * l.1 < 1e-3).collect();
    let p_rare_set: f64 = exact.levels.iter().zip(&rare).filter(|(_, r)| **r).map(|(l, _)| l.1).sum();
    let entries: usize = level_index
        .iter()
        .map(|li| li.iter().enumerate().filter(|&(t, &k)| rare[k] && (t == 0 || !rare[li[t - 1]])).count())
        .sum();
    let p_rare = poisson_at_least(entries, n as f64 * p_rare_set);
    let tests = obs.len() + 2;
    let threshold = rate / tests as f64;
    let worst = obs
        .iter()
        .map(|o| (o.p_value, o.name))
        .chain([(pval, "energy histogram"), (p_rare, "visits to levels of negligible weight")])
        .fold((f64::INFINITY, ""), |a, c| if c.0 < a.0 { c } else { a });
    let bad = worst.0 < threshold;
    let mut v = base(
        if bad { "inconsistent" } else { "consistent" },
        format!(
            "smallest p-value {:.2e} ({}) {} {threshold:.1e} = {}/{tests} tests; {b} batches of {len} samples{}, n/τ_int = {ratio:.0}",
            worst.0,
            worst.1,
            if bad { "<" } else { "≥" },
            // 0.01, or 0.01/m in a scan of m couplings
            if rate == FALSE_ALARM_RATE {
                FALSE_ALARM_RATE.to_string()
            } else {
                format!("{FALSE_ALARM_RATE}/{:.0}", FALSE_ALARM_RATE / rate)
            },
            if chains.len() > 1 { format!(" from {} chains", chains.len()) } else { String::new() }
        ),
    );
    v.batches = b;
    v.observables = obs;
    v.chi2 = t2;
    v.dof = dims;
    v.histogram_p_value = pval;
    Ok(v)
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
    fn poisson_tail_matches_closed_forms() {
        // P(X ≥ 1) = 1 − e^{−λ}; P(X ≥ 2) at λ = 1 is 1 − 2/e; a tiny λ: λ^k/k!
        assert!((poisson_at_least(1, 0.3) - (1.0 - (-0.3f64).exp())).abs() < 1e-15);
        assert!((poisson_at_least(2, 1.0) - (1.0 - 2.0 / std::f64::consts::E)).abs() < 1e-15);
        assert!((poisson_at_least(3, 1e-20).ln() - (1e-60f64 / 6.0).ln()).abs() < 1e-9);
        assert_eq!(poisson_at_least(0, 5.0), 1.0);
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
        assert!(read_samples(&text).unwrap_err().starts_with("line 152, column 2"), "{:?}", read_samples(&text));
    }

    #[test]
    fn files_as_monte_carlo_codes_write_them() {
        // numpy.savetxt (header behind '#', spaces), pandas/R (quoted header, CRLF, BOM), tabs
        let rows: String = (0..120).map(|i| format!("{} {}\n", -10 - 2 * (i % 3), i % 5)).collect();
        let np = format!("# energy magnetization\n{rows}");
        let s = read_samples(&np).unwrap();
        assert_eq!((s.energy.len(), s.energy[1], s.magnetization.as_ref().unwrap()[1]), (120, -12.0, 1.0));
        let quoted =
            format!("\u{feff}\"Energy\",\"magnetization\"\r\n{}", rows.replace(' ', ",").replace('\n', "\r\n"));
        assert_eq!(read_samples(&quoted).unwrap().energy, s.energy);
        let tabs = format!("energy\tmagnetization\n# a comment\n{}", rows.replace(' ', "\t"));
        assert_eq!(read_samples(&tabs).unwrap().energy, s.energy);
        // a chain column splits the rows
        let two: String = (0..240).map(|i| format!("{},{}\n", i % 2, -10)).collect();
        let c = read_chains(&format!("chain,energy\n{two}")).unwrap();
        assert_eq!((c.len(), c[0].energy.len(), c[1].energy.len()), (2, 120, 120));
        assert!(read_samples("E M\n1 2\n").unwrap_err().contains("no `energy` column (columns: e, m)"));
    }
}

/// Parameters of `onsager validate` besides the samples.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, clap::Args)]
pub struct ValidateParams {
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub model: ModelParams,
    #[command(flatten)]
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub lattice: LatticeParams,
    /// the samples are energy and magnetization per site (E/N, M/N)
    #[arg(long)]
    #[serde(default)]
    pub per_site: bool,
}

/// The result of `onsager validate`.
#[derive(Debug, Clone, Serialize)]
pub struct ValidateRecord {
    /// model name
    pub model: String,
    /// torus sides
    pub dims: Vec<usize>,
    /// K = βJ
    pub beta: f64,
    /// whether β is the critical coupling
    pub critical: bool,
    /// number of samples
    pub samples: usize,
    /// compared observables
    pub observables: Vec<Observable>,
    /// Hotelling's T² of the batch energy histograms
    pub histogram_chi2: f64,
    /// its dimension
    pub histogram_dof: usize,
    /// its p-value
    pub histogram_p_value: f64,
    /// n/(2τ_int) of the energy
    pub effective_samples: f64,
    /// the largest τ_int
    pub tau_max: f64,
    /// batches of the tests
    pub batches: usize,
    /// "consistent" | "inconsistent" | "too short"
    pub verdict: &'static str,
    /// why, in one line
    pub reason: String,
    /// where the exact numbers come from
    pub exact_source: &'static str,
    /// why |M| was not compared although the samples have it
    #[serde(skip_serializing_if = "Option::is_none")]
    pub magnetization_note: Option<String>,
    /// the exact P(E) levels (E, P), for plots
    #[serde(skip)]
    pub exact_levels: Vec<(f64, f64)>,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: ValidateParams,
}

/// Runs `onsager validate` on independent chains (total energy and magnetization, or per site
/// with `per_site`) at the one β of `params`.
pub fn run(params: &ValidateParams, chains: Vec<Samples>) -> Result<ValidateRecord, JobError> {
    let (spec, beta, critical) = params.model.resolve()?;
    let dims = params.lattice.dims(spec)?;
    let levels = ExactLevels::of(spec, &dims)?;
    point(params, spec, &dims, &levels, (beta, critical), chains, FALSE_ALARM_RATE)
}

/// One β of a validation: the chains against the exact reference at that β.
fn point(
    params: &ValidateParams,
    spec: ModelSpec,
    dims: &[usize],
    levels: &ExactLevels,
    (beta, critical): (f64, bool),
    mut chains: Vec<Samples>,
    rate: f64,
) -> Result<ValidateRecord, JobError> {
    let sites: usize = dims.iter().product();
    if params.per_site {
        for ch in chains.iter_mut() {
            ch.energy.iter_mut().for_each(|e| *e *= sites as f64);
            if let Some(m) = ch.magnetization.as_mut() {
                m.iter_mut().for_each(|x| *x *= sites as f64);
            }
        }
    }
    let with_m = chains.iter().all(|c| c.magnetization.is_some());
    let exact = levels.at(spec, dims, beta, with_m)?;
    let v = validate_chains_at_rate(&chains, &exact, beta, sites, rate)?;
    super::vouched(ValidateRecord {
        model: spec.name(),
        dims: dims.to_vec(),
        beta,
        critical,
        samples: v.samples,
        observables: v.observables,
        histogram_chi2: v.chi2,
        histogram_dof: v.dof,
        histogram_p_value: v.histogram_p_value,
        effective_samples: v.effective_samples,
        tau_max: v.tau_max,
        batches: v.batches,
        verdict: v.verdict,
        reason: v.reason,
        exact_source: v.source,
        magnetization_note: if chains.iter().all(|c| c.magnetization.is_some()) {
            exact.magnetization_note
        } else {
            None
        },
        exact_levels: exact.levels,
        version: env!("CARGO_PKG_VERSION"),
        params: params.clone(),
    })
}

/// The couplings of `params.model.beta` read as a comma-separated list (numbers ≥ 0 or
/// `critical`), each (β, is_critical), in the order given; duplicates are refused.
pub fn betas(params: &ValidateParams) -> Result<Vec<(f64, bool)>, JobError> {
    let spec = ModelSpec::parse(&params.model.model, params.model.q)?;
    let list: Vec<(f64, bool)> =
        params.model.beta.split(',').map(|b| spec.beta(b.trim())).collect::<Result<Vec<_>, _>>()?;
    for (i, a) in list.iter().enumerate() {
        if list[..i].iter().any(|b| b.0 == a.0) {
            return Err(JobError::param("beta", format!("lists {} twice", a.0)));
        }
    }
    Ok(list)
}

/// The result of `onsager validate` over several β: one record per β and one verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ValidateScanRecord {
    /// model name
    pub model: String,
    /// torus sides
    pub dims: Vec<usize>,
    /// one validation per β, in the order of `--beta`
    pub points: Vec<ValidateRecord>,
    /// "inconsistent" if any β is; else "too short" if any β is; else "consistent"
    pub verdict: &'static str,
    /// why, in one line
    pub reason: String,
    /// the exact (β, E/N, C/N) on a grid spanning the β of the scan, for plots
    #[serde(skip)]
    pub curve: Vec<(f64, f64, f64)>,
    /// onsager version
    pub version: &'static str,
    /// the parameters
    pub params: ValidateParams,
}

/// Runs `onsager validate` at several β: `chains` carries each chain's β (one of
/// [`betas`]). The exact counts are computed once; each β is judged at the false-alarm rate
/// FALSE_ALARM_RATE/m, so that a correct sampler fails the scan of m couplings in at most
/// FALSE_ALARM_RATE of runs.
pub fn run_scan(params: &ValidateParams, chains: Vec<(f64, Samples)>) -> Result<ValidateScanRecord, JobError> {
    let spec = ModelSpec::parse(&params.model.model, params.model.q)?;
    let dims = params.lattice.dims(spec)?;
    let list = betas(params)?;
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300);
    for (b, _) in &chains {
        if !list.iter().any(|l| same(l.0, *b)) {
            return Err(JobError::param(
                "beta",
                format!("= {} does not list β = {b}, the β of a chain of samples", params.model.beta),
            ));
        }
    }
    let levels = ExactLevels::of(spec, &dims)?;
    let rate = FALSE_ALARM_RATE / list.len() as f64;
    let mut points = Vec::new();
    for &(beta, critical) in &list {
        let here: Vec<Samples> = chains.iter().filter(|c| same(c.0, beta)).map(|c| c.1.clone()).collect();
        if here.is_empty() {
            return Err(JobError::param("beta", format!("lists β = {beta}, which no sample has")));
        }
        points.push(point(params, spec, &dims, &levels, (beta, critical), here, rate)?);
    }
    let at = |v: &str| -> Vec<String> {
        points.iter().filter(|p| p.verdict == v).map(|p| super::coupling(p.beta)).collect()
    };
    let (bad, short) = (at("inconsistent"), at("too short"));
    let m = list.len();
    let (verdict, reason) = if !bad.is_empty() {
        ("inconsistent", format!("inconsistent at β = {} (each β tested at {FALSE_ALARM_RATE}/{m})", bad.join(", ")))
    } else if !short.is_empty() {
        ("too short", format!("too short at β = {}; the others are consistent", short.join(", ")))
    } else {
        (
            "consistent",
            format!("consistent at all {m} β (each tested at {FALSE_ALARM_RATE}/{m}, {FALSE_ALARM_RATE} for the scan)"),
        )
    };
    let sites: usize = dims.iter().product();
    let (lo, hi) = list.iter().fold((f64::INFINITY, 0f64), |a, b| (a.0.min(b.0), a.1.max(b.0)));
    let pad = 0.1 * (hi - lo).max(0.05 * hi).max(1e-3);
    let curve = (0..=200)
        .map(|i| {
            let start = (lo - pad).max(0.0);
            let b = start + (hi + pad - start) * i as f64 / 200.0;
            let t = levels.thermodynamics(b, sites);
            (b, t.energy / sites as f64, t.specific_heat_per_site)
        })
        .collect();
    Ok(ValidateScanRecord {
        model: spec.name(),
        dims,
        points,
        verdict,
        reason,
        curve,
        version: env!("CARGO_PKG_VERSION"),
        params: params.clone(),
    })
}
