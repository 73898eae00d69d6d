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

pub static E306: Rule = Rule {
    code: "E306",
    severity: Severity::Error,
    title: "预算金额小数位过多",
    hint: "金额以万元为单位，按本版要求保留小数位（四舍五入）",
    check: Some(decimals),
};

pub static E307: Rule = Rule {
    code: "E307",
    severity: Severity::Warning,
    title: "预算金额疑似以元填写",
    hint: "预算金额以万元为单位：元数除以 10000 即为万元",
    check: Some(yuan),
};

pub static E308: Rule = Rule {
    code: "E308",
    severity: Severity::Error,
    title: "年度任务金额合计与预算不符",
    hint: "核对各项任务的金额，使其合计等于部门预算总额",
    check: Some(task_amounts),
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
    let budget = c.form.budget.iter().map(|(k, f)| (c.ed.title(k), f));
    let tasks = c
        .form
        .tasks
        .iter()
        .filter_map(|t| t.amount.as_ref())
        .map(|f| ("任务金额", f));
    for (title, f) in budget.chain(tasks) {
        if !f.is_blank() && f.value.is_none() {
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

/// Budget keys whose figure is orders of magnitude above every other non-zero figure: typed
/// in 元 where 万元 was asked.
fn yuan_suspects<'a>(c: &Ctx<'a>) -> Vec<&'a str> {
    let figures: Vec<(&str, Decimal)> = c
        .form
        .budget
        .iter()
        .filter_map(|(k, f)| f.value.map(|v| (k.as_str(), v.abs())))
        .filter(|(_, v)| !v.is_zero())
        .collect();
    let ratio = c.ed.thresholds.yuan_ratio;
    figures
        .iter()
        .filter(|(k, v)| {
            let others: Vec<Decimal> = figures
                .iter()
                .filter(|(o, _)| o != k)
                .map(|(_, v)| *v)
                .collect();
            others.iter().max().is_some_and(|m| *v >= *m * ratio)
        })
        .map(|(k, _)| *k)
        .collect()
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
    // A figure typed in 元 is E307's finding; the sums cannot agree until it is fixed.
    let suspects = yuan_suspects(c);
    if ["total", parts[0], parts[1]]
        .iter()
        .any(|k| suspects.contains(k))
    {
        return;
    }
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
    let budget = c.form.budget.iter().map(|(k, f)| (c.ed.title(k), f));
    let tasks = c
        .form
        .tasks
        .iter()
        .filter_map(|t| t.amount.as_ref())
        .map(|f| ("任务金额", f));
    for (title, f) in budget.chain(tasks) {
        if f.value
            .is_some_and(|v| v.is_sign_negative() && !v.is_zero())
        {
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

fn decimals(c: &Ctx, s: &mut Sink) {
    let max = c.ed.edition.money_decimals;
    let task_amounts = c.form.tasks.iter().filter_map(|t| t.amount.as_ref());
    let figures = c
        .form
        .budget
        .iter()
        .map(|(k, f)| (c.ed.title(k), f))
        .chain(task_amounts.map(|f| ("任务金额", f)));
    for (title, f) in figures {
        let Some(v) = f.value else { continue };
        if crate::text::decimals(v) > max {
            s.report(
                "E306",
                f.cell,
                title,
                &f.raw,
                format!(
                    "“{title}”{} 有 {} 位小数，本版最多 {max} 位",
                    f.raw,
                    crate::text::decimals(v)
                ),
            );
        }
    }
}

fn yuan(c: &Ctx, s: &mut Sink) {
    for key in yuan_suspects(c) {
        let f = &c.form.budget[key];
        let Some(v) = f.value else { continue };
        let title = c.ed.title(key);
        s.report(
            "E307",
            f.cell,
            title,
            &f.raw,
            format!(
                "“{title}”{} 比其他金额大几个数量级，疑似以元填写（折合 {} 万元）",
                f.raw,
                (v / Decimal::from(10_000)).normalize()
            ),
        );
    }
}

fn task_amounts(c: &Ctx, s: &mut Sink) {
    let amounts: Vec<Decimal> = c
        .form
        .tasks
        .iter()
        .filter_map(|t| t.amount.as_ref())
        .filter_map(|a| a.value)
        .collect();
    if amounts.is_empty() {
        return;
    }
    let sum: Decimal = amounts.iter().sum();
    let dp = c.ed.edition.money_decimals;
    let tol = c.ed.thresholds.budget_tolerance;
    if let Some(total_row) = &c.form.tasks_total
        && let Some(t) = total_row.value.filter(|t| (*t - sum).abs() > tol)
    {
        s.report(
            "E308",
            total_row.cell,
            "任务金额合计",
            &total_row.raw,
            format!(
                "任务金额合计行 {} ≠ 各任务金额之和 {}",
                fixed(t, dp),
                fixed(sum, dp)
            ),
        );
        return;
    }
    let Some(total) = c.form.amount("total") else {
        return;
    };
    if (total - sum).abs() > tol {
        let cell = c
            .form
            .tasks_total
            .as_ref()
            .and_then(|t| t.cell)
            .or_else(|| c.form.budget.get("total").and_then(|f| f.cell));
        s.report(
            "E308",
            cell,
            "任务金额合计",
            "",
            format!(
                "各任务金额之和 {} ≠ {} {}（相差 {}）",
                fixed(sum, dp),
                c.ed.title("total"),
                fixed(total, dp),
                fixed(sum - total, dp)
            ),
        );
    }
}
