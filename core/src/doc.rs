//! Automerge documents: authorship, conflicts and their resolution.
//!
//! Every record is one automerge document. Automerge merges concurrent edits per field; where two people set the
//! *same* field concurrently it keeps every value, and picks one deterministically as the "winner" that a plain
//! read returns. A field tool must not hide that choice: [`scan_conflicts`] walks a document and reports each
//! field holding more than one distinct value, with the author and time of each value (read from the change that
//! wrote it, whose message carries an [`Author`]). [`resolve`] then writes one value — an existing one or a new
//! one — with a single operation that supersedes all of them, and the conflict is gone on every replica once
//! that change has synced.
//!
//! Values that must stay whole (a GPS fix, an answer, an address) are written as a fresh object each time
//! ([`crate::records`] does this), so two concurrent fixes conflict as two whole fixes, never as a latitude from
//! one and a longitude from the other.

use automerge::transaction::Transactable;
use automerge::{
    AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value, transaction::CommitOptions,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::identity::Author;
use crate::ids::Millis;

/// Commits the pending operations of `doc` as one change stamped with `author` and `time`.
/// Returns the new change's hash, or `None` when nothing was changed.
pub fn commit(doc: &mut AutoCommit, author: &Author, time: Millis) -> Option<ChangeHash> {
    doc.commit_with(
        CommitOptions::default()
            .with_message(author.to_message())
            .with_time(time),
    )
}

/// One value among the competing values of a conflicted field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The value, as JSON.
    pub value: serde_json::Value,
    /// Who wrote it, when the change carries an OCOP Field author stamp.
    pub author: Option<Author>,
    /// When it was written (the change's time).
    pub at: Option<Millis>,
    /// Opaque id of the operation that wrote it (`counter@actor`); pass it to [`Resolution::Keep`].
    pub op: String,
}

/// A field that holds several distinct values after concurrent edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// Dotted path of the field, e.g. `representative.gender`, `answers.main_product`, `fixes[0]`.
    pub path: String,
    /// The competing values; the first is the one automerge currently shows.
    pub values: Vec<ConflictValue>,
}

/// How a person resolves a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Keep one of the competing values, named by its [`ConflictValue::op`].
    Keep(String),
    /// Enter a new value (JSON); numbers take the type of the competing values.
    Value(serde_json::Value),
}

/// A path segment inside a document.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

fn parse_path(path: &str) -> Result<Vec<Seg>> {
    let bad = || Error::Invalid {
        field: "path".into(),
        reason: "not a field path of this record".into(),
    };
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return Err(bad());
        }
        segs.push(Seg::Key(key.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(bad)?;
            let idx: usize = rest
                .get(1..close)
                .and_then(|n| n.parse().ok())
                .ok_or_else(bad)?;
            segs.push(Seg::Index(idx));
            rest = &rest[close + 1..];
        }
    }
    Ok(segs)
}

/// Reads the whole object (or scalar) at `value`/`id` as JSON. Strings holding a whole value's JSON (see
/// [`crate::records`]) are shown parsed.
pub fn value_to_json<D: ReadDoc>(doc: &D, value: &Value<'_>, id: &ObjId) -> serde_json::Value {
    match value {
        Value::Scalar(s) => scalar_to_json(s),
        Value::Object(ObjType::Text) => serde_json::Value::String(doc.text(id).unwrap_or_default()),
        Value::Object(_) => object_to_json(doc, id),
    }
}

/// Reads a map or list object as JSON.
pub fn object_to_json<D: ReadDoc>(doc: &D, id: &ObjId) -> serde_json::Value {
    match doc.object_type(id) {
        Ok(ObjType::Map | ObjType::Table) => {
            let mut map = serde_json::Map::new();
            for key in doc.keys(id) {
                if let Ok(Some((v, child))) = doc.get(id, key.as_str()) {
                    map.insert(key, value_to_json(doc, &v, &child));
                }
            }
            serde_json::Value::Object(map)
        }
        Ok(ObjType::List) => {
            let len = doc.length(id);
            let items = (0..len)
                .filter_map(|i| doc.get(id, i).ok().flatten())
                .map(|(v, child)| value_to_json(doc, &v, &child))
                .collect();
            serde_json::Value::Array(items)
        }
        Ok(ObjType::Text) => serde_json::Value::String(doc.text(id).unwrap_or_default()),
        Err(_) => serde_json::Value::Null,
    }
}

/// A scalar as JSON (strings holding a whole value's JSON object are parsed).
pub(crate) fn scalar_json(s: &ScalarValue) -> serde_json::Value {
    scalar_to_json(s)
}

fn scalar_to_json(s: &ScalarValue) -> serde_json::Value {
    use serde_json::Value as J;
    match s {
        ScalarValue::Str(s) if s.starts_with('{') && s.ends_with('}') => {
            serde_json::from_str(s).unwrap_or_else(|_| J::String(s.to_string()))
        }
        ScalarValue::Str(s) => J::String(s.to_string()),
        ScalarValue::Int(i) => J::from(*i),
        ScalarValue::Uint(u) => J::from(*u),
        ScalarValue::F64(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        ScalarValue::Counter(c) => J::from(i64::from(c)),
        ScalarValue::Timestamp(t) => J::from(*t),
        ScalarValue::Boolean(b) => J::Bool(*b),
        ScalarValue::Bytes(b) => J::String(hex::encode(b)),
        ScalarValue::Null | ScalarValue::Unknown { .. } => J::Null,
    }
}

fn op_string(id: &ObjId) -> String {
    match id {
        ObjId::Root => "root".to_string(),
        ObjId::Id(counter, actor, _) => format!("{counter}@{actor}"),
    }
}

/// A conflict found by the scan, before authors and times are looked up.
struct RawConflict {
    path: String,
    values: Vec<(serde_json::Value, ObjId)>,
}

/// Finds every field of `doc` holding more than one distinct value.
pub fn scan_conflicts(doc: &mut AutoCommit) -> Vec<FieldConflict> {
    let mut raw = Vec::new();
    let mut path = Vec::new();
    scan_obj(doc, &automerge::ROOT, ObjType::Map, &mut path, &mut raw);
    raw.into_iter()
        .map(|c| FieldConflict {
            path: c.path,
            values: c
                .values
                .into_iter()
                .map(|(value, id)| {
                    let meta = doc.hash_for_opid(&id).and_then(|h| {
                        doc.get_change_meta_by_hash(&h)
                            .map(|m| (m.message.map(|s| s.to_string()), m.timestamp))
                    });
                    let (message, at) = meta.map_or((None, None), |(m, t)| (m, Some(t)));
                    ConflictValue {
                        value,
                        author: message.as_deref().and_then(Author::from_message),
                        at,
                        op: op_string(&id),
                    }
                })
                .collect(),
        })
        .collect()
}

fn scan_obj(
    doc: &AutoCommit,
    obj: &ObjId,
    ty: ObjType,
    path: &mut Vec<Seg>,
    out: &mut Vec<RawConflict>,
) {
    match ty {
        ObjType::Map | ObjType::Table => {
            for key in doc.keys(obj) {
                path.push(Seg::Key(key.clone()));
                scan_prop(doc, obj, automerge::Prop::Map(key), path, out);
                path.pop();
            }
        }
        ObjType::List => {
            for i in 0..doc.length(obj) {
                path.push(Seg::Index(i));
                scan_prop(doc, obj, automerge::Prop::Seq(i), path, out);
                path.pop();
            }
        }
        ObjType::Text => {}
    }
}

fn scan_prop(
    doc: &AutoCommit,
    obj: &ObjId,
    prop: automerge::Prop,
    path: &mut Vec<Seg>,
    out: &mut Vec<RawConflict>,
) {
    let all = doc.get_all(obj, prop).unwrap_or_default();
    if all.len() > 1 {
        let values: Vec<(serde_json::Value, ObjId)> = all
            .iter()
            .map(|(v, id)| (value_to_json(doc, v, id), id.clone()))
            .collect();
        if values.iter().any(|(v, _)| *v != values[0].0) {
            // automerge's winner is the last of `get_all`; show it first.
            out.push(RawConflict {
                path: path_string(path),
                values: values.into_iter().rev().collect(),
            });
            return;
        }
    }
    if let Some((Value::Object(ty), child)) = all.last() {
        scan_obj(doc, child, *ty, path, out);
    }
}

/// A detached copy of an automerge value, used to write a chosen object back under a new operation.
enum Tree {
    Scalar(ScalarValue),
    Map(Vec<(String, Tree)>),
    List(Vec<Tree>),
    Text(String),
}

fn read_tree(doc: &AutoCommit, value: &Value<'_>, id: &ObjId) -> Tree {
    match value {
        Value::Scalar(s) => Tree::Scalar(s.as_ref().clone()),
        Value::Object(ObjType::Text) => Tree::Text(doc.text(id).unwrap_or_default()),
        Value::Object(ObjType::Map | ObjType::Table) => Tree::Map(
            doc.keys(id)
                .filter_map(|k| {
                    doc.get(id, k.as_str())
                        .ok()
                        .flatten()
                        .map(|(v, c)| (k.clone(), read_tree(doc, &v, &c)))
                })
                .collect(),
        ),
        Value::Object(ObjType::List) => Tree::List(
            (0..doc.length(id))
                .filter_map(|i| {
                    doc.get(id, i)
                        .ok()
                        .flatten()
                        .map(|(v, c)| read_tree(doc, &v, &c))
                })
                .collect(),
        ),
    }
}

fn json_to_tree(json: &serde_json::Value, like: Option<&ScalarValue>) -> Tree {
    use serde_json::Value as J;
    match json {
        J::Null => Tree::Scalar(ScalarValue::Null),
        J::Bool(b) => Tree::Scalar(ScalarValue::Boolean(*b)),
        J::Number(n) => Tree::Scalar(match (like, n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(ScalarValue::F64(_)), _, _, Some(f)) => ScalarValue::F64(f),
            (Some(ScalarValue::Uint(_)), _, Some(u), _) => ScalarValue::Uint(u),
            (Some(ScalarValue::Timestamp(_)), Some(i), _, _) => ScalarValue::Timestamp(i),
            (_, Some(i), _, _) => ScalarValue::Int(i),
            (_, _, Some(u), _) => ScalarValue::Uint(u),
            (_, _, _, Some(f)) => ScalarValue::F64(f),
            _ => ScalarValue::Null,
        }),
        J::String(s) => Tree::Scalar(ScalarValue::Str(s.as_str().into())),
        J::Array(items) => Tree::List(items.iter().map(|v| json_to_tree(v, None)).collect()),
        J::Object(map) => Tree::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), json_to_tree(v, None)))
                .collect(),
        ),
    }
}

fn write_tree(doc: &mut AutoCommit, obj: &ObjId, prop: automerge::Prop, tree: &Tree) -> Result<()> {
    match tree {
        Tree::Scalar(s) => doc.put(obj, prop, s.clone())?,
        Tree::Text(t) => {
            let id = doc.put_object(obj, prop, ObjType::Text)?;
            doc.splice_text(&id, 0, 0, t)?;
        }
        Tree::Map(entries) => {
            let id = doc.put_object(obj, prop, ObjType::Map)?;
            for (k, v) in entries {
                write_tree(doc, &id, automerge::Prop::Map(k.clone()), v)?;
            }
        }
        Tree::List(items) => {
            let id = doc.put_object(obj, prop, ObjType::List)?;
            for (i, v) in items.iter().enumerate() {
                insert_tree(doc, &id, i, v)?;
            }
        }
    }
    Ok(())
}

fn insert_tree(doc: &mut AutoCommit, list: &ObjId, index: usize, tree: &Tree) -> Result<()> {
    match tree {
        Tree::Scalar(s) => doc.insert(list, index, s.clone())?,
        Tree::Text(t) => {
            let id = doc.insert_object(list, index, ObjType::Text)?;
            doc.splice_text(&id, 0, 0, t)?;
        }
        Tree::Map(entries) => {
            let id = doc.insert_object(list, index, ObjType::Map)?;
            for (k, v) in entries {
                write_tree(doc, &id, automerge::Prop::Map(k.clone()), v)?;
            }
        }
        Tree::List(items) => {
            let id = doc.insert_object(list, index, ObjType::List)?;
            for (i, v) in items.iter().enumerate() {
                insert_tree(doc, &id, i, v)?;
            }
        }
    }
    Ok(())
}

/// Resolves the conflict at `path` in `doc` (uncommitted: the caller commits with the resolver as author).
///
/// Fails with [`Error::NotFound`] when the field is not in conflict any more (someone else resolved it first), and
/// with [`Error::Invalid`] when `Keep` names an operation that is not one of the competing values.
pub fn resolve(doc: &mut AutoCommit, path: &str, resolution: &Resolution) -> Result<()> {
    let segs = parse_path(path)?;
    let (last, parents) = segs.split_last().ok_or_else(|| Error::Invalid {
        field: "path".into(),
        reason: "empty".into(),
    })?;
    let mut obj = automerge::ROOT;
    for seg in parents {
        let prop = match seg {
            Seg::Key(k) => automerge::Prop::Map(k.clone()),
            Seg::Index(i) => automerge::Prop::Seq(*i),
        };
        match doc.get(&obj, prop)? {
            Some((Value::Object(_), id)) => obj = id,
            _ => {
                return Err(Error::NotFound {
                    kind: "field",
                    id: path.to_string(),
                });
            }
        }
    }
    let prop = match last {
        Seg::Key(k) => automerge::Prop::Map(k.clone()),
        Seg::Index(i) => automerge::Prop::Seq(*i),
    };
    let all = doc.get_all(&obj, prop.clone())?;
    if all.len() < 2 {
        return Err(Error::NotFound {
            kind: "conflict",
            id: path.to_string(),
        });
    }
    let tree = match resolution {
        Resolution::Keep(op) => {
            let (value, id) = all
                .iter()
                .find(|(_, id)| op_string(id) == *op)
                .ok_or_else(|| Error::Invalid {
                    field: "op".into(),
                    reason: "not one of the competing values".into(),
                })?;
            read_tree(doc, value, id)
        }
        Resolution::Value(json) => {
            let like = all.iter().find_map(|(v, _)| match v {
                Value::Scalar(s) => Some(s.as_ref().clone()),
                Value::Object(_) => None,
            });
            match (&like, json) {
                // A whole value stored as JSON text: the entered object is stored the same way.
                (
                    Some(ScalarValue::Str(_)),
                    serde_json::Value::Object(_) | serde_json::Value::Array(_),
                ) => Tree::Scalar(ScalarValue::Str(json.to_string().into())),
                _ => json_to_tree(json, like.as_ref()),
            }
        }
    };
    write_tree(doc, &obj, prop, &tree)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Role;
    use automerge::ActorId;

    fn author(u: &str) -> Author {
        Author::new(u, u, Role::Officer)
    }

    fn forked_pair() -> (AutoCommit, AutoCommit) {
        let mut a = AutoCommit::new().with_actor(ActorId::from(b"aaaa".as_slice()));
        a.put(automerge::ROOT, "name", "HTX Đồng Tâm").unwrap();
        let rep = a
            .put_object(automerge::ROOT, "representative", ObjType::Map)
            .unwrap();
        a.put(&rep, "gender", "female").unwrap();
        commit(&mut a, &author("a"), 1000);
        let b = a.fork().with_actor(ActorId::from(b"bbbb".as_slice()));
        (a, b)
    }

    #[test]
    fn concurrent_edits_of_different_fields_do_not_conflict() {
        let (mut a, mut b) = forked_pair();
        a.put(automerge::ROOT, "name", "HTX Đồng Tâm mới").unwrap();
        commit(&mut a, &author("a"), 2000);
        b.put(automerge::ROOT, "phone", "0912345678").unwrap();
        commit(&mut b, &author("b"), 2001);
        a.merge(&mut b).unwrap();
        assert!(scan_conflicts(&mut a).is_empty());
    }

    #[test]
    fn same_field_conflict_is_reported_with_authors_and_resolved() {
        let (mut a, mut b) = forked_pair();
        let rep = a.get(automerge::ROOT, "representative").unwrap().unwrap().1;
        a.put(&rep, "gender", "male").unwrap();
        commit(&mut a, &author("officer"), 2000);
        let rep_b = b.get(automerge::ROOT, "representative").unwrap().unwrap().1;
        b.put(&rep_b, "gender", "other").unwrap();
        commit(&mut b, &author("union"), 3000);
        a.merge(&mut b).unwrap();
        let conflicts = scan_conflicts(&mut a);
        assert_eq!(conflicts.len(), 1);
        let c = &conflicts[0];
        assert_eq!(c.path, "representative.gender");
        let mut who: Vec<_> = c
            .values
            .iter()
            .map(|v| {
                (
                    v.author.clone().unwrap().user_id,
                    v.at.unwrap(),
                    v.value.clone(),
                )
            })
            .collect();
        who.sort_by_key(|w| w.1);
        assert_eq!(
            who[0],
            ("officer".to_string(), 2000, serde_json::json!("male"))
        );
        assert_eq!(
            who[1],
            ("union".to_string(), 3000, serde_json::json!("other"))
        );

        let keep = c
            .values
            .iter()
            .find(|v| v.value == "male")
            .unwrap()
            .op
            .clone();
        resolve(&mut a, &c.path, &Resolution::Keep(keep)).unwrap();
        commit(&mut a, &author("supervisor"), 4000);
        assert!(scan_conflicts(&mut a).is_empty());
        let rep = a.get(automerge::ROOT, "representative").unwrap().unwrap().1;
        assert_eq!(
            a.get(&rep, "gender").unwrap().unwrap().0.as_str(),
            Some("male")
        );

        // The resolution syncs: b sees it and the conflict is gone there too.
        b.merge(&mut a).unwrap();
        assert!(scan_conflicts(&mut b).is_empty());
        // Resolving again is refused: nothing to resolve.
        assert!(matches!(
            resolve(
                &mut b,
                "representative.gender",
                &Resolution::Value("x".into())
            ),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn identical_concurrent_values_are_not_a_conflict() {
        let (mut a, mut b) = forked_pair();
        a.put(automerge::ROOT, "name", "Same").unwrap();
        commit(&mut a, &author("a"), 2);
        b.put(automerge::ROOT, "name", "Same").unwrap();
        commit(&mut b, &author("b"), 3);
        a.merge(&mut b).unwrap();
        assert!(scan_conflicts(&mut a).is_empty());
    }

    #[test]
    fn whole_object_conflict_resolves_by_copying_the_chosen_object() {
        let (mut a, mut b) = forked_pair();
        let fa = a
            .put_object(automerge::ROOT, "location", ObjType::Map)
            .unwrap();
        a.put(&fa, "lat", 21.0).unwrap();
        a.put(&fa, "lon", 105.8).unwrap();
        commit(&mut a, &author("a"), 2);
        let fb = b
            .put_object(automerge::ROOT, "location", ObjType::Map)
            .unwrap();
        b.put(&fb, "lat", 10.7).unwrap();
        b.put(&fb, "lon", 106.6).unwrap();
        commit(&mut b, &author("b"), 3);
        a.merge(&mut b).unwrap();
        let c = scan_conflicts(&mut a);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].path, "location");
        let keep = c[0]
            .values
            .iter()
            .find(|v| v.value["lat"] == 10.7)
            .unwrap()
            .op
            .clone();
        resolve(&mut a, "location", &Resolution::Keep(keep)).unwrap();
        commit(&mut a, &author("s"), 4);
        assert!(scan_conflicts(&mut a).is_empty());
        let (v, id) = a.get(automerge::ROOT, "location").unwrap().unwrap();
        assert_eq!(
            value_to_json(&a, &v, &id),
            serde_json::json!({"lat": 10.7, "lon": 106.6})
        );
    }

    #[test]
    fn entered_number_takes_the_type_of_the_competing_values() {
        let (mut a, mut b) = forked_pair();
        a.put(automerge::ROOT, "area", 1.5).unwrap();
        commit(&mut a, &author("a"), 2);
        b.put(automerge::ROOT, "area", 2.5).unwrap();
        commit(&mut b, &author("b"), 3);
        a.merge(&mut b).unwrap();
        resolve(&mut a, "area", &Resolution::Value(serde_json::json!(2))).unwrap();
        assert_eq!(
            a.get(automerge::ROOT, "area").unwrap().unwrap().0.as_f64(),
            Some(2.0)
        );
    }

    #[test]
    fn malformed_paths_are_refused() {
        let (mut a, _) = forked_pair();
        for p in [
            "",
            ".",
            "a..b",
            "x[",
            "x[a]",
            "x[1",
            "representative.missing.deeper",
        ] {
            assert!(
                resolve(&mut a, p, &Resolution::Value(serde_json::Value::Null)).is_err(),
                "{p}"
            );
        }
    }
}
