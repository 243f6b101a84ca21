//! Survey visits: the answers to one version of a form, GPS fixes, photo references and free notes.
//!
//! A visit is written by its collector, mostly on one phone, but it still merges like every record: answers are a
//! map keyed by question id (each answer written whole, so two different answers to one question conflict), fixes
//! are an append-only list, photos a map keyed by the photo's SHA-256 (attaching the same photo twice is one
//! photo), and notes a text CRDT (two people typing into the notes both keep their words).

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, Value};
use autosurgeon::{Hydrate, Reconcile, Text};
use serde::{Deserialize, Serialize};

use super::{put_field, put_whole};
use crate::error::{Error, Result};
use crate::forms::Answer;
use crate::gps::{GpsFix, GpsFlag};
use crate::ids::{Millis, RecordId};
use crate::places::UnitRef;

/// A visit's lifecycle on the collector's side (reviews are separate documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum VisitState {
    /// Being filled; may be incomplete.
    #[autosurgeon(rename = "draft")]
    Draft,
    /// Submitted for review: complete against its form.
    #[autosurgeon(rename = "submitted")]
    Submitted,
}

impl VisitState {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            VisitState::Draft => "draft",
            VisitState::Submitted => "submitted",
        }
    }
}

/// What a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum PhotoKind {
    /// The product itself.
    #[autosurgeon(rename = "product")]
    Product,
    /// The production facility.
    #[autosurgeon(rename = "facility")]
    Facility,
    /// Packaging and label.
    #[autosurgeon(rename = "packaging")]
    Packaging,
    /// Papers: certificates, registrations.
    #[autosurgeon(rename = "papers")]
    Papers,
    /// Anything else.
    #[autosurgeon(rename = "other")]
    Other,
}

/// A GPS fix taken during a visit, with the quality flags it was saved with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitFix {
    /// The fix (possibly corrected, see the flags).
    pub fix: GpsFix,
    /// What is doubtful about it.
    pub flags: Vec<GpsFlag>,
}

/// A reference to a stored photo; the bytes live in the photo store, by hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// SHA-256 of the stored (re-encoded) file, lowercase hex.
    pub hash: String,
    /// Size of the stored file in bytes.
    pub bytes: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Caption typed by the collector.
    pub caption: String,
    /// What it shows.
    pub kind: PhotoKind,
    /// When it was taken (EXIF), if known.
    pub taken_at: Option<Millis>,
    /// Where it was taken (EXIF GPS), if known.
    pub gps: Option<GpsFix>,
    /// Quality flags (e.g. taken far from the visit's fix).
    pub flags: Vec<GpsFlag>,
    /// When it was attached.
    pub attached_at: Millis,
}

/// A visit record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Visit {
    /// The record's id.
    pub id: RecordId,
    /// The producer visited.
    #[autosurgeon(missing = "Default::default")]
    pub producer: Option<RecordId>,
    /// The product assessed, if any.
    #[autosurgeon(missing = "Default::default")]
    pub product: Option<RecordId>,
    /// Province of the visit (decides the sync scope).
    pub province: UnitRef,
    /// Commune of the visit (decides the sync scope).
    pub commune: UnitRef,
    /// The form answered.
    pub form_id: String,
    /// The form version the visit was started with; answers are validated against it.
    pub form_version: u32,
    /// Answers by question id.
    #[autosurgeon(missing = "Default::default")]
    pub answers: BTreeMap<String, Answer>,
    /// GPS fixes, in the order taken.
    #[autosurgeon(missing = "Default::default")]
    pub fixes: Vec<VisitFix>,
    /// Photos by hash.
    #[autosurgeon(missing = "Default::default")]
    pub photos: BTreeMap<String, PhotoRef>,
    /// Free notes (a text CRDT: concurrent typing merges).
    #[autosurgeon(missing = "Default::default")]
    #[serde(with = "notes_as_string")]
    pub notes: Text,
    /// User id of the collector.
    pub collector: String,
    /// When the visit was started.
    pub started_at: Millis,
    /// When it was last submitted.
    #[autosurgeon(missing = "Default::default")]
    pub submitted_at: Option<Millis>,
    /// Draft or submitted.
    pub state: VisitState,
}

/// Looks up (or creates) the map at a top-level key.
fn root_map(doc: &mut AutoCommit, key: &str) -> Result<automerge::ObjId> {
    Ok(match doc.get(automerge::ROOT, key)? {
        Some((Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(automerge::ROOT, key, ObjType::Map)?,
    })
}

/// Sets (whole) or clears one answer.
pub(crate) fn write_answer(
    doc: &mut AutoCommit,
    question: &str,
    answer: Option<&Answer>,
) -> Result<()> {
    let answers = root_map(doc, "answers")?;
    match answer {
        Some(a) => put_whole(doc, &answers, question, Some(a)),
        None => Ok(doc.delete(&answers, question)?),
    }
}

/// Appends a fix.
pub(crate) fn append_fix(doc: &mut AutoCommit, fix: &VisitFix) -> Result<()> {
    let list = match doc.get(automerge::ROOT, "fixes")? {
        Some((Value::Object(ObjType::List), id)) => id,
        _ => doc.put_object(automerge::ROOT, "fixes", ObjType::List)?,
    };
    let at = doc.length(&list);
    doc.insert(&list, at, super::encoding::encode(fix))?;
    Ok(())
}

/// Adds a photo reference (a no-op if the same photo is already attached).
pub(crate) fn add_photo(doc: &mut AutoCommit, photo: &PhotoRef) -> Result<()> {
    let photos = root_map(doc, "photos")?;
    if doc.get(&photos, photo.hash.as_str())?.is_some() {
        return Ok(());
    }
    put_whole(doc, &photos, &photo.hash, Some(photo))
}

/// Changes a photo's caption (the reference is rewritten whole).
pub(crate) fn set_caption(doc: &mut AutoCommit, hash: &str, caption: &str) -> Result<()> {
    let photos = root_map(doc, "photos")?;
    let mut photo: PhotoRef = match doc.get(&photos, hash)? {
        Some(_) => autosurgeon::hydrate_prop(&*doc, &photos, hash)
            .map_err(|e| Error::Shape(e.to_string()))?,
        None => {
            return Err(Error::NotFound {
                kind: "photo",
                id: hash.to_string(),
            });
        }
    };
    photo.caption = caption.to_string();
    put_whole(doc, &photos, hash, Some(&photo))
}

/// Replaces the notes text with one splice covering only what changed (common prefix and suffix kept), so
/// concurrent typing elsewhere in the notes merges.
///
/// Not `autosurgeon::Text::update`: in autosurgeon 0.14 it counts UTF-8 bytes where automerge counts code
/// points, which breaks on Vietnamese text.
pub(crate) fn set_notes(doc: &mut AutoCommit, notes: &str) -> Result<()> {
    let text = match doc.get(automerge::ROOT, "notes")? {
        Some((Value::Object(ObjType::Text), id)) => id,
        _ => doc.put_object(automerge::ROOT, "notes", ObjType::Text)?,
    };
    let old: Vec<char> = doc.text(&text)?.chars().collect();
    let new: Vec<char> = notes.chars().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let delete = old.len() - prefix - suffix;
    let insert: String = new[prefix..new.len() - suffix].iter().collect();
    if delete > 0 || !insert.is_empty() {
        doc.splice_text(&text, prefix, delete as isize, &insert)?;
    }
    Ok(())
}

/// Marks the visit submitted at `at`.
pub(crate) fn submit(doc: &mut AutoCommit, at: Millis) -> Result<()> {
    put_field(doc, "state", &VisitState::Submitted)?;
    put_field(doc, "submitted_at", &Some(at))
}

/// Serializes the notes CRDT as its plain text (JSON exports, FFI).
mod notes_as_string {
    use autosurgeon::Text;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(text: &Text, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(text.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        Ok(Text::with_value(String::deserialize(d)?))
    }
}

/// Puts a submitted visit back to draft (its collector reopens it to correct it after it was returned).
pub(crate) fn reopen(doc: &mut AutoCommit) -> Result<()> {
    put_field(doc, "state", &VisitState::Draft)
}
