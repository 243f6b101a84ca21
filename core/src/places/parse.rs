//! Reading the tab-separated table written by `tools/places/build.py` (its header documents the format).
//!
//! The parser checks what the rest of the module relies on — code shapes, unique codes, parents and
//! successors that exist, finite coordinates in range — so that a bad data file is a typed error, never a panic.
//! The 2025 units and the old-scheme lines are parsed separately, so that the embedded table can load the
//! old scheme (three quarters of the file) only when it is first needed.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::search::Key;
use super::unit::{Level, OldAlias, OldLevel, OldUnit, Unit, UnitKind};
use super::{OldTable, Places};
use crate::gps::LatLon;
use crate::{Error, Result};

/// An old-scheme line whose successors are resolved once all new units are known.
struct PendingOld<'a> {
    unit: OldUnit,
    successors: &'a str,
    line: usize,
}

/// The non-comment lines of the table, split into fields, with their line numbers.
fn records(text: &str) -> impl Iterator<Item = Result<(&str, Fields<'_>)>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, line)| {
            let mut f = Fields {
                it: line.split('\t'),
                line: i + 1,
            };
            Ok((f.next("record type")?, f))
        })
}

/// Parses the 2025 units (`P` and `C` lines); the old-scheme lines are only checked for a known type.
pub(super) fn parse_new(text: &str) -> Result<Places> {
    let mut provinces = Vec::new();
    let mut communes = Vec::new();
    for record in records(text) {
        let (tag, mut f) = record?;
        match tag {
            "P" => provinces.push(province(&mut f)?),
            "C" => communes.push(commune(&mut f)?),
            "OP" | "OD" | "OW" | "OA" => continue,
            _ => return Err(invalid(f.line, "unknown record type")),
        }
        f.end()?;
    }
    provinces.sort_by(|a: &Unit, b: &Unit| a.code.cmp(&b.code));
    communes.sort_by(|a: &Unit, b: &Unit| a.code.cmp(&b.code));
    let provinces_len = provinces.len();
    let mut units = provinces;
    units.append(&mut communes);

    let mut by_code = HashMap::with_capacity(units.len());
    for (i, u) in units.iter().enumerate() {
        if by_code.insert(u.code.clone(), index(i)?).is_some() {
            return Err(invalid(0, &format!("duplicate unit code {}", u.code)));
        }
    }
    let mut by_province: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, u) in units.iter().enumerate().skip(provinces_len) {
        let is_province = by_code
            .get(&u.province_code)
            .is_some_and(|&p| (p as usize) < provinces_len);
        if !is_province {
            return Err(invalid(
                0,
                &format!("commune {} names an unknown province", u.code),
            ));
        }
        by_province
            .entry(u.province_code.clone())
            .or_default()
            .push(index(i)?);
    }
    let keys = units.iter().map(Key::new).collect();
    Ok(Places {
        units,
        provinces_len,
        by_code,
        by_province,
        keys,
        old: OnceLock::new(),
        old_text: "",
    })
}

/// Parses the old-scheme lines (`OP`, `OD`, `OW`, `OA`) against the 2025 units already in `places`.
pub(super) fn parse_old(text: &str, places: &Places) -> Result<OldTable> {
    let mut old = Vec::new();
    let mut aliases = Vec::new();
    for record in records(text) {
        let (tag, mut f) = record?;
        match tag {
            "OP" => old.push(old_unit(&mut f, OldLevel::Province)?),
            "OD" => old.push(old_unit(&mut f, OldLevel::District)?),
            "OW" => old.push(old_unit(&mut f, OldLevel::Ward)?),
            "OA" => {
                let (ward, district, province) =
                    (f.next("ward")?, f.next("district")?, f.next("province")?);
                aliases.push((ward, district, province, f.next("successors")?, f.line));
            }
            _ => continue,
        }
        f.end()?;
    }
    let resolve = |list: &str, level: Level, line: usize| -> Result<Vec<u32>> {
        let mut out = Vec::new();
        for code in list.split(',') {
            let i = places
                .by_code
                .get(code)
                .copied()
                .ok_or_else(|| invalid(line, "unknown successor"))?;
            let ok = places
                .units
                .get(i as usize)
                .is_some_and(|u| u.level() == level);
            if !ok || out.contains(&i) {
                return Err(invalid(line, "successor of the wrong level or repeated"));
            }
            out.push(i);
        }
        Ok(out)
    };

    let mut levels = HashMap::with_capacity(old.len());
    for p in &old {
        if levels.insert(p.unit.code.as_str(), p.unit.level).is_some() {
            return Err(invalid(p.line, "duplicate old code"));
        }
    }
    let parents_ok: Vec<bool> = old
        .iter()
        .map(|p| match (p.unit.parent_code.as_deref(), p.unit.level) {
            (None, OldLevel::Province) => true,
            (Some(code), OldLevel::District) => levels.get(code) == Some(&OldLevel::Province),
            (Some(code), OldLevel::Ward) => levels.get(code) == Some(&OldLevel::District),
            _ => false,
        })
        .collect();
    drop(levels);
    let mut units = Vec::with_capacity(old.len());
    for (
        PendingOld {
            mut unit,
            successors,
            line,
        },
        parent_ok,
    ) in old.into_iter().zip(parents_ok)
    {
        if !parent_ok {
            return Err(invalid(line, "unknown parent"));
        }
        let level = if unit.level == OldLevel::Province {
            Level::Province
        } else {
            Level::Commune
        };
        unit.successors = resolve(successors, level, line)?;
        units.push(unit);
    }
    units.sort_by(|a, b| a.code.cmp(&b.code));
    let by_code = units
        .iter()
        .enumerate()
        .map(|(i, u)| Ok((u.code.clone(), index(i)?)))
        .collect::<Result<_>>()?;
    let aliases = aliases
        .into_iter()
        .map(|(ward, district, province, list, line)| {
            Ok(OldAlias {
                ward: ward.to_owned(),
                district: district.to_owned(),
                province: province.to_owned(),
                successors: resolve(list, Level::Commune, line)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(OldTable {
        units,
        by_code,
        aliases,
        index: OnceLock::new(),
    })
}

fn province(f: &mut Fields<'_>) -> Result<Unit> {
    let code = f.code(2)?;
    let name = f.name()?;
    let kind = f.kind(Level::Province)?;
    let centroid = f.centroid()?;
    Ok(Unit {
        code: code.to_owned(),
        full_name: format!("{} {name}", kind.prefix()),
        name: name.to_owned(),
        kind,
        province_code: code.to_owned(),
        centroid,
        area_km2: None,
    })
}

fn commune(f: &mut Fields<'_>) -> Result<Unit> {
    let code = f.code(5)?;
    let name = f.name()?;
    let kind = f.kind(Level::Commune)?;
    let province_code = f.code(2)?;
    let centroid = f.centroid()?;
    let area_km2 = f.number("area", 0.0, 1.0e6)?;
    Ok(Unit {
        code: code.to_owned(),
        full_name: format!("{} {name}", kind.prefix()),
        name: name.to_owned(),
        kind,
        province_code: province_code.to_owned(),
        centroid,
        area_km2,
    })
}

fn old_unit<'a>(f: &mut Fields<'a>, level: OldLevel) -> Result<PendingOld<'a>> {
    let code = f.code(match level {
        OldLevel::Province => 2,
        OldLevel::District => 3,
        OldLevel::Ward => 5,
    })?;
    let full_name = f.name()?;
    let parent_code = match level {
        OldLevel::Province => None,
        OldLevel::District => Some(f.code(2)?.to_owned()),
        OldLevel::Ward => Some(f.code(3)?.to_owned()),
    };
    let unit = OldUnit {
        code: code.to_owned(),
        full_name: full_name.to_owned(),
        level,
        parent_code,
        successors: Vec::new(),
    };
    Ok(PendingOld {
        unit,
        successors: f.next("successors")?,
        line: f.line,
    })
}

/// The fields of one line, with the line number for errors.
struct Fields<'a> {
    it: std::str::Split<'a, char>,
    line: usize,
}

impl<'a> Fields<'a> {
    fn next(&mut self, what: &str) -> Result<&'a str> {
        self.it
            .next()
            .ok_or_else(|| invalid(self.line, &format!("missing {what}")))
    }

    fn end(&mut self) -> Result<()> {
        match self.it.next() {
            None => Ok(()),
            Some(_) => Err(invalid(self.line, "too many fields")),
        }
    }

    fn code(&mut self, len: usize) -> Result<&'a str> {
        let code = self.next("code")?;
        if code.len() == len && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(code)
        } else {
            Err(invalid(self.line, &format!("a code must be {len} digits")))
        }
    }

    fn name(&mut self) -> Result<&'a str> {
        let name = self.next("name")?;
        if name.trim().is_empty() || name.trim() != name {
            return Err(invalid(self.line, "empty or untrimmed name"));
        }
        Ok(name)
    }

    fn kind(&mut self, level: Level) -> Result<UnitKind> {
        UnitKind::from_tag(self.next("kind")?)
            .filter(|k| k.level() == level)
            .ok_or_else(|| invalid(self.line, "unknown kind for this level"))
    }

    fn number(&mut self, what: &str, min: f64, max: f64) -> Result<Option<f64>> {
        let s = self.next(what)?;
        if s.is_empty() {
            return Ok(None);
        }
        match s.parse::<f64>() {
            Ok(x) if x.is_finite() && (min..=max).contains(&x) => Ok(Some(x)),
            _ => Err(invalid(self.line, &format!("bad {what}"))),
        }
    }

    fn centroid(&mut self) -> Result<Option<LatLon>> {
        let lat = self.number("latitude", -90.0, 90.0)?;
        let lon = self.number("longitude", -180.0, 180.0)?;
        match (lat, lon) {
            (Some(lat), Some(lon)) => Ok(Some(LatLon { lat, lon })),
            (None, None) => Ok(None),
            _ => Err(invalid(self.line, "latitude without longitude")),
        }
    }
}

fn index(i: usize) -> Result<u32> {
    u32::try_from(i).map_err(|_| invalid(0, "too many units"))
}

fn invalid(line: usize, reason: &str) -> Error {
    Error::Invalid {
        field: "places data".to_owned(),
        reason: format!("line {line}: {reason}"),
    }
}
