//! A request body read as its documented shape: an object where a struct is expected.
//!
//! serde's derived structs also accept a JSON array of their fields in order (`[null]` for
//! `{"service": null}`), which the API documents nowhere and the fuzzer rightly calls a
//! schema-violating request accepted. [`Strict`] deserializes from a `serde_json::Value` exactly
//! as the value itself does, except that a struct must be an object, at every depth.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, Visitor};
use serde_json::Value;

/// A JSON value that deserializes structs only from objects.
pub struct Strict(pub Value);

impl<'de> IntoDeserializer<'de, serde_json::Error> for Strict {
    type Deserializer = Strict;

    fn into_deserializer(self) -> Strict {
        self
    }
}

impl<'de> Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(Strict));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(fields) => {
                let mut map = MapDeserializer::new(fields.into_iter().map(|(k, v)| (k, Strict(v))));
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
            // Scalars are read as serde_json reads them.
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            other => {
                let _ = (name, fields);
                Err(de::Error::invalid_type(unexpected(&other), &"an object"))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Strict(other)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // The API's enums are plain strings (`"email"`), read as serde_json reads them.
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("a number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::Strict;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        code: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Body {
        service: Option<String>,
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
        n: Option<u32>,
    }

    fn read(v: serde_json::Value) -> Result<Body, serde_json::Error> {
        Body::deserialize(Strict(v))
    }

    #[test]
    fn a_struct_given_as_an_array_is_refused_at_any_depth() {
        assert!(read(json!([null, null, null, null])).is_err());
        assert!(read(json!({"inner": ["A"]})).is_err());
        assert!(read(json!({"list": [["A"]]})).is_err());
    }

    #[test]
    fn objects_read_as_before() {
        let body = read(json!({"service": "A", "inner": {"code": "x"}, "list": [{"code": "y"}], "n": 3})).unwrap();
        assert_eq!(body.inner, Some(Inner { code: "x".into() }));
        assert_eq!(body.list.map(|l| l.len()), Some(1));
        assert!(read(json!({"service": null})).is_ok());
        assert!(read(json!({"bogus": 1})).is_err(), "unknown fields are still refused");
        assert!(read(json!({"n": "3"})).is_err(), "types are still checked");
    }
}
