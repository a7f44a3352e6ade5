//! A toy scheme: Levin–Nave TRG under another name, to show that a scheme is one file.
use crate::scheme::{CoarseGraining, StepInfo, Truncation};

/// TRG, renamed.
pub struct ToyRg(crate::trg::Trg);

impl CoarseGraining for ToyRg {
    fn name(&self) -> &'static str {
        "toyrg"
    }
    fn initial(&self) -> (f64, f64) {
        self.0.initial()
    }
    fn step(&mut self, trunc: &Truncation) -> StepInfo {
        self.0.step(trunc)
    }
    fn trace(&self) -> f64 {
        self.0.trace()
    }
}

/// The registry entry.
pub const SCHEME: crate::scheme::Scheme = crate::scheme::Scheme {
    name: "toyrg",
    about: "a toy: TRG under another name",
    build: |s| Box::new(ToyRg(crate::trg::Trg::new(s.tensor))),
    peak_bytes: crate::trg::peak_bytes,
    capabilities: crate::scheme::Capabilities { spectrum: false, observables: false, three_d: false },
};
