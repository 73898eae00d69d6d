//! The one core function: every door calls `jixiao::process` and adds only its own part. These
//! tests keep it that way — no door writes the read → locate → rules → write sequence again —
//! and show that the core, called directly, gives exactly what the command line writes (the same
//! JSON and the same output bytes) on every sample and corpus file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The calls that make up the pipeline; only src/pipeline.rs may make them.
const PIPELINE_STEPS: [&str; 6] = [
    "workbook::read",
    "locate::locate",
    "rules::run",
    "report::standard_workbook",
    "patch::annotate",
    "check_workbook",
];

#[test]
fn no_door_repeats_the_pipeline() {
    let mut doors: Vec<PathBuf> = vec![
        root().join("src/main.rs"),
        root().join("fuzz/fuzz_targets/read_check_write.rs"),
        root().join("tests/mutations.rs"),
    ];
    // Every other door added later lives under these folders.
    for dir in ["src/bin", "src/cli", "web/src"] {
        if let Ok(entries) = std::fs::read_dir(root().join(dir)) {
            doors.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    let mut found = Vec::new();
    for door in &doors {
        if door.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(door).unwrap();
        for step in PIPELINE_STEPS {
            if text.contains(step) {
                found.push(format!("{} calls {step}", door.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "doors must call jixiao::process, not the steps: {found:?}"
    );
    let batch = std::fs::read_to_string(root().join("src/cli/batch.rs")).unwrap();
    assert!(batch.contains("process(&name, &bytes, opts)"));
}

/// Every sample and corpus file through the binary and through the core: the same JSON lines
/// and the same bytes for every output.
#[test]
fn the_core_gives_what_the_command_line_writes() {
    let mut inputs: Vec<PathBuf> = Vec::new();
    for dir in ["samples", "tests/corpus", "tests/realistic"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            let ext = p.extension().map(|e| e.to_string_lossy().into_owned());
            if matches!(
                ext.as_deref(),
                Some("xlsx" | "xls" | "ods" | "xlsb" | "csv" | "docx")
            ) {
                inputs.push(p);
            }
        }
    }
    inputs.sort();
    assert!(inputs.len() > 50, "{}", inputs.len());
    let eds = jixiao::edition::Edition::embedded();
    let opts = jixiao::Options {
        editions: &eds,
        limits: Default::default(),
        outputs: jixiao::Outputs::ALL,
    };
    let mut compared = 0;
    for input in &inputs {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .arg("convert")
            .arg(input)
            .arg("-o")
            .arg(dir.path())
            .args(["--format", "json"])
            .output()
            .unwrap();
        let name = input.display().to_string();
        let bytes = std::fs::read(input).unwrap();
        let result = jixiao::process(&name, &bytes, &opts);
        let lines: Vec<String> = result.outcomes.iter().map(jixiao::json::line).collect();
        let cli_lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(lines, cli_lines, "{name}: JSON");
        let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
        let mut written: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        let mut expected: Vec<String> = Vec::new();
        for o in &result.outputs {
            let sheet = o.kind.sheet().map(|s| format!("_{s}")).unwrap_or_default();
            let file = format!("{stem}{sheet}{}.xlsx", o.kind.suffix());
            let cli = std::fs::read(dir.path().join(&file))
                .unwrap_or_else(|e| panic!("{name}: {file}: {e}"));
            assert!(
                o.bytes.as_ref().is_ok_and(|b| *b == cli),
                "{name}: {file} differs from the core's"
            );
            expected.push(file);
            compared += 1;
        }
        // A run over more than one form also writes the batch's summary workbook.
        if result.outcomes.len() > 1 {
            expected.push("汇总.xlsx".to_string());
        }
        expected.sort();
        assert_eq!(written, expected, "{name}");
    }
    assert!(compared > 40, "{compared}");
}
