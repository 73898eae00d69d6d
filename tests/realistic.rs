//! Realistic workbooks (tests/realistic/, made by tests/realistic/make.py with openpyxl and
//! saved by LibreOffice as xlsx, xls and ods): sibling editions, messy layouts and cells as
//! people type them. Each NAME.expect lists its files, every finding (code and cell, exactly)
//! and JSON pointers the record must hold; `expect.xls …` and `json.xls …` lines apply to one
//! format only.
//! The editions are detected, as on the command line. The rendered text of every finding is
//! snapshotted per file (tests/snapshots/realistic__NAME.snap).

mod common;

use common::expect::Expected;
use jixiao::edition::Edition;
use std::path::Path;

fn check(dir: &Path, expect_file: &Path, eds: &[Edition]) -> Result<usize, String> {
    let text = std::fs::read_to_string(expect_file).map_err(|e| e.to_string())?;
    let mut files: Vec<String> = Vec::new();
    let mut common = Expected::default();
    let mut per_format: Vec<(String, String)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || common.take_line(line) {
            continue;
        }
        if let Some(f) = line.strip_prefix("files ") {
            files = f.split_whitespace().map(String::from).collect();
        } else if let Some(rest) = line.strip_prefix("expect.") {
            let (ext, finding) = rest.split_once(' ').expect("expect.EXT CODE CELL");
            per_format.push((ext.to_string(), format!("expect {finding}")));
        } else if let Some(rest) = line.strip_prefix("json.") {
            let (ext, check) = rest.split_once(' ').expect("json.EXT POINTER = VALUE");
            per_format.push((ext.to_string(), format!("json {check}")));
        } else {
            return Err(format!("unknown line: {line}"));
        }
    }
    let mut problems = Vec::new();
    for f in &files {
        let ext = f.rsplit('.').next().unwrap_or_default();
        let mut expected = Expected {
            findings: common.findings.clone(),
            json: common.json.clone(),
        };
        for (e, line) in &per_format {
            if e == ext {
                expected.take_line(line);
            }
        }
        let bytes = std::fs::read(dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
        let outcome = jixiao::check_bytes_with(f, &bytes, eds, &Default::default());
        // The rendered text of every finding (message and hint), snapshotted per file.
        let rendered: Vec<String> = outcome
            .iter()
            .flat_map(|o| o.findings.iter().map(|x| x.line()))
            .collect();
        insta::assert_snapshot!(f.replace('.', "_"), rendered.join("\n"));
        if let Err(e) = expected.verify(&outcome) {
            problems.push(format!("{f}:\n{e}"));
        }
    }
    if problems.is_empty() {
        Ok(files.len())
    } else {
        Err(problems.join("\n\n"))
    }
}

#[test]
fn realistic_workbooks_read_to_the_right_form() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realistic");
    let eds = Edition::embedded();
    let mut expects: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "expect"))
        .collect();
    expects.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in &expects {
        match check(&dir, p, &eds) {
            Ok(n) => checked += n,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every workbook in the folder is covered by an expect file.
    let listed: String = expects
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if [".xlsx", ".xls", ".ods"].iter().any(|x| name.ends_with(x)) {
            assert!(listed.contains(&name), "{name} has no expect file");
        }
    }
    assert!(checked >= 15);
}
