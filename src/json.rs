//! The JSON Lines contract of spec §4: one object per form (one per input file that holds no
//! readable form). Field names and shapes are a
//! contract other programs rely on; change them only with a new contract version.

use crate::finding::Finding;
use crate::form::Form;
use crate::form::budget_key::{BASIC, CONTRACT, FISCAL, OTHER, PROJECT, TOTAL};
use crate::pipeline::Outcome;
use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    /// The sheet the form is on (null when the file holds no readable form).
    sheet: Option<&'a str>,
    edition: &'a str,
    /// The labels that decided the edition (an addition to the spec §4 contract).
    #[serde(skip_serializing_if = "Option::is_none")]
    edition_evidence: Option<&'a [String]>,
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
    /// Only in editions whose tasks carry amounts: by key (total, fiscal, other).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    amounts: IndexMap<&'a str, Option<String>>,
}

#[derive(Serialize)]
struct BudgetJson {
    total: Option<String>,
    fiscal: Option<String>,
    other: Option<String>,
    basic: Option<String>,
    project: Option<String>,
    /// Figures beyond the five of spec §4 (支出合计 of a 收入/支出构成 edition …).
    #[serde(flatten)]
    more: IndexMap<String, Option<String>>,
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
    /// What `jixiao fix` can do about it: "safe", "unsafe" (with --unsafe-fixes), or null.
    fix: Option<&'static str>,
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
                amounts: t
                    .amounts
                    .iter()
                    .map(|(k, a)| (k.as_str(), dec(a.value)))
                    .collect(),
            })
            .collect(),
        budget: BudgetJson {
            total: dec(f.amount(TOTAL)),
            fiscal: dec(f.amount(FISCAL)),
            other: dec(f.amount(OTHER)),
            basic: dec(f.amount(BASIC)),
            project: dec(f.amount(PROJECT)),
            more: f
                .budget
                .iter()
                .filter(|(k, _)| !CONTRACT.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), dec(v.value)))
                .collect(),
        },
        indicators: f
            .indicators
            .iter()
            .map(|i| IndicatorJson {
                level1: i.level1.as_str(),
                level2: i.level2.as_str(),
                level3: i.level3.as_str(),
                kind: i.kind.value.map(|k| k.as_str()),
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
        fix: f.fix.as_ref().map(|x| x.kind.as_str()),
    }
}

/// One JSON Lines record (no trailing newline).
pub fn line(o: &Outcome) -> String {
    let l = Line {
        file: &o.file,
        sheet: o.sheet.as_deref(),
        edition: &o.edition,
        edition_evidence: o.form.as_ref().map(|f| f.edition_evidence.as_slice()),
        status: o.status.as_str(),
        form: o.form.as_ref().map(form_json),
        findings: o.findings.iter().map(finding_json).collect(),
        summary: o.summary(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string(&l).expect("JSON of plain data")
}
