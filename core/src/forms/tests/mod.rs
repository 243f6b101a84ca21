//! Tests of forms: definitions, answers, submissions, versions, phone numbers, and robustness.

mod answers;
mod definition;
mod phone;
mod props;
mod submission;

use std::collections::BTreeMap;

use super::{Answer, Form, FormError, FormRegistry};
use crate::gps::{GpsFix, GpsProvider, LatLon};
use crate::ids::Date;

pub(super) const OCOP: &str = "ocop_producer_product_survey";

/// The shipped OCOP survey, version 1.
pub(super) fn v1() -> &'static Form {
    FormRegistry::embedded()
        .get(OCOP, 1)
        .unwrap_or_else(|e| panic!("v1 must be embedded: {e}"))
}

/// The shipped OCOP survey, version 2.
pub(super) fn v2() -> &'static Form {
    FormRegistry::embedded()
        .get(OCOP, 2)
        .unwrap_or_else(|e| panic!("v2 must be embedded: {e}"))
}

/// A one-question form around `question` (a JSON object).
pub(super) fn form_with(question: &str) -> Result<Form, FormError> {
    Form::from_json(&format!(
        r#"{{ "id": "test_form", "version": 1, "title": {{ "vi": "Thử" }}, "questions": [{question}] }}"#
    ))
}

pub(super) fn date(s: &str) -> Date {
    Date::parse(s).unwrap_or_else(|e| panic!("bad test date {s}: {e}"))
}

pub(super) fn fix(lat: f64, lon: f64) -> GpsFix {
    GpsFix {
        lat,
        lon,
        accuracy_m: Some(8.0),
        altitude_m: Some(12.0),
        time: 1_750_000_000_000,
        provider: GpsProvider::Gnss,
        mock: false,
    }
}

/// A small square raw-material zone in Hưng Yên.
pub(super) fn zone() -> Vec<LatLon> {
    vec![
        LatLon {
            lat: 20.90,
            lon: 106.00,
        },
        LatLon {
            lat: 20.90,
            lon: 106.01,
        },
        LatLon {
            lat: 20.91,
            lon: 106.01,
        },
        LatLon {
            lat: 20.91,
            lon: 106.00,
        },
        LatLon {
            lat: 20.90,
            lon: 106.00,
        },
    ]
}

pub(super) fn photo_hash() -> String {
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_string()
}

/// A complete, valid v1 visit.
pub(super) fn complete_v1_answers() -> BTreeMap<String, Answer> {
    let s = |v: &str| v.to_string();
    BTreeMap::from([
        (
            s("visit_purpose"),
            Answer::SelectOne(s("product_assessment")),
        ),
        (s("respondent_name"), Answer::Text(s("Nguyễn Thị Lan"))),
        (s("respondent_role"), Answer::SelectOne(s("owner"))),
        (s("respondent_phone"), Answer::Phone(s("0912345678"))),
        (
            s("producer_legal_form"),
            Answer::SelectOne(s("cooperative")),
        ),
        (s("year_established"), Answer::Integer(2016)),
        (s("workers_total"), Answer::Integer(24)),
        (s("workers_women"), Answer::Integer(17)),
        (s("main_product_name"), Answer::Text(s("Mật ong hoa nhãn"))),
        (s("product_group"), Answer::SelectOne(s("food"))),
        (s("annual_output"), Answer::Decimal(3.5)),
        (s("annual_output_unit"), Answer::SelectOne(s("tonne"))),
        (
            s("raw_material_sources"),
            Answer::SelectMultiple(vec![s("own_farm"), s("local_households")]),
        ),
        (s("raw_material_zone"), Answer::GeoShape(zone())),
        (s("raw_material_zone_area_ha"), Answer::Decimal(12.4)),
        (
            s("packaging_label_status"),
            Answer::SelectOne(s("label_compliant")),
        ),
        (s("trademark_registered"), Answer::SelectOne(s("pending"))),
        (s("traceability_stamp"), Answer::SelectOne(s("yes"))),
        (
            s("food_safety_certificates"),
            Answer::SelectMultiple(vec![s("vietgap")]),
        ),
        (
            s("ecommerce_channels"),
            Answer::SelectMultiple(vec![s("shopee"), s("zalo_facebook")]),
        ),
        (s("annual_revenue_million_vnd"), Answer::Decimal(850.0)),
        (s("readiness_self_assessment"), Answer::Integer(4)),
        (
            s("facility_location"),
            Answer::GeoPoint(fix(20.905, 106.005)),
        ),
        (s("photo_product"), Answer::Photo(photo_hash())),
        (
            s("officer_notes"),
            Answer::Text(s("Cần hỗ trợ thiết kế nhãn.")),
        ),
    ])
}
