//! Operating-system errors in the words staff read: Chinese, without the OS's English text or
//! error numbers. Owns only the wording; callers say which file it was about.

use std::io::ErrorKind;

/// Why a file operation failed, in Chinese, for messages such as "无法写入 X（…）".
pub fn reason(e: &std::io::Error) -> String {
    let text = match e.kind() {
        ErrorKind::NotFound => "文件或文件夹不存在",
        ErrorKind::PermissionDenied => "没有权限（文件可能是只读的，或正被其他程序打开）",
        ErrorKind::AlreadyExists => "已有同名文件",
        ErrorKind::IsADirectory => "这是一个文件夹",
        ErrorKind::NotADirectory => "路径中有一段不是文件夹",
        ErrorKind::DirectoryNotEmpty => "文件夹不是空的",
        ErrorKind::ReadOnlyFilesystem => "磁盘或文件夹是只读的",
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "磁盘空间不足",
        ErrorKind::FileTooLarge => "文件过大",
        ErrorKind::InvalidFilename => "文件名无效或过长",
        ErrorKind::CrossesDevices => "不能跨磁盘移动文件",
        ErrorKind::ResourceBusy | ErrorKind::ExecutableFileBusy => "文件正被其他程序使用",
        ErrorKind::Interrupted => "操作被中断",
        ErrorKind::OutOfMemory => "内存不足",
        ErrorKind::TimedOut => "操作超时",
        ErrorKind::InvalidData | ErrorKind::UnexpectedEof => "文件内容不完整或已损坏",
        _ => return sharing_violation(e).unwrap_or_else(|| "系统错误".to_string() + &code(e)),
    };
    text.to_string()
}

/// Windows reports a file held open by Excel or WPS as a sharing or lock violation (32, 33)
/// whose kind is not one of the portable ones.
fn sharing_violation(e: &std::io::Error) -> Option<String> {
    if cfg!(windows) && matches!(e.raw_os_error(), Some(32 | 33)) {
        Some("文件正被其他程序（如 Excel 或 WPS）打开".to_string())
    } else {
        None
    }
}

/// Whether replacing or renaming an existing file failed because another program holds it open
/// (Excel and WPS open a workbook without letting it be replaced: Windows says access denied,
/// or a sharing or lock violation).
pub fn held_open(e: &std::io::Error) -> bool {
    cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

fn code(e: &std::io::Error) -> String {
    e.raw_os_error()
        .map(|n| format!("（代码 {n}）"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_chinese() {
        let e = std::io::Error::from(ErrorKind::PermissionDenied);
        assert!(reason(&e).starts_with("没有权限"));
        let e = std::io::Error::from_raw_os_error(28); // ENOSPC on Linux
        if cfg!(target_os = "linux") {
            assert_eq!(reason(&e), "磁盘空间不足");
        }
        assert!(!reason(&std::io::Error::other("boom")).contains("boom"));
    }
}
