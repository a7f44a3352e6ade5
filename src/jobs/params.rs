//! The parameter blocks every job shares (model, lattice), and the one way a job's parameters are
//! read from a JSON/TOML map (the sweep, the Python package): unknown keys are refused with the
//! allowed ones, and a value of the wrong type names its key.
//!
//! A params struct is at the same time the CLI's flags (`clap::Args`), the keys of a sweep spec
//! and the keyword arguments of the Python functions (`serde`); its `Default` is the CLI's
//! defaults. Numbers that the CLI takes as text (`--beta 0.3` or `critical`, `--sizes 3..9`)
//! are read from a number or a string.

use super::{JobError, ModelSpec};
use onsager_models::{ModelError, Torus};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The model of the classical commands: `--model`, `--q`, `--beta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct ModelParams {
    /// ising (2D), potts, clock (2D, need --q), ising3d, ising1d
    #[arg(long, default_value = "ising")]
    #[serde(default = "ising")]
    pub model: String,
    /// number of states for potts and clock (2 ≤ q ≤ 64)
    #[arg(long)]
    #[serde(default)]
    pub q: Option<usize>,
    /// coupling K = βJ (J = 1), a number ≥ 0 or 'critical'
    #[arg(long, default_value = "critical", allow_hyphen_values = true)]
    #[serde(default = "critical", deserialize_with = "text")]
    pub beta: String,
}

fn ising() -> String {
    "ising".into()
}

fn critical() -> String {
    "critical".into()
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams { model: ising(), q: None, beta: critical() }
    }
}

impl ModelParams {
    /// The model, β and whether β is the model's critical coupling.
    pub fn resolve(&self) -> Result<(ModelSpec, f64, bool), JobError> {
        let spec = ModelSpec::parse(&self.model, self.q)?;
        let (beta, critical) = spec.beta(&self.beta)?;
        Ok((spec, beta, critical))
    }
}

/// The sides of a finite periodic torus: `--lx`, `--ly`, `--lz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct LatticeParams {
    /// side along x
    #[arg(long)]
    pub lx: usize,
    /// side along y (default: lx; not for ising1d)
    #[arg(long)]
    #[serde(default)]
    pub ly: Option<usize>,
    /// side along z (ising3d only; default: lx)
    #[arg(long)]
    #[serde(default)]
    pub lz: Option<usize>,
}

impl Default for LatticeParams {
    fn default() -> Self {
        LatticeParams { lx: 4, ly: None, lz: None }
    }
}

impl LatticeParams {
    /// The torus sides for the model's dimension; `--lz` is refused below three dimensions.
    pub fn dims(&self, spec: ModelSpec) -> Result<Vec<usize>, JobError> {
        if spec.dim < 3 && self.lz.is_some() {
            return Err(ModelError::range("lz", self.lz.unwrap_or(0), "only for `model` ising3d").into());
        }
        if spec.dim == 1 && self.ly.is_some() {
            return Err(ModelError::range(
                "ly",
                self.ly.unwrap_or(0),
                "not for `model` ising1d (a ring of `lx` sites)",
            )
            .into());
        }
        let (lx, ly, lz) = (self.lx, self.ly.unwrap_or(self.lx), self.lz.unwrap_or(self.lx));
        let dims = match spec.dim {
            1 => vec![lx],
            2 => vec![lx, ly],
            _ => vec![lx, ly, lz],
        };
        Torus::new(&dims)?;
        Ok(dims)
    }
}

/// A number or a string, as text: `beta = 0.3` and `beta = "critical"` in a spec.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        I(i64),
        U(u64),
        F(f64),
        S(String),
    }
    Ok(match Text::deserialize(d)? {
        Text::I(i) => i.to_string(),
        Text::U(u) => u.to_string(),
        Text::F(f) => f.to_string(),
        Text::S(s) => s,
    })
}

/// [`text`] for an optional field (`null` is `None`).
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "text")] String);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

/// The keys a params struct takes: those of its default, serialised.
pub fn keys<P: Serialize + Default>() -> Vec<String> {
    match serde_json::to_value(P::default()) {
        Ok(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Reads a params struct from a JSON object (a sweep's grid point, Python keyword arguments).
/// An unknown key is refused with the allowed ones; a value of the wrong type names its key.
pub fn from_value<P: Serialize + DeserializeOwned + Default>(command: &str, v: &Value) -> Result<P, JobError> {
    let Value::Object(map) = v else {
        return Err(JobError::Usage(format!("command {command}: the parameters must be a table")));
    };
    let allowed = keys::<P>();
    if let Some(k) = map.keys().find(|k| !allowed.contains(k)) {
        let names: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
        return Err(JobError::Usage(format!(
            "unknown key `{k}` for command {command} (allowed keys: {})",
            names.join(", ")
        )));
    }
    serde_json::from_value(v.clone()).map_err(|e| {
        // find the key at fault: the defaults (which read back) with that one key set fail
        let base = serde_json::to_value(P::default()).unwrap_or(Value::Null);
        let base_reads = serde_json::from_value::<P>(base.clone()).is_ok();
        let culprit = map.iter().filter(|_| base_reads).find(|(k, x)| {
            let mut one = base.clone();
            if let Value::Object(o) = &mut one {
                o.insert((*k).clone(), (*x).clone());
            }
            serde_json::from_value::<P>(one).is_err()
        });
        match culprit {
            Some((k, x)) => JobError::param(k, format!("= {x} is out of range: {e}")),
            None => JobError::Usage(format!("command {command}: {e}")),
        }
    })
}

/// A record as the one JSON object the CLI prints and the sweep stores (keys sorted, so both are
/// byte-identical for the same job).
pub fn to_json<R: Serialize>(record: &R) -> Value {
    serde_json::to_value(record).unwrap_or_else(|e| Value::String(format!("record not serialisable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::fisher::FisherParams;
    use crate::jobs::partition::PartitionParams;
    use serde_json::json;

    #[test]
    fn numbers_and_strings_are_both_text() {
        let p: FisherParams = from_value("fisher", &json!({"beta": 0.3, "sizes": 6})).unwrap();
        assert_eq!((p.model.beta.as_str(), p.sizes.as_deref()), ("0.3", Some("6")));
        let p: FisherParams = from_value("fisher", &json!({"beta": "critical", "sizes": "3..9"})).unwrap();
        assert_eq!((p.model.beta.as_str(), p.sizes.as_deref()), ("critical", Some("3..9")));
        // the defaults are the CLI's, and every params struct reads its own defaults back (the
        // key-at-fault search of from_value relies on it)
        assert_eq!(from_value::<FisherParams>("fisher", &json!({})).unwrap(), FisherParams::default());
        for c in crate::jobs::commands().into_iter().chain(["validate"]) {
            let d = crate::jobs::default_params(c).unwrap();
            let back = match c {
                "validate" => from_value::<crate::jobs::validate::ValidateParams>(c, &d).map(|p| to_json(&p)).unwrap(),
                _ => {
                    crate::jobs::check_command(c, &d).unwrap_or_else(|e| panic!("{c}: {e}"));
                    d.clone()
                }
            };
            assert_eq!(back, d, "{c}");
        }
    }

    #[test]
    fn unknown_keys_and_bad_types_name_the_key() {
        let e = from_value::<FisherParams>("fisher", &json!({"size": 6})).unwrap_err().to_string();
        assert!(e.contains("unknown key `size`") && e.contains("`sizes`") && e.contains("`fit_window`"), "{e}");
        let e = from_value::<PartitionParams>("partition", &json!({"lx": "four"})).unwrap_err().to_string();
        assert!(e.starts_with("lx = \"four\" is out of range"), "{e}");
        let e = from_value::<PartitionParams>("partition", &json!({"lx": -3})).unwrap_err().to_string();
        assert!(e.starts_with("lx = -3 is out of range"), "{e}");
        let e = from_value::<FisherParams>("fisher", &json!({"method": "pfaffian"})).unwrap_err().to_string();
        assert!(e.starts_with("method = ") && e.contains("free-fermion"), "{e}");
        let e = from_value::<PartitionParams>("partition", &json!({"beta": 0.3})).unwrap_err().to_string();
        assert!(e.contains("missing field `lx`"), "{e}");
    }
}
