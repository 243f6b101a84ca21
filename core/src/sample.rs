//! Realistic sample data for the demo, benchmarks and tests: Vietnamese producers, products and survey answers
//! placed in real communes, generated deterministically from a seed.
//!
//! Nothing here is used by capture itself; it exists so that `ocop demo`, the benchmarks and the tests exercise the
//! same code paths with data that looks like the field (names with diacritics, phone numbers in the formats people
//! type, GPS fixes near the commune's centroid).

use std::collections::BTreeMap;

use crate::forms::{Answer, Form, QuestionKind};
use crate::gps::{GpsFix, GpsProvider, LatLon};
use crate::ids::{Date, Millis};
use crate::places::{Places, Unit};
use crate::records::{EcommerceListing, Gender, OcopStage, OcopStatus, OwnerKind, Person};
use crate::store::{NewProducer, NewProduct};

/// A small deterministic generator (xorshift), so samples are the same on every run with the same seed.
#[derive(Debug, Clone)]
pub struct Sampler {
    state: u64,
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE_F: &[&str] = &["Thị", "Thị Thu", "Thị Minh", "Ngọc", "Thị Thanh", "Thị Kim"];
const MIDDLE_M: &[&str] = &["Văn", "Đức", "Minh", "Quang", "Hữu", "Công"];
const GIVEN_F: &[&str] = &[
    "Hoa",
    "Lan",
    "Hương",
    "Mai",
    "Hạnh",
    "Nga",
    "Thảo",
    "Yến",
    "Dung",
    "Loan",
    "Nhung",
    "Phượng",
];
const GIVEN_M: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hùng", "Khánh", "Long", "Nam", "Phong", "Sơn", "Tuấn", "Việt",
];
const PRODUCTS: &[(&str, &str)] = &[
    ("Chè búp", "food"),
    ("Miến dong", "food"),
    ("Mật ong rừng", "food"),
    ("Gạo nếp cái hoa vàng", "food"),
    ("Nước mắm truyền thống", "food"),
    ("Bánh chưng", "food"),
    ("Rượu ngô men lá", "beverage"),
    ("Trà hoa vàng", "beverage"),
    ("Cao dược liệu", "medicinal"),
    ("Tinh dầu quế", "medicinal"),
    ("Gốm men lam", "handicraft"),
    ("Mây tre đan", "handicraft"),
    ("Lụa tơ tằm", "handicraft"),
    ("Lan hồ điệp", "ornamental"),
    ("Homestay bản làng", "tourism"),
];
const KINDS: &[(OwnerKind, &str)] = &[
    (OwnerKind::Cooperative, "Hợp tác xã"),
    (OwnerKind::CooperativeGroup, "Tổ hợp tác"),
    (OwnerKind::Enterprise, "Công ty TNHH"),
    (OwnerKind::HouseholdBusiness, "Hộ kinh doanh"),
];
const PLATFORMS: &[&str] = &["shopee", "lazada", "tiktok_shop", "postmart", "voso"];

impl Sampler {
    /// A sampler seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// One item of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() % 10_000) as f64 / 10_000.0 < p
    }

    /// A Vietnamese person's name and gender.
    pub fn person(&mut self) -> (String, Gender) {
        let female = self.chance(0.55);
        let family = *self.pick(FAMILY);
        let (middle, given) = if female {
            (*self.pick(MIDDLE_F), *self.pick(GIVEN_F))
        } else {
            (*self.pick(MIDDLE_M), *self.pick(GIVEN_M))
        };
        (
            format!("{family} {middle} {given}"),
            if female { Gender::Female } else { Gender::Male },
        )
    }

    /// A mobile number in one of the ways people type them.
    pub fn phone(&mut self) -> String {
        let prefix = *self.pick(&[
            "091", "098", "097", "086", "035", "038", "077", "083", "088", "094",
        ]);
        let rest = self.next_u64() % 10_000_000;
        let digits = format!("{prefix}{rest:07}");
        match self.below(3) {
            0 => digits,
            1 => format!("{} {} {}", &digits[..4], &digits[4..7], &digits[7..]),
            _ => format!("+84 {}", &digits[1..]),
        }
    }

    /// A point near a unit's centroid (within about `radius_m`).
    pub fn near(&mut self, unit: &Unit, radius_m: f64) -> LatLon {
        let c = unit.centroid.unwrap_or(LatLon {
            lat: 21.0285,
            lon: 105.8542,
        });
        let dlat = (self.below(2001) as f64 / 1000.0 - 1.0) * radius_m / 111_000.0;
        let dlon = (self.below(2001) as f64 / 1000.0 - 1.0) * radius_m
            / (111_000.0 * c.lat.to_radians().cos());
        LatLon {
            lat: c.lat + dlat,
            lon: c.lon + dlon,
        }
    }

    /// A GNSS fix near a unit, taken at `time`.
    pub fn fix_near(&mut self, unit: &Unit, time: Millis) -> GpsFix {
        let p = self.near(unit, 800.0);
        GpsFix {
            lat: p.lat,
            lon: p.lon,
            accuracy_m: Some(3.0 + self.below(25) as f64),
            altitude_m: Some(20.0 + self.below(400) as f64),
            time,
            provider: GpsProvider::Gnss,
            mock: false,
        }
    }

    /// A producer registration in `commune`.
    pub fn producer(&mut self, commune: &Unit) -> NewProducer {
        let (kind, prefix) = *self.pick(KINDS);
        let (product, _) = *self.pick(PRODUCTS);
        let (rep, gender) = self.person();
        let members = 5 + self.below(60) as u32;
        let women = self.below(members as usize + 1) as u32;
        let name = format!("{prefix} {product} {}", commune.name);
        let location = self.fix_near(commune, crate::ids::now_millis() - 3_600_000);
        NewProducer {
            owner_kind: kind,
            name,
            registration_no: self
                .chance(0.7)
                .then(|| format!("{:010}", self.next_u64() % 10_000_000_000)),
            representative: Person {
                name: rep,
                gender,
                position: Some(if matches!(kind, OwnerKind::Cooperative) {
                    "Giám đốc HTX".into()
                } else {
                    "Chủ cơ sở".into()
                }),
            },
            phone: Some(self.phone()),
            commune_code: commune.code.clone(),
            hamlet: format!("Thôn {}", 1 + self.below(12)),
            street: String::new(),
            location: Some(location),
            members: Some(members),
            women_members: Some(women),
            women_owned: Some(gender == Gender::Female || women * 2 > members),
            women_led: None,
        }
    }

    /// A product of `producer`, sometimes already certified.
    pub fn product(&mut self, producer: crate::ids::RecordId, commune: &Unit) -> NewProduct {
        let (name, group) = *self.pick(PRODUCTS);
        let stage = *self.pick(&[
            OcopStage::Candidate,
            OcopStage::Registered,
            OcopStage::ThreeStar,
            OcopStage::ThreeStar,
            OcopStage::FourStar,
            OcopStage::PotentialFiveStar,
        ]);
        let ocop = match stage {
            OcopStage::ThreeStar | OcopStage::FourStar | OcopStage::PotentialFiveStar => {
                let score = match stage {
                    OcopStage::ThreeStar => 50 + self.below(20),
                    OcopStage::FourStar => 70 + self.below(20),
                    _ => 90 + self.below(8),
                } as f64;
                let issued = Date::parse(&format!(
                    "20{}-{:02}-{:02}",
                    22 + self.below(3),
                    1 + self.below(12),
                    1 + self.below(28)
                ))
                .ok();
                Some(OcopStatus {
                    stage,
                    score: Some(score),
                    criteria: None,
                    certificate_no: Some(format!("{}/QĐ-UBND", 100 + self.below(900))),
                    issued,
                    expires: None,
                    authority: Some("UBND tỉnh".into()),
                })
            }
            _ => Some(OcopStatus {
                stage,
                ..OcopStatus::candidate()
            }),
        };
        let mut ecommerce = BTreeMap::new();
        for p in PLATFORMS {
            if self.chance(0.25) {
                ecommerce.insert((*p).to_string(), EcommerceListing { url: None });
            }
        }
        NewProduct {
            producer,
            name: format!("{name} {}", commune.name),
            group: group.into(),
            subgroup: None,
            description: format!("Sản phẩm {} của địa phương", name.to_lowercase()),
            raw_material_zone: None,
            packaging: Some("Hộp giấy kraft".into()),
            trademark: None,
            traceability_stamp: self.chance(0.5),
            certifications: BTreeMap::new(),
            ecommerce,
            ocop,
        }
    }

    /// Up to `n` valid answers to `form`, one per question in form order (photo questions left out: they need an
    /// imported photo). Answers satisfy each question's type, choices and bounds.
    pub fn answers(&mut self, form: &Form, commune: &Unit, n: usize) -> Vec<(String, Answer)> {
        let mut out = Vec::new();
        for q in &form.questions {
            if out.len() >= n {
                break;
            }
            let bound_i = |b: &Option<crate::forms::Bound>| match b {
                Some(crate::forms::Bound::Integer(i)) => Some(*i),
                Some(crate::forms::Bound::Decimal(d)) => Some(*d as i64),
                _ => None,
            };
            let answer = match q.kind {
                QuestionKind::Text => {
                    Answer::Text(format!("Trả lời {} — {}", q.id, self.person().0))
                }
                QuestionKind::Integer => {
                    let lo = bound_i(&q.min).unwrap_or(0);
                    let hi = bound_i(&q.max).unwrap_or(lo + 100).min(lo + 1000);
                    Answer::Integer(lo + (self.next_u64() % (hi - lo + 1).max(1) as u64) as i64)
                }
                QuestionKind::Decimal => {
                    let lo = bound_i(&q.min).unwrap_or(0) as f64;
                    Answer::Decimal(lo + self.below(1000) as f64 / 10.0)
                }
                QuestionKind::Date => match (&q.min, &q.max) {
                    (Some(crate::forms::Bound::Date(d)), _) => Answer::Date(*d),
                    _ => Answer::Date(Date::today_vn()),
                },
                QuestionKind::SelectOne => {
                    if q.choices.is_empty() {
                        continue;
                    }
                    Answer::SelectOne(self.pick(&q.choices).value.clone())
                }
                QuestionKind::SelectMultiple => {
                    let c: Vec<String> = q
                        .choices
                        .iter()
                        .filter(|c| !c.exclusive)
                        .take(2)
                        .map(|c| c.value.clone())
                        .collect();
                    if c.is_empty() {
                        continue;
                    }
                    Answer::SelectMultiple(c)
                }
                QuestionKind::Geopoint => {
                    Answer::GeoPoint(self.fix_near(commune, crate::ids::now_millis() - 60_000))
                }
                QuestionKind::Geoshape => {
                    let c = self.near(commune, 300.0);
                    Answer::GeoShape(vec![
                        LatLon {
                            lat: c.lat,
                            lon: c.lon,
                        },
                        LatLon {
                            lat: c.lat + 0.002,
                            lon: c.lon,
                        },
                        LatLon {
                            lat: c.lat + 0.002,
                            lon: c.lon + 0.002,
                        },
                        LatLon {
                            lat: c.lat,
                            lon: c.lon + 0.002,
                        },
                    ])
                }
                QuestionKind::Phone => Answer::Phone(self.phone()),
                QuestionKind::Photo => continue,
            };
            out.push((q.id.clone(), answer));
        }
        out
    }
}

/// Communes of a province (2025 code), in code order; empty for an unknown province.
pub fn communes_of(province: &str) -> Vec<&'static Unit> {
    Places::embedded().communes_of(province)
}
