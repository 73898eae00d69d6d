//! The `jixiao` command line: `check`, `convert`, `clean` and `rules`. Owns the arguments and
//! the exit codes (0 no errors, 1 errors found, 2 a file could not be read or written, or bad
//! usage); the batch (`cli/batch.rs`), the inputs (`cli/inputs.rs`), files (`cli/files.rs`) and
//! what is printed (`cli/terminal.rs`) are the door's parts around the core.

#[path = "cli/batch.rs"]
mod batch;
#[path = "cli/files.rs"]
mod files;
#[path = "cli/inputs.rs"]
mod inputs;
#[path = "cli/terminal.rs"]
mod terminal;

use clap::{Parser, Subcommand, ValueEnum};
use jixiao::edition::Edition;
use jixiao::rules;
use jixiao::workbook::Limits;
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
    Check {
        /// 申报表文件（xlsx、xls、ods）、文件夹或通配符（如 *.xlsx），可多个
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 另外生成汇总工作簿到这个文件
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// 检查并生成标准化工作簿（含“校验报告”工作表）和标出问题的批注副本
    Convert {
        /// 申报表文件（xlsx、xls、ods）、文件夹或通配符（如 *.xlsx），可多个
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 输出目录（不存在时自动创建）
        #[arg(short, long)]
        output: PathBuf,
        /// 汇总工作簿写到这个文件（默认为输出目录中的“汇总.xlsx”）
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
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
        Command::Check {
            files,
            summary,
            common,
        } => run(&files, None, summary.as_deref(), &common, &mut out),
        Command::Convert {
            files,
            output,
            summary,
            common,
        } => run(&files, Some(&output), summary.as_deref(), &common, &mut out),
        Command::Clean { files, output } => files::clean(&files, output.as_deref(), &mut out),
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

/// `check` and `convert`: the batch over the inputs.
fn run(
    files: &[PathBuf],
    out_dir: Option<&Path>,
    summary: Option<&Path>,
    common: &Common,
    out: &mut Out,
) -> ExitCode {
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
        out_dir,
        editions: &eds,
        limits: common.limits(),
        json: matches!(common.format, OutFormat::Json),
        verbose: common.verbose,
        jobs,
        summary,
    };
    ExitCode::from(batch::run(&r, out))
}
