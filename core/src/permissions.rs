//! Who may create and edit which records, where: the permission matrix of OCOP Field.
//!
//! One function, [`check`], decides every write, in two places with the same code:
//!
//! - **on the device**, every write of the store ([`crate::store::Store`]) is checked before anything is written:
//!   a forbidden write returns [`crate::Error::Forbidden`] with the reason, and the database is left as it was;
//! - **at the hub**, every change a device pushes is checked against the account that made it (its role and
//!   scope at the hub, never what the device claims); a refused change goes back to the device as a rejection
//!   with the reason, and the device keeps showing it.
//!
//! A write is judged on the record **before** it ([`Facts`] read from the document; `None` when the record is
//! new) and **after** it, so the same rule covers a change made through the app and a raw automerge change sent
//! by a tampered client.
//!
//! ## The matrix (in scope)
//!
//! | role | producer | product | visit | review | form |
//! |---|---|---|---|---|---|
//! | officer | create, edit | create, edit | create; edit own | — | — |
//! | union staff | create, edit | create, edit (OCOP rating: no) | create; edit own | — | — |
//! | supervisor | create, edit | create, edit | create; edit any | create | — |
//! | hub admin | — | — | — | — | create, edit |
//!
//! And across the matrix:
//!
//! - **scope**: a record is written only inside the writer's scope (communes / provinces); an edit is judged on
//!   where the record was *before* it (moving one's own record to another commune is allowed — that commune's
//!   people see it arrive — but nobody pulls a record in from outside their scope). Forms have no place.
//! - **authorship**: a record is created in its writer's own name (`created_by` / `collector` / `reviewer` /
//!   `published_by` = the writer), and that name never changes afterwards.
//! - **own visits**: a visit is edited by its collector, or by a supervisor (to resolve a conflict, or correct it
//!   while reviewing); another officer may not touch it.
//! - **reviews are immutable**: a supervisor writes a review once; a changed decision is a new review (which names
//!   the reviews it supersedes, see [`crate::review`]). Nobody edits a review document.
//! - **producer status** (archived, merged into another) is changed only by a supervisor: archiving and merging
//!   duplicates are a supervisor's decisions. A new producer is always active.
//! - **OCOP rating**: union staff register products (stage candidate or registered) but do not record ratings or
//!   certificates; the `ocop` value of a product that is past `registered` is changed only by officers and
//!   supervisors.
//! - **a record keeps its kind.**
//!
//! `docs/permissions.md` has the same table with the reasons for each choice.

use automerge::{AutoCommit, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::identity::{Role, Scope};
use crate::records::{self, RecordKind};

/// What a write does to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The record did not exist.
    Create,
    /// The record existed.
    Edit,
}

impl Action {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Edit => "edit",
        }
    }
}

/// One cell of the matrix: whether a role may do an action on a kind (in scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Allowed (subject to the field rules in the module docs).
    Yes,
    /// Allowed only on records the person created or collected.
    Own,
    /// Not allowed.
    No,
}

/// The matrix: what `role` may do to records of `kind` inside its scope.
pub fn rule(role: Role, kind: RecordKind, action: Action) -> Rule {
    use Action::{Create, Edit};
    use RecordKind as K;
    use Role as R;
    match (role, kind, action) {
        (R::Officer | R::UnionStaff | R::Supervisor, K::Producer | K::Product, _) => Rule::Yes,
        (R::Officer | R::UnionStaff | R::Supervisor, K::Visit, Create) => Rule::Yes,
        (R::Officer | R::UnionStaff, K::Visit, Edit) => Rule::Own,
        (R::Supervisor, K::Visit, Edit) => Rule::Yes,
        (R::Supervisor, K::Review, Create) => Rule::Yes,
        (R::HubAdmin, K::Form, _) => Rule::Yes,
        _ => Rule::No,
    }
}

/// The person writing: who, in which role, and where they may write (`None`: no scope restriction — a store
/// not bound to an account, e.g. in tests or a desktop import).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// User id (as in author stamps).
    pub user_id: &'a str,
    /// Role.
    pub role: Role,
    /// Scope.
    pub scope: Option<&'a Scope>,
}

/// What the permission rules read from a record document: few fields, cheap to read, and readable from records
/// written by newer apps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The record's kind.
    pub kind: RecordKind,
    /// `(province code, commune code)`; `None` for forms.
    pub place: Option<(String, String)>,
    /// The person the record belongs to: `created_by` (producer, product), `collector` (visit), `reviewer`
    /// (review), `published_by` (form).
    pub owner: Option<String>,
    /// The guarded value: a producer's `status`, a product's `ocop` (as JSON); `Null` for other kinds.
    pub guarded: serde_json::Value,
}

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denial {
    /// The writer's role.
    pub role: Role,
    /// The record kind.
    pub kind: RecordKind,
    /// Create or edit.
    pub action: Action,
    /// A sentence a person can act on (no personal data).
    pub reason: String,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl From<Denial> for crate::Error {
    fn from(d: Denial) -> Self {
        crate::Error::Forbidden(d.reason)
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Officer => "an officer",
        Role::UnionStaff => "union staff",
        Role::Supervisor => "a supervisor",
        Role::HubAdmin => "a hub admin",
    }
}

fn owner_key(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Producer | RecordKind::Product => "created_by",
        RecordKind::Visit => "collector",
        RecordKind::Review => "reviewer",
        RecordKind::Form => "published_by",
    }
}

/// Reads the [`Facts`] of a record document. An error when the document has no valid kind, or a placed kind
/// does not name its province and commune.
pub fn facts_of(doc: &AutoCommit) -> crate::Result<Facts> {
    let kind = records::kind_of(doc)?;
    let place = records::place_of(doc)?;
    let owner = match doc.get(automerge::ROOT, owner_key(kind))? {
        Some((automerge::Value::Scalar(s), _)) => match s.as_ref() {
            automerge::ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    };
    let guarded_key = match kind {
        RecordKind::Producer => Some("status"),
        RecordKind::Product => Some("ocop"),
        _ => None,
    };
    let guarded = match guarded_key {
        Some(key) => match doc.get(automerge::ROOT, key)? {
            Some((v, id)) => crate::doc::value_to_json(doc, &v, &id),
            None => serde_json::Value::Null,
        },
        None => serde_json::Value::Null,
    };
    Ok(Facts {
        kind,
        place,
        owner,
        guarded,
    })
}

/// The state name of a producer status value (`active`, `archived`, `merged_into`), however it was encoded.
fn status_state(v: &serde_json::Value) -> Option<&str> {
    match v {
        serde_json::Value::Object(m) => m.get("state").and_then(|s| s.as_str()),
        serde_json::Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

/// The OCOP stage of a product's `ocop` value.
fn ocop_stage(v: &serde_json::Value) -> Option<&str> {
    v.get("stage").and_then(|s| s.as_str())
}

fn unrated(v: &serde_json::Value) -> bool {
    matches!(ocop_stage(v), Some("candidate" | "registered"))
}

/// Decides whether `actor` may make a write that takes a record from `before` (`None`: it did not exist) to
/// `after`. See the module docs for the rules.
pub fn check(actor: &Actor<'_>, before: Option<&Facts>, after: &Facts) -> Result<(), Denial> {
    let action = if before.is_some() {
        Action::Edit
    } else {
        Action::Create
    };
    let kind = after.kind;
    let deny = |reason: String| Denial {
        role: actor.role,
        kind,
        action,
        reason,
    };
    if let Some(b) = before
        && b.kind != after.kind
    {
        return Err(deny(format!(
            "a {} record cannot become a {} record",
            b.kind.as_str(),
            after.kind.as_str()
        )));
    }
    let cell = rule(actor.role, kind, action);
    if cell == Rule::No {
        let what = match (kind, action) {
            (RecordKind::Review, Action::Edit) => {
                "a review cannot be changed once written; write a new review instead".to_string()
            }
            _ => format!(
                "{} may not {} {} records",
                role_name(actor.role),
                action.as_str(),
                kind.as_str()
            ),
        };
        return Err(deny(what));
    }
    // Scope: judged where the record was before the write (a new record: where it is created).
    let judged = match before {
        Some(b) if b.place.is_some() => b.place.as_ref(),
        _ => after.place.as_ref(),
    };
    if let (Some(scope), Some((province, commune))) = (actor.scope, judged)
        && !scope.contains(province, commune)
    {
        return Err(deny(format!(
            "commune {commune} is outside your scope; you may not {} {} records there",
            action.as_str(),
            kind.as_str()
        )));
    }
    // Authorship.
    match before {
        None => {
            if after.owner.as_deref() != Some(actor.user_id) {
                return Err(deny(format!(
                    "a new {} record must be in its writer's own name ({})",
                    kind.as_str(),
                    owner_key(kind)
                )));
            }
        }
        Some(b) => {
            if b.owner != after.owner {
                return Err(deny(format!(
                    "the {} of a {} record cannot be changed",
                    owner_key(kind),
                    kind.as_str()
                )));
            }
            if cell == Rule::Own && b.owner.as_deref() != Some(actor.user_id) {
                return Err(deny(format!(
                    "only the person who collected a {} (or a supervisor) may edit it",
                    kind.as_str()
                )));
            }
        }
    }
    // Guarded fields.
    let before_guarded = before.map(|b| &b.guarded);
    match kind {
        RecordKind::Producer => {
            let changed = before_guarded.is_some_and(|g| *g != after.guarded);
            let after_state = status_state(&after.guarded);
            if before.is_none() && after_state.is_some_and(|s| s != "active") {
                return Err(deny("a new producer must be active".into()));
            }
            if changed && actor.role != Role::Supervisor {
                return Err(deny(
                    "only a supervisor archives a producer or merges it into another".into(),
                ));
            }
        }
        RecordKind::Product if actor.role == Role::UnionStaff => {
            let ok = match before_guarded {
                None => unrated(&after.guarded),
                Some(g) => *g == after.guarded || (unrated(g) && unrated(&after.guarded)),
            };
            if !ok {
                return Err(deny(
                    "union staff register products (candidate or registered) but do not record OCOP ratings"
                        .into(),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: RecordKind, commune: &str, owner: &str) -> Facts {
        Facts {
            kind,
            place: Some(("19".into(), commune.into())),
            owner: Some(owner.into()),
            guarded: serde_json::Value::Null,
        }
    }

    #[test]
    fn the_matrix_has_one_answer_per_cell() {
        assert_eq!(
            rule(Role::Officer, RecordKind::Visit, Action::Edit),
            Rule::Own
        );
        assert_eq!(
            rule(Role::Supervisor, RecordKind::Review, Action::Edit),
            Rule::No
        );
        assert_eq!(
            rule(Role::HubAdmin, RecordKind::Producer, Action::Create),
            Rule::No
        );
    }

    #[test]
    fn moving_out_is_allowed_pulling_in_is_not() {
        let scope = Scope {
            provinces: vec![],
            communes: vec!["A".into()],
        };
        let who = Actor {
            user_id: "o",
            role: Role::Officer,
            scope: Some(&scope),
        };
        let p = RecordKind::Producer;
        assert!(check(&who, Some(&facts(p, "A", "x")), &facts(p, "B", "x")).is_ok());
        assert!(check(&who, Some(&facts(p, "B", "x")), &facts(p, "A", "x")).is_err());
    }
}
