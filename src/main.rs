//! The `jixiao` command line: `check`, `convert` and `rules`. Owns arguments, terminal output
//! and exit codes (0 no errors, 1 errors found, 2 a file could not be read or written, or bad
//! usage).

use clap::{Parser, Subcommand, ValueEnum};
use jixiao::edition::Edition;
use jixiao::finding::{Finding, Severity};
use jixiao::output::OutputBase;
use jixiao::workbook::{Limits, ReadError};
use jixiao::{FileResult, Options, Outcome, Outputs, Status, json, output, process, rules};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "检查《省级部门（单位）整体绩效目标申报表》，生成标准化工作簿和校验报告"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 只检查，在终端列出问题
    Check {
        /// 申报表文件（xlsx、xls、ods），可多个
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// 检查并生成标准化工作簿（含“校验报告”工作表）和标出问题的批注副本
    Convert {
        /// 申报表文件（xlsx、xls、ods），可多个
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 输出目录（不存在时自动创建）
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// 去掉批注副本中 jixiao 加的标记、批注和“校验报告”工作表，得到可上传的工作簿
    Clean {
        /// 改好的批注副本（…_批注.xlsx），可多个
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 输出目录（默认为各文件所在的文件夹）
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// 列出全部校验规则
    Rules {
        /// 输出格式
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// 版本：内置版本名（2022、hunan、hubei、shaanxi）或版本文件（TOML），默认 2022
        #[arg(long, value_name = "版本")]
        edition: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct Common {
    /// 指定版本：内置版本名（2022、hunan、hubei、shaanxi）或版本文件（TOML）；默认按栏目名称自动识别
    #[arg(long, value_name = "版本")]
    edition: Option<PathBuf>,
    /// 输出格式：text 为逐行问题，json 为每张申报表一行的 JSON Lines
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    format: OutFormat,
    /// 逐条列出无需处理的提示（默认每种提示合并为一行）
    #[arg(long)]
    verbose: bool,
    /// 输入文件大小上限（MB）
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_file_bytes >> 20)]
    max_file_mb: u64,
    /// xlsx/ods 解压后大小上限（MB），防止压缩炸弹
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_unzipped_bytes >> 20)]
    max_unzipped_mb: u64,
    /// 单个工作簿的非空单元格数上限
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_cells)]
    max_cells: u64,
}

impl Common {
    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_mb.saturating_mul(1 << 20),
            max_unzipped_bytes: self.max_unzipped_mb.saturating_mul(1 << 20),
            max_cells: self.max_cells,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum OutFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Markdown,
}

fn main() -> ExitCode {
    jixiao::workbook::install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let mut out = Out::new();
    match cli.command {
        Command::Check { files, common } => run(&files, None, &common, &mut out),
        Command::Convert {
            files,
            output,
            common,
        } => run(&files, Some(&output), &common, &mut out),
        Command::Clean { files, output } => clean(&files, output.as_deref(), &mut out),
        Command::Rules { format, edition } => {
            let ed = match edition {
                None => Edition::builtin(),
                Some(p) => match Edition::by_name_or_path(&p) {
                    Ok(ed) => ed,
                    Err(e) => {
                        out.err(&format!("错误：{e}"));
                        return ExitCode::from(2);
                    }
                },
            };
            print_rules(format, &ed, &mut out);
            ExitCode::SUCCESS
        }
    }
}

/// Standard output and error that never panic: once a reader has gone (`jixiao … | head -1`),
/// further output is dropped quietly and the run ends with its usual exit status.
struct Out {
    stdout: std::io::Stdout,
    closed: bool,
}

impl Out {
    fn new() -> Out {
        Out {
            stdout: std::io::stdout(),
            closed: false,
        }
    }

    fn line(&mut self, s: &str) {
        if self.closed {
            return;
        }
        let mut lock = self.stdout.lock();
        if writeln!(lock, "{s}").and_then(|_| lock.flush()).is_err() {
            self.closed = true;
        }
    }

    fn err(&mut self, s: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{s}");
    }
}

/// The editions to detect from: the one `--edition` names (an embedded id such as "hunan", or a
/// file), else every embedded edition.
fn candidate_editions(arg: Option<&Path>, out: &mut Out) -> Result<Vec<Edition>, ExitCode> {
    let Some(p) = arg else {
        return Ok(Edition::embedded());
    };
    Edition::by_name_or_path(p).map(|e| vec![e]).map_err(|e| {
        out.err(&format!("错误：{e}"));
        ExitCode::from(2)
    })
}

fn print_rules(format: RulesFormat, ed: &Edition, out: &mut Out) {
    match format {
        RulesFormat::Markdown => {
            for l in rules::markdown(ed).lines() {
                out.line(l);
            }
        }
        RulesFormat::Text => {
            for r in rules::RULES {
                let sev = rules::effective_severity(r, ed)
                    .map(|s| s.zh())
                    .unwrap_or("关闭");
                out.line(&format!(
                    "{}  {}  {}\n      建议：{}",
                    r.code, sev, r.title, r.hint
                ));
            }
        }
    }
}

/// How one input ended, for the exit status and the tally.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ending {
    Clean,
    Errors,
    Unreadable,
    Unwritten,
}

impl Ending {
    fn exit_code(self) -> u8 {
        match self {
            Ending::Clean => 0,
            Ending::Errors => 1,
            Ending::Unreadable | Ending::Unwritten => 2,
        }
    }
}

fn run(files: &[PathBuf], out_dir: Option<&Path>, common: &Common, out: &mut Out) -> ExitCode {
    let eds = match candidate_editions(common.edition.as_deref(), out) {
        Ok(eds) => eds,
        Err(code) => return code,
    };
    let opts = Options {
        editions: &eds,
        limits: common.limits(),
        outputs: if out_dir.is_some() {
            Outputs::ALL
        } else {
            Outputs::default()
        },
    };
    let bases = out_dir.map(|d| output::plan(files, d));
    let mut terminal = Terminal {
        verbose: common.verbose,
        hinted: HashSet::new(),
    };
    let mut worst = 0u8;
    let mut tally = [0usize; 4];
    for (i, path) in files.iter().enumerate() {
        let name = path.display().to_string();
        let result = match read_input(path, &opts.limits) {
            Ok(bytes) => process(&name, &bytes, &opts),
            Err(reason) => FileResult::unreadable(&name, &reason, &eds),
        };
        let mut ending = match result.status() {
            Status::Unreadable => Ending::Unreadable,
            Status::Errors => Ending::Errors,
            Status::Ok | Status::Warnings => Ending::Clean,
        };
        let mut written = Vec::new();
        let mut kept = Vec::new();
        if let Some(bases) = &bases {
            let failures = write_outputs(&bases[i], &result, files, &mut written, &mut kept);
            if !failures.is_empty() {
                out.err(&format!(
                    "错误：未能写出“{name}”的结果：{}",
                    failures.join("；")
                ));
                ending = Ending::Unwritten;
            }
        }
        for (from, to) in &kept {
            let line = format!(
                "已将您修改过的“{}”另存为“{}”，再写入新的结果",
                from.display(),
                to.display()
            );
            match common.format {
                OutFormat::Text => out.line(&line),
                OutFormat::Json => out.err(&line),
            }
        }
        for o in result.outputs.iter().filter_map(|o| o.note.as_ref()) {
            out.err(&format!("注意：{name}：{o}"));
        }
        worst = worst.max(ending.exit_code());
        tally[ending as usize] += 1;
        for o in &result.outcomes {
            match common.format {
                OutFormat::Json => out.line(&json::line(o)),
                OutFormat::Text => {
                    for l in terminal.lines(o) {
                        out.line(&l);
                    }
                }
            }
        }
        if matches!(common.format, OutFormat::Text) {
            for w in &written {
                out.line(&format!("已生成 {}", w.display()));
            }
        }
    }
    if files.len() > 1 && matches!(common.format, OutFormat::Text) {
        let unwritten = if out_dir.is_some() {
            format!("，{} 个未能写出", tally[3])
        } else {
            String::new()
        };
        out.line(&format!(
            "\n合计 {} 个文件：{} 个没有错误，{} 个有错误，{} 个无法检查{unwritten}",
            files.len(),
            tally[0],
            tally[1],
            tally[2]
        ));
    }
    ExitCode::from(worst)
}

/// Writes the outputs the core built; returns why outputs could not be written, each reason
/// once. An existing output the user has edited since jixiao wrote it is kept under a new name
/// first (`kept`).
fn write_outputs(
    base: &OutputBase,
    result: &FileResult,
    inputs: &[PathBuf],
    written: &mut Vec<PathBuf>,
    kept: &mut Vec<(PathBuf, PathBuf)>,
) -> Vec<String> {
    let mut failures: Vec<String> = Vec::new();
    for o in &result.outputs {
        let target = base.path(o.kind.sheet(), o.kind.suffix());
        let done = o.bytes.as_ref().map_err(|e| e.clone()).and_then(|b| {
            output::refuse_input(&target, inputs).map_err(|e| e.to_string())?;
            keep_if_edited(&target, kept)?;
            output::write_atomic(&target, b, inputs).map_err(|e| e.to_string())
        });
        match done {
            Ok(()) => written.push(target),
            Err(reason) => {
                if !failures.contains(&reason) {
                    failures.push(reason);
                }
            }
        }
    }
    failures
}

/// An output already there that is not exactly what jixiao wrote (the user edited it, or it is
/// not jixiao's at all) is renamed to `…（已修改）.xlsx` before it is replaced.
fn keep_if_edited(target: &Path, kept: &mut Vec<(PathBuf, PathBuf)>) -> Result<(), String> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(()); // nothing there
    };
    if !meta.is_file() {
        return Ok(()); // write_atomic says why it cannot replace it
    }
    let bytes = std::fs::read(target).map_err(|e| {
        format!(
            "无法读取已有的 {}（{}）",
            target.display(),
            jixiao::ioerror::reason(&e)
        )
    })?;
    if jixiao::patch::untouched(&bytes) {
        return Ok(());
    }
    let aside = output::edited_name(target);
    std::fs::rename(target, &aside).map_err(|e| {
        format!(
            "“{}”已被修改过，但无法另存（{}），未覆盖它",
            target.display(),
            jixiao::ioerror::reason(&e)
        )
    })?;
    kept.push((target.to_path_buf(), aside));
    Ok(())
}

/// `jixiao clean`: each annotated copy given back as the user's workbook for upload.
fn clean(files: &[PathBuf], out_dir: Option<&Path>, out: &mut Out) -> ExitCode {
    let limits = Limits::default();
    let mut worst = 0u8;
    for path in files {
        let name = path.display().to_string();
        let bytes = match read_input(path, &limits) {
            Ok(b) => b,
            Err(reason) => {
                out.err(&format!("错误：{name}：{reason}"));
                worst = 2;
                continue;
            }
        };
        let cleaned = match jixiao::patch::clean(&bytes, &limits) {
            Ok(c) => c,
            Err(e) => {
                out.err(&format!("错误：{name}：{e}"));
                worst = 2;
                continue;
            }
        };
        let target = output::cleaned_path(path, out_dir);
        let mut kept = Vec::new();
        let result = output::refuse_input(&target, files)
            .map_err(|e| e.to_string())
            .and_then(|_| keep_if_edited(&target, &mut kept))
            .and_then(|_| {
                output::write_atomic(&target, &cleaned, files).map_err(|e| e.to_string())
            });
        for (from, to) in kept {
            out.line(&format!(
                "已将您修改过的“{}”另存为“{}”",
                from.display(),
                to.display()
            ));
        }
        match result {
            Ok(()) => out.line(&format!("已清理 {name}，生成 {}", target.display())),
            Err(e) => {
                out.err(&format!("错误：未能写出“{name}”的结果：{e}"));
                worst = 2;
            }
        }
    }
    ExitCode::from(worst)
}

/// Reads an input file, with a Chinese reason when it cannot be read. The size is checked
/// before reading, so a huge file is never loaded.
fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => return Err("这是一个文件夹，不是工作簿文件".to_string()),
        // A pipe or device would block or never end: only regular files are read.
        Ok(m) if !m.is_file() => return Err("这不是普通文件（可能是管道或设备）".to_string()),
        Ok(m) if m.len() > limits.max_file_bytes => {
            return Err(ReadError::FileTooLarge {
                size: m.len() >> 20,
                limit: limits.max_file_bytes >> 20,
            }
            .to_string());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("文件不存在".to_string());
        }
        _ => {}
    }
    std::fs::read(path).map_err(|e| format!("读取文件出错（{}）", jixiao::ioerror::reason(&e)))
}

/// The terminal rendering: the hint of a code the first time it appears in the run; 提示 that
/// need no action counted in one line per code unless `--verbose`.
struct Terminal {
    verbose: bool,
    hinted: HashSet<&'static str>,
}

impl Terminal {
    fn lines(&mut self, o: &Outcome) -> Vec<String> {
        let mut lines = Vec::new();
        match &o.form {
            Some(f) => {
                let evidence = if f.edition_evidence.is_empty() {
                    String::new()
                } else {
                    format!("（依据：{}）", f.edition_evidence.join("、"))
                };
                lines.push(format!(
                    "{}：工作表“{}”，{}{evidence}",
                    o.file, f.sheet, o.edition_name
                ));
            }
            None => lines.push(format!("{}：", o.file)),
        }
        let (infos, others): (Vec<&Finding>, Vec<&Finding>) = o
            .findings
            .iter()
            .partition(|f| f.severity == Severity::Info);
        for f in others {
            lines.push(self.line(f));
        }
        // 提示 of one code that say the same thing (their group) fold into one line.
        let mut groups: Vec<(&'static str, Option<&str>, Vec<&Finding>)> = Vec::new();
        for f in infos {
            let key = (f.code, f.group.as_deref());
            match groups.iter_mut().find(|(c, g, _)| (*c, *g) == key) {
                Some((_, _, members)) => members.push(f),
                None => groups.push((f.code, f.group.as_deref(), vec![f])),
            }
        }
        for (code, group, members) in groups {
            if self.verbose || members.len() == 1 {
                for f in members {
                    lines.push(self.line(f));
                }
                continue;
            }
            let what = group
                .map(str::to_string)
                .or_else(|| rules::rule(code).map(|r| r.title.to_string()))
                .unwrap_or_default();
            let sheet = o.sheet.as_deref().unwrap_or_default();
            let cells: Vec<String> = members
                .iter()
                .take(10)
                .map(|f| match f.cell {
                    Some(c) if f.sheet == sheet => c.to_string(),
                    _ => f.location(),
                })
                .collect();
            let more = if members.len() > 10 { " 等" } else { "" };
            lines.push(format!(
                "{sheet}: 提示[{code}] {} 处{what}：{}{more}（加 --verbose 逐条列出）",
                members.len(),
                cells.join("、")
            ));
        }
        lines.push(o.summary().line());
        lines
    }

    /// One finding; its code's hint only the first time the code appears.
    fn line(&mut self, f: &Finding) -> String {
        if self.hinted.insert(f.code) {
            f.line()
        } else {
            f.line_without_hint()
        }
    }
}
