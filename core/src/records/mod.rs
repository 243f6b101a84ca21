//! The business records, each one automerge document.
//!
//! | kind | what | written by |
//! |---|---|---|
//! | [`Producer`] | a cooperative, cooperative group, enterprise or household business | officers, union staff |
//! | [`Product`] | a candidate or certified OCOP product of a producer | officers, union staff |
//! | [`Visit`] | a survey visit: form answers, GPS fixes, photo references, notes | its collector |
//! | [`Review`] | a supervisor's decision on a record, naming the document heads it saw | supervisors |
//!
//! Records are plain Rust structs mapped to documents with autosurgeon ([`autosurgeon::reconcile`] and
//! [`autosurgeon::hydrate`]). A record is created by reconciling the whole struct into an empty document; after that
//! it is only ever changed **field by field** through a patch (`ProducerPatch`, …): each `Some` field of a patch
//! writes that field and nothing else. Writing whole structs back would rewrite every field, turning any two
//! concurrent edits of *different* fields into conflicts and silently "resolving" real ones.
//!
//! Composite values that only make sense whole — a GPS fix, an address, an answer, the OCOP rating — are written
//! as a fresh object each time ([`put_whole`]), so concurrent edits conflict as whole values.
//!
//! The document root also holds `@kind` (the record kind) and `@schema` (the record schema version) so any
//! automerge implementation can tell what a document is.

pub(crate) mod encoding;
mod form_doc;
mod producer;
mod product;
pub mod review;
mod visit;

pub use form_doc::{FormDoc, form_doc_id};
pub use producer::{Address, Gender, OwnerKind, Person, Producer, ProducerPatch, ProducerStatus};
pub use product::{
    Certification, EcommerceListing, OcopStage, OcopStatus, Product, ProductPatch, RawMaterialZone,
    Trademark, TrademarkStatus,
};
pub use review::{Coverage, Decision, Review, ReviewStatus};
pub use visit::{PhotoKind, PhotoRef, Visit, VisitFix, VisitState};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ScalarValue};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use encoding::{json_scalar, legacy};

json_scalar!(crate::forms::Answer, "an answer", legacy::answer);
json_scalar!(crate::gps::GpsFix, "a GPS fix", legacy::gps_fix);
json_scalar!(
    crate::places::UnitRef,
    "an administrative unit",
    legacy::same
);
json_scalar!(Address, "an address", legacy::same);
json_scalar!(ProducerStatus, "a producer status", legacy::producer_status);
json_scalar!(OcopStatus, "an OCOP status", legacy::same);
json_scalar!(Trademark, "a trademark", legacy::same);
json_scalar!(Certification, "a certification", legacy::same);
json_scalar!(EcommerceListing, "an e-commerce listing", legacy::same);
json_scalar!(RawMaterialZone, "a raw-material zone", legacy::same);
json_scalar!(VisitFix, "a GPS fix of a visit", legacy::visit_fix);
json_scalar!(PhotoRef, "a photo reference", legacy::photo_ref);

/// The record encoding written by this build (see [`encoding`]; encoding 1 is still read).
pub const RECORD_SCHEMA: u64 = 2;

/// The kinds of record documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A producer ("chủ thể").
    Producer,
    /// A product.
    Product,
    /// A survey visit.
    Visit,
    /// A supervisor's review of a record.
    Review,
    /// A survey form definition.
    Form,
}

impl RecordKind {
    /// The kind's stable name, as stored in documents and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Producer => "producer",
            RecordKind::Product => "product",
            RecordKind::Visit => "visit",
            RecordKind::Review => "review",
            RecordKind::Form => "form",
        }
    }

    /// Parses a kind's stable name.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "producer" => RecordKind::Producer,
            "product" => RecordKind::Product,
            "visit" => RecordKind::Visit,
            "review" => RecordKind::Review,
            "form" => RecordKind::Form,
            other => {
                return Err(Error::Invalid {
                    field: "kind".into(),
                    reason: format!("unknown record kind {other:?}"),
                });
            }
        })
    }
}

/// Writes a new record into an empty document: every field, then `@kind` and `@schema`.
///
/// The fields go first on purpose: reconciling into an *empty* document lets autosurgeon build the whole tree
/// in one batch (`init_root_from_hydrate`, two op-set splices) instead of one lookup and one splice per field —
/// about a third of a visit capture's CPU time (`cargo bench -p ocop-core --bench store`, BENCHMARKS.md).
pub(crate) fn create<T: Reconcile>(
    doc: &mut AutoCommit,
    kind: RecordKind,
    record: &T,
) -> Result<()> {
    autosurgeon::reconcile(&mut *doc, record).map_err(|e| Error::Shape(e.to_string()))?;
    doc.put(automerge::ROOT, "@kind", kind.as_str())?;
    doc.put(automerge::ROOT, "@schema", ScalarValue::Uint(RECORD_SCHEMA))?;
    Ok(())
}

/// The kind a document says it is.
pub fn kind_of(doc: &AutoCommit) -> Result<RecordKind> {
    match doc.get(automerge::ROOT, "@kind")? {
        Some((automerge::Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(k) => RecordKind::parse(k),
            _ => Err(Error::Shape("@kind is not a string".into())),
        },
        _ => Err(Error::Shape("document has no @kind".into())),
    }
}

/// Where a record is: `(province code, commune code)`, read from the few fields that decide it (cheaper than
/// reading the whole record, and works for records written by newer apps). `None` for kinds without a place
/// (forms). An error when a placed kind does not name both codes.
pub fn place_of(doc: &AutoCommit) -> Result<Option<(String, String)>> {
    let unit = |key: &str| -> Option<crate::places::UnitRef> {
        autosurgeon::hydrate_prop(doc, automerge::ROOT, key).ok()
    };
    let place = match kind_of(doc)? {
        RecordKind::Producer => {
            autosurgeon::hydrate_prop::<_, Address, _, _>(doc, automerge::ROOT, "address")
                .ok()
                .map(|a| (a.province.code, a.commune.code))
        }
        RecordKind::Product | RecordKind::Visit | RecordKind::Review => unit("province")
            .zip(unit("commune"))
            .map(|(p, c)| (p.code, c.code)),
        RecordKind::Form => return Ok(None),
    };
    match place {
        Some((p, c)) if !p.trim().is_empty() && !c.trim().is_empty() => Ok(Some((p, c))),
        _ => Err(Error::Shape(
            "the record does not name its province and commune".into(),
        )),
    }
}

/// The SHA-256 hashes of the photos a visit refers to, sorted (empty for other kinds).
pub fn photo_hashes(doc: &AutoCommit) -> Vec<String> {
    let Ok(Some((automerge::Value::Object(ObjType::Map), photos))) =
        doc.get(automerge::ROOT, "photos")
    else {
        return Vec::new();
    };
    let mut out: Vec<String> = doc
        .keys(&photos)
        .filter(|k| crate::photo::is_valid_hash(k))
        .collect();
    out.sort();
    out
}

/// Reads a record back from its document.
pub fn read<T: Hydrate>(doc: &AutoCommit) -> Result<T> {
    autosurgeon::hydrate(doc).map_err(|e| Error::Shape(e.to_string()))
}

/// Writes one top-level field of a record (a plain value: strings, numbers, options of them, maps merged by key).
pub(crate) fn put_field<T: Reconcile>(doc: &mut AutoCommit, key: &str, value: &T) -> Result<()> {
    autosurgeon::reconcile_prop(doc, automerge::ROOT, key, value)
        .map_err(|e| Error::Shape(e.to_string()))
}

/// Writes a whole value (stored as one JSON string, see [`encoding`]) at `key` of `obj`, or null for `None`:
/// concurrent writes of the same key conflict as whole values.
pub(crate) fn put_whole<T: Reconcile>(
    doc: &mut AutoCommit,
    obj: &automerge::ObjId,
    key: &str,
    value: Option<&T>,
) -> Result<()> {
    match value {
        None => {
            doc.put(obj, key, ScalarValue::Null)?;
            Ok(())
        }
        Some(v) => {
            autosurgeon::reconcile_prop(doc, obj, key, v).map_err(|e| Error::Shape(e.to_string()))
        }
    }
}

/// Checks that a text field is non-empty after trimming and not absurdly long.
pub(crate) fn check_text(field: &str, value: &str, max_chars: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::Invalid {
            field: field.into(),
            reason: "must not be empty".into(),
        });
    }
    if value.chars().count() > max_chars {
        return Err(Error::Invalid {
            field: field.into(),
            reason: format!("longer than {max_chars} characters"),
        });
    }
    Ok(())
}

pub(crate) use visit::{
    add_photo, append_fix, reopen as reopen_visit, set_caption, set_notes, submit as submit_visit,
    write_answer,
};
