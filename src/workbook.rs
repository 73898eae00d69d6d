//! Reading a workbook's bytes into sheets with absolute cell coordinates, merge regions and
//! (xlsx) number formats. Owns format sniffing and calamine; it never interprets the form.
//! calamine's `Range` indexes from `range.start()`; everything here is absolute (row, col),
//! 0-based, as the worksheet shows it.

use crate::text::decimal_from_f64;
use calamine::{
    Data, Dimensions, Ods, Range, Reader, SheetType, SheetVisible, StyleRange, Xls, XlsOptions,
    Xlsb, Xlsx,
};
use std::io::Cursor;

/// The container format, sniffed from the bytes (never from the file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl Format {
    /// Short lowercase name, as the extension.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
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
    #[error("这是文本文件（如 CSV），不是 Excel 工作簿；请在 Excel 或 WPS 中另存为 .xlsx 后再检查")]
    PlainText,
    #[error("无法识别的文件格式：不是 xlsx、xls 或 ods 工作簿")]
    Unknown,
    #[error("工作簿已损坏，无法读取（{format}）：{detail}")]
    Corrupt {
        format: &'static str,
        detail: String,
    },
    #[error("工作簿中没有可见的工作表")]
    NoSheets,
}

/// One worksheet: values at absolute positions, merges and number formats.
pub struct Sheet {
    /// The sheet's name as shown on its tab.
    pub name: String,
    /// Hidden or very hidden sheets are skipped when looking for the form.
    pub visible: bool,
    cells: Range<Data>,
    merges: Vec<Dimensions>,
    styles: StyleRange,
}

/// A read workbook.
pub struct Workbook {
    /// The sniffed format.
    pub format: Format,
    /// Worksheets in workbook order (chart sheets left out).
    pub sheets: Vec<Sheet>,
}

static EMPTY: Data = Data::Empty;

impl Sheet {
    /// Builds a sheet from parts (used by the reader and by tests).
    pub fn new(name: String, visible: bool, cells: Range<Data>, merges: Vec<Dimensions>) -> Sheet {
        Sheet {
            name,
            visible,
            cells,
            merges,
            styles: StyleRange::empty(),
        }
    }

    /// The value at an absolute position (Empty outside the used range).
    pub fn get(&self, row: u32, col: u32) -> &Data {
        self.cells.get_value((row, col)).unwrap_or(&EMPTY)
    }

    /// The value shown at a position: the merge's top-left value for a cell inside a merge.
    pub fn shown(&self, row: u32, col: u32) -> &Data {
        match self.merge_at(row, col) {
            Some(m) => self.get(m.start.0, m.start.1),
            None => self.get(row, col),
        }
    }

    /// The cell's text as displayed, trimmed at the ends only.
    pub fn text(&self, row: u32, col: u32) -> String {
        cell_text(self.get(row, col))
    }

    /// Every non-empty cell with its absolute position, row by row.
    pub fn used(&self) -> impl Iterator<Item = (u32, u32, &Data)> {
        let (r0, c0) = self.cells.start().unwrap_or((0, 0));
        self.cells
            .used_cells()
            .filter(|(_, _, v)| !is_blank(v))
            .map(move |(r, c, v)| (r0 + r as u32, c0 + c as u32, v))
    }

    /// The last used row and column (absolute), if any cell is used.
    pub fn end(&self) -> Option<(u32, u32)> {
        self.cells.end()
    }

    /// The merge region covering a cell, if any.
    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Dimensions> {
        self.merges.iter().find(|m| m.contains(row, col))
    }

    /// All merge regions.
    pub fn merges(&self) -> &[Dimensions] {
        &self.merges
    }

    /// The cell's number format code (xlsx only; other formats carry none calamine reads).
    pub fn number_format(&self, row: u32, col: u32) -> Option<&str> {
        self.styles
            .get((row, col))
            .and_then(|s| s.number_format.as_ref())
            .map(|n| n.format_code.as_str())
    }
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
        other => other.to_string(),
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
            return Ok(Format::Xlsb);
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

/// Reads a workbook from bytes: every worksheet with values, merges and number formats.
pub fn read(bytes: &[u8]) -> Result<Workbook, ReadError> {
    let format = sniff(bytes)?;
    let cur = Cursor::new(bytes);
    let sheets = match format {
        Format::Xlsx => {
            let mut wb = Xlsx::new(cur).map_err(|e| corrupt(format, e))?;
            let metas = wb.sheets_metadata().to_vec();
            let mut out = Vec::new();
            for m in metas.iter().filter(|m| m.typ == SheetType::WorkSheet) {
                let cells = wb
                    .worksheet_range(&m.name)
                    .map_err(|e| corrupt(format, e))?;
                let merges = wb
                    .merge_cells_by_sheet_name(&m.name)
                    .map_err(|e| corrupt(format, e))?;
                let styles = wb
                    .worksheet_style(&m.name)
                    .unwrap_or_else(|_| StyleRange::empty());
                let mut s = Sheet::new(
                    m.name.clone(),
                    m.visible == SheetVisible::Visible,
                    cells,
                    merges,
                );
                s.styles = styles;
                out.push(s);
            }
            out
        }
        Format::Xlsb => {
            let mut wb = Xlsb::new(cur).map_err(|e| corrupt(format, e))?;
            let metas = wb.sheets_metadata().to_vec();
            let mut out = Vec::new();
            for m in metas.iter().filter(|m| m.typ == SheetType::WorkSheet) {
                let cells = wb
                    .worksheet_range(&m.name)
                    .map_err(|e| corrupt(format, e))?;
                out.push(Sheet::new(
                    m.name.clone(),
                    m.visible == SheetVisible::Visible,
                    cells,
                    Vec::new(),
                ));
            }
            out
        }
        Format::Xls => {
            let mut wb = Xls::new_with_options(cur, XlsOptions::default())
                .map_err(|e| corrupt(format, e))?;
            let metas = wb.sheets_metadata().to_vec();
            let mut out = Vec::new();
            for m in metas.iter().filter(|m| m.typ == SheetType::WorkSheet) {
                let cells = wb
                    .worksheet_range(&m.name)
                    .map_err(|e| corrupt(format, e))?;
                let merges = wb
                    .merge_cells_by_sheet_name(&m.name)
                    .map_err(|e| corrupt(format, e))?;
                out.push(Sheet::new(
                    m.name.clone(),
                    m.visible == SheetVisible::Visible,
                    cells,
                    merges,
                ));
            }
            out
        }
        Format::Ods => {
            let mut wb = Ods::new(cur).map_err(|e| corrupt(format, e))?;
            let metas = wb.sheets_metadata().to_vec();
            let mut out = Vec::new();
            for m in metas.iter().filter(|m| m.typ == SheetType::WorkSheet) {
                let cells = wb
                    .worksheet_range(&m.name)
                    .map_err(|e| corrupt(format, e))?;
                out.push(Sheet::new(
                    m.name.clone(),
                    m.visible == SheetVisible::Visible,
                    cells,
                    Vec::new(),
                ));
            }
            out
        }
    };
    if !sheets.iter().any(|s| s.visible) {
        return Err(ReadError::NoSheets);
    }
    Ok(Workbook { format, sheets })
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
