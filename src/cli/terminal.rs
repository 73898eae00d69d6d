//! What the command line prints: standard output and error that never panic on a closed pipe,
//! and the rendering of findings (a code's hint once, 提示 folded per kind).

use jixiao::Outcome;
use jixiao::finding::{Finding, FixKind, Severity};
use jixiao::rules;
use std::collections::HashSet;
use std::io::Write;

/// Standard output and error that never panic: once a reader has gone (`jixiao … | head -1`),
/// further output is dropped quietly and the run ends with its usual exit status.
///
/// Text going to a pipe or a file on Windows is written in the console's code page (see
/// `console.rs`); JSON is always UTF-8.
pub struct Out {
    stdout: std::io::Stdout,
    closed: bool,
    enc: Option<&'static encoding_rs::Encoding>,
    err_enc: Option<&'static encoding_rs::Encoding>,
}

impl Out {
    pub fn new() -> Out {
        use std::io::IsTerminal;
        Out {
            stdout: std::io::stdout(),
            closed: false,
            enc: super::console::pipe_encoding(std::io::stdout().is_terminal()),
            err_enc: super::console::pipe_encoding(std::io::stderr().is_terminal()),
        }
    }

    /// Standard output carries JSON Lines: UTF-8 whatever the platform.
    pub fn json(&mut self) {
        self.enc = None;
    }

    pub fn line(&mut self, s: &str) {
        if self.closed {
            return;
        }
        let text = format!("{s}\n");
        let bytes = super::console::encode(&text, self.enc);
        let mut lock = self.stdout.lock();
        if lock.write_all(&bytes).and_then(|_| lock.flush()).is_err() {
            self.closed = true;
        }
    }

    pub fn err(&self, s: &str) {
        let text = format!("{s}\n");
        let _ = std::io::stderr()
            .lock()
            .write_all(&super::console::encode(&text, self.err_enc));
    }
}

/// The terminal rendering: the hint of a code the first time it appears in the run; 提示 that
/// need no action counted in one line per code unless `--verbose`.
pub struct Terminal {
    pub verbose: bool,
    pub hinted: HashSet<&'static str>,
}

impl Terminal {
    pub fn lines(&mut self, o: &Outcome) -> Vec<String> {
        let mut lines = Vec::new();
        match &o.form {
            Some(f) => {
                let evidence = if f.edition_evidence.is_empty() {
                    String::new()
                } else {
                    format!("（依据：{}）", f.edition_evidence.join("、"))
                };
                lines.push(format!(
                    "{}：工作表“{}”，{}{evidence}",
                    o.file, f.sheet, o.edition_name
                ));
            }
            None => lines.push(format!("{}：", o.file)),
        }
        let (infos, others): (Vec<&Finding>, Vec<&Finding>) = o
            .findings
            .iter()
            .partition(|f| f.severity == Severity::Info);
        for f in others {
            lines.push(self.line(f));
        }
        // 提示 of one code that say the same thing (their group) fold into one line.
        let mut groups: Vec<(&'static str, Option<&str>, Vec<&Finding>)> = Vec::new();
        for f in infos {
            let key = (f.code, f.group.as_deref());
            match groups.iter_mut().find(|(c, g, _)| (*c, *g) == key) {
                Some((_, _, members)) => members.push(f),
                None => groups.push((f.code, f.group.as_deref(), vec![f])),
            }
        }
        for (code, group, members) in groups {
            if self.verbose || members.len() == 1 {
                for f in members {
                    lines.push(self.line(f));
                }
                continue;
            }
            let what = group
                .map(str::to_string)
                .or_else(|| rules::rule(code).map(|r| r.title.to_string()))
                .unwrap_or_default();
            let sheet = o.sheet.as_deref().unwrap_or_default();
            let cells: Vec<String> = members
                .iter()
                .take(10)
                .map(|f| match f.cell {
                    Some(c) if f.sheet == sheet => c.to_string(),
                    _ => f.location(),
                })
                .collect();
            let more = if members.len() > 10 { " 等" } else { "" };
            let fixable = members
                .iter()
                .map(|f| f.fix.as_ref().map(|x| x.kind))
                .max()
                .flatten()
                .filter(|_| members.iter().all(|f| f.fix.is_some()))
                .map(|k| format!(" [{}]", k.zh()))
                .unwrap_or_default();
            lines.push(format!(
                "{sheet}: 提示[{code}] {} 处{what}：{}{more}（加 --verbose 逐条列出）{fixable}",
                members.len(),
                cells.join("、")
            ));
        }
        lines.push(o.summary().line());
        let count = |k| {
            o.findings
                .iter()
                .filter(|f| f.fix.as_ref().is_some_and(|x| x.kind == k))
                .count()
        };
        let (safe, risky) = (count(FixKind::Safe), count(FixKind::Unsafe));
        if safe + risky > 0 {
            let mut parts = Vec::new();
            if safe > 0 {
                parts.push(format!("{safe} 处可用 jixiao fix 自动修正"));
            }
            if risky > 0 {
                parts.push(format!(
                    "{risky} 处可用 jixiao fix --unsafe-fixes 修正（请核对）"
                ));
            }
            lines.push(parts.join("，"));
        }
        lines
    }

    /// One finding; its code's hint only the first time the code appears.
    fn line(&mut self, f: &Finding) -> String {
        let line = if self.hinted.insert(f.code) {
            f.line()
        } else {
            f.line_without_hint()
        };
        match &f.fix {
            Some(x) => format!("{line} [{}]", x.kind.zh()),
            None => line,
        }
    }
}
