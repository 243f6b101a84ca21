//! How whole values are stored in documents: one JSON string each.
//!
//! A GPS fix, an answer, an address, a photo reference or an OCOP rating is only meaningful whole — two
//! concurrent edits must conflict as two whole values, never merge into a latitude from one and a longitude from
//! the other. Such values are stored as **one automerge string holding their JSON** (record encoding 2): one
//! operation per value instead of one per inner field. That keeps the documents small and a visit capture cheap
//! (automerge costs several microseconds per operation), and concurrent writes of the same value conflict at its
//! key, where [`crate::doc::scan_conflicts`] reports them with the parsed JSON of each side.
//!
//! Values written by record encoding 1 (the first development builds, which stored these values as nested maps
//! through autosurgeon's derive) are still read: [`legacy`] turns the map into the same JSON. Fields that people
//! edit independently (a producer's name, phone, member counts, the representative's name and gender) stay
//! separate keys and merge field by field.

use automerge::ObjId;
use autosurgeon::{HydrateError, ReadDoc};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The JSON text of a whole value.
pub(crate) fn encode<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// Reads a whole value back from its JSON text; a plain string that is not JSON is an encoding-1 value
/// (an enum variant's name) and goes through `normalize`.
pub(crate) fn decode<T: DeserializeOwned>(
    what: &'static str,
    s: &str,
    normalize: fn(serde_json::Value) -> serde_json::Value,
) -> Result<T, HydrateError> {
    serde_json::from_str(s).or_else(|e| {
        serde_json::from_value(normalize(serde_json::Value::String(s.to_string())))
            .map_err(|_| HydrateError::unexpected(what, format!("JSON that does not fit: {e}")))
    })
}

/// Reads a whole value written by record encoding 1 (a nested map), via `normalize`.
pub(crate) fn decode_legacy<T: DeserializeOwned, D: ReadDoc>(
    what: &'static str,
    doc: &D,
    obj: &ObjId,
    normalize: fn(serde_json::Value) -> serde_json::Value,
) -> Result<T, HydrateError> {
    let json = tree_json(doc, obj);
    serde_json::from_value(normalize(json)).map_err(|e| {
        HydrateError::unexpected(what, format!("an encoding-1 map that does not fit: {e}"))
    })
}

/// An object read as JSON through autosurgeon's document view (scalars as JSON scalars, text as a string).
fn tree_json<D: ReadDoc>(doc: &D, obj: &ObjId) -> serde_json::Value {
    use automerge::{ObjType, Value};
    let read = |v: Value<'_>, id: ObjId| match v {
        Value::Scalar(s) => crate::doc::scalar_json(&s),
        Value::Object(ObjType::Text) => {
            serde_json::Value::String(doc.text(&id).unwrap_or_default())
        }
        Value::Object(_) => tree_json(doc, &id),
    };
    match doc.object_type(obj) {
        Some(ObjType::Map | ObjType::Table) => {
            let keys: Vec<String> = doc
                .map_range(obj, ..)
                .map(|item| item.key.to_string())
                .collect();
            let mut map = serde_json::Map::new();
            for k in keys {
                if let Ok(Some((v, id))) = doc.get(obj, k.as_str()) {
                    map.insert(k, read(v, id));
                }
            }
            serde_json::Value::Object(map)
        }
        Some(ObjType::List) => serde_json::Value::Array(
            (0..doc.length(obj))
                .filter_map(|i| doc.get(obj, i).ok().flatten())
                .map(|(v, id)| read(v, id))
                .collect(),
        ),
        Some(ObjType::Text) => serde_json::Value::String(doc.text(obj).unwrap_or_default()),
        None => serde_json::Value::Null,
    }
}

/// Implements autosurgeon's `Reconcile` and `Hydrate` for a type stored as one JSON string.
macro_rules! json_scalar {
    ($ty:ty, $what:literal, $legacy:path) => {
        impl autosurgeon::Reconcile for $ty {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(
                &self,
                mut reconciler: R,
            ) -> Result<(), R::Error> {
                reconciler.str($crate::records::encoding::encode(self))
            }
        }

        impl autosurgeon::Hydrate for $ty {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                $crate::records::encoding::decode($what, s, $legacy)
            }

            fn hydrate_map<D: autosurgeon::ReadDoc>(
                doc: &D,
                obj: &automerge::ObjId,
            ) -> Result<Self, autosurgeon::HydrateError> {
                $crate::records::encoding::decode_legacy($what, doc, obj, $legacy)
            }
        }
    };
}
pub(crate) use json_scalar;

/// Record encoding 1 → the JSON of encoding 2.
///
/// Encoding 1 used autosurgeon's derive: structs as maps with the same field names as serde (so most values need
/// nothing), enum variants by their Rust names where no rename was given, and data-carrying variants as a map
/// `{Variant: data}`. Only those enum shapes differ and are rewritten here.
pub(crate) mod legacy {
    use serde_json::{Map, Value};

    /// `PoorAccuracy` → `poor_accuracy`.
    fn snake(name: &str) -> String {
        let mut out = String::with_capacity(name.len() + 4);
        for (i, c) in name.chars().enumerate() {
            if c.is_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// Values whose encoding-1 map already is their JSON.
    pub fn same(v: Value) -> Value {
        v
    }

    /// A GPS fix: the provider was written by its variant name (`Gnss`).
    pub fn gps_fix(mut v: Value) -> Value {
        if let Some(Value::String(p)) = v.get_mut("provider") {
            *p = snake(p);
        }
        v
    }

    /// A quality flag: `"MockProvider"` or `{"PoorAccuracy": {…}}` → `{"kind": "…", …}`.
    pub fn gps_flag(v: Value) -> Value {
        match v {
            Value::String(s) => Value::Object(Map::from_iter([(
                "kind".to_string(),
                Value::String(snake(&s)),
            )])),
            Value::Object(m) if m.len() == 1 => {
                let (name, inner) = m.into_iter().next().unwrap_or_default();
                let mut out = match inner {
                    Value::Object(fields) => fields,
                    _ => Map::new(),
                };
                out.insert("kind".into(), Value::String(snake(&name)));
                Value::Object(out)
            }
            other => other,
        }
    }

    fn flags(v: &mut Value) {
        if let Some(Value::Array(list)) = v.get_mut("flags") {
            for f in list.iter_mut() {
                *f = gps_flag(std::mem::take(f));
            }
        }
    }

    /// A visit's fix with its flags.
    pub fn visit_fix(mut v: Value) -> Value {
        if let Some(fix) = v.get_mut("fix") {
            *fix = gps_fix(std::mem::take(fix));
        }
        flags(&mut v);
        v
    }

    /// A photo reference (its EXIF fix and flags).
    pub fn photo_ref(mut v: Value) -> Value {
        if let Some(gps) = v.get_mut("gps")
            && gps.is_object()
        {
            *gps = gps_fix(std::mem::take(gps));
        }
        flags(&mut v);
        v
    }

    /// An answer: `{"Text": "…"}` → `{"type": "text", "value": "…"}`.
    pub fn answer(v: Value) -> Value {
        match v {
            Value::Object(m) if m.len() == 1 => {
                let (name, inner) = m.into_iter().next().unwrap_or_default();
                let kind = snake(&name);
                let inner = if kind == "geo_point" {
                    gps_fix(inner)
                } else {
                    inner
                };
                Value::Object(Map::from_iter([
                    ("type".to_string(), Value::String(kind)),
                    ("value".to_string(), inner),
                ]))
            }
            other => other,
        }
    }

    /// A producer's status: `"active"` / `{"merged_into": id}` → `{"state": …, "into": …}`.
    pub fn producer_status(v: Value) -> Value {
        match v {
            Value::String(s) => {
                Value::Object(Map::from_iter([("state".to_string(), Value::String(s))]))
            }
            Value::Object(m) if m.len() == 1 && !m.contains_key("state") => {
                let (name, inner) = m.into_iter().next().unwrap_or_default();
                Value::Object(Map::from_iter([
                    ("state".to_string(), Value::String(name)),
                    ("into".to_string(), inner),
                ]))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::legacy;
    use serde_json::json;

    #[test]
    fn encoding_1_shapes_become_encoding_2_json() {
        assert_eq!(
            legacy::answer(json!({"Text": "Lê Thị Hoa"})),
            json!({"type": "text", "value": "Lê Thị Hoa"})
        );
        assert_eq!(
            legacy::answer(json!({"SelectMultiple": ["a"]})),
            json!({"type": "select_multiple", "value": ["a"]})
        );
        assert_eq!(
            legacy::gps_flag(json!("MockProvider")),
            json!({"kind": "mock_provider"})
        );
        assert_eq!(
            legacy::gps_flag(json!({"PoorAccuracy": {"accuracy_m": 80.0, "threshold_m": 50.0}})),
            json!({"kind": "poor_accuracy", "accuracy_m": 80.0, "threshold_m": 50.0})
        );
        assert_eq!(
            legacy::producer_status(json!("active")),
            json!({"state": "active"})
        );
        assert_eq!(
            legacy::producer_status(json!({"merged_into": "x"})),
            json!({"state": "merged_into", "into": "x"})
        );
        assert_eq!(
            legacy::gps_fix(json!({"provider": "Gnss", "lat": 1.0}))["provider"],
            "gnss"
        );
    }
}
