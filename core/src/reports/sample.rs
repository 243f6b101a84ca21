//! A generated province with known OCOP figures, for tests and demonstrations of the report and its exports.
//!
//! [`generate_province`] writes, through the ordinary capture API, exactly the certified products a
//! [`ProvincePlan`] asks for (by class, women-owned, on e-commerce, certificates expiring and expired), plus noise
//! that must *not* be counted: candidate, registered and non-certified products (some of women-owned producers),
//! certified products in another province, and draft visits. It returns the tallies it wrote
//! ([`ProvinceTally`]), kept independently of the report code, so a test can compare the two.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::forms::FormRegistry;
use crate::gps::LatLon;
use crate::identity::Author;
use crate::ids::{Date, RecordId, now_millis};
use crate::records::{EcommerceListing, OcopStage, OcopStatus};
use crate::sample::{Sampler, communes_of};
use crate::store::{NewVisit, Store, VisitCapture};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvincePlan {
    /// The province (2025 code).
    pub province: String,
    /// Another province for certified products that must not be counted in `province`.
    pub other_province: String,
    /// 3★ products.
    pub three_star: u32,
    /// 4★ products.
    pub four_star: u32,
    /// 5★ products.
    pub five_star: u32,
    /// Potential 5★ products.
    pub potential_five_star: u32,
    /// How many of the certified products belong to women-owned producers.
    pub women_owned: u32,
    /// How many certificates expire within 90 days of `as_of`.
    pub expiring: u32,
    /// How many certificates have already expired on `as_of`.
    pub expired: u32,
    /// How many submitted visits (pending review); as many drafts are written too.
    pub submitted_visits: u32,
    /// The report date the expiry dates are placed around.
    pub as_of: Date,
    /// Seed for names and positions.
    pub seed: u64,
}

impl ProvincePlan {
    /// The example of issue 5: 184 certified products — 137 at 3★, 38 at 4★, 3 at 5★, 6 potential 5★ — 61 of
    /// them women-owned, in Thái Nguyên (province 19), with Hà Nội (01) as the other province.
    pub fn issue_example(as_of: Date) -> Self {
        Self {
            province: "19".into(),
            other_province: "01".into(),
            three_star: 137,
            four_star: 38,
            five_star: 3,
            potential_five_star: 6,
            women_owned: 61,
            expiring: 12,
            expired: 2,
            submitted_visits: 5,
            as_of,
            seed: 2025,
        }
    }
}

/// What [`generate_province`] wrote in the plan's province.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvinceTally {
    /// Certified products by group code: `[3★, 4★, 5★, potential 5★]`.
    pub by_group: BTreeMap<String, [u32; 4]>,
    /// Certified products by commune code: `[3★, 4★, 5★, potential 5★]`.
    pub by_commune: BTreeMap<String, [u32; 4]>,
    /// Women-owned certified products by commune code.
    pub women_by_commune: BTreeMap<String, u32>,
    /// Certified products on at least one platform.
    pub on_ecommerce: u32,
    /// Certified products by platform.
    pub by_platform: BTreeMap<String, u32>,
    /// Candidate and registered products.
    pub candidates: u32,
    /// Producers written (with a registered point).
    pub producers: u32,
    /// Visits written (each with a GPS fix).
    pub visits: u32,
    /// Products with a raw-material zone.
    pub zones: u32,
    /// The submitted visits.
    pub submitted: Vec<RecordId>,
}

const GROUPS: &[&str] = &["food", "beverage", "medicinal", "handicraft"];
const FORM: &str = "ocop_producer_product_survey";

fn slot(stage: OcopStage) -> usize {
    match stage {
        OcopStage::FourStar => 1,
        OcopStage::FiveStar => 2,
        OcopStage::PotentialFiveStar => 3,
        _ => 0,
    }
}

/// Writes the plan into `store` as `author`; returns what it wrote in the plan's province.
pub fn generate_province(store: &Store, author: &Author, plan: &ProvincePlan) -> Result<ProvinceTally> {
    let communes = communes_of(&plan.province);
    let others = communes_of(&plan.other_province);
    if communes.len() < 6 || others.is_empty() {
        return Err(Error::Invalid {
            field: "province".into(),
            reason: "needs a province with at least six communes and another province".into(),
        });
    }
    let communes = &communes[..6];
    let mut s = Sampler::new(plan.seed);
    let mut tally = ProvinceTally::default();
    let mut stages = Vec::new();
    for (n, stage) in [
        (plan.three_star, OcopStage::ThreeStar),
        (plan.four_star, OcopStage::FourStar),
        (plan.five_star, OcopStage::FiveStar),
        (plan.potential_five_star, OcopStage::PotentialFiveStar),
    ] {
        stages.extend(std::iter::repeat_n(stage, n as usize));
    }
    let total = stages.len() as u32;
    if plan.women_owned > total || plan.expiring + plan.expired > total {
        return Err(Error::Invalid {
            field: "plan".into(),
            reason: "more women-owned or expiring products than certified products".into(),
        });
    }
    // Spread women-owned producers evenly over the list (not the first N, which would all be 3★).
    let women_at = |i: u32| -> bool {
        (u64::from(i + 1) * u64::from(plan.women_owned) / u64::from(total.max(1)))
            > (u64::from(i) * u64::from(plan.women_owned) / u64::from(total.max(1)))
    };
    let mut certified_producers = Vec::new();
    for (i, stage) in stages.iter().enumerate() {
        let i = i as u32;
        let commune = communes[i as usize % communes.len()];
        let women = women_at(i);
        let mut np = s.producer(commune);
        np.women_owned = Some(women);
        let producer = store.create_producer(author, np)?;
        tally.producers += 1;
        let group = GROUPS[i as usize % GROUPS.len()];
        let expires = if i < plan.expiring {
            Date(plan.as_of.0 + chrono::Days::new(u64::from(1 + (i * 7) % 90)))
        } else if i < plan.expiring + plan.expired {
            Date(plan.as_of.0 - chrono::Days::new(u64::from(10 + i)))
        } else {
            Date(plan.as_of.0 + chrono::Days::new(u64::from(120 + i * 3)))
        };
        let issued = Date(
            expires
                .0
                .checked_sub_months(chrono::Months::new(36))
                .unwrap_or(expires.0),
        );
        let mut np = s.product(producer.id, commune);
        np.group = group.into();
        np.subgroup = None;
        np.ocop = Some(OcopStatus {
            stage: *stage,
            score: None,
            criteria: None,
            certificate_no: Some(format!("{}/QĐ-UBND-{:03}", 2000 + i, i)),
            issued: Some(issued),
            expires: Some(expires),
            authority: Some("UBND tỉnh".into()),
        });
        np.ecommerce = BTreeMap::new();
        if i.is_multiple_of(4) {
            np.ecommerce.insert("shopee".into(), EcommerceListing { url: None });
        }
        if i.is_multiple_of(10) {
            np.ecommerce.insert("postmart".into(), EcommerceListing { url: None });
        }
        np.raw_material_zone = i.is_multiple_of(9).then(|| {
            let c = s.near(commune, 500.0);
            vec![
                c,
                LatLon::new(c.lat + 0.002, c.lon),
                LatLon::new(c.lat + 0.002, c.lon + 0.003),
                LatLon::new(c.lat, c.lon + 0.003),
            ]
        });
        if np.raw_material_zone.is_some() {
            tally.zones += 1;
        }
        if !np.ecommerce.is_empty() {
            tally.on_ecommerce += 1;
        }
        for k in np.ecommerce.keys() {
            *tally.by_platform.entry(k.clone()).or_default() += 1;
        }
        store.create_product(author, np)?;
        tally.by_group.entry(group.into()).or_default()[slot(*stage)] += 1;
        tally.by_commune.entry(commune.code.clone()).or_default()[slot(*stage)] += 1;
        if women {
            *tally.women_by_commune.entry(commune.code.clone()).or_default() += 1;
        }
        certified_producers.push((producer.id, commune));
    }
    // Noise in the province: products not certified, some of women-owned producers.
    for (i, stage) in [
        OcopStage::Candidate,
        OcopStage::Registered,
        OcopStage::NotCertified,
        OcopStage::Candidate,
        OcopStage::Registered,
    ]
    .into_iter()
    .enumerate()
    {
        let commune = communes[i % communes.len()];
        let mut np = s.producer(commune);
        np.women_owned = Some(true);
        let producer = store.create_producer(author, np)?;
        tally.producers += 1;
        let mut product = s.product(producer.id, commune);
        product.group = "food".into();
        product.subgroup = None;
        product.raw_material_zone = None;
        product.ocop = Some(OcopStatus {
            stage,
            ..OcopStatus::candidate()
        });
        store.create_product(author, product)?;
        if matches!(stage, OcopStage::Candidate | OcopStage::Registered) {
            tally.candidates += 1;
        }
    }
    // Noise in the other province: certified, women-owned, must not be counted.
    for _ in 0..3 {
        let commune = others[0];
        let mut np = s.producer(commune);
        np.women_owned = Some(true);
        let producer = store.create_producer(author, np)?;
        let mut product = s.product(producer.id, commune);
        product.group = "food".into();
        product.subgroup = None;
        product.ocop = Some(OcopStatus {
            stage: OcopStage::FourStar,
            issued: Some(plan.as_of),
            ..OcopStatus::candidate()
        });
        store.create_product(author, product)?;
    }
    // Visits: submitted ones are pending review; drafts are not.
    let form = FormRegistry::embedded().get(FORM, 1)?;
    for k in 0..plan.submitted_visits * 2 {
        let (producer, commune) = certified_producers[k as usize % certified_producers.len().max(1)];
        let submit = k % 2 == 0;
        let visit = store.capture_visit(
            author,
            VisitCapture {
                visit: NewVisit {
                    producer: Some(producer),
                    product: None,
                    form_id: FORM.into(),
                    form_version: Some(1),
                    commune_code: None,
                },
                answers: s.answers(form, commune, 200),
                fixes: vec![s.fix_near(commune, now_millis() - 60_000)],
                photos: Vec::new(),
                notes: String::new(),
                submit,
            },
        )?;
        tally.visits += 1;
        if submit {
            tally.submitted.push(visit.id);
        }
    }
    Ok(tally)
}
