//! Staff on Windows: workbooks and folders dragged onto the program, no arguments at all, clap in
//! Chinese, an output held open by Excel. These run natively and, in CI, as the Windows program
//! under wine (`cargo test --target x86_64-pc-windows-gnu --test desktop`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The program as Explorer or a console starts it: no terminal on stdin, the console shared
/// (the seam; a run in a window of its own is tested in console.rs).
fn jixiao(dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(dir)
        .args(args)
        .env("JIXIAO_CONSOLE", "shared")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// A desktop: a workbook in a folder whose name has Chinese and spaces, and a folder of units
/// with an Excel lock file.
fn desktop(dir: &Path) -> (PathBuf, PathBuf) {
    let seed = root().join("samples/seed-2022.xlsx");
    let one = dir.join("桌面 文件/2022 申报表 (终稿).xlsx");
    std::fs::create_dir_all(one.parent().unwrap()).unwrap();
    std::fs::copy(&seed, &one).unwrap();
    let folder = dir.join("各单位 申报表");
    for unit in ["单位A", "单位B"] {
        std::fs::create_dir_all(folder.join(unit)).unwrap();
        std::fs::copy(
            root().join("samples/seed-2022-corrected.xls"),
            folder.join(unit).join("申报表.xls"),
        )
        .unwrap();
    }
    std::fs::write(folder.join("单位A/~$申报表.xls"), b"lock").unwrap();
    (one, folder)
}

#[test]
fn a_workbook_dropped_on_the_program_is_converted_beside_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, _) = desktop(tmp.path());
    // Explorer passes the full path, and the working directory is elsewhere.
    let elsewhere = tempfile::tempdir().unwrap();
    let o = jixiao(elsewhere.path(), &[one.as_os_str()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    let dir = one.parent().unwrap();
    for name in [
        "2022 申报表 (终稿)_批注.xlsx",
        "2022 申报表 (终稿)_标准.xlsx",
    ] {
        assert!(
            dir.join(name).is_file(),
            "{name} not beside the input\n{out}"
        );
    }
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "nothing in the working directory"
    );
    assert!(out.contains("警告[E431]"), "{out}");
    assert!(!err.contains("error"), "{err}");
}

#[test]
fn a_folder_dropped_on_the_program_is_converted_file_by_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, folder) = desktop(tmp.path());
    let o = jixiao(tmp.path(), &[folder.as_os_str(), one.as_os_str()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(err.contains("已跳过 1 个锁定文件"), "{err}");
    for unit in ["单位A", "单位B"] {
        for suffix in ["_批注.xlsx", "_标准.xlsx"] {
            let p = folder.join(unit).join(format!("申报表{suffix}"));
            assert!(p.is_file(), "{} missing\n{out}", p.display());
        }
    }
    // Three forms: the summary goes in the folder the inputs have in common.
    assert!(tmp.path().join("汇总.xlsx").is_file(), "{out}");
    // Dropped again: the outputs beside the inputs are not taken for inputs.
    let again = jixiao(tmp.path(), &[folder.as_os_str()]);
    let (out, err) = text(&again);
    assert_eq!(again.status.code(), Some(0), "{out}\n{err}");
    assert_eq!(out.matches("已生成 ").count(), 4, "{out}");
}

#[test]
fn with_nothing_it_says_how_to_use_it_in_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let o = jixiao(tmp.path(), &[]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(out.contains("拖到 jixiao.exe"), "{out}");
    assert!(!out.contains("Usage") && !out.contains("Options"), "{out}");
    // In a window of its own (a double-click) it is not a mistake: exit 0. With no one at the
    // keyboard (stdin is not a terminal) it does not wait.
    let o = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .env("JIXIAO_CONSOLE", "own")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("拖到 jixiao.exe"));
}

#[test]
fn clap_speaks_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let english = [
        "Usage",
        "Options",
        "Arguments",
        "Commands",
        "Print help",
        "[default",
        "error:",
        "possible values",
        "For more information",
    ];
    for args in [
        vec!["--help"],
        vec!["convert", "--help"],
        vec!["check", "--help"],
        vec!["rules", "--help"],
        vec!["convert"],
        vec!["check", "--bogus", "a.xlsx"],
        vec!["check", "a.xlsx", "--format", "xml"],
        vec!["check", "a.xlsx", "--jobs", "many"],
        vec!["chekc", "a.xlsx"],
    ] {
        let o = jixiao(tmp.path(), &args.iter().map(|a| os(a)).collect::<Vec<_>>());
        let (out, err) = text(&o);
        let all = format!("{out}{err}");
        for word in english {
            assert!(!all.contains(word), "{args:?} says {word:?}:\n{all}");
        }
        let help = args.contains(&"--help");
        assert_eq!(
            o.status.code(),
            Some(if help { 0 } else { 2 }),
            "{args:?}\n{all}"
        );
        assert!(
            all.contains("用法") || all.contains("错误"),
            "{args:?}\n{all}"
        );
    }
    let o = jixiao(tmp.path(), &[os("check"), os("--bogus"), os("a.xlsx")]);
    assert!(
        text(&o).1.contains("不认识的选项“--bogus”"),
        "{:?}",
        text(&o)
    );
    let o = jixiao(tmp.path(), &[os("chekc"), os("a.xlsx")]);
    assert!(text(&o).1.contains("您是不是要用“check”"), "{:?}", text(&o));
    // The help's columns line up (CJK counted as two columns).
    let o = jixiao(tmp.path(), &[os("convert"), os("--help")]);
    let help = text(&o).0;
    let columns: Vec<usize> = help
        .lines()
        .filter(|l| l.trim_start().starts_with('-'))
        .map(|l| {
            let lead = l.len() - l.trim_start().len();
            let opt_end = lead + l[lead..].find("  ").expect("option and description");
            let desc = opt_end + l[opt_end..].find(|c: char| c != ' ').unwrap();
            unicode_width::UnicodeWidthStr::width(&l[..desc])
        })
        .collect();
    assert!(columns.len() > 5, "{help}");
    assert!(
        columns.iter().all(|c| *c == columns[0]),
        "{columns:?}\n{help}"
    );
}

/// Excel holds the copy open (it denies writing and deleting): the message says so, the other
/// file is still converted, and the run ends with 2.
#[cfg(windows)]
#[test]
fn an_output_held_open_by_excel_is_said_so() {
    use std::os::windows::fs::OpenOptionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("甲.xlsx");
    let b = tmp.path().join("乙.xlsx");
    std::fs::copy(root().join("samples/seed-2022.xlsx"), &a).unwrap();
    std::fs::copy(root().join("samples/seed-2022-corrected.xlsx"), &b).unwrap();
    let first = jixiao(tmp.path(), &[a.as_os_str(), b.as_os_str()]);
    assert_eq!(first.status.code(), Some(0), "{:?}", text(&first));
    let copy = tmp.path().join("甲_批注.xlsx");
    let before_b = std::fs::read(tmp.path().join("乙_标准.xlsx")).unwrap();
    const FILE_SHARE_READ: u32 = 1;
    let held = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ)
        .open(&copy)
        .unwrap();
    std::fs::remove_file(tmp.path().join("乙_标准.xlsx")).unwrap();
    let o = jixiao(tmp.path(), &[a.as_os_str(), b.as_os_str()]);
    let (out, err) = text(&o);
    drop(held);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("“甲_批注.xlsx”可能正在 Excel 或 WPS 中打开，请关闭后重试"),
        "{out}\n{err}"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("乙_标准.xlsx")).unwrap(),
        before_b
    );
    assert!(out.contains("1 个未能写出"), "{out}");
}
