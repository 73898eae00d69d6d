//! Task rules: the 年度主要任务 block.

use super::{Ctx, Rule, Sink};
use crate::finding::Severity;

pub static E201: Rule = Rule {
    code: "E201",
    severity: Severity::Error,
    title: "没有填写年度主要任务",
    hint: "在“年度主要任务”下每行填写一项任务的名称和主要内容",
    check: Some(at_least_one),
    supersedes: &[],
    fix: None,
};

pub static E202: Rule = Rule {
    code: "E202",
    severity: Severity::Error,
    title: "任务名称与主要内容不全",
    hint: "每项任务都要同时填写任务名称和主要内容",
    check: Some(name_and_content),
    supersedes: &[],
    fix: None,
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

fn name_and_content(c: &Ctx, s: &mut Sink) {
    for t in &c.form.tasks {
        let (blank, other, field) = match (t.name.is_blank(), t.content.is_blank()) {
            (true, false) => (&t.name, &t.content, "任务名称"),
            (false, true) => (&t.content, &t.name, "主要内容"),
            _ => continue,
        };
        s.report(
            "E202",
            blank.cell,
            field,
            "",
            format!("任务“{}”的{}未填写", truncate(&other.raw, 20), field),
        );
    }
}

/// The first `n` characters, with "…" when cut: messages stay one short line.
fn truncate(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}
