//! Header rules: department name, year and annual goal.

use super::{Ctx, Rule, Sink};
use crate::finding::Severity;
use crate::form::Field;

pub static E101: Rule = Rule {
    code: "E101",
    severity: Severity::Error,
    title: "部门（单位）名称未填写",
    hint: "在“部门（单位）名称”右侧填写部门全称",
    check: Some(department),
    supersedes: &[],
    fix: None,
};

pub static E102: Rule = Rule {
    code: "E102",
    severity: Severity::Error,
    title: "年度缺失或无法识别",
    hint: "在表头写明年度，如“（2022 年度）”",
    check: Some(year),
    supersedes: &[],
    fix: None,
};

pub static E904: Rule = Rule {
    code: "E904",
    severity: Severity::Info,
    title: "已从其他栏目推断年度",
    hint: "在表头写明年度，如“（2022 年度）”；推断有误时以表头写明的为准",
    check: Some(year_source),
    supersedes: &[],
    fix: None,
};

fn year_source(c: &Ctx, s: &mut Sink) {
    if let Some(source) = &c.form.year_source {
        s.report(
            "E904",
            c.form.year.cell,
            "年度",
            &c.form.year.raw,
            source.clone(),
        );
    }
}

pub static E103: Rule = Rule {
    code: "E103",
    severity: Severity::Error,
    title: "年度履职目标未填写",
    hint: "在“年度履职目标”右侧概述本年度的履职目标",
    check: Some(goal),
    supersedes: &[],
    fix: None,
};

pub static E104: Rule = Rule {
    code: "E104",
    severity: Severity::Error,
    title: "表头必填项未填写",
    hint: "按本版申报表填写表头各栏（如“部门（单位）职责”）",
    check: Some(extra),
    supersedes: &[],
    fix: None,
};

fn extra(c: &Ctx, s: &mut Sink) {
    for (key, f) in &c.form.extra {
        if c.ed.header.get(key).is_some_and(|h| h.required) {
            required_text(s, "E104", c.ed.title(key), f);
        }
    }
}

fn required_text(s: &mut Sink, code: &'static str, label: &str, f: &Field<String>) {
    if f.cell.is_none() {
        s.report(code, None, label, "", format!("未找到“{label}”一栏"));
    } else if f.is_blank() {
        s.report(code, f.cell, label, "", format!("“{label}”未填写"));
    }
}

fn department(c: &Ctx, s: &mut Sink) {
    let label =
        c.ed.labels
            .department
            .first()
            .map(String::as_str)
            .unwrap_or("部门（单位）名称");
    required_text(s, "E101", label, &c.form.department);
}

fn goal(c: &Ctx, s: &mut Sink) {
    let label =
        c.ed.labels
            .annual_goal
            .first()
            .map(String::as_str)
            .unwrap_or("年度履职目标");
    required_text(s, "E103", label, &c.form.annual_goal);
}

fn year(c: &Ctx, s: &mut Sink) {
    let y = &c.form.year;
    if y.value.is_none() {
        s.report(
            "E102",
            y.cell,
            "年度",
            &y.raw,
            "表头中未找到年度（如“2022 年度”）".to_string(),
        );
    }
}
