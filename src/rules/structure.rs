//! Rules over the indicator table as a whole: every 一级 present (E441), no duplicate 三级 under
//! one 二级 (E442), the common 投入管理 catalogue present (E443) and as standard (E444).

use super::indicators::which;
use super::{Ctx, Rule, Sink, on_cell};
use crate::edition::CatalogueEntry;
use crate::finding::{Edit, EditValue, FixKind, Severity};
use crate::form::{CellRef, Column, Indicator, Kind};
use crate::text::{norm_label, norm_name};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

pub static E441: Rule = Rule {
    code: "E441",
    severity: Severity::Error,
    title: "一级指标下没有三级指标",
    hint: "每个一级指标下至少设置一个三级指标",
    check: Some(every_level1),
    supersedes: &[],
    fix: None,
};

pub static E442: Rule = Rule {
    code: "E442",
    severity: Severity::Warning,
    title: "同一二级指标下三级指标重复",
    hint: "删除重复的行，或把三级指标改为不同的名称",
    check: Some(no_duplicates),
    supersedes: &[],
    fix: None,
};

pub static E443: Rule = Rule {
    code: "E443",
    severity: Severity::Warning,
    title: "缺少通用的投入管理指标",
    hint: "按申报表要求补齐通用的投入管理指标，指标值类型、指标值和单位按标准填写",
    check: Some(catalogue_present),
    supersedes: &[],
    fix: None,
};

pub static E444: Rule = Rule {
    code: "E444",
    severity: Severity::Warning,
    title: "通用指标与标准不一致",
    hint: "通用的投入管理指标按标准填写指标值类型、指标值和单位",
    check: Some(catalogue_standard),
    // A common indicator's standard says more than the general rules: a blank type with the
    // value present, "≥100" or a direction slip are all "not the standard", naming it.
    supersedes: &[on_cell("E401"), on_cell("E424"), on_cell("E431")],
    fix: Some(FixKind::Unsafe),
};

fn every_level1(c: &Ctx, s: &mut Sink) {
    if c.form.indicators.is_empty() {
        return; // no table at all is E401's
    }
    let missing: Vec<String> =
        c.ed.levels
            .iter()
            .filter(|level| {
                let key = norm_name(&level.name);
                !c.form
                    .indicators
                    .iter()
                    .any(|i| norm_name(&i.level1.raw) == key && !i.level3.is_blank())
            })
            .map(|level| format!("“{}”", level.name))
            .collect();
    // One finding on the table header, naming every missing 一级.
    if !missing.is_empty() {
        s.report(
            "E441",
            c.form.indicators_anchor,
            c.ed.column_title(Column::Level1),
            "",
            format!("一级指标{}下没有任何三级指标", missing.join("、")),
        );
    }
}

fn no_duplicates(c: &Ctx, s: &mut Sink) {
    let mut first: BTreeMap<(String, String), &Indicator> = BTreeMap::new();
    for ind in c.form.indicators.iter().filter(|i| !i.level3.is_blank()) {
        let key = (norm_name(&ind.level2.raw), norm_name(&ind.level3.raw));
        match first.get(&key) {
            Some(earlier) => s.report(
                "E442",
                ind.level3.cell,
                c.ed.column_title(Column::Level3),
                &ind.level3.raw,
                format!(
                    "三级指标{}在二级指标“{}”下重复（第 {} 行已有）",
                    which(ind),
                    ind.level2.raw,
                    earlier.row + 1
                ),
            ),
            None => {
                first.insert(key, ind);
            }
        }
    }
}

/// "≤ 20%", "定性：相关" — the standard as staff read it.
fn standard(e: &CatalogueEntry) -> String {
    if e.kind == Kind::Qualitative {
        format!("定性“{}”", e.value)
    } else {
        format!("{} {}{}", e.kind, e.value, e.unit)
    }
}

fn catalogue_present(c: &Ctx, s: &mut Sink) {
    if c.form.indicators.is_empty() {
        return;
    }
    let missing: Vec<String> =
        c.ed.catalogue
            .iter()
            .filter(|e| {
                !c.form
                    .indicators
                    .iter()
                    .any(|i| norm_name(&i.level3.raw) == norm_name(&e.level3))
            })
            .map(|e| format!("“{}”（{}，标准为 {}）", e.level3, e.level2, standard(e)))
            .collect();
    // One finding on the table header, naming every missing indicator.
    if !missing.is_empty() {
        s.report(
            "E443",
            c.form.indicators_anchor,
            c.ed.column_title(Column::Level3),
            "",
            format!("缺少通用指标{}", missing.join("、")),
        );
    }
}

fn catalogue_standard(c: &Ctx, s: &mut Sink) {
    for ind in &c.form.indicators {
        let Some(e) = c.ed.catalogue_entry(ind.level3.as_str()) else {
            continue;
        };
        let std = standard(e);
        let name = which(ind);
        // 指标值类型: blank with the value present (a blank type and value are E401's), or not
        // the standard's (an unrecognised one is also E402's, which supersedes this).
        if ind.kind.is_blank() {
            if !ind.value.is_blank() {
                s.report(
                    "E444",
                    ind.kind.cell,
                    c.ed.column_title(Column::Kind),
                    "",
                    format!("通用指标{name}未填指标值类型，标准为 {std}"),
                );
                s.fix_last(FixKind::Unsafe, text_edit(ind.kind.cell, e.kind.as_str()));
            }
        } else if ind.kind.value != Some(e.kind) {
            s.report(
                "E444",
                ind.kind.cell,
                c.ed.column_title(Column::Kind),
                &ind.kind.raw,
                format!(
                    "通用指标{name}的指标值类型“{}”与标准不一致，标准为 {std}",
                    ind.kind.raw
                ),
            );
            s.fix_last(FixKind::Unsafe, text_edit(ind.kind.cell, e.kind.as_str()));
        }
        // 指标值: a number compared as a number, a word as a word.
        let value_ok = match (e.value.parse::<Decimal>(), ind.value.value) {
            (Ok(want), Some(got)) => want == got,
            (Ok(_), None) => false,
            (Err(_), _) => norm_name(&ind.value.raw) == norm_name(&e.value),
        };
        // A blank value is E401's (an error: nothing was declared).
        if !ind.value.is_blank() && !value_ok {
            s.report(
                "E444",
                ind.value.cell,
                c.ed.column_title(Column::Value),
                &ind.value.raw,
                format!(
                    "通用指标{name}的指标值“{}”与标准不一致，标准为 {std}",
                    ind.value.raw
                ),
            );
            let edits = match (ind.value.cell, e.value.parse::<Decimal>()) {
                (Some(cell), Ok(n)) => vec![Edit {
                    cell,
                    value: EditValue::Number(n),
                }],
                (cell, Err(_)) => text_edit(cell, &e.value),
                (None, Ok(_)) => Vec::new(),
            };
            s.fix_last(FixKind::Unsafe, edits);
        }
        // 度量单位: "-" or blank stand for none.
        let unit = ind.effective_unit();
        let unit = if c.ed.is_placeholder(unit) { "" } else { unit };
        if norm_label(unit) != norm_label(&e.unit) {
            let cell = if ind.unit.cell.is_some() {
                ind.unit.cell
            } else {
                ind.value.cell
            };
            let want = if e.unit.is_empty() {
                "无单位".to_string()
            } else {
                format!("“{}”", e.unit)
            };
            s.report(
                "E444",
                cell,
                c.ed.column_title(Column::Unit),
                &ind.unit.raw,
                format!("通用指标{name}的单位“{unit}”与标准不一致，应为{want}（标准为 {std}）"),
            );
            // Only in the unit's own cell: a unit typed in the value is the value's to lose.
            let unit = if e.unit.is_empty() { "-" } else { &e.unit };
            s.fix_last(FixKind::Unsafe, text_edit(ind.unit.cell, unit));
        }
    }
}

/// Writing `text` into `cell`, when there is one.
fn text_edit(cell: Option<CellRef>, text: &str) -> Vec<Edit> {
    cell.map(|cell| Edit {
        cell,
        value: EditValue::Text(text.to_string()),
    })
    .into_iter()
    .collect()
}
