//! The annotated copy: the input workbook re-created — every sheet, value (typed), merge and
//! number format, and for xlsx the cells' fonts, fills, borders and alignment — with each
//! finding marked on its own cell: a fill by severity and a note with the message and the hint.
//! The 校验报告 sheet comes first. rust_xlsxwriter cannot edit a file, so this is a re-creation:
//! column widths and row heights are estimated from the text, not copied.

use crate::finding::{Finding, Severity};
use crate::workbook::{Sheet, Workbook, cell_text};
use calamine::{
    BorderStyle, Data, Dimensions, FillPattern, FontStyle, FontWeight, HorizontalAlignment,
    VerticalAlignment,
};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, FormatPattern, Note,
    Workbook as Book, Worksheet, XlsxError,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use unicode_width::UnicodeWidthStr;

/// Fills marking a finding's cell: error, warning, 提示.
const MARK: [u32; 3] = [0xFFC7CE, 0xFFEB9C, 0xDDEBF7];

/// Most merges reproduced per sheet (a hostile file may claim millions).
const MAX_MERGES: usize = 20_000;

/// Most cells covered by the merges reproduced per sheet.
const MAX_MERGED_CELLS: usize = 1_000_000;

/// Most styled blank cells reproduced per sheet (borders around empty cells of a template).
const MAX_STYLED_BLANKS: u64 = 200_000;

/// Builds the annotated copy of a read workbook, as bytes, marking the findings of every form
/// in it.
pub fn annotated_workbook(wb: &Workbook, findings: &[Finding]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new();
    let props = DocProperties::new()
        .set_title("整体绩效目标申报表（批注）")
        .set_author("jixiao")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    book.set_properties(&props);
    crate::report::report_sheet(book.add_worksheet(), findings)?;
    let mut names = HashSet::from(["校验报告".to_string()]);
    for (i, sheet) in wb.sheets.iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(unique_name(&sheet.name, i, &mut names))?;
        // Printable as the template is: A4 landscape, one page wide.
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        if !sheet.visible {
            ws.set_hidden(true);
        }
        let marks: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.sheet == sheet.name && f.cell.is_some())
            .collect();
        copy_sheet(ws, sheet, &marks)?;
    }
    book.save_to_buffer()
}

/// Whether a position exists in an Excel sheet (a broken xls or ods can claim others).
fn in_grid(row: u32, col: u32) -> bool {
    row < 1_048_576 && col < 16_384
}

/// The sheet's own name when it is a valid, unused Excel name; otherwise a safe one.
fn unique_name(name: &str, i: usize, used: &mut HashSet<String>) -> String {
    let valid = !name.is_empty()
        && name.chars().count() <= 31
        && !name.contains(['[', ']', ':', '*', '?', '/', '\\'])
        && !name.starts_with('\'')
        && !name.ends_with('\'');
    let mut candidate = if valid {
        name.to_string()
    } else {
        format!("工作表{}", i + 1)
    };
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("工作表{}_{n}", i + 1);
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

fn copy_sheet(ws: &mut Worksheet, sheet: &Sheet, marks: &[&Finding]) -> Result<(), XlsxError> {
    // The most serious finding on each cell, and every finding's text for its note.
    let mut by_cell: BTreeMap<(u32, u32), Vec<&Finding>> = BTreeMap::new();
    for f in marks {
        if let Some(c) = f.cell {
            by_cell.entry((c.row, c.col)).or_default().push(f);
        }
    }
    let format_at = |r: u32, c: u32| -> Format {
        let mut fmt = style_format(sheet, r, c);
        if let Some(fs) = by_cell.get(&(r, c)) {
            let worst = fs
                .iter()
                .map(|f| f.severity)
                .min()
                .unwrap_or(Severity::Info);
            let i = worst.rank();
            fmt = fmt
                .set_pattern(FormatPattern::Solid)
                .set_background_color(Color::RGB(MARK[i]));
        }
        fmt
    };

    // Template borders around empty cells, where the styled area is of a sane size.
    if sheet.styled_area() <= MAX_STYLED_BLANKS {
        for (r, c) in sheet.styled_cells().filter(|&(r, c)| in_grid(r, c)) {
            if crate::workbook::is_blank(sheet.get(r, c)) {
                ws.write_blank(r, c as u16, &format_at(r, c))?;
            }
        }
    }

    // Merges first (non-overlapping ones), then the typed values over their first cells.
    let mut taken: HashSet<(u32, u32)> = HashSet::new();
    let mut merged_first: HashMap<(u32, u32), Dimensions> = HashMap::new();
    for m in sheet.merge_regions().iter().take(MAX_MERGES) {
        let cells = u64::from(m.end.0 - m.start.0 + 1) * u64::from(m.end.1 - m.start.1 + 1);
        // A one-cell "merge" is no merge (and rust_xlsxwriter refuses it).
        if !(2..=10_000).contains(&cells)
            || !in_grid(m.end.0, m.end.1)
            || taken.len() > MAX_MERGED_CELLS
        {
            continue;
        }
        let all: Vec<(u32, u32)> = (m.start.0..=m.end.0)
            .flat_map(|r| (m.start.1..=m.end.1).map(move |c| (r, c)))
            .collect();
        if all.iter().any(|p| taken.contains(p)) {
            continue; // an overlapping merge would half-apply: leave it out
        }
        taken.extend(all);
        let fmt = format_at(m.start.0, m.start.1);
        ws.merge_range(
            m.start.0,
            m.start.1 as u16,
            m.end.0,
            m.end.1 as u16,
            "",
            &fmt,
        )?;
        merged_first.insert(m.start, *m);
    }
    let mut widths: HashMap<u16, usize> = HashMap::new();
    for (r, c, v) in sheet.used() {
        let Ok(col) = u16::try_from(c) else { continue };
        if !in_grid(r, c) {
            continue;
        }
        let fmt = format_at(r, c);
        let dated = sheet
            .style(r, c)
            .and_then(|st| st.number_format.as_ref())
            .is_some_and(|n| n.format_code != "General");
        write_value(ws, r, col, v, &fmt, dated)?;
        if !merged_first.contains_key(&(r, c)) && !taken.contains(&(r, c)) {
            let w = cell_text(v)
                .lines()
                .map(UnicodeWidthStr::width)
                .max()
                .unwrap_or(0);
            let slot = widths.entry(col).or_default();
            *slot = (*slot).max(w);
        }
    }
    // Marked cells with nothing in them (where the missing value belongs), and every note.
    for ((r, c), fs) in &by_cell {
        let Ok(col) = u16::try_from(*c) else { continue };
        if !in_grid(*r, *c) {
            continue; // listed on the 校验报告 sheet, but no such cell exists in Excel
        }
        if crate::workbook::is_blank(sheet.get(*r, *c)) && !merged_first.contains_key(&(*r, *c)) {
            ws.write_blank(*r, col, &format_at(*r, *c))?;
        }
        let text: Vec<String> = fs
            .iter()
            .map(|f| {
                format!(
                    "{}[{}] {}\n建议：{}",
                    f.severity.zh(),
                    f.code,
                    f.message,
                    f.hint
                )
            })
            .collect();
        let note = Note::new(text.join("\n\n"))
            .set_author("jixiao")
            .set_width(320)
            .set_height(160);
        ws.insert_note(*r, col, &note)?;
    }
    for (col, w) in widths {
        ws.set_column_width(col, (w as f64 * 1.15 + 2.0).clamp(6.0, 50.0))?;
    }
    Ok(())
}

/// Writes a value with its type; a date keeps its own number format, or gets yyyy-mm-dd.
fn write_value(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: &Data,
    fmt: &Format,
    formatted: bool,
) -> Result<(), XlsxError> {
    match v {
        // Text is always written as text: it never becomes a formula, whatever it starts with.
        // Past Excel's cell limit the text is cut (E013 says so on the cell).
        Data::String(s) => {
            ws.write_string_with_format(r, c, crate::text::excel_cut(s).unwrap_or(s), fmt)?
        }
        Data::Float(f) => ws.write_number_with_format(r, c, *f, fmt)?,
        Data::Int(i) => ws.write_number_with_format(r, c, *i as f64, fmt)?,
        Data::Bool(b) => ws.write_boolean_with_format(r, c, *b, fmt)?,
        Data::DateTime(d) => {
            let fmt = if formatted {
                fmt.clone()
            } else {
                fmt.clone().set_num_format("yyyy-mm-dd")
            };
            ws.write_number_with_format(r, c, d.as_f64(), &fmt)?
        }
        Data::Empty => ws.write_blank(r, c, fmt)?,
        other => ws.write_string_with_format(r, c, cell_text(other), fmt)?,
    };
    Ok(())
}

/// The input cell's look as a rust_xlsxwriter format (xlsx styles; other formats have none).
fn style_format(sheet: &Sheet, r: u32, c: u32) -> Format {
    let mut f = Format::new();
    let Some(st) = sheet.style(r, c) else {
        return f;
    };
    if let Some(nf) = &st.number_format
        && nf.format_code != "General"
    {
        f = f.set_num_format(&nf.format_code);
    }
    if let Some(font) = &st.font {
        if font.weight == FontWeight::Bold {
            f = f.set_bold();
        }
        if font.style == FontStyle::Italic {
            f = f.set_italic();
        }
        if let Some(size) = font.size.filter(|s| (1.0..=409.0).contains(s)) {
            f = f.set_font_size(size);
        }
        if let Some(color) = font.color.filter(|c| !c.is_black()) {
            f = f.set_font_color(Color::RGB(color.to_argb() & 0xFF_FFFF));
        }
    }
    if let Some(fill) = &st.fill
        && fill.pattern == FillPattern::Solid
        && let Some(color) = fill.foreground_color.or(fill.background_color)
    {
        f = f
            .set_pattern(FormatPattern::Solid)
            .set_background_color(Color::RGB(color.to_argb() & 0xFF_FFFF));
    }
    if let Some(b) = &st.borders {
        let map = |s: &BorderStyle| match s {
            BorderStyle::None => None,
            BorderStyle::Medium | BorderStyle::MediumDashed => Some(FormatBorder::Medium),
            BorderStyle::Thick => Some(FormatBorder::Thick),
            BorderStyle::Double => Some(FormatBorder::Double),
            BorderStyle::Dashed => Some(FormatBorder::Dashed),
            BorderStyle::Dotted => Some(FormatBorder::Dotted),
            BorderStyle::Hair => Some(FormatBorder::Hair),
            _ => Some(FormatBorder::Thin),
        };
        if let Some(x) = map(&b.left.style) {
            f = f.set_border_left(x);
        }
        if let Some(x) = map(&b.right.style) {
            f = f.set_border_right(x);
        }
        if let Some(x) = map(&b.top.style) {
            f = f.set_border_top(x);
        }
        if let Some(x) = map(&b.bottom.style) {
            f = f.set_border_bottom(x);
        }
    }
    if let Some(a) = &st.alignment {
        f = match a.horizontal {
            HorizontalAlignment::Left => f.set_align(FormatAlign::Left),
            HorizontalAlignment::Center | HorizontalAlignment::CenterContinuous => {
                f.set_align(FormatAlign::Center)
            }
            HorizontalAlignment::Right => f.set_align(FormatAlign::Right),
            _ => f,
        };
        f = match a.vertical {
            VerticalAlignment::Top => f.set_align(FormatAlign::Top),
            VerticalAlignment::Center => f.set_align(FormatAlign::VerticalCenter),
            _ => f,
        };
        if a.wrap_text {
            f = f.set_text_wrap();
        }
    }
    f
}
