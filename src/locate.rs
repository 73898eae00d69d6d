//! Finding the form on a workbook by its labels (never by fixed coordinates), telling which
//! edition it is, and turning the cells into a typed [`Form`]. Owns label search, fill-down and
//! value conversion; it never judges a value: blank, odd or unreadable values go into the form
//! as found. Everything that differs between editions comes from the edition data.

use crate::edition::{Edition, label_is, label_key};
use crate::form::{
    CellIssue, CellIssueKind, CellRef, ExtraColumn, Field, Form, Indicator, Normalization, Skipped,
    Task,
};
use crate::text::{decimal_from_f64, decimal_from_i64, norm_label, parse_text_number};
use crate::workbook::{Sheet, Workbook, cell_text, is_blank};
use calamine::{Data, Dimensions};
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

/// A text cell of the sheet: position, text, and its comparison key (normalised once).
struct LabelCell {
    row: u32,
    col: u32,
    raw: String,
    key: String,
}

/// The text cells of one sheet in reading order.
struct Index {
    cells: Vec<LabelCell>,
}

type Rows = std::ops::RangeInclusive<u32>;

impl Index {
    fn new(sheet: &Sheet) -> Index {
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

    fn find(&self, labels: &[String], how: Match, rows: Rows) -> Option<&LabelCell> {
        self.find_in(labels, how, rows, 0)
    }

    /// The first label cell in `rows` at or right of `min_col`.
    fn find_in(
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

fn all_rows() -> Rows {
    0..=u32::MAX
}

fn first(v: &[String]) -> String {
    v.first().cloned().unwrap_or_default()
}

/// One label an edition is recognised by.
struct Sign {
    title: String,
    labels: Vec<String>,
    how: Match,
    /// A core anchor: at least half of these must be found for the sheet to be a form at all.
    core: bool,
}

/// The labels that identify a form of this edition: the core anchors, then every other label
/// the edition names (header fields, budget figures, columns, task amounts, 定量-style kinds).
fn signature(ed: &Edition) -> Vec<Sign> {
    let l = &ed.labels;
    let sign = |title: &str, labels: &[String], how, core| Sign {
        title: title.to_string(),
        labels: labels.to_vec(),
        how,
        core,
    };
    let mut v = vec![
        sign(&first(&l.department), &l.department, Match::Exact, true),
        sign(&first(&l.annual_goal), &l.annual_goal, Match::Exact, true),
        sign(&first(&l.task_name), &l.task_name, Match::Exact, true),
        sign(&first(&l.budget), &l.budget, Match::Exact, true),
    ];
    for key in ["level3", "kind", "value"] {
        if let Some(c) = ed.columns.get(key) {
            v.push(sign(&c.title, &c.labels, Match::Exact, true));
        }
    }
    for f in ed.header.values() {
        v.push(sign(&f.title, &f.labels, Match::Exact, false));
    }
    for f in ed.budget.values() {
        v.push(sign(
            &f.title,
            &f.labels,
            Match::EndsWith,
            f.within.is_empty() && f.required,
        ));
        for g in &f.within {
            v.push(sign(g, std::slice::from_ref(g), Match::Exact, false));
        }
    }
    if !ed.budget_share.is_empty() {
        v.push(sign(
            &first(&ed.budget_share),
            &ed.budget_share,
            Match::Exact,
            false,
        ));
    }
    for (key, c) in &ed.columns {
        if !matches!(key.as_str(), "level3" | "kind" | "value") {
            v.push(sign(&c.title, &c.labels, Match::Exact, false));
        }
    }
    for f in ed.task_amounts.values() {
        v.push(sign(&f.title, &f.labels, Match::Exact, false));
    }
    for k in ed.kinds.iter().filter(|k| k.from_value) {
        v.push(sign(&k.kind, &k.typed, Match::Exact, false));
    }
    // One entry per distinct title (a group label may be named by several figures).
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.title.clone()));
    v
}

/// How well a sheet fits an edition.
struct Fit {
    edition: usize,
    sheet: usize,
    /// The labels found, with the cell each was found at.
    found: Vec<(String, (u32, u32))>,
    /// The labels found for this edition at cells the runner-up on the same sheet does not
    /// recognise.
    evidence: Vec<String>,
    missing_core: Vec<String>,
    score: i64,
    core_found: usize,
    core_total: usize,
}

fn fit(idx: &Index, ed: &Edition, edition: usize, sheet: usize) -> Fit {
    let mut found = Vec::new();
    let mut found_at = Vec::new();
    let mut missing = 0i64;
    let mut missing_core = Vec::new();
    let (mut core_found, mut core_total) = (0, 0);
    for s in signature(ed) {
        let cell = idx
            .find(&s.labels, s.how, all_rows())
            .map(|c| (c.row, c.col));
        let hit = cell.is_some();
        found_at.extend(cell);
        if s.core {
            core_total += 1;
            if hit {
                core_found += 1;
            } else {
                missing_core.push(s.title.clone());
            }
        }
        if let Some(at) = cell {
            found.push((s.title, at));
        } else {
            missing += 1;
        }
    }
    Fit {
        edition,
        sheet,
        score: found.len() as i64 - missing,
        evidence: Vec::new(),
        found,
        missing_core,
        core_found,
        core_total,
    }
}

/// Finds every form in the workbook: each visible sheet that holds one, in workbook order, read
/// under the edition whose labels fit that sheet best (the first listed wins a tie). Returns
/// the index of the edition used with each form. A sheet holding a second copy of a form
/// already found (same department, same content) is not a form of its own: it is listed in the
/// first copy's `copies`.
pub fn locate(wb: &Workbook, eds: &[Edition]) -> Result<Vec<(usize, Form)>, NotAForm> {
    let mut best_fits: Vec<Fit> = Vec::new();
    let mut best_overall: Option<Fit> = None;
    for (si, sheet) in wb.sheets.iter().enumerate().filter(|(_, s)| s.visible) {
        let idx = Index::new(sheet);
        let mut fits: Vec<Fit> = eds
            .iter()
            .enumerate()
            .map(|(ei, ed)| fit(&idx, ed, ei, si))
            .collect();
        // Best score; ties go to the earlier edition.
        fits.sort_by(|a, b| b.score.cmp(&a.score).then(a.edition.cmp(&b.edition)));
        let mut fits = fits.into_iter();
        let Some(mut best) = fits.next() else {
            continue;
        };
        // What decided the edition: its labels at cells the best other edition does not
        // recognise (a label both know, under any name, decides nothing).
        if let Some(runner_up) = fits.next() {
            best.evidence = best
                .found
                .iter()
                .filter(|(_, at)| !runner_up.found.iter().any(|(_, b)| b == at))
                .map(|(title, _)| title.clone())
                .collect();
        }
        // At least half the core anchors, so a stray sheet that merely mentions a label is not
        // taken for a form.
        if best.core_found * 2 >= best.core_total {
            best_fits.push(best);
        } else if best_overall.as_ref().is_none_or(|b| best.score > b.score) {
            best_overall = Some(best);
        }
    }
    if best_fits.is_empty() {
        let missing = match best_overall {
            Some(b) => b.missing_core,
            None => eds
                .first()
                .map(|e| {
                    signature(e)
                        .into_iter()
                        .filter(|s| s.core)
                        .map(|s| s.title)
                        .collect()
                })
                .unwrap_or_default(),
        };
        return Err(NotAForm { missing });
    }
    let mut forms: Vec<(usize, Form)> = Vec::new();
    for best in best_fits {
        let ed = &eds[best.edition];
        let labels = best.found.iter().map(|(t, _)| t.clone()).collect();
        let mut form = read_form(&wb.sheets[best.sheet], ed, labels);
        form.edition_evidence = best.evidence;
        form.file_notes = wb.notes.clone();
        match forms.iter_mut().find(|(_, f)| same_content(f, &form)) {
            Some((_, first)) => {
                let cell = form.department.cell.unwrap_or(CellRef::new(0, 0));
                first.copies.push((form.sheet.clone(), cell));
            }
            None => forms.push((best.edition, form)),
        }
    }
    Ok(forms)
}

/// Two forms say the same: department, goal, tasks, budget and indicators as typed.
fn same_content(a: &Form, b: &Form) -> bool {
    fn texts<T>(f: &Field<T>) -> &str {
        f.raw.as_str()
    }
    let tasks = |f: &Form| -> Vec<(String, String, Vec<String>)> {
        f.tasks
            .iter()
            .map(|t| {
                (
                    t.name.raw.clone(),
                    t.content.raw.clone(),
                    t.amounts.values().map(|a| a.raw.clone()).collect(),
                )
            })
            .collect()
    };
    let budget = |f: &Form| -> Vec<(String, String)> {
        f.budget
            .iter()
            .map(|(k, v)| (k.clone(), v.raw.clone()))
            .collect()
    };
    let indicators = |f: &Form| -> Vec<[String; 8]> {
        f.indicators
            .iter()
            .map(|i| {
                [
                    &i.level1.raw,
                    &i.level2.raw,
                    &i.level3.raw,
                    &i.kind.raw,
                    &i.value.raw,
                    &i.unit.raw,
                    &i.criteria.raw,
                    &i.description.raw,
                ]
                .map(|s| s.clone())
            })
            .collect()
    };
    !a.department.is_blank()
        && texts(&a.department) == texts(&b.department)
        && texts(&a.annual_goal) == texts(&b.annual_goal)
        && a.year.value == b.year.value
        && tasks(a) == tasks(b)
        && budget(a) == budget(b)
        && indicators(a) == indicators(b)
}

/// Reads values out of one sheet, keeping what it had to change or could not read.
struct Reader<'a> {
    sheet: &'a Sheet,
    ed: &'a Edition,
    known: Known,
    notes: Vec<Normalization>,
    issues: Vec<CellIssue>,
}

fn read_form(sheet: &Sheet, ed: &Edition, matched_labels: Vec<String>) -> Form {
    let idx = Index::new(sheet);
    let mut rd = Reader {
        sheet,
        ed,
        known: Known::new(ed),
        notes: Vec::new(),
        issues: Vec::new(),
    };

    // The indicator header row bounds everything above it.
    let header = find_indicator_header(sheet, &idx, ed);
    let above_table = header
        .as_ref()
        .map(|h| h.row.saturating_sub(1))
        .unwrap_or(u32::MAX);

    let dept_label = idx.find(&ed.labels.department, Match::Exact, all_rows());
    let department = rd.text_near(dept_label, &first(&ed.labels.department));
    let goal_label = idx.find(&ed.labels.annual_goal, Match::Exact, all_rows());
    let annual_goal = rd.text_near(goal_label, &first(&ed.labels.annual_goal));
    let mut extra = IndexMap::new();
    for (key, spec) in &ed.header {
        let label = idx.find(&spec.labels, Match::Exact, all_rows());
        extra.insert(key.clone(), rd.text_near(label, &spec.title));
    }

    let year_rows = 0..=dept_label.map(|c| c.row).unwrap_or(above_table);
    let title = idx
        .find(&ed.labels.title, Match::EndsWith, all_rows())
        .or_else(|| {
            idx.cells.iter().find(|c| {
                ed.labels
                    .title
                    .iter()
                    .any(|t| norm_label(&c.raw).contains(&norm_label(t)))
            })
        });
    let year = find_year(&rd, &idx, title, year_rows, above_table);

    let tasks = rd.read_tasks(&idx);
    let budget = rd.read_budget(&idx, above_table);

    let (indicators_anchor, indicators, skipped) = match &header {
        Some(h) => {
            let (rows, skipped) = rd.read_indicators(h);
            (Some(h.anchor), rows, skipped)
        }
        None => (None, Vec::new(), Vec::new()),
    };

    Form {
        sheet: sheet.name.clone(),
        matched_labels,
        edition_evidence: Vec::new(),
        year: year.field,
        year_source: year.source,
        department,
        annual_goal,
        tasks_anchor: tasks.anchor,
        tasks: tasks.tasks,
        tasks_total: tasks.total,
        budget_anchor: budget.anchor,
        budget: budget.figures,
        budget_shares: budget.shares,
        budget_extra: budget.extra,
        extra,
        indicators_anchor,
        indicators,
        normalizations: rd.notes,
        cell_issues: rd.issues,
        skipped,
        file_notes: Vec::new(),
        copies: Vec::new(),
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

impl Reader<'_> {
    /// The value cell of a label: the first non-blank cell to its right before `limit_col`
    /// (unless that is another label), else the cell just below it (unless blank or a label).
    fn value_near(&self, row: u32, col: u32, limit_col: u32) -> Option<CellRef> {
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

    /// Notes a cell that holds an error value or an uncalculated formula.
    fn check_cell(&mut self, at: CellRef, field: &str) {
        const ERRORS: [&str; 10] = [
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
        let kind = match self.sheet.get(at.row, at.col) {
            _ if self.sheet.formula_without_value(at.row, at.col) => {
                Some(CellIssueKind::FormulaWithoutValue)
            }
            Data::Error(e) => Some(CellIssueKind::ErrorValue(e.to_string())),
            // An error result saved as text (some programs write cached errors that way).
            Data::String(s) if ERRORS.contains(&crate::text::trim(s)) => {
                Some(CellIssueKind::ErrorValue(crate::text::trim(s).to_string()))
            }
            Data::String(s) if s.encode_utf16().count() > crate::text::EXCEL_MAX_TEXT => {
                Some(CellIssueKind::TooLong(s.chars().count()))
            }
            _ => None,
        };
        // A merged cell is read once per row it spans: note it once.
        if let Some(kind) = kind.filter(|_| !self.issues.iter().any(|i| i.cell == at)) {
            self.issues.push(CellIssue {
                cell: at,
                field: field.to_string(),
                kind,
            });
        }
    }

    fn text_at(&mut self, at: CellRef, field: &str) -> Field<String> {
        self.check_cell(at, field);
        Field::text(self.sheet.text(at.row, at.col), Some(at))
    }

    fn text_near(&mut self, label: Option<&LabelCell>, field: &str) -> Field<String> {
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

    fn read_tasks(&mut self, idx: &Index) -> TaskBlock {
        let (sheet, ed) = (self.sheet, self.ed);
        let label = idx.find(&ed.labels.tasks, Match::Exact, all_rows());
        let name_hdr = idx.find(&ed.labels.task_name, Match::Exact, all_rows());
        let content_hdr = idx.find(&ed.labels.task_content, Match::Exact, all_rows());
        let anchor = label.or(name_hdr).map(|c| CellRef::new(c.row, c.col));
        let mut block = TaskBlock {
            anchor,
            tasks: Vec::new(),
            total: IndexMap::new(),
        };
        let (Some(nh), Some(ch)) = (name_hdr, content_hdr) else {
            return block;
        };
        // The header may span two rows: "预算金额（万元）" over 总额 / 财政拨款 / 其他资金, with
        // 任务名称 and 主要内容 merged down over both. Its last row is where the merges of the
        // name and content headers end, or the row below when that row holds amount labels
        // and no task name.
        let merge_end = |c: &LabelCell| sheet.merge_at(c.row, c.col).map_or(c.row, |m| m.end.0);
        let mut header_end = merge_end(nh).max(merge_end(ch));
        let amount_in = |rows: Rows| -> Vec<(&String, &str, u32)> {
            ed.task_amounts
                .iter()
                .filter_map(|(k, spec)| {
                    idx.find_in(&spec.labels, Match::Exact, rows.clone(), nh.col + 1)
                        .map(|c| (k, spec.title.as_str(), c.col))
                })
                .collect()
        };
        let mut amount_cols = amount_in(nh.row..=header_end);
        let next = header_end + 1;
        if amount_cols.is_empty() && is_blank(sheet.get(next, nh.col)) {
            amount_cols = amount_in(next..=next);
            if !amount_cols.is_empty() {
                header_end = next;
            }
        }
        let first_row = header_end.max(ch.row) + 1;
        let last_row = sheet.end().map(|e| e.0).unwrap_or(first_row);
        // The block ends at its label's merge, or at the next row holding another section's label.
        let label_merge = label.and_then(|l| sheet.merge_at(l.row, l.col)).copied();
        let mut last = label_merge
            .map(|m| m.end.0)
            .filter(|&e| e >= first_row)
            .unwrap_or(last_row);
        for r in sheet.used_rows(first_row, last) {
            let row_has_label = sheet.row(r).any(|(c, v)| {
                let in_label = label_merge.is_some_and(|m: Dimensions| m.contains(r, c));
                !in_label && self.known.is_label(v)
            });
            if row_has_label {
                last = r.saturating_sub(1);
                break;
            }
        }
        for r in sheet.used_rows(first_row, last) {
            let name = self.text_at(CellRef::new(r, nh.col), "任务名称");
            let content = self.text_at(CellRef::new(r, ch.col), "主要内容");
            let mut amounts = IndexMap::new();
            for (key, title, c) in &amount_cols {
                let at = CellRef::new(r, *c);
                amounts.insert((*key).clone(), self.money_at(at, title));
            }
            let totals = &ed.labels.total_rows;
            if label_is(&name.raw, totals) || (name.is_blank() && label_is(&content.raw, totals)) {
                block.total = amounts;
                continue;
            }
            if name.is_blank() && content.is_blank() && amounts.values().all(|a| a.is_blank()) {
                continue;
            }
            block.tasks.push(Task {
                name,
                content,
                amounts,
            });
        }
        block
    }

    fn read_budget(&mut self, idx: &Index, above_table: u32) -> BudgetBlock {
        let (sheet, ed) = (self.sheet, self.ed);
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
                    Some(g) => (self.group_rows(idx, g, &rows), g.col + 1),
                    None => continue,
                }
            };
            let Some(lbl) = idx.find_in(&spec.labels, Match::EndsWith, region, min_col) else {
                continue;
            };
            block.anchor.get_or_insert(CellRef::new(lbl.row, lbl.col));
            let limit = share_col.filter(|&c| c > lbl.col).unwrap_or(u32::MAX);
            let field = match self.value_near(lbl.row, lbl.col, limit) {
                Some(at) => self.money_at(at, &spec.title),
                None => Field {
                    raw: String::new(),
                    value: None,
                    cell: Some(right_of(sheet, lbl.row, lbl.col)),
                },
            };
            if let Some(c) = share_col.filter(|&c| c > lbl.col) {
                let share = self.share_at(CellRef::new(lbl.row, c), &spec.title);
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
        self.shares_as_percent(&mut block.shares);
        block.extra = extra.into_iter().map(|(_, c)| c).collect();
        block
    }

    /// Files without number formats (xls, ods) store 90% as 0.9. When every share typed as a
    /// number is at most 1, the column holds fractions: read them as percentages, and say so.
    fn shares_as_percent(&mut self, shares: &mut IndexMap<String, Field<Decimal>>) {
        let numeric = |f: &Field<Decimal>| {
            f.cell.is_some_and(|c| {
                matches!(self.sheet.get(c.row, c.col), Data::Float(_) | Data::Int(_))
            })
        };
        let fractions = !self.sheet.has_number_formats()
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
            self.notes.push(Normalization {
                cell,
                field: "占比".to_string(),
                before: f.raw.clone(),
                after: format!("{shown}%"),
                what: "xls/ods 文件不保存百分比格式，占比一栏都是不超过 1 的小数，按百分数读取"
                    .to_string(),
            });
            f.value = Some(shown);
            f.raw = format!("{shown}%");
        }
    }

    /// The rows of a budget group: its label's merge, else up to the next group label.
    fn group_rows(&self, idx: &Index, g: &LabelCell, rows: &Rows) -> Rows {
        if let Some(m) = self
            .sheet
            .merge_at(g.row, g.col)
            .filter(|m| m.end.0 > m.start.0)
        {
            return m.start.0..=m.end.0;
        }
        let groups: Vec<String> = self
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
    fn share_at(&mut self, at: CellRef, title: &str) -> Field<Decimal> {
        let field_name = format!("{title}占比");
        let (field, unit, _) = self.value_at(at, &field_name, None);
        // A 占比 shown through a % format is read as shown: that is no change worth a 提示.
        self.notes
            .retain(|n| n.cell != at || n.what != PERCENT_FORMAT_NOTE);
        if field.value.is_some() && unit.as_deref().is_some_and(|u| u != "%") {
            return Field {
                value: None,
                ..field
            };
        }
        field
    }

    fn read_indicators(&mut self, h: &Header) -> (Vec<Indicator>, Vec<Skipped>) {
        let (sheet, ed) = (self.sheet, self.ed);
        let cols = &h.cols;
        let last_row = sheet.end().map(|e| e.0).unwrap_or(h.row);
        let end_labels: Vec<String> = ed.labels.table_end.iter().map(|s| norm_label(s)).collect();
        let level3_labels = ed
            .columns
            .get("level3")
            .map(|c| c.labels.clone())
            .unwrap_or_default();

        let mut out = Vec::new();
        let mut skipped = Vec::new();
        let mut level1: Field<String> = Field::absent();
        let mut level2: Field<String> = Field::absent();
        for r in sheet.used_rows(h.row + h.span, last_row) {
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
            // The header repeated after a page break (one of its rows, cell for cell).
            let texts: Vec<(u32, String)> = sheet
                .row(r)
                .filter(|(_, v)| !is_blank(v))
                .map(|(c, v)| (c, norm_label(&cell_text(v))))
                .collect();
            if texts.len() >= 2
                && h.rows_text
                    .iter()
                    .any(|hr| texts.iter().all(|(c, t)| hr.get(c).is_some_and(|x| x == t)))
            {
                continue;
            }
            let field = |rd: &mut Reader, key: &str| -> Field<String> {
                match cols.get(key) {
                    Some(&c) => {
                        let at = vertical_origin(sheet, r, c);
                        let title = ed.title(key).to_string();
                        rd.text_at(at, &title)
                    }
                    None => Field::absent(),
                }
            };
            let level3 = field(self, "level3");
            if label_is(&level3.raw, &level3_labels) {
                continue; // the header repeated after a page break
            }
            // 一级/二级: a merged cell gives its top-left value; a blank one inherits from above.
            let l1 = field(self, "level1");
            if !l1.is_blank() {
                if l1.cell != level1.cell {
                    level2 = Field::absent();
                }
                level1 = l1;
            }
            let l2 = field(self, "level2");
            if !l2.is_blank() {
                level2 = l2;
            }
            let kind = field(self, "kind");
            let unit = field(self, "unit");
            let criteria = field(self, "criteria");
            let description = field(self, "description");
            let value_at = cols.get("value").map(|&c| vertical_origin(sheet, r, c));
            let value_blank = value_at.is_none_or(|at| {
                is_blank(sheet.get(at.row, at.col)) && !sheet.formula_without_value(at.row, at.col)
            });
            let main_blank = [&level3, &kind, &unit].iter().all(|f| f.is_blank()) && value_blank;
            if main_blank && criteria.is_blank() && description.is_blank() {
                continue; // only 一级/二级 on this row: a group heading or a merge's continuation
            }
            let totals = &ed.labels.total_rows;
            if label_is(&level3.raw, totals) || (level3.is_blank() && label_is(&first_text, totals))
            {
                let cell = level3.cell.unwrap_or(CellRef::new(r, 0));
                skipped.push(Skipped {
                    cell,
                    reason: "合计行，不是指标，已跳过".to_string(),
                });
                continue;
            }
            if main_blank {
                let cell = criteria
                    .cell
                    .or(description.cell)
                    .unwrap_or(CellRef::new(r, 0));
                skipped.push(Skipped {
                    cell,
                    reason: "这一行只填了评分标准或说明，没有三级指标、类型和指标值，已跳过"
                        .to_string(),
                });
                continue;
            }
            let unit_text = unit.raw.clone();
            let (value, value_unit, value_comparator) = match value_at {
                Some(at) => self.value_at(at, ed.title("value"), Some(unit_text.as_str())),
                None => (Field::absent(), None, None),
            };
            let kind = self.resolve_kind(
                kind,
                value_comparator.as_deref(),
                value.cell,
                value.value.is_some(),
            );
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
        (out, skipped)
    }

    /// The normalised kind. Where the edition writes 定量 and puts the comparator in the value
    /// ("≥90"), the comparator becomes the kind, and that is noted.
    fn resolve_kind(
        &mut self,
        kind: Field<String>,
        in_value: Option<&str>,
        value_cell: Option<CellRef>,
        has_number: bool,
    ) -> Field<String> {
        let ed = self.ed;
        let spec = ed.kind_spec(&kind.raw);
        let mut normal = spec.map(|k| k.kind.clone());
        if let Some(spec) = spec.filter(|s| s.from_value) {
            // The edition's own way of writing a target ("定量" + "≥90"): reading the comparator
            // out of the value is parsing, not a change, so it is not noted. A value with no
            // comparator ("100", as Excel leaves "=100") is read as "=", and that is noted.
            let value_cell = value_cell.filter(|_| in_value.is_some());
            self.notes
                .retain(|n| Some(n.cell) != value_cell || n.what != "值中的比较符另行读取");
            match in_value.and_then(|cmp| ed.comparator_of(cmp)) {
                Some(c) => {
                    normal = Some(c.to_string());
                    // Not this edition's own way: say how the row was read.
                    if spec.noted
                        && let Some(cell) = kind.cell
                    {
                        self.notes.push(Normalization {
                            cell,
                            field: ed.title("kind").to_string(),
                            before: kind.raw.clone(),
                            after: c.to_string(),
                            what: format!(
                                "“{}”指标的比较符写在指标值中，按指标值中的“{c}”读作指标值类型",
                                spec.kind
                            ),
                        });
                    }
                }
                None if has_number => {
                    normal = Some("=".to_string());
                    if let Some(cell) = kind.cell {
                        self.notes.push(Normalization {
                            cell,
                            field: ed.title("kind").to_string(),
                            before: kind.raw.clone(),
                            after: "=".to_string(),
                            what: format!("{}指标的指标值没有写比较符，按“=”读取", spec.kind),
                        });
                    }
                }
                None => {}
            }
        } else if let (Some(n), Some(cell)) = (&normal, kind.cell)
            && *n != kind.raw
        {
            self.notes.push(Normalization {
                cell,
                field: ed.title("kind").to_string(),
                before: kind.raw.clone(),
                after: n.clone(),
                what: "指标值类型写法统一".to_string(),
            });
        }
        Field {
            raw: kind.raw,
            value: normal,
            cell: kind.cell,
        }
    }

    /// Reads a number where one is expected: a number cell (a % format read as shown), or text
    /// with a number in it (full-width digits, separators, a comparator before it, a unit after
    /// it). `unit_hint` is the unit column's text: in files without number formats a fraction
    /// under unit "%" is read as the percentage it was typed as, and that is noted.
    fn value_at(&mut self, at: CellRef, title: &str, unit_hint: Option<&str>) -> ValueParts {
        self.check_cell(at, title);
        let sheet = self.sheet;
        let v = sheet.get(at.row, at.col);
        let raw = cell_text(v);
        let cell = Some(at);
        let number = match v {
            Data::Float(f) => decimal_from_f64(*f),
            Data::Int(i) => decimal_from_i64(*i),
            _ => None,
        };
        if let Some(n) = number {
            // "=100%" typed as a target: Excel keeps it as a formula showing 100%.
            let constant = sheet.constant_formula(at.row, at.col);
            let by_formula = constant.is_some_and(|f| f.ends_with('%'));
            let formatted = by_formula
                || sheet
                    .number_format(at.row, at.col)
                    .is_some_and(is_percent_format);
            let by_unit = !sheet.has_number_formats()
                && unit_hint.is_some_and(|u| norm_label(u) == "%")
                && n > Decimal::ZERO
                && n < Decimal::ONE;
            if formatted || by_unit {
                let shown = (n * Decimal::from(100)).normalize();
                let what = if by_formula {
                    format!(
                        "“={}”被当作公式，按输入的百分数读取",
                        constant.unwrap_or_default()
                    )
                } else if formatted {
                    PERCENT_FORMAT_NOTE.to_string()
                } else {
                    "xls/ods 文件不保存百分比格式，按单位“%”把小数读作百分数（如本意就是小于 1%，请把数值写成文本“0.5%”）".to_string()
                };
                self.notes.push(Normalization {
                    cell: at,
                    field: title.to_string(),
                    before: raw.clone(),
                    after: format!("{shown}，单位 %"),
                    what,
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
        let unread = |raw| {
            (
                Field {
                    raw,
                    value: None,
                    cell,
                },
                None,
                None,
            )
        };
        let Data::String(s) = v else {
            return unread(raw);
        };
        match parse_text_number(s) {
            Some(t) => {
                let unit = if t.percent {
                    Some("%".to_string())
                } else {
                    t.unit.clone()
                };
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
                    _ => text_to_number(s),
                };
                self.notes.push(Normalization {
                    cell: at,
                    field: title.to_string(),
                    before: raw.clone(),
                    after,
                    what: what.to_string(),
                });
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
            None => unread(raw),
        }
    }

    /// Reads an amount in 万元: a number, or text holding one ("327.89万元", "１，２３４．５６").
    fn money_at(&mut self, at: CellRef, title: &str) -> Field<Decimal> {
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
                            text_to_number(s).to_string()
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
}

/// The task block: its anchor, the task rows, and the amounts of a 合计 row if any.
struct TaskBlock {
    anchor: Option<CellRef>,
    tasks: Vec<Task>,
    total: IndexMap<String, Field<Decimal>>,
}

/// The budget block: its anchor, the figures, their shares and any further columns.
struct BudgetBlock {
    anchor: Option<CellRef>,
    figures: IndexMap<String, Field<Decimal>>,
    shares: IndexMap<String, Field<Decimal>>,
    extra: Vec<ExtraColumn>,
}

/// A year and, when it was not read from the title or a year line, where it came from.
struct YearFound {
    field: Field<i32>,
    source: Option<String>,
}

/// The year, in this order: the title ("2022年度…", "2023年…申报表"), a year line in the
/// header rows ("（2022 年度）", "年度：2022"), a 填报日期 line, then a prior-years block's
/// years + 1. A year anywhere else (a date in the goal text, a decoy in a note) is never taken.
fn find_year(
    rd: &Reader,
    idx: &Index,
    title: Option<&LabelCell>,
    head_rows: Rows,
    above_table: u32,
) -> YearFound {
    let found = |c: &LabelCell, y: i32, source: Option<String>| YearFound {
        field: Field {
            raw: crate::text::trim(&c.raw).to_string(),
            value: Some(y),
            cell: Some(CellRef::new(c.row, c.col)),
        },
        source,
    };
    // 1. The title itself.
    if let Some(t) = title
        && let Some(y) = year_in(&norm_label(&t.raw)).or_else(|| year_of_title(&norm_label(&t.raw)))
    {
        return found(t, y, None);
    }
    // 2. A year line in the header rows: from the title down first, then above it.
    let title_row = title.map(|t| t.row).unwrap_or(0);
    let header_cells = || idx.cells.iter().filter(|c| head_rows.contains(&c.row));
    let below = header_cells().filter(|c| c.row >= title_row);
    let above = header_cells().filter(|c| c.row < title_row);
    for c in below.chain(above) {
        if let Some(y) = year_in(&norm_label(&c.raw)) {
            return found(c, y, None);
        }
    }
    let ed = rd.ed;
    for c in idx.cells.iter().filter(|c| c.row <= above_table) {
        if let Some(rest) = after_label(&c.key, &ed.labels.year_line) {
            let y = match rest {
                "" => rd.value_near(c.row, c.col, u32::MAX).and_then(|at| {
                    let v = rd.sheet.get(at.row, at.col);
                    year_anywhere(&cell_text(v)).map(|y| (at, y))
                }),
                r => year_anywhere(r).map(|y| (CellRef::new(c.row, c.col), y)),
            };
            if let Some((at, y)) = y {
                return YearFound {
                    field: Field {
                        raw: rd.sheet.text(at.row, at.col),
                        value: Some(y),
                        cell: Some(at),
                    },
                    source: None,
                };
            }
        }
    }
    // 3. A filing date ("填报日期：2022年1月15日", or the label beside a date cell).
    for c in &idx.cells {
        let Some(rest) = after_label(&c.key, &ed.labels.filing_date) else {
            continue;
        };
        let at_value = match rest {
            "" => rd.value_near(c.row, c.col, u32::MAX),
            _ => Some(CellRef::new(c.row, c.col)),
        };
        let Some(at) = at_value else { continue };
        let shown = match rest {
            "" => cell_text(rd.sheet.get(at.row, at.col)),
            r => r.to_string(),
        };
        if let Some(y) = year_anywhere(&shown) {
            return YearFound {
                field: Field {
                    raw: rd.sheet.text(at.row, at.col),
                    value: Some(y),
                    cell: Some(at),
                },
                source: Some(format!("表头中没有年度，按填报日期“{shown}”取年度 {y}")),
            };
        }
    }
    // 4. A prior-years block ("近两年收支情况" over columns 2021年, 2022年): the year after.
    for c in &idx.cells {
        if !ed
            .labels
            .prior_years
            .iter()
            .any(|l| c.key.contains(label_key(l).as_str()))
        {
            continue;
        }
        let rows = match rd.sheet.merge_at(c.row, c.col) {
            Some(m) => m.start.0..=m.end.0,
            None => c.row..=c.row + 1,
        };
        let years: Vec<(i32, &LabelCell)> = idx
            .cells
            .iter()
            .filter(|h| rows.contains(&h.row))
            .filter_map(|h| year_header(&h.key).map(|y| (y, h)))
            .collect();
        if let Some(&(last, cell)) = years.iter().max_by_key(|(y, _)| *y) {
            let listed: Vec<String> = years.iter().map(|(_, h)| h.raw.clone()).collect();
            let y = last + 1;
            return found(
                cell,
                y,
                Some(format!(
                    "表头中没有年度，按“{}”的年份（{}）推断为 {y} 年度",
                    crate::text::trim(&c.raw),
                    listed.join("、")
                )),
            );
        }
    }
    YearFound {
        field: Field {
            raw: String::new(),
            value: None,
            cell: title.map(|t| CellRef::new(t.row, t.col)),
        },
        source: None,
    }
}

/// The text after a label at the start of a cell ("年度:2022" → "2022", "年度" → ""), when the
/// cell starts with one of `labels` followed by nothing, a colon or a digit.
fn after_label<'a>(key: &'a str, labels: &[String]) -> Option<&'a str> {
    labels.iter().find_map(|l| {
        let rest = key.strip_prefix(label_key(l).as_str())?;
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        (rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit())).then_some(rest)
    })
}

/// A four-digit year directly before "年度".
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

/// A title that starts with its year: "2023年部门整体支出绩效目标申报表".
fn year_of_title(norm: &str) -> Option<i32> {
    let digits: String = norm.chars().take_while(|c| c.is_ascii_digit()).collect();
    (digits.len() == 4 && norm[4..].starts_with('年'))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

/// The first four-digit run that reads as a year (1990–2100) followed by 年, -, /, . or the
/// end: "2022年1月15日", "2022-01-15", "2022".
fn year_anywhere(s: &str) -> Option<i32> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let after_ok = i == chars.len() || matches!(chars[i], '年' | '-' | '/' | '.');
        if i - start == 4 && after_ok {
            let y: i32 = chars[start..i].iter().collect::<String>().parse().ok()?;
            if (1990..=2100).contains(&y) {
                return Some(y);
            }
        }
    }
    None
}

/// A column header naming a year: "2021年", "2021年决算数", "2022年预算数（万元）".
fn year_header(key: &str) -> Option<i32> {
    let digits: String = key.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = key.get(digits.len()..)?;
    (digits.len() == 4 && (rest.is_empty() || rest.starts_with('年')) && rest.chars().count() <= 12)
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

/// The indicator table's header: its first row, how many rows it spans, the column of each
/// field, and the 三级指标 label cell.
struct Header {
    row: u32,
    span: u32,
    cols: IndexMap<String, u32>,
    anchor: CellRef,
    /// Each header row's normalised texts by column, to recognise the header repeated below.
    rows_text: Vec<IndexMap<u32, String>>,
}

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
fn find_indicator_header(sheet: &Sheet, idx: &Index, ed: &Edition) -> Option<Header> {
    let labels = |k: &str| {
        ed.columns
            .get(k)
            .map(|c| c.labels.clone())
            .unwrap_or_default()
    };
    let needed = ["level3", "kind", "value"].map(labels);
    // Candidate rows: those with a cell that is, or starts, one of the needed labels.
    let starts: Vec<String> = needed.iter().flatten().map(|l| norm_label(l)).collect();
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
                        cols.insert(key.clone(), c);
                    }
                }
                let anchor = CellRef::new(row, cols.get("level3").copied().unwrap_or(0));
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

/// Where a cell's shown value lives: the top of a vertical merge in the same column, else itself.
fn vertical_origin(sheet: &Sheet, row: u32, col: u32) -> CellRef {
    match sheet.merge_at(row, col) {
        Some(m) if m.start.1 == col => CellRef::new(m.start.0, col),
        _ => CellRef::new(row, col),
    }
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

/// What reading a number out of text took, for the 提示.
fn text_to_number(raw: &str) -> &'static str {
    use unicode_normalization::UnicodeNormalization;
    let trimmed = crate::text::trim(raw);
    if trimmed.nfkc().ne(trimmed.chars()) {
        "全角数字或符号按半角读作数字"
    } else if trimmed.chars().any(crate::text::is_space) || trimmed.len() != raw.len() {
        "去掉空格后读作数字"
    } else if trimmed.contains(',') {
        "去掉千位分隔符后读作数字"
    } else {
        "文本格式的数字读作数字"
    }
}

const PERCENT_FORMAT_NOTE: &str = "百分比格式的小数按显示值读取";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_sources() {
        assert_eq!(
            year_of_title("2023年部门整体支出绩效目标申报表"),
            Some(2023)
        );
        assert_eq!(year_of_title("部门整体支出绩效目标申报表"), None);
        assert_eq!(year_anywhere("2022年1月15日"), Some(2022));
        assert_eq!(year_anywhere("2022-01-15"), Some(2022));
        assert_eq!(year_anywhere("第12345号 2021/10/20"), Some(2021));
        assert_eq!(year_anywhere("3278900"), None);
        assert_eq!(year_header("2021年决算数"), Some(2021));
        assert_eq!(year_header("2021"), Some(2021));
        assert_eq!(year_header("2021年度省级部门整体绩效目标申报表"), None);
        let l = vec!["年度".to_string()];
        assert_eq!(after_label("年度:2022", &l), Some("2022"));
        assert_eq!(after_label("年度", &l), Some(""));
        assert_eq!(after_label("年度履职目标", &l), None);
    }

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
