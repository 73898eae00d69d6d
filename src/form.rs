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
        f.write_str(&crate::workbook::a1(self.row, self.col))
    }
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
    /// 指标值类型: `value` is the normalised kind (定性, ≥, ≤, =, >, <) when recognised.
    pub kind: Field<String>,
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
        match (&self.kind.value, &self.value.value) {
            (Some(k), Some(n)) if k != "定性" => n.normalize().to_string(),
            _ => self.value.raw.clone(),
        }
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
