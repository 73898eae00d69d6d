//! `check` and `convert` over any number of inputs: on all cores (`--jobs`), each file read,
//! checked and its outputs written by a worker calling the core; results printed in input order
//! as they finish, with a progress bar on a terminal; the summary workbook of the batch; outputs
//! made durable once at the end. An interrupted run (Ctrl-C) finishes the files it is on, leaves
//! nothing half-written, and says how far it got.

use super::files::{keep_if_edited, read_input};
use super::inputs::{self, Input};
use super::terminal::{Out, Terminal};
use jixiao::edition::Edition;
use jixiao::output::{self, InputSet, OutputBase};
use jixiao::summary::Summary;
use jixiao::{FileResult, Options, OutputKind, Outputs, Status, json, process};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};

/// How one input ended, for the exit status and the tally.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ending {
    Clean,
    Errors,
    Unreadable,
    Unwritten,
}

impl Ending {
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Clean => 0,
            Ending::Errors => 1,
            Ending::Unreadable | Ending::Unwritten => 2,
        }
    }
}

/// Where `convert` writes.
#[derive(Clone, Copy)]
pub enum Dest<'a> {
    /// Under this folder, mirroring the inputs' folders.
    Dir(&'a Path),
    /// Beside each input, in its own folder (a drag and drop; `convert` without `-o`).
    Beside,
}

/// What the run is asked to do.
pub struct Run<'a> {
    pub args: &'a [PathBuf],
    /// Where outputs go (`convert`); `None` for `check`.
    pub dest: Option<Dest<'a>>,
    pub editions: &'a [Edition],
    pub limits: jixiao::workbook::Limits,
    pub json: bool,
    pub verbose: bool,
    pub jobs: usize,
    /// Where the summary workbook goes, when asked for explicitly.
    pub summary: Option<&'a Path>,
    /// `fix`: write the fixed workbook (fixes up to this kind) and nothing else.
    pub fix: Option<jixiao::finding::FixKind>,
}

/// What a worker hands back for one input.
struct Done {
    result: FileResult,
    ending: Ending,
    written: Vec<PathBuf>,
    kept: Vec<(PathBuf, PathBuf)>,
    failures: Vec<String>,
    /// Where the summary's links for this input lead.
    link: PathBuf,
    /// `fix`: the cells written.
    changes: Vec<jixiao::pipeline::Change>,
}

/// Files at most this far ahead of the one being printed, so a slow file never makes the others
/// pile up in memory.
const AHEAD: usize = 64;

pub fn run(r: &Run, out: &mut Out) -> u8 {
    let out_dir = match r.dest {
        Some(Dest::Dir(d)) => Some(d),
        _ => None,
    };
    let expanded = inputs::expand(r.args, out_dir, r.limits.max_file_bytes);
    if expanded.skipped > 0 {
        out.err(&format!(
            "已跳过 {} 个锁定文件、隐藏文件或临时文件",
            expanded.skipped
        ));
    }
    if expanded.ours > 0 {
        out.err(&format!(
            "已跳过 {} 个 jixiao 生成的文件（…_标准、…_批注、汇总）",
            expanded.ours
        ));
    }
    let mut worst = 0u8;
    for p in &expanded.unmatched {
        out.err(&format!("错误：没有与“{p}”匹配的文件"));
        worst = 2;
    }
    let inputs: Vec<Input> = expanded.inputs;
    if inputs.is_empty() {
        if worst == 0 {
            out.err("错误：没有找到可检查的工作簿（.xlsx、.xls 或 .ods）");
        }
        return 2;
    }
    let paths: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
    let roots: Vec<PathBuf> = inputs.iter().map(|i| i.root.clone()).collect();
    let bases = r.dest.map(|d| match d {
        Dest::Dir(d) => output::plan(&paths, &roots, d),
        Dest::Beside => output::beside(&paths),
    });
    let input_set = InputSet::of(&paths);
    let opts = Options {
        editions: r.editions,
        limits: r.limits,
        outputs: match (r.fix, r.dest.is_some()) {
            (Some(k), _) => Outputs {
                fixed: Some(k),
                ..Outputs::default()
            },
            (None, true) => Outputs::ALL,
            (None, false) => Outputs::default(),
        },
    };
    let summary_path: Option<PathBuf> =
        r.summary
            .map(Path::to_path_buf)
            .or_else(|| match r.dest.filter(|_| r.fix.is_none())? {
                Dest::Dir(d) => Some(d.join("汇总.xlsx")),
                // Beside the inputs: in the folder they have in common (the folder dropped).
                Dest::Beside => Some(output::common_folder(&roots).join("汇总.xlsx")),
            });
    let summary_dir = summary_path
        .as_deref()
        .and_then(Path::parent)
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
        .unwrap_or_default();

    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupted.clone();
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    }
    // A bar for a batch; one file (a workbook dropped on the program) needs none.
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(inputs.len() as u64),
        if inputs.len() > 1 {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}")
    {
        bar.set_style(style);
    }

    let next = AtomicUsize::new(0);
    let printed = (Mutex::new(0usize), Condvar::new());
    let swept: Mutex<HashSet<PathBuf>> = Mutex::new(HashSet::new());
    let (tx, rx) = mpsc::channel::<(usize, Done)>();
    let mut terminal = Terminal {
        verbose: r.verbose,
        hinted: Default::default(),
    };
    // Built only when it will be written (a plain check over 10,000 files keeps nothing), into
    // a hidden temporary file beside where it goes, so it never grows in memory.
    let mut summary_failed: Option<String> = None;
    let mut summary = summary_path.as_ref().and_then(|p| {
        let spills = || -> std::io::Result<[std::fs::File; 4]> {
            Ok([
                tempfile::tempfile()?,
                tempfile::tempfile()?,
                tempfile::tempfile()?,
                tempfile::tempfile()?,
            ])
        };
        let made = output::temp_beside(p, &input_set)
            .map_err(|e| e.to_string())
            .and_then(|w| Ok(Summary::to(w, spills().map_err(|e| e.to_string())?)));
        made.map_err(|e| summary_failed = Some(e)).ok()
    });
    let mut tally = [0usize; 4];
    // One written file per folder is enough to make them all durable at the end (one sync per
    // file system); keeping every path would grow with the batch.
    let mut all_written: Vec<PathBuf> = Vec::new();
    let mut finished = 0usize;
    let jobs = r.jobs.clamp(1, 64).min(inputs.len());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (inputs, bases, opts, input_set, interrupted, next, printed, swept) = (
                &inputs,
                &bases,
                &opts,
                &input_set,
                &interrupted,
                &next,
                &printed,
                &swept,
            );
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= inputs.len() || interrupted.load(Ordering::SeqCst) {
                        break;
                    }
                    // Do not run far ahead of what has been printed.
                    {
                        let (lock, cv) = printed;
                        let mut p = lock.lock().unwrap_or_else(|e| e.into_inner());
                        while i >= *p + AHEAD && !interrupted.load(Ordering::SeqCst) {
                            p = cv
                                .wait_timeout(p, std::time::Duration::from_millis(200))
                                .map(|(g, _)| g)
                                .unwrap_or_else(|e| e.into_inner().0);
                        }
                    }
                    let done = work(
                        &inputs[i],
                        bases.as_ref().map(|b| &b[i]),
                        opts,
                        input_set,
                        swept,
                    );
                    if tx.send((i, done)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Results printed in input order as they come.
        let mut pending: BTreeMap<usize, Done> = BTreeMap::new();
        let mut next_print = 0usize;
        for (i, done) in rx {
            pending.insert(i, done);
            while let Some(d) = pending.remove(&next_print) {
                bar.set_message(d.result.file.clone());
                bar.suspend(|| report(&d, r, out, &mut terminal));
                worst = worst.max(d.ending.exit_code());
                tally[d.ending as usize] += 1;
                if let Some(summary) = summary.as_mut() {
                    summary.add(&d.result, &relative_link(&d.link, &summary_dir));
                }
                for w in d.written {
                    if all_written.last().and_then(|l| l.parent()) != w.parent() {
                        all_written.push(w);
                    }
                }
                finished += 1;
                next_print += 1;
                if next_print.is_multiple_of(128) {
                    give_back_memory();
                }
                bar.inc(1);
                let (lock, cv) = &printed;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = next_print;
                cv.notify_all();
            }
        }
    });
    bar.finish_and_clear();

    // The summary of a run over more than one form (or when asked for).
    let wanted = |forms: usize| forms > 1 || r.summary.is_some();
    if let (Some(path), Some(reason)) = (&summary_path, summary_failed)
        && wanted(finished)
    {
        out.err(&format!("错误：未能写出汇总“{}”：{reason}", path.display()));
        worst = 2;
    }
    if let (Some(path), Some(summary)) = (summary_path, summary)
        && wanted(summary.forms())
    {
        let mut kept = Vec::new();
        let written = summary.finish().map_err(|e| e.to_string()).and_then(|tmp| {
            keep_if_edited(&path, &mut kept)?;
            output::persist(tmp, &path).map_err(|e| e.to_string())
        });
        for (from, to) in kept {
            out.err(&format!(
                "已将您修改过的“{}”另存为“{}”",
                from.display(),
                to.display()
            ));
        }
        match written {
            Ok(()) => {
                if !r.json {
                    out.line(&format!("已生成汇总 {}", path.display()));
                }
                all_written.push(path);
            }
            Err(e) => {
                out.err(&format!("错误：未能写出汇总“{}”：{e}", path.display()));
                worst = 2;
            }
        }
    }
    output::sync(&all_written);

    let total = inputs.len();
    if interrupted.load(Ordering::SeqCst) && finished < total {
        out.err(&format!(
            "已中断：完成了 {finished} / {total} 个文件，已完成的结果都是完整的；其余文件没有检查"
        ));
        worst = 2;
    }
    if total > 1 && !r.json {
        let unwritten = if r.dest.is_some() {
            format!("，{} 个未能写出", tally[3])
        } else {
            String::new()
        };
        out.line(&format!(
            "\n合计 {finished} 个文件：{} 个没有错误，{} 个有错误，{} 个无法检查{unwritten}",
            tally[0], tally[1], tally[2]
        ));
    }
    worst
}

/// Reads, checks and writes one input (on a worker).
fn work(
    input: &Input,
    base: Option<&OutputBase>,
    opts: &Options,
    inputs: &InputSet,
    swept: &Mutex<HashSet<PathBuf>>,
) -> Done {
    let name = input.path.display().to_string();
    let mut result = match read_input(&input.path, &opts.limits) {
        Ok(bytes) => process(&name, &bytes, opts),
        Err(reason) => FileResult::unreadable(&name, &reason, opts.editions),
    };
    // `fix`: what is left for a person is what the fixed workbook still has.
    let mut changes = Vec::new();
    if let Some(fixed) = result.outputs.iter().find(|o| o.kind == OutputKind::Fixed) {
        changes = fixed.changes.clone();
        if let Ok(b) = &fixed.bytes {
            let again = Options {
                outputs: Outputs::default(),
                ..*opts
            };
            result.outcomes = process(&name, b, &again).outcomes;
        }
    }
    let mut ending = match result.status() {
        Status::Unreadable => Ending::Unreadable,
        Status::Errors => Ending::Errors,
        Status::Ok | Status::Warnings => Ending::Clean,
    };
    let mut written = Vec::new();
    let mut kept = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut link = std::path::absolute(&input.path).unwrap_or_else(|_| input.path.clone());
    if let Some(base) = base {
        // Temporary files a killed run left in this folder go first (once a run).
        if swept
            .lock()
            .map(|mut s| s.insert(base.dir.clone()))
            .unwrap_or(false)
        {
            output::sweep(&base.dir);
        }
        for o in std::mem::take(&mut result.outputs) {
            let target = base.path(o.kind.sheet(), o.kind.suffix());
            let done = o.bytes.and_then(|b| {
                output::refuse_input(&target, inputs).map_err(|e| e.to_string())?;
                keep_if_edited(&target, &mut kept)?;
                output::write_atomic(&target, &b, inputs).map_err(|e| e.to_string())
            });
            match done {
                Ok(()) => {
                    if o.kind == OutputKind::Annotated {
                        link = std::path::absolute(&target).unwrap_or(target.clone());
                    }
                    written.push(target);
                }
                Err(reason) if !failures.contains(&reason) => failures.push(reason),
                Err(_) => {}
            }
            if let Some(note) = o.note {
                failures.push(format!("注意：{note}"));
            }
        }
        if failures.iter().any(|f| !f.starts_with("注意：")) {
            ending = Ending::Unwritten;
        }
    }
    Done {
        result,
        ending,
        written,
        kept,
        failures,
        link,
        changes,
    }
}

/// Prints one input's result.
fn report(d: &Done, r: &Run, out: &mut Out, terminal: &mut Terminal) {
    let name = &d.result.file;
    let (notes, errors): (Vec<&String>, Vec<&String>) =
        d.failures.iter().partition(|f| f.starts_with("注意："));
    if !errors.is_empty() {
        let list: Vec<&str> = errors.iter().map(|s| s.as_str()).collect();
        out.err(&format!(
            "错误：未能写出“{name}”的结果：{}",
            list.join("；")
        ));
    }
    for n in notes {
        out.err(&format!("{n}（{name}）"));
    }
    for (from, to) in &d.kept {
        let line = format!(
            "已将您修改过的“{}”另存为“{}”，再写入新的结果",
            from.display(),
            to.display()
        );
        if r.json {
            out.err(&line);
        } else {
            out.line(&line);
        }
    }
    if r.fix.is_some() && !r.json {
        for c in &d.changes {
            let before = if c.before.is_empty() {
                "（空）".to_string()
            } else {
                format!("“{}”", c.before)
            };
            let risky = if c.kind == jixiao::finding::FixKind::Unsafe {
                "（不安全修正）"
            } else {
                ""
            };
            out.line(&format!(
                "{}!{}: {before} → {}{risky} [{}]",
                c.sheet, c.cell, c.after, c.code
            ));
        }
        out.line(&format!(
            "已修正 {} 处；仍需人工处理的问题：",
            d.changes.len()
        ));
    }
    for o in &d.result.outcomes {
        if r.json {
            out.line(&json::line(o));
        } else {
            for l in terminal.lines(o) {
                out.line(&l);
            }
        }
    }
    if !r.json {
        for w in &d.written {
            out.line(&format!("已生成 {}", w.display()));
        }
    }
}

/// A link target relative to the summary's folder (forward slashes, as Excel writes them).
fn relative_link(target: &Path, from_dir: &Path) -> String {
    let t: Vec<_> = target.components().collect();
    let f: Vec<_> = from_dir.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.display().to_string().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Returns the allocator's free pages to the system. The workers' heaps keep pages they freed
/// (the allocator reuses them, but never in the same places), so a long batch's resident memory
/// crept up with the number of files while its live data stayed flat: 77 MB for 10,000 forms
/// holding 11 MB. Trimming every 128 files keeps it flat; it costs well under a millisecond.
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
