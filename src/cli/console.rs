//! The console window on Windows. A program started from Explorer (a workbook dragged onto it,
//! or a double-click) owns a console window that closes the moment it ends, taking what it
//! printed with it: then, and only then, it waits for Enter. Text piped or redirected on Windows
//! is written in the console's code page (GBK on a Chinese Windows), as cmd's `type`, PowerShell
//! 5 and Notepad of old read it; the console itself needs nothing (Rust writes UTF-16 to it).

use std::io::{BufRead, IsTerminal, Write};

/// Whether this process is the only one attached to its console window (Explorer made the window
/// for it). `JIXIAO_CONSOLE=own|shared` decides instead (the tests' seam).
pub fn owns_console() -> bool {
    match std::env::var("JIXIAO_CONSOLE").as_deref() {
        Ok("own") => return true,
        Ok("shared") => return false,
        _ => {}
    }
    #[cfg(windows)]
    {
        let mut ids = [0u32; 2];
        // SAFETY: the buffer holds `ids.len()` process ids; the call writes at most that many.
        let n = unsafe {
            windows_sys::Win32::System::Console::GetConsoleProcessList(
                ids.as_mut_ptr(),
                ids.len() as u32,
            )
        };
        n == 1
    }
    #[cfg(not(windows))]
    false
}

/// At the end of a run in a window of its own, waits for Enter so the user can read what it
/// printed. Nothing when the console is shared (cmd, PowerShell) or no one can answer.
pub fn pause(owned: bool, interactive: bool, input: &mut impl BufRead, out: &mut impl Write) {
    if !owned || !interactive {
        return;
    }
    let _ = write!(out, "\n按回车键关闭窗口…");
    let _ = out.flush();
    let mut line = String::new();
    let _ = input.read_line(&mut line);
}

/// [`pause`] for this process's standard input and output.
pub fn pause_if_owned(owned: bool) {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    pause(
        owned,
        interactive,
        &mut stdin.lock(),
        &mut std::io::stdout(),
    );
}

/// The encoding text is written in when it goes to a pipe or a file on Windows (the console's
/// code page, else the system's); `None` for UTF-8, everywhere else, and for JSON.
pub fn pipe_encoding(to_terminal: bool) -> Option<&'static encoding_rs::Encoding> {
    if to_terminal {
        return None;
    }
    #[cfg(windows)]
    {
        // SAFETY: both calls take no arguments and only return the code page numbers.
        let cp = unsafe {
            match windows_sys::Win32::System::Console::GetConsoleOutputCP() {
                0 => windows_sys::Win32::Globalization::GetACP(),
                cp => cp,
            }
        };
        code_page(cp)
    }
    #[cfg(not(windows))]
    None
}

/// The encoding of a Windows code page that is not UTF-8 and that Chinese users have.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn code_page(cp: u32) -> Option<&'static encoding_rs::Encoding> {
    match cp {
        936 => Some(encoding_rs::GBK),
        54936 => Some(encoding_rs::GB18030),
        950 => Some(encoding_rs::BIG5),
        _ => None,
    }
}

/// Text in the given encoding (a character it lacks becomes an HTML-style reference, as
/// Windows' own conversion would lose it).
pub fn encode<'a>(
    text: &'a str,
    enc: Option<&'static encoding_rs::Encoding>,
) -> std::borrow::Cow<'a, [u8]> {
    match enc {
        None => std::borrow::Cow::Borrowed(text.as_bytes()),
        Some(e) => e.encode(text).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_only_in_a_window_of_its_own() {
        let mut out = Vec::new();
        let mut input = std::io::Cursor::new(b"\n".to_vec());
        pause(true, true, &mut input, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "\n按回车键关闭窗口…");
        assert_eq!(input.position(), 1, "the Enter was read");
        for (owned, interactive) in [(false, true), (true, false), (false, false)] {
            let mut out = Vec::new();
            let mut input = std::io::Cursor::new(b"\n".to_vec());
            pause(owned, interactive, &mut input, &mut out);
            assert!(out.is_empty());
            assert_eq!(input.position(), 0, "nothing read");
        }
    }

    #[test]
    fn the_seam_decides_ownership() {
        // SAFETY (edition 2024): no other thread of this test reads the variable.
        unsafe { std::env::set_var("JIXIAO_CONSOLE", "own") };
        assert!(owns_console());
        unsafe { std::env::set_var("JIXIAO_CONSOLE", "shared") };
        assert!(!owns_console());
        unsafe { std::env::remove_var("JIXIAO_CONSOLE") };
    }

    #[test]
    fn piped_text_in_the_chinese_code_page() {
        let gbk = encode("错误：部门预算总额", code_page(936));
        assert_eq!(encoding_rs::GBK.decode(&gbk).0, "错误：部门预算总额");
        assert_ne!(&*gbk, "错误：部门预算总额".as_bytes());
        assert_eq!(&*encode("≥100", None), "≥100".as_bytes());
        assert!(code_page(65001).is_none());
    }
}
