//! The JSON Lines contract of spec §4: one object per input file. Field names and shapes are a
//! contract other programs rely on; change them only with a new contract version.

use crate::Outcome;
use crate::finding::Finding;
use crate::form::Form;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    edition: &'a str,
    status: &'a str,
    form: Option<FormJson<'a>>,
    findings: Vec<FindingJson<'a>>,
    summary: crate::finding::Summary,
}

#[derive(Serialize)]
struct FormJson<'a> {
    year: Option<i32>,
    department: Option<&'a str>,
    annual_goal: Option<&'a str>,
    tasks: Vec<TaskJson<'a>>,
    budget: BudgetJson,
    indicators: Vec<IndicatorJson<'a>>,
}

#[derive(Serialize)]
struct TaskJson<'a> {
    name: &'a str,
    content: &'a str,
    /// Only in editions whose tasks carry amounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Option<String>>,
}

#[derive(Serialize)]
struct BudgetJson {
    total: Option<String>,
    fiscal: Option<String>,
    other: Option<String>,
    basic: Option<String>,
    project: Option<String>,
}

#[derive(Serialize)]
struct IndicatorJson<'a> {
    level1: &'a str,
    level2: &'a str,
    level3: &'a str,
    kind: Option<&'a str>,
    value: String,
    unit: String,
    criteria: &'a str,
    description: &'a str,
    cell: Option<String>,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    code: &'a str,
    severity: &'a str,
    sheet: &'a str,
    cell: Option<String>,
    message: &'a str,
    hint: &'a str,
}

fn dec(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.normalize().to_string())
}

fn form_json(f: &Form) -> FormJson<'_> {
    FormJson {
        year: f.year.value,
        department: f.department.value.as_deref(),
        annual_goal: f.annual_goal.value.as_deref(),
        tasks: f
            .tasks
            .iter()
            .map(|t| TaskJson {
                name: t.name.as_str(),
                content: t.content.as_str(),
                amount: t.amount.as_ref().map(|a| dec(a.value)),
            })
            .collect(),
        budget: BudgetJson {
            total: dec(f.amount("total")),
            fiscal: dec(f.amount("fiscal")),
            other: dec(f.amount("other")),
            basic: dec(f.amount("basic")),
            project: dec(f.amount("project")),
        },
        indicators: f
            .indicators
            .iter()
            .map(|i| IndicatorJson {
                level1: i.level1.as_str(),
                level2: i.level2.as_str(),
                level3: i.level3.as_str(),
                kind: i.kind.value.as_deref(),
                value: i.value_text(),
                unit: i.effective_unit().to_string(),
                criteria: i.criteria.as_str(),
                description: i.description.as_str(),
                cell: i.level3.cell.map(|c| c.to_string()),
            })
            .collect(),
    }
}

fn finding_json(f: &Finding) -> FindingJson<'_> {
    FindingJson {
        code: f.code,
        severity: f.severity.as_str(),
        sheet: &f.sheet,
        cell: f.cell.map(|c| c.to_string()),
        message: &f.message,
        hint: &f.hint,
    }
}

/// One JSON Lines record (no trailing newline).
pub fn line(o: &Outcome) -> String {
    let l = Line {
        file: &o.file,
        edition: &o.edition,
        status: o.status.as_str(),
        form: o.form.as_ref().map(form_json),
        findings: o.findings.iter().map(finding_json).collect(),
        summary: o.summary(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string(&l).expect("JSON of plain data")
}
