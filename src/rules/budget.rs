//! Budget rules: the figures of 预算情况 are present, numeric, non-negative, and reconcile.

use super::{Ctx, Rule, Sink};
use crate::finding::Severity;
use crate::text::fixed;
use rust_decimal::Decimal;

pub static E301: Rule = Rule {
    code: "E301",
    severity: Severity::Error,
    title: "预算金额未填写",
    hint: "填写以万元为单位的金额；没有的填 0",
    check: Some(missing),
};

pub static E302: Rule = Rule {
    code: "E302",
    severity: Severity::Error,
    title: "预算金额不是数字",
    hint: "只填写数字（单位万元），不要写文字或符号",
    check: Some(not_a_number),
};

pub static E303: Rule = Rule {
    code: "E303",
    severity: Severity::Error,
    title: "部门预算总额与资金来源合计不符",
    hint: "核对部门预算总额、财政性资金和其他资金，使总额等于两者之和",
    check: Some(sources_sum),
};

pub static E304: Rule = Rule {
    code: "E304",
    severity: Severity::Error,
    title: "部门预算总额与资金结构合计不符",
    hint: "核对部门预算总额、基本支出和项目支出，使总额等于两者之和",
    check: Some(structure_sum),
};

pub static E305: Rule = Rule {
    code: "E305",
    severity: Severity::Error,
    title: "预算金额为负数",
    hint: "预算金额不能为负数，请核对",
    check: Some(negative),
};

fn missing(c: &Ctx, s: &mut Sink) {
    for (key, spec) in &c.ed.budget {
        match c.form.budget.get(key) {
            None if spec.required => s.report(
                "E301",
                c.form.budget_anchor,
                &spec.title,
                "",
                format!("预算情况中未找到“{}”一栏", spec.title),
            ),
            Some(f) if f.is_blank() => s.report(
                "E301",
                f.cell,
                &spec.title,
                "",
                format!("“{}”未填写", spec.title),
            ),
            _ => {}
        }
    }
}

fn not_a_number(c: &Ctx, s: &mut Sink) {
    for (key, f) in &c.form.budget {
        if !f.is_blank() && f.value.is_none() {
            let title = c.ed.title(key);
            s.report(
                "E302",
                f.cell,
                title,
                &f.raw,
                format!("“{title}”填的是“{}”，不是金额", f.raw),
            );
        }
    }
}

/// Reports `total ≠ a + b` on the total's cell, naming both sides.
fn reconcile(c: &Ctx, s: &mut Sink, code: &'static str, parts: [&str; 2]) {
    let form = c.form;
    let (Some(total), Some(a), Some(b)) = (
        form.amount("total"),
        form.amount(parts[0]),
        form.amount(parts[1]),
    ) else {
        return;
    };
    let sum = a + b;
    if (total - sum).abs() <= c.ed.thresholds.budget_tolerance {
        return;
    }
    let dp = c.ed.edition.money_decimals;
    let money = |d: Decimal| fixed(d, dp);
    let f = &form.budget["total"];
    s.report(
        code,
        f.cell,
        c.ed.title("total"),
        &f.raw,
        format!(
            "{} {} ≠ {} {} + {} {} = {}（相差 {}）",
            c.ed.title("total"),
            money(total),
            c.ed.title(parts[0]),
            money(a),
            c.ed.title(parts[1]),
            money(b),
            money(sum),
            money(total - sum)
        ),
    );
}

fn sources_sum(c: &Ctx, s: &mut Sink) {
    reconcile(c, s, "E303", ["fiscal", "other"]);
}

fn structure_sum(c: &Ctx, s: &mut Sink) {
    reconcile(c, s, "E304", ["basic", "project"]);
}

fn negative(c: &Ctx, s: &mut Sink) {
    for (key, f) in &c.form.budget {
        if f.value
            .is_some_and(|v| v.is_sign_negative() && !v.is_zero())
        {
            let title = c.ed.title(key);
            s.report(
                "E305",
                f.cell,
                title,
                &f.raw,
                format!("“{title}”为负数 {}", f.raw),
            );
        }
    }
}
