//! Indicator rules, row by row: completeness (E401–E404), vocabulary (E411–E412), value sense
//! (E421–E425) and direction (E431). Rules over the table as a whole live in structure.rs.

use super::{Ctx, Rule, Sink, on_cell, on_row};
use crate::edition::Edition;
use crate::finding::{Edit, EditValue, FixKind, Severity};
use crate::form::{CellRef, Column, Field, Indicator, Kind};
use crate::text::{norm_label, norm_name};
use std::collections::BTreeSet;

pub static E401: Rule = Rule {
    code: "E401",
    severity: Severity::Error,
    title: "绩效指标必填项为空",
    hint: "带 * 的栏目每行都要填写；不适用的单位或投入管理指标的评/扣分标准可填“-”",
    check: Some(required_columns),
    supersedes: &[on_cell("E404")],
    fix: None,
};

pub static E402: Rule = Rule {
    code: "E402",
    severity: Severity::Error,
    title: "指标值类型无法识别",
    hint: "指标值类型填“定性”或比较符 ≥、≤、=、>、<",
    check: Some(known_kind),
    supersedes: &[on_cell("E444")],
    fix: None,
};

pub static E403: Rule = Rule {
    code: "E403",
    severity: Severity::Error,
    title: "定量指标的指标值不是数字",
    hint: "比较符（≥、≤、= 等）后的指标值只填数字，单位写在度量单位栏",
    check: Some(comparator_number),
    supersedes: &[on_cell("E444"), on_cell("E451")],
    fix: None,
};

pub static E404: Rule = Rule {
    code: "E404",
    severity: Severity::Warning,
    title: "定量指标缺少指标值说明",
    hint: "在指标值说明中写明指标含义和计算公式，如“××率=××数/××总数×100%”",
    check: Some(quantitative_explained),
    supersedes: &[on_cell("E451")],
    fix: None,
};

pub static E411: Rule = Rule {
    code: "E411",
    severity: Severity::Warning,
    title: "一级指标名称不在本版目录中",
    hint: "一级指标使用申报表规定的名称",
    check: Some(known_level1),
    supersedes: &[],
    fix: None,
};

pub static E412: Rule = Rule {
    code: "E412",
    severity: Severity::Warning,
    title: "二级指标名称不在本版目录中",
    hint: "二级指标使用所属一级指标下规定的名称",
    check: Some(known_level2),
    supersedes: &[],
    fix: None,
};

pub static E421: Rule = Rule {
    code: "E421",
    severity: Severity::Error,
    title: "定性指标带有百分号单位",
    hint: "定性指标的度量单位填“-”或留空；需要百分比的请改为定量（≥、≤、=）",
    check: Some(qualitative_percent),
    supersedes: &[on_cell("E444")],
    fix: None,
};

pub static E422: Rule = Rule {
    code: "E422",
    severity: Severity::Error,
    title: "定性指标的指标值是数字",
    hint: "定性指标填文字（如“相关”“达到预期”）；要填数字请把指标值类型改为 ≥、≤ 或 =",
    check: Some(qualitative_number),
    supersedes: &[on_row("E421"), on_cell("E444")],
    fix: None,
};

pub static E423: Rule = Rule {
    code: "E423",
    severity: Severity::Error,
    title: "比率超出合理范围",
    hint: "比率类指标的指标值应在 0 到 100 之间（单位 %）",
    check: Some(rate_range),
    supersedes: &[on_cell("E444")],
    fix: None,
};

pub static E424: Rule = Rule {
    code: "E424",
    severity: Severity::Warning,
    title: "比率写成“≥100”",
    hint: "比率不可能超过 100%，“≥100”应写为“=100”",
    check: Some(rate_at_least_100),
    supersedes: &[],
    fix: Some(FixKind::Unsafe),
};

pub static E425: Rule = Rule {
    code: "E425",
    severity: Severity::Error,
    title: "指标值中的单位与度量单位不一致",
    hint: "指标值只填数字，单位统一写在度量单位栏",
    check: Some(unit_agrees),
    supersedes: &[on_cell("E444")],
    fix: None,
};

pub static E431: Rule = Rule {
    code: "E431",
    severity: Severity::Warning,
    title: "指标值类型方向不当",
    hint: "满意度、完成率、执行率等越高越好的指标用 ≥（或 =）；调整率、结余率、差错率、投诉率等越低越好的指标用 ≤（或 =）",
    check: Some(direction),
    supersedes: &[on_cell("E424")],
    fix: Some(FixKind::Unsafe),
};

/// A recognised quantitative type (a comparator, or 定量): its value must be a number.
pub(super) fn is_comparator(i: &Indicator) -> bool {
    i.kind.value.is_some_and(Kind::is_quantitative)
}

pub(super) fn is_qualitative(i: &Indicator) -> bool {
    i.kind.value == Some(Kind::Qualitative)
}

/// A rate: the name ends in one of the edition's rate suffixes (率), or the unit is %.
pub(super) fn is_rate(i: &Indicator, ed: &Edition) -> bool {
    let name = norm_name(i.level3.as_str());
    ed.words
        .rate_suffixes
        .iter()
        .any(|s| name.ends_with(norm_name(s).as_str()))
        || i.effective_unit() == "%"
}

/// How findings name an indicator: “三级名称”, or the row when the name is blank.
pub(super) fn which(i: &Indicator) -> String {
    match i.level3.value.as_deref() {
        Some(n) => format!("“{n}”"),
        None => format!("第 {} 行", i.row + 1),
    }
}

/// The text as typed and the cell of an indicator's column.
pub(super) fn column(i: &Indicator, col: Column) -> (&str, Option<CellRef>) {
    fn f(f: &Field<String>) -> (&str, Option<CellRef>) {
        (f.raw.as_str(), f.cell)
    }
    match col {
        Column::Level1 => f(&i.level1),
        Column::Level2 => f(&i.level2),
        Column::Level3 => f(&i.level3),
        Column::Kind => (i.kind.raw.as_str(), i.kind.cell),
        Column::Value => (i.value.raw.as_str(), i.value.cell),
        Column::Unit => f(&i.unit),
        Column::Criteria => f(&i.criteria),
        Column::Description => f(&i.description),
    }
}

fn required_columns(c: &Ctx, s: &mut Sink) {
    let form = c.form;
    if form.indicators_anchor.is_none() {
        s.report(
            "E401",
            None,
            "绩效指标",
            "",
            "未找到绩效指标表（三级指标、指标值类型、指标值）".to_string(),
        );
        return;
    }
    if form.indicators.is_empty() {
        s.report(
            "E401",
            form.indicators_anchor,
            "绩效指标",
            "",
            "绩效指标表中没有任何指标".to_string(),
        );
        return;
    }
    for (key, spec) in c.ed.columns.iter().filter(|(_, spec)| spec.required) {
        // A starred column missing from the header is one finding, not one per row.
        if form.indicators.iter().all(|i| column(i, *key).1.is_none()) {
            s.report(
                "E401",
                form.indicators_anchor,
                &spec.title,
                "",
                format!("绩效指标表缺少“{}”一栏", spec.title),
            );
            continue;
        }
        for ind in &form.indicators {
            let (raw, cell) = column(ind, *key);
            if raw.is_empty() {
                s.report(
                    "E401",
                    cell,
                    &spec.title,
                    "",
                    format!("{}的“{}”未填写", which(ind), spec.title),
                );
            }
        }
    }
}

fn known_kind(c: &Ctx, s: &mut Sink) {
    for ind in &c.form.indicators {
        let k = &ind.kind;
        if !k.is_blank() && k.value.is_none() {
            s.report(
                "E402",
                k.cell,
                c.ed.column_title(Column::Kind),
                &k.raw,
                format!("{}的指标值类型“{}”无法识别", which(ind), k.raw),
            );
        }
    }
}

fn comparator_number(c: &Ctx, s: &mut Sink) {
    for ind in c.form.indicators.iter().filter(|i| is_comparator(i)) {
        let v = &ind.value;
        if !v.is_blank() && v.value.is_none() {
            s.report(
                "E403",
                v.cell,
                c.ed.column_title(Column::Value),
                &v.raw,
                format!(
                    "{}的指标值类型为“{}”，指标值“{}”却不是数字",
                    which(ind),
                    ind.kind_text(),
                    v.raw
                ),
            );
        }
    }
}

fn quantitative_explained(c: &Ctx, s: &mut Sink) {
    for ind in c.form.indicators.iter().filter(|i| is_comparator(i)) {
        let d = &ind.description;
        // Blank (where the column exists) or a placeholder. A blank starred cell is also E401's,
        // which supersedes this finding; a placeholder is also E451's, which this one supersedes.
        let missing = (d.is_blank() && d.cell.is_some()) || c.ed.is_placeholder(&d.raw);
        if missing {
            s.report(
                "E404",
                d.cell,
                c.ed.column_title(Column::Description),
                &d.raw,
                format!("定量指标{}没有指标值说明", which(ind)),
            );
        }
    }
}

fn known_level1(c: &Ctx, s: &mut Sink) {
    let mut seen = BTreeSet::new();
    let expected: Vec<&str> = c.ed.levels.iter().map(|l| l.name.as_str()).collect();
    for ind in &c.form.indicators {
        let l1 = &ind.level1;
        if l1.is_blank() || c.ed.level(&l1.raw).is_some() || !seen.insert(l1.cell) {
            continue;
        }
        s.report(
            "E411",
            l1.cell,
            c.ed.column_title(Column::Level1),
            &l1.raw,
            format!(
                "一级指标“{}”不在本版目录中，应为：{}",
                l1.raw,
                expected.join("、")
            ),
        );
    }
}

fn known_level2(c: &Ctx, s: &mut Sink) {
    let mut seen = BTreeSet::new();
    for ind in &c.form.indicators {
        let l2 = &ind.level2;
        let Some(level) = c.ed.level(&ind.level1.raw) else {
            continue;
        };
        if l2.is_blank() || level.has_child(&l2.raw) || !seen.insert(l2.cell) {
            continue;
        }
        s.report(
            "E412",
            l2.cell,
            c.ed.column_title(Column::Level2),
            &l2.raw,
            format!(
                "二级指标“{}”不在“{}”的目录中，应为：{}",
                l2.raw,
                level.name,
                level.children.join("、")
            ),
        );
    }
}

fn qualitative_percent(c: &Ctx, s: &mut Sink) {
    for ind in c.form.indicators.iter().filter(|i| is_qualitative(i)) {
        let (cell, raw) = if ind.unit.as_str() == "%" {
            (ind.unit.cell, ind.unit.raw.as_str())
        } else if ind.value_unit.as_deref() == Some("%") {
            (ind.value.cell, ind.value.raw.as_str())
        } else {
            continue;
        };
        s.report(
            "E421",
            cell,
            c.ed.column_title(Column::Unit),
            raw,
            format!("定性指标{}的单位是“%”", which(ind)),
        );
    }
}

fn qualitative_number(c: &Ctx, s: &mut Sink) {
    for ind in c.form.indicators.iter().filter(|i| is_qualitative(i)) {
        if ind.value.value.is_some() {
            s.report(
                "E422",
                ind.value.cell,
                c.ed.column_title(Column::Value),
                &ind.value.raw,
                format!("定性指标{}的指标值“{}”是数字", which(ind), ind.value.raw),
            );
        }
    }
}

fn rate_range(c: &Ctx, s: &mut Sink) {
    let t = &c.ed.thresholds;
    for ind in c
        .form
        .indicators
        .iter()
        .filter(|i| is_comparator(i) && is_rate(i, c.ed))
    {
        let Some(v) = ind.value.value else { continue };
        if v < t.rate_min || v > t.rate_max {
            s.report(
                "E423",
                ind.value.cell,
                c.ed.column_title(Column::Value),
                &ind.value.raw,
                format!(
                    "比率{}的指标值 {} 超出 {}–{} 的范围",
                    which(ind),
                    v.normalize(),
                    t.rate_min,
                    t.rate_max
                ),
            );
        }
    }
}

fn rate_at_least_100(c: &Ctx, s: &mut Sink) {
    let max = c.ed.thresholds.rate_max;
    for ind in c.form.indicators.iter().filter(|i| is_rate(i, c.ed)) {
        let at_least = ind.kind.value == Some(Kind::AtLeast);
        if at_least && ind.value.value == Some(max) {
            s.report(
                "E424",
                ind.kind.cell,
                c.ed.column_title(Column::Kind),
                &ind.kind.raw,
                format!("比率{}写成“≥{}”，应写为“={}”", which(ind), max, max),
            );
            s.fix_last(FixKind::Unsafe, kind_edit(ind, Kind::Equal));
        }
    }
}

fn unit_agrees(c: &Ctx, s: &mut Sink) {
    for ind in &c.form.indicators {
        let (Some(inner), Some(col)) = (ind.value_unit.as_deref(), ind.unit.value.as_deref())
        else {
            continue;
        };
        if c.ed.is_placeholder(col) || norm_label(inner) == norm_label(col) {
            continue;
        }
        s.report(
            "E425",
            ind.value.cell,
            c.ed.column_title(Column::Value),
            &ind.value.raw,
            format!(
                "{}的指标值“{}”带单位“{}”，度量单位却是“{}”",
                which(ind),
                ind.value.raw,
                inner,
                col
            ),
        );
    }
}

fn direction(c: &Ctx, s: &mut Sink) {
    let w = &c.ed.words;
    for ind in c.form.indicators.iter().filter(|i| is_comparator(i)) {
        let name = norm_name(ind.level3.as_str());
        let has = |list: &[String]| list.iter().any(|k| name.contains(norm_name(k).as_str()));
        let Some(kind) = ind.kind.value else { continue };
        let (wanted, ok): (Kind, [Kind; 3]) = if has(&w.want_at_most) {
            (Kind::AtMost, [Kind::AtMost, Kind::Equal, Kind::Less])
        } else if has(&w.want_at_least) {
            (Kind::AtLeast, [Kind::AtLeast, Kind::Equal, Kind::Greater])
        } else {
            continue;
        };
        if !ok.contains(&kind) {
            s.report(
                "E431",
                ind.kind.cell,
                c.ed.column_title(Column::Kind),
                &ind.kind.raw,
                format!(
                    "{}越{}越好，指标值类型应为“{}”或“=”，却是“{}”",
                    which(ind),
                    if wanted == Kind::AtLeast {
                        "高"
                    } else {
                        "低"
                    },
                    wanted,
                    kind
                ),
            );
            s.fix_last(FixKind::Unsafe, kind_edit(ind, wanted));
        }
    }
}

/// Writing `kind` into an indicator's type cell (nothing when the type has no cell).
fn kind_edit(ind: &Indicator, kind: Kind) -> Vec<Edit> {
    ind.kind
        .cell
        .map(|cell| Edit {
            cell,
            value: EditValue::Text(kind.as_str().to_string()),
        })
        .into_iter()
        .collect()
}
