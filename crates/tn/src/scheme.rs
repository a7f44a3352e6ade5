//! The coarse-graining interface and its one driver.
//!
//! A scheme holds its tensor(s) and knows how to do one RG step; the driver [`run`] owns the
//! loop, the lnZ bookkeeping, stopping rules and observers (TNRKit.jl's `run!` shape).
//!
//! Bookkeeping: if after step k every tensor stands for s_k original sites and the scheme divided
//! its new tensor by n_k, then for N sites Z = Π_k n_k^{N/s_k} · Z(remaining network), so
//!
//! lnZ/N = ln n_0 / s_0 + Σ_k ln n_k / s_k + ln Tr(T_k) / s_k,
//!
//! where Tr closes the last tensor on itself (a 1 × 1 torus of the coarse lattice). For a finite
//! torus the same sum stops when one tensor is left, and is exact up to truncation.
//!
//! On small tori the last merges truncate the most, so schemes that can contract a few current
//! tensors exactly say so: [`CoarseGraining::pair_trace`] (the 2-tensor torus the next step would
//! make) replaces the estimate after every step, and [`CoarseGraining::quad_trace`] (the 2 × 2
//! torus the next two steps would make, O(χ⁶)) replaces the final one of a run with a step cap.

/// Truncation of a bond: at most `chi` states, and drop singular values below `cutoff · s_max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Truncation {
    /// bond dimension χ
    pub chi: usize,
    /// relative singular-value cutoff
    pub cutoff: f64,
}

impl Truncation {
    /// χ with no cutoff beyond rounding (1e-14).
    pub fn chi(chi: usize) -> Self {
        Truncation { chi, cutoff: 1e-14 }
    }
}

/// What one step reports to the driver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepInfo {
    /// the factor the new tensor was divided by (> 0)
    pub norm: f64,
    /// how many old tensors one new tensor replaces (2 for TRG and for HOTRG in 2D)
    pub merged: f64,
    /// discarded weight of the truncation in this step, Σ_dropped s² / Σ s²
    pub truncation_error: f64,
}

/// A coarse-graining scheme (TRG, HOTRG, ...): one RG step at a time.
pub trait CoarseGraining {
    /// Short name (`trg`, `hotrg`, ...).
    fn name(&self) -> &'static str;
    /// The factor the initial tensor was divided by, and the sites one initial tensor holds.
    fn initial(&self) -> (f64, f64);
    /// Contract, truncate with `trunc`, divide the new tensor by a norm; report what was done.
    fn step(&mut self, trunc: &Truncation) -> StepInfo;
    /// The current tensor closed on itself (trace over both pairs of legs).
    fn trace(&self) -> f64;
    /// The current tensor as one 4-leg site tensor (l, u, r, d), bond weights absorbed, for
    /// fixed-point analysis ([`crate::gu_wen`]); `None` if the scheme has no such form.
    fn site_tensor(&self) -> Option<ndarray::ArrayD<f64>> {
        None
    }
    /// Expectation values of the impurities the scheme carries (⟨O⟩ on the torus the current
    /// tensor closes); empty if it carries none.
    fn expectations(&self) -> Vec<f64> {
        vec![]
    }
    /// The torus of the two current tensors that the next step merges, contracted exactly, if
    /// the scheme can say (`None`: it cannot). The driver then closes the torus the step
    /// produces without that step's truncation, which on small tori is the largest error.
    fn pair_trace(&self) -> Option<f64> {
        None
    }
    /// The torus of the 2 × 2 current tensors that the next two steps merge, contracted exactly,
    /// if the scheme can say. The driver asks for it two steps before a step cap and closes the
    /// final torus with it, which removes the two largest truncations of a finite torus.
    fn quad_trace(&self) -> Option<f64> {
        None
    }
}

/// When to stop, shared by every iterative method here. Each method states its change, the
/// number a [`Stop::Converged`] tolerance is compared with:
/// - the coarse-graining driver: that of the lnZ/N estimate in one step;
/// - CTMRG in both forms: that of the normalised corner spectrum in one iteration;
/// - the fixed-point corner method: the relative change of A_C;
/// - finite DMRG ([`crate::dmrg`]): the relative change of E₀ over one sweep (once the bond
///   entropies have settled);
/// - VUMPS ([`crate::vumps`]): the gauge error ε itself.
///
/// Compose with [`Stop::Any`] (like TNRKit's `maxiter(25) & convcrit(...)`: stop when either
/// says so) and [`Stop::All`] (a floor, as in "converged, but not before 2 sweeps"), or build
/// the usual forms with [`Stop::tolerance`] and [`Stop::tolerance_after`].
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// after this many steps
    MaxSteps(usize),
    /// when the method's change in one step is below this
    Converged(f64),
    /// when any of these says stop
    Any(Vec<Stop>),
    /// when all of these say stop
    All(Vec<Stop>),
}

impl Stop {
    /// Converged to `tol`, or at most `max_steps` steps.
    pub fn tolerance(tol: f64, max_steps: usize) -> Stop {
        Stop::Any(vec![Stop::Converged(tol), Stop::MaxSteps(max_steps)])
    }

    /// Converged to `tol` once at least `min_steps` steps are done, or at most `max_steps` steps.
    pub fn tolerance_after(tol: f64, min_steps: usize, max_steps: usize) -> Stop {
        Stop::Any(vec![Stop::All(vec![Stop::MaxSteps(min_steps), Stop::Converged(tol)]), Stop::MaxSteps(max_steps)])
    }

    /// Whether to stop after `steps` steps whose last changed things by `change`.
    pub fn done(&self, steps: usize, change: f64) -> bool {
        match self {
            Stop::MaxSteps(n) => steps >= *n,
            Stop::Converged(tol) => steps > 0 && change.abs() < *tol,
            Stop::Any(v) => v.iter().any(|s| s.done(steps, change)),
            Stop::All(v) => v.iter().all(|s| s.done(steps, change)),
        }
    }

    /// Whether a convergence criterion (not a cap) is met: the run converged. Under
    /// [`Stop::All`] every part must say stop and one of them must be a convergence criterion.
    pub fn converged(&self, steps: usize, change: f64) -> bool {
        match self {
            Stop::MaxSteps(_) => false,
            Stop::Converged(tol) => steps > 0 && change.abs() < *tol,
            Stop::Any(v) => v.iter().any(|s| s.converged(steps, change)),
            Stop::All(v) => self.done(steps, change) && v.iter().any(|s| s.converged(steps, change)),
        }
    }

    /// The step at which the run stops whatever it converges to, if there is one: the smallest
    /// cap under [`Stop::Any`], the largest under [`Stop::All`] (none if a part has none).
    pub fn cap(&self) -> Option<usize> {
        match self {
            Stop::MaxSteps(n) => Some(*n),
            Stop::Converged(_) => None,
            Stop::Any(v) => v.iter().filter_map(Stop::cap).min(),
            Stop::All(v) => v.iter().map(Stop::cap).collect::<Option<Vec<_>>>()?.into_iter().max(),
        }
    }
}

/// One step as seen by an observer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepRecord {
    /// step number (1-based)
    pub step: usize,
    /// original sites per tensor after the step
    pub sites_per_tensor: f64,
    /// the lnZ/N estimate after the step (accumulated norms plus the closed trace)
    pub ln_z_per_site: f64,
    /// the step's report
    pub info: StepInfo,
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// lnZ/N
    pub ln_z_per_site: f64,
    /// steps done
    pub steps: usize,
    /// original sites per tensor at the end (N for a finite torus)
    pub sites_per_tensor: f64,
    /// largest discarded weight over the steps
    pub truncation_error: f64,
    /// every step
    pub history: Vec<StepRecord>,
}

/// Runs `scheme` until `stop`, calling `observe` after every step.
pub fn run<S: CoarseGraining + ?Sized>(
    scheme: &mut S,
    trunc: &Truncation,
    stop: &Stop,
    observe: &mut dyn FnMut(&S, &StepRecord),
) -> RunRecord {
    let (n0, s0) = scheme.initial();
    let mut acc = n0.ln() / s0;
    let mut sites = s0;
    let mut estimate = acc + scheme.trace().ln() / sites;
    let mut history = Vec::new();
    let mut err: f64 = 0.0;
    let mut steps = 0;
    let mut change = f64::INFINITY;
    let cap = stop.cap();
    // the 2 × 2 torus closed two steps before the cap, waiting for the step that makes it
    let mut pending_quad: Option<f64> = None;
    while !stop.done(steps, change) {
        // the same torus closed before the step, untruncated: ln Z/N = acc + ln Tr(pair)/(2 sites)
        let exact_pair = scheme.pair_trace().map(|p| acc + p.ln() / (2.0 * sites));
        // only for the final estimate: it costs O(χ⁶), more than a step at small χ
        let exact_quad =
            if cap == Some(steps + 2) { scheme.quad_trace().map(|q| acc + q.ln() / (4.0 * sites)) } else { None };
        let info = scheme.step(trunc);
        steps += 1;
        sites *= info.merged;
        acc += info.norm.ln() / sites;
        let pairwise = info.merged == 2.0;
        let next = match (pending_quad.take(), exact_pair) {
            (Some(e), _) if pairwise && e.is_finite() => e,
            (_, Some(e)) if pairwise && e.is_finite() => e,
            _ => acc + scheme.trace().ln() / sites,
        };
        pending_quad = exact_quad.filter(|_| pairwise);
        change = next - estimate;
        estimate = next;
        err = err.max(info.truncation_error);
        let rec = StepRecord { step: steps, sites_per_tensor: sites, ln_z_per_site: estimate, info };
        observe(scheme, &rec);
        history.push(rec);
    }
    RunRecord { ln_z_per_site: estimate, steps, sites_per_tensor: sites, truncation_error: err, history }
}

// The registry entry of a scheme (listed in crate::registry::SCHEMES): here, next to the
// contract it builds, so that a scheme file imports only this module.

/// What a scheme supports besides lnZ/N (the job refuses the others with a one-line reason).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Gu–Wen conformal data from its last 4-leg tensor ([`CoarseGraining::site_tensor`])
    pub spectrum: bool,
    /// energy and magnetization from impurity tensors ([`Start::impurities`])
    pub observables: bool,
    /// the simple cubic lattice (Ising): runs [`crate::hotrg3d`]
    pub three_d: bool,
}

/// What a scheme starts from.
#[derive(Debug, Clone)]
pub struct Start {
    /// the site tensor a\[l,u,r,d\] of one site
    pub tensor: ndarray::ArrayD<f64>,
    /// Z₂ parity of every leg state when the model has the spin-flip symmetry (a scheme may use
    /// it to work on parity blocks, or ignore it)
    pub parity: Option<Vec<u8>>,
    /// impurity site tensors carried along (only for schemes with `observables`)
    pub impurities: Vec<ndarray::ArrayD<f64>>,
}

/// A registered scheme.
#[derive(Clone, Copy)]
pub struct Scheme {
    /// its name: the CLI subcommand and the sweep `command`
    pub name: &'static str,
    /// one line for `onsager --help`
    pub about: &'static str,
    /// builds the scheme from its start
    pub build: fn(Start) -> Box<dyn CoarseGraining>,
    /// peak bytes of a 2D run: (leg states q of the site tensor, χ, steps, parity blocks used)
    pub peak_bytes: fn(usize, usize, usize, bool) -> f64,
    /// what it can do
    pub capabilities: Capabilities,
}

impl std::fmt::Debug for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheme").field("name", &self.name).field("capabilities", &self.capabilities).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Stop;

    #[test]
    fn stopping_rules_compose() {
        // DMRG's default form: converged to 1e-12 but not before 2 sweeps, at most 20 sweeps
        let s = Stop::tolerance_after(1e-12, 2, 20);
        assert!(!s.done(0, f64::INFINITY));
        assert!(!s.done(1, 0.0), "the floor of 2 steps holds even at zero change");
        assert!(s.done(2, 0.0) && s.converged(2, 0.0));
        assert!(!s.done(5, 1e-11));
        assert!(s.done(20, 1e-11) && !s.converged(20, 1e-11), "the cap stops without converging");
        assert_eq!(s.cap(), Some(20));
        // All of caps stops at the largest; All with a tolerance has no cap
        assert_eq!(Stop::All(vec![Stop::MaxSteps(3), Stop::MaxSteps(7)]).cap(), Some(7));
        assert_eq!(Stop::All(vec![Stop::MaxSteps(3), Stop::Converged(1e-9)]).cap(), None);
        assert!(!Stop::All(vec![Stop::MaxSteps(3), Stop::MaxSteps(7)]).converged(7, 0.0));
        // Converged never stops before the first step, whatever the change says
        assert!(!Stop::Converged(1.0).done(0, 0.0));
        assert!(Stop::tolerance(1e-8, 100).done(1, -1e-9), "the change counts by its size");
    }
}
