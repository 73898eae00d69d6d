//! The 预算情况 section: the budget figures by the edition's keys, each figure's 占比 where the
//! edition has a share column (fractions read as percentages where the file keeps no number
//! formats), and further columns such as prior years, kept as found.

use super::cells::{ReadHow, Reader, right_of};
use super::index::{Index, LabelCell, Match, Rows, all_rows};
use crate::edition::label_is;
use crate::form::{CellRef, ExtraColumn, Field, Normalization};
use crate::text::{decimal_from_f64, decimal_from_i64, parse_text_number};
use crate::workbook::{cell_text, is_blank};
use calamine::Data;
use indexmap::IndexMap;
use rust_decimal::Decimal;

/// The budget block: its anchor, the figures, their shares and any further columns.
pub(super) struct BudgetBlock {
    pub(super) anchor: Option<CellRef>,
    pub(super) figures: IndexMap<String, Field<Decimal>>,
    pub(super) shares: IndexMap<String, Field<Decimal>>,
    pub(super) extra: Vec<ExtraColumn>,
}

/// Reads the 预算情况 block: each figure the edition names, found by its label (inside its
/// group where it has one), its 占比 where the edition has a share column, and further headed
/// columns (prior years) kept as found.
pub(super) fn read(rd: &mut Reader, idx: &Index, above_table: u32) -> BudgetBlock {
    let (sheet, ed) = (rd.sheet, rd.ed);
    let label = idx.find(&ed.labels.budget, Match::Exact, all_rows());
    let rows = label.map(|c| c.row).unwrap_or(0)..=above_table;
    let share_hdr = idx.find(&ed.budget_share, Match::Exact, rows.clone());
    let share_col = share_hdr.map(|c| c.col);
    // Headed columns right of 占比 (prior years): kept, not checked.
    let mut extra: Vec<(u32, ExtraColumn)> = share_hdr
        .map(|h| {
            sheet
                .row(h.row)
                .filter(|(c, v)| *c > h.col && !is_blank(v))
                .map(|(c, v)| {
                    let column = ExtraColumn {
                        title: cell_text(v),
                        values: IndexMap::new(),
                    };
                    (c, column)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut block = BudgetBlock {
        anchor: label.map(|c| CellRef::new(c.row, c.col)),
        figures: IndexMap::new(),
        shares: IndexMap::new(),
        extra: Vec::new(),
    };
    for (key, spec) in &ed.budget {
        // A figure inside a group (收入构成 …) is looked for only in that group's rows.
        let (region, min_col) = if spec.within.is_empty() {
            (rows.clone(), 0)
        } else {
            match idx.find(&spec.within, Match::Exact, rows.clone()) {
                Some(g) => (group_rows(rd, idx, g, &rows), g.col + 1),
                None => continue,
            }
        };
        let Some(lbl) = idx.find_in(&spec.labels, Match::EndsWith, region, min_col) else {
            continue;
        };
        block.anchor.get_or_insert(CellRef::new(lbl.row, lbl.col));
        let limit = share_col.filter(|&c| c > lbl.col).unwrap_or(u32::MAX);
        let field = match rd.value_near(lbl.row, lbl.col, limit) {
            Some(at) => rd.money_at(at, &spec.title),
            None => Field {
                raw: String::new(),
                value: None,
                cell: Some(right_of(sheet, lbl.row, lbl.col)),
            },
        };
        if let Some(c) = share_col.filter(|&c| c > lbl.col) {
            let share = share_at(rd, CellRef::new(lbl.row, c), &spec.title);
            block.shares.insert(key.clone(), share);
        }
        for (c, column) in &mut extra {
            let v = sheet.get(lbl.row, *c);
            let value = match v {
                Data::Float(f) => decimal_from_f64(*f),
                Data::Int(i) => decimal_from_i64(*i),
                Data::String(s) => parse_text_number(s).map(|t| t.value),
                _ => None,
            };
            let field = Field {
                raw: cell_text(v),
                value,
                cell: Some(CellRef::new(lbl.row, *c)),
            };
            column.values.insert(key.clone(), field);
        }
        block.figures.insert(key.clone(), field);
    }
    shares_as_percent(rd, &mut block.shares);
    block.extra = extra.into_iter().map(|(_, c)| c).collect();
    block
}

/// Files without number formats (xls, ods) store 90% as 0.9. When every share typed as a
/// number is at most 1, the column holds fractions: read them as percentages, and say so.
fn shares_as_percent(rd: &mut Reader, shares: &mut IndexMap<String, Field<Decimal>>) {
    let numeric = |f: &Field<Decimal>| {
        f.cell
            .is_some_and(|c| matches!(rd.sheet.get(c.row, c.col), Data::Float(_) | Data::Int(_)))
    };
    let fractions = !rd.sheet.has_number_formats()
        && shares.values().any(&numeric)
        && shares
            .values()
            .filter(|f| numeric(f))
            .all(|f| f.value.is_some_and(|v| v <= Decimal::ONE));
    if !fractions {
        return;
    }
    for f in shares.values_mut().filter(|f| numeric(f)) {
        let (Some(v), Some(cell)) = (f.value, f.cell) else {
            continue;
        };
        let shown = (v * Decimal::from(100)).normalize();
        rd.notes.push(Normalization {
            cell,
            field: "占比".to_string(),
            before: f.raw.clone(),
            after: format!("{shown}%"),
            what: "xls/ods 文件不保存百分比格式，占比一栏都是不超过 1 的小数，按百分数读取"
                .to_string(),
            edits: Vec::new(),
        });
        f.value = Some(shown);
        f.raw = format!("{shown}%");
    }
}

/// The rows of a budget group: its label's merge, else up to the next group label.
fn group_rows(rd: &Reader, idx: &Index, g: &LabelCell, rows: &Rows) -> Rows {
    if let Some(m) = rd
        .sheet
        .merge_at(g.row, g.col)
        .filter(|m| m.end.0 > m.start.0)
    {
        return m.start.0..=m.end.0;
    }
    let groups: Vec<String> = rd
        .ed
        .budget
        .values()
        .flat_map(|b| b.within.iter().cloned())
        .collect();
    let next = idx
        .cells
        .iter()
        .filter(|c| c.row > g.row && rows.contains(&c.row) && label_is(&c.raw, &groups))
        .map(|c| c.row)
        .min();
    g.row..=next.map(|n| n - 1).unwrap_or(*rows.end())
}

/// A 占比 cell: a percentage, from a % format, a "%" in text, or a bare fraction in a file
/// that keeps no number formats.
fn share_at(rd: &mut Reader, at: CellRef, title: &str) -> Field<Decimal> {
    let field_name = format!("{title}占比");
    let read = rd.number_at(at, &field_name, None);
    // A 占比 shown through a % format is read as shown: that is no change worth a 提示.
    if read.how != Some(ReadHow::PercentFormat) {
        rd.keep(read.note);
    }
    let (field, unit) = (read.field, read.unit);
    if field.value.is_some() && unit.as_deref().is_some_and(|u| u != "%") {
        return Field {
            value: None,
            ..field
        };
    }
    field
}
