//! What the command line was given, as the workbooks to check: files as they are; folders walked
//! (every .xlsx/.xls/.ods below, and every other file whose bytes are a workbook); glob patterns
//! expanded here (cmd and PowerShell pass them as typed). Excel's lock files (`~$…`), hidden and
//! temporary files, and jixiao's own outputs found in a folder are passed over and counted.

use std::path::{Path, PathBuf};

/// One workbook to check, and the folder its outputs mirror from.
pub struct Input {
    pub path: PathBuf,
    /// The folder the input was found under (a folder argument), or its own folder (a file
    /// argument): outputs keep the layout below it.
    pub root: PathBuf,
}

/// The inputs, with what was passed over.
#[derive(Default)]
pub struct Expanded {
    pub inputs: Vec<Input>,
    /// Lock files, hidden and temporary files.
    pub skipped: usize,
    /// jixiao's own outputs (…_标准.xlsx, …_批注.xlsx, 汇总.xlsx …) met in a folder.
    pub ours: usize,
    /// Patterns that matched nothing.
    pub unmatched: Vec<String>,
}

/// Whether a name is a lock file, a hidden file, or a temporary file.
fn passed_over(name: &str) -> bool {
    name.starts_with("~$")
        || name.starts_with('.')
        || name.ends_with('~')
        || name.to_lowercase().ends_with(".tmp")
        || name.to_lowercase().ends_with(".bak")
}

/// Whether a name is one of jixiao's outputs.
fn ours(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem.ends_with("_标准")
        || stem.ends_with("_批注")
        || stem.ends_with("_已清理")
        || stem.ends_with("_已修正")
        || stem.contains("（已修改")
        || stem == "汇总"
}

fn is_workbook_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".xlsx", ".xls", ".ods", ".xlsm", ".et"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// A file without a workbook's extension that is one all the same (sniffed from its bytes).
fn sniffs_as_workbook(path: &Path, max: u64) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if meta.len() == 0 || meta.len() > max {
        return false;
    }
    let mut head = [0u8; 8];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    if std::io::Read::read_exact(&mut f, &mut head).is_err() {
        return false;
    }
    // OLE (xls) or zip (xlsx/ods): read it whole to tell a workbook from a Word file or a zip.
    if head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return std::fs::read(path).is_ok_and(|b| jixiao::workbook::sniff(&b).is_ok());
    }
    false
}

/// Expands the arguments; `skip_under` is the output folder (never read as input).
pub fn expand(args: &[PathBuf], skip_under: Option<&Path>, max_bytes: u64) -> Expanded {
    let mut out = Expanded::default();
    let skip_under = skip_under.and_then(|d| std::fs::canonicalize(d).ok());
    for arg in args {
        let text = arg.to_string_lossy();
        let is_pattern = text.contains(['*', '?', '[']) && !arg.exists();
        if is_pattern {
            let mut any = false;
            if let Ok(paths) = glob::glob(&text) {
                for p in paths.flatten() {
                    any = true;
                    add(&mut out, &p, None, skip_under.as_deref(), max_bytes);
                }
            }
            if !any {
                out.unmatched.push(text.into_owned());
            }
            continue;
        }
        if arg.is_dir() {
            walk(&mut out, arg, arg, skip_under.as_deref(), max_bytes);
        } else {
            // A file named on the command line is always checked, whatever its name.
            out.inputs.push(Input {
                path: arg.clone(),
                root: parent(arg),
            });
        }
    }
    out
}

fn parent(p: &Path) -> PathBuf {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A path a pattern matched: a folder is walked, a file taken as a file argument is.
fn add(out: &mut Expanded, p: &Path, root: Option<&Path>, skip: Option<&Path>, max: u64) {
    if p.is_dir() {
        walk(out, p, root.unwrap_or(p), skip, max);
        return;
    }
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if passed_over(&name) {
        out.skipped += 1;
        return;
    }
    out.inputs.push(Input {
        path: p.to_path_buf(),
        root: root.map(Path::to_path_buf).unwrap_or_else(|| parent(p)),
    });
}

/// Every workbook below a folder, in name order (the same order on every run and platform).
fn walk(out: &mut Expanded, dir: &Path, root: &Path, skip: Option<&Path>, max: u64) {
    if let (Some(skip), Ok(here)) = (skip, std::fs::canonicalize(dir))
        && here.starts_with(skip)
    {
        return; // the output folder inside an input folder
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if passed_over(&name) {
            out.skipped += 1;
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(out, &p, root, skip, max);
        } else if is_workbook_name(&name) || (meta.is_file() && sniffs_as_workbook(&p, max)) {
            if ours(&name) {
                out.ours += 1;
                continue;
            }
            out.inputs.push(Input {
                path: p,
                root: root.to_path_buf(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_passed_over() {
        assert!(passed_over("~$申报表.xlsx"));
        assert!(passed_over(".~lock.申报表.xlsx#"));
        assert!(passed_over("申报表.xlsx.tmp"));
        assert!(!passed_over("申报表.xlsx"));
        assert!(
            ours("申报表_批注.xlsx") && ours("汇总.xlsx") && ours("申报表_批注（已修改）.xlsx")
        );
        assert!(!ours("申报表.xlsx"));
    }
}
