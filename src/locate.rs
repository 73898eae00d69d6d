//! Finding the form on a workbook by its labels (never by fixed coordinates) and turning the
//! cells into a typed [`Form`]. Owns label search, fill-down and value conversion; it never
//! judges a value: blank, odd or unreadable values go into the form as found.

use crate::edition::{Edition, label_ends_with, label_is};
use crate::form::{CellRef, Field, Form, Indicator, Normalization, Task};
use crate::text::{decimal_from_f64, norm_label, parse_text_number};
use crate::workbook::{Sheet, Workbook, cell_text, is_blank};
use calamine::Data;
use indexmap::IndexMap;
use rust_decimal::Decimal;

/// The workbook holds no recognisable form.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("不是可识别的申报表：未找到{}", missing.iter().map(|m| format!("“{m}”")).collect::<Vec<_>>().join("、"))]
pub struct NotAForm {
    /// The anchor labels that were not found on the best sheet.
    pub missing: Vec<String>,
}

/// How a label is compared.
#[derive(Clone, Copy)]
enum Match {
    Exact,
    EndsWith,
}

/// A label cell of the sheet: position, normalised text.
struct LabelCell {
    row: u32,
    col: u32,
    norm: String,
    raw: String,
}

/// The string cells of one sheet in reading order, normalised once.
struct Index {
    cells: Vec<LabelCell>,
}

impl Index {
    fn new(sheet: &Sheet) -> Index {
        let cells = sheet
            .used()
            .filter_map(|(row, col, v)| match v {
                Data::String(s) => Some(LabelCell {
                    row,
                    col,
                    norm: norm_label(s),
                    raw: s.clone(),
                }),
                _ => None,
            })
            .collect();
        Index { cells }
    }

    fn find(
        &self,
        labels: &[String],
        how: Match,
        rows: std::ops::RangeInclusive<u32>,
    ) -> Option<&LabelCell> {
        self.cells.iter().find(|c| {
            rows.contains(&c.row)
                && match how {
                    Match::Exact => label_is(&c.raw, labels),
                    Match::EndsWith => label_ends_with(&c.raw, labels),
                }
        })
    }
}

/// The labels that identify the form, for scoring sheets and for the "not found" message.
fn anchors(ed: &Edition) -> Vec<(String, Vec<String>, Match)> {
    let l = &ed.labels;
    let col = |k: &str| {
        ed.columns
            .get(k)
            .map(|c| c.labels.clone())
            .unwrap_or_default()
    };
    let bud = |k: &str| {
        ed.budget
            .get(k)
            .map(|c| c.labels.clone())
            .unwrap_or_default()
    };
    vec![
        (first(&l.department), l.department.clone(), Match::Exact),
        (first(&l.annual_goal), l.annual_goal.clone(), Match::Exact),
        (first(&l.task_name), l.task_name.clone(), Match::Exact),
        (first(&l.budget), l.budget.clone(), Match::Exact),
        (ed.title("total").to_string(), bud("total"), Match::EndsWith),
        (ed.title("level3").to_string(), col("level3"), Match::Exact),
        (ed.title("kind").to_string(), col("kind"), Match::Exact),
        (ed.title("value").to_string(), col("value"), Match::Exact),
    ]
}

fn first(v: &[String]) -> String {
    v.first().cloned().unwrap_or_default()
}

/// Finds the form on the best-matching visible sheet and reads it.
pub fn locate(wb: &Workbook, ed: &Edition) -> Result<Form, NotAForm> {
    let anchors = anchors(ed);
    let mut best: Option<(usize, Vec<String>, Vec<String>)> = None;
    for (i, sheet) in wb.sheets.iter().enumerate().filter(|(_, s)| s.visible) {
        let idx = Index::new(sheet);
        let (found, missing): (Vec<_>, Vec<_>) = anchors
            .iter()
            .partition(|(_, labels, how)| idx.find(labels, *how, 0..=u32::MAX).is_some());
        let found: Vec<String> = found.into_iter().map(|a| a.0.clone()).collect();
        let missing: Vec<String> = missing.into_iter().map(|a| a.0.clone()).collect();
        if best.as_ref().is_none_or(|b| found.len() > b.1.len()) {
            best = Some((i, found, missing));
        }
    }
    let Some((i, found, missing)) = best else {
        return Err(NotAForm {
            missing: anchors.into_iter().map(|a| a.0).collect(),
        });
    };
    // At least half the anchors, so a stray sheet that merely mentions one label is not taken.
    if found.len() * 2 < anchors.len() {
        return Err(NotAForm { missing });
    }
    Ok(read_form(&wb.sheets[i], ed, found))
}

fn read_form(sheet: &Sheet, ed: &Edition, matched_labels: Vec<String>) -> Form {
    let idx = Index::new(sheet);
    let all = 0..=u32::MAX;
    let known = Known::new(ed);
    let mut notes = Vec::new();

    // The indicator header row bounds everything above it.
    let header = find_indicator_header(&idx, ed);
    let above_table = header.map(|h| h.saturating_sub(1)).unwrap_or(u32::MAX);

    let dept_label = idx.find(&ed.labels.department, Match::Exact, all.clone());
    let department = text_near(sheet, &known, dept_label);
    let goal_label = idx.find(&ed.labels.annual_goal, Match::Exact, all.clone());
    let annual_goal = text_near(sheet, &known, goal_label);

    let year_rows = 0..=dept_label.map(|c| c.row).unwrap_or(above_table);
    let title = idx
        .find(&ed.labels.title, Match::EndsWith, all.clone())
        .or_else(|| {
            idx.cells.iter().find(|c| {
                ed.labels
                    .title
                    .iter()
                    .any(|t| c.norm.contains(&norm_label(t)))
            })
        });
    let year = find_year(&idx, year_rows, title.map(|t| CellRef::new(t.row, t.col)));

    let task_block = read_tasks(sheet, &idx, ed, &known, &mut notes);

    let budget_label = idx.find(&ed.labels.budget, Match::Exact, all.clone());
    let budget_rows = budget_label.map(|c| c.row).unwrap_or(0)..=above_table;
    let mut budget = IndexMap::new();
    let mut budget_anchor = budget_label.map(|c| CellRef::new(c.row, c.col));
    for (key, spec) in &ed.budget {
        if let Some(label) = idx.find(&spec.labels, Match::EndsWith, budget_rows.clone()) {
            budget_anchor.get_or_insert(CellRef::new(label.row, label.col));
            let at = value_near(sheet, &known, label.row, label.col);
            let field = match at {
                Some(pos) => read_money(sheet, pos, &spec.title, &mut notes),
                None => Field {
                    raw: String::new(),
                    value: None,
                    cell: Some(right_of(sheet, label.row, label.col)),
                },
            };
            budget.insert(key.clone(), field);
        }
    }

    let (indicators_anchor, indicators) = match header {
        Some(row) => (
            Some(header_anchor(&idx, ed, row)),
            read_indicators(sheet, ed, row, &mut notes),
        ),
        None => (None, Vec::new()),
    };

    Form {
        sheet: sheet.name.clone(),
        matched_labels,
        year,
        department,
        annual_goal,
        tasks_anchor: task_block.anchor,
        tasks: task_block.tasks,
        tasks_total: task_block.total,
        budget_anchor,
        budget,
        indicators_anchor,
        indicators,
        normalizations: notes,
    }
}

/// Every label the edition knows, to tell a label from a value when scanning for values.
struct Known {
    exact: Vec<String>,
    suffix: Vec<String>,
}

impl Known {
    fn new(ed: &Edition) -> Known {
        let l = &ed.labels;
        let mut exact: Vec<String> = [
            &l.title,
            &l.department,
            &l.annual_goal,
            &l.tasks,
            &l.task_name,
            &l.task_content,
            &l.task_amount,
            &l.budget,
        ]
        .into_iter()
        .flatten()
        .chain(ed.columns.values().flat_map(|c| c.labels.iter()))
        .map(|s| norm_label(s))
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

    fn is_label(&self, v: &Data) -> bool {
        let Data::String(s) = v else { return false };
        let n = norm_label(s);
        let n = n.trim_end_matches(':');
        self.exact.iter().any(|e| e == n) || self.suffix.iter().any(|e| n.ends_with(e.as_str()))
    }
}

/// The first cell right of a label (past its merge): where its value belongs.
fn right_of(sheet: &Sheet, row: u32, col: u32) -> CellRef {
    let end = sheet.merge_at(row, col).map(|m| m.end.1).unwrap_or(col);
    CellRef::new(row, end + 1)
}

/// The value cell of a label: the first non-blank cell to its right (unless that is another
/// label), else the cell just below it (unless blank or a label).
fn value_near(sheet: &Sheet, known: &Known, row: u32, col: u32) -> Option<CellRef> {
    let start = right_of(sheet, row, col).col;
    if let Some((c, v)) = sheet.row(row).find(|(c, v)| *c >= start && !is_blank(v))
        && !known.is_label(v)
    {
        return Some(CellRef::new(row, c));
    }
    let below = sheet.merge_at(row, col).map(|m| m.end.0).unwrap_or(row) + 1;
    let v = sheet.get(below, col);
    (!is_blank(v) && !known.is_label(v)).then_some(CellRef::new(below, col))
}

fn text_near(sheet: &Sheet, known: &Known, label: Option<&LabelCell>) -> Field<String> {
    let Some(label) = label else {
        return Field::absent();
    };
    match value_near(sheet, known, label.row, label.col) {
        Some(at) => Field::text(sheet.text(at.row, at.col), Some(at)),
        None => Field::text(String::new(), Some(right_of(sheet, label.row, label.col))),
    }
}

/// The year: "（2022 年度）", "2022年度" in the title rows, or a "年度" label with a value.
fn find_year(
    idx: &Index,
    rows: std::ops::RangeInclusive<u32>,
    title: Option<CellRef>,
) -> Field<i32> {
    for c in idx.cells.iter().filter(|c| rows.contains(&c.row)) {
        if let Some(y) = year_in(&c.norm) {
            return Field {
                raw: crate::text::trim(&c.raw).to_string(),
                value: Some(y),
                cell: Some(CellRef::new(c.row, c.col)),
            };
        }
    }
    Field {
        raw: String::new(),
        value: None,
        cell: title,
    }
}

/// A four-digit year directly before "年度" (or "年" at the end of a title).
fn year_in(norm: &str) -> Option<i32> {
    let chars: Vec<char> = norm.chars().collect();
    for (i, _) in norm.match_indices("年度") {
        let at = norm[..i].chars().count();
        if at >= 4 {
            let digits: String = chars[at - 4..at].iter().collect();
            let before_ok = at == 4 || !chars[at - 5].is_ascii_digit();
            if before_ok && digits.chars().all(|c| c.is_ascii_digit()) {
                return digits.parse().ok().filter(|y| (1990..=2100).contains(y));
            }
        }
    }
    None
}

/// The task block: its anchor, the task rows, and the amount of a 合计 row if any.
struct TaskBlock {
    anchor: Option<CellRef>,
    tasks: Vec<Task>,
    total: Option<Field<Decimal>>,
}

fn read_tasks(
    sheet: &Sheet,
    idx: &Index,
    ed: &Edition,
    known: &Known,
    notes: &mut Vec<Normalization>,
) -> TaskBlock {
    let all = 0..=u32::MAX;
    let label = idx.find(&ed.labels.tasks, Match::Exact, all.clone());
    let name_hdr = idx.find(&ed.labels.task_name, Match::Exact, all.clone());
    let content_hdr = idx.find(&ed.labels.task_content, Match::Exact, all);
    let anchor = label.or(name_hdr).map(|c| CellRef::new(c.row, c.col));
    let (Some(nh), Some(ch)) = (name_hdr, content_hdr) else {
        return TaskBlock {
            anchor,
            tasks: Vec::new(),
            total: None,
        };
    };
    let amount_col = idx
        .find(&ed.labels.task_amount, Match::Exact, nh.row..=nh.row)
        .map(|c| c.col);
    let first_row = nh.row.max(ch.row) + 1;
    let last_row = sheet.end().map(|e| e.0).unwrap_or(first_row);
    // The block ends at its label's merge, or at the next row holding another section's label.
    let label_merge = label.and_then(|l| sheet.merge_at(l.row, l.col));
    let mut last = label_merge
        .map(|m| m.end.0)
        .filter(|&e| e >= first_row)
        .unwrap_or(last_row);
    for r in sheet.used_rows(first_row, last) {
        let row_has_label = sheet.row(r).any(|(c, v)| {
            let in_label = label_merge.is_some_and(|m| m.contains(r, c));
            !in_label && known.is_label(v)
        });
        if row_has_label {
            last = r.saturating_sub(1);
            break;
        }
    }
    let totals: Vec<String> = ed.labels.task_total.clone();
    let mut block = TaskBlock {
        anchor,
        tasks: Vec::new(),
        total: None,
    };
    for r in sheet.used_rows(first_row, last) {
        let name = Field::text(sheet.text(r, nh.col), Some(CellRef::new(r, nh.col)));
        let content = Field::text(sheet.text(r, ch.col), Some(CellRef::new(r, ch.col)));
        let amount = amount_col.map(|c| {
            if is_blank(sheet.get(r, c)) {
                Field {
                    raw: String::new(),
                    value: None,
                    cell: Some(CellRef::new(r, c)),
                }
            } else {
                read_money(
                    sheet,
                    CellRef::new(r, c),
                    &first(&ed.labels.task_amount),
                    notes,
                )
            }
        });
        if label_is(&name.raw, &totals) || (name.is_blank() && label_is(&content.raw, &totals)) {
            block.total = amount;
            continue;
        }
        if name.is_blank() && content.is_blank() && amount.as_ref().is_none_or(|a| a.is_blank()) {
            continue;
        }
        block.tasks.push(Task {
            name,
            content,
            amount,
        });
    }
    block
}

/// The row holding the 三级指标, 指标值类型 and 指标值 labels.
fn find_indicator_header(idx: &Index, ed: &Edition) -> Option<u32> {
    let labels = |k: &str| {
        ed.columns
            .get(k)
            .map(|c| c.labels.as_slice())
            .unwrap_or(&[])
    };
    idx.cells
        .iter()
        .filter(|c| label_is(&c.raw, labels("level3")))
        .map(|c| c.row)
        .find(|&row| {
            ["kind", "value"].iter().all(|k| {
                idx.cells
                    .iter()
                    .any(|c| c.row == row && label_is(&c.raw, labels(k)))
            })
        })
}

fn header_anchor(idx: &Index, ed: &Edition, row: u32) -> CellRef {
    let labels = ed
        .columns
        .get("level3")
        .map(|c| c.labels.as_slice())
        .unwrap_or(&[]);
    idx.cells
        .iter()
        .find(|c| c.row == row && label_is(&c.raw, labels))
        .map(|c| CellRef::new(c.row, c.col))
        .unwrap_or(CellRef::new(row, 0))
}

fn read_indicators(
    sheet: &Sheet,
    ed: &Edition,
    header: u32,
    notes: &mut Vec<Normalization>,
) -> Vec<Indicator> {
    let mut cols: IndexMap<&str, u32> = IndexMap::new();
    for (key, spec) in &ed.columns {
        if let Some((c, _)) = sheet
            .row(header)
            .find(|(_, v)| matches!(v, Data::String(s) if label_is(s, &spec.labels)))
        {
            cols.insert(key.as_str(), c);
        }
    }
    let last_row = sheet.end().map(|e| e.0).unwrap_or(header);
    let end_labels: Vec<String> = ed.labels.table_end.iter().map(|s| norm_label(s)).collect();
    let level3_labels = ed
        .columns
        .get("level3")
        .map(|c| c.labels.clone())
        .unwrap_or_default();

    let mut out = Vec::new();
    let mut level1: Field<String> = Field::absent();
    let mut level2: Field<String> = Field::absent();
    for r in sheet.used_rows(header + 1, last_row) {
        let first_text = sheet
            .row(r)
            .map(|(_, v)| v)
            .find(|v| !is_blank(v))
            .map(|v| norm_label(&cell_text(v)));
        let Some(first_text) = first_text else {
            continue;
        };
        if end_labels
            .iter()
            .any(|e| first_text.starts_with(e.as_str()))
        {
            break;
        }
        let field = |key: &str| -> Field<String> {
            match cols.get(key) {
                Some(&c) => {
                    let at = vertical_origin(sheet, r, c);
                    Field::text(sheet.text(at.row, at.col), Some(at))
                }
                None => Field::absent(),
            }
        };
        let level3 = field("level3");
        if label_is(&level3.raw, &level3_labels) {
            continue; // the header repeated after a page break
        }
        // 一级/二级: a merged cell gives its top-left value; a blank one inherits from above.
        let l1 = field("level1");
        if !l1.is_blank() {
            if l1.cell != level1.cell {
                level2 = Field::absent();
            }
            level1 = l1;
        }
        let l2 = field("level2");
        if !l2.is_blank() {
            level2 = l2;
        }
        let kind = field("kind");
        let unit = field("unit");
        let criteria = field("criteria");
        let description = field("description");
        let value_at = cols.get("value").map(|&c| vertical_origin(sheet, r, c));
        let value_blank = value_at.is_none_or(|at| is_blank(sheet.get(at.row, at.col)));
        if [&level3, &kind, &unit, &criteria, &description]
            .iter()
            .all(|f| f.is_blank())
            && value_blank
        {
            continue; // only 一级/二级 on this row: a group heading or a merge's continuation
        }
        let (kind, kind_note) = read_kind(ed, kind);
        notes.extend(kind_note);
        let (value, value_unit, value_comparator) = match value_at {
            Some(at) => read_value(sheet, at, ed.title("value"), notes),
            None => (Field::absent(), None, None),
        };
        out.push(Indicator {
            row: r,
            level1: level1.clone(),
            level2: level2.clone(),
            level3,
            kind,
            value,
            value_unit,
            value_comparator,
            unit,
            criteria,
            description,
        });
    }
    out
}

/// Where a cell's shown value lives: the top of a vertical merge in the same column, else itself.
fn vertical_origin(sheet: &Sheet, row: u32, col: u32) -> CellRef {
    match sheet.merge_at(row, col) {
        Some(m) if m.start.1 == col => CellRef::new(m.start.0, col),
        _ => CellRef::new(row, col),
    }
}

fn read_kind(ed: &Edition, kind: Field<String>) -> (Field<String>, Option<Normalization>) {
    let normal = ed.kind_of(&kind.raw).map(str::to_string);
    let note = match (&normal, kind.cell) {
        (Some(n), Some(cell)) if *n != kind.raw => Some(Normalization {
            cell,
            field: ed.title("kind").to_string(),
            before: kind.raw.clone(),
            after: n.clone(),
            what: "指标值类型写法统一".to_string(),
        }),
        _ => None,
    };
    (
        Field {
            raw: kind.raw,
            value: normal,
            cell: kind.cell,
        },
        note,
    )
}

/// A number format that shows a percentage (a `%` outside quoted text).
fn is_percent_format(code: &str) -> bool {
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

type ValueParts = (Field<Decimal>, Option<String>, Option<String>);

fn read_value(
    sheet: &Sheet,
    at: CellRef,
    title: &str,
    notes: &mut Vec<Normalization>,
) -> ValueParts {
    let v = sheet.get(at.row, at.col);
    let raw = cell_text(v);
    let cell = Some(at);
    let number = match v {
        Data::Float(f) => decimal_from_f64(*f),
        Data::Int(i) => Some(Decimal::from(*i)),
        _ => None,
    };
    if let Some(n) = number {
        if sheet
            .number_format(at.row, at.col)
            .is_some_and(is_percent_format)
        {
            let shown = (n * Decimal::from(100)).normalize();
            notes.push(Normalization {
                cell: at,
                field: title.to_string(),
                before: format!("{raw}（百分比格式，显示为 {shown}%）"),
                after: format!("{shown}，单位 %"),
                what: "百分比格式的小数按显示值读取".to_string(),
            });
            let raw = format!("{shown}%");
            return (
                Field {
                    raw,
                    value: Some(shown),
                    cell,
                },
                Some("%".to_string()),
                None,
            );
        }
        return (
            Field {
                raw,
                value: Some(n),
                cell,
            },
            None,
            None,
        );
    }
    let Data::String(s) = v else {
        return (
            Field {
                raw,
                value: None,
                cell,
            },
            None,
            None,
        );
    };
    match parse_text_number(s) {
        Some(t) => {
            let unit = if t.percent {
                Some("%".to_string())
            } else {
                t.unit.clone()
            };
            {
                let after = format!(
                    "{}{}",
                    t.value,
                    unit.as_deref()
                        .map(|u| format!("，单位 {u}"))
                        .unwrap_or_default()
                );
                let what = match (&t.comparator, &unit) {
                    (Some(_), _) => "值中的比较符另行读取",
                    (None, Some(_)) => "值中的单位拆分到单位",
                    _ => "文本转为数字",
                };
                notes.push(Normalization {
                    cell: at,
                    field: title.to_string(),
                    before: raw.clone(),
                    after,
                    what: what.to_string(),
                });
            }
            (
                Field {
                    raw,
                    value: Some(t.value),
                    cell,
                },
                unit,
                t.comparator,
            )
        }
        None => (
            Field {
                raw,
                value: None,
                cell,
            },
            None,
            None,
        ),
    }
}

fn read_money(
    sheet: &Sheet,
    at: CellRef,
    title: &str,
    notes: &mut Vec<Normalization>,
) -> Field<Decimal> {
    let v = sheet.get(at.row, at.col);
    let raw = cell_text(v);
    let value = match v {
        Data::Float(f) => decimal_from_f64(*f),
        Data::Int(i) => Some(Decimal::from(*i)),
        Data::String(s) => parse_text_number(s)
            .filter(|t| t.comparator.is_none() && !t.percent)
            .filter(|t| t.unit.as_deref().is_none_or(|u| u == "万元"))
            .map(|t| {
                notes.push(Normalization {
                    cell: at,
                    field: title.to_string(),
                    before: raw.clone(),
                    after: t.value.to_string(),
                    what: if t.unit.is_some() {
                        "去掉金额中的单位“万元”".to_string()
                    } else {
                        "文本转为数字".to_string()
                    },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years() {
        assert_eq!(year_in("(2022年度)"), Some(2022));
        assert_eq!(year_in("2023年度省级部门整体绩效目标申报表"), Some(2023));
        assert_eq!(year_in("12022年度"), None);
        assert_eq!(year_in("年度履职目标"), None);
    }

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("0.00\"%\""));
        assert!(!is_percent_format("0.00\\%"));
        assert!(!is_percent_format("General"));
    }
}
