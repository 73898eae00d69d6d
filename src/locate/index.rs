//! The label index of one sheet: its text cells in reading order with their comparison keys
//! (normalised once), label search by exact text or by ending, and the set of every label an
//! edition knows, to tell a label from a value.

use crate::edition::{Edition, label_key};
use crate::text::norm_label;
use crate::workbook::Sheet;
use calamine::Data;

/// A range of rows, absolute and inclusive.
pub(super) type Rows = std::ops::RangeInclusive<u32>;

/// Every row.
pub(super) fn all_rows() -> Rows {
    0..=u32::MAX
}

/// The first of a list of labels (the canonical one), or "".
pub(super) fn first(v: &[String]) -> String {
    v.first().cloned().unwrap_or_default()
}

/// How a label is compared.
#[derive(Clone, Copy)]
pub(super) enum Match {
    Exact,
    /// The cell's text ends with the label ("1、资金来源：(1) 财政性资金").
    EndsWith,
}

/// A text cell of the sheet: position, text, and its comparison key (normalised once).
pub(super) struct LabelCell {
    pub(super) row: u32,
    pub(super) col: u32,
    pub(super) raw: String,
    pub(super) key: String,
}

/// The text cells of one sheet in reading order.
pub(super) struct Index {
    pub(super) cells: Vec<LabelCell>,
}

impl Index {
    pub(super) fn new(sheet: &Sheet) -> Index {
        let cells = sheet
            .used()
            .filter_map(|(row, col, v)| match v {
                Data::String(s) => Some(LabelCell {
                    row,
                    col,
                    raw: s.clone(),
                    key: label_key(s),
                }),
                _ => None,
            })
            .collect();
        Index { cells }
    }

    /// The first cell in `rows` holding one of `labels`.
    pub(super) fn find(&self, labels: &[String], how: Match, rows: Rows) -> Option<&LabelCell> {
        self.find_in(labels, how, rows, 0)
    }

    /// The first label cell in `rows` at or right of `min_col`.
    pub(super) fn find_in(
        &self,
        labels: &[String],
        how: Match,
        rows: Rows,
        min_col: u32,
    ) -> Option<&LabelCell> {
        let keys: Vec<String> = labels
            .iter()
            .map(|l| label_key(l))
            .filter(|k| !k.is_empty())
            .collect();
        self.find_keys(&keys, how, rows, min_col)
    }

    /// As [`Index::find_in`], with the labels already normalised (see [`label_key`]).
    pub(super) fn find_keys(
        &self,
        keys: &[String],
        how: Match,
        rows: Rows,
        min_col: u32,
    ) -> Option<&LabelCell> {
        if keys.is_empty() {
            return None;
        }
        self.cells.iter().find(|c| {
            rows.contains(&c.row)
                && c.col >= min_col
                && !c.key.is_empty()
                && match how {
                    Match::Exact => keys.contains(&c.key),
                    Match::EndsWith => keys.iter().any(|k| c.key.ends_with(k.as_str())),
                }
        })
    }
}

/// Every label the edition knows, to tell a label from a value when scanning for values.
pub(super) struct Known {
    exact: Vec<String>,
    suffix: Vec<String>,
}

impl Known {
    pub(super) fn new(ed: &Edition) -> Known {
        let l = &ed.labels;
        let fields = ed
            .columns
            .values()
            .chain(ed.header.values())
            .chain(ed.task_amounts.values())
            .flat_map(|c| c.labels.iter());
        let groups = ed.budget.values().flat_map(|b| b.within.iter());
        let mut exact: Vec<String> = [
            &l.title,
            &l.department,
            &l.annual_goal,
            &l.tasks,
            &l.task_name,
            &l.task_content,
            &l.budget,
            &ed.budget_share,
        ]
        .into_iter()
        .flatten()
        .chain(fields)
        .chain(groups)
        .map(|s| norm_label(s).trim_end_matches(':').to_string())
        .collect();
        exact.sort();
        exact.dedup();
        let suffix = ed
            .budget
            .values()
            .flat_map(|b| b.labels.iter())
            .map(|s| norm_label(s))
            .collect();
        Known { exact, suffix }
    }

    pub(super) fn is_label(&self, v: &Data) -> bool {
        let Data::String(s) = v else { return false };
        let n = norm_label(s);
        let n = n.trim_end_matches(':');
        self.exact.iter().any(|e| e == n) || self.suffix.iter().any(|e| n.ends_with(e.as_str()))
    }
}
