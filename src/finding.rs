//! Findings: what a rule reports, and the one formatter that renders them for the terminal, the
//! report sheet and tests. Owns wording of severities and the sort order; not the rules.

use crate::form::CellRef;
use serde::Serialize;

/// How serious a finding is. Ordered from most to least serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// The Chinese word staff see: 错误 / 警告 / 提示.
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }

    /// The JSON word: error / warning / info.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// 0 for 错误, 1 for 警告, 2 for 提示: an index into per-severity colours.
    pub fn rank(self) -> usize {
        self as usize
    }

    /// Reads "error" | "warning" | "info" (or the Chinese words); `None` for anything else.
    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim() {
            "error" | "错误" => Some(Severity::Error),
            "warning" | "警告" => Some(Severity::Warning),
            "info" | "提示" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// One problem, pointing at the input cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable rule code (E302 …).
    pub code: &'static str,
    pub severity: Severity,
    /// The input sheet the cell is on.
    pub sheet: String,
    /// The input cell; `None` only when no cell applies.
    pub cell: Option<CellRef>,
    /// The field's name as the form shows it.
    pub field: String,
    /// The value as typed (empty when blank).
    pub original: String,
    /// One Chinese line that makes sense alone.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// What findings of one code that say the same thing share (e.g. "“定量”按“=”读取"), so a
    /// terminal can fold them into one line; `None` when each stands alone.
    pub group: Option<String>,
    /// How `jixiao fix` would remove it, when it can.
    pub fix: Option<Fix>,
}

/// How sure a fix is: safe ones cannot change what the form means and `jixiao fix` applies them;
/// unsafe ones are what a reviewer would ask for but change a declared target or type, and need
/// `--unsafe-fixes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FixKind {
    Safe,
    Unsafe,
}

impl FixKind {
    /// The JSON word.
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
        }
    }

    /// The Chinese words the terminal and the rule list use.
    pub fn zh(self) -> &'static str {
        match self {
            FixKind::Safe => "可自动修正",
            FixKind::Unsafe => "可自动修正（需 --unsafe-fixes）",
        }
    }
}

/// The cells a fix writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub kind: FixKind,
    pub edits: Vec<Edit>,
}

/// One cell written by a fix, on the finding's sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub cell: CellRef,
    pub value: EditValue,
}

/// What a fix writes into a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditValue {
    Number(rust_decimal::Decimal),
    Text(String),
}

impl std::fmt::Display for EditValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditValue::Number(n) => write!(f, "{}", n.normalize()),
            EditValue::Text(t) => write!(f, "“{t}”"),
        }
    }
}

impl Finding {
    /// `sheet!A1`, or just the sheet when no cell applies.
    pub fn location(&self) -> String {
        match self.cell {
            Some(c) if !self.sheet.is_empty() => format!("{}!{}", self.sheet, c),
            Some(c) => c.to_string(),
            None => self.sheet.clone(),
        }
    }

    /// The terminal line: `申报表!E23: 错误[E401] …（建议：…）`.
    pub fn line(&self) -> String {
        format!("{}（建议：{}）", self.line_without_hint(), self.hint)
    }

    /// The terminal line without the hint (for a code whose hint was already shown).
    pub fn line_without_hint(&self) -> String {
        let loc = self.location();
        let loc = if loc.is_empty() {
            String::new()
        } else {
            format!("{loc}: ")
        };
        format!(
            "{loc}{}[{}] {}",
            self.severity.zh(),
            self.code,
            self.message
        )
    }
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    /// "共 3 条：错误 1 条，警告 2 条，提示 0 条".
    pub fn line(&self) -> String {
        format!(
            "共 {} 条：错误 {} 条，警告 {} 条，提示 {} 条",
            self.errors + self.warnings + self.infos,
            self.errors,
            self.warnings,
            self.infos
        )
    }
}

/// Sorts findings the way staff read a sheet: top to bottom, left to right, then by code.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.cell.map(|c| (c.row, c.col)), a.code, &a.message).cmp(&(
            b.cell.map(|c| (c.row, c.col)),
            b.code,
            &b.message,
        ))
    });
}
