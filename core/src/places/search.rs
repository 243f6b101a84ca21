//! Name search over the 2025 units, and name matching of pre-2025 addresses.
//!
//! Everything is compared in folded form ([`crate::text::fold`]: no diacritics, lower case) with typographic
//! apostrophes made ASCII ("Ea H’Leo" and "ea h'leo" are one name). Search ranks by how well the query fits:
//!
//! 1. exact: the query is the name, with or without its kind word ("dong da", "phuong dong da");
//! 2. the name starts with the query ("ha n" → Hà Nội);
//! 3. every query word starts a word of the full name ("dinh ba" → Phường Ba Đình);
//! 4. for communes, every query word starts a word of the full name or of its province's name, at least one
//!    of the unit's own ("dong da ha noi" → Phường Đống Đa, Hà Nội).
//!
//! Within a rank, provinces come before communes, then shorter names, then by folded name and code (so a
//! ward, a commune and a special zone of the same name come in code order).

use std::collections::HashMap;

use super::unit::{Level, OldLevel, OldName, Unit};
use super::{OldTable, Places};
use crate::text::fold;

/// The folded forms of a unit's name, computed once at load.
#[derive(Debug)]
pub(super) struct Key {
    /// Folded full name: "phuong ba dinh".
    full: String,
    /// Folded name without the kind word: "ba dinh".
    short: String,
}

impl Key {
    pub(super) fn new(unit: &Unit) -> Self {
        // The full name is the kind word, a space and the name: fold the name once.
        let short = fold_name(&unit.name);
        Self {
            full: format!("{} {short}", fold(unit.kind.prefix())),
            short,
        }
    }
}

/// Folds a name or query: typographic apostrophes as ASCII, then [`fold`].
pub(super) fn fold_name(s: &str) -> String {
    if s.contains(['\u{2019}', '\u{2018}', '\u{02BC}']) {
        fold(&s.replace(['\u{2019}', '\u{2018}', '\u{02BC}'], "'"))
    } else {
        fold(s)
    }
}

/// How well a unit with key `key` fits the folded query; `province` gives the folded name of its province
/// (for communes), asked only when the unit's own name is not enough.
fn rank<'a>(q: &str, key: &Key, province: impl FnOnce() -> Option<&'a str>) -> Option<u8> {
    if q == key.short || q == key.full {
        return Some(0);
    }
    if key.short.starts_with(q) || key.full.starts_with(q) {
        return Some(1);
    }
    let starts_word = |w: &str, text: &str| text.split(' ').any(|t| t.starts_with(w));
    let own = |w: &str| starts_word(w, &key.full);
    if q.split(' ').all(own) {
        return Some(2);
    }
    if !q.split(' ').any(own) {
        return None;
    }
    let province = province()?;
    q.split(' ')
        .all(|w| own(w) || starts_word(w, province))
        .then_some(3)
}

impl Places {
    /// Searches the 2025 units by name, ignoring case and diacritics: `search("dong da", 10)` finds
    /// "Phường Đống Đa". Best matches first (see the module docs); at most `limit` results; an empty query
    /// finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Unit> {
        self.search_in(query, None, limit)
    }

    /// Like [`Places::search`], but with `Some(province_code)` only the communes of that province are searched.
    pub fn search_in(&self, query: &str, province_code: Option<&str>, limit: usize) -> Vec<&Unit> {
        let q = fold_name(query);
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut hits: Vec<(u8, Level, usize, &str, &Unit)> = Vec::new();
        for (unit, key) in self.units.iter().zip(&self.keys) {
            if province_code
                .is_some_and(|p| unit.level() != Level::Commune || unit.province_code != p)
            {
                continue;
            }
            let province = || match unit.level() {
                Level::Commune => self
                    .province_key(&unit.province_code)
                    .map(|k| k.short.as_str()),
                Level::Province => None,
            };
            if let Some(r) = rank(&q, key, province) {
                hits.push((r, unit.level(), key.short.len(), key.short.as_str(), unit));
            }
        }
        hits.sort_by(|a, b| (a.0, a.1, a.2, a.3, &a.4.code).cmp(&(b.0, b.1, b.2, b.3, &b.4.code)));
        hits.into_iter().take(limit).map(|h| h.4).collect()
    }

    fn province_key(&self, code: &str) -> Option<&Key> {
        let i = *self.by_code.get(code)? as usize;
        self.keys.get(i)
    }

    /// The 2025 units a pre-2025 address given by names went to, primary successor first.
    ///
    /// With a ward, the old wards of that name (within the district and province, where given) are looked up,
    /// including some wards merged away before 2025 that the source knows only by name; with only a district,
    /// the communes that took over the district; with only a province, the new province. A ward name alone
    /// may match wards in several provinces: give the district and province to be sure.
    pub fn resolve_old_name(&self, name: OldName<'_>) -> Vec<&Unit> {
        let folded = |s: Option<&str>| s.map(fold_name).filter(|s| !s.is_empty());
        let (province, district, ward) = (
            folded(name.province),
            folded(name.district),
            folded(name.ward),
        );
        let old = self.old();
        let index = old.index.get_or_init(|| OldIndex::new(old));
        let old_matches = |code: Option<&str>, query: Option<&String>| -> bool {
            let Some(query) = query else { return true };
            code.and_then(|c| old.by_code.get(c))
                .is_some_and(|&i| index.name_is(i as usize, query))
        };
        let mut successors: Vec<u32> = Vec::new();
        let (level, query) = match (&ward, &district, &province) {
            (Some(w), _, _) => (OldLevel::Ward, w),
            (None, Some(d), _) => (OldLevel::District, d),
            (None, None, Some(p)) => (OldLevel::Province, p),
            (None, None, None) => return Vec::new(),
        };
        for &i in index.candidates(query) {
            let Some(unit) = old.units.get(i) else {
                continue;
            };
            if unit.level != level || !index.name_is(i, query) {
                continue;
            }
            let (d_code, p_code) = match level {
                OldLevel::Ward => {
                    let d = unit.parent_code.as_deref();
                    let p = d
                        .and_then(|d| self.old_unit(d))
                        .and_then(|d| d.parent_code.as_deref());
                    (d, p)
                }
                OldLevel::District => (None, unit.parent_code.as_deref()),
                OldLevel::Province => (None, None),
            };
            let district_ok = level != OldLevel::Ward || old_matches(d_code, district.as_ref());
            let province_ok = level == OldLevel::Province || old_matches(p_code, province.as_ref());
            if district_ok && province_ok {
                extend_unique(&mut successors, &unit.successors);
            }
        }
        if level == OldLevel::Ward {
            for &i in index.alias_candidates(query) {
                let Some(alias) = old.aliases.get(i) else {
                    continue;
                };
                let fits = |q: Option<&String>, name: &str| {
                    q.is_none_or(|q| names_equal(q, &fold_name(name)))
                };
                if fits(Some(query), &alias.ward)
                    && fits(district.as_ref(), &alias.district)
                    && fits(province.as_ref(), &alias.province)
                {
                    extend_unique(&mut successors, &alias.successors);
                }
            }
        }
        successors
            .iter()
            .filter_map(|&i| self.units.get(i as usize))
            .collect()
    }
}

fn extend_unique(out: &mut Vec<u32>, more: &[u32]) {
    for &i in more {
        if !out.contains(&i) {
            out.push(i);
        }
    }
}

/// The kind words of pre-2025 names, folded, longest first where one starts another.
const OLD_PREFIXES: [&str; 9] = [
    "thanh pho ",
    "thi tran ",
    "thi xa ",
    "tinh ",
    "quan ",
    "huyen ",
    "phuong ",
    "xa ",
    "dac khu ",
];

/// The name without its kind word, if it has one.
fn strip_kind(full: &str) -> Option<&str> {
    OLD_PREFIXES
        .iter()
        .find_map(|p| full.strip_prefix(p))
        .filter(|s| !s.is_empty())
}

/// Whether a folded query names the folded full name `full`, with or without the kind word.
fn names_equal(query: &str, full: &str) -> bool {
    query == full || strip_kind(full) == Some(query)
}

/// Folded names of the old units and aliases, indexed by name without kind word; built on first use.
#[derive(Debug)]
pub(super) struct OldIndex {
    full: Vec<String>,
    by_short: HashMap<String, Vec<usize>>,
    alias_by_short: HashMap<String, Vec<usize>>,
}

impl OldIndex {
    fn new(places: &OldTable) -> Self {
        let full: Vec<String> = places
            .units
            .iter()
            .map(|u| fold_name(&u.full_name))
            .collect();
        let mut by_short: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in full.iter().enumerate() {
            by_short
                .entry(strip_kind(f).unwrap_or(f).to_owned())
                .or_default()
                .push(i);
        }
        let mut alias_by_short: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in places.aliases.iter().enumerate() {
            let f = fold_name(&a.ward);
            alias_by_short
                .entry(strip_kind(&f).unwrap_or(&f).to_owned())
                .or_default()
                .push(i);
        }
        Self {
            full,
            by_short,
            alias_by_short,
        }
    }

    fn name_is(&self, i: usize, query: &str) -> bool {
        self.full.get(i).is_some_and(|f| names_equal(query, f))
    }

    /// Old units whose name may equal the query: those whose short name is the query or the query stripped.
    fn candidates(&self, query: &str) -> impl Iterator<Item = &usize> {
        Self::lookup(&self.by_short, query)
    }

    fn alias_candidates(&self, query: &str) -> impl Iterator<Item = &usize> {
        Self::lookup(&self.alias_by_short, query)
    }

    fn lookup<'a>(
        map: &'a HashMap<String, Vec<usize>>,
        query: &str,
    ) -> impl Iterator<Item = &'a usize> {
        let stripped = strip_kind(query).filter(|s| *s != query);
        let first = map.get(query).map(Vec::as_slice).unwrap_or_default();
        let second = stripped
            .and_then(|s| map.get(s))
            .map(Vec::as_slice)
            .unwrap_or_default();
        first.iter().chain(second)
    }
}
