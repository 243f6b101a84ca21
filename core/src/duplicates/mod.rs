//! Duplicate producers: the same cooperative registered twice, by two people or twice by one.
//!
//! Two officers offline in the same week will both register "HTX Chè Đồng Tâm" — one as "Hợp tác xã chè Đồng
//! Tâm", with the chair's mobile number, the other as "HTX Chè Đồng Tâm" with the office landline. Sync keeps both
//! (they are different documents); this module finds such pairs and says why it thinks so, and a supervisor merges
//! them ([`crate::store::Store::merge_producers`]).
//!
//! ## Evidence and score
//!
//! A pair's score (0–1) adds up evidence, each piece listed as a [`Reason`] with Vietnamese and English text:
//!
//! | evidence | weight |
//! |---|---|
//! | name similarity of the cores ([`names`]: folded, abbreviations expanded, legal form set aside) | up to 0.6 |
//! | same phone number (normalised national form) | +0.3 |
//! | same registration number | +0.3 |
//! | same representative name (folded) | +0.1 |
//! | same commune | +0.1 |
//! | registered points within 200 m / 1 km | +0.15 / +0.08 |
//! | registered points more than 20 km apart | −0.3 |
//! | different legal forms named ("hợp tác xã" vs "tổ hợp tác") | −0.1 |
//!
//! The default threshold is 0.6: the same name in the same commune is enough; a similar name needs one more
//! piece of evidence; a shared phone alone is not enough (families share phones across a cooperative and a
//! household business).
//!
//! ## Blocking, not all pairs
//!
//! Comparing every pair of 10,000 producers is 50 million comparisons. Pairs are only formed inside **blocks**:
//! producers of the same province that share a commune, a phone number, a registration number, or a pair of
//! adjacent core words ("dong tam") — real duplicates almost always share one of these. Oversized word blocks
//! (a word pair shared by hundreds of producers says little) are skipped. See `core/benches/duplicates.rs` for
//! the figures at 10,000 producers.

pub mod names;

use std::collections::{HashMap, HashSet};

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::gps::{LatLon, distance_m};
use crate::ids::RecordId;
use crate::store::{ProducerSummary, Store};
use crate::text::fold;
use names::{NameKey, name_similarity};

/// Word-pair blocks larger than this are skipped (they are generic: "che thai", "hop tac").
const MAX_WORD_BLOCK: usize = 60;

/// Which producers to look at, and how strict to be.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DuplicateFilter {
    /// Only this province (2025 code).
    pub province_code: Option<String>,
    /// Only pairs with at least one producer in this commune.
    pub commune_code: Option<String>,
    /// Only pairs involving this producer.
    pub producer_id: Option<RecordId>,
    /// Lowest score listed (default 0.6).
    pub min_score: f64,
    /// At most this many pairs, best first (0 = 200).
    pub limit: usize,
}

impl Default for DuplicateFilter {
    fn default() -> Self {
        Self {
            province_code: None,
            commune_code: None,
            producer_id: None,
            min_score: 0.6,
            limit: 0,
        }
    }
}

/// One piece of evidence that two producers are the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The names are the same once diacritics, case and abbreviations are set aside.
    SameName,
    /// The names are alike.
    SimilarName {
        /// Similarity 0–1.
        similarity: f64,
    },
    /// The same phone number.
    SamePhone,
    /// The same registration number.
    SameRegistrationNo,
    /// The same representative.
    SameRepresentative,
    /// Registered in the same commune.
    SameCommune,
    /// Registered points close together.
    Near {
        /// Distance in metres.
        metres: f64,
    },
    /// Registered points far apart (evidence against).
    Far {
        /// Distance in kilometres.
        km: f64,
    },
    /// The names state different legal forms (evidence against).
    DifferentLegalForm,
}

impl Reason {
    /// The reason in Vietnamese, for supervisors.
    pub fn text_vi(&self) -> String {
        match self {
            Reason::SameName => "Trùng tên (sau khi bỏ dấu, chữ hoa và viết tắt)".into(),
            Reason::SimilarName { similarity } => {
                format!("Tên gần giống ({:.0}%)", similarity * 100.0)
            }
            Reason::SamePhone => "Trùng số điện thoại".into(),
            Reason::SameRegistrationNo => "Trùng số đăng ký kinh doanh".into(),
            Reason::SameRepresentative => "Trùng người đại diện".into(),
            Reason::SameCommune => "Cùng xã".into(),
            Reason::Near { metres } => format!("Vị trí cách nhau {metres:.0} m"),
            Reason::Far { km } => format!("Vị trí cách nhau {km:.1} km"),
            Reason::DifferentLegalForm => "Loại hình khác nhau".into(),
        }
    }

    /// The reason in English.
    pub fn text_en(&self) -> String {
        match self {
            Reason::SameName => "Same name (ignoring diacritics, case and abbreviations)".into(),
            Reason::SimilarName { similarity } => {
                format!("Similar names ({:.0}%)", similarity * 100.0)
            }
            Reason::SamePhone => "Same phone number".into(),
            Reason::SameRegistrationNo => "Same registration number".into(),
            Reason::SameRepresentative => "Same representative".into(),
            Reason::SameCommune => "Same commune".into(),
            Reason::Near { metres } => format!("Registered {metres:.0} m apart"),
            Reason::Far { km } => format!("Registered {km:.1} km apart"),
            Reason::DifferentLegalForm => "Different legal forms".into(),
        }
    }

    /// True for evidence against the pair being one producer.
    pub fn is_against(&self) -> bool {
        matches!(self, Reason::Far { .. } | Reason::DifferentLegalForm)
    }
}

/// Two producers that are probably one, with the score and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicatePair {
    /// The older registration (by id, which is time-ordered): the natural one to keep.
    pub a: ProducerSummary,
    /// The newer registration.
    pub b: ProducerSummary,
    /// 0–1; higher is more likely the same producer.
    pub score: f64,
    /// The evidence, for and against.
    pub reasons: Vec<Reason>,
}

/// What the comparison needs of a producer (read from the producers projection).
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The producer as listed.
    pub summary: ProducerSummary,
    /// Registration number, when recorded.
    pub registration_no: Option<String>,
    key: NameKey,
    representative: String,
}

impl Candidate {
    /// Prepares a producer for comparison.
    pub fn new(summary: ProducerSummary, name: &str, registration_no: Option<String>) -> Self {
        let representative = fold(&summary.representative);
        Self {
            key: NameKey::new(name),
            registration_no: registration_no
                .map(|r| fold(&r).replace(|c: char| !c.is_alphanumeric(), ""))
                .filter(|r| !r.is_empty()),
            representative,
            summary,
        }
    }

    fn point(&self) -> Option<LatLon> {
        match (self.summary.lat, self.summary.lon) {
            (Some(lat), Some(lon)) => Some(LatLon::new(lat, lon)),
            _ => None,
        }
    }
}

/// Compares two producers: the score and the evidence.
pub fn compare(a: &Candidate, b: &Candidate) -> (f64, Vec<Reason>) {
    let mut reasons = Vec::new();
    let sim = name_similarity(&a.key, &b.key);
    let mut score = 0.6 * sim;
    if sim >= 0.999 {
        reasons.push(Reason::SameName);
    } else if sim >= 0.5 {
        reasons.push(Reason::SimilarName {
            similarity: (sim * 100.0).round() / 100.0,
        });
    }
    if a.summary.phone.is_some() && a.summary.phone == b.summary.phone {
        score += 0.3;
        reasons.push(Reason::SamePhone);
    }
    if a.registration_no.is_some() && a.registration_no == b.registration_no {
        score += 0.3;
        reasons.push(Reason::SameRegistrationNo);
    }
    if !a.representative.is_empty() && a.representative == b.representative {
        score += 0.1;
        reasons.push(Reason::SameRepresentative);
    }
    if a.summary.commune_code == b.summary.commune_code {
        score += 0.1;
        reasons.push(Reason::SameCommune);
    }
    if let (Some(pa), Some(pb)) = (a.point(), b.point()) {
        let d = distance_m(pa, pb);
        if d <= 200.0 {
            score += 0.15;
            reasons.push(Reason::Near {
                metres: d.round(),
            });
        } else if d <= 1000.0 {
            score += 0.08;
            reasons.push(Reason::Near {
                metres: d.round(),
            });
        } else if d > 20_000.0 {
            score -= 0.3;
            reasons.push(Reason::Far {
                km: (d / 100.0).round() / 10.0,
            });
        }
    }
    if !a.key.legal_form.is_empty()
        && !b.key.legal_form.is_empty()
        && a.key.legal_form != b.key.legal_form
    {
        score -= 0.1;
        reasons.push(Reason::DifferentLegalForm);
    }
    (score.clamp(0.0, 1.0), reasons)
}

/// Finds the likely duplicate pairs among `candidates` (see the module docs for blocking and scoring). Pairs are
/// sorted best first, then by the ids; at most `filter.limit` are returned.
pub fn find_duplicates(candidates: &[Candidate], filter: &DuplicateFilter) -> Vec<DuplicatePair> {
    find_with_stats(candidates, filter).0
}

fn find_with_stats(
    candidates: &[Candidate],
    filter: &DuplicateFilter,
) -> (Vec<DuplicatePair>, usize) {
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        let province = &c.summary.province_code;
        let mut keys = vec![format!("c|{}", c.summary.commune_code)];
        if let Some(phone) = &c.summary.phone {
            keys.push(format!("p|{province}|{phone}"));
        }
        if let Some(reg) = &c.registration_no {
            keys.push(format!("r|{province}|{reg}"));
        }
        if c.key.tokens.len() == 1 {
            keys.push(format!("w|{province}|{}", c.key.tokens[0]));
        }
        for pair in c.key.tokens.windows(2) {
            keys.push(format!("w|{province}|{} {}", pair[0], pair[1]));
        }
        keys.sort();
        keys.dedup();
        for k in keys {
            blocks.entry(k).or_default().push(i);
        }
    }
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut out = Vec::new();
    let mut keys: Vec<&String> = blocks.keys().collect();
    keys.sort();
    for key in keys {
        let members = &blocks[key];
        if key.starts_with("w|") && members.len() > MAX_WORD_BLOCK {
            continue;
        }
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                let pair = (i.min(j), i.max(j));
                if !seen.insert(pair) {
                    continue;
                }
                let (ci, cj) = (&candidates[pair.0], &candidates[pair.1]);
                if !wanted(ci, cj, filter) {
                    continue;
                }
                let (score, reasons) = compare(ci, cj);
                if score + 1e-9 < filter.min_score {
                    continue;
                }
                let (a, b) = if ci.summary.id <= cj.summary.id {
                    (ci, cj)
                } else {
                    (cj, ci)
                };
                out.push(DuplicatePair {
                    a: a.summary.clone(),
                    b: b.summary.clone(),
                    score: (score * 1000.0).round() / 1000.0,
                    reasons,
                });
            }
        }
    }
    out.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.id.cmp(&y.a.id))
            .then(x.b.id.cmp(&y.b.id))
    });
    out.truncate(if filter.limit == 0 { 200 } else { filter.limit });
    (out, seen.len())
}

fn wanted(a: &Candidate, b: &Candidate, f: &DuplicateFilter) -> bool {
    let in_commune = |c: &Candidate| {
        f.commune_code
            .as_ref()
            .is_none_or(|code| c.summary.commune_code == *code)
    };
    let is_producer = |c: &Candidate| f.producer_id.is_none_or(|id| c.summary.id == id);
    a.summary.province_code == b.summary.province_code
        && (in_commune(a) || in_commune(b))
        && (is_producer(a) || is_producer(b))
}

impl Store {
    /// Likely duplicate producers among the active ones (merged and archived producers are left out), best first.
    pub fn duplicate_candidates(&self, filter: &DuplicateFilter) -> Result<Vec<DuplicatePair>> {
        let candidates = self.duplicate_candidates_input(filter.province_code.as_deref())?;
        Ok(find_duplicates(&candidates, filter))
    }

    /// The active producers (of one province, or all), prepared for [`find_duplicates`].
    pub fn duplicate_candidates_input(&self, province: Option<&str>) -> Result<Vec<Candidate>> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, name, owner_kind, representative, phone, province_code, commune_code, commune_name,
                        women_owned, women_led, status, merged_into, lat, lon, updated_at, registration_no
                 FROM producers WHERE status = 'active' AND (?1 IS NULL OR province_code = ?1)
                 ORDER BY id",
            )?;
            let rows = stmt.query_map(params![province], |r| {
                let id: String = r.get(0)?;
                let merged: Option<String> = r.get(11)?;
                Ok((
                    id,
                    merged,
                    ProducerSummary {
                        id: RecordId::default(),
                        name: r.get(1)?,
                        owner_kind: r.get(2)?,
                        representative: r.get(3)?,
                        phone: r.get(4)?,
                        province_code: r.get(5)?,
                        commune_code: r.get(6)?,
                        commune_name: r.get(7)?,
                        women_owned: r.get(8)?,
                        women_led: r.get(9)?,
                        status: r.get(10)?,
                        merged_into: None,
                        lat: r.get(12)?,
                        lon: r.get(13)?,
                        updated_at: r.get(14)?,
                    },
                    r.get::<_, Option<String>>(15)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, merged, mut summary, reg) = row?;
                summary.id = id.parse()?;
                summary.merged_into = merged.map(|m| m.parse()).transpose()?;
                let name = summary.name.clone();
                out.push(Candidate::new(summary, &name, reg));
            }
            Ok(out)
        })
    }
}

/// How many pairs [`find_duplicates`] compares for `candidates` (every pair inside a block, once), against the
/// `n·(n−1)/2` of comparing all pairs — for benchmarks and tests of the blocking.
pub fn comparisons(candidates: &[Candidate]) -> usize {
    let filter = DuplicateFilter {
        min_score: 2.0,
        ..Default::default()
    };
    find_with_stats(candidates, &filter).1
}
