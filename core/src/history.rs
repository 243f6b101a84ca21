//! A record's history: who changed what, and when.
//!
//! Every change of a record carries its author in its message ([`crate::identity::Author`]) and its time. This
//! module reads that back as a list a person can follow — one [`HistoryEntry`] per change, oldest first, naming
//! the fields the change touched (`answers.q_main_product`, `phone`, `fixes` …). The fields come from automerge's
//! own diff between the change's dependencies and the change, so they are exact for any change, including ones
//! written by other implementations (which then show no author).

use automerge::{AutoCommit, ChangeHash, Prop, patches::PatchAction};
use serde::{Deserialize, Serialize};

use crate::identity::Author;
use crate::ids::Millis;

/// Deepest field path shown: `answers.q1` rather than the inside of a whole value.
const MAX_DEPTH: usize = 2;
/// Most fields listed per change (a record's creation touches them all).
const MAX_FIELDS: usize = 40;

/// One change of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The change's hash (hex).
    pub hash: String,
    /// Who made it, when it carries an OCOP Field author stamp.
    pub author: Option<Author>,
    /// When (the change's time, ms since the epoch).
    pub at: Millis,
    /// The fields it set or removed, as dotted paths, in document order (at most 40).
    pub fields: Vec<String>,
    /// More fields were touched than listed.
    pub more_fields: bool,
}

fn prop_string(p: &Prop) -> String {
    match p {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    }
}

fn field_of(path: &[(automerge::ObjId, Prop)], last: Option<Prop>) -> Option<String> {
    let segs: Vec<String> = path
        .iter()
        .map(|(_, p)| prop_string(p))
        .chain(last.as_ref().map(prop_string))
        .take(MAX_DEPTH)
        .collect();
    (!segs.is_empty()).then(|| segs.join("."))
}

/// The history of `doc`, oldest change first (a causal order: a change comes after those it builds on).
pub fn history(doc: &mut AutoCommit) -> Vec<HistoryEntry> {
    let changes = doc.get_changes(&[]);
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let hash = change.hash();
        let before: Vec<ChangeHash> = change.deps().to_vec();
        let patches = doc.diff(&before, &[hash]);
        let mut fields: Vec<String> = Vec::new();
        let mut more = false;
        for p in patches {
            let last = match p.action {
                PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                    Some(Prop::Map(key))
                }
                PatchAction::PutSeq { index, .. }
                | PatchAction::Insert { index, .. }
                | PatchAction::DeleteSeq { index, .. }
                | PatchAction::SpliceText { index, .. } => Some(Prop::Seq(index)),
                PatchAction::Increment { prop, .. } | PatchAction::Conflict { prop } => Some(prop),
                PatchAction::Mark { .. } => None,
            };
            let Some(field) = field_of(&p.path, last) else {
                continue;
            };
            if fields.contains(&field) {
                continue;
            }
            if fields.len() >= MAX_FIELDS {
                more = true;
                continue;
            }
            fields.push(field);
        }
        out.push(HistoryEntry {
            hash: hash.to_string(),
            author: change.message().and_then(Author::from_message),
            at: change.timestamp(),
            fields,
            more_fields: more,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::commit;
    use crate::identity::Role;
    use automerge::transaction::Transactable;

    #[test]
    fn each_change_names_its_author_time_and_fields() {
        let officer = Author::new("officer-1", "Nguyễn Văn An", Role::Officer);
        let union = Author::new("union-1", "Trần Thị Bình", Role::UnionStaff);
        let mut doc = AutoCommit::new();
        doc.put(automerge::ROOT, "name", "HTX Chè Tân Cương").unwrap();
        let answers = doc
            .put_object(automerge::ROOT, "answers", automerge::ObjType::Map)
            .unwrap();
        doc.put(&answers, "q1", "chè").unwrap();
        commit(&mut doc, &officer, 1_000);
        doc.put(automerge::ROOT, "phone", "0912345678").unwrap();
        doc.put(&answers, "q2", "3").unwrap();
        commit(&mut doc, &union, 2_000);
        // A change from a foreign tool: no author stamp.
        doc.put(automerge::ROOT, "name", "HTX chè Tân Cương").unwrap();
        doc.commit();

        let h = history(&mut doc);
        assert_eq!(h.len(), 3);
        assert_eq!(h[0].author.as_ref().unwrap().user_id, "officer-1");
        assert_eq!(h[0].at, 1_000);
        assert_eq!(h[0].fields, vec!["answers", "name", "answers.q1"]);
        assert_eq!(h[1].author.as_ref().unwrap().role, Role::UnionStaff);
        assert_eq!(h[1].fields, vec!["phone", "answers.q2"]);
        assert!(h[2].author.is_none());
        assert_eq!(h[2].fields, vec!["name"]);
        assert!(h.iter().all(|e| !e.more_fields && e.hash.len() == 64));
    }
}
