//! The `jixiao` command line: `check`, `convert` and `rules`. Owns arguments, terminal output
//! and exit codes (0 no errors, 1 errors found, 2 a file could not be read or bad usage).

use clap::{Parser, Subcommand, ValueEnum};
use jixiao::edition::Edition;
use jixiao::workbook::{Limits, ReadError};
use jixiao::{Outcome, Status, annotate, check_workbook, json, output, report, rules};
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
    /// 列出全部校验规则
    Rules {
        /// 输出格式
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// 版本文件（TOML），默认使用内置的 2022 版
        #[arg(long, value_name = "FILE")]
        edition: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct Common {
    /// 指定版本：内置版本名（2022、hunan、hubei、shaanxi）或版本文件（TOML）；默认按栏目名称自动识别
    #[arg(long, value_name = "版本")]
    edition: Option<PathBuf>,
    /// 输出格式：text 为逐行问题，json 为每个文件一行的 JSON Lines
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    format: OutFormat,
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
    match cli.command {
        Command::Check { files, common } => run(&files, None, &common),
        Command::Convert {
            files,
            output,
            common,
        } => run(&files, Some(&output), &common),
        Command::Rules { format, edition } => {
            let ed = match load_edition(edition.as_deref()) {
                Ok(ed) => ed,
                Err(code) => return code,
            };
            print_rules(format, &ed);
            ExitCode::SUCCESS
        }
    }
}

fn load_edition(path: Option<&Path>) -> Result<Edition, ExitCode> {
    match path {
        None => Ok(Edition::builtin()),
        Some(p) => Edition::load(p).map_err(|e| {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }),
    }
}

/// The editions to detect from: the one `--edition` names (a file, or an embedded id such as
/// "hunan"), else every embedded edition.
fn candidate_editions(arg: Option<&Path>) -> Result<Vec<Edition>, ExitCode> {
    let Some(p) = arg else {
        return Ok(Edition::embedded());
    };
    if let Some(ed) = Edition::embedded()
        .into_iter()
        .find(|e| Some(e.edition.id.as_str()) == p.to_str())
    {
        return Ok(vec![ed]);
    }
    load_edition(Some(p)).map(|e| vec![e])
}

fn print_rules(format: RulesFormat, ed: &Edition) {
    match format {
        RulesFormat::Markdown => print!("{}", rules::markdown(ed)),
        RulesFormat::Text => {
            for r in rules::RULES {
                let sev = rules::effective_severity(r, ed)
                    .map(|s| s.zh())
                    .unwrap_or("关闭");
                println!("{}  {}  {}\n      建议：{}", r.code, sev, r.title, r.hint);
            }
        }
    }
}

fn run(files: &[PathBuf], out_dir: Option<&Path>, common: &Common) -> ExitCode {
    let eds = match candidate_editions(common.edition.as_deref()) {
        Ok(eds) => eds,
        Err(code) => return code,
    };
    let limits = common.limits();
    let mut worst = 0u8;
    // Files by exit code: no errors, errors, unreadable.
    let mut tally = [0usize; 3];
    let stdout = std::io::stdout();
    for path in files {
        let name = path.display().to_string();
        let outcome = match read_input(path, &limits) {
            Ok(bytes) => check_workbook(&name, &bytes, &eds, &limits),
            Err(reason) => {
                let outcome = Outcome {
                    file: name.clone(),
                    edition: eds[0].edition.id.clone(),
                    status: Status::Unreadable,
                    form: None,
                    findings: vec![rules::unreadable(&reason)],
                };
                (outcome, None)
            }
        };
        let (outcome, workbook) = outcome;
        let mut code = match outcome.status {
            Status::Unreadable => 2,
            Status::Errors => 1,
            Status::Ok | Status::Warnings => 0,
        };
        let mut written = Vec::new();
        let ed = eds
            .iter()
            .find(|e| e.edition.id == outcome.edition)
            .unwrap_or(&eds[0]);
        if let (Some(dir), Some(form), Some(wb)) =
            (out_dir, outcome.form.as_ref(), workbook.as_ref())
        {
            // The standardized workbook, then the annotated copy of the input.
            let outputs = [
                ("_标准", report::standard_workbook(&outcome, form, ed)),
                ("_批注", annotate::annotated_workbook(wb, &outcome)),
            ];
            for (suffix, bytes) in outputs {
                let target = output::output_path(path, dir, suffix);
                let result = bytes
                    .map_err(|e| output::OutputError::Xlsx(e.to_string()))
                    .and_then(|bytes| output::write_atomic(&target, &bytes, files));
                match result {
                    Ok(()) => written.push(target),
                    Err(e) => {
                        eprintln!("错误：{e}");
                        code = 2;
                    }
                }
            }
        }
        worst = worst.max(code);
        tally[usize::from(code)] += 1;
        let mut out = stdout.lock();
        let _ = match common.format {
            OutFormat::Json => writeln!(out, "{}", json::line(&outcome)),
            OutFormat::Text => write_text(&mut out, &outcome, ed, &written),
        };
    }
    if files.len() > 1 && matches!(common.format, OutFormat::Text) {
        println!(
            "\n合计 {} 个文件：{} 个没有错误，{} 个有错误，{} 个无法检查",
            files.len(),
            tally[0],
            tally[1],
            tally[2]
        );
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
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => "没有读取该文件的权限".to_string(),
        _ => format!("读取文件出错（{e}）"),
    })
}

fn write_text(
    out: &mut impl Write,
    o: &Outcome,
    ed: &Edition,
    written: &[PathBuf],
) -> std::io::Result<()> {
    match &o.form {
        Some(f) => {
            let evidence = if f.edition_evidence.is_empty() {
                String::new()
            } else {
                format!("（依据：{}）", f.edition_evidence.join("、"))
            };
            writeln!(
                out,
                "{}：工作表“{}”，{}{evidence}",
                o.file, f.sheet, ed.edition.name
            )?
        }
        None => writeln!(out, "{}：", o.file)?,
    }
    for f in &o.findings {
        writeln!(out, "{}", f.line())?;
    }
    writeln!(out, "{}", o.summary().line())?;
    for w in written {
        writeln!(out, "已生成 {}", w.display())?;
    }
    Ok(())
}
