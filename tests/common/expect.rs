//! Checking an outcome against written expectations: every finding as (code, cell), exactly,
//! and JSON pointers into the `check --format json` record. Shared by the rule cases
//! (tests/cases/*.case) and the realistic workbooks (tests/realistic/*.expect).

use std::collections::BTreeSet;

/// What a case or workbook must give.
#[derive(Default)]
pub struct Expected {
    /// (code, cell) of every finding of every form; cell "-" for none, "Sheet!A1" for a cell on
    /// another sheet than the first form's.
    pub findings: BTreeSet<(String, String)>,
    /// Which record (0 = the first form), JSON pointer, and the value it must hold.
    pub json: Vec<(usize, String, serde_json::Value)>,
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
        } else if let Some(j) = line
            .strip_prefix("json")
            .filter(|j| j.starts_with(' ') || j.starts_with('['))
        {
            // `json /ptr = v` for the first record, `json[N] /ptr = v` for record N.
            let (record, j) = match j.strip_prefix('[') {
                Some(rest) => {
                    let (n, rest) = rest.split_once(']').expect("json[N]");
                    (n.parse().expect("record number"), rest)
                }
                None => (0, j),
            };
            let (ptr, val) = j.split_once(" = ").expect("json POINTER = VALUE");
            let val = serde_json::from_str(val.trim()).expect("json value");
            self.json.push((record, ptr.trim().to_string(), val));
            true
        } else {
            false
        }
    }

    /// Compares the outcomes of one file; the error lists every difference.
    pub fn verify(&self, outcomes: &[jixiao::Outcome]) -> Result<(), String> {
        let main_sheet = outcomes
            .first()
            .and_then(|o| o.sheet.clone())
            .unwrap_or_default();
        let all: Vec<&jixiao::finding::Finding> =
            outcomes.iter().flat_map(|o| o.findings.iter()).collect();
        let got: BTreeSet<(String, String)> = all
            .iter()
            .map(|f| {
                let cell = match f.cell {
                    None => "-".to_string(),
                    Some(c) if f.sheet == main_sheet || f.sheet.is_empty() => c.to_string(),
                    Some(c) => format!("{}!{c}", f.sheet),
                };
                (f.code.to_string(), cell)
            })
            .collect();
        let mut problems = Vec::new();
        if got != self.findings {
            let lines: Vec<String> = all.iter().map(|f| f.line()).collect();
            problems.push(format!(
                "findings differ\n  missing:    {:?}\n  unexpected: {:?}\n  {}",
                self.findings.difference(&got).collect::<Vec<_>>(),
                got.difference(&self.findings).collect::<Vec<_>>(),
                lines.join("\n  ")
            ));
        }
        if all.len() != got.len() {
            problems.push(format!(
                "one problem must give one finding: {} findings at {} distinct (code, cell)",
                all.len(),
                got.len()
            ));
        }
        let records: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|o| serde_json::from_str(&jixiao::json::line(o)).expect("a JSON record"))
            .collect();
        for (n, ptr, want) in &self.json {
            match records.get(*n).and_then(|r| r.pointer(ptr)) {
                Some(v) if v == want => {}
                other => problems.push(format!("json[{n}] {ptr}: expected {want}, got {other:?}")),
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
