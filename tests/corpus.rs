//! The hostile and broken files of tests/corpus/ (made by tests/corpus/make_corpus.py): each
//! gives exit 2 and a one-line Chinese reason, never a panic, and finishes (a watchdog kills a
//! run that hangs). Time and memory are measured by scripts/bench-corpus.sh, not here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Runs the binary with a watchdog: a hang is a failure, not a stuck CI.
fn run(args: &[&std::ffi::OsStr]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jixiao");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("jixiao {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn check_unreadable(path: &Path, reason: &str) {
    let out = run(&[
        "check".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let name = path.display();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    assert_eq!(out.status.code(), Some(2), "{name}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rec: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(rec["status"], "unreadable", "{name}");
    assert_eq!(rec["findings"].as_array().map(Vec::len), Some(1), "{name}");
    let msg = rec["findings"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(reason), "{name}: {msg}");
    assert!(!msg.contains('\n'), "{name}: one line");
    // The text output is one line for the file, one for the reason, one for the counts.
    let text = run(&["check".as_ref(), path.as_os_str()]);
    assert_eq!(text.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&text.stdout).lines().count(),
        3,
        "{name}"
    );
}

#[test]
fn every_corpus_file_exits_2_with_its_reason() {
    let manifest = std::fs::read_to_string(corpus().join("expect.txt")).unwrap();
    let mut n = 0;
    for line in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (file, reason) = line.split_once('\t').expect("file<TAB>reason");
        check_unreadable(&corpus().join(file), reason);
        n += 1;
    }
    assert!(n >= 12);
    // Every file in the folder is in the manifest.
    for e in std::fs::read_dir(corpus()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".py") && name != "expect.txt" {
            assert!(
                manifest.contains(&format!("{name}\t")),
                "{name} not in expect.txt"
            );
        }
    }
}

#[test]
fn limits_are_options() {
    // With a lower cell limit even the sample is refused, with the reason.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/seed-2022.xlsx");
    let out = run(&[
        "check".as_ref(),
        sample.as_os_str(),
        "--max-cells".as_ref(),
        "10".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("单元格过多"));
    let out = run(&[
        "check".as_ref(),
        sample.as_os_str(),
        "--max-file-mb".as_ref(),
        "0".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("文件过大"));
}

#[test]
fn folders_pipes_and_unreadable_paths() {
    let dir = tempfile::tempdir().unwrap();
    check_unreadable(&dir.path().join("没有这个文件.xlsx"), "文件不存在");
    #[cfg(unix)]
    {
        let link = dir.path().join("断开的链接.xlsx");
        std::os::unix::fs::symlink(dir.path().join("gone.xlsx"), &link).unwrap();
        check_unreadable(&link, "文件不存在");
        let fifo = dir.path().join("管道.xlsx");
        let made = Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map(|s| s.success());
        if made.unwrap_or(false) {
            check_unreadable(&fifo, "不是普通文件");
        }
    }
    // A regular file whose read fails (CI runs as root, so permissions cannot make one).
    #[cfg(target_os = "linux")]
    check_unreadable(Path::new("/proc/self/mem"), "读取文件出错");
}
