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

use common::expect::{Expected, codes};
use common::formspec::{FormSpec, corrected_seed, faithful_seed};
use jixiao::edition::Edition;
use std::collections::BTreeSet;
use std::path::Path;

struct Case {
    spec: FormSpec,
    /// The edition TOML the case runs with (the embedded one, possibly edited).
    edition: String,
    expected: Expected,
}

fn parse_case(text: &str) -> Case {
    let mut spec = corrected_seed();
    let mut expected = Expected::default();
    let mut edition = jixiao::edition::BUILTIN_2022.to_string();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || expected.take_line(line) {
            continue;
        }
        if let Some(b) = line.strip_prefix("base ") {
            spec = match b.trim() {
                "faithful" => faithful_seed(),
                "corrected" => corrected_seed(),
                other => panic!("unknown base {other}"),
            };
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
        } else {
            spec.apply(line);
        }
    }
    Case {
        spec,
        edition,
        expected,
    }
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case = parse_case(&text);
    let bytes = case.spec.to_xlsx().map_err(|e| e.to_string())?;
    let ed = Edition::parse(&case.edition, "case edition").map_err(|e| e.to_string())?;
    let outcome = jixiao::check_bytes("case.xlsx", &bytes, &ed);
    case.expected.verify(&outcome)
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
    for p in &paths {
        if let Err(e) = run_case(p) {
            failures.push(format!(
                "{}:\n{e}",
                p.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every rule a form can trigger is shown by at least one rule case or realistic workbook
/// (E001/E002 are file-level and covered by the end-to-end tests and the corpus).
#[test]
fn every_code_is_produced_somewhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut produced = BTreeSet::new();
    for (dir, ext) in [("cases", "case"), ("realistic", "expect")] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == ext) {
                produced.extend(codes(&std::fs::read_to_string(p).unwrap()));
            }
        }
    }
    for r in jixiao::rules::RULES.iter().filter(|r| r.check.is_some()) {
        assert!(
            produced.contains(r.code),
            "no case or realistic workbook produces {}",
            r.code
        );
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
