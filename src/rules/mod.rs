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
use crate::finding::{Edit, Finding, Fix, FixKind, Severity, sort};
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
    /// The other rules' findings that one of this rule's findings replaces, because they say
    /// the same problem less well. Applied after every enabled rule has run, among the enabled
    /// rules only: turning this rule off lets the superseded findings through, so no problem
    /// goes unreported. Checks never skip a case for another rule's sake.
    pub supersedes: &'static [Supersedes],
    /// Whether `jixiao fix` can remove this rule's findings, and how surely.
    pub fix: Option<FixKind>,
}

/// One rule replaced by another where their findings meet.
pub struct Supersedes {
    /// The replaced rule's code, or `"*"` for every other rule.
    pub code: &'static str,
    pub scope: Scope,
}

/// Where two findings must be for one to replace the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// On the same cell.
    Cell,
    /// On the same row of the same sheet (an indicator's cells).
    Row,
}

/// Shorthand for a supersession entry.
pub const fn on_cell(code: &'static str) -> Supersedes {
    Supersedes {
        code,
        scope: Scope::Cell,
    }
}

/// Shorthand for a supersession entry over a whole indicator row.
pub const fn on_row(code: &'static str) -> Supersedes {
    Supersedes {
        code,
        scope: Scope::Row,
    }
}

/// Every rule, sorted by code.
pub static RULES: &[&Rule] = &[
    &file::E001,
    &file::E002,
    &file::E003,
    &cells::E011,
    &cells::E012,
    &cells::E013,
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
    &header::E904,
    &cells::E905,
];

/// A finding as a check reports it, before severity and hint are applied.
struct Raw {
    code: &'static str,
    /// Another sheet than the form's, for findings about the workbook (a copy of the form).
    sheet: Option<String>,
    cell: Option<CellRef>,
    field: String,
    original: String,
    message: String,
    group: Option<String>,
    fix: Option<Fix>,
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
            sheet: None,
            cell,
            field: field.to_string(),
            original: original.to_string(),
            message,
            group: None,
            fix: None,
        });
    }
}

impl Sink {
    /// Attaches the cells that would fix the last finding (none given: no fix).
    pub fn fix_last(&mut self, kind: FixKind, edits: Vec<Edit>) {
        if let Some(last) = self.items.last_mut()
            && !edits.is_empty()
        {
            last.fix = Some(Fix { kind, edits });
        }
    }

    /// Names what the last reported finding shares with others of its code (see
    /// [`Finding::group`]).
    pub fn group_last(&mut self, group: String) {
        if let Some(last) = self.items.last_mut() {
            last.group = Some(group);
        }
    }

    /// Reports a problem at a cell of another sheet than the form's.
    pub fn report_on(
        &mut self,
        code: &'static str,
        sheet: &str,
        cell: Option<CellRef>,
        field: &str,
        original: &str,
        message: String,
    ) {
        self.report(code, cell, field, original, message);
        if let Some(last) = self.items.last_mut() {
            last.sheet = Some(sheet.to_string());
        }
    }
}

/// The severity a rule has under an edition: its default unless the edition overrides it;
/// `None` when the edition turns it off.
pub fn effective_severity(rule: &Rule, ed: &Edition) -> Option<Severity> {
    match ed.rules.get(rule.code).map(String::as_str) {
        Some("off" | "关闭") => None,
        Some(s) => Some(Severity::parse(s).unwrap_or(rule.severity)),
        None => Some(rule.severity),
    }
}

/// Runs every enabled rule over the form, then lets findings replace the ones they supersede;
/// findings come back sorted by cell.
pub fn run(form: &Form, ed: &Edition) -> Vec<Finding> {
    let mut out = run_unresolved(form, ed);
    resolve(&mut out);
    sort(&mut out);
    out
}

/// Every enabled rule's findings, before supersession (for tests of the precedence).
pub fn run_unresolved(form: &Form, ed: &Edition) -> Vec<Finding> {
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
            sheet: r.sheet.unwrap_or_else(|| form.sheet.clone()),
            cell: r.cell,
            field: r.field,
            original: r.original,
            message: r.message,
            hint: rule.hint.to_string(),
            group: r.group,
            // A fix only from a rule that declares one, of the kind it declares.
            fix: r.fix.filter(|f| rule.fix == Some(f.kind)),
        }));
    }
    out
}

/// The registry entry of a code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

/// Drops every finding that a finding of another (enabled, since it reported) rule supersedes
/// where they meet. Supersession is not chained: a finding that is itself replaced still
/// replaces the ones it supersedes, so the outcome does not depend on the order of the rules.
pub fn resolve(findings: &mut Vec<Finding>) {
    let replaced: Vec<bool> = findings
        .iter()
        .map(|f| {
            findings.iter().any(|g| {
                g.code != f.code
                    && g.sheet == f.sheet
                    && rule(g.code).is_some_and(|r| {
                        r.supersedes
                            .iter()
                            .any(|s| (s.code == "*" || s.code == f.code) && meets(s.scope, g, f))
                    })
            })
        })
        .collect();
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !replaced[i - 1]
    });
}

fn meets(scope: Scope, a: &Finding, b: &Finding) -> bool {
    match (scope, a.cell, b.cell) {
        (Scope::Cell, Some(x), Some(y)) => x == y,
        (Scope::Row, Some(x), Some(y)) => x.row == y.row,
        _ => false,
    }
}

/// The registry as a Markdown table (the README's rule table is this output).
pub fn markdown(ed: &Edition) -> String {
    let mut s =
        String::from("| 代码 | 级别 | 问题 | 修改建议 | jixiao fix |\n|---|---|---|---|---|\n");
    for r in RULES {
        let sev = effective_severity(r, ed)
            .map(Severity::zh)
            .unwrap_or("关闭");
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.code,
            sev,
            r.title,
            r.hint,
            fix_words(r.fix)
        ));
    }
    s
}

/// How a rule's fix is named in the rule list: 安全 (applied by default), 不安全 (with
/// --unsafe-fixes), or 无.
pub fn fix_words(fix: Option<FixKind>) -> &'static str {
    match fix {
        Some(FixKind::Safe) => "安全",
        Some(FixKind::Unsafe) => "不安全（--unsafe-fixes）",
        None => "—",
    }
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
    fn supersessions_name_real_rules() {
        for r in RULES {
            for s in r.supersedes {
                assert!(
                    s.code == "*" || (rule(s.code).is_some() && s.code != r.code),
                    "{} supersedes unknown or itself: {}",
                    r.code,
                    s.code
                );
            }
        }
    }

    /// Two rules superseding each other would both vanish where they meet.
    #[test]
    fn no_rule_pair_supersedes_both_ways() {
        for a in RULES {
            for s in a.supersedes.iter().filter(|s| s.code != "*") {
                let b = rule(s.code).unwrap();
                assert!(
                    !b.supersedes
                        .iter()
                        .any(|t| t.code == a.code || t.code == "*"),
                    "{} and {} supersede each other",
                    a.code,
                    b.code
                );
            }
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
