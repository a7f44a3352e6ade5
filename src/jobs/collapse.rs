//! Finite-size scaling of the Fisher curvature off the critical point, from stored records.
//!
//! Near K_c the curvature per site of the L × L torus should take the scaling form
//!
//! R/N = R∞/N(K) + Φ(x) + …,   x = (K − K_c) L^{1/ν}   (ν = 1 for the 2D Ising class),
//!
//! with R∞/N(K) the infinite lattice's regular part (`fisher --bulk`, momentum quadrature). So
//! y = R/N − R∞/N(K) plotted against x collapses onto Φ if the form holds. The points come from
//! the records of `fisher` jobs (a sweep's JSON Lines, or `fisher --json` output) at several
//! couplings and sizes; the regular part from `fisher --bulk` records at the same couplings.
//! Nothing is computed here beyond the differences: every number is a stored exact one.

use super::fisher::FisherParams;
use super::JobError;
use serde::Serialize;

/// One (L, K) point of the collapse.
#[derive(Debug, Clone, Serialize)]
pub struct CollapsePoint {
    /// side length L
    #[serde(rename = "L")]
    pub l: usize,
    /// coupling K
    pub beta: f64,
    /// scaling variable x = (K − K_c) L^{1/ν}
    pub x: f64,
    /// R/N of the torus
    pub r_per_site: f64,
    /// R∞/N(K) by quadrature
    pub r_inf_per_site: f64,
    /// the quadrature's error bound on R∞/N (the change from the grid before)
    pub r_inf_error: f64,
    /// y = R/N − R∞/N
    pub y: f64,
}

/// The collapse: every point whose coupling has a regular part, sorted by x.
#[derive(Debug, Clone, Serialize)]
pub struct Collapse {
    /// model name
    pub model: String,
    /// K_c
    pub critical_beta: f64,
    /// ν used in x
    pub nu: f64,
    /// the points
    pub points: Vec<CollapsePoint>,
    /// couplings with torus records but no bulk record (their points are left out)
    pub couplings_without_bulk: Vec<f64>,
}

/// Builds the collapse from records (one JSON object each: a sweep line, whose `result` is the
/// record, or a bare `fisher` record). Failed sweep lines are skipped, and so are tori at K_c
/// itself (x = 0, where R∞/N diverges); a torus in two records counts once. Records of other
/// commands or of another model than the first are refused, as is a set with no bulk record.
pub fn collapse(records: &[serde_json::Value]) -> Result<Collapse, JobError> {
    let bad = |m: String| JobError::param("collapse", m);
    let mut model: Option<(String, f64, f64)> = None;
    let mut tori: Vec<(usize, f64, f64)> = Vec::new();
    let mut bulk: Vec<(f64, f64, f64)> = Vec::new();
    for (i, v) in records.iter().enumerate() {
        if v.get("error").is_some_and(|e| !e.is_null()) {
            continue;
        }
        if v.get("command").and_then(|c| c.as_str()).is_some_and(|c| c != "fisher") {
            return Err(bad(format!("record {}: a {} record, not fisher", i + 1, v["command"])));
        }
        let rec = v.get("result").unwrap_or(v);
        let params: FisherParams = serde_json::from_value(rec["params"].clone())
            .map_err(|e| bad(format!("record {}: not a fisher record ({e})", i + 1)))?;
        let (spec, beta, _) = params.model.resolve()?;
        let name = spec.name();
        match &model {
            None => {
                let cp = onsager_models::critical_coupling(spec.model, spec.dim)
                    .map_err(|_| bad(format!("{name} has no known critical coupling")))?;
                let nu = cp.exponents.map(|e| e.nu.value()).ok_or_else(|| bad(format!("{name} has no known ν")))?;
                model = Some((name, cp.coupling, nu));
            }
            Some((m, ..)) if *m != name => {
                return Err(bad(format!("record {}: {name}, where the first record is {m}", i + 1)))
            }
            _ => {}
        }
        // a `--bulk` record holds its tori's rows as well
        if let Some(b) = rec.get("bulk").filter(|b| !b.is_null()) {
            let r =
                b["r_per_site"].as_f64().ok_or_else(|| bad(format!("record {}: bulk without r_per_site", i + 1)))?;
            if !bulk.iter().any(|x| x.0 == beta) {
                // a regular part without its error bound cannot be vouched for: refuse, never NaN
                let e = b["r_error"]
                    .as_f64()
                    .ok_or_else(|| bad(format!("record {}: bulk without r_error (its error bound)", i + 1)))?;
                bulk.push((beta, r, e));
            }
        }
        for row in rec["rows"].as_array().into_iter().flatten() {
            let (Some(l), Some(r)) = (row["L"].as_u64(), row["R"].as_f64()) else {
                return Err(bad(format!("record {}: a row without L and R", i + 1)));
            };
            let n = (l as f64).powi(spec.dim as i32);
            // the same torus in two records (a sweep and a --bulk job) is one point
            if !tori.iter().any(|t| t.0 == l as usize && t.1 == beta) {
                tori.push((l as usize, beta, r / n));
            }
        }
    }
    let Some((model, kc, nu)) = model else { return Err(bad("no fisher records".into())) };
    if bulk.is_empty() {
        return Err(bad("no `fisher --bulk` record: the regular part R∞/N(K) is needed".into()));
    }
    let mut points = Vec::new();
    let mut without = Vec::new();
    for &(l, beta, r) in &tori {
        if beta == kc {
            continue; // x = 0: R∞/N diverges, no regular part to subtract
        }
        match bulk.iter().find(|b| b.0 == beta) {
            Some(&(_, r_inf, err)) => points.push(CollapsePoint {
                l,
                beta,
                x: (beta - kc) * (l as f64).powf(1.0 / nu),
                r_per_site: r,
                r_inf_per_site: r_inf,
                r_inf_error: err,
                y: r - r_inf,
            }),
            None if !without.contains(&beta) => without.push(beta),
            None => {}
        }
    }
    // equal x from different (L, K) differ in the last bits: order them by L
    let key = |p: &CollapsePoint| (p.x * 1e9).round();
    points.sort_by(|a, b| key(a).total_cmp(&key(b)).then(a.l.cmp(&b.l)));
    without.sort_by(f64::total_cmp);
    Ok(Collapse { model, critical_beta: kc, nu, points, couplings_without_bulk: without })
}
