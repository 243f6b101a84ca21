//! Writes a database fixture of the current schema for the migration tests: run it before adding a migration,
//! commit the file it writes as `core/tests/fixtures/db/v<N>.sqlite`, and record the ids it prints in
//! `core/tests/migrations.rs` (see `core/tests/fixtures/db/README.md`).
//!
//! ```sh
//! cargo run -p ocop-core --example write_fixture -- core/tests/fixtures/db/v2.sqlite
//! ```
//!
//! Content: two producers (one with an open `phone` conflict between an officer and a union staffer, merged from
//! a second replica), one product (4★, edited once), one draft visit (2 answers, 1 GPS fix, notes); everything
//! synced once with a hub replica (peer cursor and sync state recorded), then one producer edited again locally
//! (so it is waiting to sync).

use std::path::PathBuf;

use ocop_core::forms::Answer;
use ocop_core::gps::{GpsFix, GpsProvider};
use ocop_core::identity::{Author, Role};
use ocop_core::ids::now_millis;
use ocop_core::records::{
    Gender, OcopStage, OcopStatus, OwnerKind, Person, ProducerPatch, ProductPatch,
};
use ocop_core::store::{NewProducer, NewProduct, NewVisit, Store, StoreOptions};
use ocop_core::sync::link::{Link, LinkProfile};
use ocop_core::sync::{self, Principal, Scope, SyncOptions};

fn producer(name: &str, commune: &str, kind: OwnerKind) -> NewProducer {
    NewProducer {
        owner_kind: kind,
        name: name.into(),
        registration_no: None,
        representative: Person {
            name: "Lê Thị Hoa".into(),
            gender: Gender::Female,
            position: Some("Giám đốc".into()),
        },
        phone: Some("0912345678".into()),
        commune_code: commune.into(),
        hamlet: "Xóm 1".into(),
        street: String::new(),
        location: None,
        members: Some(20),
        women_members: Some(6),
        women_owned: Some(true),
        women_led: None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .ok_or("usage: write_fixture <out.sqlite>")?
        .into();
    if out.exists() {
        return Err(format!("{} exists; fixtures are never overwritten", out.display()).into());
    }
    let work = tempfile::tempdir()?;
    let phone = Store::open(&out, StoreOptions::default())?;
    let union = Store::open(work.path().join("union.db"), StoreOptions::default())?;
    let hub = Store::open(work.path().join("hub.db"), StoreOptions::default())?;
    let officer = Author::new("officer-tn-01", "Nguyễn Văn An", Role::Officer);
    let staffer = Author::new("union-tn-01", "Trần Thị Bình", Role::UnionStaff);

    let tea = phone.create_producer(
        &officer,
        producer("Hợp tác xã Chè Đồng Tâm", "05503", OwnerKind::Cooperative),
    )?;
    let pottery = phone.create_producer(
        &officer,
        producer(
            "Tổ hợp tác Gốm Bát Tràng",
            "00577",
            OwnerKind::CooperativeGroup,
        ),
    )?;
    union.merge_from(&phone)?;
    phone.update_producer(
        &officer,
        tea.id,
        ProducerPatch {
            phone: Some(Some("0987654321".into())),
            ..Default::default()
        },
    )?;
    union.update_producer(
        &staffer,
        tea.id,
        ProducerPatch {
            phone: Some(Some("0911222333".into())),
            women_members: Some(Some(15)),
            ..Default::default()
        },
    )?;
    phone.merge_from(&union)?;

    let product = phone.create_product(
        &officer,
        NewProduct {
            producer: tea.id,
            name: "Chè búp Tân Cương".into(),
            group: "food".into(),
            subgroup: None,
            description: "Chè xanh sao suốt".into(),
            raw_material_zone: None,
            packaging: None,
            trademark: None,
            traceability_stamp: true,
            certifications: Default::default(),
            ecommerce: Default::default(),
            ocop: Some(OcopStatus {
                stage: OcopStage::FourStar,
                score: Some(78.5),
                criteria: None,
                certificate_no: Some("123/QĐ-UBND".into()),
                issued: Some(ocop_core::ids::Date::parse("2024-03-15")?),
                expires: None,
                authority: Some("UBND tỉnh Thái Nguyên".into()),
            }),
        },
    )?;
    phone.update_product(
        &officer,
        product.id,
        ProductPatch {
            packaging: Some(Some("Hộp giấy".into())),
            ..Default::default()
        },
    )?;

    let visit = phone.start_visit(
        &officer,
        NewVisit {
            producer: Some(tea.id),
            product: Some(product.id),
            form_id: "ocop_producer_product_survey".into(),
            form_version: Some(1),
            commune_code: None,
        },
    )?;
    phone.set_answers(
        &officer,
        visit.id,
        &[
            (
                "visit_purpose".to_string(),
                Answer::SelectOne("product_assessment".into()),
            ),
            (
                "respondent_name".to_string(),
                Answer::Text("Lê Thị Hoa".into()),
            ),
        ],
    )?;
    phone.add_fix(
        &officer,
        visit.id,
        GpsFix {
            lat: 21.5195,
            lon: 105.7871,
            accuracy_m: Some(12.0),
            altitude_m: None,
            time: now_millis() - 1000,
            provider: GpsProvider::Gnss,
            mock: false,
        },
    )?;
    phone.set_notes(&officer, visit.id, "Ghi chú")?;

    let everyone = Principal {
        user_id: "officer-tn-01".into(),
        role: Role::Officer,
        scope: Scope::all(),
    };
    let mut link = Link::new(&hub, everyone, LinkProfile::INSTANT);
    sync::sync(&phone, "hub", &mut link, &SyncOptions::default(), &())?;
    phone.update_producer(
        &officer,
        pottery.id,
        ProducerPatch {
            members: Some(Some(12)),
            ..Default::default()
        },
    )?;
    drop(phone);

    println!("wrote {}", out.display());
    println!("producer tea     {}", tea.id);
    println!("producer pottery {}", pottery.id);
    println!("product          {}", product.id);
    println!("visit            {}", visit.id);
    Ok(())
}
