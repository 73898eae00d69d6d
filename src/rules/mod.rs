//! The rule registry: every check with its stable code, default severity, Chinese title and
//! hint, in one list (cargo's lints, ruff's rules). Owns running the rules over a `Form` and
//! applying the edition's severity overrides; the checks themselves live one file per section.

mod budget;
mod cells;
mod file;
mod header;
mod indicators;
mod notes;
mod quality;
mod structure;
mod tasks;

use crate::edition::Edition;
use crate::finding::{Finding, Severity, sort};
use crate::form::{CellRef, Form};

pub use file::{not_a_form, unreadable};

/// What a check sees.
pub struct Ctx<'a> {
    pub form: &'a Form,
    pub ed: &'a Edition,
}

/// A check function: reads the form, reports through the sink.
pub type Check = fn(&Ctx, &mut Sink);

/// One rule. Codes are stable and never reused.
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    /// Fixed Chinese title.
    pub title: &'static str,
    /// Fixed Chinese hint on how to fix.
    pub hint: &'static str,
    /// `None` for findings the reader produces itself (the file could not be read).
    pub check: Option<Check>,
}

/// Every rule, sorted by code.
pub static RULES: &[&Rule] = &[
    &file::E001,
    &file::E002,
    &cells::E011,
    &cells::E012,
    &header::E101,
    &header::E102,
    &header::E103,
    &header::E104,
    &tasks::E201,
    &tasks::E202,
    &budget::E301,
    &budget::E302,
    &budget::E303,
    &budget::E304,
    &budget::E305,
    &budget::E306,
    &budget::E307,
    &budget::E308,
    &budget::E309,
    &budget::E310,
    &budget::E311,
    &indicators::E401,
    &indicators::E402,
    &indicators::E403,
    &indicators::E404,
    &indicators::E411,
    &indicators::E412,
    &indicators::E421,
    &indicators::E422,
    &indicators::E423,
    &indicators::E424,
    &indicators::E425,
    &indicators::E431,
    &structure::E441,
    &structure::E442,
    &structure::E443,
    &structure::E444,
    &quality::E451,
    &notes::E901,
    &cells::E902,
    &cells::E903,
];

/// A finding as a check reports it, before severity and hint are applied.
struct Raw {
    code: &'static str,
    cell: Option<CellRef>,
    field: String,
    original: String,
    message: String,
}

/// Collects what the checks report.
#[derive(Default)]
pub struct Sink {
    items: Vec<Raw>,
}

impl Sink {
    /// Reports a problem at an input cell (`None` only when the form has no place for it).
    pub fn report(
        &mut self,
        code: &'static str,
        cell: Option<CellRef>,
        field: &str,
        original: &str,
        message: String,
    ) {
        self.items.push(Raw {
            code,
            cell,
            field: field.to_string(),
            original: original.to_string(),
            message,
        });
    }
}

/// The severity a rule has under an edition: its default unless the edition overrides it;
/// `None` when the edition turns it off.
pub fn effective_severity(rule: &Rule, ed: &Edition) -> Option<Severity> {
    match ed.rules.get(rule.code).map(String::as_str) {
        Some("off") => None,
        Some(s) => Some(Severity::parse(s).unwrap_or(rule.severity)),
        None => Some(rule.severity),
    }
}

/// Runs every rule over the form; findings come back sorted by cell.
pub fn run(form: &Form, ed: &Edition) -> Vec<Finding> {
    let ctx = Ctx { form, ed };
    let mut out = Vec::new();
    for rule in RULES {
        let (Some(check), Some(severity)) = (rule.check, effective_severity(rule, ed)) else {
            continue;
        };
        let mut sink = Sink::default();
        check(&ctx, &mut sink);
        out.extend(sink.items.into_iter().map(|r| Finding {
            code: r.code,
            severity,
            sheet: form.sheet.clone(),
            cell: r.cell,
            field: r.field,
            original: r.original,
            message: r.message,
            hint: rule.hint.to_string(),
        }));
    }
    one_per_cell(out)
}

/// One problem gives one finding: of the errors and warnings on one input cell only the most
/// severe (then the lowest code) is kept; 提示 about how a cell was read are always kept.
fn one_per_cell(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| (a.cell, a.severity, a.code).cmp(&(b.cell, b.severity, b.code)));
    let mut taken = std::collections::BTreeSet::new();
    findings.retain(|f| match f.cell {
        Some(cell) if f.severity != Severity::Info => taken.insert(cell),
        _ => true,
    });
    sort(&mut findings);
    findings
}

/// The registry as a Markdown table (the README's rule table is this output).
pub fn markdown(ed: &Edition) -> String {
    let mut s = String::from("| 代码 | 级别 | 问题 | 修改建议 |\n|---|---|---|---|\n");
    for r in RULES {
        let sev = effective_severity(r, ed)
            .map(Severity::zh)
            .unwrap_or("关闭");
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.code, sev, r.title, r.hint
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_unique_sorted_documented() {
        for w in RULES.windows(2) {
            assert!(w[0].code < w[1].code, "{} !< {}", w[0].code, w[1].code);
        }
        for r in RULES {
            assert!(r.code.len() == 4 && r.code.starts_with('E'), "{}", r.code);
            assert!(!r.title.is_empty() && !r.hint.is_empty(), "{}", r.code);
        }
    }

    #[test]
    fn every_code_has_a_changelog_line() {
        let changelog = include_str!("../../CHANGELOG.md");
        for r in RULES {
            let line = format!("- {} {}", r.code, r.title);
            assert!(changelog.contains(&line), "CHANGELOG.md lacks \"{line}\"");
        }
    }
}
