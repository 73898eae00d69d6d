//! The `jixiao` command line: `check`, `convert`, `fix`, `clean`, `template` and `rules`. Owns the arguments and
//! the exit codes (0 no errors, 1 errors found, 2 a file could not be read or written, or bad
//! usage); the batch (`cli/batch.rs`), the inputs (`cli/inputs.rs`), files (`cli/files.rs`) and
//! what is printed (`cli/terminal.rs`) are the door's parts around the core.

#[path = "cli/args.rs"]
mod args;
#[path = "cli/batch.rs"]
mod batch;
#[path = "cli/console.rs"]
mod console;
#[path = "cli/files.rs"]
mod files;
#[path = "cli/inputs.rs"]
mod inputs;
#[path = "cli/terminal.rs"]
mod terminal;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use jixiao::edition::Edition;
use jixiao::rules;
use jixiao::workbook::Limits;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use terminal::Out;

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
    #[command(override_usage = "jixiao check <文件或文件夹>… [选项]")]
    Check {
        /// 申报表文件（xlsx、xls、ods）、文件夹或通配符（如 *.xlsx），可多个
        #[arg(required = true, value_name = "文件或文件夹")]
        files: Vec<PathBuf>,
        /// 另外生成汇总工作簿到这个文件
        #[arg(long, value_name = "文件")]
        summary: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// 检查并生成标准化工作簿（含“校验报告”工作表）和标出问题的批注副本
    #[command(override_usage = "jixiao convert <文件或文件夹>… [-o 目录] [选项]")]
    Convert {
        /// 申报表文件（xlsx、xls、ods）、文件夹或通配符（如 *.xlsx），可多个
        #[arg(required = true, value_name = "文件或文件夹")]
        files: Vec<PathBuf>,
        /// 输出目录（不存在时自动创建；不写时结果放在各文件旁边）
        #[arg(short, long, value_name = "目录")]
        output: Option<PathBuf>,
        /// 汇总工作簿写到这个文件（默认为输出目录中的“汇总.xlsx”）
        #[arg(long, value_name = "文件")]
        summary: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// 自动修正机械性的错漏（全角数字、文本数字、比较符写法、值中的 %），写出“…_已修正.xlsx”
    Fix {
        /// 申报表文件（xlsx、xls、ods）、文件夹或通配符（如 *.xlsx），可多个
        #[arg(required = true, value_name = "文件或文件夹")]
        files: Vec<PathBuf>,
        /// 输出目录（不存在时自动创建；不写时结果放在各文件旁边）
        #[arg(short, long, value_name = "目录")]
        output: Option<PathBuf>,
        /// 也应用不安全的修正（会改变申报的指标值类型，如比率“≥100”改为“=100”、满意率的“≤”改为“≥”）
        #[arg(long)]
        unsafe_fixes: bool,
        #[command(flatten)]
        common: Common,
    },
    /// 去掉批注副本中 jixiao 加的标记、批注和“校验报告”工作表，得到可上传的工作簿
    #[command(override_usage = "jixiao clean <文件>… [-o 目录]")]
    Clean {
        /// 改好的批注副本（…_批注.xlsx），可多个
        #[arg(required = true, value_name = "文件")]
        files: Vec<PathBuf>,
        /// 输出目录（默认为各文件所在的文件夹）
        #[arg(short, long, value_name = "目录")]
        output: Option<PathBuf>,
    },
    /// 生成空白申报表模板（下拉列表、填写提示、通用指标已填好），写出“<版本>申报表模板.xlsx”
    #[command(override_usage = "jixiao template [--edition 版本] [-o 文件]")]
    Template {
        /// 版本：内置版本名（2022、hunan、hubei、shaanxi）或版本文件（TOML），默认 2022
        #[arg(long, value_name = "版本")]
        edition: Option<PathBuf>,
        /// 写到这个文件或文件夹（默认当前文件夹中的“<版本>申报表模板.xlsx”）
        #[arg(short, long, value_name = "文件")]
        output: Option<PathBuf>,
    },
    /// 列出全部校验规则
    #[command(override_usage = "jixiao rules [选项]")]
    Rules {
        /// 输出格式：text（默认）或 markdown
        #[arg(long, value_enum, default_value_t = RulesFormat::Text, hide_default_value = true, hide_possible_values = true, value_name = "格式")]
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
    /// 输出格式：text（默认）为逐行问题，json 为每张申报表一行的 JSON Lines
    #[arg(long, value_enum, default_value_t = OutFormat::Text, hide_default_value = true, hide_possible_values = true, value_name = "格式")]
    format: OutFormat,
    /// 逐条列出无需处理的提示（默认每种提示合并为一行）
    #[arg(long)]
    verbose: bool,
    /// 输入文件大小上限（MB，默认 50）
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_file_bytes >> 20, hide_default_value = true)]
    max_file_mb: u64,
    /// xlsx/ods 解压后大小上限（MB，默认 500），防止压缩炸弹
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_unzipped_bytes >> 20, hide_default_value = true)]
    max_unzipped_mb: u64,
    /// 单个工作簿的非空单元格数上限（默认 2000000）
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_cells, hide_default_value = true)]
    max_cells: u64,
    /// 同时处理的文件数（默认等于处理器核数）
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
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

/// glibc raises its mmap threshold each time a large block is freed, after which every output
/// buffer (a few hundred KB to MBs, grown and freed once per form) comes from the per-thread
/// heaps and fragments them: a 2,000-form batch then held 80 MB for 15 MB of live data. A fixed
/// threshold keeps large buffers in their own mappings, returned whole when freed.
fn steady_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn main() -> ExitCode {
    jixiao::workbook::install_panic_hook();
    steady_memory();
    // Started from Explorer (a drag and drop, a double-click), the window closes when the
    // program ends: it then waits for Enter so what it printed can be read.
    let owned = console::owns_console();
    let code = start(std::env::args_os().collect(), owned);
    console::pause_if_owned(owned);
    code
}

fn start(raw: Vec<OsString>, owned: bool) -> ExitCode {
    let mut out = Out::new();
    if raw.len() <= 1 {
        out.line(args::HOW_TO);
        return ExitCode::from(if owned { 0 } else { 2 });
    }
    let cmd = args::command(Cli::command());
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let matches = match cmd.try_get_matches_from(args::with_default_command(raw, &names)) {
        Ok(m) => m,
        Err(e) => {
            return match args::zh_error(&e) {
                None => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                Some(msg) => {
                    out.err(&msg);
                    ExitCode::from(2)
                }
            };
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            out.err(&args::zh_error(&e).unwrap_or_default());
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Check {
            files,
            summary,
            common,
        } => run(&files, None, summary.as_deref(), None, &common, &mut out),
        Command::Convert {
            files,
            output,
            summary,
            common,
        } => {
            let dest = dest(output.as_deref());
            run(
                &files,
                Some(dest),
                summary.as_deref(),
                None,
                &common,
                &mut out,
            )
        }
        Command::Fix {
            files,
            output,
            unsafe_fixes,
            common,
        } => {
            let dest = dest(output.as_deref());
            let upto = if unsafe_fixes {
                jixiao::finding::FixKind::Unsafe
            } else {
                jixiao::finding::FixKind::Safe
            };
            run(&files, Some(dest), None, Some(upto), &common, &mut out)
        }
        Command::Clean { files, output } => files::clean(&files, output.as_deref(), &mut out),
        Command::Template { edition, output } => {
            let ed = match one_edition(edition.as_deref(), &mut out) {
                Ok(ed) => ed,
                Err(code) => return code,
            };
            files::template(&ed, output.as_deref(), &mut out)
        }
        Command::Rules { format, edition } => {
            let ed = match one_edition(edition.as_deref(), &mut out) {
                Ok(ed) => ed,
                Err(code) => return code,
            };
            print_rules(format, &ed, &mut out);
            ExitCode::SUCCESS
        }
    }
}

/// The edition `--edition` names (an embedded id or a file), else the 2022 edition.
fn one_edition(arg: Option<&Path>, out: &mut Out) -> Result<Edition, ExitCode> {
    match arg {
        None => Ok(Edition::builtin()),
        Some(p) => Edition::by_name_or_path(p).map_err(|e| {
            out.err(&format!("错误：{e}"));
            ExitCode::from(2)
        }),
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
                let fix = match r.fix {
                    Some(_) => format!("\n      自动修正：{}", rules::fix_words(r.fix)),
                    None => String::new(),
                };
                out.line(&format!(
                    "{}  {}  {}\n      建议：{}{fix}",
                    r.code, sev, r.title, r.hint
                ));
            }
        }
    }
}

/// Where `convert` and `fix` write: under `-o DIR`, else beside each input.
fn dest(output: Option<&Path>) -> batch::Dest<'_> {
    match output {
        Some(d) => batch::Dest::Dir(d),
        None => batch::Dest::Beside,
    }
}

/// `check`, `convert` and `fix`: the batch over the inputs.
fn run(
    files: &[PathBuf],
    dest: Option<batch::Dest>,
    summary: Option<&Path>,
    fix: Option<jixiao::finding::FixKind>,
    common: &Common,
    out: &mut Out,
) -> ExitCode {
    if matches!(common.format, OutFormat::Json) {
        out.json();
    }
    let eds = match candidate_editions(common.edition.as_deref(), out) {
        Ok(eds) => eds,
        Err(code) => return code,
    };
    let jobs = common.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let r = batch::Run {
        args: files,
        dest,
        editions: &eds,
        limits: common.limits(),
        json: matches!(common.format, OutFormat::Json),
        verbose: common.verbose,
        jobs,
        summary,
        fix,
    };
    ExitCode::from(batch::run(&r, out))
}
