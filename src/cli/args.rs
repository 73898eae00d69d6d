//! The arguments as staff give them, and clap in Chinese. Workbooks or folders dragged onto the
//! program arrive as bare paths: they mean `convert`, with the outputs beside each input. Every
//! text clap shows (usage, headings, the help flag, errors) is Chinese here; a user never reads
//! clap's English.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};
use std::ffi::OsString;

/// What a user who double-clicked the program, or ran it with nothing, reads.
pub const HOW_TO: &str = "\
jixiao（绩效）：检查《省级部门（单位）整体绩效目标申报表》

怎么用：
  把一个或几个申报表文件（.xlsx、.xls、.ods），或整个文件夹，拖到 jixiao.exe 的图标上。
  jixiao 会逐个检查，在每个文件旁边生成：
    <名称>_批注.xlsx   您自己的工作簿，问题所在的单元格标了颜色并加了批注，改好后即可上传；
    <名称>_标准.xlsx   标准化的申报表，含“校验报告”工作表；
  检查多张申报表时，还会生成“汇总.xlsx”，列出每张表的问题和各类问题的数量。
  原文件不会被修改。

在命令行中：
  jixiao 申报表.xlsx                      同拖放：检查并在文件旁生成结果
  jixiao check 文件或文件夹…              只检查，在窗口中列出问题
  jixiao convert 文件或文件夹… -o 输出目录  检查并把结果写到输出目录
  jixiao template                         生成带下拉列表和填写提示的空白申报表模板
  jixiao --help                           查看全部命令和选项";

/// The template of every help page: the description, the usage, the arguments.
const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// The command line with clap's own texts in Chinese.
pub fn command(base: Command) -> Command {
    let zh = |c: Command| {
        c.disable_help_flag(true)
            .help_template(TEMPLATE)
            .mut_args(|a| {
                let heading = if a.is_positional() {
                    "参数"
                } else {
                    "选项"
                };
                a.help_heading(heading)
            })
            .arg(
                Arg::new("help")
                    .short('h')
                    .long("help")
                    .action(ArgAction::Help)
                    .help("显示帮助")
                    .help_heading("选项"),
            )
    };
    let base = base
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本"),
        )
        .override_usage("jixiao <命令> [选项]\n      jixiao <申报表文件或文件夹>…（拖到 jixiao.exe 上也一样：检查并在文件旁生成结果）")
        .mut_subcommands(zh);
    zh(base)
}

/// Bare paths with no command (a drag and drop, or `jixiao 申报表.xlsx`) become `convert`.
pub fn with_default_command(mut args: Vec<OsString>, commands: &[String]) -> Vec<OsString> {
    let Some(first) = args.get(1) else {
        return args;
    };
    let text = first.to_string_lossy();
    // A path (it exists, or it has a folder, an extension or a pattern in it); a mistyped command
    // ("chekc") is left to clap, which names the command it resembles.
    let path_like =
        std::path::Path::new(first).exists() || text.contains(['/', '\\', '.', '*', '?']);
    if !text.starts_with('-') && !commands.iter().any(|c| *c == text) && path_like {
        args.insert(1, OsString::from("convert"));
    }
    args
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    e.get(kind).map(|v| match v {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join("、"),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(v) => v
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("、"),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        ContextValue::None => String::new(),
        _ => String::new(),
    })
}

/// A clap error in Chinese: what is wrong, a suggestion when clap has one, and where to look.
/// `None` for help and version, which clap prints as they are (their texts are ours).
pub fn zh_error(e: &clap::Error) -> Option<String> {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut msg = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return None,
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            return Some(HOW_TO.to_string());
        }
        ErrorKind::MissingRequiredArgument => format!("错误：缺少必需的参数 {}", zh_arg(&arg)),
        ErrorKind::UnknownArgument => format!("错误：不认识的选项“{arg}”"),
        ErrorKind::InvalidSubcommand => format!(
            "错误：不认识的命令“{}”",
            context(e, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue => {
            let valid = context(e, ContextKind::ValidValue)
                .map(|v| format!("，可用的值：{v}"))
                .unwrap_or_default();
            if value.is_empty() {
                format!("错误：{} 后面缺少值{valid}", zh_arg(&arg))
            } else {
                format!("错误：“{value}”不是 {} 的有效值{valid}", zh_arg(&arg))
            }
        }
        ErrorKind::ValueValidation => {
            format!(
                "错误：“{value}”不是 {} 的有效值（应为一个数）",
                zh_arg(&arg)
            )
        }
        ErrorKind::ArgumentConflict => format!(
            "错误：{} 不能和 {} 同时使用",
            zh_arg(&arg),
            zh_arg(&context(e, ContextKind::PriorArg).unwrap_or_default())
        ),
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => format!("错误：{} 的值的个数不对", zh_arg(&arg)),
        _ => "错误：命令行参数有误".to_string(),
    };
    if let Some(s) = context(e, ContextKind::SuggestedArg)
        .or_else(|| context(e, ContextKind::SuggestedSubcommand))
        .or_else(|| context(e, ContextKind::SuggestedValue))
    {
        msg.push_str(&format!("；您是不是要用“{s}”？"));
    }
    if matches!(e.kind(), ErrorKind::UnknownArgument)
        && let Some(t) = context(e, ContextKind::TrailingArg)
        && t == "true"
    {
        msg.push_str(&format!("；若“{arg}”是文件名，请写成 -- {arg}"));
    }
    msg.push_str("\n用 jixiao --help 查看用法");
    Some(msg)
}

/// clap names an argument as `<FILES>...` or `--output <OUTPUT>`: keep what the user types.
fn zh_arg(arg: &str) -> String {
    let a = arg.trim();
    if a.is_empty() {
        return "参数".to_string();
    }
    format!("“{a}”")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds() -> Vec<String> {
        ["check", "convert", "clean", "rules"]
            .map(String::from)
            .to_vec()
    }

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn bare_paths_mean_convert() {
        let dropped = os(&["jixiao.exe", r"C:\Users\张三\桌面\申报 表.xlsx", r"D:\收件"]);
        let args = with_default_command(dropped, &cmds());
        assert_eq!(args[1], "convert");
        assert_eq!(args.len(), 4);
        for kept in [
            os(&["jixiao", "check", "a.xlsx"]),
            os(&["jixiao", "chekc", "a.xlsx"]),
            os(&["jixiao", "--help"]),
            os(&["jixiao"]),
        ] {
            assert_eq!(with_default_command(kept.clone(), &cmds()), kept);
        }
    }

    #[test]
    fn the_how_to_is_chinese() {
        assert!(HOW_TO.contains("拖到 jixiao.exe"));
        assert!(!HOW_TO.contains("Usage"));
    }
}
