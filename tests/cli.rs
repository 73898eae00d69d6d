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
            "修改建议",
            "自动修正"
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
    let missing = dir.path().join("missing.xlsx");
    let out = run(&["check".as_ref(), missing.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("不存在"), "{}", stdout(&out));
    // A folder is walked for workbooks; one with none is said so.
    let folder = dir.path().join("folder.xlsx");
    std::fs::create_dir(&folder).unwrap();
    let out = run(&["check".as_ref(), folder.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有找到可检查的工作簿"));
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
    // Forcing the 2022 edition on it: 定量 with the comparator in the value is read there too,
    // but it is not that edition's way, so each such type is noted.
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
    let findings = rec["findings"].as_array().unwrap();
    assert!(
        !findings.iter().any(|f| f["code"] == "E402"),
        "{findings:?}"
    );
    assert!(findings.iter().any(|f| {
        f["code"] == "E901"
            && f["message"]
                .as_str()
                .unwrap()
                .starts_with("“定量”按“≥”读取")
    }));
    // An unknown edition name lists the embedded ones; `rules` takes names too.
    let out = run(&[
        "check".as_ref(),
        hunan.as_os_str(),
        "--edition".as_ref(),
        "henan".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("没有名为“henan”的内置版本") && err.contains("2022、hunan、hubei、shaanxi"),
        "{err}"
    );
    let out = run(&["rules".as_ref(), "--edition".as_ref(), "hunan".as_ref()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("E901"));
}

#[test]
fn an_edition_with_a_misspelt_rule_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/2022.toml"))
            .unwrap();
    for (edit, reason) in [
        ("[rules]\nE431 = \"eror\"", "E431 的级别“eror”无法识别"),
        ("[rules]\nE999 = \"off\"", "规则代码“E999”不存在"),
        ("[rules]\n[threshold]\nx = 1", "不认识的键 `threshold`"),
    ] {
        let ed = dir.path().join("ed.toml");
        std::fs::write(&ed, base.replace("[rules]", edit)).unwrap();
        for cmd in ["check", "rules"] {
            let mut args: Vec<&std::ffi::OsStr> = vec![cmd.as_ref()];
            let sample = sample("seed-2022.xlsx");
            if cmd == "check" {
                args.push(sample.as_os_str());
            }
            args.extend(["--edition".as_ref(), ed.as_os_str()]);
            let out = run(&args);
            assert_eq!(out.status.code(), Some(2), "{edit}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(reason), "{edit}: {err}");
        }
    }
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

/// Two inputs with the same name in two folders: each gets its own outputs (the folders' layout
/// kept under -o), each with its own department; the same name with another extension keeps it.
#[test]
fn same_named_inputs_never_share_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("单位A"), dir.path().join("单位B"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let mut other = common::formspec::corrected_seed();
    other.apply("set department = 州医疗保障服务中心");
    std::fs::copy(sample("seed-2022-corrected.xlsx"), a.join("申报表.xlsx")).unwrap();
    std::fs::write(b.join("申报表.xlsx"), other.to_xlsx().unwrap()).unwrap();
    std::fs::copy(sample("seed-2022-corrected.xls"), b.join("申报表.xls")).unwrap();
    let out_dir = dir.path().join("out");
    let out = run(&[
        "convert".as_ref(),
        a.join("申报表.xlsx").as_os_str(),
        b.join("申报表.xlsx").as_os_str(),
        b.join("申报表.xls").as_os_str(),
        "-o".as_ref(),
        out_dir.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    for (path, dept) in [
        ("单位A/申报表_标准.xlsx", "州社会保险服务中心"),
        ("单位B/申报表_xlsx_标准.xlsx", "州医疗保障服务中心"),
        ("单位B/申报表_xls_标准.xlsx", "州社会保险服务中心"),
    ] {
        let rows = sheet_rows(&out_dir.join(path), "基本信息");
        assert_eq!(s(&rows[2][1]), dept, "{path}");
        let copy = path.replace("_标准", "_批注");
        assert!(out_dir.join(&copy).is_file(), "{copy}");
    }
}

/// An output that cannot be written: one Chinese line per input naming the input and why (not
/// the OS's English, not the temporary file), exit 2, and the tally counts it as 未能写出.
#[test]
fn an_unwritable_output_is_said_once_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the output folder should be: neither output can be written.
    let blocked = dir.path().join("输出");
    std::fs::write(&blocked, b"not a folder").unwrap();
    let out = run(&[
        "convert".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        sample("seed-2022-corrected.xlsx").as_os_str(),
        "-o".as_ref(),
        blocked.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "one line per input, one for the summary: {err}"
    );
    assert!(
        lines[0].starts_with("错误：未能写出“") && lines[0].contains("seed-2022.xlsx"),
        "{err}"
    );
    assert!(
        !err.contains("os error") && !err.contains(".jixiao-"),
        "{err}"
    );
    assert!(
        stdout(&out)
            .contains("合计 2 个文件：0 个没有错误，0 个有错误，0 个无法检查，2 个未能写出"),
        "{}",
        stdout(&out)
    );
}

/// A reader that goes away early (`| head -1`) ends the run quietly with its usual status.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::process::Stdio;
    for args in [
        vec!["rules".to_string()],
        vec![
            "check".to_string(),
            sample("seed-2022.xlsx").display().to_string(),
            sample("seed-2022.xlsx").display().to_string(),
        ],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one line, then close the pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        std::io::Read::read(&mut stdout, &mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}

/// A code's hint is printed the first time it appears; 提示 fold into one line per kind unless
/// --verbose; the JSON keeps every finding in full.
#[test]
fn the_terminal_says_it_once() {
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realistic/quantitative-2022.xlsx");
    let text = stdout(&run(&["check".as_ref(), q.as_os_str()]));
    assert!(
        text.contains("申报表: 提示[E901] 7 处“定量”按“=”读取：D22、D28、D29、D30、D31、D32、D33（加 --verbose 逐条列出）"),
        "{text}"
    );
    assert_eq!(text.matches("建议：无需修改").count(), 1, "{text}");
    let verbose = stdout(&run(&[
        "check".as_ref(),
        q.as_os_str(),
        "--verbose".as_ref(),
    ]));
    assert_eq!(verbose.matches("提示[E901]").count(), 15, "{verbose}");
    assert_eq!(verbose.matches("建议：").count(), 2, "{verbose}");
    let seed = sample("seed-2022.xlsx");
    let text = stdout(&run(&["check".as_ref(), seed.as_os_str()]));
    assert_eq!(text.matches("[E451]").count(), 4);
    assert_eq!(text.matches("建议：写出具体内容").count(), 1, "{text}");
    let json = json_records(&run(&[
        "check".as_ref(),
        q.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]));
    let findings = json[0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 16);
    assert!(
        findings
            .iter()
            .all(|f| !f["hint"].as_str().unwrap().is_empty())
    );
}

/// Text past Excel's cell limit: a warning on its cell, the JSON whole, both outputs written
/// with the text cut at the limit.
#[test]
fn text_past_the_cell_limit_is_kept_where_it_can_be() {
    let long = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realistic/long-text-2022.xlsx");
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "convert".as_ref(),
        long.as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rec = json_records(&out).remove(0);
    let description = rec["form"]["indicators"][19]["description"]
        .as_str()
        .unwrap();
    assert_eq!(description.chars().count(), 40_022);
    assert!(description.ends_with("（完）"));
    assert_eq!(rec["findings"][0]["code"], "E013");
    let ind = sheet_rows(&dir.path().join("long-text-2022_标准.xlsx"), "绩效指标");
    assert_eq!(s(&ind[20][8]).chars().count(), 32_767);
    assert!(dir.path().join("long-text-2022_批注.xlsx").is_file());
}

/// A workbook with two units' forms: one standardized workbook per form, named after its sheet,
/// and one annotated copy marking both.
#[test]
fn every_form_of_a_workbook_is_converted() {
    let two = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realistic/two-forms-2022.xlsx");
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "convert".as_ref(),
        two.as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let recs = json_records(&out);
    assert_eq!(recs.len(), 2, "one record per form");
    assert_eq!(recs[0]["sheet"], "社保中心");
    assert_eq!(recs[1]["sheet"], "医保中心");
    for (sheet, dept) in [
        ("社保中心", "州社会保险服务中心"),
        ("医保中心", "州医疗保障服务中心"),
    ] {
        let rows = sheet_rows(
            &dir.path().join(format!("two-forms-2022_{sheet}_标准.xlsx")),
            "基本信息",
        );
        assert_eq!(s(&rows[2][1]), dept);
    }
    let report = sheet_rows(&dir.path().join("two-forms-2022_批注.xlsx"), "校验报告");
    let codes: Vec<String> = report[2..].iter().map(|r| s(&r[2])).collect();
    assert_eq!(codes, ["E003", "E303"]);
}

/// An output the user edited since jixiao wrote it is never replaced unseen: it is kept as
/// …（已修改）.xlsx (numbered after that) and the terminal says so; an untouched one is replaced.
#[test]
fn an_edited_copy_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let convert = || {
        run(&[
            "convert".as_ref(),
            sample("seed-2022.xlsx").as_os_str(),
            "-o".as_ref(),
            dir.path().as_os_str(),
        ])
    };
    assert_eq!(convert().status.code(), Some(0));
    let copy = dir.path().join("seed-2022_批注.xlsx");
    let first = std::fs::read(&copy).unwrap();
    // Run again: nothing edited, nothing kept aside.
    let out = convert();
    assert!(!stdout(&out).contains("已修改"), "{}", stdout(&out));
    assert_eq!(std::fs::read(&copy).unwrap(), first);
    // The user edits the copy (here: any change to its bytes' content) and runs again.
    let mut edited = first.clone();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(first.clone())).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if f.name().unwrap() == "xl/worksheets/sheet1.xml" {
            data = String::from_utf8(data)
                .unwrap()
                .replacen("<v>20</v>", "<v>25</v>", 1)
                .into_bytes();
        }
        w.start_file(f.name().unwrap(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, &data).unwrap();
    }
    edited.clear();
    edited.extend(w.finish().unwrap().into_inner());
    std::fs::write(&copy, &edited).unwrap();
    let out = convert();
    let kept = dir.path().join("seed-2022_批注（已修改）.xlsx");
    assert!(stdout(&out).contains("已将您修改过的"), "{}", stdout(&out));
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        edited,
        "the edited copy is kept as it was"
    );
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        first,
        "a new copy in its place"
    );
    // Edited again: the next name.
    std::fs::write(&copy, &edited).unwrap();
    convert();
    assert!(dir.path().join("seed-2022_批注（已修改2）.xlsx").is_file());
}

/// `jixiao clean` gives back the user's workbook beside the copy, and refuses what is not one.
#[test]
fn clean_gives_back_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    run(&[
        "convert".as_ref(),
        sample("seed-2022.xlsx").as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    let copy = dir.path().join("seed-2022_批注.xlsx");
    let out = run(&["clean".as_ref(), copy.as_os_str()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cleaned = dir.path().join("seed-2022_已清理.xlsx");
    let wb: Xlsx<_> = open_workbook(&cleaned).unwrap();
    assert_eq!(wb.sheet_names(), ["绩效目标申报表"]);
    let out = run(&["clean".as_ref(), sample("seed-2022.xlsx").as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是 jixiao 生成的批注副本"));
}

/// `jixiao fix`: the seed's unsafe fixes only with --unsafe-fixes, listed; the fixed workbook is
/// the user's own with only the sheet's part (and workbook.xml when a number was written)
/// changed; `check` marks what a fix would remove, and its JSON says so.
#[test]
fn fix_writes_the_users_workbook_with_the_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("申报表.xlsx");
    std::fs::copy(sample("seed-2022.xlsx"), &input).unwrap();
    let checked = run(&["check".as_ref(), input.as_os_str()]);
    let text = String::from_utf8_lossy(&checked.stdout);
    assert!(
        text.contains("D37: 警告[E424]") && text.contains("[可自动修正（需 --unsafe-fixes）]"),
        "{text}"
    );
    assert!(
        text.contains("4 处可用 jixiao fix --unsafe-fixes 修正（请核对）"),
        "{text}"
    );
    let json = run(&[
        "check".as_ref(),
        input.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let v: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&json.stdout)
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let fixes: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fix"].clone())
        .collect();
    assert!(
        fixes.contains(&serde_json::json!("unsafe")) && fixes.contains(&serde_json::Value::Null)
    );

    // Safe fixes only: the seed has none, so nothing changes and the four remain.
    let safe = run(&["fix".as_ref(), input.as_os_str()]);
    let out = String::from_utf8_lossy(&safe.stdout);
    assert!(out.contains("已修正 0 处"), "{out}");
    assert!(
        out.contains("4 处可用 jixiao fix --unsafe-fixes 修正"),
        "{out}"
    );
    let fixed_path = dir.path().join("申报表_已修正.xlsx");
    std::fs::remove_file(&fixed_path).unwrap();

    let risky = run(&["fix".as_ref(), input.as_os_str(), "--unsafe-fixes".as_ref()]);
    let out = String::from_utf8_lossy(&risky.stdout);
    assert_eq!(risky.status.code(), Some(0), "{out}");
    for line in [
        "绩效目标申报表!D24: （空） → “≤”（不安全修正） [E444]",
        "绩效目标申报表!D37: “≥” → “=”（不安全修正） [E424]",
        "绩效目标申报表!D38: “≥” → “=”（不安全修正） [E424]",
        "绩效目标申报表!D40: “≤” → “≥”（不安全修正） [E431]",
        "已修正 4 处；仍需人工处理的问题：",
        "共 4 条：错误 0 条，警告 4 条，提示 0 条",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    // What is left only a person can write: the four criteria given as "-".
    assert_eq!(out.matches("[E451]").count(), 4, "{out}");
    // The user's own package: every part but the form's sheet byte for byte, nothing added.
    let parts = |p: &Path| -> std::collections::BTreeMap<String, Vec<u8>> {
        let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut b).unwrap();
                (f.name().unwrap().to_string(), b)
            })
            .collect()
    };
    let (a, b) = (parts(&input), parts(&fixed_path));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let changed: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert_eq!(changed, ["xl/worksheets/sheet1.xml"]);
    let wb: Xlsx<_> = open_workbook(&fixed_path).unwrap();
    assert_eq!(wb.sheet_names(), ["绩效目标申报表"]);
}

/// `jixiao template`: the blank form as `<版本>申报表模板.xlsx` here, under `-o` a folder or a
/// file; a different file already there (a filled copy) kept aside, never written over; an
/// unknown edition or a non-xlsx name refused with exit 2. The template checks to errors (it
/// is blank) and is exactly what the library builds.
#[test]
fn template_writes_the_blank_form() {
    let dir = tempfile::tempdir().unwrap();
    let here = |args: &[&str]| bin().current_dir(dir.path()).args(args).output().unwrap();
    let o = here(&["template"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).contains("已生成 2022申报表模板.xlsx"),
        "{}",
        stdout(&o)
    );
    let path = dir.path().join("2022申报表模板.xlsx");
    let built = jixiao::template::build(&jixiao::edition::Edition::builtin()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), built.bytes);
    // Checked as it is, it is a 2022 form with nothing filled in.
    let o = here(&["check", "2022申报表模板.xlsx"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("省级部门（单位）整体绩效目标申报表（2022 版）"));
    assert!(stdout(&o).contains("[E101]"), "{}", stdout(&o));

    // Written again over itself: nothing to keep aside.
    assert!(here(&["template"]).status.success());
    assert!(!dir.path().join("2022申报表模板（已修改）.xlsx").exists());
    // A filled copy under the same name is kept.
    std::fs::write(&path, b"filled").unwrap();
    let o = here(&["template"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("另存为"), "{}", stdout(&o));
    let aside = dir.path().join("2022申报表模板（已修改）.xlsx");
    assert_eq!(std::fs::read(&aside).unwrap(), b"filled");
    assert_eq!(std::fs::read(&path).unwrap(), built.bytes);

    // Other editions, into a folder (made when missing) or a named file.
    let o = here(&["template", "--edition", "hunan", "-o", "模板/"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.path().join("模板/hunan申报表模板.xlsx").is_file());
    let o = here(&["template", "--edition", "shaanxi", "-o", "陕西.xlsx"]);
    assert!(o.status.success());
    let o = here(&["check", "陕西.xlsx", "--format", "json"]);
    assert_eq!(json_records(&o)[0]["edition"], "shaanxi");

    // Refusals.
    let o = here(&["template", "--edition", "四川"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("没有名为“四川”的内置版本"));
    let o = here(&["template", "-o", "模板.xls"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".xlsx"));
    assert!(!dir.path().join("模板.xls").exists());
}
