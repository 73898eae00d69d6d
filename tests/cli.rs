//! End-to-end: the built `jixiao` binary on samples/ and on bad files, with its outputs read
//! back through calamine, its JSON Lines parsed, and its exit codes checked.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    bin().args(args).output().expect("run jixiao")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_records(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("output opens");
    let range = wb.worksheet_range(sheet).expect("sheet exists");
    range.rows().map(|r| r.to_vec()).collect()
}

fn s(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn convert_faithful_seed_writes_standard_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "convert".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    let text = stdout(&out);
    // The seed's slips are warnings (no errors): exit 0, rustc-like lines, then the counts.
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("绩效目标申报表!D40: 警告[E431] “参保对象满意率”越高越好"),
        "{text}"
    );
    assert!(
        text.contains("共 8 条：错误 0 条，警告 8 条，提示 0 条"),
        "{text}"
    );

    let path = dir.path().join("seed-2022_标准.xlsx");
    let wb: Xlsx<_> = open_workbook(&path).expect("output opens");
    assert_eq!(
        wb.sheet_names(),
        ["基本信息", "年度任务", "预算情况", "绩效指标", "校验报告"]
    );

    let basic = sheet_rows(&path, "基本信息");
    assert_eq!(s(&basic[1][1]), "2022");
    assert_eq!(s(&basic[2][1]), "州社会保险服务中心");
    assert_eq!(s(&basic[2][2]), "绩效目标申报表!C3");

    let tasks = sheet_rows(&path, "年度任务");
    assert_eq!(tasks.len(), 9);
    assert_eq!(s(&tasks[3][1]), "社保审计稽核工作");

    let budget = sheet_rows(&path, "预算情况");
    assert_eq!(s(&budget[1][0]), "部门预算总额");
    assert_eq!(budget[1][1], Data::Float(327.89));
    assert_eq!(budget[3][1], Data::Float(0.0));
    assert_eq!(s(&budget[2][2]), "绩效目标申报表!D15");

    let ind = sheet_rows(&path, "绩效指标");
    assert_eq!(ind.len(), 24, "header + 23 indicators");
    assert_eq!(
        ind[0].iter().map(s).collect::<Vec<_>>(),
        [
            "序号",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标值类型",
            "指标值",
            "度量单位",
            "评/扣分标准",
            "指标值说明",
            "来源单元格"
        ]
    );
    // 一级/二级 written on every row, no merges.
    for row in &ind[1..] {
        assert!(!s(&row[1]).is_empty() && !s(&row[2]).is_empty(), "{row:?}");
    }
    assert_eq!(s(&ind[5][3]), "专项资金细化率");
    assert_eq!(
        ind[5][5],
        Data::Float(90.0),
        "a comparator's value is a number"
    );
    assert_eq!(s(&ind[5][6]), "%");
    assert_eq!(s(&ind[1][5]), "相关");
    assert_eq!(s(&ind[23][4]), "≤");
    assert_eq!(s(&ind[23][9]), "绩效目标申报表!C40");

    let report = sheet_rows(&path, "校验报告");
    assert_eq!(s(&report[0][0]), "共 8 条：错误 0 条，警告 8 条，提示 0 条");
    assert_eq!(report.len(), 10, "count line + header + 8 findings");
    assert_eq!(
        report[1].iter().map(s).collect::<Vec<_>>(),
        [
            "序号",
            "级别",
            "代码",
            "位置",
            "字段",
            "原值",
            "问题",
            "修改建议"
        ]
    );
    assert_eq!(s(&report[2][1]), "警告");
    assert_eq!(s(&report[2][2]), "E444");
    assert_eq!(s(&report[2][3]), "绩效目标申报表!D24");
    assert_eq!(s(&report[2][4]), "指标值类型");
    assert!(s(&report[2][6]).contains("标准为 ≤ 20%"));
}

#[test]
fn corrected_sample_is_clean_in_every_format() {
    let mut forms = Vec::new();
    for name in [
        "seed-2022-corrected.xlsx",
        "seed-2022-corrected.xls",
        "seed-2022-corrected.ods",
    ] {
        let out = run(&[
            "check".as_ref(),
            sample(name).as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stdout(&out));
        let rec = json_records(&out).remove(0);
        assert_eq!(rec["status"], "ok", "{name}");
        assert_eq!(rec["findings"], serde_json::json!([]), "{name}");
        forms.push(rec["form"].clone());
    }
    assert_eq!(forms[0]["indicators"].as_array().unwrap().len(), 23);
    assert_eq!(forms[0], forms[1], "xls reads to the same form as xlsx");
    assert_eq!(forms[0], forms[2], "ods reads to the same form as xlsx");
}

#[test]
fn json_lines_follow_the_contract() {
    let out = run(&[
        "check".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        sample("seed-2022-corrected.xlsx").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let recs = json_records(&out);
    assert_eq!(recs.len(), 2, "one line per input file");
    let r = &recs[0];
    for key in ["file", "edition", "status", "form", "findings", "summary"] {
        assert!(r.get(key).is_some(), "missing {key}");
    }
    assert_eq!(r["edition"], "2022");
    assert_eq!(r["status"], "warnings");
    assert_eq!(
        r["summary"],
        serde_json::json!({"errors": 0, "warnings": 8, "infos": 0})
    );
    let f = &r["findings"][0];
    assert_eq!(f["code"], "E444");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["sheet"], "绩效目标申报表");
    assert_eq!(f["cell"], "D24");
    assert!(f["message"].as_str().unwrap().contains("预算调整率"));
    assert!(!f["hint"].as_str().unwrap().is_empty());
    let b = &r["form"]["budget"];
    assert_eq!(b["total"], "327.89");
    assert_eq!(b["fiscal"], "327.89");
    assert_eq!(b["project"], serde_json::Value::Null);
    assert_eq!(recs[1]["status"], "ok");
}

#[test]
fn same_input_gives_identical_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [&a, &b] {
        let out = run(&[
            "convert".as_ref(),
            sample("seed-2022.xlsx").as_os_str(),
            "-o".as_ref(),
            d.path().as_os_str(),
        ]);
        assert_eq!(out.status.code(), Some(0));
    }
    for name in ["seed-2022_标准.xlsx", "seed-2022_批注.xlsx"] {
        let x = std::fs::read(a.path().join(name)).unwrap();
        let y = std::fs::read(b.path().join(name)).unwrap();
        assert!(x == y, "{name} differs between two runs");
    }
}

#[test]
fn never_writes_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.xlsx");
    std::fs::copy(sample("seed-2022-corrected.xlsx"), &input).unwrap();
    // A second input named like the first one's output: writing it would destroy an input.
    let victim = dir.path().join("a_标准.xlsx");
    std::fs::copy(sample("seed-2022.xlsx"), &victim).unwrap();
    let before = std::fs::read(&victim).unwrap();
    let out = run(&[
        "convert".as_ref(),
        input.as_os_str(),
        victim.as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("拒绝覆盖"));
    assert_eq!(std::fs::read(&victim).unwrap(), before, "input untouched");

    // The same through a symlink spelling of the output directory.
    #[cfg(unix)]
    {
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        let out = run(&[
            "convert".as_ref(),
            input.as_os_str(),
            link.join("a_标准.xlsx").as_os_str(),
            "-o".as_ref(),
            dir.path().as_os_str(),
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(std::fs::read(&victim).unwrap(), before, "input untouched");
    }
    // The same through another spelling of the path (./ and ../).
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let spelled = dir
        .path()
        .join(".")
        .join("sub")
        .join("..")
        .join("a_标准.xlsx");
    let out = run(&[
        "convert".as_ref(),
        input.as_os_str(),
        spelled.as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&victim).unwrap(), before, "input untouched");
    // No temporary file left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn format_is_sniffed_not_taken_from_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("其实是xlsx.xls");
    std::fs::copy(sample("seed-2022-corrected.xlsx"), &renamed).unwrap();
    let out = run(&["check".as_ref(), renamed.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// Bad files: exit 2 and one Chinese line saying why, never a panic.
#[test]
fn bad_files_exit_2_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.xlsx", vec![], "文件为空"),
        (
            "random.xlsx",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761u32) >> 13) as u8)
                .collect(),
            "无法识别",
        ),
        (
            "page.xls",
            b"<html><body><table><tr><td>1</td></tr></table></body></html>".to_vec(),
            "另存为 .xlsx",
        ),
        (
            "data.xlsx",
            "部门,金额\n社保,1\n".as_bytes().to_vec(),
            "文本文件",
        ),
        (
            "truncated.xlsx",
            std::fs::read(sample("seed-2022.xlsx")).unwrap()[..3000].to_vec(),
            "无法读取",
        ),
    ];
    for (name, bytes, reason) in &cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let out = run(&[
            "check".as_ref(),
            p.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let rec = json_records(&out).remove(0);
        assert_eq!(rec["status"], "unreadable", "{name}");
        assert_eq!(rec["form"], serde_json::Value::Null);
        let msg = rec["findings"][0]["message"].as_str().unwrap();
        assert!(msg.contains(reason), "{name}: {msg}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{name}"
        );
    }
    let folder = dir.path().join("folder.xlsx");
    std::fs::create_dir(&folder).unwrap();
    let missing = dir.path().join("missing.xlsx");
    for (p, reason) in [(&folder, "文件夹"), (&missing, "不存在")] {
        let out = run(&["check".as_ref(), p.as_os_str()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stdout(&out).contains(reason), "{}", stdout(&out));
    }
}

#[test]
fn a_workbook_without_the_form_names_the_missing_labels() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("other.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "工资表").unwrap();
    wb.save(&p).unwrap();
    let out = run(&["check".as_ref(), p.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.contains("不是可识别的申报表：未找到“部门（单位）名称”"),
        "{text}"
    );
}

#[test]
fn bad_usage_exits_2() {
    let out = run(&["check".as_ref()]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["frobnicate".as_ref()]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[
        "check".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        "--edition".as_ref(),
        "/nonexistent/edition.toml".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法读取版本文件"));
}

#[test]
fn an_edition_file_is_loaded_with_edition() {
    let dir = tempfile::tempdir().unwrap();
    let ed = dir.path().join("ed.toml");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/2022.toml"))
            .unwrap()
            .replace("id = \"2022\"", "id = \"2022-测试\"")
            .replace("[rules]", "[rules]\nE431 = \"error\"");
    std::fs::write(&ed, text).unwrap();
    let out = run(&[
        "check".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        "--edition".as_ref(),
        ed.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    // E431 made an error by the edition file: the 满意率 slip now fails the form, exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let rec = json_records(&out).remove(0);
    assert_eq!(rec["edition"], "2022-测试");
    assert_eq!(rec["summary"]["errors"], 1);
}

#[test]
fn readme_rule_table_is_current() {
    let out = run(&["rules".as_ref(), "--format".as_ref(), "markdown".as_ref()]);
    assert_eq!(out.status.code(), Some(0));
    let table = stdout(&out);
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "README.md's rule table is out of date; paste the output of `jixiao rules --format markdown`:\n{table}"
    );
}

#[test]
fn an_existing_output_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("seed-2022_标准.xlsx");
    std::fs::write(&out_path, b"an old output").unwrap();
    let out = run(&[
        "convert".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let wb: Xlsx<_> = open_workbook(&out_path).expect("the new output opens");
    assert_eq!(wb.sheet_names().len(), 5);
    // An output path taken by a folder cannot be replaced: exit 2, the folder untouched.
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir2.path().join("seed-2022_标准.xlsx")).unwrap();
    let out = run(&[
        "convert".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        "-o".as_ref(),
        dir2.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法写入输出文件"));
    assert!(dir2.path().join("seed-2022_标准.xlsx").is_dir());
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let mut spec = common::formspec::corrected_seed();
    spec.apply("set department = =HYPERLINK(\"http://example.com\",\"点击\")");
    spec.apply("set goal = +1+1");
    spec.apply("set ind[养老保险待遇社会化发放率].criteria = -未达标扣分");
    spec.apply("set ind[参保对象满意率].description = @SUM(A1:A2)");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("formula.xlsx");
    std::fs::write(&input, spec.to_xlsx().unwrap()).unwrap();
    let out = run(&[
        "convert".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert!(out.status.code() != Some(2), "{}", stdout(&out));
    let path = dir.path().join("formula_标准.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    for name in wb.sheet_names() {
        let formulas = wb.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} has a formula"
        );
    }
    let basic = sheet_rows(&path, "基本信息");
    assert_eq!(
        s(&basic[2][1]),
        "=HYPERLINK(\"http://example.com\",\"点击\")"
    );
    assert_eq!(s(&basic[3][1]), "+1+1");
    let ind = sheet_rows(&path, "绩效指标");
    assert_eq!(s(&ind[20][7]), "-未达标扣分");
    assert_eq!(s(&ind[23][8]), "@SUM(A1:A2)");
}

#[test]
fn the_edition_is_detected_and_can_be_forced() {
    let hunan = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realistic/hunan-2023.xlsx");
    let out = run(&["check".as_ref(), hunan.as_os_str()]);
    let text = stdout(&out);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.contains("湖南式"), "{first}");
    assert!(
        first.contains("依据：") && first.contains("部门（单位）职责"),
        "{first}"
    );
    // Forcing the 2022 edition on it: no 定量 kind there, so its rows are unknown kinds.
    let out = run(&[
        "check".as_ref(),
        hunan.as_os_str(),
        "--edition".as_ref(),
        "2022".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let rec = json_records(&out).remove(0);
    assert_eq!(rec["edition"], "2022");
    assert!(
        rec["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "E402")
    );
}

#[test]
fn prior_year_budget_columns_are_kept_in_the_output() {
    let hubei = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realistic/hubei-2023.xlsx");
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "convert".as_ref(),
        hubei.as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let rows = sheet_rows(&dir.path().join("hubei-2023_标准.xlsx"), "预算情况");
    assert_eq!(
        rows[0].iter().map(s).collect::<Vec<_>>(),
        [
            "项目",
            "金额（万元）",
            "占比（%）",
            "2022年预算数",
            "2021年决算数",
            "来源单元格"
        ]
    );
    assert_eq!(s(&rows[2][0]), "财政拨款");
    assert_eq!(rows[2][1], Data::Float(900.0));
    assert_eq!(rows[2][2], Data::Float(90.0));
    assert_eq!(rows[2][3], Data::Float(850.0));
    assert_eq!(rows[2][4], Data::Float(800.0));
}

#[test]
fn the_annotated_copy_marks_each_finding_on_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample("seed-2022.xlsx");
    let out = run(&[
        "convert".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let copy = dir.path().join("seed-2022_批注.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&copy).expect("the annotated copy opens");
    assert_eq!(wb.sheet_names(), ["校验报告", "绩效目标申报表"]);
    // Every value of the input is in the copy, at the same cell, with the same merges.
    let mut orig: Xlsx<_> = open_workbook(&input).unwrap();
    let a = orig.worksheet_range("绩效目标申报表").unwrap();
    let b = wb.worksheet_range("绩效目标申报表").unwrap();
    let cells = |r: &calamine::Range<Data>| -> Vec<((u32, u32), String)> {
        let (r0, c0) = r.start().unwrap_or((0, 0));
        r.used_cells()
            .filter(|(_, _, v)| **v != Data::Empty)
            .map(|(i, j, v)| ((r0 + i as u32, c0 + j as u32), s(v)))
            .collect()
    };
    assert_eq!(cells(&a), cells(&b));
    let mut ma = orig.merge_cells_by_sheet_name("绩效目标申报表").unwrap();
    let mut mb = wb.merge_cells_by_sheet_name("绩效目标申报表").unwrap();
    ma.sort();
    mb.sort();
    assert_eq!(ma, mb);
    // One note per marked cell, carrying the code, the message and the hint.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&copy).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/comments1.xml").unwrap(), &mut xml).unwrap();
    assert_eq!(xml.matches("<comment ").count(), 8, "{xml}");
    assert!(xml.contains(r#"ref="D40""#) && xml.contains("警告[E431]") && xml.contains("建议："));
    assert!(xml.contains(r#"ref="D24""#) && xml.contains("标准为 ≤ 20%"));
}

#[test]
fn the_annotated_copy_keeps_hidden_sheets_hidden() {
    let messy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realistic/messy-2022.xlsx");
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "convert".as_ref(),
        messy.as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let wb: Xlsx<_> = open_workbook(dir.path().join("messy-2022_批注.xlsx")).unwrap();
    let meta: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .map(|m| (m.name.clone(), m.visible == calamine::SheetVisible::Visible))
        .collect();
    assert_eq!(
        meta,
        [
            ("校验报告".to_string(), true),
            ("填表说明".to_string(), true),
            ("旧版".to_string(), false),
            ("绩效目标申报表".to_string(), true)
        ]
    );
}

#[test]
fn several_files_end_with_a_tally() {
    let empty = tempfile::NamedTempFile::new().unwrap();
    let out = run(&[
        "check".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        empty.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.trim_end()
            .ends_with("合计 2 个文件：1 个没有错误，0 个有错误，1 个无法检查"),
        "{text}"
    );
}
