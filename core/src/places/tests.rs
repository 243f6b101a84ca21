#![allow(clippy::unwrap_used, clippy::expect_used)] // tests state expectations by unwrapping

use proptest::prelude::*;

use super::*;

fn places() -> &'static Places {
    Places::embedded()
}

fn codes(units: &[&Unit]) -> Vec<String> {
    units.iter().map(|u| u.code.clone()).collect()
}

#[test]
fn embedded_table_parses_without_error() {
    assert!(Places::from_tsv(EMBEDDED).is_ok());
}

#[test]
fn has_the_34_provinces_and_3321_communes_of_2025() {
    let p = places();
    assert_eq!(p.provinces().len(), 34);
    assert_eq!(p.communes().len(), 3321);
    let count = |k: UnitKind| p.communes().iter().filter(|u| u.kind == k).count();
    assert_eq!(count(UnitKind::Ward), 687);
    assert_eq!(count(UnitKind::Commune), 2621);
    assert_eq!(count(UnitKind::SpecialZone), 13);
    assert_eq!(
        p.provinces()
            .iter()
            .filter(|u| u.kind == UnitKind::City)
            .count(),
        6
    );
    let per_province: usize = p
        .provinces()
        .iter()
        .map(|u| p.communes_of(&u.code).len())
        .sum();
    assert_eq!(per_province, 3321);
}

#[test]
fn looks_up_well_known_units_by_code() {
    let p = places();
    let hanoi = p.province("01").unwrap();
    assert_eq!(
        (hanoi.name.as_str(), hanoi.full_name.as_str()),
        ("Hà Nội", "Thành phố Hà Nội")
    );
    assert_eq!(hanoi.kind, UnitKind::City);
    assert_eq!(p.province("80").unwrap().full_name, "Tỉnh Tây Ninh");

    let ben_thanh = p.commune("26743").unwrap();
    assert_eq!(ben_thanh.full_name, "Phường Bến Thành");
    assert_eq!(
        (ben_thanh.kind, ben_thanh.province_code.as_str()),
        (UnitKind::Ward, "79")
    );

    let phu_quoc = p.commune("31078").unwrap();
    assert_eq!(
        (phu_quoc.full_name.as_str(), phu_quoc.kind),
        ("Đặc khu Phú Quốc", UnitKind::SpecialZone)
    );
    assert_eq!(
        p.province(&phu_quoc.province_code).unwrap().name,
        "An Giang"
    );
    let con_dao = p.commune("26732").unwrap();
    assert_eq!(
        (con_dao.full_name.as_str(), con_dao.province_code.as_str()),
        ("Đặc khu Côn Đảo", "79")
    );
    let c = con_dao.centroid.unwrap();
    assert!(
        (8.5..8.9).contains(&c.lat) && (106.4..106.8).contains(&c.lon),
        "{c:?}"
    );

    // A province code is not a commune and vice versa.
    assert!(
        p.commune("01").is_none() && p.province("26743").is_none() && p.commune("99999").is_none()
    );
}

#[test]
fn every_commune_has_a_centroid_in_vietnam_and_nearly_all_an_area() {
    let p = places();
    for u in p.communes() {
        let c = u
            .centroid
            .unwrap_or_else(|| panic!("{} has no centroid", u.code));
        assert!(
            (8.0..24.0).contains(&c.lat) && (102.0..115.0).contains(&c.lon),
            "{}: {c:?}",
            u.code
        );
    }
    assert_eq!(
        p.communes().iter().filter(|u| u.area_km2.is_none()).count(),
        2
    );
}

#[test]
fn unit_ref_snapshots_the_full_name_and_looks_up_again() {
    let p = places();
    let ba_dinh = p.commune("00004").unwrap();
    let r = ba_dinh.to_ref();
    assert_eq!(
        (r.scheme.as_str(), r.code.as_str(), r.name.as_str()),
        ("vn-2025", "00004", "Phường Ba Đình")
    );
    assert_eq!(p.lookup(&r), Some(ba_dinh));
    assert_eq!(p.require(&r).unwrap(), ba_dinh);

    let old = UnitRef {
        scheme: SCHEME_2004.into(),
        ..r.clone()
    };
    assert_eq!(p.lookup(&old), None);
    assert!(matches!(p.require(&old), Err(Error::Invalid { .. })));
    // A reference in either scheme resolves to what it stands for today.
    assert_eq!(codes(&p.resolve(&ba_dinh.to_ref())), ["00004"]);
    assert_eq!(
        codes(&p.resolve(&p.old_unit("00001").unwrap().to_ref())),
        ["00097"]
    );
    assert!(
        p.resolve(&UnitRef {
            scheme: "osm".into(),
            code: "00004".into(),
            name: String::new()
        })
        .is_empty()
    );
    let missing = UnitRef {
        code: "99999".into(),
        ..r
    };
    assert!(matches!(p.require(&missing), Err(Error::NotFound { .. })));
}

#[test]
fn search_ignores_diacritics_and_case_and_ranks_exact_matches_first() {
    let p = places();
    assert_eq!(p.search("ha noi", 5).first().unwrap().code, "01");
    assert_eq!(p.search("HÀ NỘI", 5).first().unwrap().code, "01");
    assert_eq!(
        p.search("dong da", 5).first().unwrap().full_name,
        "Phường Đống Đa"
    );
    assert_eq!(p.search("phuong dong da", 5).first().unwrap().code, "00235");
    assert_eq!(
        p.search("phu quoc", 5).first().unwrap().full_name,
        "Đặc khu Phú Quốc"
    );
    // Word prefixes in any order; the province name may narrow a commune down.
    assert_eq!(p.search("dinh ba", 5).first().unwrap().code, "00004");
    assert_eq!(
        p.search("nghia do ha noi", 5).first().unwrap().code,
        "00160"
    );
    // Typographic and ASCII apostrophes are the same.
    assert_eq!(
        codes(&p.search("Ea H’Leo", 3)),
        codes(&p.search("ea h'leo", 3))
    );
    assert_eq!(p.search("ea h'leo", 1).first().unwrap().code, "24184");
}

#[test]
fn search_respects_limit_province_filter_and_empty_queries() {
    let p = places();
    assert_eq!(p.search("xa", 7).len(), 7);
    assert!(
        p.search("", 10).is_empty()
            && p.search("   ", 10).is_empty()
            && p.search("ha", 0).is_empty()
    );
    assert!(p.search("zzzz qqq", 10).is_empty());
    // "Nghĩa Đô" is a ward of Hà Nội and a commune of Lào Cai.
    assert_eq!(codes(&p.search("nghia do", 10))[..2], ["00160", "02953"]);
    assert_eq!(codes(&p.search_in("nghia do", Some("15"), 10)), ["02953"]);
    assert!(
        p.search_in("ha noi", Some("01"), 10)
            .iter()
            .all(|u| u.level() == Level::Commune)
    );
}

#[test]
fn old_ward_codes_resolve_to_the_new_communes_even_where_codes_were_reused() {
    let p = places();
    // 26882 was Phường 14 (Gò Vấp); it and Phường 12 (26881) now form Phường An Hội Tây, which reuses 26882.
    assert_eq!(p.old_unit("26882").unwrap().full_name, "Phường 14");
    assert_eq!(codes(&p.resolve_old("26882")), ["26882"]);
    assert_eq!(
        p.resolve_old("26881").first().unwrap().full_name,
        "Phường An Hội Tây"
    );
    // Phường Phúc Xá (Ba Đình) became part of Phường Hồng Hà.
    assert_eq!(codes(&p.resolve_old("00001")), ["00097"]);
    // Phường Dịch Vọng was divided: mostly Cầu Giấy, partly Nghĩa Đô.
    assert_eq!(codes(&p.resolve_old("00166")), ["00166", "00160"]);
    // The two old Xã Thạnh Lộc of Kiên Giang (the npm package swaps them; see tools/places/build.py).
    assert_eq!(codes(&p.resolve_old("30901")), ["30886"]);
    assert_eq!(codes(&p.resolve_old("30913")), ["30910"]);
    assert!(p.resolve_old("00000").is_empty() && p.resolve_old("").is_empty());
}

#[test]
fn old_district_and_province_codes_resolve() {
    let p = places();
    let ba_dinh = p.old_unit("001").unwrap();
    assert_eq!(
        (ba_dinh.full_name.as_str(), ba_dinh.level),
        ("Quận Ba Đình", OldLevel::District)
    );
    assert!(
        p.resolve_old("001")
            .iter()
            .any(|u| u.full_name == "Phường Ba Đình")
    );
    // Island district without wards → special zone.
    assert_eq!(codes(&p.resolve_old("755")), ["26732"]);
    // Provinces: 80 was Long An and now is Tây Ninh, which old Tây Ninh (72) joined; Hà Giang joined Tuyên Quang.
    assert_eq!(codes(&p.resolve_old("80")), ["80"]);
    assert_eq!(codes(&p.resolve_old("72")), ["80"]);
    assert_eq!(p.resolve_old("02").first().unwrap().name, "Tuyên Quang");
    assert_eq!(p.old_unit("80").unwrap().to_ref().name, "Tỉnh Long An");
    // 63 old provinces, 696 districts, 10,035 wards; every one has a successor, every old province exactly one.
    let count = |l: OldLevel| p.old().units.iter().filter(|u| u.level == l).count();
    assert_eq!(
        [
            count(OldLevel::Province),
            count(OldLevel::District),
            count(OldLevel::Ward)
        ],
        [63, 696, 10035]
    );
    assert!(p.old().units.iter().all(|u| !u.successors.is_empty()));
    assert!(
        p.old()
            .units
            .iter()
            .filter(|u| u.level == OldLevel::Province)
            .all(|u| p.resolve_old(&u.code).len() == 1)
    );
}

#[test]
fn old_names_resolve_with_or_without_kind_words_and_diacritics() {
    let p = places();
    let name = |ward, district, province| OldName {
        ward,
        district,
        province,
    };
    let r = p.resolve_old_name(name(Some("phuc xa"), Some("Quận Ba Đình"), None));
    assert_eq!(codes(&r), ["00097"]);
    // A ward merged away before 2025, known only by name, split between two new wards.
    let r = p.resolve_old_name(name(Some("Phường 13"), Some("go vap"), Some("Hồ Chí Minh")));
    assert_eq!(codes(&r), ["26882", "26878"]);
    // The district tells the two Xã Thạnh Lộc of Kiên Giang apart; without it both come back.
    let r = p.resolve_old_name(name(
        Some("Thạnh Lộc"),
        Some("Giồng Riềng"),
        Some("Kiên Giang"),
    ));
    assert_eq!(codes(&r), ["30910"]);
    let r = p.resolve_old_name(name(Some("xa thanh loc"), None, Some("tinh kien giang")));
    assert_eq!(codes(&r), ["30886", "30910"]);
    // A kind word that does not fit excludes: there was no "Thị trấn Thạnh Lộc" in Kiên Giang.
    assert!(
        p.resolve_old_name(name(Some("thi tran thanh loc"), None, Some("kien giang")))
            .is_empty()
    );
    // District alone, province alone.
    assert_eq!(
        p.resolve_old_name(name(None, Some("Huyện Côn Đảo"), None))
            .len(),
        1
    );
    assert_eq!(
        codes(&p.resolve_old_name(name(None, None, Some("Hà Giang")))),
        ["08"]
    );
    assert!(p.resolve_old_name(OldName::default()).is_empty());
}

#[test]
fn malformed_tables_are_errors_naming_the_line() {
    for bad in [
        "P\t1\tX\tt\t\t",
        "P\t01\tX\tp\t\t",
        "P\t01\tX\tt\t91\t0",
        "P\t01\tX\tt\t\t\textra",
        "C\t00001\tX\tx\t02\t\t\t",
        "P\t01\tX\tt\t\t\nOW\t00001\tX\t001\t01",
        "Z",
    ] {
        let err = Places::from_tsv(bad).unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{bad:?}: {err}");
    }
    let ok = Places::from_tsv(
        "# comment\nP\t01\tX\tt\t\t\nC\t00001\tY\tx\t01\t1\t2\t3\nOP\t05\tTỉnh Z\t01\n",
    )
    .unwrap();
    assert_eq!(codes(&ok.resolve_old("05")), ["01"]);
    assert_eq!(ok.commune("00001").unwrap().full_name, "Xã Y");
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics(s in "\\PC{0,40}", t in "[0-9A-Za-z\t,#\n ]{0,80}", n in 0usize..50) {
        let p = places();
        let _ = p.search(&s, n);
        let _ = p.search_in(&s, Some(&s), n);
        let _ = p.province(&s);
        let _ = p.commune(&s);
        let _ = p.communes_of(&s);
        let _ = p.resolve_old(&s);
        let _ = p.old_unit(&s);
        let _ = p.resolve_old_name(OldName { ward: Some(&s), district: Some(&s), province: None });
        let _ = p.resolve_old_name(OldName { ward: None, district: None, province: Some(&s) });
        let r = UnitRef { scheme: s.clone(), code: s.clone(), name: s.clone() };
        let _ = p.lookup(&r);
        let _ = p.resolve(&r);
        let _ = p.require(&r);
        let _ = Places::from_tsv(&s);
        let _ = Places::from_tsv(&t);
    }
}
