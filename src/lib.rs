//! jixiao (绩效): reads a filled 省级部门（单位）整体绩效目标申报表, checks it as a finance
//! reviewer would, and writes a standardized workbook with a 校验报告 sheet.
//!
//! The pipeline runs one way: bytes → [`workbook`] (sheets with absolute cells) → [`locate`]
//! (a typed [`form::Form`]) → [`rules`] (findings) → [`report`] / [`json`] (outputs). Edition data
//! ([`edition`]) drives the locator and the rules.

pub mod annotate;
pub mod edition;
pub mod finding;
pub mod form;
pub mod ioerror;
pub mod json;
pub mod locate;
pub mod output;
pub mod report;
pub mod rules;
pub mod text;
pub mod workbook;

use edition::Edition;
use finding::{Finding, Severity, Summary};
use form::Form;

/// The overall result for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// What checking one form produced (a file that holds no readable form gives one outcome with
/// no form).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The file as named on the command line.
    pub file: String,
    /// The sheet the form is on; `None` when the file could not be read or holds no form.
    pub sheet: Option<String>,
    /// The edition id used.
    pub edition: String,
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

/// Reads, locates and checks one workbook given as bytes, with one edition and the default
/// limits: one outcome per form found (or one saying why none could be read).
pub fn check_bytes(file: &str, bytes: &[u8], ed: &Edition) -> Vec<Outcome> {
    check_bytes_with(
        file,
        bytes,
        std::slice::from_ref(ed),
        &workbook::Limits::default(),
    )
}

/// Reads, locates and checks one workbook given as bytes, each form under whichever of `eds`
/// fits its labels best (the first wins a tie). Never panics on bad input: a file that cannot be
/// read or holds no form gives one `Unreadable` outcome with one finding saying why.
pub fn check_bytes_with(
    file: &str,
    bytes: &[u8],
    eds: &[Edition],
    limits: &workbook::Limits,
) -> Vec<Outcome> {
    check_workbook(file, bytes, eds, limits).0
}

/// As [`check_bytes_with`], also giving back the read workbook (for the annotated copy).
pub fn check_workbook(
    file: &str,
    bytes: &[u8],
    eds: &[Edition],
    limits: &workbook::Limits,
) -> (Vec<Outcome>, Option<workbook::Workbook>) {
    let default_id = eds
        .first()
        .map(|e| e.edition.id.clone())
        .unwrap_or_default();
    let unreadable = |finding| {
        vec![Outcome {
            file: file.to_string(),
            sheet: None,
            edition: default_id.clone(),
            status: Status::Unreadable,
            form: None,
            findings: vec![finding],
        }]
    };
    let wb = match workbook::read_with(bytes, limits) {
        Ok(wb) => wb,
        Err(e) => return (unreadable(rules::unreadable(&e.to_string())), None),
    };
    let forms = match locate::locate(&wb, eds) {
        Ok(f) => f,
        Err(e) => return (unreadable(rules::not_a_form(&e.to_string())), Some(wb)),
    };
    let outcomes = forms
        .into_iter()
        .map(|(which, form)| {
            let ed = &eds[which];
            let findings = rules::run(&form, ed);
            let status = if findings.iter().any(|f| f.severity == Severity::Error) {
                Status::Errors
            } else if findings.iter().any(|f| f.severity == Severity::Warning) {
                Status::Warnings
            } else {
                Status::Ok
            };
            Outcome {
                file: file.to_string(),
                sheet: Some(form.sheet.clone()),
                edition: ed.edition.id.clone(),
                status,
                form: Some(form),
                findings,
            }
        })
        .collect();
    (outcomes, Some(wb))
}
