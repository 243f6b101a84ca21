//! What the hub reads from a document: its kind, its place, the photos a visit refers to — and who may write it.
//!
//! The hub does not hydrate whole records: it reads the few fields that decide scope through
//! `ocop_core::records::place_of` and `photo_hashes`, which is cheaper and keeps working for records written by
//! newer apps with fields this hub does not know.

use automerge::AutoCommit;
use ocop_core::identity::Role;
use ocop_core::records::{self, RecordKind};
use ocop_core::sync::Principal;

use crate::storage::Place;

/// The kind and place of a document at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocState {
    pub kind: RecordKind,
    pub place: Place,
}

/// The kind and place of `doc`, or why it is not a record the hub can place.
pub(crate) fn read_state(doc: &AutoCommit) -> Result<DocState, String> {
    let kind = records::kind_of(doc)
        .map_err(|_| "the document is not an OCOP Field record (no valid @kind)".to_string())?;
    let place = records::place_of(doc)
        .map_err(|_| {
            format!(
                "a {} record must name its province and commune",
                kind.as_str()
            )
        })?
        .map_or_else(Place::default, |(p, c)| Place::new(p, c));
    Ok(DocState { kind, place })
}

/// The photo hashes a visit refers to, sorted (empty for other kinds).
pub(crate) fn photo_hashes(doc: &AutoCommit) -> Vec<String> {
    records::photo_hashes(doc)
}

fn may_write_kind(role: Role, kind: RecordKind) -> bool {
    match kind {
        RecordKind::Producer | RecordKind::Product | RecordKind::Visit => true,
        RecordKind::Review => matches!(role, Role::Supervisor | Role::HubAdmin),
        RecordKind::Form => role == Role::HubAdmin,
    }
}

/// Whether `who` may make a change that takes a document from `before` (`None`: it did not exist) to `after`.
///
/// The rules the hub enforces today (issue 5 extends them into the full permission matrix):
/// - a record keeps its kind;
/// - producers, products and visits may be written by every role; reviews by supervisors and hub admins; forms
///   by hub admins;
/// - a hub admin writes anywhere; anyone else writes only records that are in their scope before the change (a
///   new record: after it). Moving a record of one's own commune elsewhere is allowed — the old commune's devices
///   see the move — but nobody may pull a record in from outside their scope.
pub(crate) fn check_write(
    who: &Principal,
    before: Option<&DocState>,
    after: &DocState,
) -> Result<(), String> {
    if let Some(b) = before
        && b.kind != after.kind
    {
        return Err(format!(
            "a {} record cannot become a {} record",
            b.kind.as_str(),
            after.kind.as_str()
        ));
    }
    if !may_write_kind(who.role, after.kind) {
        return Err(format!(
            "the role {} may not write {} records",
            who.role.as_str(),
            after.kind.as_str()
        ));
    }
    if who.role == Role::HubAdmin {
        return Ok(());
    }
    let judged = match before {
        Some(b) if !b.place.is_placeless() => &b.place,
        _ => &after.place,
    };
    if judged.visible_in(&who.scope) {
        Ok(())
    } else {
        Err(format!(
            "you may not write records of commune {}",
            judged.commune
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocop_core::sync::Scope;

    fn officer_of(commune: &str) -> Principal {
        Principal {
            user_id: "o".into(),
            role: Role::Officer,
            scope: Scope {
                provinces: vec![],
                communes: vec![commune.into()],
            },
        }
    }

    fn state(kind: RecordKind, commune: &str) -> DocState {
        DocState {
            kind,
            place: Place::new("19", commune),
        }
    }

    #[test]
    fn officers_write_in_their_commune_and_may_move_records_out_but_not_in() {
        let who = officer_of("A");
        let p = RecordKind::Producer;
        assert!(check_write(&who, None, &state(p, "A")).is_ok());
        assert!(check_write(&who, Some(&state(p, "A")), &state(p, "A")).is_ok());
        assert!(check_write(&who, Some(&state(p, "A")), &state(p, "B")).is_ok());
        let err = check_write(&who, None, &state(p, "B")).unwrap_err();
        assert_eq!(err, "you may not write records of commune B");
        assert!(check_write(&who, Some(&state(p, "B")), &state(p, "A")).is_err());
        assert!(check_write(&who, Some(&state(p, "B")), &state(p, "B")).is_err());
    }

    #[test]
    fn kinds_are_kept_and_reserved_kinds_need_their_role() {
        let who = officer_of("A");
        assert!(
            check_write(
                &who,
                Some(&state(RecordKind::Producer, "A")),
                &state(RecordKind::Visit, "A")
            )
            .is_err()
        );
        let form = DocState {
            kind: RecordKind::Form,
            place: Place::default(),
        };
        assert!(check_write(&who, None, &form).is_err());
        let admin = Principal {
            role: Role::HubAdmin,
            ..officer_of("none")
        };
        assert!(check_write(&admin, None, &form).is_ok());
        assert!(check_write(&admin, None, &state(RecordKind::Visit, "Z")).is_ok());
    }
}
