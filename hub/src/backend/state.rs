//! What the hub reads from a document: its kind, its place, the photos a visit refers to — and who may write it
//! (the core's permission matrix, [`ocop_core::permissions`], judged against the accounts the hub knows).
//!
//! The hub does not hydrate whole records: it reads the few fields that decide scope through
//! `ocop_core::records::place_of` and `photo_hashes`, which is cheaper and keeps working for records written by
//! newer apps with fields this hub does not know.

use automerge::AutoCommit;
use ocop_core::identity::Author;
use ocop_core::permissions::{self, Facts};
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

/// The account a change is judged against: the pusher's own account for the pusher's own changes, or — for a
/// change relayed from another person's device (phone to phone, a file bundle) — that person's account as the hub
/// knows it. `accounts` looks an account up by user id (active devices only).
///
/// What a change *claims* is never trusted by itself:
/// - a change without an OCOP Field author stamp is refused;
/// - the pusher's own changes must claim the pusher's role at the hub;
/// - a relayed change must name an account the hub knows, with that account's role, and is judged on that
///   account's role and scope;
/// - reviews and forms are accepted only from their author's own device: a relayed review could be forged by
///   any device (changes are not signed), and a review refused this way loses nothing — its reviewer's device
///   sends it again, and no other change builds on a review document.
pub(crate) fn acting_account(
    who: &Principal,
    kind: RecordKind,
    message: Option<&str>,
    accounts: &mut dyn FnMut(&str) -> Option<Principal>,
) -> Result<Principal, String> {
    let Some(author) = message.and_then(Author::from_message) else {
        return Err("the change carries no author stamp".into());
    };
    if author.user_id == who.user_id {
        if author.role != who.role {
            return Err(format!(
                "the change claims the role {} but this account is {}",
                author.role.as_str(),
                who.role.as_str()
            ));
        }
        return Ok(who.clone());
    }
    if matches!(kind, RecordKind::Review | RecordKind::Form) {
        return Err(format!(
            "a {} is accepted only from its author's own device",
            kind.as_str()
        ));
    }
    let Some(account) = accounts(&author.user_id) else {
        return Err("the change names an author who has no account at this hub".into());
    };
    if account.role != author.role {
        return Err(format!(
            "the change claims the role {} for an author whose account is {}",
            author.role.as_str(),
            account.role.as_str()
        ));
    }
    Ok(account)
}

/// The permission facts of a document before a change: read from it, or — for a document that cannot be read
/// that way — from the kind and place the hub stored.
pub(crate) fn facts_before(doc: &AutoCommit, state: &DocState) -> Facts {
    permissions::facts_of(doc).unwrap_or_else(|_| Facts {
        kind: state.kind,
        place: (!state.place.is_placeless())
            .then(|| (state.place.province.clone(), state.place.commune.clone())),
        owner: None,
        guarded: serde_json::Value::Null,
    })
}

/// Whether `who` may make a change that takes a document from `before` (`None`: it did not exist) to `after`:
/// the core's permission matrix ([`ocop_core::permissions`]), judged with the account's role and scope at the hub.
pub(crate) fn check_write(
    who: &Principal,
    before: Option<&Facts>,
    after: &Facts,
) -> Result<(), String> {
    let actor = permissions::Actor {
        user_id: &who.user_id,
        role: who.role,
        scope: Some(&who.scope),
    };
    permissions::check(&actor, before, after).map_err(|d| d.reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocop_core::identity::Role;
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

    fn facts(kind: RecordKind, commune: &str) -> Facts {
        Facts {
            kind,
            place: Some(("19".into(), commune.into())),
            owner: Some("o".into()),
            guarded: serde_json::Value::Null,
        }
    }

    #[test]
    fn officers_write_in_their_commune_and_may_move_records_out_but_not_in() {
        let who = officer_of("A");
        let p = RecordKind::Producer;
        assert!(check_write(&who, None, &facts(p, "A")).is_ok());
        assert!(check_write(&who, Some(&facts(p, "A")), &facts(p, "A")).is_ok());
        assert!(check_write(&who, Some(&facts(p, "A")), &facts(p, "B")).is_ok());
        let err = check_write(&who, None, &facts(p, "B")).unwrap_err();
        assert!(err.contains("outside your scope"), "{err}");
        assert!(check_write(&who, Some(&facts(p, "B")), &facts(p, "A")).is_err());
    }

    #[test]
    fn stamps_are_checked_against_the_accounts() {
        let who = officer_of("A");
        let mine = Author::new("o", "", Role::Officer).to_message();
        let as_sup = Author::new("o", "", Role::Supervisor).to_message();
        let other = Author::new("u", "", Role::UnionStaff).to_message();
        let mut none = |_: &str| None;
        let k = RecordKind::Producer;
        assert!(acting_account(&who, k, Some(&mine), &mut none).is_ok());
        assert!(acting_account(&who, k, None, &mut none).is_err());
        assert!(acting_account(&who, k, Some(&as_sup), &mut none).is_err());
        assert!(acting_account(&who, k, Some(&other), &mut none).is_err());
        let mut known = |u: &str| {
            Some(Principal {
                user_id: u.into(),
                role: Role::UnionStaff,
                scope: Scope::all(),
            })
        };
        assert_eq!(
            acting_account(&who, k, Some(&other), &mut known)
                .unwrap()
                .user_id,
            "u"
        );
        assert!(acting_account(&who, RecordKind::Review, Some(&other), &mut known).is_err());
    }
}
