//! One worksheet as read: values at absolute positions (sparse), merges, styles and what the
//! reader learnt about its formulas; and how a value reads as text.

use crate::text::decimal_from_f64;
use calamine::{Data, Dimensions, Range, StyleRange};
use std::collections::BTreeMap;

use super::ReadError;
use super::looks::{Layout, Looks};

/// One worksheet: values at absolute positions, merges and number formats.
///
/// Cells are kept sparse (only non-empty ones), so a sheet that claims a huge dimension or has
/// two cells far apart costs what it holds, not its bounding box.
pub struct Sheet {
    /// The sheet's name as shown on its tab.
    pub name: String,
    /// Hidden or very hidden sheets are skipped when looking for the form.
    pub visible: bool,
    pub(super) cells: BTreeMap<(u32, u32), Data>,
    pub(super) end: Option<(u32, u32)>,
    pub(super) merges: Vec<Dimensions>,
    /// Row → the merges crossing it, so finding a cell's merge does not scan every merge.
    pub(super) merge_rows: std::collections::HashMap<u32, Vec<usize>>,
    pub(super) styles: StyleRange,
    /// Cells holding a formula whose result was never saved (xlsx).
    pub(super) formulas_without_value: Vec<(u32, u32)>,
    /// Formulas that are only a number typed after "=" ("=100%", "=90"): what the user typed,
    /// without the "=". Excel turns "=100%" typed as a target into a formula showing 100%.
    pub(super) constant_formulas: BTreeMap<(u32, u32), String>,
    /// Whether number formats were read (xlsx, and xls/ods through their looks).
    pub(super) has_number_formats: bool,
    /// How the cells look, read beside calamine for xls and ods (xlsx styles are in `styles`).
    pub(super) looks: Looks,
    /// Widths, heights and print setup (xls, ods).
    pub(super) layout: Layout,
    /// Formulas in Excel's syntax, by cell (kept in a re-created copy).
    pub(super) formulas: BTreeMap<(u32, u32), String>,
    /// Cells whose ods formula has no Excel equivalent (a copy keeps their values).
    pub(super) unconverted: Vec<(u32, u32)>,
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
            looks: Looks::default(),
            layout: Layout::default(),
            formulas: BTreeMap::new(),
            unconverted: Vec::new(),
        })
    }

    /// Builds a sheet from a calamine range (xls, ods), whose positions are relative to its start.
    pub(super) fn from_range(
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

    /// The cell's number format code (from the xlsx styles, or the xls/ods looks).
    pub fn number_format(&self, row: u32, col: u32) -> Option<&str> {
        self.styles
            .get((row, col))
            .and_then(|s| s.number_format.as_ref())
            .map(|n| n.format_code.as_str())
            .or_else(|| {
                self.looks
                    .at(row, col)
                    .and_then(|l| l.num_format.as_deref())
            })
    }

    /// How the cells of an xls or ods sheet look (empty for xlsx, whose styles are read by
    /// calamine: see [`Sheet::style`]).
    pub fn looks(&self) -> &Looks {
        &self.looks
    }

    /// Widths, heights and print setup (xls, ods).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The formula of a cell, in Excel's syntax, when it has one that a copy can keep.
    pub fn formula(&self, row: u32, col: u32) -> Option<&str> {
        self.formulas.get(&(row, col)).map(String::as_str)
    }

    /// Cells whose formula a copy cannot keep (it keeps their values).
    pub fn unconverted_formulas(&self) -> &[(u32, u32)] {
        &self.unconverted
    }

    /// Replaces the merge regions (ods, whose merges calamine does not give).
    pub(super) fn set_merges(&mut self, merges: Vec<Dimensions>) {
        if let Ok(s) = Sheet::new(String::new(), true, Vec::new(), merges) {
            self.merges = s.merges;
            self.merge_rows = s.merge_rows;
        }
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
pub(super) fn constant_formula(f: &str) -> Option<String> {
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
}
