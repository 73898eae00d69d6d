//! The indicator table: its header (one or two rows, repeated after page breaks), each row read
//! into an [`Indicator`] with 一级/二级 filled down, rows that are not indicators passed over
//! with the reason, and the 指标值类型 resolved (定量 with the comparator in the value).

use super::cells::{NumberRead, ReadHow, Reader, vertical_origin};
use super::index::Index;
use crate::edition::{Edition, label_is};
use crate::finding::{Edit, EditValue};
use crate::form::{CellRef, Column, Field, Indicator, Kind, Normalization, Skipped};
use crate::text::{norm_label, trim};
use crate::workbook::{Sheet, cell_text, is_blank};
use indexmap::IndexMap;

/// The indicator table's header: its first row, how many rows it spans, the column of each
/// field, and the 三级指标 label cell.
pub(super) struct Header {
    pub(super) row: u32,
    span: u32,
    cols: IndexMap<Column, u32>,
    pub(super) anchor: CellRef,
    /// Each header row's normalised texts by column, to recognise the header repeated below.
    rows_text: Vec<IndexMap<u32, String>>,
}

/// The columns a header must have.
const NEEDED: [Column; 3] = [Column::Level3, Column::Kind, Column::Value];

/// The header text of each column over `span` rows from `row`: a label split over two rows
/// ("指标值" above "类型") reads as one ("指标值类型"); a cell merged over both counts once.
fn header_texts(sheet: &Sheet, row: u32, span: u32) -> Vec<(u32, String)> {
    let mut cols: Vec<u32> = (row..row + span)
        .flat_map(|r| sheet.row(r).map(|(c, _)| c))
        .collect();
    cols.sort_unstable();
    cols.dedup();
    cols.into_iter()
        .map(|c| {
            let mut text = String::new();
            let mut last_origin = None;
            for r in row..row + span {
                let origin = sheet.merge_at(r, c).map(|m| m.start).unwrap_or((r, c));
                if Some(origin) == last_origin {
                    continue;
                }
                last_origin = Some(origin);
                text.push_str(&sheet.text(origin.0, origin.1));
            }
            (c, text)
        })
        .collect()
}

/// Finds the indicator header: the row (or pair of rows) whose columns hold the 三级指标,
/// 指标值类型 and 指标值 labels.
pub(super) fn find_header(sheet: &Sheet, idx: &Index, ed: &Edition) -> Option<Header> {
    let needed = NEEDED.map(|c| ed.column_labels(c));
    // Candidate rows: those with a cell that is, or starts, one of the needed labels.
    let starts: Vec<String> = needed
        .iter()
        .copied()
        .flatten()
        .map(|l| norm_label(l))
        .collect();
    let mut rows: Vec<u32> = idx
        .cells
        .iter()
        .filter(|c| !c.key.is_empty() && starts.iter().any(|s| s.starts_with(c.key.as_str())))
        .map(|c| c.row)
        .collect();
    rows.dedup();
    for span in [1, 2] {
        for &row in &rows {
            let texts = header_texts(sheet, row, span);
            let col_of =
                |ls: &[String]| texts.iter().find(|(_, t)| label_is(t, ls)).map(|(c, _)| *c);
            if needed.iter().all(|ls| col_of(ls).is_some()) {
                let mut cols = IndexMap::new();
                for (key, spec) in &ed.columns {
                    if let Some(c) = col_of(&spec.labels) {
                        cols.insert(*key, c);
                    }
                }
                let anchor = CellRef::new(row, cols.get(&Column::Level3).copied().unwrap_or(0));
                let rows_text = (row..row + span)
                    .map(|r| {
                        sheet
                            .row(r)
                            .map(|(c, v)| (c, norm_label(&cell_text(v))))
                            .collect()
                    })
                    .collect();
                return Some(Header {
                    row,
                    span,
                    cols,
                    anchor,
                    rows_text,
                });
            }
        }
    }
    None
}

/// Reads the indicator rows under the header, up to a note under the table.
pub(super) fn read(rd: &mut Reader, h: &Header) -> (Vec<Indicator>, Vec<Skipped>) {
    let sheet = rd.sheet;
    let last_row = sheet.end().map(|e| e.0).unwrap_or(h.row);
    let end_labels: Vec<String> = rd
        .ed
        .labels
        .table_end
        .iter()
        .map(|s| norm_label(s))
        .collect();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    // 一级/二级 as last seen: a merged cell gives its top-left value; a blank inherits.
    let mut level1: Field<String> = Field::absent();
    let mut level2: Field<String> = Field::absent();
    for r in sheet.used_rows(h.row + h.span, last_row) {
        let Some(first_text) = first_text(sheet, r) else {
            continue;
        };
        if end_labels
            .iter()
            .any(|e| first_text.starts_with(e.as_str()))
        {
            break; // a note under the table ("填表说明", "填报日期")
        }
        if repeats_header(sheet, h, r) {
            continue;
        }
        let level3 = column_text(rd, h, r, Column::Level3);
        if label_is(&level3.raw, rd.ed.column_labels(Column::Level3)) {
            continue; // the header repeated after a page break, written differently
        }
        let cells = RowCells::read(rd, h, r, level3);
        if !cells.level1.is_blank() {
            if cells.level1.cell != level1.cell {
                level2 = Field::absent();
            }
            level1 = cells.level1.clone();
        }
        if !cells.level2.is_blank() {
            level2 = cells.level2.clone();
        }
        match not_an_indicator(rd.ed, r, &cells, &first_text) {
            Some(Some(skip)) => skipped.push(skip),
            Some(None) => {}
            None => out.push(indicator(rd, r, cells, &level1, &level2)),
        }
    }
    (out, skipped)
}

/// The row's first non-blank text, normalised; `None` for a blank row.
fn first_text(sheet: &Sheet, r: u32) -> Option<String> {
    sheet
        .row(r)
        .map(|(_, v)| v)
        .find(|v| !is_blank(v))
        .map(|v| norm_label(&cell_text(v)))
}

/// The header repeated after a page break: one of its rows, cell for cell.
fn repeats_header(sheet: &Sheet, h: &Header, r: u32) -> bool {
    let texts: Vec<(u32, String)> = sheet
        .row(r)
        .filter(|(_, v)| !is_blank(v))
        .map(|(c, v)| (c, norm_label(&cell_text(v))))
        .collect();
    texts.len() >= 2
        && h.rows_text
            .iter()
            .any(|hr| texts.iter().all(|(c, t)| hr.get(c).is_some_and(|x| x == t)))
}

/// A text column of a row (the top cell of a vertical merge), absent when the table lacks it.
fn column_text(rd: &mut Reader, h: &Header, r: u32, col: Column) -> Field<String> {
    match h.cols.get(&col) {
        Some(&c) => {
            let at = vertical_origin(rd.sheet, r, c);
            let title = rd.ed.column_title(col).to_string();
            rd.text_at(at, &title)
        }
        None => Field::absent(),
    }
}

/// The text cells of one row, by column (the value is read later, as a number).
struct RowCells {
    level1: Field<String>,
    level2: Field<String>,
    level3: Field<String>,
    kind: Field<String>,
    unit: Field<String>,
    criteria: Field<String>,
    description: Field<String>,
    value_at: Option<CellRef>,
    value_blank: bool,
}

impl RowCells {
    fn read(rd: &mut Reader, h: &Header, r: u32, level3: Field<String>) -> RowCells {
        let sheet = rd.sheet;
        let value_at = h
            .cols
            .get(&Column::Value)
            .map(|&c| vertical_origin(sheet, r, c));
        let value_blank = value_at.is_none_or(|at| {
            is_blank(sheet.get(at.row, at.col)) && !sheet.formula_without_value(at.row, at.col)
        });
        RowCells {
            level1: column_text(rd, h, r, Column::Level1),
            level2: column_text(rd, h, r, Column::Level2),
            level3,
            kind: column_text(rd, h, r, Column::Kind),
            unit: column_text(rd, h, r, Column::Unit),
            criteria: column_text(rd, h, r, Column::Criteria),
            description: column_text(rd, h, r, Column::Description),
            value_at,
            value_blank,
        }
    }

    /// No 三级, type, unit or value.
    fn main_blank(&self) -> bool {
        [&self.level3, &self.kind, &self.unit]
            .iter()
            .all(|f| f.is_blank())
            && self.value_blank
    }
}

/// Why a row is not an indicator: `Some(None)` when there is nothing to say (only 一级/二级: a
/// group heading or a merge's continuation), `Some(Some(_))` when it is worth saying (a 合计
/// row, a row with only criteria), `None` when it is an indicator.
fn not_an_indicator(
    ed: &Edition,
    r: u32,
    cells: &RowCells,
    first_text: &str,
) -> Option<Option<Skipped>> {
    let main_blank = cells.main_blank();
    if main_blank && cells.criteria.is_blank() && cells.description.is_blank() {
        return Some(None);
    }
    let totals = &ed.labels.total_rows;
    if label_is(&cells.level3.raw, totals)
        || (cells.level3.is_blank() && label_is(first_text, totals))
    {
        return Some(Some(Skipped {
            cell: cells.level3.cell.unwrap_or(CellRef::new(r, 0)),
            reason: "合计行，不是指标，已跳过".to_string(),
        }));
    }
    if main_blank {
        return Some(Some(Skipped {
            cell: cells
                .criteria
                .cell
                .or(cells.description.cell)
                .unwrap_or(CellRef::new(r, 0)),
            reason: "这一行只填了评分标准或说明，没有三级指标、类型和指标值，已跳过".to_string(),
        }));
    }
    None
}

/// One indicator row: the value read as a number, the kind resolved against it.
fn indicator(
    rd: &mut Reader,
    r: u32,
    cells: RowCells,
    level1: &Field<String>,
    level2: &Field<String>,
) -> Indicator {
    let ed = rd.ed;
    let value = match cells.value_at {
        Some(at) => rd.number_at(at, ed.column_title(Column::Value), Some(&cells.unit.raw)),
        None => NumberRead {
            field: Field::absent(),
            unit: None,
            comparator: None,
            how: None,
            note: None,
        },
    };
    let (kind, kind_note, comparator_is_kind) = resolve_kind(ed, cells.kind, &value);
    // Reading the comparator out of the value is how the edition writes a 定量 target: the
    // row's 提示 (if any) is on its type, not on the value.
    let mut value_note = if comparator_is_kind && value.how == Some(ReadHow::ComparatorInValue) {
        None
    } else {
        value.note
    };
    // "90%" typed in the value: the number there and "%" in the unit cell, when that cell is
    // blank or already says %; otherwise what the person meant is theirs to say.
    if let (Some(n), Some(ReadHow::UnitInValue), Some(unit_cell)) =
        (value_note.as_mut(), &value.how, cells.unit.cell)
    {
        let unit = trim(&cells.unit.raw);
        if value.unit.as_deref() == Some("%")
            && (unit.is_empty() || norm_label(unit) == "%")
            && let Some(v) = value.field.value
        {
            n.edits = vec![Edit {
                cell: n.cell,
                value: EditValue::Number(v),
            }];
            if unit.is_empty() {
                n.edits.push(Edit {
                    cell: unit_cell,
                    value: EditValue::Text("%".to_string()),
                });
            }
        }
    }
    rd.keep(value_note);
    rd.keep(kind_note);
    Indicator {
        row: r,
        level1: level1.clone(),
        level2: level2.clone(),
        level3: cells.level3,
        kind,
        value: value.field,
        value_unit: value.unit,
        value_comparator: value.comparator,
        unit: cells.unit,
        criteria: cells.criteria,
        description: cells.description,
    }
}

/// The normalised kind, the 提示 on the type cell if one is due, and whether the comparator
/// typed in the value became the kind. Where the edition writes 定量 and puts the comparator
/// in the value ("≥90"), the comparator becomes the kind; a value with no comparator ("100", as
/// Excel leaves "=100") reads as "=".
fn resolve_kind(
    ed: &Edition,
    kind: Field<String>,
    value: &NumberRead,
) -> (Field<Kind>, Option<Normalization>, bool) {
    let spec = ed.kind_spec(&kind.raw);
    let title = ed.column_title(Column::Kind).to_string();
    let note = |after: Kind, what: String| {
        kind.cell.map(|cell| Normalization {
            cell,
            field: title.clone(),
            before: kind.raw.clone(),
            after: after.as_str().to_string(),
            what,
            edits: Vec::new(),
        })
    };
    let (normal, note, from_value) = match spec {
        Some(spec) if spec.from_value => {
            match value
                .comparator
                .as_deref()
                .and_then(|c| ed.comparator_of(c))
            {
                // Not this edition's own way (`noted`): say how the row was read.
                Some(c) => {
                    let n = spec.noted.then(|| {
                        note(
                            c,
                            format!(
                                "“{}”指标的比较符写在指标值中，按指标值中的“{c}”读作指标值类型",
                                spec.kind
                            ),
                        )
                    });
                    (Some(c), n.flatten(), true)
                }
                None if value.field.value.is_some() => (
                    Some(Kind::Equal),
                    note(
                        Kind::Equal,
                        format!("{}指标的指标值没有写比较符，按“=”读取", spec.kind),
                    ),
                    true,
                ),
                None => (Some(spec.kind), None, true),
            }
        }
        Some(spec) if spec.kind.as_str() != kind.raw => (
            Some(spec.kind),
            // Another spelling of the same type (>=, ＞＝, 大于等于): writing the standard one
            // cannot change what the row means.
            note(spec.kind, "指标值类型写法统一".to_string()).map(|mut n| {
                n.edits = vec![Edit {
                    cell: n.cell,
                    value: EditValue::Text(spec.kind.as_str().to_string()),
                }];
                n
            }),
            false,
        ),
        Some(spec) => (Some(spec.kind), None, false),
        None => (None, None, false),
    };
    (
        Field {
            raw: kind.raw,
            value: normal,
            cell: kind.cell,
        },
        note,
        from_value,
    )
}
