//! The command line's files: reading an input within the limits, writing outputs (never over an
//! input, never over an output the user edited), and `jixiao clean`.

use super::terminal::Out;
use jixiao::output::{self, InputSet};
use jixiao::workbook::{Limits, ReadError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads an input file, with a Chinese reason when it cannot be read. The size is checked
/// before reading, so a huge file is never loaded.
pub fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
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

/// An output already there that is not exactly what jixiao wrote (the user edited it, or it is
/// not jixiao's at all) is renamed to `…（已修改）.xlsx` before it is replaced.
pub fn keep_if_edited(target: &Path, kept: &mut Vec<(PathBuf, PathBuf)>) -> Result<(), String> {
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
        if jixiao::ioerror::held_open(&e) {
            output::OutputError::HeldOpen(output::file_name(target)).to_string()
        } else {
            format!(
                "“{}”已被修改过，但无法另存（{}），未覆盖它",
                target.display(),
                jixiao::ioerror::reason(&e)
            )
        }
    })?;
    kept.push((target.to_path_buf(), aside));
    Ok(())
}

/// `jixiao clean`: each annotated copy given back as the user's workbook for upload.
pub fn clean(files: &[PathBuf], out_dir: Option<&Path>, out: &mut Out) -> ExitCode {
    let limits = Limits::default();
    let inputs = InputSet::of(files);
    let mut written = Vec::new();
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
        let result = output::refuse_input(&target, &inputs)
            .map_err(|e| e.to_string())
            .and_then(|_| keep_if_edited(&target, &mut kept))
            .and_then(|_| {
                output::write_atomic(&target, &cleaned, &inputs).map_err(|e| e.to_string())
            });
        if result.is_ok() {
            written.push(target.clone());
        }
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
    output::sync(&written);
    ExitCode::from(worst)
}

/// `jixiao template`: the blank form of an edition, to `output` (a file, or a folder for the
/// default name), else to `<版本>申报表模板.xlsx` here. A file already there that differs from
/// the template (a filled copy) is kept aside as `…（已修改）.xlsx`, never written over.
pub fn template(ed: &jixiao::edition::Edition, output: Option<&Path>, out: &mut Out) -> ExitCode {
    let name = jixiao::template::file_name(ed);
    let target = match output {
        None => PathBuf::from(&name),
        Some(p) if p.is_dir() || p.as_os_str().to_string_lossy().ends_with(['/', '\\']) => {
            p.join(&name)
        }
        Some(p) => p.to_path_buf(),
    };
    let xlsx = target
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !xlsx {
        out.err(&format!(
            "错误：模板是 .xlsx 工作簿，请把 -o 写成以 .xlsx 结尾的文件名或一个文件夹（而不是“{}”）",
            target.display()
        ));
        return ExitCode::from(2);
    }
    let bytes = match jixiao::template::build(ed) {
        Ok(t) => t.bytes,
        Err(e) => {
            out.err(&format!("错误：无法生成模板（{e}）"));
            return ExitCode::from(2);
        }
    };
    if std::fs::read(&target).is_ok_and(|b| b != bytes) {
        let aside = output::edited_name(&target);
        if let Err(e) = std::fs::rename(&target, &aside) {
            out.err(&format!(
                "错误：“{}”已存在且与模板不同，但无法另存（{}），未覆盖它",
                target.display(),
                jixiao::ioerror::reason(&e)
            ));
            return ExitCode::from(2);
        }
        out.line(&format!(
            "已将已有的“{}”另存为“{}”",
            target.display(),
            aside.display()
        ));
    }
    match output::write_atomic(&target, &bytes, &InputSet::of(&[])) {
        Ok(()) => {
            output::sync(std::slice::from_ref(&target));
            out.line(&format!("已生成 {}", target.display()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            out.err(&format!("错误：未能写出模板：{e}"));
            ExitCode::from(2)
        }
    }
}
