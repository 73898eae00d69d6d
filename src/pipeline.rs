//! The one function every door calls: for one input's name and bytes and the options, read it,
//! find its forms, check them, and build the output workbooks as bytes. No file system, clock
//! or threads of its own: the command line, the batch, the Windows program, the web page, the
//! fuzzer and the property tests add only their own part (paths, naming, printing, parallelism).

use crate::edition::Edition;
use crate::finding::{EditValue, Finding, FixKind, Severity, Summary};
use crate::form::CellRef;
use crate::form::Form;
use crate::workbook::Format;
use crate::workbook::Limits;
use crate::{locate, patch, recreate, report, rules, workbook};

/// What to do with one input.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The editions to detect from (each form is read under the one that fits it best, the first
    /// winning a tie); one edition forces it.
    pub editions: &'a [Edition],
    /// Bounds on what the file may cost.
    pub limits: Limits,
    /// Which workbooks to build.
    pub outputs: Outputs,
}

/// Which output workbooks to build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outputs {
    /// One standardized workbook per form.
    pub standard: bool,
    /// The annotated copy of the input.
    pub annotated: bool,
    /// The input with its fixes applied, up to this kind (`Safe`, or `Unsafe` for both).
    pub fixed: Option<FixKind>,
}

impl Outputs {
    /// Every output.
    pub const ALL: Outputs = Outputs {
        standard: true,
        annotated: true,
        fixed: None,
    };
}

/// The overall result for one form, or for a file that holds none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warnings,
    Errors,
    Unreadable,
}

impl Status {
    /// The JSON word of spec §4.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warnings => "warnings",
            Status::Errors => "errors",
            Status::Unreadable => "unreadable",
        }
    }

    fn of(findings: &[Finding]) -> Status {
        if findings.iter().any(|f| f.severity == Severity::Error) {
            Status::Errors
        } else if findings.iter().any(|f| f.severity == Severity::Warning) {
            Status::Warnings
        } else {
            Status::Ok
        }
    }
}

/// What checking one form produced (a file that holds no readable form gives one outcome with
/// no form).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The file as the door names it.
    pub file: String,
    /// The sheet the form is on; `None` when the file could not be read or holds no form.
    pub sheet: Option<String>,
    /// The id of the edition used ("2022").
    pub edition: String,
    /// Its full name, for people.
    pub edition_name: String,
    pub status: Status,
    /// The form, `None` when the file could not be read or holds no form.
    pub form: Option<Form>,
    /// Findings, sorted by cell.
    pub findings: Vec<Finding>,
}

impl Outcome {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }
}

/// Which output a workbook is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputKind {
    /// The standardized workbook of one form; `sheet` is named when the file holds several.
    Standard { sheet: Option<String> },
    /// The annotated copy of the input, marking every form in it.
    Annotated,
    /// The input with the fixes applied (`jixiao fix`), the workbook staff upload.
    Fixed,
}

impl OutputKind {
    /// What the output's file name ends with, before ".xlsx".
    pub fn suffix(&self) -> &'static str {
        match self {
            OutputKind::Standard { .. } => "_标准",
            OutputKind::Annotated => "_批注",
            OutputKind::Fixed => "_已修正",
        }
    }

    /// The sheet to name in the file name, when the file holds several forms.
    pub fn sheet(&self) -> Option<&str> {
        match self {
            OutputKind::Standard { sheet } => sheet.as_deref(),
            OutputKind::Annotated | OutputKind::Fixed => None,
        }
    }
}

/// An output's file name: `<stem>[_<sheet>]<suffix>.xlsx`, the sheet named when a file holds
/// several forms (made safe for a file name on Windows and Unix). Every door names outputs so.
pub fn output_file_name(stem: &str, sheet: Option<&str>, suffix: &str) -> String {
    let sheet = sheet
        .map(|s| format!("_{}", file_safe(s)))
        .unwrap_or_default();
    format!("{stem}{sheet}{suffix}.xlsx")
}

/// A text made safe for part of a file name on Windows and Unix: the characters a name may not
/// hold become "_".
pub fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

/// The output stems of inputs in one folder, given their file names, as every door names them:
/// the name without its extension ("申报表" when there is none); inputs with the same stem but
/// another extension keep it (申报表.xlsx and 申报表.xls → 申报表_xlsx and 申报表_xls); the same
/// name again is numbered in input order (申报表_2). Stems compare ignoring case, as Windows does.
pub fn output_stems(names: &[&str]) -> Vec<String> {
    use std::collections::HashMap;
    use std::path::Path;
    let stem = |n: &str| {
        Path::new(n)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "申报表".to_string())
    };
    let ext = |n: &str| {
        Path::new(n)
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    let mut stems: Vec<String> = names.iter().map(|n| stem(n)).collect();
    let mut exts: HashMap<String, Vec<String>> = HashMap::new();
    for (s, n) in stems.iter().zip(names) {
        exts.entry(s.to_lowercase()).or_default().push(ext(n));
    }
    for (s, n) in stems.iter_mut().zip(names) {
        let e = ext(n);
        if !e.is_empty() && exts[&s.to_lowercase()].iter().any(|x| *x != e) {
            *s = format!("{s}_{e}");
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for s in stems.iter_mut() {
        let n = seen.entry(s.to_lowercase()).or_default();
        *n += 1;
        if *n > 1 {
            *s = format!("{s}_{n}");
        }
    }
    stems
}

impl Output {
    /// This output's file name for an input whose name without extension is `stem`.
    pub fn file_name(&self, stem: &str) -> String {
        output_file_name(stem, self.kind.sheet(), self.kind.suffix())
    }
}

/// One output workbook, or why it could not be built.
#[derive(Debug, Clone)]
pub struct Output {
    pub kind: OutputKind,
    /// The workbook's bytes, or why it could not be built (in Chinese).
    pub bytes: Result<Vec<u8>, String>,
    /// What the user should know about how it was made (in Chinese), e.g. that an xlsx could
    /// not be marked in place and was re-created.
    pub note: Option<String>,
    /// For the fixed workbook: each cell written, in order.
    pub changes: Vec<Change>,
}

/// One cell a fix wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The finding it removes.
    pub code: &'static str,
    pub kind: FixKind,
    pub sheet: String,
    pub cell: CellRef,
    /// The cell as it was typed (empty when blank).
    pub before: String,
    pub after: EditValue,
}

/// Everything one input produced.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// The file as the door names it.
    pub file: String,
    /// One per form found, in workbook order; one unreadable outcome when there is none.
    pub outcomes: Vec<Outcome>,
    /// The workbooks asked for (none when the file holds no form).
    pub outputs: Vec<Output>,
}

impl FileResult {
    /// The worst status of the file's forms.
    pub fn status(&self) -> Status {
        self.outcomes
            .iter()
            .map(|o| o.status)
            .max()
            .unwrap_or(Status::Unreadable)
    }

    /// A file the door could not read (missing, a folder, too large …): one outcome saying why.
    pub fn unreadable(file: &str, reason: &str, editions: &[Edition]) -> FileResult {
        let (id, name) = editions
            .first()
            .map(|e| (e.edition.id.clone(), e.edition.name.clone()))
            .unwrap_or_default();
        FileResult {
            file: file.to_string(),
            outcomes: vec![Outcome {
                file: file.to_string(),
                sheet: None,
                edition: id,
                edition_name: name,
                status: Status::Unreadable,
                form: None,
                findings: vec![rules::unreadable(reason)],
            }],
            outputs: Vec::new(),
        }
    }

    fn not_checked(file: &str, finding: Finding, editions: &[Edition]) -> FileResult {
        let mut r = FileResult::unreadable(file, "", editions);
        r.outcomes[0].findings = vec![finding];
        r
    }
}

/// The annotated copy: an xlsx is the user's own package, marked; an xls or ods (or an xlsx whose
/// package cannot be patched) is re-created as xlsx first, then marked the same way.
fn annotated_copy(
    bytes: &[u8],
    wb: &workbook::Workbook,
    findings: &[Finding],
    limits: &Limits,
) -> (Result<Vec<u8>, String>, Option<String>) {
    let recreated = || -> Result<Vec<u8>, String> {
        let copy = recreate::workbook(wb).map_err(|e| format!("无法生成工作簿：{e}"))?;
        patch::annotate(&copy, findings, &Limits::default()).map_err(|e| e.to_string())
    };
    if wb.format != Format::Xlsx {
        return (recreated(), None);
    }
    match patch::annotate(bytes, findings, limits) {
        Ok(b) => (Ok(b), None),
        Err(e) => (
            recreated(),
            Some(format!(
                "无法在原工作簿上直接标注（{e}），批注副本是按读到的内容重建的工作簿，公式、图片等可能未保留"
            )),
        ),
    }
}

/// Reads, locates and checks one workbook given as bytes, and builds the outputs asked for.
/// Never panics on bad input: a file that cannot be read or holds no form gives one
/// `Unreadable` outcome with one finding saying why.
pub fn process(file: &str, bytes: &[u8], opts: &Options) -> FileResult {
    let eds = opts.editions;
    let wb = match workbook::read_with(bytes, &opts.limits) {
        Ok(wb) => wb,
        Err(e) => return FileResult::not_checked(file, rules::unreadable(&e.to_string()), eds),
    };
    let forms = match locate::locate(&wb, eds) {
        Ok(f) => f,
        Err(e) => return FileResult::not_checked(file, rules::not_a_form(&e.to_string()), eds),
    };
    let several = forms.len() > 1;
    let mut outcomes = Vec::new();
    let mut outputs = Vec::new();
    for (which, form) in forms {
        let ed = &eds[which];
        let findings = rules::run(&form, ed);
        if opts.outputs.standard {
            let bytes = report::standard_workbook(file, &form, &findings, ed)
                .map_err(|e| format!("无法生成工作簿：{e}"))
                .and_then(|b| patch::stamp(&b).map_err(|e| e.to_string()));
            outputs.push(Output {
                kind: OutputKind::Standard {
                    sheet: several.then(|| form.sheet.clone()),
                },
                bytes,
                note: None,
                changes: Vec::new(),
            });
        }
        outcomes.push(Outcome {
            file: file.to_string(),
            sheet: Some(form.sheet.clone()),
            edition: ed.edition.id.clone(),
            edition_name: ed.edition.name.clone(),
            status: Status::of(&findings),
            form: Some(form),
            findings,
        });
    }
    if opts.outputs.annotated {
        let findings: Vec<Finding> = outcomes
            .iter()
            .flat_map(|o| o.findings.iter().cloned())
            .collect();
        let (bytes, note) = annotated_copy(bytes, &wb, &findings, &opts.limits);
        outputs.push(Output {
            kind: OutputKind::Annotated,
            bytes,
            note,
            changes: Vec::new(),
        });
    }
    if let Some(upto) = opts.outputs.fixed {
        let findings: Vec<&Finding> = outcomes.iter().flat_map(|o| &o.findings).collect();
        outputs.push(fixed_copy(bytes, &wb, &findings, upto, &opts.limits));
    }
    FileResult {
        file: file.to_string(),
        outcomes,
        outputs,
    }
}

/// The fixed workbook: every fix up to `upto` written into the user's own xlsx (an xls or ods
/// re-created as xlsx first, as for the annotated copy). Where two fixes write one cell, an
/// unsafe one (asked for) wins over a safe one: it is the later, more complete correction.
fn fixed_copy(
    bytes: &[u8],
    wb: &workbook::Workbook,
    findings: &[&Finding],
    upto: FixKind,
    limits: &Limits,
) -> Output {
    use std::collections::BTreeMap;
    let mut fixes: Vec<(&Finding, &crate::finding::Fix)> = findings
        .iter()
        .filter_map(|f| Some((*f, f.fix.as_ref().filter(|x| x.kind <= upto)?)))
        .collect();
    fixes.sort_by_key(|(_, x)| x.kind);
    let mut edits: BTreeMap<String, BTreeMap<(u32, u32), EditValue>> = BTreeMap::new();
    let mut why: BTreeMap<(String, u32, u32), (&'static str, FixKind)> = BTreeMap::new();
    for (f, x) in &fixes {
        for e in &x.edits {
            edits
                .entry(f.sheet.clone())
                .or_default()
                .insert((e.cell.row, e.cell.col), e.value.clone());
            why.insert((f.sheet.clone(), e.cell.row, e.cell.col), (f.code, x.kind));
        }
    }
    let recreated;
    let (input, note) = if wb.format == Format::Xlsx {
        (bytes, None)
    } else {
        match recreate::workbook(wb) {
            Ok(b) => {
                recreated = b;
                (
                    recreated.as_slice(),
                    Some(format!(
                        "{} 文件无法原样修改，已按读到的内容另存为 xlsx 后修正",
                        wb.format.name()
                    )),
                )
            }
            Err(e) => {
                return Output {
                    kind: OutputKind::Fixed,
                    bytes: Err(format!("无法生成工作簿：{e}")),
                    note: None,
                    changes: Vec::new(),
                };
            }
        }
    };
    match patch::fix(input, &edits, limits) {
        Ok((b, applied)) => {
            let changes = applied
                .into_iter()
                .map(|(sheet, (r, c))| {
                    let (code, kind) = why[&(sheet.clone(), r, c)];
                    let before = wb
                        .sheets
                        .iter()
                        .find(|s| s.name == sheet)
                        .map(|s| workbook::cell_text(s.get(r, c)))
                        .unwrap_or_default();
                    let after = edits[&sheet][&(r, c)].clone();
                    Change {
                        code,
                        kind,
                        sheet,
                        cell: CellRef::new(r, c),
                        before,
                        after,
                    }
                })
                .collect();
            Output {
                kind: OutputKind::Fixed,
                bytes: Ok(b),
                note,
                changes,
            }
        }
        Err(e) => Output {
            kind: OutputKind::Fixed,
            bytes: Err(e.to_string()),
            note,
            changes: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_stems_never_collide() {
        assert_eq!(
            output_stems(&[
                "申报表.xlsx",
                "申报表.XLS",
                "a.b.xlsx",
                "申报表.xlsx",
                "无扩展名",
                "A.B.xlsx"
            ]),
            [
                "申报表_xlsx",
                "申报表_xls",
                "a.b",
                "申报表_xlsx_2",
                "无扩展名",
                "A.B_2"
            ]
        );
        assert_eq!(
            output_file_name("表", Some("a/b:c"), "_标准"),
            "表_a_b_c_标准.xlsx"
        );
    }
}
