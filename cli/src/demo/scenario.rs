//! The demo's week in Thái Nguyên: who captures what, offline, and who edits the same producer.

use std::path::Path;

use anyhow::{Context, Result};
use ocop_core::forms::{Answer, FormRegistry};
use ocop_core::identity::{Author, Role};
use ocop_core::ids::{RecordId, now_millis};
use ocop_core::photo::testing::{ExifSpec, generate_jpeg};
use ocop_core::places::{Places, Unit};
use ocop_core::records::{PhotoKind, ProducerPatch};
use ocop_core::sample::Sampler;
use ocop_core::store::{NewVisit, Store, StoreOptions, VisitCapture};
use ocop_core::sync::Scope;
use serde::Serialize;

/// Xã Tân Cương (tea) and Xã Ba Bể (lake tourism, formerly Bắc Kạn), Thái Nguyên province.
pub const TAN_CUONG: &str = "05503";
/// See [`TAN_CUONG`].
pub const BA_BE: &str = "01906";
/// Thái Nguyên.
pub const PROVINCE: &str = "19";
const FORM: &str = "ocop_producer_product_survey";

/// One device: a person's phone with its own store.
pub struct Device {
    /// Short name used in the report.
    pub name: String,
    /// Who uses it.
    pub author: Author,
    /// What the account may see.
    pub scope: Scope,
    /// The store.
    pub store: Store,
}

impl Device {
    pub fn open(dir: &Path, name: &str, author: Author, scope: Scope) -> Result<Self> {
        let store = Store::open(dir.join(format!("{name}.db")), StoreOptions::default())
            .with_context(|| format!("opening {name}'s store"))?;
        store.set_scope(Some(scope.clone()))?;
        Ok(Self {
            name: name.to_string(),
            author,
            scope,
            store,
        })
    }
}

/// One line of "what happened" for the report.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureLine {
    pub day: u32,
    pub device: String,
    pub what: String,
}

/// The four people of the demo.
pub fn people(dir: &Path) -> Result<Vec<Device>> {
    let communes = |c: &[&str]| Scope {
        provinces: vec![],
        communes: c.iter().map(|s| s.to_string()).collect(),
    };
    Ok(vec![
        Device::open(
            dir,
            "officer-tan-cuong",
            Author::new("officer-tn-01", "Nguyễn Văn An", Role::Officer),
            communes(&[TAN_CUONG]),
        )?,
        Device::open(
            dir,
            "officer-ba-be",
            Author::new("officer-tn-02", "Hoàng Đức Long", Role::Officer),
            communes(&[BA_BE]),
        )?,
        Device::open(
            dir,
            "union-staff",
            Author::new("union-tn-01", "Trần Thị Bình", Role::UnionStaff),
            communes(&[TAN_CUONG, BA_BE]),
        )?,
        Device::open(
            dir,
            "supervisor",
            Author::new("sup-tn-01", "Phạm Thị Minh", Role::Supervisor),
            Scope {
                provinces: vec![PROVINCE.into()],
                communes: vec![],
            },
        )?,
    ])
}

fn unit(code: &str) -> Result<&'static Unit> {
    Places::embedded()
        .commune(code)
        .with_context(|| format!("commune {code} missing from the embedded units"))
}

/// Registers `n` producers with a product each in `commune`; returns the producers' ids.
pub fn register(
    device: &Device,
    s: &mut Sampler,
    commune_code: &str,
    n: usize,
    log: &mut Vec<CaptureLine>,
    day: u32,
) -> Result<Vec<RecordId>> {
    let commune = unit(commune_code)?;
    let mut ids = Vec::new();
    for _ in 0..n {
        let p = device
            .store
            .create_producer(&device.author, s.producer(commune))?;
        let mut new_product = s.product(p.id, commune);
        if device.author.role == Role::UnionStaff {
            // The Women's Union registers its members' products; ratings are recorded by officers (docs/permissions.md).
            new_product.ocop = None;
        }
        let product = device.store.create_product(&device.author, new_product)?;
        log.push(CaptureLine {
            day,
            device: device.name.clone(),
            what: format!("registered {} — product {}", p.name, product.name),
        });
        ids.push(p.id);
    }
    Ok(ids)
}

/// A complete visit to `producer`: answers, a GPS fix, two photos taken on site (generated JPEGs with EXIF GPS).
pub fn visit(
    device: &Device,
    s: &mut Sampler,
    producer: RecordId,
    photo_dir: &Path,
    log: &mut Vec<CaptureLine>,
    day: u32,
) -> Result<()> {
    let p = device.store.producer(producer)?;
    let commune = unit(&p.address.commune.code)?;
    let form = FormRegistry::embedded().get(FORM, 1)?;
    let mut answers = s.answers(form, commune, 30);
    let fix = s.fix_near(commune, now_millis() - 600_000);
    answers.retain(|(q, _)| q != "facility_location");
    answers.push(("facility_location".into(), Answer::GeoPoint(fix.clone())));
    let mut photos = Vec::new();
    for (i, kind) in [PhotoKind::Product, PhotoKind::Facility]
        .into_iter()
        .enumerate()
    {
        let path = photo_dir.join(format!("{}-{}-{i}.jpg", device.name, producer));
        let exif = ExifSpec {
            gps: Some((fix.lat, fix.lon)),
            taken_at: Some(now_millis() - 500_000),
            ..Default::default()
        };
        generate_jpeg(&path, 2000, 1500, s.next_u64(), Some(&exif))?;
        let imported = device.store.import_photo(&path)?;
        let question = if i == 0 {
            "photo_product"
        } else {
            "photo_facility"
        };
        answers.push((question.into(), Answer::Photo(imported.hash.clone())));
        photos.push((
            imported,
            kind,
            if i == 0 {
                "Sản phẩm".to_string()
            } else {
                "Cơ sở sản xuất".to_string()
            },
        ));
    }
    let v = device.store.capture_visit(
        &device.author,
        VisitCapture {
            visit: NewVisit {
                producer: Some(producer),
                product: None,
                form_id: FORM.into(),
                form_version: Some(1),
                commune_code: None,
            },
            answers,
            fixes: vec![fix],
            photos,
            notes: "Cơ sở sạch sẽ, cần bổ sung tem truy xuất nguồn gốc.".into(),
            submit: true,
        },
    )?;
    log.push(CaptureLine {
        day,
        device: device.name.clone(),
        what: format!(
            "visited {} — {} answers, 1 GPS fix, {} photos, submitted",
            p.name,
            v.answers.len(),
            v.photos.len()
        ),
    });
    Ok(())
}

/// Edits of the same producer made offline on the same day by the officer and the union staffer: the phone
/// number by both (a real conflict), member counts by one each (they merge).
pub fn concurrent_edits(
    officer: &Device,
    union: &Device,
    producer: RecordId,
    log: &mut Vec<CaptureLine>,
    day: u32,
) -> Result<()> {
    officer.store.update_producer(
        &officer.author,
        producer,
        ProducerPatch {
            phone: Some(Some("0987 654 321".into())),
            members: Some(Some(48)),
            ..Default::default()
        },
    )?;
    log.push(CaptureLine {
        day,
        device: officer.name.clone(),
        what: "edited a producer: phone 0987654321, 48 members".into(),
    });
    let members = union.store.producer(producer)?.members.unwrap_or(0);
    let women = members.min(30);
    union.store.update_producer(
        &union.author,
        producer,
        ProducerPatch {
            phone: Some(Some("0912 000 111".into())),
            women_members: Some(Some(women)),
            women_owned: Some(Some(true)),
            ..Default::default()
        },
    )?;
    log.push(CaptureLine {
        day,
        device: union.name.clone(),
        what: format!(
            "edited the same producer: phone 0912000111, {women} women members, women-owned"
        ),
    });
    Ok(())
}
