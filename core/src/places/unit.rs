//! The records of the table: units in force since 1 July 2025 ([`Unit`]) and the pre-2025 units ([`OldUnit`]).

use serde::Serialize;

use super::{SCHEME_2004, SCHEME_2025, UnitRef};
use crate::gps::LatLon;

/// The level of a unit in the two-level scheme of 2025: there is no district level any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A province or a centrally-run city (34 of them).
    Province,
    /// A ward, commune or special zone (3,321 of them).
    Commune,
}

/// What kind of unit it is; the kind gives the word that prefixes its name ("Phường Ba Đình").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Tỉnh: a province.
    Province,
    /// Thành phố trực thuộc trung ương: a centrally-run city, at province level (Hà Nội, Huế …).
    City,
    /// Phường: an urban ward.
    Ward,
    /// Xã: a rural commune.
    Commune,
    /// Đặc khu: a special zone, the island units (Phú Quốc, Côn Đảo …).
    SpecialZone,
}

impl UnitKind {
    /// The level this kind of unit sits at.
    pub fn level(self) -> Level {
        match self {
            Self::Province | Self::City => Level::Province,
            Self::Ward | Self::Commune | Self::SpecialZone => Level::Commune,
        }
    }

    /// The Vietnamese word written before the name: "Tỉnh", "Thành phố", "Phường", "Xã" or "Đặc khu".
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Province => "Tỉnh",
            Self::City => "Thành phố",
            Self::Ward => "Phường",
            Self::Commune => "Xã",
            Self::SpecialZone => "Đặc khu",
        }
    }

    /// The one- or two-letter tag used for this kind in the embedded data file.
    pub(super) fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "t" => Self::Province,
            "tp" => Self::City,
            "p" => Self::Ward,
            "x" => Self::Commune,
            "d" => Self::SpecialZone,
            _ => return None,
        })
    }
}

/// An administrative unit in force since 1 July 2025 (scheme [`SCHEME_2025`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// The official code: two digits for a province ("01"), five for a commune ("00004").
    pub code: String,
    /// The name without its kind word: "Ba Đình", "Hà Nội".
    pub name: String,
    /// The name with its kind word, as written in addresses: "Phường Ba Đình", "Thành phố Hà Nội".
    pub full_name: String,
    /// Province, city, ward, commune or special zone.
    pub kind: UnitKind,
    /// The code of the province the unit lies in; a province's own code for a province.
    pub province_code: String,
    /// A representative point inside the unit, when the data has one (WGS84, about 10 m precision).
    pub centroid: Option<LatLon>,
    /// The unit's area in km², when the data has it (communes only).
    pub area_km2: Option<f64>,
}

impl Unit {
    /// The unit's level (province or commune).
    pub fn level(&self) -> Level {
        self.kind.level()
    }

    /// A reference to this unit for a record: scheme [`SCHEME_2025`], its code and its full name as of now.
    pub fn to_ref(&self) -> UnitRef {
        UnitRef {
            scheme: SCHEME_2025.to_owned(),
            code: self.code.clone(),
            name: self.full_name.clone(),
        }
    }
}

/// The level of a pre-2025 unit: the old scheme had three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OldLevel {
    /// One of the 63 provinces and centrally-run cities (two-digit code).
    Province,
    /// A district, town or provincial city (three-digit code).
    District,
    /// A ward, commune or township (five-digit code).
    Ward,
}

/// A unit of the pre-2025 scheme ([`SCHEME_2004`]), as listed on 30 June 2025.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OldUnit {
    /// The old code: 2, 3 or 5 digits by level. The same digits may mean another unit in [`SCHEME_2025`].
    pub code: String,
    /// The name with its kind word: "Tỉnh Hà Giang", "Quận Gò Vấp", "Phường 12".
    pub full_name: String,
    /// Province, district or ward.
    pub level: OldLevel,
    /// The code of the old district (for a ward) or old province (for a district); `None` for a province.
    pub parent_code: Option<String>,
    /// Indexes of the units that took over its territory, the primary successor first.
    #[serde(skip)]
    pub(super) successors: Vec<u32>,
}

impl OldUnit {
    /// A reference to this old unit: scheme [`SCHEME_2004`], its old code and full name.
    pub fn to_ref(&self) -> UnitRef {
        UnitRef {
            scheme: SCHEME_2004.to_owned(),
            code: self.code.clone(),
            name: self.full_name.clone(),
        }
    }
}

/// A pre-2025 address given by names, for [`Places::resolve_old_name`](super::Places::resolve_old_name).
///
/// Each part may be written with or without its kind word and diacritics ("Quận Gò Vấp", "go vap"); a part
/// left `None` is not checked. Abbreviations ("Q.", "TP.") are not understood.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OldName<'a> {
    /// The old province or centrally-run city.
    pub province: Option<&'a str>,
    /// The old district, town or provincial city.
    pub district: Option<&'a str>,
    /// The old ward, commune or township.
    pub ward: Option<&'a str>,
}

/// An old ward known only by name (no code survives in the sources), with the units it went to.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OldAlias {
    pub(super) ward: String,
    pub(super) district: String,
    pub(super) province: String,
    pub(super) successors: Vec<u32>,
}
