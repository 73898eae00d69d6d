//! The typed form: what the locator found, every value with the input cell it came from.
//! Rules and writers see only this, never calamine. It holds no judgement.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use std::fmt;

/// An absolute, 0-based cell position on the form's sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellRef {
    pub row: u32,
    pub col: u32,
}

impl CellRef {
    pub fn new(row: u32, col: u32) -> CellRef {
        CellRef { row, col }
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&a1(self.row, self.col))
    }
}

/// A1 notation for an absolute 0-based position.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", col_name(col), row + 1)
}

/// Column letters for a 0-based column (0 → A, 26 → AA).
pub fn col_name(col: u32) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A value found on the form: the text as shown, the parsed value when it could be read, and the
/// cell where it is (or, when blank, where it should be typed).
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    /// The cell's text as shown, trimmed at the ends.
    pub raw: String,
    /// The parsed value, `None` when blank or unreadable.
    pub value: Option<T>,
    /// The input cell; `None` when the form has no place for it (its label is missing).
    pub cell: Option<CellRef>,
}

impl<T> Field<T> {
    /// A field with no label on the form.
    pub fn absent() -> Field<T> {
        Field {
            raw: String::new(),
            value: None,
            cell: None,
        }
    }

    /// Nothing typed.
    pub fn is_blank(&self) -> bool {
        self.raw.is_empty()
    }
}

impl Field<String> {
    /// A text field: the value is the trimmed text, `None` when blank.
    pub fn text(raw: String, cell: Option<CellRef>) -> Field<String> {
        let value = (!raw.is_empty()).then(|| raw.clone());
        Field { raw, value, cell }
    }

    /// The text, empty when blank.
    pub fn as_str(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }
}

/// A 指标值类型, normalised: 定性, or a comparator for a quantitative target. `Quantitative`
/// is 定量 whose comparator could not be read from the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
pub enum Kind {
    #[serde(rename = "定性")]
    Qualitative,
    #[serde(rename = "定量")]
    Quantitative,
    #[serde(rename = "≥")]
    AtLeast,
    #[serde(rename = "≤")]
    AtMost,
    #[serde(rename = "=")]
    Equal,
    #[serde(rename = ">")]
    Greater,
    #[serde(rename = "<")]
    Less,
}

impl Kind {
    /// As the form and the JSON write it: 定性, 定量, ≥, ≤, =, >, <.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Qualitative => "定性",
            Kind::Quantitative => "定量",
            Kind::AtLeast => "≥",
            Kind::AtMost => "≤",
            Kind::Equal => "=",
            Kind::Greater => ">",
            Kind::Less => "<",
        }
    }

    /// A quantitative target (every kind but 定性): its value must be a number.
    pub fn is_quantitative(self) -> bool {
        self != Kind::Qualitative
    }

    /// A comparator proper (≥ ≤ = > <).
    pub fn is_comparator(self) -> bool {
        !matches!(self, Kind::Qualitative | Kind::Quantitative)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The indicator table's columns, in the order of the standardized output. An edition names
/// each (`[columns.level1]` …) with its title and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Level1,
    Level2,
    Level3,
    Kind,
    Value,
    Unit,
    Criteria,
    Description,
}

impl Column {
    /// Every column, in output order.
    pub const ALL: [Column; 8] = [
        Column::Level1,
        Column::Level2,
        Column::Level3,
        Column::Kind,
        Column::Value,
        Column::Unit,
        Column::Criteria,
        Column::Description,
    ];

    /// The key edition files use (`level1` …).
    pub fn key(self) -> &'static str {
        match self {
            Column::Level1 => "level1",
            Column::Level2 => "level2",
            Column::Level3 => "level3",
            Column::Kind => "kind",
            Column::Value => "value",
            Column::Unit => "unit",
            Column::Criteria => "criteria",
            Column::Description => "description",
        }
    }
}

/// The budget figures' keys that rules and the JSON rely on. An edition names each it has
/// (`[budget.total]` …) with its title and labels, and may add others, which are read, shown
/// and reconciled where a rule knows them.
pub mod budget_key {
    /// 部门预算总额 (or 收入合计 where income and expense are separate). Every edition has it.
    pub const TOTAL: &str = "total";
    /// 财政性资金 / 财政拨款. Every edition has it; total = fiscal + other.
    pub const FISCAL: &str = "fiscal";
    /// 其他资金. Every edition has it.
    pub const OTHER: &str = "other";
    /// 基本支出: with `PROJECT`, the structure; total (or expense total) = basic + project.
    pub const BASIC: &str = "basic";
    /// 项目支出.
    pub const PROJECT: &str = "project";
    /// 支出合计, in editions with 收入构成 / 支出构成: equals the income total.
    pub const EXPENSE_TOTAL: &str = "expense_total";
    /// The five keys of the JSON contract (spec §4), in its order.
    pub const CONTRACT: [&str; 5] = [TOTAL, FISCAL, OTHER, BASIC, PROJECT];
}

/// One 年度主要任务 row.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub name: Field<String>,
    pub content: Field<String>,
    /// The task's amounts in 万元 by the edition's task-amount keys (总额, 财政拨款 …), for the
    /// amount columns the form has.
    pub amounts: IndexMap<String, Field<Decimal>>,
}

/// One 三级指标 row.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// The input row (0-based).
    pub row: u32,
    /// 一级, filled down over merged or blank cells (the cell is where the name stands).
    pub level1: Field<String>,
    /// 二级, filled down likewise.
    pub level2: Field<String>,
    pub level3: Field<String>,
    /// 指标值类型: `value` is the normalised kind when recognised.
    pub kind: Field<Kind>,
    /// 指标值: `value` is the number when one could be read; `raw` keeps the word for 定性.
    pub value: Field<Decimal>,
    /// A unit that rode in the value cell ("90%" → "%", "28.8万元" → "万元", or a % format).
    pub value_unit: Option<String>,
    /// A comparator typed inside the value ("≥90").
    pub value_comparator: Option<String>,
    /// 度量单位 column (absent in editions without it).
    pub unit: Field<String>,
    pub criteria: Field<String>,
    pub description: Field<String>,
}

impl Indicator {
    /// The unit that applies: the unit column, else the unit typed in the value.
    pub fn effective_unit(&self) -> &str {
        match self.unit.value.as_deref() {
            Some(u) if u != "-" => u,
            _ => self.value_unit.as_deref().unwrap_or(""),
        }
    }

    /// The value as the standardized output shows it: the number for a comparator, else the word.
    pub fn value_text(&self) -> String {
        match (self.kind.value, &self.value.value) {
            (Some(k), Some(n)) if k.is_quantitative() => n.normalize().to_string(),
            _ => self.value.raw.clone(),
        }
    }

    /// The kind as the standardized output writes it: normalised, else as typed.
    pub fn kind_text(&self) -> &str {
        self.kind.value.map(Kind::as_str).unwrap_or(&self.kind.raw)
    }
}

/// An automatic change made while reading, reported so nothing changes silently.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalization {
    pub cell: CellRef,
    /// The field's name as the form shows it.
    pub field: String,
    pub before: String,
    pub after: String,
    /// What was done, in Chinese ("全角转半角" …).
    pub what: String,
    /// The cells that would write what was read, when that cannot change the form's meaning
    /// (`jixiao fix` applies them); empty when it could.
    pub edits: Vec<crate::finding::Edit>,
}

/// The form as found on one sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// The sheet the form was found on.
    pub sheet: String,
    /// The labels that identified the form, as found.
    pub matched_labels: Vec<String>,
    /// The labels that decided the edition (found for it and not for the next best one).
    pub edition_evidence: Vec<String>,
    pub year: Field<i32>,
    /// Where the year came from when the title and year line have none (a 填报日期, the years
    /// of a prior-years block), in Chinese; `None` when read from the title or a year line.
    pub year_source: Option<String>,
    pub department: Field<String>,
    pub annual_goal: Field<String>,
    /// Where the task block is (its label or header), for findings about the block.
    pub tasks_anchor: Option<CellRef>,
    pub tasks: Vec<Task>,
    /// The amounts of the tasks' 合计 row, when there is one.
    pub tasks_total: IndexMap<String, Field<Decimal>>,
    /// Where the budget block is.
    pub budget_anchor: Option<CellRef>,
    /// Budget figures by the edition's keys (total, fiscal, other, basic, project); a key is
    /// present only when its label was found on the form.
    pub budget: IndexMap<String, Field<Decimal>>,
    /// Each budget figure's 占比 (a percentage), where the edition has a share column.
    pub budget_shares: IndexMap<String, Field<Decimal>>,
    /// Columns right of the 占比 column (prior years' figures): kept for the output, not checked.
    pub budget_extra: Vec<ExtraColumn>,
    /// Header fields beyond department, year and goal, by the edition's keys; present when the
    /// edition asks for them (the cell is `None` when the label is missing).
    pub extra: IndexMap<String, Field<String>>,
    /// Where the indicator table header is.
    pub indicators_anchor: Option<CellRef>,
    pub indicators: Vec<Indicator>,
    pub normalizations: Vec<Normalization>,
    /// Cells whose value could not be read as the user sees it (error values, formulas never
    /// calculated).
    pub cell_issues: Vec<CellIssue>,
    /// Rows of the indicator table passed over, and why.
    pub skipped: Vec<Skipped>,
    /// What the reader decided about the whole file (its text encoding …).
    pub file_notes: Vec<String>,
    /// Cells of the form's sheet whose formula has no Excel equivalent (an ods's): a copy
    /// keeps their values.
    pub unkept_formulas: Vec<CellRef>,
    /// Other visible sheets holding a second copy of this same form (same department, same
    /// content): the sheet and its department cell. They are not checked as forms of their own.
    pub copies: Vec<(String, CellRef)>,
}

/// A budget column kept as found: its header and each figure's value in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraColumn {
    pub title: String,
    pub values: IndexMap<String, Field<Decimal>>,
}

/// A cell whose content is not a value.
#[derive(Debug, Clone, PartialEq)]
pub struct CellIssue {
    pub cell: CellRef,
    pub field: String,
    pub kind: CellIssueKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CellIssueKind {
    /// An error value such as #DIV/0! or #REF!.
    ErrorValue(String),
    /// A formula whose result was never calculated and saved.
    FormulaWithoutValue,
    /// Text longer than an Excel cell holds (32,767 characters): its length in characters.
    TooLong(usize),
}

/// A row of the indicator table that was not read as an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub cell: CellRef,
    /// Why, in Chinese.
    pub reason: String,
}

impl Form {
    /// A budget figure's value, if its label was found and a number was read.
    pub fn amount(&self, key: &str) -> Option<Decimal> {
        self.budget.get(key).and_then(|f| f.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(22, 4), "E23");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(16383), "XFD");
    }
}
