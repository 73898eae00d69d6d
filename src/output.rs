//! Writing output files safely: whole or not at all (a temporary file beside the target, then a
//! rename), and never over an input file, whatever path spelling or symlink leads to it.
//! Policy for an existing output: it is replaced (outputs are generated; inputs never are).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output could not be written. Messages are for the user, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("输出文件 {0} 就是输入文件，拒绝覆盖；请换一个输出目录")]
    WouldOverwriteInput(String),
    #[error("无法创建输出目录 {path}：{source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error("无法写入输出文件 {path}：{source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("无法生成工作簿：{0}")]
    Xlsx(String),
}

/// `<dir>/<stem><suffix>.xlsx`.
pub fn output_path(input: &Path, dir: &Path, suffix: &str) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "申报表".to_string());
    dir.join(format!("{stem}{suffix}.xlsx"))
}

/// Whether two paths lead to the same existing file (through symlinks, `..`, hard links).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) if x == y => return true,
        _ => {}
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    false
}

/// Writes `bytes` to `target` atomically, refusing when `target` is one of `inputs`.
pub fn write_atomic(target: &Path, bytes: &[u8], inputs: &[PathBuf]) -> Result<(), OutputError> {
    if inputs.iter().any(|i| same_file(i, target)) {
        return Err(OutputError::WouldOverwriteInput(
            target.display().to_string(),
        ));
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Dir {
        path: dir.display().to_string(),
        source,
    })?;
    let write_err = |source| OutputError::Write {
        path: target.display().to_string(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".jixiao-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(write_err)?;
    tmp.write_all(bytes).map_err(write_err)?;
    // tempfile creates 0600; an output is an ordinary document the user shares.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o644);
        tmp.as_file().set_permissions(perms).map_err(write_err)?;
    }
    tmp.as_file().sync_all().map_err(write_err)?;
    tmp.persist(target).map_err(|e| write_err(e.error))?;
    Ok(())
}
