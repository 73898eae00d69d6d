//! The offline page's WebAssembly module. It adds only what a browser needs around
//! [`jixiao::process`]: the dropped files' names, their outputs kept until downloaded, the batch's
//! 汇总.xlsx and one zip of everything. The findings are the JSON Lines of
//! `jixiao check --format json`, and the workbooks the bytes `jixiao convert` writes.

use std::collections::{HashSet, VecDeque};

use jixiao::edition::Edition;
use jixiao::pipeline::output_stems;
use jixiao::summary::Summary;
use jixiao::workbook::Limits;
use jixiao::{FileResult, Options, OutputKind, Outputs, json, patch, process};
use wasm_bindgen::prelude::*;

/// One checked file, its outputs kept for downloading.
struct Checked {
    /// The result with its outputs taken out (what the summary reads).
    result: FileResult,
    /// Each output's file name and bytes (none when it could not be built), as `add` listed them.
    outputs: Vec<(String, Option<Vec<u8>>)>,
    /// Where the summary's row links: the annotated copy, or the input when there is none.
    link: String,
}

/// The files dropped on the page so far.
#[wasm_bindgen]
pub struct Batch {
    editions: Vec<Edition>,
    checked: Vec<Checked>,
    /// Output stems in use (lower case, as Windows compares names), so no two files collide.
    used: HashSet<String>,
    /// The stems planned for the files of the current drop, in order.
    planned: VecDeque<String>,
}

impl Batch {
    /// Plans the stems of one drop's files (see [`Batch::plan`]).
    fn plan_names(&mut self, names: &[&str]) {
        for stem in output_stems(names) {
            let mut s = stem.clone();
            let mut n = 1;
            while !self.used.insert(s.to_lowercase()) {
                n += 1;
                s = format!("{stem}_{n}");
            }
            self.planned.push_back(s);
        }
    }
}

impl Default for Batch {
    fn default() -> Self {
        Batch::new()
    }
}

#[wasm_bindgen]
impl Batch {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Batch {
        Batch {
            editions: Edition::embedded(),
            checked: Vec::new(),
            used: HashSet::new(),
            planned: VecDeque::new(),
        }
    }

    /// Names the outputs of the files of one drop (`names`, a JSON array, in the order they
    /// will be added) as `jixiao convert` names those files in one folder; a stem an earlier
    /// drop used is numbered on.
    pub fn plan(&mut self, names: &str) {
        let names: Vec<String> = serde_json::from_str(names).unwrap_or_default();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        self.plan_names(&refs);
    }

    /// Checks one workbook and builds its outputs. Returns JSON:
    /// `{"index": i, "stem": the outputs' stem,
    ///   "lines": [one line of check --format json per form, as text],
    ///   "outputs": [{"name": …, "size": n} or {"name": …, "error": …}], "notes": […]}`.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> String {
        if self.planned.is_empty() {
            self.plan_names(&[name]);
        }
        let stem = self.planned.pop_front().unwrap_or_default();
        self.add_as(name, &stem, bytes)
    }

    /// As [`Batch::add`], naming the outputs after `stem` (the worker rebuilding a batch).
    pub fn add_as(&mut self, name: &str, stem: &str, bytes: &[u8]) -> String {
        self.used.insert(stem.to_lowercase());
        let stem = stem.to_string();
        let opts = Options {
            editions: &self.editions,
            limits: Limits::default(),
            outputs: Outputs::ALL,
        };
        let mut result = process(name, bytes, &opts);
        let lines: Vec<String> = result.outcomes.iter().map(json::line).collect();
        let mut listed = Vec::new();
        let mut outputs = Vec::new();
        let mut notes = Vec::new();
        let mut link = name.to_string();
        for o in std::mem::take(&mut result.outputs) {
            let file = o.file_name(&stem);
            if let Some(note) = &o.note {
                notes.push(serde_json::Value::from(format!("注意：{note}")));
            }
            match o.bytes {
                Ok(b) => {
                    if o.kind == OutputKind::Annotated {
                        link = file.clone();
                    }
                    listed.push(serde_json::json!({"name": file, "size": b.len()}));
                    outputs.push((file, Some(b)));
                }
                Err(e) => {
                    listed.push(serde_json::json!({"name": file, "error": e}));
                    outputs.push((file, None));
                }
            }
        }
        let index = self.checked.len();
        self.checked.push(Checked {
            result,
            outputs,
            link,
        });
        format!(
            "{{\"index\":{index},\"stem\":{},\"lines\":{},\"outputs\":{},\"notes\":{}}}",
            serde_json::Value::from(stem),
            serde_json::Value::from(lines),
            serde_json::Value::from(listed),
            serde_json::Value::from(notes)
        )
    }

    /// The bytes of output `i` of file `file` (in the order `add` listed them).
    pub fn output(&self, file: usize, i: usize) -> Option<Vec<u8>> {
        self.checked.get(file)?.outputs.get(i)?.1.clone()
    }

    /// How many forms the files held (a file with none counts one, as in the summary).
    pub fn forms(&self) -> usize {
        self.checked.iter().map(|c| c.result.outcomes.len()).sum()
    }

    /// The batch's 汇总.xlsx, as `jixiao convert` writes it for these files.
    pub fn summary(&self) -> Result<Vec<u8>, JsError> {
        let mut s = Summary::new();
        for c in &self.checked {
            s.add(&c.result, &c.link);
        }
        Ok(s.finish()
            .map_err(|e| JsError::new(&e.to_string()))?
            .into_inner())
    }

    /// Every output of every file, and the summary when there is more than one form, as one
    /// zip: the files `jixiao convert` writes beside the inputs.
    pub fn bundle(&self) -> Result<Vec<u8>, JsError> {
        let summary = if self.forms() > 1 {
            Some(self.summary()?)
        } else {
            None
        };
        let files = self
            .checked
            .iter()
            .flat_map(|c| {
                c.outputs
                    .iter()
                    .filter_map(|(n, b)| Some((n.as_str(), b.as_deref()?)))
            })
            .chain(summary.as_deref().map(|b| ("汇总.xlsx", b)));
        patch::bundle(files).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Forgets every file.
    pub fn clear(&mut self) {
        self.checked.clear();
        self.used.clear();
        self.planned.clear();
    }
}

/// The embedded editions, for the page's template list: JSON `[{"id", "name", "file"}]`, the
/// default first.
#[wasm_bindgen]
pub fn editions() -> String {
    let list: Vec<serde_json::Value> = Edition::embedded()
        .iter()
        .map(|e| {
            serde_json::json!({
                "id": e.edition.id,
                "name": e.edition.name,
                "file": jixiao::template::file_name(e),
            })
        })
        .collect();
    serde_json::Value::from(list).to_string()
}

/// The blank form of an embedded edition: the bytes `jixiao template --edition ID` writes.
#[wasm_bindgen]
pub fn template(id: &str) -> Result<Vec<u8>, String> {
    let ed = Edition::named(id).ok_or_else(|| format!("没有名为“{id}”的内置版本"))?;
    jixiao::template::build(&ed)
        .map(|t| t.bytes)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_names_never_collide() {
        let mut b = Batch::new();
        b.plan(r#"["申报表.xlsx","申报表.xls","a.b.xlsx"]"#);
        b.plan(r#"["申报表_XLSX.xlsx","a.b.xlsx"]"#);
        assert_eq!(
            Vec::from(b.planned.clone()),
            ["申报表_xlsx", "申报表_xls", "a.b", "申报表_XLSX_2", "a.b_2"]
        );
    }

    #[test]
    fn a_sample_gives_lines_outputs_and_a_bundle() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../samples/seed-2022.xlsx"
        ))
        .unwrap();
        let mut b = Batch::new();
        let v: serde_json::Value = serde_json::from_str(&b.add("seed-2022.xlsx", &bytes)).unwrap();
        let line: serde_json::Value =
            serde_json::from_str(v["lines"][0].as_str().unwrap()).unwrap();
        assert_eq!(line["file"], "seed-2022.xlsx");
        assert_eq!(v["outputs"][0]["name"], "seed-2022_标准.xlsx");
        assert_eq!(v["outputs"][1]["name"], "seed-2022_批注.xlsx");
        b.add("not.xlsx", b"plain text");
        assert_eq!(b.forms(), 2);
        let zip = b.bundle().unwrap();
        assert!(zip.len() > bytes.len());
        assert!(b.output(0, 1).is_some() && b.output(1, 0).is_none());
    }

    #[test]
    fn templates_for_every_edition() {
        let list: serde_json::Value = serde_json::from_str(&editions()).unwrap();
        assert_eq!(list[0]["id"], "2022");
        assert_eq!(list[0]["file"], "2022申报表模板.xlsx");
        for e in list.as_array().unwrap() {
            let id = e["id"].as_str().unwrap();
            let ed = Edition::named(id).unwrap();
            assert_eq!(
                template(id).unwrap(),
                jixiao::template::build(&ed).unwrap().bytes
            );
        }
        assert!(template("四川").is_err());
    }
}
