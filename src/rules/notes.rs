//! Automatic normalisations made while reading, reported as 提示 so nothing changes silently.

use super::{Ctx, Rule, Sink};
use crate::finding::{FixKind, Severity};
use crate::form::Column;

pub static E901: Rule = Rule {
    code: "E901",
    severity: Severity::Info,
    title: "已自动规范读取",
    hint: "无需修改；如读取有误，请按标准写法改正原表",
    check: Some(normalizations),
    supersedes: &[],
    fix: Some(FixKind::Safe),
};

fn normalizations(c: &Ctx, s: &mut Sink) {
    let kind_column = c.ed.column_title(Column::Kind);
    for n in &c.form.normalizations {
        s.report(
            "E901",
            Some(n.cell),
            &n.field,
            &n.before,
            format!("“{}”按“{}”读取（{}）", n.before, n.after, n.what),
        );
        s.fix_last(FixKind::Safe, n.edits.clone());
        // A type is one of a few words: "“定量”按“=”读取" says it all. Values differ cell by
        // cell, so they are grouped by what was done.
        s.group_last(if n.field == kind_column {
            format!("“{}”按“{}”读取", n.before, n.after)
        } else {
            n.what.clone()
        });
    }
}
