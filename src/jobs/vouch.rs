//! The last check before a record leaves a job: every number in it is finite.
//!
//! JSON has no NaN or ∞ (serde_json writes them as `null`), so a non-finite number would reach a
//! user as a silent `null` with exit status 0. [`vouch`] walks the record's serialisation and
//! refuses it in one line naming the first non-finite field by its path (`rows\[3\].R`). A quantity
//! that can be legitimately undefined is an `Option` that is left out of the record, not a NaN.

use super::JobError;
use serde::ser::{self, Serialize};
use std::fmt;

/// Refuses a record with a non-finite number, naming the field.
pub fn vouch<R: Serialize>(record: &R) -> Result<(), JobError> {
    let mut f = Finder { path: Vec::new(), bad: None };
    // Finder never fails on its own; an Err is a custom error of a Serialize impl
    let _ = record.serialize(&mut f);
    match f.bad {
        None => Ok(()),
        Some((path, x)) => Err(JobError::Numerical(format!(
            "{path} = {x} is not a finite number (overflow or a division by zero); no result is printed"
        ))),
    }
}

struct Finder {
    path: Vec<String>,
    bad: Option<(String, f64)>,
}

impl Finder {
    fn here(&self) -> String {
        let mut s = String::new();
        for p in &self.path {
            if p.starts_with('[') || s.is_empty() {
                s.push_str(p);
            } else {
                s.push('.');
                s.push_str(p);
            }
        }
        if s.is_empty() {
            "the result".into()
        } else {
            s
        }
    }

    fn float(&mut self, x: f64) {
        if !x.is_finite() && self.bad.is_none() {
            self.bad = Some((self.here(), x));
        }
    }

    fn nested<T: ?Sized + Serialize>(&mut self, name: String, v: &T) -> Result<(), Never> {
        self.path.push(name);
        let r = v.serialize(&mut *self);
        self.path.pop();
        r
    }
}

/// The error type of [`Finder`]: it never fails on its own.
#[derive(Debug)]
struct Never(String);

impl fmt::Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Never(msg.to_string())
    }
}

/// A sequence or a map being walked: the index of the next element, or the last key.
struct Walk<'a> {
    f: &'a mut Finder,
    index: usize,
    key: String,
}

impl<'a> ser::Serializer for &'a mut Finder {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Walk<'a>;
    type SerializeTuple = Walk<'a>;
    type SerializeTupleStruct = Walk<'a>;
    type SerializeTupleVariant = Walk<'a>;
    type SerializeMap = Walk<'a>;
    type SerializeStruct = Walk<'a>;
    type SerializeStructVariant = Walk<'a>;

    fn serialize_bool(self, _: bool) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_f32(self, x: f32) -> Result<(), Never> {
        self.float(f64::from(x));
        Ok(())
    }
    fn serialize_f64(self, x: f64) -> Result<(), Never> {
        self.float(x);
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        self.nested(variant.to_string(), v)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Walk<'a>, Never> {
        Ok(Walk { f: self, index: 0, key: String::new() })
    }
    fn serialize_tuple(self, _: usize) -> Result<Walk<'a>, Never> {
        Ok(Walk { f: self, index: 0, key: String::new() })
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Walk<'a>, Never> {
        Ok(Walk { f: self, index: 0, key: String::new() })
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Walk<'a>, Never> {
        Ok(Walk { f: self, index: 0, key: String::new() })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Walk<'a>, Never> {
        Ok(Walk { f: self, index: 0, key: String::new() })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Walk<'a>, Never> {
        Ok(Walk { f: self, index: 0, key: String::new() })
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Walk<'a>, Never> {
        Ok(Walk { f: self, index: 0, key: String::new() })
    }
}

impl Walk<'_> {
    fn element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Never> {
        let name = format!("[{}]", self.index);
        self.index += 1;
        self.f.nested(name, v)
    }
}

impl ser::SerializeSeq for Walk<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Never> {
        self.element(v)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTuple for Walk<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Never> {
        self.element(v)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Walk<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Never> {
        self.element(v)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Walk<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Never> {
        self.element(v)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeMap for Walk<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<(), Never> {
        // keys are strings in every record; anything else is named by position
        self.key = serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_else(|| format!("[{}]", self.index));
        self.index += 1;
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Never> {
        let k = std::mem::take(&mut self.key);
        self.f.nested(k, v)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeStruct for Walk<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> Result<(), Never> {
        self.f.nested(key.to_string(), v)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Walk<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> Result<(), Never> {
        self.f.nested(key.to_string(), v)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::vouch;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Row {
        #[serde(rename = "R")]
        r: f64,
        note: Option<f64>,
    }

    #[derive(Serialize)]
    struct Rec {
        beta: f64,
        rows: Vec<Row>,
        pair: (f64, f64),
    }

    #[test]
    fn names_the_first_non_finite_field() {
        let ok = Rec { beta: 0.3, rows: vec![Row { r: 1.0, note: None }], pair: (1.0, 2.0) };
        assert!(vouch(&ok).is_ok());
        let bad = Rec {
            beta: 0.3,
            rows: vec![Row { r: 1.0, note: None }, Row { r: f64::NAN, note: None }],
            pair: (1.0, 2.0),
        };
        assert!(vouch(&bad).unwrap_err().to_string().starts_with("rows[1].R = NaN"));
        let inf = Rec { beta: 0.3, rows: vec![], pair: (1.0, f64::INFINITY) };
        assert!(vouch(&inf).unwrap_err().to_string().starts_with("pair[1] = inf"));
        let some = Row { r: 1.0, note: Some(f64::NEG_INFINITY) };
        assert!(vouch(&some).unwrap_err().to_string().starts_with("note = -inf"));
    }
}
