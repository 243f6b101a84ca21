//! Capture: the typed operations an app calls — register producers and products, fill visits, attach photos,
//! resolve conflicts. Each validates its input first (typed errors, nothing written on failure), then writes one
//! change in one durable transaction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Store;
use crate::doc::{self, Resolution};
use crate::error::{Error, Result};
use crate::gps::{self, GpsFix, LatLon};
use crate::identity::Author;
use crate::ids::{Date, RecordId, now_millis};
use crate::places::Places;
use crate::records::{
    self, Address, Certification, EcommerceListing, OcopStatus, OwnerKind, Person, Producer,
    ProducerPatch, ProducerStatus, Product, ProductPatch, RawMaterialZone, RecordKind, Trademark,
    Visit,
};
use crate::reference::Catalog;

/// What a person enters to register a producer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProducer {
    /// Legal form.
    pub owner_kind: OwnerKind,
    /// Name.
    pub name: String,
    /// Registration number.
    pub registration_no: Option<String>,
    /// Legal representative.
    pub representative: Person,
    /// Phone (any common Vietnamese format; stored normalized).
    pub phone: Option<String>,
    /// Commune code (2025 scheme).
    pub commune_code: String,
    /// Hamlet.
    pub hamlet: String,
    /// Street address.
    pub street: String,
    /// Registered location.
    pub location: Option<GpsFix>,
    /// Members / workers.
    pub members: Option<u32>,
    /// Of which women.
    pub women_members: Option<u32>,
    /// Women-owned.
    pub women_owned: Option<bool>,
    /// Women-led; when not given, a female representative means women-led.
    pub women_led: Option<bool>,
}

/// What a person enters to register a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    /// The producer.
    pub producer: RecordId,
    /// Name.
    pub name: String,
    /// Product group code of the criteria in force.
    pub group: String,
    /// Subgroup code.
    pub subgroup: Option<String>,
    /// Description.
    pub description: String,
    /// Raw-material zone ring (its area is computed).
    pub raw_material_zone: Option<Vec<LatLon>>,
    /// Packaging.
    pub packaging: Option<String>,
    /// Trademark.
    pub trademark: Option<Trademark>,
    /// Traceability stamp.
    pub traceability_stamp: bool,
    /// Certifications by name.
    pub certifications: BTreeMap<String, Certification>,
    /// E-commerce listings by platform.
    pub ecommerce: BTreeMap<String, EcommerceListing>,
    /// OCOP status (default: candidate). A certified status with an issue date and no expiry gets the expiry of
    /// its criteria (36 months).
    pub ocop: Option<OcopStatus>,
}

impl Store {
    /// Builds an address from a commune code, with the province and the names snapshotted from the embedded
    /// administrative units.
    pub fn address_in(&self, commune_code: &str, hamlet: &str, street: &str) -> Result<Address> {
        let places = Places::embedded();
        let commune = places
            .commune(commune_code)
            .ok_or_else(|| Error::NotFound {
                kind: "commune",
                id: commune_code.to_string(),
            })?;
        let province = places
            .province(&commune.province_code)
            .ok_or_else(|| Error::NotFound {
                kind: "province",
                id: commune.province_code.clone(),
            })?;
        Ok(Address {
            province: province.to_ref(),
            commune: commune.to_ref(),
            hamlet: hamlet.trim().to_string(),
            street: street.trim().to_string(),
        })
    }

    /// Registers a producer.
    pub fn create_producer(&self, author: &Author, new: NewProducer) -> Result<Producer> {
        let address = self.address_in(&new.commune_code, &new.hamlet, &new.street)?;
        let phone = new.phone.as_deref().map(normalize_phone).transpose()?;
        if let Some(fix) = &new.location {
            fix.validate(now_millis())?;
        }
        let women_led = new
            .women_led
            .or((new.representative.gender == records::Gender::Female).then_some(true));
        let producer = Producer {
            id: RecordId::new(),
            owner_kind: new.owner_kind,
            name: new.name.trim().to_string(),
            registration_no: new
                .registration_no
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            representative: new.representative,
            phone,
            address,
            location: new.location,
            members: new.members,
            women_members: new.women_members,
            women_owned: new.women_owned,
            women_led,
            status: ProducerStatus::Active,
            created_by: author.user_id.clone(),
            created_at: now_millis(),
        };
        producer.validate()?;
        self.create_doc(author, super::project::Created::Producer(&producer))?;
        Ok(producer)
    }

    /// Edits a producer field by field. Moving it to another commune moves its products with it.
    pub fn update_producer(
        &self,
        author: &Author,
        id: RecordId,
        mut patch: ProducerPatch,
    ) -> Result<Producer> {
        if let Some(Some(phone)) = &patch.phone {
            patch.phone = Some(Some(normalize_phone(phone)?));
        }
        if let Some(addr) = &patch.address {
            patch.address =
                Some(self.address_in(&addr.commune.code, &addr.hamlet, &addr.street)?);
        }
        if let Some(Some(fix)) = &patch.location {
            fix.validate(now_millis())?;
        }
        let current = self.producer(id)?;
        let updated = patch.applied_to(&current);
        updated.validate()?;
        if patch.is_empty() {
            return Ok(current);
        }
        self.write_doc(id, RecordKind::Producer, author, false, |doc| {
            patch.write(doc)
        })?;
        if current.address.commune != updated.address.commune {
            for p in self.list_products(&super::ProductFilter {
                producer_id: Some(id),
                limit: 10_000,
                ..Default::default()
            })? {
                let place = ProductPatch {
                    place: Some((
                        updated.address.province.clone(),
                        updated.address.commune.clone(),
                    )),
                    ..Default::default()
                };
                self.write_doc(p.id, RecordKind::Product, author, false, |doc| {
                    place.write(doc)
                })?;
            }
        }
        Ok(updated)
    }

    /// Registers a product of an existing producer.
    pub fn create_product(&self, author: &Author, new: NewProduct) -> Result<Product> {
        let producer = self.producer(new.producer)?;
        check_group(&new.group, new.subgroup.as_deref())?;
        let zone = new
            .raw_material_zone
            .map(|ring| -> Result<RawMaterialZone> {
                let area_ha = gps::zone_area_ha(&ring)?;
                Ok(RawMaterialZone { ring, area_ha })
            })
            .transpose()?;
        let mut ocop = new.ocop.unwrap_or_else(OcopStatus::candidate);
        complete_ocop(&mut ocop)?;
        let product = Product {
            id: RecordId::new(),
            producer: producer.id,
            name: new.name.trim().to_string(),
            group: new.group,
            subgroup: new.subgroup,
            description: new.description,
            province: producer.address.province,
            commune: producer.address.commune,
            raw_material_zone: zone,
            packaging: new.packaging,
            trademark: new.trademark,
            traceability_stamp: new.traceability_stamp,
            certifications: new.certifications,
            ecommerce: new.ecommerce,
            ocop,
            created_by: author.user_id.clone(),
            created_at: now_millis(),
        };
        product.validate()?;
        self.create_doc(author, super::project::Created::Product(&product))?;
        Ok(product)
    }

    /// Edits a product field by field.
    pub fn update_product(
        &self,
        author: &Author,
        id: RecordId,
        mut patch: ProductPatch,
    ) -> Result<Product> {
        if let Some(ocop) = &mut patch.ocop {
            complete_ocop(ocop)?;
        }
        if let Some(Some(zone)) = &mut patch.raw_material_zone {
            zone.area_ha = gps::zone_area_ha(&zone.ring)?;
        }
        let current = self.product(id)?;
        if let Some(group) = patch.group.as_ref() {
            let sub = match &patch.subgroup {
                Some(s) => s.as_deref(),
                None => current.subgroup.as_deref(),
            };
            check_group(group, sub)?;
        }
        let updated = patch.applied_to(&current);
        updated.validate()?;
        if patch.is_empty() {
            return Ok(current);
        }
        self.write_doc(id, RecordKind::Product, author, false, |doc| {
            patch.write(doc)
        })?;
        Ok(updated)
    }

    /// Resolves a conflict by keeping one of the competing values or entering a new one. The result must still
    /// read as a valid record, or nothing is written.
    pub fn resolve_conflict(
        &self,
        author: &Author,
        doc_id: RecordId,
        path: &str,
        resolution: &Resolution,
    ) -> Result<()> {
        let (_, kind) = self.read_doc(doc_id)?;
        self.write_doc(doc_id, kind, author, false, |doc| {
            doc::resolve(doc, path, resolution)?;
            match kind {
                RecordKind::Producer => records::read::<Producer>(doc)?.validate(),
                RecordKind::Product => records::read::<Product>(doc)?.validate(),
                RecordKind::Visit => records::read::<Visit>(doc).map(|_| ()),
                RecordKind::Review | RecordKind::Form => Ok(()),
            }
        })
    }
}

/// The OCOP criteria decision in force on `date`.
fn in_force(date: Date) -> Result<&'static crate::reference::Decision> {
    Catalog::embedded()
        .in_force(date)
        .ok_or_else(|| Error::NotFound {
            kind: "OCOP criteria decision in force",
            id: date.to_string(),
        })
}

/// Checks a product group (and subgroup) against the criteria in force today.
fn check_group(group: &str, subgroup: Option<&str>) -> Result<()> {
    let decision = in_force(Date::today_vn())?;
    if decision.group(group).is_none() {
        return Err(Error::Invalid {
            field: "group".into(),
            reason: format!("not a product group of {}", decision.id()),
        });
    }
    if let Some(sub) = subgroup
        && decision.subgroup(group, sub).is_none()
    {
        return Err(Error::Invalid {
            field: "subgroup".into(),
            reason: format!("not a subgroup of {group} in {}", decision.id()),
        });
    }
    Ok(())
}

/// Normalizes a Vietnamese phone number (national form `0…`).
fn normalize_phone(input: &str) -> Result<String> {
    Ok(crate::forms::phone::normalize(input)?)
}

/// Fills what a rating implies: the expiry of a certificate from its criteria decision.
fn complete_ocop(ocop: &mut OcopStatus) -> Result<()> {
    if ocop.stage.is_certified() {
        let catalog = Catalog::embedded();
        let decision = match &ocop.criteria {
            Some(id) => catalog.decision(id).ok_or_else(|| Error::NotFound {
                kind: "OCOP criteria decision",
                id: id.clone(),
            })?,
            None => in_force(ocop.issued.unwrap_or_else(Date::today_vn))?,
        };
        if ocop.criteria.is_none() {
            ocop.criteria = Some(decision.id().to_string());
        }
        if let (Some(issued), None) = (ocop.issued, ocop.expires) {
            ocop.expires = Some(decision.certificate_expiry(issued));
        }
        if let Some(score) = ocop.score
            && let Some(stars) = decision.stars_for(score)
        {
            let expected = matches!(
                (stars, ocop.stage),
                (3, records::OcopStage::ThreeStar)
                    | (4, records::OcopStage::FourStar)
                    | (
                        5,
                        records::OcopStage::FiveStar | records::OcopStage::PotentialFiveStar
                    )
            );
            if !expected {
                return Err(Error::Invalid {
                    field: "ocop.stage".into(),
                    reason: format!(
                        "a score of {score} gives {stars} stars under {}",
                        decision.id()
                    ),
                });
            }
        }
    }
    Ok(())
}
