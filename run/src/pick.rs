//! Reading only the fields of a response body that a backend uses: a JSON body is parsed
//! against a [`Keep`] tree, and everything else is skipped without being built, so a body
//! padded with unknown fields costs its bytes, not a `serde_json::Value` of them (a 60 MB
//! body of small objects made a 1 GB `Value`).

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Which parts of a JSON value to keep.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keep {
    /// The whole value (text, numbers, a small error object).
    All,
    /// Of an object, these fields (the others are skipped).
    Fields(&'static [(&'static str, Keep)]),
    /// Of an array, the first element only.
    First(&'static Keep),
    /// Of an array, every element.
    #[cfg_attr(not(feature = "anthropic"), allow(dead_code))]
    Each(&'static Keep),
}

/// `body` parsed as JSON, with only what `keep` names.
pub(crate) fn pick(body: &[u8], keep: Keep) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = keep.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

impl<'de> DeserializeSeed<'de> for Keep {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self {
            Keep::All => <Value as de::Deserialize>::deserialize(deserializer),
            shape => deserializer.deserialize_any(Picker(shape)),
        }
    }
}

/// Builds the kept parts of a value of the shape `.0`; a value of another shape than expected
/// is kept as it is when it is a scalar, and skipped otherwise.
struct Picker(Keep);

impl<'de> Visitor<'de> for Picker {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let fields = match self.0 {
            Keep::Fields(fields) => fields,
            _ => &[],
        };
        let mut out = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match fields.iter().find(|(name, _)| *name == key) {
                Some((name, keep)) => {
                    let value = map.next_value_seed(*keep)?;
                    out.insert((*name).to_owned(), value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        match self.0 {
            Keep::Each(keep) => {
                while let Some(value) = seq.next_element_seed(*keep)? {
                    out.push(value);
                }
            }
            Keep::First(keep) => {
                if let Some(value) = seq.next_element_seed(*keep)? {
                    out.push(value);
                }
                while seq.next_element::<IgnoredAny>()?.is_some() {}
            }
            Keep::All | Keep::Fields(_) => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        Ok(Value::Array(out))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Value, E> {
        Ok(Value::String(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Value, E> {
        Ok(Value::String(text))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USAGE: Keep = Keep::Fields(&[("prompt_tokens", Keep::All), ("completion_tokens", Keep::All)]);
    const MESSAGE: Keep = Keep::Fields(&[("content", Keep::All)]);
    const CHOICE: Keep = Keep::Fields(&[("message", MESSAGE), ("finish_reason", Keep::All)]);
    const BODY: Keep =
        Keep::Fields(&[("choices", Keep::First(&CHOICE)), ("usage", USAGE), ("model", Keep::All)]);

    #[test]
    fn only_the_named_fields_are_kept() {
        let body = json!({
            "id": "x", "pad": [{"a": [1, 2, {"b": "c"}]}, "d"],
            "choices": [{"message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop", "logprobs": [1]}, {"x": 1}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 4, "details": {"a": 1}},
            "model": "m",
        });
        let picked = pick(body.to_string().as_bytes(), BODY).unwrap();
        assert_eq!(
            picked,
            json!({
                "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 4},
                "model": "m",
            })
        );
        // Another shape where an object was expected is kept when it is a scalar.
        assert_eq!(
            pick(br#"{"choices": "none", "usage": null}"#, BODY).unwrap(),
            json!({"choices": "none", "usage": null})
        );
        assert!(pick(b"{\"choices\": [", BODY).is_err());
        assert!(pick(b"{} trailing", BODY).is_err());
    }
}
