//! The report laid out as tables: what the XLSX sheets, the CSV files and the hub's pages show.

use serde::{Deserialize, Serialize};

use super::{ExpiringCertificate, OcopReport, StarCounts};

/// A cell of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number (counts).
    Int(i64),
    /// Empty.
    Empty,
}

impl Cell {
    /// The cell as text (CSV); empty for [`Cell::Empty`].
    pub fn to_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Cell::Int(i64::from(n))
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Self {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

/// One table of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Stable key, ASCII (the CSV file name without `.csv`): `summary`, `by_star` …
    pub key: &'static str,
    /// Title in Vietnamese (the XLSX sheet name; at most 31 characters).
    pub title_vi: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// Column headers in Vietnamese.
    pub headers_vi: Vec<&'static str>,
    /// Column headers in English.
    pub headers_en: Vec<&'static str>,
    /// The rows; each has one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

const STAR_HEADERS_VI: [&str; 5] = ["3 sao", "4 sao", "5 sao", "Tiềm năng 5 sao", "Tổng"];
const STAR_HEADERS_EN: [&str; 5] = ["3 stars", "4 stars", "5 stars", "Potential 5 stars", "Total"];

fn star_cells(s: &StarCounts) -> Vec<Cell> {
    vec![
        s.three_star.into(),
        s.four_star.into(),
        s.five_star.into(),
        s.potential_five_star.into(),
        s.total().into(),
    ]
}

fn certificate_table(
    key: &'static str,
    title_vi: &'static str,
    title_en: &'static str,
    items: &[ExpiringCertificate],
) -> Table {
    Table {
        key,
        title_vi,
        title_en,
        headers_vi: vec![
            "Sản phẩm",
            "Chủ thể",
            "Xã/phường",
            "Hạng",
            "Số giấy chứng nhận",
            "Ngày hết hạn",
            "Còn (ngày)",
        ],
        headers_en: vec![
            "Product",
            "Producer",
            "Commune",
            "Class",
            "Certificate no.",
            "Expires",
            "Days left",
        ],
        rows: items
            .iter()
            .map(|c| {
                vec![
                    c.product.clone().into(),
                    c.producer.clone().into(),
                    c.commune.clone().into(),
                    stage_vi(&c.stage).into(),
                    c.certificate_no.clone().into(),
                    c.expires.to_string().into(),
                    c.days_left.into(),
                ]
            })
            .collect(),
    }
}

/// The Vietnamese label of a stage's stable name.
pub(crate) fn stage_vi(stage: &str) -> &'static str {
    match stage {
        "three_star" => "3 sao",
        "four_star" => "4 sao",
        "five_star" => "5 sao",
        "potential_five_star" => "Tiềm năng 5 sao",
        "candidate" => "Ứng viên",
        "registered" => "Đã đăng ký",
        "not_certified" => "Không đạt",
        _ => "Khác",
    }
}

fn vn_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .and_then(|t| {
            chrono::FixedOffset::east_opt(7 * 3600)
                .map(|vn| t.with_timezone(&vn).format("%Y-%m-%d %H:%M").to_string())
        })
        .unwrap_or_default()
}

impl OcopReport {
    /// The report as tables, in the order of the workbook's sheets.
    pub fn tables(&self) -> Vec<Table> {
        let s = &self.stars;
        let summary_rows: Vec<(&str, &str, &str, u32)> = vec![
            ("certified_total", "Sản phẩm OCOP được công nhận (3 sao trở lên)", "Certified OCOP products (3 stars and above)", s.total()),
            ("three_star", "Sản phẩm 3 sao", "3-star products", s.three_star),
            ("four_star", "Sản phẩm 4 sao", "4-star products", s.four_star),
            ("five_star", "Sản phẩm 5 sao", "5-star products", s.five_star),
            ("potential_five_star", "Sản phẩm tiềm năng 5 sao", "Potential 5-star products", s.potential_five_star),
            ("women_owned", "Sản phẩm của chủ thể do phụ nữ làm chủ", "Products of women-owned producers", self.women_owned),
            ("on_ecommerce", "Sản phẩm có mặt trên sàn thương mại điện tử", "Products on e-commerce platforms", self.on_ecommerce),
            ("expiring", "Giấy chứng nhận hết hạn trong thời hạn báo cáo", "Certificates expiring within the window", self.expiring.len() as u32),
            ("expired", "Giấy chứng nhận đã hết hạn", "Certificates already expired", self.expired.len() as u32),
            ("pending_review", "Phiếu khảo sát chờ duyệt", "Visits pending review", self.pending_review.len() as u32),
            ("candidates", "Sản phẩm ứng viên, đã đăng ký chưa đánh giá", "Candidate and registered products", self.candidates),
        ];
        let total = s.total().max(1);
        let percent = |n: u32| format!("{:.1}%", f64::from(n) * 100.0 / f64::from(total));
        let mut tables = vec![
            Table {
                key: "summary",
                title_vi: "Tổng hợp",
                title_en: "Summary",
                headers_vi: vec!["Mã", "Chỉ tiêu", "Indicator", "Số lượng"],
                headers_en: vec!["Code", "Chỉ tiêu (vi)", "Indicator", "Count"],
                rows: summary_rows
                    .iter()
                    .map(|(code, vi, en, n)| {
                        vec![(*code).into(), (*vi).into(), (*en).into(), (*n).into()]
                    })
                    .collect(),
            },
            Table {
                key: "by_star",
                title_vi: "Theo hạng sao",
                title_en: "By star rating",
                headers_vi: vec!["Mã", "Hạng", "Số sản phẩm", "Tỷ lệ"],
                headers_en: vec!["Code", "Class", "Products", "Share"],
                rows: [
                    ("three_star", s.three_star),
                    ("four_star", s.four_star),
                    ("five_star", s.five_star),
                    ("potential_five_star", s.potential_five_star),
                ]
                .iter()
                .map(|(code, n)| {
                    vec![(*code).into(), stage_vi(code).into(), (*n).into(), percent(*n).into()]
                })
                .collect(),
            },
            Table {
                key: "by_group",
                title_vi: "Theo nhóm sản phẩm",
                title_en: "By product group",
                headers_vi: [&["Mã nhóm", "Nhóm sản phẩm"][..], &STAR_HEADERS_VI[..]].concat(),
                headers_en: [&["Group code", "Product group"][..], &STAR_HEADERS_EN[..]].concat(),
                rows: self
                    .by_group
                    .iter()
                    .map(|g| {
                        let mut row: Vec<Cell> = vec![g.code.clone().into(), g.name_vi.clone().into()];
                        row.extend(star_cells(&g.stars));
                        row
                    })
                    .collect(),
            },
            Table {
                key: "by_commune",
                title_vi: "Theo xã",
                title_en: "By commune",
                headers_vi: [
                    &["Mã xã", "Xã/phường"][..],
                    &STAR_HEADERS_VI[..],
                    &["Phụ nữ làm chủ", "Trên sàn TMĐT"][..],
                ]
                .concat(),
                headers_en: [
                    &["Commune code", "Commune"][..],
                    &STAR_HEADERS_EN[..],
                    &["Women-owned", "On e-commerce"][..],
                ]
                .concat(),
                rows: self
                    .by_commune
                    .iter()
                    .map(|c| {
                        let mut row: Vec<Cell> = vec![c.code.clone().into(), c.name.clone().into()];
                        row.extend(star_cells(&c.stars));
                        row.push(c.women_owned.into());
                        row.push(c.on_ecommerce.into());
                        row
                    })
                    .collect(),
            },
            Table {
                key: "ecommerce",
                title_vi: "Sàn thương mại điện tử",
                title_en: "E-commerce platforms",
                headers_vi: vec!["Sàn", "Số sản phẩm"],
                headers_en: vec!["Platform", "Products"],
                rows: self
                    .ecommerce_by_platform
                    .iter()
                    .map(|(p, n)| vec![p.clone().into(), (*n).into()])
                    .collect(),
            },
            certificate_table("expiring", "Sắp hết hạn", "Expiring soon", &self.expiring),
            certificate_table("expired", "Đã hết hạn", "Expired", &self.expired),
        ];
        tables.push(Table {
            key: "pending_review",
            title_vi: "Chờ duyệt",
            title_en: "Pending review",
            headers_vi: vec!["Mã phiếu", "Chủ thể", "Mã xã", "Người thu thập", "Nộp lúc (giờ VN)"],
            headers_en: vec!["Visit id", "Producer", "Commune code", "Collector", "Submitted (VN time)"],
            rows: self
                .pending_review
                .iter()
                .map(|v| {
                    vec![
                        v.visit_id.to_string().into(),
                        v.producer.clone().into(),
                        v.commune_code.clone().into(),
                        v.collector.clone().into(),
                        v.submitted_at.map(vn_time).into(),
                    ]
                })
                .collect(),
        });
        tables
    }
}
