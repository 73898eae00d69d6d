//! Findings about the file itself: it could not be read, or holds no form. These are produced
//! by the reader and locator, not by a check over a form, so their `check` is `None`.

use super::Rule;
use crate::finding::{Finding, Severity};

pub static E001: Rule = Rule {
    code: "E001",
    severity: Severity::Error,
    title: "文件无法读取",
    hint: "确认文件是 Excel/WPS 保存的 .xlsx、.xls 或 .ods 工作簿且未加密、未损坏",
    check: None,
};

pub static E002: Rule = Rule {
    code: "E002",
    severity: Severity::Error,
    title: "未找到申报表",
    hint: "确认选对了文件，且申报表的栏目名称（如“部门（单位）名称”“三级指标”）未被改动",
    check: None,
};

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
