//! Cells that hold no value to check: error values (#DIV/0!, #REF!) and formulas whose result
//! was never calculated and saved (E011, E012); rows of the indicator table passed over (E903).
//! They supersede every other finding on their cell.

use super::{Ctx, Rule, Sink, on_cell};
use crate::finding::Severity;
use crate::form::CellIssueKind;

pub static E011: Rule = Rule {
    code: "E011",
    severity: Severity::Error,
    title: "单元格显示错误值",
    hint: "修正单元格中的公式或引用，使其显示正确的值",
    check: Some(error_values),
    // The cell shows an error value: nothing else can be said of it until that is fixed.
    supersedes: &[on_cell("*")],
    fix: None,
};

pub static E012: Rule = Rule {
    code: "E012",
    severity: Severity::Error,
    title: "公式没有计算结果",
    hint: "在 Excel 或 WPS 中打开文件，按 F9 重新计算（或确认已开启自动计算）后保存，再检查",
    check: Some(uncalculated),
    // The cell's value was never calculated: whatever else it seems to lack follows from that.
    supersedes: &[on_cell("*")],
    fix: None,
};

pub static E013: Rule = Rule {
    code: "E013",
    severity: Severity::Warning,
    title: "单元格文字超过 Excel 上限",
    hint: "Excel 和 WPS 的单元格最多容纳 32767 个字符：请精简这段文字，或把详细内容另附说明",
    check: Some(too_long),
    supersedes: &[],
    fix: None,
};

fn too_long(c: &Ctx, s: &mut Sink) {
    for i in &c.form.cell_issues {
        if let CellIssueKind::TooLong(n) = i.kind {
            s.report(
                "E013",
                Some(i.cell),
                &i.field,
                "",
                format!(
                    "“{}”有 {n} 个字符，超过单元格上限 32767：生成的工作簿中只保留前 32767 个字符，JSON 中为全文",
                    i.field
                ),
            );
        }
    }
}

pub static E902: Rule = Rule {
    code: "E902",
    severity: Severity::Info,
    title: "已按推断的编码读取文字",
    hint: "无需修改；如文字显示不对，请在 Excel 或 WPS 中另存为 .xlsx 后再检查",
    check: Some(file_notes),
    supersedes: &[],
    fix: None,
};

fn file_notes(c: &Ctx, s: &mut Sink) {
    for n in &c.form.file_notes {
        s.report("E902", None, "文件", "", n.clone());
    }
}

pub static E905: Rule = Rule {
    code: "E905",
    severity: Severity::Info,
    title: "批注副本中部分公式改为计算结果",
    hint: "无需修改；这些公式是 ods 特有的写法，Excel 中没有对应写法，批注副本只保留了计算结果",
    check: Some(unkept_formulas),
    supersedes: &[],
    fix: None,
};

fn unkept_formulas(c: &Ctx, s: &mut Sink) {
    let cells = &c.form.unkept_formulas;
    if let Some(first) = cells.first() {
        let listed: Vec<String> = cells.iter().take(20).map(|c| c.to_string()).collect();
        let more = if cells.len() > 20 { " 等" } else { "" };
        s.report(
            "E905",
            Some(*first),
            "公式",
            "",
            format!(
                "{} 个单元格的公式在 Excel 中没有对应写法，批注副本中保留其计算结果：{}{more}",
                cells.len(),
                listed.join("、")
            ),
        );
    }
}

pub static E903: Rule = Rule {
    code: "E903",
    severity: Severity::Info,
    title: "已跳过非指标行",
    hint: "无需修改；如果这一行本应是一个指标，请补全三级指标、指标值类型和指标值",
    check: Some(skipped_rows),
    supersedes: &[],
    fix: None,
};

fn error_values(c: &Ctx, s: &mut Sink) {
    for i in &c.form.cell_issues {
        if let CellIssueKind::ErrorValue(e) = &i.kind {
            s.report(
                "E011",
                Some(i.cell),
                &i.field,
                e,
                format!("“{}”显示错误值 {e}", i.field),
            );
        }
    }
}

fn uncalculated(c: &Ctx, s: &mut Sink) {
    for i in &c.form.cell_issues {
        if i.kind == CellIssueKind::FormulaWithoutValue {
            s.report(
                "E012",
                Some(i.cell),
                &i.field,
                "",
                format!("“{}”是公式，但文件中没有保存计算结果", i.field),
            );
        }
    }
}

fn skipped_rows(c: &Ctx, s: &mut Sink) {
    for k in &c.form.skipped {
        s.report("E903", Some(k.cell), "绩效指标", "", k.reason.clone());
    }
}
