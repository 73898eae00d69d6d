//! Rule cases: each tests/cases/*.case is a base form plus a few edits (the language of
//! tests/common/formspec.rs), turned into a real xlsx, read back through the real reader, and
//! checked against its `expect` lines (every finding, code and cell, exactly) and `json` lines
//! (a JSON pointer into the `check --format json` record and the value it must hold).
//!
//! A case file:
//!   # what the case shows
//!   base corrected            (or: base faithful; corrected is the default)
//!   set budget.total = 300
//!   expect E303 D14           (cell on the form's sheet; "-" for no cell)
//!   json /form/budget/total = "300"
//!   edition "rate_max = \"100\"" => "rate_max = \"300\""   (edit the edition file's text)

mod common;

use common::formspec::{FormSpec, corrected_seed, faithful_seed};
use jixiao::edition::Edition;
use std::collections::BTreeSet;
use std::path::Path;

struct Case {
    spec: FormSpec,
    /// The edition TOML the case runs with (the embedded one, possibly edited).
    edition: String,
    expect: BTreeSet<(String, String)>,
    json: Vec<(String, serde_json::Value)>,
}

fn parse_case(text: &str) -> Case {
    let mut spec = corrected_seed();
    let mut expect = BTreeSet::new();
    let mut json = Vec::new();
    let mut edition = jixiao::edition::BUILTIN_2022.to_string();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(b) = line.strip_prefix("base ") {
            spec = match b.trim() {
                "faithful" => faithful_seed(),
                "corrected" => corrected_seed(),
                other => panic!("unknown base {other}"),
            };
        } else if let Some(e) = line.strip_prefix("expect ") {
            let mut p = e.split_whitespace();
            let code = p.next().expect("code").to_string();
            let cell = p.next().expect("cell").to_string();
            expect.insert((code, cell));
        } else if let Some(e) = line.strip_prefix("edition ") {
            // edition "FIND" => "REPLACE": edit the edition file's text, as a finance department would.
            let (find, replace) = e
                .split_once(" => ")
                .expect("edition \"FIND\" => \"REPLACE\"");
            let unquote =
                |s: &str| -> String { serde_json::from_str(s.trim()).expect("a JSON string") };
            let (find, replace) = (unquote(find), unquote(replace));
            assert!(edition.contains(&find), "edition text has no {find:?}");
            edition = edition.replacen(&find, &replace, 1);
        } else if let Some(j) = line.strip_prefix("json ") {
            let (ptr, val) = j.split_once(" = ").expect("json POINTER = VALUE");
            let val = serde_json::from_str(val.trim()).expect("json value");
            json.push((ptr.trim().to_string(), val));
        } else {
            spec.apply(line);
        }
    }
    Case {
        spec,
        edition,
        expect,
        json,
    }
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case = parse_case(&text);
    let bytes = case.spec.to_xlsx().map_err(|e| e.to_string())?;
    let ed = Edition::parse(&case.edition, "case edition").map_err(|e| e.to_string())?;
    let outcome = jixiao::check_bytes("case.xlsx", &bytes, &ed);
    let got: BTreeSet<(String, String)> = outcome
        .findings
        .iter()
        .map(|f| {
            let cell = f.cell.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
            (f.code.to_string(), cell)
        })
        .collect();
    let mut problems = Vec::new();
    if got != case.expect {
        let lines: Vec<String> = outcome.findings.iter().map(|f| f.line()).collect();
        problems.push(format!(
            "findings differ\n  expected: {:?}\n  got:      {:?}\n  {}",
            case.expect,
            got,
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
        serde_json::from_str(&jixiao::json::line(&outcome)).map_err(|e| e.to_string())?;
    for (ptr, want) in &case.json {
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

#[test]
fn rule_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "expected the case files, found {}",
        paths.len()
    );
    let mut failures = Vec::new();
    let mut produced = BTreeSet::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).unwrap();
        for line in text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("expect "))
        {
            produced.insert(line.split_whitespace().next().unwrap().to_string());
        }
        if let Err(e) = run_case(p) {
            failures.push(format!(
                "{}:\n{e}",
                p.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every rule a form can trigger is shown by at least one case (E001/E002 are file-level and
    // covered by the end-to-end tests).
    for r in jixiao::rules::RULES.iter().filter(|r| r.check.is_some()) {
        assert!(produced.contains(r.code), "no case produces {}", r.code);
    }
}

/// samples/*.xlsx are exactly what `cargo run --example make_samples` writes from the seed data.
#[test]
fn samples_match_their_source() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for (name, spec) in [
        ("seed-2022.xlsx", faithful_seed()),
        ("seed-2022-corrected.xlsx", corrected_seed()),
    ] {
        let committed = std::fs::read(dir.join(name)).unwrap();
        assert!(
            committed == spec.to_xlsx().unwrap(),
            "samples/{name} is stale: run `cargo run --example make_samples`"
        );
    }
}
