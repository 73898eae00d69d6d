//! Budget rules: the figures of 预算情况 (and the tasks' amounts, where the edition has them)
//! are present, numeric, non-negative, in 万元 with the allowed decimals, and reconcile: the
//! sources, the structure, income against expense, each 占比, and the tasks against the budget.

use super::{Ctx, Rule, Sink};
use crate::finding::{Edit, EditValue, FixKind, Severity};
use crate::form::budget_key::{BASIC, EXPENSE_TOTAL, FISCAL, OTHER, PROJECT, TOTAL};
use crate::form::{CellRef, Field};
use crate::text::fixed;
use rust_decimal::Decimal;

pub static E301: Rule = Rule {
    code: "E301",
    severity: Severity::Error,
    title: "预算金额未填写",
    hint: "填写以万元为单位的金额；没有的填 0",
    check: Some(missing),
    supersedes: &[],
    fix: None,
};

pub static E302: Rule = Rule {
    code: "E302",
    severity: Severity::Error,
    title: "预算金额不是数字",
    hint: "只填写数字（单位万元），不要写文字或符号",
    check: Some(not_a_number),
    supersedes: &[],
    fix: None,
};

pub static E303: Rule = Rule {
    code: "E303",
    severity: Severity::Error,
    title: "部门预算总额与资金来源合计不符",
    hint: "核对部门预算总额、财政性资金和其他资金，使总额等于两者之和",
    check: Some(sources_sum),
    supersedes: &[],
    fix: None,
};

pub static E304: Rule = Rule {
    code: "E304",
    severity: Severity::Error,
    title: "部门预算总额与资金结构合计不符",
    hint: "核对部门预算总额、基本支出和项目支出，使总额等于两者之和",
    check: Some(structure_sum),
    supersedes: &[],
    fix: None,
};

pub static E305: Rule = Rule {
    code: "E305",
    severity: Severity::Error,
    title: "预算金额为负数",
    hint: "预算金额不能为负数，请核对",
    check: Some(negative),
    supersedes: &[],
    fix: None,
};

pub static E306: Rule = Rule {
    code: "E306",
    severity: Severity::Error,
    title: "预算金额小数位过多",
    hint: "金额以万元为单位，按本版要求保留小数位（四舍五入）",
    check: Some(decimals),
    supersedes: &[],
    fix: None,
};

pub static E307: Rule = Rule {
    code: "E307",
    severity: Severity::Warning,
    title: "预算金额疑似以元填写",
    hint: "预算金额以万元为单位：元数除以 10000 即为万元",
    check: Some(yuan),
    supersedes: &[],
    fix: Some(FixKind::Unsafe),
};

pub static E308: Rule = Rule {
    code: "E308",
    severity: Severity::Error,
    title: "年度任务金额合计与预算不符",
    hint: "核对各项任务的金额和合计行，使其等于预算情况中的对应金额",
    check: Some(task_amounts),
    supersedes: &[],
    fix: None,
};

pub static E309: Rule = Rule {
    code: "E309",
    severity: Severity::Error,
    title: "收入合计与支出合计不符",
    hint: "收入构成的合计应等于支出构成的合计",
    check: Some(income_expense),
    supersedes: &[],
    fix: None,
};

pub static E310: Rule = Rule {
    code: "E310",
    severity: Severity::Error,
    title: "占比与金额不符",
    hint: "占比 = 金额 ÷ 合计 × 100，保留两位小数",
    check: Some(shares),
    supersedes: &[],
    fix: None,
};

pub static E311: Rule = Rule {
    code: "E311",
    severity: Severity::Error,
    title: "任务总额与分项金额不符",
    hint: "每项任务的总额应等于财政拨款与其他资金之和",
    check: Some(task_parts),
    supersedes: &[],
    fix: None,
};

/// Every amount on the form with its title: budget figures, each task's amounts, the tasks'
/// 合计 row.
fn amounts<'a>(c: &'a Ctx) -> Vec<(String, &'a Field<Decimal>)> {
    let ed = c.ed;
    let mut v: Vec<(String, &Field<Decimal>)> = c
        .form
        .budget
        .iter()
        .map(|(k, f)| (ed.title(k).to_string(), f))
        .collect();
    for t in &c.form.tasks {
        for (k, f) in &t.amounts {
            v.push((
                format!("任务“{}”的{}", short(t.name.as_str()), task_title(c, k)),
                f,
            ));
        }
    }
    for (k, f) in &c.form.tasks_total {
        v.push((format!("任务合计行的{}", task_title(c, k)), f));
    }
    v
}

/// A task amount column's title (the same key may name a budget figure with another title).
fn task_title<'a>(c: &Ctx<'a>, key: &'a str) -> &'a str {
    c.ed.task_amounts
        .get(key)
        .map(|f| f.title.as_str())
        .unwrap_or(key)
}

/// The first 16 characters, with "…" when cut: messages stay one short line.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(16).collect();
    if s.chars().count() > 16 {
        out.push('…');
    }
    out
}

fn money(c: &Ctx, d: Decimal) -> String {
    fixed(d, c.ed.edition.money_decimals)
}

fn missing(c: &Ctx, s: &mut Sink) {
    for (key, spec) in &c.ed.budget {
        if c.form.budget.get(key).is_none() && spec.required {
            s.report(
                "E301",
                c.form.budget_anchor,
                &spec.title,
                "",
                format!("预算情况中未找到“{}”一栏", spec.title),
            );
        }
    }
    for (title, f) in amounts(c) {
        if f.is_blank() && f.cell.is_some() {
            s.report("E301", f.cell, &title, "", format!("“{title}”未填写"));
        }
    }
}

fn not_a_number(c: &Ctx, s: &mut Sink) {
    let shares = c
        .form
        .budget_shares
        .iter()
        .map(|(k, f)| (format!("{}占比", c.ed.title(k)), f));
    for (title, f) in amounts(c).into_iter().chain(shares) {
        if !f.is_blank() && f.value.is_none() {
            s.report(
                "E302",
                f.cell,
                &title,
                &f.raw,
                format!("“{title}”填的是“{}”，不是数字", f.raw),
            );
        }
    }
}

/// The sums a budget must satisfy, as (whole, parts), for the keys this form has: the sources,
/// the structure (against 支出合计 where the edition has one) and income against expense.
fn equations(c: &Ctx) -> Vec<(&'static str, Vec<&'static str>)> {
    let structure_whole = if c.form.budget.contains_key(EXPENSE_TOTAL) {
        EXPENSE_TOTAL
    } else {
        TOTAL
    };
    vec![
        (TOTAL, vec![FISCAL, OTHER]),
        (structure_whole, vec![BASIC, PROJECT]),
        (EXPENSE_TOTAL, vec![TOTAL]),
    ]
}

/// A budget figure that looks typed in 元 where 万元 was asked.
struct Yuan<'a> {
    key: &'a str,
    /// Proven: a sum it is in fails, and balances exactly once this figure is divided by 10,000.
    /// Otherwise only suspected (orders of magnitude above every other figure).
    proven: bool,
}

fn yuan_figures<'a>(c: &Ctx<'a>) -> Vec<Yuan<'a>> {
    let form = c.form;
    let tol = c.ed.thresholds.budget_tolerance;
    let ten_thousand = Decimal::from(10_000);
    let mut out: Vec<Yuan> = Vec::new();
    for (key, _) in &form.budget {
        let key = key.as_str();
        let Some(v) = form.amount(key) else { continue };
        if v.is_zero() {
            continue;
        }
        let proven = equations(c).iter().any(|(whole, parts)| {
            if *whole != key && !parts.contains(&key) {
                return false;
            }
            let get = |k: &str| form.amount(k);
            let (Some(w), Some(ps)) = (
                get(whole),
                parts.iter().map(|p| get(p)).sum::<Option<Decimal>>(),
            ) else {
                return false;
            };
            if (w - ps).abs() <= tol {
                return false; // it balances as typed
            }
            let scaled = v / ten_thousand;
            let (w2, ps2) = if *whole == key {
                (scaled, ps)
            } else {
                (w, ps - v + scaled)
            };
            (w2 - ps2).abs() <= tol
        });
        let suspected = {
            let others = form
                .budget
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .filter_map(|(_, f)| f.value.map(|x| x.abs()))
                .filter(|x| !x.is_zero());
            others
                .max()
                .and_then(|m| m.checked_mul(c.ed.thresholds.yuan_ratio))
                .is_some_and(|limit| v.abs() >= limit)
        };
        if proven || suspected {
            out.push(Yuan { key, proven });
        }
    }
    out
}

/// Reports `whole ≠ a + b` on the whole's cell, naming both sides. A figure typed in 元 does
/// not hide this: the sum is wrong as typed, and E307 explains why on the figure's own cell.
fn reconcile(c: &Ctx, s: &mut Sink, code: &'static str, whole: &str, parts: [&str; 2]) {
    let form = c.form;
    let (Some(total), Some(a), Some(b)) = (
        form.amount(whole),
        form.amount(parts[0]),
        form.amount(parts[1]),
    ) else {
        return;
    };
    let sum = a + b;
    if (total - sum).abs() <= c.ed.thresholds.budget_tolerance {
        return;
    }
    let f = &form.budget[whole];
    let t = |k: &str| c.ed.title(k).to_string();
    s.report(
        code,
        f.cell,
        &t(whole),
        &f.raw,
        format!(
            "{} {} ≠ {} {} + {} {} = {}（相差 {}）",
            t(whole),
            money(c, total),
            t(parts[0]),
            money(c, a),
            t(parts[1]),
            money(c, b),
            money(c, sum),
            money(c, total - sum)
        ),
    );
}

fn sources_sum(c: &Ctx, s: &mut Sink) {
    reconcile(c, s, "E303", TOTAL, [FISCAL, OTHER]);
}

fn structure_sum(c: &Ctx, s: &mut Sink) {
    let whole = if c.form.budget.contains_key(EXPENSE_TOTAL) {
        EXPENSE_TOTAL
    } else {
        TOTAL
    };
    reconcile(c, s, "E304", whole, [BASIC, PROJECT]);
}

fn income_expense(c: &Ctx, s: &mut Sink) {
    let (Some(income), Some(expense)) = (c.form.amount(TOTAL), c.form.amount(EXPENSE_TOTAL)) else {
        return;
    };
    if (income - expense).abs() > c.ed.thresholds.budget_tolerance {
        let f = &c.form.budget[EXPENSE_TOTAL];
        s.report(
            "E309",
            f.cell,
            c.ed.title(EXPENSE_TOTAL),
            &f.raw,
            format!(
                "{} {} ≠ {} {}",
                c.ed.title(EXPENSE_TOTAL),
                money(c, expense),
                c.ed.title(TOTAL),
                money(c, income)
            ),
        );
    }
}

fn shares(c: &Ctx, s: &mut Sink) {
    let tol = c.ed.thresholds.share_tolerance;
    for (key, share) in &c.form.budget_shares {
        let Some(got) = share.value else { continue };
        let Some(of) = c.ed.budget.get(key).and_then(|b| b.share_of.as_deref()) else {
            continue;
        };
        let (Some(amount), Some(total)) = (c.form.amount(key), c.form.amount(of)) else {
            continue;
        };
        if total.is_zero() {
            continue;
        }
        let Some(want) = amount
            .checked_div(total)
            .and_then(|q| q.checked_mul(Decimal::from(100)))
        else {
            continue;
        };
        if (got - want).abs() > tol {
            let title = format!("{}占比", c.ed.title(key));
            s.report(
                "E310",
                share.cell,
                &title,
                &share.raw,
                format!(
                    "“{title}”填 {}%，按金额 {} ÷ {} 应为 {}%",
                    got.normalize(),
                    money(c, amount),
                    money(c, total),
                    fixed(want, 2)
                ),
            );
        }
    }
}

fn negative(c: &Ctx, s: &mut Sink) {
    for (title, f) in amounts(c) {
        if f.value
            .is_some_and(|v| v.is_sign_negative() && !v.is_zero())
        {
            s.report(
                "E305",
                f.cell,
                &title,
                &f.raw,
                format!("“{title}”为负数 {}", f.raw),
            );
        }
    }
}

fn decimals(c: &Ctx, s: &mut Sink) {
    let max = c.ed.edition.money_decimals;
    for (title, f) in amounts(c) {
        let Some(v) = f.value else { continue };
        let n = crate::text::decimals(v);
        if n > max {
            s.report(
                "E306",
                f.cell,
                &title,
                &f.raw,
                format!("“{title}”{} 有 {n} 位小数，本版最多 {max} 位", f.raw),
            );
        }
    }
}

fn yuan(c: &Ctx, s: &mut Sink) {
    for y in yuan_figures(c) {
        let f = &c.form.budget[y.key];
        let Some(v) = f.value else { continue };
        let title = c.ed.title(y.key);
        let wan = (v / Decimal::from(10_000)).normalize();
        let message = if y.proven {
            format!(
                "“{title}”{} 疑似以元填写：折合 {wan} 万元后与其他金额恰好平衡",
                f.raw
            )
        } else {
            format!(
                "“{title}”{} 比其他金额大几个数量级，疑似以元填写（折合 {wan} 万元）",
                f.raw
            )
        };
        s.report("E307", f.cell, title, &f.raw, message);
        // Divided by 10,000 only when the form then balances exactly: a reviewer would ask for
        // no other number. Still unsafe: it changes a declared amount.
        if y.proven
            && let Some(cell) = f.cell
        {
            s.fix_last(
                FixKind::Unsafe,
                vec![Edit {
                    cell,
                    value: EditValue::Number(wan),
                }],
            );
        }
    }
}

fn task_amounts(c: &Ctx, s: &mut Sink) {
    let tol = c.ed.thresholds.budget_tolerance;
    for key in c.ed.task_amounts.keys() {
        let values: Vec<Decimal> = c
            .form
            .tasks
            .iter()
            .filter_map(|t| t.amounts.get(key).and_then(|a| a.value))
            .collect();
        if values.is_empty() {
            continue;
        }
        let sum: Decimal = values.iter().sum();
        let title = task_title(c, key);
        // The 合计 row first: it must be the sum of the rows above it.
        let total_row = c.form.tasks_total.get(key);
        if let Some(row) = total_row
            && let Some(t) = row.value
            && (t - sum).abs() > tol
        {
            s.report(
                "E308",
                row.cell,
                title,
                &row.raw,
                format!(
                    "任务合计行的{title} {} ≠ 各任务之和 {}",
                    money(c, t),
                    money(c, sum)
                ),
            );
            continue;
        }
        // Then the tasks against the budget figure of the same key.
        let Some(budget) = c.form.amount(key) else {
            continue;
        };
        if (budget - sum).abs() > tol {
            let cell: Option<CellRef> = total_row
                .and_then(|r| r.cell)
                .or_else(|| c.form.budget.get(key).and_then(|f| f.cell));
            s.report(
                "E308",
                cell,
                title,
                "",
                format!(
                    "各任务{title}之和 {} ≠ 预算情况中的{} {}（相差 {}）",
                    money(c, sum),
                    c.ed.title(key),
                    money(c, budget),
                    money(c, sum - budget)
                ),
            );
        }
    }
}

fn task_parts(c: &Ctx, s: &mut Sink) {
    let tol = c.ed.thresholds.budget_tolerance;
    let rows = c
        .form
        .tasks
        .iter()
        .map(|t| (format!("任务“{}”", short(t.name.as_str())), &t.amounts));
    // The 合计 row is checked only where it is not just the column sums: when it is, its
    // mismatch follows from the task rows, which are reported one by one.
    let column_sums = c.form.tasks_total.iter().all(|(k, f)| {
        let sum: Decimal = c
            .form
            .tasks
            .iter()
            .filter_map(|t| t.amounts.get(k).and_then(|a| a.value))
            .sum();
        f.value.is_some_and(|v| (v - sum).abs() <= tol)
    });
    let total = (!column_sums).then_some(("任务合计行".to_string(), &c.form.tasks_total));
    for (who, a) in rows.chain(total) {
        let get = |k: &str| a.get(k).and_then(|f| f.value);
        let (Some(t), Some(f), Some(o)) = (get(TOTAL), get(FISCAL), get(OTHER)) else {
            continue;
        };
        if (t - (f + o)).abs() > tol {
            let cell = a.get(TOTAL).and_then(|x| x.cell);
            s.report(
                "E311",
                cell,
                task_title(c, TOTAL),
                &a[TOTAL].raw,
                format!(
                    "{who}的总额 {} ≠ 财政拨款 {} + 其他资金 {} = {}",
                    money(c, t),
                    money(c, f),
                    money(c, o),
                    money(c, f + o)
                ),
            );
        }
    }
}
