//! An xls or ods input re-created as xlsx — every sheet, value (typed), merge and number format,
//! and the cells' look as the reader found it — for the annotated copy, which is then marked by
//! [`crate::patch`] exactly as an xlsx input is (rust_xlsxwriter cannot edit a file, and these
//! formats cannot be patched in place). Also the fallback for an xlsx whose package cannot be
//! patched.

use crate::workbook::looks::{Edge, EdgeStyle, HAlign, Layout, Look, VAlign};
use crate::workbook::{Sheet, Workbook, cell_text};
use calamine::{
    BorderStyle, Data, Dimensions, FillPattern, FontStyle, FontWeight, HorizontalAlignment,
    VerticalAlignment,
};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, FormatPattern,
    Workbook as Book, Worksheet, XlsxError,
};
use std::collections::{HashMap, HashSet};
use unicode_width::UnicodeWidthStr;

/// Most merges reproduced per sheet (a hostile file may claim millions).
const MAX_MERGES: usize = 20_000;

/// Most cells covered by the merges reproduced per sheet.
const MAX_MERGED_CELLS: usize = 1_000_000;

/// Most styled blank cells reproduced per sheet (borders around empty cells of a template).
const MAX_STYLED_BLANKS: u64 = 200_000;

/// Re-creates a read workbook as xlsx, as bytes (no marks: the patch adds them).
pub fn workbook(wb: &Workbook) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new();
    let props = DocProperties::new()
        .set_author("jixiao")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    book.set_properties(&props);
    book.set_zip_compression_level(1);
    let mut names = HashSet::new();
    for (i, sheet) in wb.sheets.iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(unique_name(&sheet.name, i, &mut names))?;
        if !sheet.visible {
            ws.set_hidden(true);
        }
        copy_sheet(ws, sheet)?;
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

fn copy_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    let looks = sheet.looks();
    // The look of each xls/ods look-table entry, made once.
    let look_formats: Vec<Format> = looks.table.iter().map(look_format).collect();
    let format_at = |r: u32, c: u32| -> Format {
        match looks.cells.get(&(r, c)) {
            Some(&i) => look_formats.get(i as usize).cloned().unwrap_or_default(),
            None => style_format(sheet, r, c),
        }
    };

    // Template borders around empty cells, where the styled area is of a sane size.
    if sheet.styled_area() <= MAX_STYLED_BLANKS {
        for (r, c) in sheet.styled_cells().filter(|&(r, c)| in_grid(r, c)) {
            if crate::workbook::is_blank(sheet.get(r, c)) {
                ws.write_blank(r, c as u16, &format_at(r, c))?;
            }
        }
    }
    for (&(r, c), &i) in looks.cells.iter().take(MAX_STYLED_BLANKS as usize) {
        let visible = looks
            .table
            .get(i as usize)
            .is_some_and(|l| l.fill.is_some() || l.borders.iter().any(Option::is_some));
        if visible && in_grid(r, c) && crate::workbook::is_blank(sheet.get(r, c)) {
            ws.write_blank(r, c as u16, &format_at(r, c))?;
        }
    }
    let layout = sheet.layout();
    layout_sheet(ws, layout)?;

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
        let dated = sheet.number_format(r, c).is_some_and(|n| n != "General");
        match sheet.formula(r, c) {
            // A formula kept as a formula, with its value as calculated.
            Some(f) => {
                let formula =
                    rust_xlsxwriter::Formula::new(format!("={f}")).set_result(cell_text(v));
                ws.write_formula_with_format(r, col, formula, &fmt)?;
            }
            None => write_value(ws, r, col, v, &fmt, dated)?,
        }
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
    // Widths as the file has them; estimated from the text where it has none.
    if layout.columns.is_empty() {
        for (col, w) in widths {
            ws.set_column_width(col, (w as f64 * 1.15 + 2.0).clamp(6.0, 50.0))?;
        }
    }
    Ok(())
}

/// Column widths, row heights and the print setup as the input has them (xls, ods).
fn layout_sheet(ws: &mut Worksheet, layout: &Layout) -> Result<(), XlsxError> {
    for &(first, last, width, hidden) in &layout.columns {
        let last = last.min(16_383);
        for c in first..=last {
            let Ok(col) = u16::try_from(c) else { break };
            // rust_xlsxwriter adds the cell padding (5 px of a 7 px character) to what it is
            // given; the file's width already has it.
            let user = if width >= 12.0 / 7.0 {
                width - 5.0 / 7.0
            } else {
                width * 7.0 / 12.0
            };
            ws.set_column_width(col, user.clamp(0.0, 255.0))?;
            if hidden {
                ws.set_column_hidden(col)?;
            }
        }
    }
    if let Some(h) = layout.default_height.filter(|h| (1.0..=409.0).contains(h)) {
        ws.set_default_row_height(h);
    }
    // A height set by hand is kept; one that is not is left for the program to fit to the
    // text, as the input's program does. rust_xlsxwriter leaves out a height equal to its
    // default (15 pt): a hand-set 15 is written a hair above, so it stays set.
    for (&r, row) in layout.rows.iter().filter(|(r, _)| **r < 1_048_576) {
        if row.custom && row.height > 0.0 && row.height <= 409.0 {
            let h = if (row.height - 15.0).abs() < 1e-9 {
                15.0001
            } else {
                row.height
            };
            ws.set_row_height(r, h)?;
        }
        if row.hidden {
            ws.set_row_hidden(r)?;
        }
    }
    if let Some(landscape) = layout.landscape {
        if landscape {
            ws.set_landscape();
        } else {
            ws.set_portrait();
        }
    }
    if let Some(p) = layout.paper.filter(|p| *p < 256) {
        ws.set_paper_size(p as u8);
    }
    if let Some((w, h)) = layout.fit_to {
        ws.set_print_fit_to_pages(w, h);
    }
    if let Some((r1, c1, r2, c2)) = layout.print_area
        && r1 <= r2
        && c1 <= c2
        && in_grid(r2, c2)
    {
        ws.set_print_area(r1, c1 as u16, r2, c2 as u16)?;
    }
    Ok(())
}

/// An xls/ods look as a rust_xlsxwriter format.
fn look_format(l: &Look) -> Format {
    let mut f = Format::new();
    if let Some(nf) = &l.num_format {
        f = f.set_num_format(nf);
    }
    if let Some(name) = &l.font_name {
        f = f.set_font_name(name);
    }
    if let Some(size) = l.font_size.filter(|s| (1.0..=409.0).contains(s)) {
        f = f.set_font_size(size);
    }
    if l.bold {
        f = f.set_bold();
    }
    if l.italic {
        f = f.set_italic();
    }
    if l.underline {
        f = f.set_underline(rust_xlsxwriter::FormatUnderline::Single);
    }
    if l.strike {
        f = f.set_font_strikethrough();
    }
    if let Some(c) = l.font_color {
        f = f.set_font_color(Color::RGB(c));
    }
    if let Some(c) = l.fill {
        f = f
            .set_pattern(FormatPattern::Solid)
            .set_background_color(Color::RGB(c));
    }
    let edge = |e: &Edge| match e.style {
        EdgeStyle::Thin => FormatBorder::Thin,
        EdgeStyle::Medium => FormatBorder::Medium,
        EdgeStyle::Thick => FormatBorder::Thick,
        EdgeStyle::Double => FormatBorder::Double,
        EdgeStyle::Dashed => FormatBorder::Dashed,
        EdgeStyle::Dotted => FormatBorder::Dotted,
        EdgeStyle::Hair => FormatBorder::Hair,
    };
    let [left, right, top, bottom] = &l.borders;
    if let Some(e) = left {
        f = f.set_border_left(edge(e));
        if let Some(c) = e.color {
            f = f.set_border_left_color(Color::RGB(c));
        }
    }
    if let Some(e) = right {
        f = f.set_border_right(edge(e));
        if let Some(c) = e.color {
            f = f.set_border_right_color(Color::RGB(c));
        }
    }
    if let Some(e) = top {
        f = f.set_border_top(edge(e));
        if let Some(c) = e.color {
            f = f.set_border_top_color(Color::RGB(c));
        }
    }
    if let Some(e) = bottom {
        f = f.set_border_bottom(edge(e));
        if let Some(c) = e.color {
            f = f.set_border_bottom_color(Color::RGB(c));
        }
    }
    f = match l.h_align {
        Some(HAlign::Left) => f.set_align(FormatAlign::Left),
        Some(HAlign::Center) => f.set_align(FormatAlign::Center),
        Some(HAlign::Right) => f.set_align(FormatAlign::Right),
        Some(HAlign::Justify) => f.set_align(FormatAlign::Justify),
        Some(HAlign::Fill) => f.set_align(FormatAlign::Fill),
        None => f,
    };
    f = match l.v_align {
        Some(VAlign::Top) => f.set_align(FormatAlign::Top),
        Some(VAlign::Center) => f.set_align(FormatAlign::VerticalCenter),
        Some(VAlign::Justify) => f.set_align(FormatAlign::VerticalJustify),
        Some(VAlign::Bottom) | None => f,
    };
    if l.wrap {
        f = f.set_text_wrap();
    }
    f
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
