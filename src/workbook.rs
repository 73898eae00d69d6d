//! Reading a workbook's bytes into sheets with absolute cell coordinates, merge regions and
//! (xlsx) number formats. Owns format sniffing and calamine; it never interprets the form.
//! calamine's `Range` indexes from `range.start()`; everything here is absolute (row, col),
//! 0-based, as the worksheet shows it.

use crate::text::decimal_from_f64;
use calamine::{
    Data, DataRef, Dimensions, Ods, Range, Reader, SheetType, SheetVisible, StyleRange, Xls,
    XlsOptions, Xlsx,
};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// Bounds on what one file may cost, so a hostile file ends in a message, not an
/// out-of-memory kill. All are options of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file, in bytes.
    pub max_file_bytes: u64,
    /// Largest total size of a zip container's parts once decompressed (xlsx, ods), in bytes.
    pub max_unzipped_bytes: u64,
    /// Most non-empty cells in one workbook.
    pub max_cells: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 50 << 20,
            max_unzipped_bytes: 500 << 20,
            max_cells: 2_000_000,
        }
    }
}

/// The container format, sniffed from the bytes (never from the file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Ods,
}

impl Format {
    /// Short lowercase name, as the extension.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
        }
    }
}

/// Why a file could not be read as a workbook. Messages are for the user, in Chinese.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ReadError {
    #[error("文件为空")]
    Empty,
    #[error("文件已加密，请先取消密码后再检查")]
    Encrypted,
    #[error(
        "这是网页或 XML 格式（{0}），不是真正的 Excel 工作簿；请在 Excel 或 WPS 中另存为 .xlsx 后再检查"
    )]
    NotBinaryWorkbook(&'static str),
    #[error("这是 Word 文档，不是 Excel 工作簿")]
    WordDocument,
    #[error("这是 Excel 二进制工作簿（.xlsb），请在 Excel 或 WPS 中另存为 .xlsx 后再检查")]
    Xlsb,
    #[error("这是文本文件（如 CSV），不是 Excel 工作簿；请在 Excel 或 WPS 中另存为 .xlsx 后再检查")]
    PlainText,
    #[error("无法识别的文件格式：不是 xlsx、xls 或 ods 工作簿")]
    Unknown,
    #[error(
        "工作簿已损坏或不完整（可能下载、复制时中断），无法读取（{format}，技术信息：{detail}）"
    )]
    Corrupt {
        format: &'static str,
        detail: String,
    },
    #[error("工作簿中没有可见的工作表")]
    NoSheets,
    #[error("文件过大（{size} MB，上限 {limit} MB），请只保留申报表后再检查")]
    FileTooLarge { size: u64, limit: u64 },
    #[error("工作簿解压后过大（超过 {limit} MB），可能已损坏或是恶意文件")]
    UnzippedTooLarge { limit: u64 },
    #[error("工作簿中的单元格过多（超过 {limit} 个），请只保留申报表后再检查")]
    TooManyCells { limit: u64 },
    #[error("工作表“{0}”的合并单元格过多或过大，无法检查")]
    TooManyMerges(String),
}

/// One worksheet: values at absolute positions, merges and number formats.
///
/// Cells are kept sparse (only non-empty ones), so a sheet that claims a huge dimension or has
/// two cells far apart costs what it holds, not its bounding box.
pub struct Sheet {
    /// The sheet's name as shown on its tab.
    pub name: String,
    /// Hidden or very hidden sheets are skipped when looking for the form.
    pub visible: bool,
    cells: BTreeMap<(u32, u32), Data>,
    end: Option<(u32, u32)>,
    merges: Vec<Dimensions>,
    /// Row → the merges crossing it, so finding a cell's merge does not scan every merge.
    merge_rows: std::collections::HashMap<u32, Vec<usize>>,
    styles: StyleRange,
    /// Cells holding a formula whose result was never saved (xlsx).
    formulas_without_value: Vec<(u32, u32)>,
    /// Formulas that are only a number typed after "=" ("=100%", "=90"): what the user typed,
    /// without the "=". Excel turns "=100%" typed as a target into a formula showing 100%.
    constant_formulas: BTreeMap<(u32, u32), String>,
    /// Whether number formats were read (xlsx); xls and ods carry none calamine exposes.
    has_number_formats: bool,
}

/// A read workbook.
pub struct Workbook {
    /// The sniffed format.
    pub format: Format,
    /// Worksheets in workbook order (chart sheets left out).
    pub sheets: Vec<Sheet>,
    /// What the reader had to decide about the whole file (e.g. its text encoding), in Chinese.
    pub notes: Vec<String>,
}

static EMPTY: Data = Data::Empty;

impl Sheet {
    /// Builds a sheet from sparse cells (blank ones are dropped). Refuses merges that would
    /// cover more rows, all told, than `MAX_MERGE_ROWS`.
    pub fn new(
        name: String,
        visible: bool,
        cells: impl IntoIterator<Item = ((u32, u32), Data)>,
        merges: Vec<Dimensions>,
    ) -> Result<Sheet, ReadError> {
        const MAX_MERGE_ROWS: u64 = 5_000_000;
        // A merge written backwards (end before start) by a broken file is taken corner to corner.
        let merges: Vec<Dimensions> = merges
            .into_iter()
            .map(|m| Dimensions {
                start: (m.start.0.min(m.end.0), m.start.1.min(m.end.1)),
                end: (m.start.0.max(m.end.0), m.start.1.max(m.end.1)),
            })
            .collect();
        let mut merge_rows: std::collections::HashMap<u32, Vec<usize>> = Default::default();
        let covered: u64 = merges
            .iter()
            .map(|m| u64::from(m.end.0.saturating_sub(m.start.0)) + 1)
            .sum();
        if covered > MAX_MERGE_ROWS {
            return Err(ReadError::TooManyMerges(name));
        }
        for (i, m) in merges.iter().enumerate() {
            for r in m.start.0..=m.end.0 {
                merge_rows.entry(r).or_default().push(i);
            }
        }
        let cells: BTreeMap<(u32, u32), Data> =
            cells.into_iter().filter(|(_, v)| !is_blank(v)).collect();
        let end = cells.keys().fold(None, |acc: Option<(u32, u32)>, &(r, c)| {
            Some(acc.map_or((r, c), |(er, ec)| (er.max(r), ec.max(c))))
        });
        Ok(Sheet {
            name,
            visible,
            cells,
            end,
            merges,
            merge_rows,
            styles: StyleRange::empty(),
            formulas_without_value: Vec::new(),
            constant_formulas: BTreeMap::new(),
            has_number_formats: false,
        })
    }

    /// Builds a sheet from a calamine range (xls, ods), whose positions are relative to its start.
    fn from_range(
        name: String,
        visible: bool,
        range: &Range<Data>,
        merges: Vec<Dimensions>,
    ) -> Result<Sheet, ReadError> {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let cells = range
            .used_cells()
            .map(|(r, c, v)| ((r0 + r as u32, c0 + c as u32), v.clone()));
        Sheet::new(name, visible, cells, merges)
    }

    /// The value at an absolute position (Empty where nothing is).
    pub fn get(&self, row: u32, col: u32) -> &Data {
        self.cells.get(&(row, col)).unwrap_or(&EMPTY)
    }

    /// The cell's text as displayed, trimmed at the ends only.
    pub fn text(&self, row: u32, col: u32) -> String {
        cell_text(self.get(row, col))
    }

    /// Every non-empty cell with its absolute position, row by row.
    pub fn used(&self) -> impl Iterator<Item = (u32, u32, &Data)> {
        self.cells.iter().map(|(&(r, c), v)| (r, c, v))
    }

    /// The non-empty cells of one row, left to right.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u32, &Data)> {
        self.cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|(&(_, c), v)| (c, v))
    }

    /// The rows in `from..=to` that hold at least one non-empty cell, top to bottom.
    pub fn used_rows(&self, from: u32, to: u32) -> Vec<u32> {
        if from > to {
            return Vec::new(); // BTreeMap::range panics on a reversed range (found by fuzzing)
        }
        let mut rows: Vec<u32> = self
            .cells
            .range((from, 0)..=(to, u32::MAX))
            .map(|(&(r, _), _)| r)
            .collect();
        rows.dedup();
        rows
    }

    /// The last used row and column (absolute), if any cell is used.
    pub fn end(&self) -> Option<(u32, u32)> {
        self.end
    }

    /// The merge region covering a cell, if any.
    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Dimensions> {
        self.merge_rows
            .get(&row)?
            .iter()
            .map(|&i| &self.merges[i])
            .find(|m| m.contains(row, col))
    }

    /// The cell's number format code (xlsx only; other formats carry none calamine reads).
    pub fn number_format(&self, row: u32, col: u32) -> Option<&str> {
        self.styles
            .get((row, col))
            .and_then(|s| s.number_format.as_ref())
            .map(|n| n.format_code.as_str())
    }

    /// The cell's style (xlsx only).
    pub fn style(&self, row: u32, col: u32) -> Option<&calamine::Style> {
        self.styles.get((row, col))
    }

    /// The number of cells in the bounding box of the styled cells (0 when none).
    pub fn styled_area(&self) -> u64 {
        (self.styles.width() as u64).saturating_mul(self.styles.height() as u64)
    }

    /// Positions of the cells with an explicit style. Walks the styled bounding box: check
    /// [`Sheet::styled_area`] first.
    pub fn styled_cells(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.styles
            .cells()
            .filter(|(_, _, st)| st.has_visible_properties() || st.number_format.is_some())
            .map(|(r, c, _)| (r, c))
    }

    /// The merge regions.
    pub fn merge_regions(&self) -> &[Dimensions] {
        &self.merges
    }

    /// Columns of a row holding a formula never calculated (they are not among the values).
    pub fn formulas_without_value_in_row(&self, row: u32) -> impl Iterator<Item = u32> + '_ {
        self.formulas_without_value
            .iter()
            .filter(move |(r, _)| *r == row)
            .map(|(_, c)| *c)
    }

    /// Whether number formats were read: when not (xls, ods), a percentage typed as 90% reads as
    /// the bare fraction 0.9 and callers must decide from context.
    pub fn has_number_formats(&self) -> bool {
        self.has_number_formats
    }

    /// The number typed after "=" when the cell's formula is only that ("100%" for "=100%").
    pub fn constant_formula(&self, row: u32, col: u32) -> Option<&str> {
        self.constant_formulas.get(&(row, col)).map(String::as_str)
    }

    /// Whether a cell holds a formula whose result was never calculated and saved (it reads as
    /// empty, or as a program's placeholder 0 in a file that asks to be recalculated on load).
    pub fn formula_without_value(&self, row: u32, col: u32) -> bool {
        self.formulas_without_value.contains(&(row, col))
    }
}

/// A formula that is only a number ("100%", "+90", "of:=100%" as ods writes it), as typed.
fn constant_formula(f: &str) -> Option<String> {
    let f = f
        .trim()
        .trim_start_matches("of:")
        .trim_start_matches('=')
        .trim();
    let body = f.trim_start_matches(['+', '-']).trim_end_matches('%');
    let numeric = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.chars().filter(|&c| c == '.').count() <= 1
        && body.chars().any(|c| c.is_ascii_digit());
    numeric.then(|| f.to_string())
}

/// Whether a value counts as blank: empty, or text that is only whitespace.
pub fn is_blank(v: &Data) -> bool {
    match v {
        Data::Empty => true,
        Data::String(s) => crate::text::trim(s).is_empty(),
        _ => false,
    }
}

/// A value as text, the way the user sees it (numbers without float noise), trimmed.
pub fn cell_text(v: &Data) -> String {
    match v {
        Data::Empty => String::new(),
        Data::String(s) => crate::text::trim(s).to_string(),
        Data::Float(f) => decimal_from_f64(*f)
            .map(|d| d.to_string())
            .unwrap_or_else(|| f.to_string()),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => excel_date(d.as_f64()),
        other => other.to_string(),
    }
}

/// An Excel date serial (1900 system) as "YYYY-MM-DD", with "hh:mm" when it has a time.
pub fn excel_date(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return serial.to_string();
    }
    let days = serial.floor() as i64;
    // Excel counts 1900-02-29, which did not exist: serials from 61 on are one day ahead.
    let days_since_1970 = if days >= 61 {
        days - 25569
    } else {
        days - 25568
    };
    // Howard Hinnant's civil_from_days.
    let z = days_since_1970 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let minutes = ((serial - serial.floor()) * 1440.0).round() as i64;
    if minutes == 0 || minutes == 1440 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}",
            minutes / 60,
            minutes % 60
        )
    }
}

/// Sniffs the container format from the first bytes and the zip directory names.
pub fn sniff(bytes: &[u8]) -> Result<Format, ReadError> {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(OLE) {
        // An encrypted OOXML file is an OLE container with an EncryptionInfo stream.
        let name: Vec<u8> = "EncryptionInfo"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        if contains(bytes, &name) {
            return Err(ReadError::Encrypted);
        }
        return Ok(Format::Xls);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        if contains(
            &bytes[..bytes.len().min(200)],
            b"application/vnd.oasis.opendocument.spreadsheet",
        ) {
            return Ok(Format::Ods);
        }
        if contains(bytes, b"xl/workbook.bin") {
            // calamine expands an xlsb sheet into a dense grid of its bounding box, which a
            // hostile file can make any size; the form is never distributed as xlsb.
            return Err(ReadError::Xlsb);
        }
        if contains(bytes, b"xl/workbook.xml") || contains(bytes, b"xl/_rels/") {
            return Ok(Format::Xlsx);
        }
        if contains(bytes, b"word/document.xml") {
            return Err(ReadError::WordDocument);
        }
        return Err(ReadError::Unknown);
    }
    let head = &bytes[..bytes.len().min(4096)];
    let lower = String::from_utf8_lossy(head).to_lowercase();
    let trimmed = lower.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return Err(ReadError::NotBinaryWorkbook("SpreadsheetML 2003"));
        }
        return Err(ReadError::NotBinaryWorkbook("HTML"));
    }
    if std::str::from_utf8(head).is_ok() && !head.contains(&0) {
        return Err(ReadError::PlainText);
    }
    Err(ReadError::Unknown)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn corrupt(format: Format, e: impl std::fmt::Display) -> ReadError {
    ReadError::Corrupt {
        format: format.name(),
        detail: e.to_string(),
    }
}

/// Reads a workbook from bytes within the default limits.
pub fn read(bytes: &[u8]) -> Result<Workbook, ReadError> {
    read_with(bytes, &Limits::default())
}

/// Decompresses every part of a zip container as a stream, counting bytes, so a zip bomb is
/// refused after reading at most the limit, before calamine inflates anything into memory.
///
/// Returns whether the workbook asks to be fully recalculated on load (`fullCalcOnLoad`), as
/// files written by programs rather than saved by Excel or WPS do: their cached formula results
/// are placeholders (0), not values anyone has seen.
fn check_zip(bytes: &[u8], format: Format, limits: &Limits) -> Result<bool, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format, e))?;
    let limit = limits.max_unzipped_bytes;
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    let mut recalc_on_load = false;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| corrupt(format, e))?;
        if part.size() > limit {
            return Err(ReadError::UnzippedTooLarge { limit: limit >> 20 });
        }
        let is_workbook = part.name().map(|n| n == "xl/workbook.xml").unwrap_or(false);
        let mut head: Vec<u8> = Vec::new();
        loop {
            let n = part.read(&mut buf).map_err(|e| corrupt(format, e))?;
            if n == 0 {
                break;
            }
            if is_workbook && head.len() < (1 << 20) {
                head.extend_from_slice(&buf[..n]);
            }
            total += n as u64;
            if total > limit {
                return Err(ReadError::UnzippedTooLarge { limit: limit >> 20 });
            }
        }
        if is_workbook {
            recalc_on_load = contains(&head, b"fullCalcOnLoad=\"1\"")
                || contains(&head, b"fullCalcOnLoad=\"true\"");
        }
    }
    Ok(recalc_on_load)
}

/// calamine turns every .xls sheet into a dense grid of its cells' bounding box while opening
/// the file, so one cell at A1 and one at row 65535, column 65535 ask for over 100 GB and abort
/// the process (found by the fuzzer). Before calamine sees an .xls, walk its BIFF records and
/// refuse a sheet whose bounding box is larger than the dense limit.
fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let format = Format::Xls;
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| corrupt(format, e))?;
    let path = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|p| file.is_stream(p))
        .ok_or_else(|| corrupt(format, "没有 Workbook 数据流"))?;
    let mut stream = Vec::new();
    file.open_stream(path)
        .and_then(|mut s| s.read_to_end(&mut stream))
        .map_err(|e| corrupt(format, e))?;
    let dense_limit = limits.max_cells.saturating_mul(4);
    // (min row, max row, min col, max col) of the current substream's cells.
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        at += 4 + len;
        let u16_at = |i: usize| {
            data.get(i..i + 2)
                .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let cells: Option<(u32, u32, u32)> = match typ {
            // Number, Label, RString, BoolErr, Formula, Rk, LabelSst: row, col first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x0006 | 0x027E | 0x00FD => {
                u16_at(0).zip(u16_at(2)).map(|(r, c)| (r, c, c))
            }
            // MulRk: row, first col, …, last col in the final two bytes.
            0x00BD if data.len() >= 6 => u16_at(0)
                .zip(u16_at(2))
                .zip(u16_at(data.len() - 2))
                .map(|((r, c1), c2)| (r, c1, c2)),
            // Dimensions: calamine reserves rows × columns cells for it up front, so a forged
            // record is refused by the same bound (parsed as calamine does).
            0x0200 => {
                let dims = match data.len() {
                    10 => u16_at(0).zip(u16_at(2)).zip(u16_at(4)).zip(u16_at(6)),
                    14 | 16 => {
                        let u32_at = |i: usize| {
                            data.get(i..i + 4)
                                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        };
                        u32_at(0).zip(u32_at(4)).zip(u16_at(8)).zip(u16_at(10))
                    }
                    _ => None,
                };
                if let Some((((rf, rl), cf), cl)) = dims {
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    let (end_r, end_c) = if rl >= 1 && cl >= 1 {
                        (rl - 1, cl - 1)
                    } else {
                        (rf, cf)
                    };
                    if end_r < rf || end_c < cf {
                        // calamine would compute a negative size, wrapping to billions.
                        return Err(corrupt(format, "Dimensions 记录无效"));
                    }
                    let rows = u64::from(end_r.saturating_sub(rf)) + 1;
                    let cols = u64::from(end_c.saturating_sub(cf)) + 1;
                    if rows.saturating_mul(cols) > dense_limit {
                        return Err(ReadError::TooManyCells {
                            limit: limits.max_cells,
                        });
                    }
                }
                None
            }
            // BOF: a new substream (sheet) starts.
            0x0809 => {
                bbox = None;
                None
            }
            _ => None,
        };
        if let Some((r, c1, c2)) = cells {
            let (lo, hi) = (c1.min(c2), c1.max(c2));
            let b = bbox.get_or_insert((r, r, lo, hi));
            *b = (b.0.min(r), b.1.max(r), b.2.min(lo), b.3.max(hi));
            let area = u64::from(b.1 - b.0 + 1) * u64::from(b.3 - b.2 + 1);
            if area > dense_limit {
                return Err(ReadError::TooManyCells {
                    limit: limits.max_cells,
                });
            }
        }
    }
    Ok(())
}

/// calamine's ods reader expands repeated rows and cells (`number-rows-repeated`,
/// `number-columns-repeated`) into a dense grid before we see anything: an 800-byte file can
/// ask for 100 million cells (6 GB). Stream content.xml first and refuse a sheet whose
/// non-empty cells span a bounding box larger than the dense limit.
fn check_ods(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    let format = Format::Ods;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format, e))?;
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(()); // calamine reports the missing part
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let dense_limit = limits.max_cells.saturating_mul(4);
    let attr = |e: &quick_xml::events::BytesStart, name: &str| -> Option<u64> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.trim().parse().ok())
    };
    let (mut row, mut col) = (0u64, 0u64);
    let mut rows_rep = 1u64;
    // (min row, max row, min col, max col) of the current table's non-empty cells.
    let mut bbox: Option<(u64, u64, u64, u64)> = None;
    let mut buf = Vec::new();
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| corrupt(format, e))?;
        let empty_tag = matches!(event, Event::Empty(_));
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "table" => {
                    (row, bbox) = (0, None);
                }
                "table-row" => {
                    rows_rep = attr(e, "table:number-rows-repeated").unwrap_or(1).max(1);
                    col = 0;
                    if empty_tag {
                        row = row.saturating_add(rows_rep);
                    }
                }
                "table-cell" | "covered-table-cell" => {
                    let cols_rep = attr(e, "table:number-columns-repeated").unwrap_or(1).max(1);
                    let has_value = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "office:value-type");
                    // A cell with text but no value type is non-empty too: count any Start tag.
                    if has_value || !empty_tag {
                        let (r2, c2) = (
                            row.saturating_add(rows_rep - 1),
                            col.saturating_add(cols_rep - 1),
                        );
                        let b = bbox.get_or_insert((row, r2, col, c2));
                        *b = (b.0.min(row), b.1.max(r2), b.2.min(col), b.3.max(c2));
                        let area = (b.1 - b.0 + 1).saturating_mul(b.3 - b.2 + 1);
                        if area > dense_limit {
                            return Err(ReadError::TooManyCells {
                                limit: limits.max_cells,
                            });
                        }
                    }
                    col = col.saturating_add(cols_rep);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "table-row" => {
                row = row.saturating_add(rows_rep);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// Counts cells against the workbook-wide limit.
struct Budget {
    left: u64,
    limit: u64,
}

impl Budget {
    fn take(&mut self, n: u64) -> Result<(), ReadError> {
        if n > self.left {
            return Err(ReadError::TooManyCells { limit: self.limit });
        }
        self.left -= n;
        Ok(())
    }
}

fn owned(v: DataRef<'_>) -> Data {
    match v {
        DataRef::Int(i) => Data::Int(i),
        DataRef::Float(f) => Data::Float(f),
        DataRef::String(s) => Data::String(s),
        DataRef::SharedString(s) => Data::String(s.to_string()),
        DataRef::Bool(b) => Data::Bool(b),
        DataRef::DateTime(d) => Data::DateTime(d),
        DataRef::DateTimeIso(s) => Data::DateTimeIso(s),
        DataRef::DurationIso(s) => Data::DurationIso(s),
        DataRef::Error(e) => Data::Error(e),
        DataRef::Empty => Data::Empty,
    }
}

/// Reads one xlsx sheet by streaming its cells (never a dense range).
fn read_xlsx_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    visible: bool,
    budget: &mut Budget,
    recalc_on_load: bool,
) -> Result<Sheet, ReadError> {
    let format = Format::Xlsx;
    let mut cells = Vec::new();
    let mut no_value = Vec::new();
    let mut constants = BTreeMap::new();
    {
        let mut reader = wb
            .worksheet_cells_reader(name)
            .map_err(|e| corrupt(format, e))?;
        while let Some(cell) = reader
            .next_cell_with_formula()
            .map_err(|e| corrupt(format, e))?
        {
            let empty = matches!(cell.value, DataRef::Empty);
            let zero = matches!(cell.value, DataRef::Float(f) if f == 0.0)
                || matches!(cell.value, DataRef::Int(0));
            // No cached result, or a program's placeholder 0 in a file never calculated.
            if (empty || (zero && recalc_on_load))
                && cell.formula.as_deref().is_some_and(|f| !f.is_empty())
            {
                no_value.push(cell.pos);
            }
            if let Some(f) = cell.formula.as_deref().and_then(constant_formula) {
                constants.insert(cell.pos, f);
            }
            if !empty {
                budget.take(1)?;
                cells.push((cell.pos, owned(cell.value)));
            }
        }
    }
    let merges = wb
        .merge_cells_by_sheet_name(name)
        .map_err(|e| corrupt(format, e))?;
    let styles = wb
        .worksheet_style(name)
        .unwrap_or_else(|_| StyleRange::empty());
    let mut sheet = Sheet::new(name.to_string(), visible, cells, merges)?;
    sheet.styles = styles;
    sheet.has_number_formats = true;
    sheet.formulas_without_value = no_value;
    sheet.constant_formulas = constants;
    Ok(sheet)
}

thread_local! {
    /// Set while a parser runs under [`contained`]: its panics are expected and handled.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs a panic hook that stays silent for panics contained in a parser (and prints the
/// others as before). Call once at start-up; without it a contained panic is still handled,
/// only its message also reaches stderr.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !CONTAINED.with(|c| c.get()) {
            previous(info);
        }
    }));
}

/// Runs a third-party parser on untrusted bytes. calamine can panic on malformed files (the
/// fuzzer found slice-index panics in its OLE reader); such a panic means the file is broken,
/// so it becomes a "corrupt file" reason instead of a crash.
fn contained<T>(format: Format, f: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    CONTAINED.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(false));
    result.unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(corrupt(format, format!("解析器无法处理此文件：{detail}")))
    })
}

/// Reads a workbook from bytes: every worksheet with values, merges and number formats.
pub fn read_with(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::FileTooLarge {
            size: (bytes.len() as u64) >> 20,
            limit: limits.max_file_bytes >> 20,
        });
    }
    let format = sniff(bytes)?;
    let recalc_on_load = if matches!(format, Format::Xlsx | Format::Ods) {
        check_zip(bytes, format, limits)?
    } else {
        false
    };
    if format == Format::Xls {
        contained(format, || check_xls(bytes, limits))?;
    }
    if format == Format::Ods {
        contained(format, || check_ods(bytes, limits))?;
    }
    let mut sheets = contained(format, || {
        read_sheets(bytes, format, limits, recalc_on_load, None)
    })?;
    let mut notes = Vec::new();
    // Old BIFF5 .xls files from Chinese Windows often store GBK text under a wrong or missing
    // CODEPAGE record: the text then reads as Latin letters. Read again as GBK (code page 936)
    // and keep that when it gives Chinese.
    if format == Format::Xls
        && looks_misdecoded(&sheets)
        && let Ok(gbk) = contained(format, || {
            read_sheets(bytes, format, limits, recalc_on_load, Some(936))
        })
        && cjk_count(&gbk) > 0
    {
        sheets = gbk;
        notes.push("文件中的文字编码声明有误，已按 GBK（简体中文）编码读取".to_string());
    }
    if !sheets.iter().any(|s| s.visible) {
        return Err(ReadError::NoSheets);
    }
    Ok(Workbook {
        format,
        sheets,
        notes,
    })
}

fn cjk_count(sheets: &[Sheet]) -> usize {
    texts(sheets)
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count()
}

fn texts(sheets: &[Sheet]) -> impl Iterator<Item = char> + '_ {
    sheets
        .iter()
        .flat_map(|s| s.used())
        .filter_map(|(_, _, v)| match v {
            Data::String(s) => Some(s.chars()),
            _ => None,
        })
        .flatten()
}

/// Text with no Chinese at all and a run of Latin-1 letters (Ã, Ê, ¿ …): GBK bytes decoded as
/// a Western code page.
fn looks_misdecoded(sheets: &[Sheet]) -> bool {
    let latin1 = texts(sheets)
        .filter(|c| ('\u{00C0}'..='\u{00FF}').contains(c))
        .count();
    latin1 >= 8 && cjk_count(sheets) == 0
}

/// Reads every worksheet of a reader that gives dense ranges (xls, ods) into sparse
/// sheets, counting cells against the budget; `merges` gives a sheet's merge regions where the
/// format has them.
fn dense_sheets<RS, R>(
    wb: &mut R,
    format: Format,
    budget: &mut Budget,
    merges: impl Fn(&mut R, &str) -> Result<Vec<Dimensions>, ReadError>,
) -> Result<Vec<Sheet>, ReadError>
where
    RS: Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let metas = wb.sheets_metadata().to_vec();
    let mut sheets = Vec::new();
    for m in metas.iter().filter(|m| m.typ == SheetType::WorkSheet) {
        let range = wb
            .worksheet_range(&m.name)
            .map_err(|e| corrupt(format, e))?;
        budget.take(range.used_cells().count() as u64)?;
        let merges = merges(wb, &m.name)?;
        let visible = m.visible == SheetVisible::Visible;
        let mut sheet = Sheet::from_range(m.name.clone(), visible, &range, merges)?;
        // Formulas are read only to recognise constants typed after "=" ("=100%"); a sheet
        // whose formulas cannot be read still has its values.
        if let Ok(formulas) = wb.worksheet_formula(&m.name) {
            let (r0, c0) = formulas.start().unwrap_or((0, 0));
            sheet.constant_formulas = formulas
                .used_cells()
                .filter_map(|(r, c, f)| {
                    constant_formula(f).map(|k| ((r0 + r as u32, c0 + c as u32), k))
                })
                .collect();
        }
        sheets.push(sheet);
    }
    Ok(sheets)
}

fn read_sheets(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    recalc_on_load: bool,
    codepage: Option<u16>,
) -> Result<Vec<Sheet>, ReadError> {
    let mut budget = Budget {
        left: limits.max_cells,
        limit: limits.max_cells,
    };
    let cur = Cursor::new(bytes);
    let visible = |m: &calamine::Sheet| m.visible == SheetVisible::Visible;
    let mut sheets = Vec::new();
    match format {
        Format::Xlsx => {
            let mut wb = Xlsx::new(cur).map_err(|e| corrupt(format, e))?;
            let metas = wb.sheets_metadata().to_vec();
            for m in metas.iter().filter(|m| m.typ == SheetType::WorkSheet) {
                sheets.push(read_xlsx_sheet(
                    &mut wb,
                    &m.name,
                    visible(m),
                    &mut budget,
                    recalc_on_load,
                )?);
            }
        }
        Format::Xls => {
            let mut options = XlsOptions::default();
            options.force_codepage = codepage;
            let mut wb = Xls::new_with_options(cur, options).map_err(|e| corrupt(format, e))?;
            sheets = dense_sheets(&mut wb, format, &mut budget, |wb, name| {
                wb.merge_cells_by_sheet_name(name)
                    .map_err(|e| corrupt(format, e))
            })?;
        }
        Format::Ods => {
            let mut wb = Ods::new(cur).map_err(|e| corrupt(format, e))?;
            sheets = dense_sheets(&mut wb, format, &mut budget, |_, _| Ok(Vec::new()))?;
        }
    }
    Ok(sheets)
}

/// A1 notation for an absolute 0-based position.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", col_name(col), row + 1)
}

/// Column letters for a 0-based column (0 → A, 26 → AA).
pub fn col_name(col: u32) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_dates() {
        assert_eq!(excel_date(44927.0), "2023-01-01");
        assert_eq!(excel_date(44561.5), "2021-12-31 12:00");
        assert_eq!(excel_date(1.0), "1900-01-01");
        assert_eq!(excel_date(61.0), "1900-03-01");
    }

    #[test]
    fn constant_formulas() {
        assert_eq!(constant_formula("100%").as_deref(), Some("100%"));
        assert_eq!(constant_formula("of:=100%").as_deref(), Some("100%"));
        assert_eq!(constant_formula("=90").as_deref(), Some("90"));
        assert_eq!(constant_formula("D5+D6"), None);
        assert_eq!(constant_formula("SUM(A1)"), None);
        assert_eq!(constant_formula("1.2.3"), None);
        assert_eq!(constant_formula("%"), None);
    }

    #[test]
    fn a1_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(22, 4), "E23");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(16383), "XFD");
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b""), Err(ReadError::Empty));
        assert_eq!(sniff(b"a,b,c\n1,2,3\n"), Err(ReadError::PlainText));
        assert_eq!(
            sniff(b"<html><body><table></table></body></html>"),
            Err(ReadError::NotBinaryWorkbook("HTML"))
        );
        assert_eq!(sniff(&[0xff, 0x00, 0x13, 0x37]), Err(ReadError::Unknown));
    }
}
