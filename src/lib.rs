//! jixiao (绩效): reads a filled 省级部门（单位）整体绩效目标申报表, checks it as a finance
//! reviewer would, and writes a standardized workbook with a 校验报告 sheet.
//!
//! The pipeline runs one way: bytes → [`workbook`] (sheets with absolute cells) → [`locate`]
//! (a typed [`form::Form`]) → [`rules`] (findings) → [`report`] / [`json`] (outputs). Edition data
//! ([`edition`]) drives the locator and the rules.

pub mod edition;
pub mod finding;
pub mod form;
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

/// What checking one file produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The file as named on the command line.
    pub file: String,
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

    fn unreadable(file: &str, ed: &Edition, finding: Finding) -> Outcome {
        Outcome {
            file: file.to_string(),
            edition: ed.edition.id.clone(),
            status: Status::Unreadable,
            form: None,
            findings: vec![finding],
        }
    }
}

/// Reads, locates and checks one workbook given as bytes, within the default limits.
pub fn check_bytes(file: &str, bytes: &[u8], ed: &Edition) -> Outcome {
    check_bytes_with(file, bytes, ed, &workbook::Limits::default())
}

/// Reads, locates and checks one workbook given as bytes. Never panics on bad input: a file
/// that cannot be read or holds no form gives an `Unreadable` outcome with one finding saying why.
pub fn check_bytes_with(
    file: &str,
    bytes: &[u8],
    ed: &Edition,
    limits: &workbook::Limits,
) -> Outcome {
    let wb = match workbook::read_with(bytes, limits) {
        Ok(wb) => wb,
        Err(e) => return Outcome::unreadable(file, ed, rules::unreadable(&e.to_string())),
    };
    let form = match locate::locate(&wb, ed) {
        Ok(f) => f,
        Err(e) => return Outcome::unreadable(file, ed, rules::not_a_form(&e.to_string())),
    };
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
        edition: ed.edition.id.clone(),
        status,
        form: Some(form),
        findings,
    }
}
