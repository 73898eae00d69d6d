//! Checking an outcome against written expectations: every finding as (code, cell), exactly,
//! and JSON pointers into the `check --format json` record. Shared by the rule cases
//! (tests/cases/*.case) and the realistic workbooks (tests/realistic/*.expect).

use std::collections::BTreeSet;

/// What a case or workbook must give.
#[derive(Default)]
pub struct Expected {
    /// (code, cell) of every finding; cell "-" for none.
    pub findings: BTreeSet<(String, String)>,
    /// JSON pointer and the value it must hold.
    pub json: Vec<(String, serde_json::Value)>,
}

impl Expected {
    /// Takes an `expect CODE CELL` or `json POINTER = VALUE` line; false for other lines.
    pub fn take_line(&mut self, line: &str) -> bool {
        if let Some(e) = line.strip_prefix("expect ") {
            let mut p = e.split_whitespace();
            let code = p.next().expect("code").to_string();
            let cell = p.next().expect("cell").to_string();
            self.findings.insert((code, cell));
            true
        } else if let Some(j) = line.strip_prefix("json ") {
            let (ptr, val) = j.split_once(" = ").expect("json POINTER = VALUE");
            let val = serde_json::from_str(val.trim()).expect("json value");
            self.json.push((ptr.trim().to_string(), val));
            true
        } else {
            false
        }
    }

    /// Compares an outcome; the error lists every difference.
    pub fn verify(&self, outcome: &jixiao::Outcome) -> Result<(), String> {
        let got: BTreeSet<(String, String)> = outcome
            .findings
            .iter()
            .map(|f| {
                let cell = f.cell.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
                (f.code.to_string(), cell)
            })
            .collect();
        let mut problems = Vec::new();
        if got != self.findings {
            let lines: Vec<String> = outcome.findings.iter().map(|f| f.line()).collect();
            problems.push(format!(
                "findings differ\n  missing:    {:?}\n  unexpected: {:?}\n  {}",
                self.findings.difference(&got).collect::<Vec<_>>(),
                got.difference(&self.findings).collect::<Vec<_>>(),
                lines.join("\n  ")
            ));
        }
        if outcome.findings.len() != got.len() {
            problems.push(format!(
                "one problem must give one finding: {} findings at {} distinct (code, cell)",
                outcome.findings.len(),
                got.len()
            ));
        }
        let record: serde_json::Value =
            serde_json::from_str(&jixiao::json::line(outcome)).map_err(|e| e.to_string())?;
        for (ptr, want) in &self.json {
            match record.pointer(ptr) {
                Some(v) if v == want => {}
                other => problems.push(format!("json {ptr}: expected {want}, got {other:?}")),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }
}

/// The codes named by `expect` lines (any `expect…` form) of a text.
pub fn codes(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            l.starts_with("expect")
                .then(|| l.split_whitespace().nth(1).map(str::to_string))
                .flatten()
        })
        .collect()
}
