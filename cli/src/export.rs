//! `ocop export` (the OCOP summary report as XLSX, CSV or GeoJSON) and `ocop duplicates` (likely duplicate
//! producers), over a device store file or a hub's data folder (through the hub's read model).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use ocop_core::duplicates::DuplicateFilter;
use ocop_core::ids::Date;
use ocop_core::reports::ReportOptions;
use ocop_core::reports::export::{self, Lang};
use ocop_core::store::{Store, StoreOptions};

/// Where the records come from.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// A device store (an `.db` file written by OCOP Field).
    #[arg(long, value_name = "PATH.db")]
    store: Option<PathBuf>,
    /// A hub's data folder (as given to `ocop hub serve --data`); its read model is brought up to date first.
    #[arg(long, value_name = "DIR")]
    hub_data: Option<PathBuf>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An Excel workbook, one formatted sheet per table.
    Xlsx,
    /// One CSV file per table (UTF-8 with BOM) in the `--out` folder.
    Csv,
    /// Producers and visits as points, raw-material zones as polygons (RFC 7946).
    Geojson,
}

/// Header language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Tiếng Việt.
    Vi,
    /// English.
    En,
}

/// `ocop export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    source: Source,
    /// Output format.
    #[arg(long, value_enum)]
    format: Format,
    /// Output file (xlsx, geojson) or folder (csv).
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Report date (YYYY-MM-DD): certificates expiring within 90 days of it are listed. Default: today in Vietnam.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
    /// Only this province (2025 code, e.g. 19 for Thái Nguyên).
    #[arg(long)]
    province: Option<String>,
    /// Language of headers and sheet names.
    #[arg(long, value_enum, default_value = "vi")]
    lang: LangArg,
}

/// `ocop duplicates`.
#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    #[command(flatten)]
    source: Source,
    /// Only this province (2025 code).
    #[arg(long)]
    province: Option<String>,
    /// Only pairs with a producer in this commune.
    #[arg(long)]
    commune: Option<String>,
    /// Lowest score listed (0–1).
    #[arg(long, default_value_t = 0.6)]
    min_score: f64,
    /// At most this many pairs.
    #[arg(long, default_value_t = 200)]
    limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// An open source of records: a store, or a hub (kept open while its read model is used).
enum Opened {
    Store(Box<Store>),
    Hub(ocop_hub::Hub),
}

impl Opened {
    fn open(source: &Source) -> anyhow::Result<Self> {
        if let Some(path) = &source.store {
            if !path.is_file() {
                bail!("no store at {}", path.display());
            }
            let store = Store::open(path, StoreOptions::default())
                .with_context(|| format!("opening the store {}", path.display()))?;
            return Ok(Opened::Store(Box::new(store)));
        }
        if let Some(dir) = &source.hub_data {
            if !dir.is_dir() {
                bail!("no hub data folder at {}", dir.display());
            }
            let hub = ocop_hub::Hub::open(dir, ocop_hub::HubOptions::default())
                .with_context(|| format!("opening the hub data in {}", dir.display()))?;
            return Ok(Opened::Hub(hub));
        }
        bail!("give --store or --hub-data")
    }

    fn store(&self) -> anyhow::Result<&Store> {
        match self {
            Opened::Store(s) => Ok(s),
            Opened::Hub(h) => Ok(h
                .read_model()
                .context("bringing the hub's read model up to date")?
                .store()),
        }
    }
}

fn parse_date(s: Option<&str>) -> anyhow::Result<Date> {
    match s {
        None => Ok(Date::today_vn()),
        Some(s) => Date::parse(s).with_context(|| format!("--as-of {s:?}")),
    }
}

/// Runs `ocop export`.
pub fn run_export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let opened = Opened::open(&args.source)?;
    let store = opened.store()?;
    let options = ReportOptions {
        province_code: args.province.clone(),
        ..ReportOptions::as_of(parse_date(args.as_of.as_deref())?)
    };
    let lang = match args.lang {
        LangArg::Vi => Lang::Vi,
        LangArg::En => Lang::En,
    };
    let report = store.ocop_report(&options)?;
    match args.format {
        Format::Xlsx => {
            ensure_parent(&args.out)?;
            export::write_xlsx(&report, &args.out, lang)?;
            println!("wrote {}", args.out.display());
        }
        Format::Csv => {
            for f in export::write_csv_dir(&report, &args.out, lang)? {
                println!("wrote {}", f.display());
            }
        }
        Format::Geojson => {
            ensure_parent(&args.out)?;
            store.write_geojson(&options, &args.out)?;
            println!("wrote {}", args.out.display());
        }
    }
    let s = &report.stars;
    println!(
        "as of {}: {} certified OCOP products — 3★ {}, 4★ {}, 5★ {}, potential 5★ {}; women-owned {}; \
         on e-commerce {}; certificates expiring within {} days {}; visits pending review {}",
        options.as_of,
        s.total(),
        s.three_star,
        s.four_star,
        s.five_star,
        s.potential_five_star,
        report.women_owned,
        report.on_ecommerce,
        options.expiring_within_days,
        report.expiring.len(),
        report.pending_review.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn ensure_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(())
}

/// Runs `ocop duplicates`.
pub fn run_duplicates(args: &DuplicatesArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.min_score) {
        bail!("--min-score must be between 0 and 1");
    }
    let opened = Opened::open(&args.source)?;
    let store = opened.store()?;
    let pairs = store.duplicate_candidates(&DuplicateFilter {
        province_code: args.province.clone(),
        commune_code: args.commune.clone(),
        producer_id: None,
        min_score: args.min_score,
        limit: args.limit,
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&pairs)?);
        return Ok(ExitCode::SUCCESS);
    }
    if pairs.is_empty() {
        println!("no likely duplicates");
    }
    for p in &pairs {
        println!("{:.2}  {}  ↔  {}", p.score, p.a.name, p.b.name);
        println!("      {} ({})  ↔  {} ({})", p.a.id, p.a.commune_name, p.b.id, p.b.commune_name);
        let reasons: Vec<String> = p.reasons.iter().map(|r| r.text_vi()).collect();
        println!("      {}", reasons.join("; "));
    }
    Ok(ExitCode::SUCCESS)
}
