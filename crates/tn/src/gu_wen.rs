//! Conformal data from a fixed-point tensor (Gu & Wen, PRB 80, 155131 (2009)).
//!
//! A tensor T (legs l, u, r, d) that stands for a b × b block of a critical lattice is, up to a
//! factor α (bulk free energy and normalisation), a piece of a conformal field theory. The
//! transfer matrix of a cylinder of circumference w tensors and height one tensor has eigenvalues
//! λ_n = α^w exp[−(2π/w)(Δ_n − c/12)]. With
//! M₁\[u, d\] = Σ_l T\[l,u,l,d\] (w = 1) and M₂[(u₁u₂),(d₁d₂)] = Σ_{l,r} T\[l,u₁,r,d₁\] T\[r,u₂,l,d₂\] (w = 2),
//! α cancels from 2 ln λ₀(M₁) − ln λ₀(M₂) = πc/4, and Δ_n = (1/π) ln(λ₀/λ_n) from M₂.
//! (Moduli are used: states of non-zero momentum give complex λ.)

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use ndarray::ArrayD;

/// Central charge and the lowest scaling dimensions (Δ₀ = 0 excluded), ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct CftData {
    /// c = (4/π)(2 ln λ₀(M₁) − ln λ₀(M₂))
    pub central_charge: f64,
    /// Δ_n = (1/π) ln(λ₀/λ_n) from M₂, n = 1, 2, ...
    pub scaling_dimensions: Vec<f64>,
}

/// [`CftData`] of a 4-leg tensor (l, u, r, d) with equal horizontal bonds; `levels` dimensions.
pub fn cft_data(t: &ArrayD<f64>, levels: usize) -> Option<CftData> {
    let s = t.shape();
    let (dl, du, dd) = (s[0], s[1], s[3]);
    if s[2] != dl || du != dd {
        return None;
    }
    let m1 = Mat::from_fn(du, dd, |u, d| (0..dl).map(|l| t[[l, u, l, d].as_ref()]).sum());
    // X[(u₁,d₁),(l,r)] = T[l,u₁,r,d₁], Y[(l,r),(u₂,d₂)] = T[r,u₂,l,d₂]
    let x = Mat::from_fn(du * dd, dl * dl, |i, j| t[[j / dl, i / dd, j % dl, i % dd].as_ref()]);
    let y = Mat::from_fn(dl * dl, du * dd, |i, j| t[[i % dl, j / dd, i / dl, j % dd].as_ref()]);
    let mut p = Mat::<f64>::zeros(du * dd, du * dd);
    matmul(p.as_mut(), Accum::Replace, x.as_ref(), y.as_ref(), 1.0, Par::rayon(0));
    // M₂[(u₁,u₂),(d₁,d₂)] = P[(u₁,d₁),(u₂,d₂)]
    let m2 = Mat::from_fn(du * du, dd * dd, |i, j| p[((i / du) * dd + j / dd, (i % du) * dd + j % dd)]);
    let e1 = onsager_linalg::eig_moduli(m1.as_ref()).ok()?;
    let e2 = onsager_linalg::eig_moduli(m2.as_ref()).ok()?;
    let (l1, l2) = (e1[0], e2[0]);
    if l1 <= 0.0 || l2 <= 0.0 {
        return None;
    }
    let c = 4.0 / std::f64::consts::PI * (2.0 * l1.ln() - l2.ln());
    let dims = e2.iter().skip(1).take(levels).map(|v| (l2 / v).ln() / std::f64::consts::PI).collect();
    Some(CftData { central_charge: c, scaling_dimensions: dims })
}

/// Conformal data from the stretch of an RG flow where it is stationary.
///
/// With a finite bond dimension the flow passes near the critical fixed point only for a while:
/// the data first converge (the block outgrows the lattice spacing) and later drift away
/// (truncation relevant perturbations grow). The window is the longest run of consecutive
/// analysed steps, around the step where (c, x₁, x₂) change least, in which every step changes
/// them by at most `tol`; the data are those of that least-changing step, the error half the
/// range of each quantity over the window (at least the least change).
#[derive(Debug, Clone, PartialEq)]
pub struct CftWindow {
    /// first and last RG step of the window
    pub steps: (usize, usize),
    /// the step whose data are reported
    pub at: usize,
    /// its data
    pub data: CftData,
    /// error of c
    pub central_charge_error: f64,
    /// errors of the scaling dimensions
    pub scaling_dimensions_error: Vec<f64>,
}

/// Whether data can belong to a critical fixed point: the trivial fixed points the flow reaches
/// once truncation has driven it off criticality are stationary too, with c ≈ 0 (ordered: x₁ ≈ 0,
/// the degenerate ground states; disordered: c ≈ 0 with a large x₁). Unitary critical points have
/// c ≥ 1/2, so c ≥ 0.1 and x₁ ≥ 0.02 keep every critical model here and exclude both.
pub fn could_be_critical(c: &CftData) -> bool {
    c.central_charge >= 0.1 && c.scaling_dimensions.first().is_some_and(|&x| x >= 0.02)
}

/// The largest change of (c, x₁, x₂) between two analysed steps.
pub fn change(a: &CftData, b: &CftData) -> f64 {
    let dx = a.scaling_dimensions.iter().zip(&b.scaling_dimensions).take(2).map(|(x, y)| (x - y).abs());
    dx.fold((a.central_charge - b.central_charge).abs(), f64::max)
}

/// The stationary window of a flow given as (step, data) in step order; `Err` with the reason
/// when the flow has no step that changes the data by less than `tol`.
pub fn stationary_window(flow: &[(usize, CftData)], tol: f64) -> Result<CftWindow, String> {
    if flow.len() < 3 {
        return Err(format!(
            "{} analysed steps; at least 3 are needed to find where the flow is stationary",
            flow.len()
        ));
    }
    // a window never spans data of a trivial fixed point
    let d: Vec<f64> = flow
        .windows(2)
        .map(|w| {
            if could_be_critical(&w[0].1) && could_be_critical(&w[1].1) {
                change(&w[0].1, &w[1].1)
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let (j, &dmin) = d.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).expect("two or more changes");
    if dmin.is_infinite() {
        return Err("no analysed step has critical conformal data (c ≥ 0.1, x₁ ≥ 0.02): the flow is at a trivial \
                    fixed point throughout; is --beta critical?"
            .into());
    }
    if dmin > tol {
        return Err(format!(
            "the conformal data never settle: their smallest change between analysed steps is {dmin:.3} \
             (steps {} → {}), above {tol}; raise --chi or change --steps",
            flow[j].0,
            flow[j + 1].0
        ));
    }
    // changes d[i] join flow[i] and flow[i + 1]; grow the run of changes ≤ tol around d[j]
    let (mut lo, mut hi) = (j, j);
    while lo > 0 && d[lo - 1] <= tol {
        lo -= 1;
    }
    while hi + 1 < d.len() && d[hi + 1] <= tol {
        hi += 1;
    }
    let window = &flow[lo..=hi + 1];
    let half_range = |f: &dyn Fn(&CftData) -> f64| {
        let (a, b) =
            window.iter().map(|(_, c)| f(c)).fold((f64::INFINITY, f64::NEG_INFINITY), |m, x| (m.0.min(x), m.1.max(x)));
        (0.5 * (b - a)).max(dmin)
    };
    let at = &flow[j + 1];
    let levels = window.iter().map(|(_, c)| c.scaling_dimensions.len()).min().unwrap_or(0);
    Ok(CftWindow {
        steps: (window[0].0, window[window.len() - 1].0),
        at: at.0,
        central_charge_error: half_range(&|c| c.central_charge),
        scaling_dimensions_error: (0..levels).map(|n| half_range(&|c| c.scaling_dimensions[n])).collect(),
        data: at.1.clone(),
    })
}

#[cfg(test)]
mod window_tests {
    use super::*;

    fn data(c: f64, x1: f64, x2: f64) -> CftData {
        CftData { central_charge: c, scaling_dimensions: vec![x1, x2] }
    }

    #[test]
    fn the_window_is_where_the_flow_is_stationary_and_never_a_trivial_fixed_point() {
        // converging (steps 1–3), stationary near c = 1/2 (4–7), drifting (8–9), then the
        // trivial fixed point (10–14: c = 0, x₁ = 0, perfectly stationary)
        let cs = [0.70, 0.60, 0.53, 0.505, 0.502, 0.500, 0.497, 0.47, 0.40];
        let mut flow: Vec<(usize, CftData)> =
            cs.iter().enumerate().map(|(i, &c)| (i + 1, data(c, 0.125 + (c - 0.5) / 10.0, 1.0))).collect();
        flow.extend((10..15).map(|k| (k, data(0.0, 0.0, 2.0))));
        let w = stationary_window(&flow, 0.01).unwrap();
        assert_eq!((w.steps, w.at), ((4, 7), 6));
        assert_eq!(w.data.central_charge, 0.500);
        // half the range 0.497..0.505
        assert!((w.central_charge_error - 0.004).abs() < 1e-12, "{}", w.central_charge_error);
        // a flow that only moves is refused with the smallest change named
        let moving: Vec<(usize, CftData)> = (1..8).map(|k| (k, data(0.5 + 0.05 * k as f64, 0.2, 1.0))).collect();
        assert!(stationary_window(&moving, 0.01).unwrap_err().contains("never settle"));
        // only trivial fixed points: refused
        let trivial: Vec<(usize, CftData)> = (1..6).map(|k| (k, data(0.0, 0.0, 1.0))).collect();
        assert!(stationary_window(&trivial, 0.01).unwrap_err().contains("trivial"));
    }
}
