//! A finance office's batch: folders of forms from every unit, many with the same name, with
//! Excel's lock files, hidden files and broken files among them; globs expanded by jixiao; the
//! outputs mirror the folders; one summary workbook whose rows and links are right; the exit
//! status the worst file's; and the same bytes whatever the number of workers.

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn jixiao(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// The program's stdout and stderr, with Windows' path separators read as `/` so one expectation
/// serves both systems.
fn text(o: &Output) -> (String, String) {
    let slash = |b: &[u8]| String::from_utf8_lossy(b).replace('\\', "/");
    (slash(&o.stdout), slash(&o.stderr))
}

/// The office's folder: 单位A and 单位B each send 申报表.xlsx, 单位B also an ods with two forms
/// in a subfolder and a broken file; Excel left a lock file; a hidden copy sits beside.
fn office(dir: &Path, broken: bool) {
    let seed = root().join("samples/seed-2022.xlsx");
    let corrected = root().join("samples/seed-2022-corrected.xlsx");
    let two = root().join("tests/realistic/two-forms-2022.ods");
    let a = dir.join("收件/单位A");
    let b = dir.join("收件/单位B/子");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::copy(&seed, a.join("申报表.xlsx")).unwrap();
    std::fs::copy(&corrected, dir.join("收件/单位B/申报表.xlsx")).unwrap();
    std::fs::copy(&two, b.join("申报表.ods")).unwrap();
    std::fs::write(a.join("~$申报表.xlsx"), b"lock").unwrap();
    std::fs::copy(&seed, a.join(".备份.xlsx")).unwrap();
    std::fs::write(dir.join("收件/单位B/说明.txt"), "不是工作簿").unwrap();
    if broken {
        std::fs::write(dir.join("收件/单位B/坏.xlsx"), b"PK\x03\x04 not a zip").unwrap();
    }
}

/// Every file under a folder, as relative paths with forward slashes, and their bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The hyperlinks of one summary sheet: cell → (target file, location in it).
fn links(path: &Path, sheet_no: usize) -> BTreeMap<String, (String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let read = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut s = String::new();
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_string(&mut s).unwrap();
        }
        s
    };
    let sheet = read(&mut zip, &format!("xl/worksheets/sheet{sheet_no}.xml"));
    let rels = read(
        &mut zip,
        &format!("xl/worksheets/_rels/sheet{sheet_no}.xml.rels"),
    );
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].replace("&amp;", "&").replace("&apos;", "'"))
    };
    let mut targets = BTreeMap::new();
    for rel in rels.split("<Relationship ").skip(1) {
        let id = attr(&format!(" {rel}"), "Id").unwrap();
        let target = attr(&format!(" {rel}"), "Target").unwrap();
        targets.insert(id, target);
    }
    let mut out = BTreeMap::new();
    for h in sheet.split("<hyperlink ").skip(1) {
        let tag = format!(" {}", &h[..h.find("/>").unwrap()]);
        let cell = attr(&tag, "ref").unwrap();
        let file = attr(&tag, "r:id")
            .map(|id| targets[&id].clone())
            .unwrap_or_default();
        let location = attr(&tag, "location").unwrap_or_default();
        out.insert(cell, (file, location));
    }
    out
}

#[test]
fn a_folder_tree_is_converted_into_the_same_tree_with_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    office(tmp.path(), true);
    let o = jixiao(
        tmp.path(),
        &["convert", "收件", "-o", "结果", "--jobs", "2"],
    );
    let (out, err) = text(&o);
    // The broken file is the worst: exit 2, and the others are still converted.
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("已跳过 2 个锁定文件、隐藏文件或临时文件"),
        "{err}"
    );
    assert!(!err.contains("~$"), "a lock file is never an error: {err}");
    let written: Vec<String> = files(&tmp.path().join("结果")).into_keys().collect();
    assert_eq!(
        written,
        [
            "单位A/申报表_批注.xlsx",
            "单位A/申报表_标准.xlsx",
            "单位B/子/申报表_医保中心_标准.xlsx",
            "单位B/子/申报表_批注.xlsx",
            "单位B/子/申报表_社保中心_标准.xlsx",
            "单位B/申报表_批注.xlsx",
            "单位B/申报表_标准.xlsx",
            "汇总.xlsx",
        ],
        "{out}"
    );
    // Results in input order (name order within each folder), whatever finished first.
    let order: Vec<usize> = ["单位A/申报表.xlsx", "单位B/坏.xlsx", "单位B/子/申报表.ods"]
        .iter()
        .map(|n| out.find(n).or_else(|| err.find(n)).unwrap_or(usize::MAX))
        .collect();
    assert!(order[0] < order[2], "{out}");
    assert!(
        out.contains("合计 4 个文件：2 个没有错误，1 个有错误，1 个无法检查"),
        "{out}"
    );

    // The summary: one row per form, its counts and total, a link to the annotated copy.
    let summary = tmp.path().join("结果/汇总.xlsx");
    let files_sheet = rows(&summary, "文件");
    assert_eq!(
        files_sheet[0][..10],
        [
            "文件",
            "工作表",
            "部门（单位）",
            "年度",
            "版本",
            "结果",
            "错误",
            "警告",
            "提示",
            "部门预算总额（万元）"
        ]
    );
    // Paths as the system writes them (`\\` on Windows), read here with `/`.
    let paths: Vec<String> = files_sheet[1..]
        .iter()
        .map(|r| r[0].replace('\\', "/"))
        .collect();
    let body: Vec<(&str, &str, &str, &str)> = files_sheet[1..]
        .iter()
        .zip(&paths)
        .map(|(r, p)| (p.as_str(), r[1].as_str(), r[5].as_str(), r[9].as_str()))
        .collect();
    assert_eq!(
        body,
        [
            (
                "收件/单位A/申报表.xlsx",
                "绩效目标申报表",
                "有警告",
                "327.89"
            ),
            ("收件/单位B/坏.xlsx", "", "无法检查", ""),
            ("收件/单位B/子/申报表.ods", "社保中心", "有警告", "327.89"),
            ("收件/单位B/子/申报表.ods", "医保中心", "有错误", "500"),
            ("收件/单位B/申报表.xlsx", "绩效目标申报表", "通过", "327.89"),
        ]
    );
    let file_links = links(&summary, 1);
    assert_eq!(file_links["A2"].0, "单位A/申报表_批注.xlsx");
    assert_eq!(file_links["A4"].0, "单位B/子/申报表_批注.xlsx");
    assert_eq!(file_links["A6"].0, "单位B/申报表_批注.xlsx");
    // The broken file has no copy: its link opens the input itself.
    assert_eq!(file_links["A3"].0, "../收件/单位B/坏.xlsx");
    for (cell, (target, _)) in &file_links {
        let path = tmp.path().join("结果").join(target);
        assert!(
            path.exists(),
            "{cell} links to {target}, which is not there"
        );
    }

    // 问题: every finding, its 位置 a link to the cell in the annotated copy.
    let findings = rows(&summary, "问题");
    assert_eq!(findings[0][..4], ["文件", "位置", "级别", "代码"]);
    let e303 = findings
        .iter()
        .position(|r| r[3] == "E303" && r[0].ends_with(".ods"))
        .expect("the ods's E303");
    assert_eq!(findings[e303][1], "医保中心!D9");
    let finding_links = links(&summary, 2);
    let (target, location) = &finding_links[&format!("B{}", e303 + 1)];
    assert_eq!(target, "单位B/子/申报表_批注.xlsx");
    assert_eq!(location, "'医保中心'!D9");
    // As many finding rows as the JSON lines have findings.
    let json = jixiao(tmp.path(), &["check", "收件", "--format", "json"]);
    let total: usize = String::from_utf8_lossy(&json.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["findings"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(findings.len() - 1, total);

    // 规则统计: forms and findings per rule, most frequent first.
    let stats = rows(&summary, "规则统计");
    assert_eq!(stats[0], ["代码", "级别", "问题", "申报表数", "问题数"]);
    let counts: Vec<usize> = stats[1..].iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{stats:?}");
    let e303_row = stats.iter().find(|r| r[0] == "E303").unwrap();
    assert_eq!(e303_row[3..], ["1", "1"], "{e303_row:?}"); // the ods's 医保中心
    let e451_row = stats.iter().find(|r| r[0] == "E451").unwrap();
    assert_eq!(e451_row[3..], ["1", "4"], "{e451_row:?}"); // the seed's four placeholders
    assert_eq!(
        counts.iter().sum::<usize>(),
        total,
        "every finding counted once"
    );
}

#[test]
fn the_exit_status_is_the_worst_files() {
    let tmp = tempfile::tempdir().unwrap();
    office(tmp.path(), false);
    // Errors somewhere, nothing unreadable: 1.
    let o = jixiao(tmp.path(), &["check", "收件"]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    // Only the clean one: 0.
    let o = jixiao(tmp.path(), &["check", "收件/单位B/申报表.xlsx"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    // A pattern that matches nothing is said, and is the worst.
    let o = jixiao(
        tmp.path(),
        &["check", "收件/单位B/申报表.xlsx", "收件/*.xls"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).1.contains("没有与“收件/*.xls”匹配的文件"),
        "{:?}",
        text(&o)
    );
}

#[test]
fn a_glob_is_expanded_by_jixiao() {
    let tmp = tempfile::tempdir().unwrap();
    office(tmp.path(), true);
    // As cmd or PowerShell pass it: unexpanded. The lock file matches the pattern and is passed
    // over; the broken file does not match.
    let o = jixiao(
        tmp.path(),
        &[
            "convert",
            "收件/*/申报表.xlsx",
            "收件/单位A/~$*",
            "-o",
            "结果",
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(err.contains("已跳过 1 个"), "{err}");
    let written: Vec<String> = files(&tmp.path().join("结果")).into_keys().collect();
    assert_eq!(
        written,
        [
            "单位A/申报表_批注.xlsx",
            "单位A/申报表_标准.xlsx",
            "单位B/申报表_批注.xlsx",
            "单位B/申报表_标准.xlsx",
            "汇总.xlsx",
        ]
    );
}

#[test]
fn one_worker_or_two_give_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    office(tmp.path(), true);
    // More files than workers, so the two really interleave.
    for i in 0..6 {
        let d = tmp.path().join(format!("收件/单位C{i}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(
            root().join("samples/seed-2022-corrected.xls"),
            d.join("申报表.xls"),
        )
        .unwrap();
    }
    let one = jixiao(tmp.path(), &["convert", "收件", "-o", "一", "--jobs", "1"]);
    let two = jixiao(tmp.path(), &["convert", "收件", "-o", "二", "--jobs", "2"]);
    assert_eq!(one.status.code(), two.status.code());
    let strip = |o: &Output, dir: &str| text(o).0.replace(dir, "");
    assert_eq!(strip(&one, "一/"), strip(&two, "二/"));
    let a = files(&tmp.path().join("一"));
    let b = files(&tmp.path().join("二"));
    assert_eq!(a.len(), 20, "{:?}", a.keys().collect::<Vec<_>>());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(
            *bytes == b[name],
            "{name} differs between --jobs 1 and --jobs 2"
        );
    }
}

#[test]
fn the_output_folder_inside_the_input_folder_is_not_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    office(tmp.path(), false);
    let first = jixiao(tmp.path(), &["convert", "收件", "-o", "收件/结果"]);
    assert_eq!(first.status.code(), Some(1), "{:?}", text(&first));
    // A second run over the same folder sees only the units' files, not the first run's outputs.
    let again = jixiao(tmp.path(), &["check", "收件", "--format", "json"]);
    let (out, err) = text(&again);
    assert_eq!(out.lines().count(), 4, "{out}\n{err}");
    assert!(
        err.contains("已跳过") && err.contains("jixiao 生成的文件"),
        "{err}"
    );
}

#[test]
fn an_interrupted_batch_leaves_nothing_half_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("收件");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..200 {
        std::fs::copy(
            root().join("samples/seed-2022.xlsx"),
            dir.join(format!("单位{i:03}.xlsx")),
        )
        .unwrap();
    }
    let child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(tmp.path())
        .args(["convert", "收件", "-o", "结果", "--jobs", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first outputs, then interrupt as Ctrl-C does.
    let out_dir = tmp.path().join("结果");
    let start = std::time::Instant::now();
    while files_count(&out_dir) < 4 && start.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    #[cfg(unix)]
    unsafe_sigint(child.id());
    #[cfg(not(unix))]
    let child = {
        let mut child = child;
        let _ = child.kill();
        child
    };
    let o = child.wait_with_output().unwrap();
    // A killed program has no exit code of its own to check.
    #[cfg(not(unix))]
    let _ = o;
    let written = files(&out_dir);
    // No temporary file left, and every output there opens whole. Windows has no Ctrl-C a test
    // can send to one child: it is killed outright there, which may leave a hidden temporary file
    // (a later run into the folder sweeps those older than ten minutes).
    for (name, bytes) in &written {
        if cfg!(not(unix)) && name.contains(".jixiao-") {
            continue;
        }
        assert!(!name.contains(".jixiao-"), "left behind: {name}");
        assert!(
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_ok(),
            "{name} is not whole"
        );
    }
    #[cfg(unix)]
    {
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("已中断：完成了"), "{err}");
        assert!(written.len() < 400, "interrupted too late to tell");
        // Each finished input has both its outputs.
        let stems: BTreeMap<String, usize> = written.keys().fold(BTreeMap::new(), |mut m, k| {
            if let Some((stem, _)) = k.split_once('_') {
                *m.entry(stem.to_string()).or_default() += 1;
            }
            m
        });
        assert!(stems.values().all(|n| *n == 2), "{stems:?}");
    }
}

fn files_count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[cfg(unix)]
fn unsafe_sigint(pid: u32) {
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
}
