//! Findings about the file itself: it could not be read, or holds no form. These are produced
//! by the reader and locator, not by a check over a form, so their `check` is `None`.

use super::{Ctx, Rule, Sink};
use crate::finding::{Finding, Severity};

pub static E001: Rule = Rule {
    code: "E001",
    severity: Severity::Error,
    title: "文件无法读取",
    hint: "确认文件是 Excel/WPS 保存的 .xlsx、.xls 或 .ods 工作簿且未加密、未损坏",
    check: None,
    supersedes: &[],
    fix: None,
};

pub static E002: Rule = Rule {
    code: "E002",
    severity: Severity::Error,
    title: "未找到申报表",
    hint: "确认选对了文件，且申报表的栏目名称（如“部门（单位）名称”“三级指标”）未被改动",
    check: None,
    supersedes: &[],
    fix: None,
};

pub static E003: Rule = Rule {
    code: "E003",
    severity: Severity::Warning,
    title: "工作簿中有同一张申报表的副本",
    hint: "删除多余的副本工作表（或将其隐藏），工作簿中每个单位只保留一张申报表",
    check: Some(copies),
    supersedes: &[],
    fix: None,
};

fn copies(c: &Ctx, s: &mut Sink) {
    for (sheet, cell) in &c.form.copies {
        s.report_on(
            "E003",
            sheet,
            Some(*cell),
            "工作表",
            sheet,
            format!(
                "工作表“{sheet}”是工作表“{}”中申报表的副本（部门和内容相同），只检查了一次",
                c.form.sheet
            ),
        );
    }
}

fn file_finding(rule: &Rule, message: String) -> Finding {
    Finding {
        code: rule.code,
        severity: rule.severity,
        sheet: String::new(),
        cell: None,
        field: String::new(),
        original: String::new(),
        message,
        hint: rule.hint.to_string(),
        group: None,
        fix: None,
    }
}

/// The finding for a file that could not be read.
pub fn unreadable(reason: &str) -> Finding {
    file_finding(&E001, format!("无法读取：{reason}"))
}

/// The finding for a workbook with no recognisable form.
pub fn not_a_form(reason: &str) -> Finding {
    file_finding(&E002, reason.to_string())
}
