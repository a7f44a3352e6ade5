//! Predict memory before allocating (the faer `*_scratch` idea): every big job computes what it
//! will need, and refuses with a clear message if that exceeds the limit it is given.

use crate::TransferError;

/// Bytes, human readable (binary units).
pub fn human(bytes: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", units[u])
}

/// Errors with [`TransferError::TooBig`] if `need` bytes exceed `limit`.
pub fn check(what: &str, need: f64, limit: f64, hint: &str) -> Result<(), TransferError> {
    if need > limit {
        return Err(TransferError::TooBig {
            what: what.into(),
            need: human(need),
            have: human(limit),
            hint: hint.into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn refuses_with_numbers() {
        let e = super::check("the job", 3.0 * 1024f64.powi(3), 1024f64.powi(3), "use less").unwrap_err().to_string();
        assert_eq!(e, "the job needs 3.0 GiB but only 1.0 GiB is available; use less");
        assert!(super::check("x", 1.0, 2.0, "").is_ok());
    }
}
