//! Duplicate-producer search at province scale. Run: `cargo bench -p ocop-core --bench duplicates`
//!
//! 10,000 active producers in one province (Thái Nguyên's communes), names built like real ones (legal form +
//! trade + a distinguishing word), 100 planted duplicates (rewritten names: abbreviations, case, missing
//! diacritics). Measures:
//! 1. `find_duplicates` over prepared candidates: time, and the number of pairs compared against the
//!    49,995,000 of comparing every pair;
//! 2. `Store::duplicate_candidates` end to end (read the projection, prepare, block, compare) on a store holding
//!    the same producers.
//!
//! It also checks that every planted duplicate is found.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use ocop_core::duplicates::{Candidate, DuplicateFilter, comparisons, find_duplicates};
use ocop_core::identity::{Author, Role};
use ocop_core::records::{Gender, OwnerKind, Person};
use ocop_core::sample::{Sampler, communes_of};
use ocop_core::store::{NewProducer, ProducerSummary, Store, StoreOptions};

const N: usize = 10_000;
const PLANTED: usize = 100;

const FORMS: &[(&str, &str, OwnerKind)] = &[
    ("Hợp tác xã", "HTX", OwnerKind::Cooperative),
    ("Tổ hợp tác", "THT", OwnerKind::CooperativeGroup),
    ("Công ty TNHH", "Cty TNHH", OwnerKind::Enterprise),
    ("Cơ sở sản xuất", "CSSX", OwnerKind::HouseholdBusiness),
];
const TRADES: &[&str] = &[
    "Chè", "Miến dong", "Mật ong", "Gạo nếp", "Nước mắm", "Bánh chưng", "Rượu ngô", "Trà hoa vàng",
    "Dược liệu", "Tinh dầu quế", "Gốm", "Mây tre đan", "Lụa", "Lan", "Nông sản",
];
const WORDS: &[&str] = &[
    "Đồng Tâm", "Tân Cương", "Phúc Xuân", "Hoàng Nông", "La Bằng", "Minh Tiến", "Quyết Thắng", "Hợp Thành",
    "Thịnh Đức", "Bình Sơn", "Phúc Trìu", "Vô Tranh", "Sơn Phú", "Hòa Bình", "An Khánh", "Kim Phượng",
    "Thanh Vân", "Ngọc Lâm", "Hồng Tiến", "Đại Từ", "Yên Lạc", "Phú Đô", "Khe Mo", "Văn Lăng", "Cây Thị",
];

fn strip_marks(s: &str) -> String {
    ocop_core::text::fold(s)
}

fn main() {
    let communes = communes_of("19");
    assert!(!communes.is_empty(), "province 19 has communes");
    let mut s = Sampler::new(7);
    let mut producers: Vec<NewProducer> = Vec::with_capacity(N);
    for i in 0..N - PLANTED {
        let commune = *s.pick(&communes);
        let (long, _, kind) = *s.pick(FORMS);
        let name = format!(
            "{long} {} {} {}",
            s.pick(TRADES),
            s.pick(WORDS),
            i % 97
        );
        let mut p = s.producer(commune);
        p.owner_kind = kind;
        p.name = name;
        producers.push(p);
    }
    // Planted duplicates: a second registration of an existing producer, by someone else.
    let mut planted = Vec::new();
    for k in 0..PLANTED {
        let original = producers[k * 37].clone();
        let (_, short, _) = *FORMS
            .iter()
            .find(|(long, _, _)| original.name.starts_with(long))
            .unwrap();
        let rest = original.name.split_once(' ').unwrap().1.to_string();
        let rest = rest
            .trim_start_matches("hợp tác ")
            .trim_start_matches("TNHH ")
            .trim_start_matches("sản xuất ")
            .trim_start_matches("tác xã ")
            .trim_start_matches("xã ")
            .to_string();
        let mut dup = original.clone();
        dup.name = format!("{short} {}", strip_marks(&rest));
        dup.phone = Some(s.phone());
        dup.representative = Person {
            name: "Người Khác".into(),
            gender: Gender::Unknown,
            position: None,
        };
        planted.push((k * 37, producers.len()));
        producers.push(dup);
    }

    // 1. Pure search over prepared candidates.
    let candidates: Vec<Candidate> = producers
        .iter()
        .map(|p| {
            let commune = communes.iter().find(|c| c.code == p.commune_code).unwrap();
            let summary = ProducerSummary {
                id: ocop_core::ids::RecordId::new(),
                name: p.name.clone(),
                owner_kind: p.owner_kind.as_str().into(),
                representative: p.representative.name.clone(),
                phone: p
                    .phone
                    .as_deref()
                    .map(|x| ocop_core::forms::phone::normalize(x).unwrap()),
                province_code: "19".into(),
                commune_code: commune.code.clone(),
                commune_name: commune.name.clone(),
                women_owned: None,
                women_led: None,
                status: "active".into(),
                merged_into: None,
                lat: p.location.as_ref().map(|f| f.lat),
                lon: p.location.as_ref().map(|f| f.lon),
                updated_at: 0,
            };
            Candidate::new(summary, &p.name, p.registration_no.clone())
        })
        .collect();
    let filter = DuplicateFilter {
        limit: 100_000,
        ..Default::default()
    };
    let mut times = Vec::new();
    let mut found = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        found = find_duplicates(&candidates, &filter);
        times.push(t.elapsed());
    }
    times.sort();
    let compared = comparisons(&candidates);
    let all_pairs = N * (N - 1) / 2;
    let hit = planted
        .iter()
        .filter(|(a, b)| {
            let (ia, ib) = (candidates[*a].summary.id, candidates[*b].summary.id);
            found
                .iter()
                .any(|p| (p.a.id == ia && p.b.id == ib) || (p.a.id == ib && p.b.id == ia))
        })
        .count();
    println!("duplicates: {N} producers in one province ({} communes)", communes.len());
    println!(
        "  find_duplicates: median {:.1} ms (min {:.1}, max {:.1}) over 5 runs",
        times[2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[4].as_secs_f64() * 1e3
    );
    println!(
        "  pairs compared: {compared} of {all_pairs} ({:.2}%)",
        compared as f64 * 100.0 / all_pairs as f64
    );
    println!(
        "  pairs listed (score >= 0.6): {}; planted duplicates found: {hit}/{PLANTED}",
        found.len()
    );

    // 2. End to end on a store.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path().join("dups.db"),
        StoreOptions {
            durable: false,
            ..Default::default()
        },
    )
    .unwrap();
    let author = Author::new("officer-bench", "Nguyễn Văn An", Role::Officer);
    let t = Instant::now();
    for p in producers {
        store.create_producer(&author, p).unwrap();
    }
    println!("  loading {N} producers into a store: {:.1} s", t.elapsed().as_secs_f64());
    let mut times = Vec::new();
    let mut listed = 0;
    for _ in 0..3 {
        let t = Instant::now();
        listed = store.duplicate_candidates(&filter).unwrap().len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "  Store::duplicate_candidates: median {:.1} ms over 3 runs ({listed} pairs)",
        times[1].as_secs_f64() * 1e3
    );
}
