//! Reading a workbook's bytes into sheets with absolute cell coordinates, merge regions and
//! (xlsx) number formats. Owns format sniffing and calamine; it never interprets the form.
//! calamine's `Range` indexes from `range.start()`; everything here is absolute (row, col),
//! 0-based, as the worksheet shows it. Split the way calamine splits its formats: the sniffer,
//! the guards against hostile files, the xlsx streaming reader and the sheet type each have a
//! file; this one reads a workbook with them.

mod guards;
pub mod looks;
mod ods_looks;
mod sheet;
mod sniff;
mod xls_looks;
mod xlsx;

pub use sheet::{Sheet, cell_text, excel_date, is_blank};
pub use sniff::sniff;

use calamine::{Data, Dimensions, Ods, Reader, SheetType, SheetVisible, Xls, XlsOptions, Xlsx};
use guards::{Budget, check_ods, check_xls, check_zip};
use sheet::constant_formula;
use std::io::{Cursor, Read};
use xlsx::read_xlsx_sheet;

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

impl Limits {
    /// Small bounds for the fuzzer and the property tests: every run stays fast.
    pub const SMALL: Limits = Limits {
        max_file_bytes: 4 << 20,
        max_unzipped_bytes: 32 << 20,
        max_cells: 100_000,
    };
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

/// A read workbook.
pub struct Workbook {
    /// The sniffed format.
    pub format: Format,
    /// Worksheets in workbook order (chart sheets left out).
    pub sheets: Vec<Sheet>,
    /// What the reader had to decide about the whole file (e.g. its text encoding), in Chinese.
    pub notes: Vec<String>,
    /// Sheets jixiao added to a copy it made (its 校验报告): not part of the user's workbook,
    /// so a copy checks to exactly the findings of its original.
    pub generated: Vec<String>,
}

pub(crate) fn corrupt(format: Format, e: impl std::fmt::Display) -> ReadError {
    ReadError::Corrupt {
        format: format.name(),
        detail: e.to_string(),
    }
}

/// Reads a workbook from bytes within the default limits.
pub fn read(bytes: &[u8]) -> Result<Workbook, ReadError> {
    read_with(bytes, &Limits::default())
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
    // How the cells look (xls, ods): read beside calamine; a file whose looks cannot be read
    // still gives its values.
    let _ = contained(format, || {
        read_looks(bytes, format, limits, &mut sheets);
        Ok(())
    });
    let generated = if format == Format::Xlsx {
        crate::patch::meta::state_of(bytes, limits)
            .and_then(|s| s.r)
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    Ok(Workbook {
        format,
        sheets,
        notes,
        generated,
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
        // Formulas: constants typed after "=" ("=100%") are read as typed, and an xls's are
        // kept by its re-created copy; a sheet whose formulas cannot be read keeps its values.
        if let Ok(formulas) = wb.worksheet_formula(&m.name) {
            let (r0, c0) = formulas.start().unwrap_or((0, 0));
            for (r, c, f) in formulas.used_cells().filter(|(_, _, f)| !f.is_empty()) {
                let at = (r0 + r as u32, c0 + c as u32);
                if let Some(k) = constant_formula(f) {
                    sheet.constant_formulas.insert(at, k);
                }
                if format == Format::Xls {
                    sheet.formulas.insert(at, f.clone());
                }
            }
        }
        sheets.push(sheet);
    }
    Ok(sheets)
}

/// Attaches the looks, layout, merges (ods) and formulas (ods) of an xls or ods to its sheets.
fn read_looks(bytes: &[u8], format: Format, limits: &Limits, sheets: &mut [Sheet]) {
    match format {
        Format::Xls => {
            let Ok(mut file) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
                return;
            };
            let Some(path) = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
                .into_iter()
                .find(|p| file.is_stream(p))
            else {
                return;
            };
            let mut stream = Vec::new();
            if file
                .open_stream(path)
                .and_then(|s| s.take(limits.max_unzipped_bytes).read_to_end(&mut stream))
                .is_err()
            {
                return;
            }
            for x in xls_looks::read(&stream) {
                if let Some(sheet) = sheets.iter_mut().find(|s| s.name == x.name) {
                    sheet.has_number_formats |= !x.looks.table.is_empty();
                    sheet.looks = x.looks;
                    sheet.layout = x.layout;
                }
            }
        }
        Format::Ods => {
            let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
                return;
            };
            let mut part = |name: &str| -> String {
                let mut text = String::new();
                if let Ok(f) = zip.by_name(name) {
                    let _ = f.take(limits.max_unzipped_bytes).read_to_string(&mut text);
                }
                text
            };
            let (content, styles) = (part("content.xml"), part("styles.xml"));
            let ends = sheets
                .iter()
                .map(|s| (s.name.clone(), s.end().unwrap_or((0, 0))))
                .collect();
            for o in ods_looks::read(&content, &styles, &ends) {
                if let Some(sheet) = sheets.iter_mut().find(|s| s.name == o.name) {
                    sheet.has_number_formats |= !o.looks.table.is_empty();
                    sheet.looks = o.looks;
                    sheet.layout = o.layout;
                    sheet.formulas = o.formulas;
                    sheet.unconverted = o.unconverted;
                    if !o.merges.is_empty() {
                        sheet.set_merges(o.merges);
                    }
                }
            }
        }
        Format::Xlsx => {}
    }
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
