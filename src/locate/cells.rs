//! Reading one cell's value into a typed field: where a label's value is, text, money and
//! targets as exact decimals (text with full-width digits, separators, a comparator or a unit;
//! a % number format; a fraction under unit "%"), and the cells that hold no value (error
//! values, formulas never calculated, text too long for a cell). Each automatic reading is
//! described once, here, where the value is read; callers decide whether it is worth a 提示.

use super::index::{Known, LabelCell};
use crate::edition::Edition;
use crate::finding::{Edit, EditValue};
use crate::form::{CellIssue, CellIssueKind, CellRef, Field, Normalization};
use crate::text::{
    EXCEL_MAX_TEXT, decimal_from_f64, decimal_from_i64, norm_label, parse_text_number, trim,
};
use crate::workbook::{Sheet, cell_text, is_blank};
use calamine::Data;
use rust_decimal::Decimal;

/// Reads values out of one sheet, keeping what it had to change or could not read.
pub(super) struct Reader<'a> {
    pub(super) sheet: &'a Sheet,
    pub(super) ed: &'a Edition,
    pub(super) known: Known,
    pub(super) notes: Vec<Normalization>,
    pub(super) issues: Vec<CellIssue>,
}

/// How a number was read when that took more than reading a number cell.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ReadHow {
    /// Shown as a percentage by its number format (0.9 as 90%).
    PercentFormat,
    /// "=100%" typed, kept by Excel as a formula showing 100%.
    PercentFormula(String),
    /// A fraction under unit "%" in a file that keeps no number formats (xls, ods).
    FractionUnderPercent,
    /// A comparator typed before the number ("≥90").
    ComparatorInValue,
    /// A unit typed after the number ("90%", "28.8万元").
    UnitInValue,
    /// A number typed as text, and what reading it took.
    Text(crate::text::TextChange),
}

impl ReadHow {
    fn zh(&self) -> String {
        match self {
            ReadHow::PercentFormat => "百分比格式的小数按显示值读取".to_string(),
            ReadHow::PercentFormula(f) => format!("“={f}”被当作公式，按输入的百分数读取"),
            ReadHow::FractionUnderPercent => "xls/ods 文件不保存百分比格式，按单位“%”把小数读作百分数（如本意就是小于 1%，请把数值写成文本“0.5%”）".to_string(),
            ReadHow::ComparatorInValue => "值中的比较符另行读取".to_string(),
            ReadHow::UnitInValue => "值中的单位拆分到单位".to_string(),
            ReadHow::Text(change) => change.zh().to_string(),
        }
    }
}

/// A number read where one is expected, with what came with it.
pub(super) struct NumberRead {
    pub(super) field: Field<Decimal>,
    /// A unit that rode in the value ("%", "万元").
    pub(super) unit: Option<String>,
    /// A comparator typed in the value ("≥").
    pub(super) comparator: Option<String>,
    /// How it was read, when that was more than reading a number; with `note` it becomes a 提示.
    pub(super) how: Option<ReadHow>,
    /// The 提示 for `how`, ready to be kept (`Reader::keep`) or dropped by the caller.
    pub(super) note: Option<Normalization>,
}

/// The first cell right of a label (past its merge): where its value belongs.
pub(super) fn right_of(sheet: &Sheet, row: u32, col: u32) -> CellRef {
    let end = sheet.merge_at(row, col).map(|m| m.end.1).unwrap_or(col);
    CellRef::new(row, end + 1)
}

/// Where a cell's shown value lives: the top of a vertical merge in the same column, else itself.
pub(super) fn vertical_origin(sheet: &Sheet, row: u32, col: u32) -> CellRef {
    match sheet.merge_at(row, col) {
        Some(m) if m.start.1 == col => CellRef::new(m.start.0, col),
        _ => CellRef::new(row, col),
    }
}

/// A number format that shows a percentage (a `%` outside quoted text).
pub(super) fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for ch in code.chars() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// Error values as Excel shows them (also saved as text by some programs).
const ERROR_VALUES: [&str; 10] = [
    "#DIV/0!",
    "#REF!",
    "#N/A",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
];

impl<'a> Reader<'a> {
    pub(super) fn new(sheet: &'a Sheet, ed: &'a Edition) -> Reader<'a> {
        Reader {
            sheet,
            ed,
            known: Known::new(ed),
            notes: Vec::new(),
            issues: Vec::new(),
        }
    }

    /// Keeps a 提示 the caller decided is worth one.
    pub(super) fn keep(&mut self, note: Option<Normalization>) {
        self.notes.extend(note);
    }

    /// The value cell of a label: the first non-blank cell to its right before `limit_col`
    /// (unless that is another label), else the cell just below it (unless blank or a label).
    pub(super) fn value_near(&self, row: u32, col: u32, limit_col: u32) -> Option<CellRef> {
        let sheet = self.sheet;
        let start = right_of(sheet, row, col).col;
        let value = sheet
            .row(row)
            .find(|(c, v)| *c >= start && *c < limit_col && !is_blank(v));
        // A formula never calculated reads as empty but is still the value's cell.
        let pending = sheet
            .formulas_without_value_in_row(row)
            .find(|c| *c >= start && *c < limit_col);
        match (value, pending) {
            (_, Some(p)) if value.is_none_or(|(c, _)| p < c) => return Some(CellRef::new(row, p)),
            (Some((c, v)), _) if !self.known.is_label(v) => return Some(CellRef::new(row, c)),
            _ => {}
        }
        let below = sheet.merge_at(row, col).map(|m| m.end.0).unwrap_or(row) + 1;
        let v = sheet.get(below, col);
        (!is_blank(v) && !self.known.is_label(v)).then_some(CellRef::new(below, col))
    }

    /// Notes a cell that holds no value to check: an error value, a formula never calculated,
    /// or text longer than a cell holds. A merged cell is read once per row it spans: noted once.
    pub(super) fn check_cell(&mut self, at: CellRef, field: &str) {
        let kind = match self.sheet.get(at.row, at.col) {
            _ if self.sheet.formula_without_value(at.row, at.col) => {
                Some(CellIssueKind::FormulaWithoutValue)
            }
            Data::Error(e) => Some(CellIssueKind::ErrorValue(e.to_string())),
            Data::String(s) if ERROR_VALUES.contains(&trim(s)) => {
                Some(CellIssueKind::ErrorValue(trim(s).to_string()))
            }
            Data::String(s) if s.encode_utf16().count() > EXCEL_MAX_TEXT => {
                Some(CellIssueKind::TooLong(s.chars().count()))
            }
            _ => None,
        };
        if let Some(kind) = kind.filter(|_| !self.issues.iter().any(|i| i.cell == at)) {
            self.issues.push(CellIssue {
                cell: at,
                field: field.to_string(),
                kind,
            });
        }
    }

    /// A text field at a cell.
    pub(super) fn text_at(&mut self, at: CellRef, field: &str) -> Field<String> {
        self.check_cell(at, field);
        Field::text(self.sheet.text(at.row, at.col), Some(at))
    }

    /// The text field beside a label; blank (at the cell right of the label) when none is there,
    /// absent when the label is.
    pub(super) fn text_near(&mut self, label: Option<&LabelCell>, field: &str) -> Field<String> {
        let Some(label) = label else {
            return Field::absent();
        };
        match self.value_near(label.row, label.col, u32::MAX) {
            Some(at) => self.text_at(at, field),
            None => Field::text(
                String::new(),
                Some(right_of(self.sheet, label.row, label.col)),
            ),
        }
    }

    /// Reads a number where one is expected: a number cell (a % format read as shown), or text
    /// with a number in it (full-width digits, separators, a comparator before it, a unit after
    /// it). `unit_hint` is the unit column's text: in files without number formats a fraction
    /// under unit "%" is read as the percentage it was typed as. The 提示 is prepared, not kept.
    pub(super) fn number_at(
        &mut self,
        at: CellRef,
        title: &str,
        unit_hint: Option<&str>,
    ) -> NumberRead {
        self.check_cell(at, title);
        let v = self.sheet.get(at.row, at.col);
        let raw = cell_text(v);
        let read = match v {
            Data::Float(f) => {
                decimal_from_f64(*f).map(|n| self.number_cell(at, n, raw.clone(), unit_hint))
            }
            Data::Int(i) => {
                decimal_from_i64(*i).map(|n| self.number_cell(at, n, raw.clone(), unit_hint))
            }
            Data::String(s) => text_number(at, s, raw.clone()),
            _ => None,
        };
        let mut read = match read {
            Some(read) => read,
            None => NumberRead {
                field: Field {
                    raw,
                    value: None,
                    cell: Some(at),
                },
                unit: None,
                comparator: None,
                how: None,
                note: None,
            },
        };
        read.note = read.how.as_ref().map(|how| Normalization {
            cell: at,
            field: title.to_string(),
            before: cell_text(v),
            after: format!(
                "{}{}",
                read.field.value.map(|d| d.to_string()).unwrap_or_default(),
                read.unit
                    .as_deref()
                    .map(|u| format!("，单位 {u}"))
                    .unwrap_or_default()
            ),
            what: how.zh(),
            // A number typed as text (full-width digits, separators, spaces): the number.
            edits: match (&read.how, read.field.value, v) {
                (Some(ReadHow::Text(_)), Some(n), Data::String(_)) if read.unit.is_none() => {
                    vec![Edit {
                        cell: at,
                        value: EditValue::Number(n),
                    }]
                }
                _ => Vec::new(),
            },
        });
        read
    }

    /// A number cell, read as shown: a percentage when its format, its formula or (in files
    /// without formats) its unit says so.
    fn number_cell(
        &self,
        at: CellRef,
        n: Decimal,
        raw: String,
        unit_hint: Option<&str>,
    ) -> NumberRead {
        let sheet = self.sheet;
        let constant = sheet.constant_formula(at.row, at.col);
        let how = if let Some(f) = constant.filter(|f| f.ends_with('%')) {
            Some(ReadHow::PercentFormula(f.to_string()))
        } else if sheet
            .number_format(at.row, at.col)
            .is_some_and(is_percent_format)
        {
            Some(ReadHow::PercentFormat)
        } else if !sheet.has_number_formats()
            && unit_hint.is_some_and(|u| norm_label(u) == "%")
            && n > Decimal::ZERO
            && n < Decimal::ONE
        {
            Some(ReadHow::FractionUnderPercent)
        } else {
            None
        };
        match how {
            Some(how) => {
                let shown = (n * Decimal::from(100)).normalize();
                NumberRead {
                    field: Field {
                        raw: format!("{shown}%"),
                        value: Some(shown),
                        cell: Some(at),
                    },
                    unit: Some("%".to_string()),
                    comparator: None,
                    how: Some(how),
                    note: None,
                }
            }
            None => NumberRead {
                field: Field {
                    raw,
                    value: Some(n),
                    cell: Some(at),
                },
                unit: None,
                comparator: None,
                how: None,
                note: None,
            },
        }
    }

    /// Reads an amount in 万元: a number, or text holding one ("327.89万元", "１，２３４．５６");
    /// reading text is always noted.
    pub(super) fn money_at(&mut self, at: CellRef, title: &str) -> Field<Decimal> {
        self.check_cell(at, title);
        let v = self.sheet.get(at.row, at.col);
        let raw = cell_text(v);
        let value = match v {
            Data::Float(f) => decimal_from_f64(*f),
            Data::Int(i) => decimal_from_i64(*i),
            Data::String(s) => parse_text_number(s)
                .filter(|t| t.comparator.is_none() && !t.percent)
                .filter(|t| t.unit.as_deref().is_none_or(|u| u == "万元"))
                .map(|t| {
                    self.notes.push(Normalization {
                        cell: at,
                        field: title.to_string(),
                        before: raw.clone(),
                        after: t.value.to_string(),
                        what: if t.unit.is_some() {
                            "去掉金额中的单位“万元”".to_string()
                        } else {
                            t.change.zh().to_string()
                        },
                        edits: vec![Edit {
                            cell: at,
                            value: EditValue::Number(t.value),
                        }],
                    });
                    t.value
                }),
            _ => None,
        };
        Field {
            raw,
            value,
            cell: Some(at),
        }
    }
}

/// A number typed as text, with its comparator and unit split off.
fn text_number(at: CellRef, s: &str, raw: String) -> Option<NumberRead> {
    let t = parse_text_number(s)?;
    let unit = if t.percent {
        Some("%".to_string())
    } else {
        t.unit.clone()
    };
    let how = match (&t.comparator, &unit) {
        (Some(_), _) => ReadHow::ComparatorInValue,
        (None, Some(_)) => ReadHow::UnitInValue,
        _ => ReadHow::Text(t.change),
    };
    Some(NumberRead {
        field: Field {
            raw,
            value: Some(t.value),
            cell: Some(at),
        },
        unit,
        comparator: t.comparator,
        how: Some(how),
        note: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("0.00\"%\""));
        assert!(!is_percent_format("0.00\\%"));
        assert!(!is_percent_format("General"));
    }
}
