//! Finding the form on a workbook by its labels (never by fixed coordinates), telling which
//! edition it is, and turning the cells into a typed [`Form`]. Owns label search, fill-down and
//! value conversion; it never judges a value: blank, odd or unreadable values go into the form
//! as found. Everything that differs between editions comes from the edition data.
//!
//! One file per section, as rules/ has: the header, the tasks, the budget and the indicators;
//! beside them the label index, the edition detection and the reading of one cell.

mod budget;
mod cells;
mod detect;
mod header;
mod index;
mod indicators;
mod tasks;

use crate::edition::Edition;
use crate::form::{CellRef, Field, Form};
use crate::workbook::{Sheet, Workbook};
use cells::Reader;
use detect::{Fit, best_fit, signature};
use index::Index;

/// The workbook holds no recognisable form.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("不是可识别的申报表：未找到{}", missing.iter().map(|m| format!("“{m}”")).collect::<Vec<_>>().join("、"))]
pub struct NotAForm {
    /// The anchor labels that were not found on the best sheet.
    pub missing: Vec<String>,
}

/// Finds every form in the workbook: each visible sheet that holds one, in workbook order, read
/// under the edition whose labels fit that sheet best (the first listed wins a tie). Returns
/// the index of the edition used with each form. A sheet holding a second copy of a form
/// already found (same department, same content) is not a form of its own: it is listed in the
/// first copy's `copies`.
pub fn locate(wb: &Workbook, eds: &[Edition]) -> Result<Vec<(usize, Form)>, NotAForm> {
    let signatures: Vec<_> = eds.iter().map(signature).collect();
    let mut forms_at: Vec<Fit> = Vec::new();
    let mut best_other: Option<Fit> = None;
    let checked = |s: &Sheet| s.visible && !wb.generated.contains(&s.name);
    for (si, sheet) in wb.sheets.iter().enumerate().filter(|(_, s)| checked(s)) {
        let idx = Index::new(sheet);
        let Some(best) = best_fit(&idx, &signatures, si) else {
            continue;
        };
        if best.is_form() {
            forms_at.push(best);
        } else if best_other.as_ref().is_none_or(|b| best.beats(b)) {
            best_other = Some(best);
        }
    }
    if forms_at.is_empty() {
        let missing = match best_other {
            Some(b) => b.missing_core,
            None => signatures
                .first()
                .map(|sig| {
                    sig.iter()
                        .filter(|s| s.core)
                        .map(|s| s.title.clone())
                        .collect()
                })
                .unwrap_or_default(),
        };
        return Err(NotAForm { missing });
    }
    let mut forms: Vec<(usize, Form)> = Vec::new();
    for fit in forms_at {
        let ed = &eds[fit.edition];
        let labels = fit.found.iter().map(|(t, _)| t.clone()).collect();
        let mut form = read_form(&wb.sheets[fit.sheet], ed, labels);
        form.edition_evidence = fit.evidence;
        form.file_notes = wb.notes.clone();
        match forms.iter_mut().find(|(_, f)| same_content(f, &form)) {
            Some((_, first)) => {
                let cell = form.department.cell.unwrap_or(CellRef::new(0, 0));
                first.copies.push((form.sheet.clone(), cell));
            }
            None => forms.push((fit.edition, form)),
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

/// Reads the form on one sheet, section by section.
fn read_form(sheet: &Sheet, ed: &Edition, matched_labels: Vec<String>) -> Form {
    let idx = Index::new(sheet);
    let mut rd = Reader::new(sheet, ed);
    // The indicator header row bounds everything above it.
    let table = indicators::find_header(sheet, &idx, ed);
    let above_table = table
        .as_ref()
        .map(|h| h.row.saturating_sub(1))
        .unwrap_or(u32::MAX);
    let head = header::read(&mut rd, &idx, above_table);
    let tasks = tasks::read(&mut rd, &idx);
    let budget = budget::read(&mut rd, &idx, above_table);
    let (indicators_anchor, indicators, skipped) = match &table {
        Some(h) => {
            let (rows, skipped) = indicators::read(&mut rd, h);
            (Some(h.anchor), rows, skipped)
        }
        None => (None, Vec::new(), Vec::new()),
    };
    Form {
        sheet: sheet.name.clone(),
        matched_labels,
        edition_evidence: Vec::new(),
        year: head.year.field,
        year_source: head.year.source,
        department: head.department,
        annual_goal: head.annual_goal,
        tasks_anchor: tasks.anchor,
        tasks: tasks.tasks,
        tasks_total: tasks.total,
        budget_anchor: budget.anchor,
        budget: budget.figures,
        budget_shares: budget.shares,
        budget_extra: budget.extra,
        extra: head.extra,
        indicators_anchor,
        indicators,
        normalizations: rd.notes,
        cell_issues: rd.issues,
        skipped,
        file_notes: Vec::new(),
        unkept_formulas: sheet
            .unconverted_formulas()
            .iter()
            .map(|&(r, c)| CellRef::new(r, c))
            .collect(),
        copies: Vec::new(),
    }
}
