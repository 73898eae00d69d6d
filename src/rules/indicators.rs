//! Indicator rules of the first slice: required columns, known 指标值类型, a number for every
//! comparator.

use super::{Ctx, Rule, Sink};
use crate::finding::Severity;

pub static E401: Rule = Rule {
    code: "E401",
    severity: Severity::Error,
    title: "绩效指标必填项为空",
    hint: "带 * 的栏目每行都要填写；不适用的单位或投入管理指标的评/扣分标准可填“-”",
    check: Some(required_columns),
};

pub static E402: Rule = Rule {
    code: "E402",
    severity: Severity::Error,
    title: "指标值类型无法识别",
    hint: "指标值类型填“定性”或比较符 ≥、≤、=、>、<",
    check: Some(known_kind),
};

pub static E403: Rule = Rule {
    code: "E403",
    severity: Severity::Error,
    title: "定量指标的指标值不是数字",
    hint: "比较符（≥、≤、= 等）后的指标值只填数字，单位写在度量单位栏",
    check: Some(comparator_number),
};

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
        if form
            .indicators
            .iter()
            .all(|i| field(i, key).is_some_and(|f| f.cell.is_none()))
        {
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
            let Some(f) = field(ind, key) else { continue };
            if f.is_blank() {
                let name = ind.level3.value.as_deref().unwrap_or("");
                let which = if name.is_empty() {
                    format!("第 {} 行", ind.row + 1)
                } else {
                    format!("“{name}”")
                };
                s.report(
                    "E401",
                    f.cell,
                    &spec.title,
                    "",
                    format!("{which}的“{}”未填写", spec.title),
                );
            }
        }
    }
}

/// The raw text and cell of an indicator's column, by the edition's column key.
fn field<'a>(i: &'a crate::form::Indicator, key: &str) -> Option<RawField<'a>> {
    let (raw, cell) = match key {
        "level1" => (&i.level1.raw, i.level1.cell),
        "level2" => (&i.level2.raw, i.level2.cell),
        "level3" => (&i.level3.raw, i.level3.cell),
        "kind" => (&i.kind.raw, i.kind.cell),
        "value" => (&i.value.raw, i.value.cell),
        "unit" => (&i.unit.raw, i.unit.cell),
        "criteria" => (&i.criteria.raw, i.criteria.cell),
        "description" => (&i.description.raw, i.description.cell),
        _ => return None,
    };
    Some(RawField { raw, cell })
}

struct RawField<'a> {
    raw: &'a str,
    cell: Option<crate::form::CellRef>,
}

impl RawField<'_> {
    fn is_blank(&self) -> bool {
        self.raw.is_empty()
    }
}

fn known_kind(c: &Ctx, s: &mut Sink) {
    for ind in &c.form.indicators {
        let k = &ind.kind;
        if !k.is_blank() && k.value.is_none() {
            s.report(
                "E402",
                k.cell,
                c.ed.title("kind"),
                &k.raw,
                format!("“{}”的指标值类型“{}”无法识别", ind.level3.as_str(), k.raw),
            );
        }
    }
}

fn comparator_number(c: &Ctx, s: &mut Sink) {
    for ind in &c.form.indicators {
        let is_comparator = ind.kind.value.as_deref().is_some_and(|k| k != "定性");
        let v = &ind.value;
        if is_comparator && !v.is_blank() && v.value.is_none() {
            s.report(
                "E403",
                v.cell,
                c.ed.title("value"),
                &v.raw,
                format!(
                    "“{}”的指标值类型为“{}”，指标值“{}”却不是数字",
                    ind.level3.as_str(),
                    ind.kind.as_str(),
                    v.raw
                ),
            );
        }
    }
}
