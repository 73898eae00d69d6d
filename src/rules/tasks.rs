//! Task rules: the 年度主要任务 block.

use super::{Ctx, Rule, Sink};
use crate::finding::Severity;

pub static E201: Rule = Rule {
    code: "E201",
    severity: Severity::Error,
    title: "没有填写年度主要任务",
    hint: "在“年度主要任务”下每行填写一项任务的名称和主要内容",
    check: Some(at_least_one),
};

fn at_least_one(c: &Ctx, s: &mut Sink) {
    if c.form.tasks.is_empty() {
        let msg = if c.form.tasks_anchor.is_some() {
            "“年度主要任务”下一项任务也没有填写"
        } else {
            "未找到“年度主要任务”（任务名称、主要内容）一栏"
        };
        s.report(
            "E201",
            c.form.tasks_anchor,
            "年度主要任务",
            "",
            msg.to_string(),
        );
    }
}
