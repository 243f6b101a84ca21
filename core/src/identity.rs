//! Who is working: users, their roles, and the author stamp written into every change.
//!
//! Every change a person makes is committed with a small JSON message naming its author (user id, display name,
//! role). That is how a conflict can say *who* wrote each competing value, and how the history of a record reads
//! as "who changed what, when", on any device, without a separate audit table.

use serde::{Deserialize, Serialize};

/// The roles of OCOP Field. What each may do is decided by the permission rules, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An extension officer (cán bộ khuyến nông / phòng kinh tế) who registers producers and products and visits them.
    Officer,
    /// Women's Union staff (Hội Liên hiệp Phụ nữ) who register their members' products.
    UnionStaff,
    /// A district or provincial OCOP office supervisor who reviews what was synced.
    Supervisor,
    /// A hub administrator (enrolls devices, publishes forms).
    HubAdmin,
}

impl Role {
    /// The role's stable name (`officer`, `union_staff`, `supervisor`, `hub_admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::UnionStaff => "union_staff",
            Role::Supervisor => "supervisor",
            Role::HubAdmin => "hub_admin",
        }
    }

    /// Parses a role's stable name.
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "officer" => Role::Officer,
            "union_staff" => Role::UnionStaff,
            "supervisor" => Role::Supervisor,
            "hub_admin" => Role::HubAdmin,
            _ => return None,
        })
    }
}

/// The person making a change, as stamped into the change's message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Author {
    /// Stable user id (assigned at enrollment), e.g. `officer-hanoi-01`.
    #[serde(rename = "u")]
    pub user_id: String,
    /// Display name.
    #[serde(rename = "n", default)]
    pub name: String,
    /// Role at the time of the change.
    #[serde(rename = "r")]
    pub role: Role,
}

impl Author {
    /// A new author stamp.
    pub fn new(user_id: impl Into<String>, name: impl Into<String>, role: Role) -> Self {
        Self {
            user_id: user_id.into(),
            name: name.into(),
            role,
        }
    }

    /// The change message carrying this author.
    pub fn to_message(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads an author back from a change message; `None` for messages not written by OCOP Field.
    pub fn from_message(message: &str) -> Option<Self> {
        serde_json::from_str(message).ok()
    }
}

/// What an account may see and write: communes and whole provinces (2025 codes). Empty means nothing; the
/// province `*` means everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Whole provinces.
    pub provinces: Vec<String>,
    /// Single communes.
    pub communes: Vec<String>,
}

impl Scope {
    /// Everything (a hub admin, or a device-to-device exchange between trusted peers).
    pub fn all() -> Self {
        Self {
            provinces: vec!["*".into()],
            communes: Vec::new(),
        }
    }

    /// True when a record in `province`/`commune` is in scope.
    pub fn contains(&self, province: &str, commune: &str) -> bool {
        self.provinces.iter().any(|p| p == "*" || p == province)
            || self.communes.iter().any(|c| c == commune)
    }

    /// True when every part of `other` is inside `self`: a commune is inside when it is listed or its province
    /// (from the embedded administrative units) is; an unknown commune code is inside only when listed.
    pub fn covers(&self, other: &Scope) -> bool {
        if self.provinces.iter().any(|p| p == "*") {
            return true;
        }
        let places = crate::places::Places::embedded();
        other.provinces.iter().all(|p| self.provinces.contains(p))
            && other.communes.iter().all(|c| {
                self.communes.contains(c)
                    || places
                        .commune(c)
                        .is_some_and(|u| self.provinces.contains(&u.province_code))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(provinces: &[&str], communes: &[&str]) -> Scope {
        Scope {
            provinces: provinces.iter().map(|s| s.to_string()).collect(),
            communes: communes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_province_covers_its_communes_and_not_others() {
        // Xã Tân Cương (05503) is in Thái Nguyên (19); Xã Bát Tràng (00577) is in Hà Nội (01).
        let thai_nguyen = scope(&["19"], &[]);
        assert!(thai_nguyen.covers(&scope(&[], &["05503"])));
        assert!(!thai_nguyen.covers(&scope(&[], &["00577"])));
        assert!(!thai_nguyen.covers(&scope(&["01"], &[])));
        assert!(
            !thai_nguyen.covers(&scope(&[], &["99999"])),
            "unknown commune"
        );
        assert!(scope(&[], &["05503"]).covers(&scope(&[], &["05503"])));
        assert!(!scope(&[], &["05503"]).covers(&scope(&["19"], &[])));
        assert!(Scope::all().covers(&scope(&["01", "19"], &["00577"])));
    }
}
