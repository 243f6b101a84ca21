//! Report exports: an XLSX workbook (a formatted sheet per table) and CSV files (one per table).
//!
//! - **XLSX** (rust_xlsxwriter): bold white-on-blue header row, thin borders, columns sized to their text, the
//!   header frozen and an autofilter on every sheet; counts are numbers, not text, so Excel sums them.
//! - **CSV** (csv crate): one file per table named by its key (`summary.csv`, `by_commune.csv` …), UTF-8 with a
//!   byte-order mark, because Excel opens BOM-less UTF-8 as the local code page and mangles "Đồng Tâm".
//!
//! Both exist as bytes (for the hub's downloads) and as files (for the CLI).

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};
use serde::{Deserialize, Serialize};

use super::{Cell, OcopReport, Table};
use crate::error::{Error, Result};

/// The UTF-8 byte-order mark written at the start of every CSV file.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The language of headers and sheet names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Tiếng Việt (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Table {
    /// Headers in `lang`.
    pub fn headers(&self, lang: Lang) -> &[&'static str] {
        match lang {
            Lang::Vi => &self.headers_vi,
            Lang::En => &self.headers_en,
        }
    }

    /// Title in `lang`.
    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.title_vi,
            Lang::En => self.title_en,
        }
    }
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::Io(std::io::Error::other(format!("writing the workbook: {e}")))
}

/// The report as an XLSX workbook, a sheet per table.
pub fn xlsx_bytes(report: &OcopReport, lang: Lang) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x1F4E78))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let body = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");
    for table in report.tables() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.title(lang)).map_err(xlsx_error)?;
        let headers = table.headers(lang);
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for (c, h) in headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, col(c)?, *h, &header)
                .map_err(xlsx_error)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| too_big())?;
            for (c, cell) in row.iter().enumerate() {
                let cc = col(c)?;
                match cell {
                    Cell::Text(s) => {
                        sheet
                            .write_string_with_format(r, cc, s, &body)
                            .map_err(xlsx_error)?;
                    }
                    // Counts and day numbers fit f64 exactly.
                    #[allow(clippy::cast_precision_loss)]
                    Cell::Int(n) => {
                        sheet
                            .write_number_with_format(r, cc, *n as f64, &number)
                            .map_err(xlsx_error)?;
                    }
                    Cell::Empty => {
                        sheet.write_blank(r, cc, &body).map_err(xlsx_error)?;
                    }
                }
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(cell.to_text().chars().count());
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let width = (*w).clamp(8, 60) as f64 + 2.0;
            sheet.set_column_width(col(c)?, width).map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        if !headers.is_empty() {
            let last_row = u32::try_from(table.rows.len()).map_err(|_| too_big())?;
            sheet
                .autofilter(0, 0, last_row, col(headers.len() - 1)?)
                .map_err(xlsx_error)?;
        }
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

fn col(c: usize) -> Result<u16> {
    u16::try_from(c).map_err(|_| too_big())
}

fn too_big() -> Error {
    Error::Invalid {
        field: "report".into(),
        reason: "too many rows or columns for a worksheet".into(),
    }
}

/// Writes the XLSX workbook to `path`.
pub fn write_xlsx(report: &OcopReport, path: &Path, lang: Lang) -> Result<()> {
    std::fs::write(path, xlsx_bytes(report, lang)?)?;
    Ok(())
}

/// One table as CSV bytes: UTF-8 with a BOM, a header row, then the rows.
pub fn csv_bytes(table: &Table, lang: Lang) -> Result<Vec<u8>> {
    let mut out = UTF8_BOM.to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(table.headers(lang)).map_err(csv_error)?;
        for row in &table.rows {
            w.write_record(row.iter().map(Cell::to_text)).map_err(csv_error)?;
        }
        w.flush()?;
    }
    Ok(out)
}

fn csv_error(e: csv::Error) -> Error {
    Error::Io(std::io::Error::other(format!("writing CSV: {e}")))
}

/// Writes every table as `<dir>/<key>.csv` (creating `dir`); returns the files written, in table order.
pub fn write_csv_dir(report: &OcopReport, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for table in report.tables() {
        let path = dir.join(format!("{}.csv", table.key));
        std::fs::write(&path, csv_bytes(&table, lang)?)?;
        written.push(path);
    }
    Ok(written)
}
