//! Writing output files safely: whole or not at all (a temporary file beside the target, then a
//! rename), never over an input file, whatever path spelling or symlink leads to it; and naming
//! outputs so that two inputs never share one. Policy for an existing output: it is replaced
//! (outputs are generated; inputs never are).

use crate::ioerror::reason;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use tempfile::NamedTempFile;

/// Why an output could not be written. Messages are for the user, in Chinese: they name the
/// output (never the temporary file) and say why in words, not the OS's English text.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("输出文件 {0} 就是输入文件，拒绝覆盖；请换一个输出目录")]
    WouldOverwriteInput(String),
    #[error("无法创建输出目录 {path}（{}）", reason(source))]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error("无法写入输出文件 {path}（{}）", reason(source))]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("无法生成工作簿：{0}")]
    Xlsx(String),
    #[error("“{0}”可能正在 Excel 或 WPS 中打开，请关闭后重试")]
    HeldOpen(String),
}

/// Where one input's outputs go: a folder and the start of their file names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputBase {
    pub dir: PathBuf,
    pub stem: String,
}

impl OutputBase {
    /// `<dir>/<stem>[_<sheet>]<suffix>.xlsx`; the sheet is named when a file holds several forms.
    pub fn path(&self, sheet: Option<&str>, suffix: &str) -> PathBuf {
        self.dir
            .join(crate::pipeline::output_file_name(&self.stem, sheet, suffix))
    }
}

/// Names every input's outputs under `out_dir` so that no two collide, predictably:
/// - the layout below the folders the inputs were found under (`roots`: a folder argument, or a
///   file argument's own folder) is kept below `out_dir`, relative to the folder the roots have
///   in common (单位A/申报表.xlsx and 单位B/申报表.xlsx → `out_dir/单位A/申报表_标准.xlsx` and
///   `out_dir/单位B/申报表_标准.xlsx`);
/// - inputs in one folder with the same name but another extension keep it in the name
///   (申报表.xlsx and 申报表.xls → 申报表_xlsx_… and 申报表_xls_…);
/// - the same file given twice is numbered (申报表_2_…).
pub fn plan(inputs: &[PathBuf], roots: &[PathBuf], out_dir: &Path) -> Vec<OutputBase> {
    let abs = |p: &Path| lexical(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
    let parents: Vec<PathBuf> = inputs
        .iter()
        .map(|p| abs(p).parent().map(Path::to_path_buf).unwrap_or_default())
        .collect();
    let roots: Vec<PathBuf> = roots.iter().map(|r| abs(r)).collect();
    let common = common_ancestor(&roots);
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "申报表".to_string())
    };
    let mut bases: Vec<OutputBase> = inputs
        .iter()
        .zip(&parents)
        .map(|(p, parent)| OutputBase {
            dir: out_dir.join(parent.strip_prefix(&common).unwrap_or(Path::new(""))),
            stem: stem(p),
        })
        .collect();
    disambiguate(&mut bases, inputs);
    bases
}

/// Outputs written beside each input, in the input's own folder.
pub fn beside(inputs: &[PathBuf]) -> Vec<OutputBase> {
    let mut bases: Vec<OutputBase> = inputs
        .iter()
        .map(|p| OutputBase {
            dir: p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf(),
            stem: p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "申报表".to_string()),
        })
        .collect();
    disambiguate(&mut bases, inputs);
    bases
}

/// Same folder and stem: add the extension; still the same: number them in input order
/// ([`crate::pipeline::output_stems`] within each folder).
fn disambiguate(bases: &mut [OutputBase], inputs: &[PathBuf]) {
    let mut folders: indexmap::IndexMap<PathBuf, Vec<usize>> = indexmap::IndexMap::new();
    for (i, b) in bases.iter().enumerate() {
        folders.entry(b.dir.clone()).or_default().push(i);
    }
    for (_, group) in folders {
        let names: Vec<String> = group
            .iter()
            .map(|&i| {
                inputs[i]
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        for (&i, stem) in group.iter().zip(crate::pipeline::output_stems(&refs)) {
            bases[i].stem = stem;
        }
    }
}

/// Where an output the user edited is kept: `X（已修改）.xlsx`, or `X（已修改2）.xlsx` … when
/// that is taken.
pub fn edited_name(target: &Path) -> PathBuf {
    let stem = target
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = target.parent().unwrap_or(Path::new(""));
    (1..)
        .map(|n| {
            let mark = if n == 1 {
                "（已修改）".to_string()
            } else {
                format!("（已修改{n}）")
            };
            dir.join(format!("{stem}{mark}.xlsx"))
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| dir.join(format!("{stem}（已修改）.xlsx")))
}

/// Where `clean` writes a copy's clean workbook: `申报表_批注.xlsx` → `申报表_已清理.xlsx`, in
/// `dir` or beside the copy.
pub fn cleaned_path(copy: &Path, dir: Option<&Path>) -> PathBuf {
    let stem = copy
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "申报表".to_string());
    let stem = stem.strip_suffix("_批注").unwrap_or(&stem);
    let dir = dir
        .map(Path::to_path_buf)
        .or_else(|| copy.parent().map(Path::to_path_buf))
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join(format!("{stem}_已清理.xlsx"))
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The folder a set of folders have in common (absolute), "." when they have none.
pub fn common_folder(dirs: &[PathBuf]) -> PathBuf {
    let abs: Vec<PathBuf> = dirs
        .iter()
        .map(|p| lexical(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())))
        .collect();
    let c = common_ancestor(&abs);
    if c.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        c
    }
}

fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let mut iter = paths.iter();
    let Some(first) = iter.next() else {
        return PathBuf::new();
    };
    let mut common: Vec<Component> = first.components().collect();
    for p in iter {
        let n = common
            .iter()
            .zip(p.components())
            .take_while(|(a, b)| **a == *b)
            .count();
        common.truncate(n);
    }
    common.iter().map(|c| c.as_os_str()).collect()
}

/// The input files, known by identity (device and inode, or the canonical path), computed once
/// for a whole batch: an output that would be one of them is refused, through any spelling of
/// its path or any link.
#[derive(Default)]
pub struct InputSet {
    /// (device, inode) of each input on Unix; their canonical paths elsewhere (Windows: std's
    /// file index is not stable yet, and a hard link there is rare).
    #[cfg(unix)]
    ids: std::collections::HashSet<(u64, u64)>,
    #[cfg(not(unix))]
    canonical: std::collections::HashSet<PathBuf>,
}

impl InputSet {
    pub fn of(inputs: &[PathBuf]) -> InputSet {
        let mut set = InputSet::default();
        for p in inputs {
            set.add(p);
        }
        set
    }

    fn add(&mut self, p: &Path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Ok(m) = std::fs::metadata(p) {
                self.ids.insert((m.dev(), m.ino()));
            }
        }
        #[cfg(not(unix))]
        if let Ok(c) = std::fs::canonicalize(p) {
            self.canonical.insert(c);
        }
    }

    /// Whether `target` (which may not exist) is one of the inputs.
    pub fn contains(&self, target: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(target).is_ok_and(|m| self.ids.contains(&(m.dev(), m.ino())))
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(target).is_ok_and(|c| self.canonical.contains(&c))
        }
    }
}

/// Refuses a target that is one of the inputs.
pub fn refuse_input(target: &Path, inputs: &InputSet) -> Result<(), OutputError> {
    if inputs.contains(target) {
        return Err(OutputError::WouldOverwriteInput(
            target.display().to_string(),
        ));
    }
    Ok(())
}

/// Writes `bytes` to `target` whole or not at all (a temporary file beside it, then a rename),
/// refusing when `target` is one of `inputs`. Not yet made durable: [`sync`] does that once for
/// a whole run.
pub fn write_atomic(target: &Path, bytes: &[u8], inputs: &InputSet) -> Result<(), OutputError> {
    let mut tmp = temp_beside(target, inputs)?;
    tmp.write_all(bytes).map_err(|source| OutputError::Write {
        path: target.display().to_string(),
        source,
    })?;
    persist(tmp, target)
}

/// A hidden temporary file in the target's folder (made if missing), to be written and then
/// [`persist`]ed over the target; refused when the target is one of the inputs.
pub fn temp_beside(target: &Path, inputs: &InputSet) -> Result<NamedTempFile, OutputError> {
    refuse_input(target, inputs)?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Dir {
        path: dir.display().to_string(),
        source,
    })?;
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|source| OutputError::Write {
            path: target.display().to_string(),
            source,
        })
}

/// Renames a written temporary file into place, whole, as an ordinary document (0644).
pub fn persist(tmp: NamedTempFile, target: &Path) -> Result<(), OutputError> {
    let write_err = |source| OutputError::Write {
        path: target.display().to_string(),
        source,
    };
    // tempfile creates 0600; an output is an ordinary document the user shares.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o644);
        tmp.as_file().set_permissions(perms).map_err(write_err)?;
    }
    tmp.persist(target).map_err(|e| {
        if crate::ioerror::held_open(&e.error) && target.is_file() {
            OutputError::HeldOpen(file_name(target))
        } else {
            write_err(e.error)
        }
    })?;
    Ok(())
}

/// A path's last part, as staff see it in Explorer.
pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// How jixiao's temporary files are named (hidden, so staff never see one).
pub const TEMP_PREFIX: &str = ".jixiao-";

/// Removes temporary files a killed run left in `dir` (older than ten minutes, so another run
/// writing there now is left alone).
pub fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let old = std::time::Duration::from_secs(600);
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(".tmp")) {
            continue;
        }
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > old);
        if stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Makes the written files durable, once for the run: one `syncfs` per file system on Linux,
/// else each file flushed.
pub fn sync(written: &[PathBuf]) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let mut done = std::collections::HashSet::new();
        for p in written {
            let Ok(m) = std::fs::metadata(p) else {
                continue;
            };
            if done.insert(m.dev())
                && let Ok(f) = std::fs::File::open(p)
            {
                use std::os::fd::AsRawFd;
                // SAFETY: syncfs takes an open descriptor and only flushes its file system.
                unsafe {
                    libc::syncfs(f.as_raw_fd());
                }
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    for p in written {
        if let Ok(f) = std::fs::OpenOptions::new().write(true).open(p) {
            let _ = f.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(inputs: &[&str]) -> Vec<String> {
        let inputs: Vec<PathBuf> = inputs.iter().map(PathBuf::from).collect();
        let roots: Vec<PathBuf> = inputs
            .iter()
            .map(|p| p.parent().unwrap().to_path_buf())
            .collect();
        plan(&inputs, &roots, Path::new("out"))
            .iter()
            .map(|b| {
                b.path(None, "_标准")
                    .display()
                    .to_string()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn outputs_never_collide() {
        assert_eq!(names(&["/x/a.xlsx"]), ["out/a_标准.xlsx"]);
        assert_eq!(
            names(&["/x/单位A/申报表.xlsx", "/x/单位B/申报表.xlsx"]),
            ["out/单位A/申报表_标准.xlsx", "out/单位B/申报表_标准.xlsx"]
        );
        assert_eq!(
            names(&["/x/a.xlsx", "/x/a.xls", "/x/a.ods"]),
            [
                "out/a_xlsx_标准.xlsx",
                "out/a_xls_标准.xlsx",
                "out/a_ods_标准.xlsx"
            ]
        );
        assert_eq!(
            names(&["/x/a.xlsx", "/x/./a.xlsx"]),
            ["out/a_标准.xlsx", "out/a_2_标准.xlsx"]
        );
        // A folder argument: its layout kept, even when every file is in one sub-folder.
        let inputs = [PathBuf::from("/x/材料/单位A/申报表.xlsx")];
        let got = plan(&inputs, &[PathBuf::from("/x/材料")], Path::new("out"));
        assert_eq!(
            got[0].path(None, "_标准"),
            PathBuf::from("out/单位A/申报表_标准.xlsx")
        );
        let b = &plan(
            &[PathBuf::from("/x/a.xlsx")],
            &[PathBuf::from("/x")],
            Path::new("o"),
        )[0];
        assert_eq!(
            b.path(Some("表/1"), "_标准"),
            PathBuf::from("o/a_表_1_标准.xlsx")
        );
    }
}
