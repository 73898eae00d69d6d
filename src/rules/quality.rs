//! Text quality: cells filled with a placeholder that says nothing (E451).

use super::indicators::{column, which};
use super::{Ctx, Rule, Sink};
use crate::finding::Severity;

pub static E451: Rule = Rule {
    code: "E451",
    severity: Severity::Warning,
    title: "只填了占位文字",
    hint: "写出具体内容：评/扣分标准写明达到或未达到指标值时如何计分，如“每降低1个百分点扣0.5分”",
    check: Some(placeholders),
    supersedes: &[],
    fix: None,
};

fn placeholders(c: &Ctx, s: &mut Sink) {
    for ind in &c.form.indicators {
        for (key, spec) in c.ed.columns.iter().filter(|(_, spec)| spec.required) {
            let (raw, cell) = column(ind, *key);
            if !c.ed.is_placeholder(raw) || c.ed.dash_allowed(*key, &ind.level1.raw) {
                continue;
            }
            s.report(
                "E451",
                cell,
                &spec.title,
                raw,
                format!("{}的“{}”只填了“{}”", which(ind), spec.title, raw),
            );
        }
    }
}
