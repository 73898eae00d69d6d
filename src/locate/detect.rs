//! Telling which edition a sheet is, and whether it holds a form at all: every edition's
//! labels (its signature) are looked for on the sheet, and the edition that finds the most,
//! with the fewest missing, wins; the labels only it recognises are the evidence shown to
//! the user.

use super::index::{Index, Match, all_rows, first};
use crate::edition::{Edition, label_key};
use crate::form::Column;

/// One label an edition is recognised by.
pub(super) struct Sign {
    pub(super) title: String,
    /// The accepted texts, normalised once.
    keys: Vec<String>,
    how: Match,
    /// A core anchor: at least half of these must be found for the sheet to be a form at all.
    pub(super) core: bool,
    /// A task amount column: counted only in the task header (the 任务名称 row and the two
    /// below it), so a budget label elsewhere ("财政性资金") is not taken for one.
    in_task_header: bool,
    /// The 任务名称 label, where the task header is.
    task_name: bool,
}

/// The columns whose labels anchor a form (the others only add to an edition's score).
const CORE_COLUMNS: [Column; 3] = [Column::Level3, Column::Kind, Column::Value];

/// The labels that identify a form of this edition: the core anchors, then every other label
/// the edition names (header fields, budget figures, columns, task amounts, 定量-style kinds).
pub(super) fn signature(ed: &Edition) -> Vec<Sign> {
    let l = &ed.labels;
    let sign = |title: &str, labels: &[String], how, core| Sign {
        title: title.to_string(),
        keys: labels
            .iter()
            .map(|s| label_key(s))
            .filter(|k| !k.is_empty())
            .collect(),
        how,
        core,
        in_task_header: false,
        task_name: false,
    };
    let mut v = vec![
        sign(&first(&l.department), &l.department, Match::Exact, true),
        sign(&first(&l.annual_goal), &l.annual_goal, Match::Exact, true),
        Sign {
            task_name: true,
            ..sign(&first(&l.task_name), &l.task_name, Match::Exact, true)
        },
        sign(&first(&l.budget), &l.budget, Match::Exact, true),
    ];
    for c in CORE_COLUMNS {
        if let Some(f) = ed.columns.get(&c) {
            v.push(sign(&f.title, &f.labels, Match::Exact, true));
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
    for (c, f) in &ed.columns {
        if !CORE_COLUMNS.contains(c) {
            v.push(sign(&f.title, &f.labels, Match::Exact, false));
        }
    }
    for f in ed.task_amounts.values() {
        v.push(Sign {
            in_task_header: true,
            ..sign(&f.title, &f.labels, Match::Exact, false)
        });
    }
    for k in ed.kinds.iter().filter(|k| k.from_value) {
        v.push(sign(k.kind.as_str(), &k.typed, Match::Exact, false));
    }
    // One entry per distinct title (a group label may be named by several figures).
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.title.clone()));
    v
}

/// How well a sheet fits an edition.
pub(super) struct Fit {
    pub(super) edition: usize,
    pub(super) sheet: usize,
    /// The labels found, with the cell each was found at.
    pub(super) found: Vec<(String, (u32, u32))>,
    /// The labels found for this edition at cells the runner-up on the same sheet does not
    /// recognise.
    pub(super) evidence: Vec<String>,
    pub(super) missing_core: Vec<String>,
    score: i64,
    core_found: usize,
    core_total: usize,
}

impl Fit {
    /// At least half the core anchors, so a stray sheet that merely mentions a label is not
    /// taken for a form.
    pub(super) fn is_form(&self) -> bool {
        self.core_found * 2 >= self.core_total
    }

    /// Whether this fit scores better than another.
    pub(super) fn beats(&self, other: &Fit) -> bool {
        self.score > other.score
    }
}

fn fit(idx: &Index, signature: &[Sign], edition: usize, sheet: usize) -> Fit {
    let mut found = Vec::new();
    let mut missing = 0i64;
    let mut missing_core = Vec::new();
    let (mut core_found, mut core_total) = (0, 0);
    let task_header = signature
        .iter()
        .filter(|s| s.task_name)
        .find_map(|s| idx.find_keys(&s.keys, s.how, all_rows(), 0))
        .map(|c| c.row..=c.row.saturating_add(2));
    for s in signature {
        let rows = match (&task_header, s.in_task_header) {
            (_, false) => Some(all_rows()),
            (Some(r), true) => Some(r.clone()),
            (None, true) => None,
        };
        let cell = rows
            .and_then(|rows| idx.find_keys(&s.keys, s.how, rows, 0))
            .map(|c| (c.row, c.col));
        if s.core {
            core_total += 1;
            if cell.is_some() {
                core_found += 1;
            } else {
                missing_core.push(s.title.clone());
            }
        }
        match cell {
            Some(at) => found.push((s.title.clone(), at)),
            None => missing += 1,
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

/// The edition that fits a sheet best (the first listed wins a tie), with its evidence: its
/// labels at cells the runner-up does not recognise (a label both know, under any name,
/// decides nothing). `None` only when there is no edition.
pub(super) fn best_fit(idx: &Index, signatures: &[Vec<Sign>], sheet: usize) -> Option<Fit> {
    let mut fits: Vec<Fit> = signatures
        .iter()
        .enumerate()
        .map(|(ei, sig)| fit(idx, sig, ei, sheet))
        .collect();
    fits.sort_by(|a, b| b.score.cmp(&a.score).then(a.edition.cmp(&b.edition)));
    let mut fits = fits.into_iter();
    let mut best = fits.next()?;
    if let Some(runner_up) = fits.next() {
        best.evidence = best
            .found
            .iter()
            .filter(|(_, at)| !runner_up.found.iter().any(|(_, b)| b == at))
            .map(|(title, _)| title.clone())
            .collect();
    }
    Some(best)
}
