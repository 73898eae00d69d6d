//! `jixiao template`: the blank form of every embedded edition, checked by jixiao itself.
//! - blank, it gives exactly the "not filled" findings, each on the cell to type into;
//! - filled (by the product's own cell writer, as staff type into the input cells) with the
//!   seed's values, it gives the seed's findings; filled with the corrected seed's, none;
//! - its lists, input messages, defined names and protection read back with openpyxl as meant
//!   (tests/template_readback.py).

use jixiao::edition::Edition;
use jixiao::finding::EditValue;
use jixiao::form::{Column, Form, Kind, budget_key};
use jixiao::template::{self, KindStyle, Layout};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

/// The template checked as a user's file is: its edition detected among the embedded ones.
fn outcome(ed: &Edition, bytes: &[u8]) -> jixiao::Outcome {
    let mut out = jixiao::check_bytes_with(
        "模板.xlsx",
        bytes,
        &Edition::embedded(),
        &jixiao::workbook::Limits::default(),
    );
    assert_eq!(out.len(), 1, "one form in the template");
    let o = out.remove(0);
    assert_eq!(o.edition, ed.edition.id, "detected as its own edition");
    o
}

fn seed_form(file: &str) -> (Form, Vec<(String, String)>) {
    let bytes = std::fs::read(file).unwrap();
    let o = outcome(&Edition::builtin(), &bytes);
    let findings = o
        .findings
        .iter()
        .map(|f| (f.code.to_string(), f.message.clone()))
        .collect();
    (o.form.unwrap(), findings)
}

fn a1(r: u32, c: u32) -> String {
    jixiao::form::CellRef::new(r, c).to_string()
}

#[test]
fn blank_template_gives_only_the_not_filled_findings() {
    for ed in Edition::embedded() {
        let t = template::build(&ed).unwrap();
        let o = outcome(&ed, &t.bytes);
        let l = &t.layout;
        assert_eq!(o.sheet.as_deref(), Some(l.sheet.as_str()));
        assert_eq!(o.edition, ed.edition.id, "detected as its own edition");
        let mut expected: Vec<(&str, String)> = vec![
            ("E101", a1(l.department.row, l.department.col)),
            ("E102", a1(l.year.row, l.year.col)),
            ("E103", a1(l.goal.row, l.goal.col)),
            ("E201", String::new()),
        ];
        for (key, f) in &ed.header {
            if f.required {
                let c = l.header[key];
                expected.push(("E104", a1(c.row, c.col)));
            }
        }
        for c in l.budget.values() {
            expected.push(("E301", a1(c.row, c.col)));
        }
        expected.push(("E441", String::new()));
        let mut got: Vec<(&str, String)> = o
            .findings
            .iter()
            .map(|f| {
                let cell = match f.code {
                    "E201" | "E441" => String::new(),
                    _ => f.cell.map(|c| c.to_string()).unwrap_or_default(),
                };
                (f.code, cell)
            })
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{}", ed.edition.id);
        // The one E441 names every 一级 left without rows, and the catalogue is read whole.
        let form = o.form.unwrap();
        assert_eq!(form.indicators.len(), ed.catalogue.len());
        let e441 = o.findings.iter().find(|f| f.code == "E441").unwrap();
        for lv in ed.levels.iter().skip(1) {
            assert!(e441.message.contains(&lv.name), "{}", e441.message);
        }
    }
}

/// What staff type into the template, as cell edits on its form sheet.
struct Fill<'a> {
    l: &'a Layout,
    edits: BTreeMap<(u32, u32), EditValue>,
}

impl Fill<'_> {
    fn text(&mut self, r: u32, c: u32, s: &str) {
        self.edits.insert((r, c), EditValue::Text(s.to_string()));
    }
    fn number(&mut self, r: u32, c: u32, n: Decimal) {
        self.edits.insert((r, c), EditValue::Number(n));
    }
    fn col(&self, c: Column) -> u32 {
        self.l.columns[&c]
    }
}

/// The template filled with a form's values: its header, tasks and budget; the catalogue rows
/// with the form's own values for those indicators; its other indicators in the blank rows of
/// their 一级. Figures the form lacks but the edition's template asks for are filled so they
/// reconcile (basic = total, project = 0; shares; task amounts on the first task).
fn fill(t: &template::Template, form: &Form) -> Vec<u8> {
    let l = &t.layout;
    let mut f = Fill {
        l,
        edits: BTreeMap::new(),
    };
    f.number(
        l.year.row,
        l.year.col,
        Decimal::from(form.year.value.unwrap()),
    );
    f.text(l.department.row, l.department.col, form.department.as_str());
    f.text(l.goal.row, l.goal.col, form.annual_goal.as_str());
    for c in l.header.values() {
        f.text(
            c.row,
            c.col,
            "贯彻执行社会保险政策，经办养老保险业务，管理社会保险基金。",
        );
    }
    assert!(l.task_rows.len() >= form.tasks.len(), "enough task rows");
    let total = form.amount(budget_key::TOTAL).unwrap();
    for (i, task) in form.tasks.iter().enumerate() {
        let r = l.task_rows[i];
        f.text(r, l.task_name_col, task.name.as_str());
        f.text(r, l.task_content_col, task.content.as_str());
        for (key, &c) in &l.task_amounts {
            let fiscal = form.amount(budget_key::FISCAL).unwrap();
            let n = match key.as_str() {
                budget_key::TOTAL if i == 0 => total,
                budget_key::FISCAL if i == 0 => fiscal,
                budget_key::OTHER if i == 0 => total - fiscal,
                _ => Decimal::ZERO,
            };
            f.number(r, c, n);
        }
    }
    for (key, c) in &l.budget {
        let n = form.amount(key).unwrap_or(match key.as_str() {
            budget_key::BASIC | budget_key::EXPENSE_TOTAL => total,
            _ => Decimal::ZERO,
        });
        f.number(c.row, c.col, n);
        if let Some(s) = l.shares.get(key) {
            let pct = if total.is_zero() {
                Decimal::ZERO
            } else {
                (n / total * Decimal::from(100)).round_dp(2)
            };
            f.number(s.row, s.col, pct);
        }
    }
    let mut free: Vec<&template::IndicatorRow> =
        l.rows.iter().filter(|r| r.catalogue.is_none()).collect();
    for ind in &form.indicators {
        let at = match l
            .rows
            .iter()
            .find(|r| r.catalogue.as_deref() == Some(ind.level3.as_str()))
        {
            Some(r) => r.row,
            None => {
                let i = free
                    .iter()
                    .position(|r| r.level1 == ind.level1.as_str())
                    .expect("a blank row under the indicator's 一级");
                free.remove(i).row
            }
        };
        put_indicator(&mut f, l.style, at, ind);
    }
    let mut edits = BTreeMap::new();
    edits.insert(l.sheet.clone(), f.edits);
    jixiao::patch::fix(&t.bytes, &edits, &jixiao::workbook::Limits::default())
        .unwrap()
        .0
}

/// One indicator row as staff type it in the edition's way.
fn put_indicator(f: &mut Fill, style: KindStyle, r: u32, ind: &jixiao::form::Indicator) {
    f.text(r, f.col(Column::Level1), ind.level1.as_str());
    f.text(r, f.col(Column::Level2), ind.level2.as_str());
    f.text(r, f.col(Column::Level3), ind.level3.as_str());
    let (kind_c, value_c) = (f.col(Column::Kind), f.col(Column::Value));
    let number = ind.value.value.map(|v| v.normalize());
    match (ind.kind.value, number) {
        (Some(Kind::Qualitative), _) | (_, None) => {
            f.text(r, kind_c, ind.kind_text());
            f.text(r, value_c, &ind.value.raw);
        }
        (Some(k), Some(n)) if style == KindStyle::InValue => {
            f.text(r, kind_c, "定量");
            f.text(r, value_c, &format!("{}{n}", k.as_str()));
        }
        (k, Some(n)) => {
            f.text(r, kind_c, k.map(Kind::as_str).unwrap_or(""));
            f.number(r, value_c, n);
        }
    }
    f.text(r, f.col(Column::Unit), ind.unit.as_str());
    f.text(r, f.col(Column::Criteria), ind.criteria.as_str());
    f.text(r, f.col(Column::Description), ind.description.as_str());
}

fn findings(ed: &Edition, bytes: &[u8]) -> Vec<(String, String)> {
    let o = outcome(ed, bytes);
    let mut v: Vec<(String, String)> = o
        .findings
        .iter()
        .map(|f| (f.code.to_string(), f.message.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn filled_with_the_seed_it_gives_the_seeds_findings() {
    let (seed, seed_findings) = seed_form("samples/seed-2022.xlsx");
    assert_eq!(seed_findings.len(), 8, "the seed's eight warnings");
    let base = Edition::builtin();
    for ed in Edition::embedded() {
        // The seed's findings, in this edition's column names (评（扣）分标准 …).
        let mut want: Vec<(String, String)> = seed_findings
            .iter()
            .map(|(code, m)| {
                let mut m = m.clone();
                for c in Column::ALL {
                    m = m.replace(
                        &format!("“{}”", base.column_title(c)),
                        &format!("“{}”", ed.column_title(c)),
                    );
                }
                (code.clone(), m)
            })
            .collect();
        want.sort();
        let t = template::build(&ed).unwrap();
        let got = findings(&ed, &fill(&t, &seed));
        assert_eq!(got, want, "{}", ed.edition.id);
    }
}

#[test]
fn filled_with_the_corrected_seed_it_checks_clean() {
    let (corrected, want) = seed_form("samples/seed-2022-corrected.xlsx");
    assert!(want.is_empty(), "{want:?}");
    for ed in Edition::embedded() {
        let t = template::build(&ed).unwrap();
        let filled = fill(&t, &corrected);
        assert_eq!(findings(&ed, &filled), vec![], "{}", ed.edition.id);
        // The catalogue rows as prefilled are the standard: filling them changes nothing there.
        let form = outcome(&ed, &filled).form.unwrap();
        for e in &ed.catalogue {
            let ind = form
                .indicators
                .iter()
                .find(|i| i.level3.as_str() == e.level3)
                .unwrap();
            assert_eq!(ind.kind.value, Some(e.kind), "{}", e.level3);
            assert_eq!(
                ind.value.value,
                Decimal::from_str(&e.value).ok(),
                "{}",
                e.level3
            );
        }
    }
}

#[test]
fn the_template_is_the_same_bytes_every_time() {
    for ed in Edition::embedded() {
        assert_eq!(
            template::build(&ed).unwrap().bytes,
            template::build(&ed).unwrap().bytes
        );
    }
}

/// The template read back with openpyxl (tests/template_readback.py): the defined names hold the
/// edition's lists, the 二级 list resolves to the row's 一级's children on every row, each column
/// has its list and input message, money and year cells their rules, labels are locked and
/// inputs not, the sheet protected without a password with rows insertable and deletable, A4
/// landscape with the indicator header repeated, and 填表说明 listing every rule applied.
#[test]
#[cfg_attr(
    windows,
    ignore = "reads the template back with Python's openpyxl, which the wine prefix does not have"
)]
fn lists_messages_names_and_protection_read_back_with_openpyxl() {
    let dir = tempfile::tempdir().unwrap();
    for ed in Edition::embedded() {
        let t = template::build(&ed).unwrap();
        let l = &t.layout;
        let letter = jixiao::form::col_name;
        let cell = |c: &jixiao::form::CellRef| a1(c.row, c.col);
        let mut locked = vec![
            a1(l.year.row, 0),
            a1(l.department.row, 0),
            a1(l.goal.row, 0),
            a1(l.task_rows[0] - 1, l.task_name_col),
        ];
        let mut unlocked = vec![cell(&l.year), cell(&l.department), cell(&l.goal)];
        unlocked.extend(l.header.values().map(cell));
        for &r in &l.task_rows {
            unlocked.push(a1(r, l.task_name_col));
            unlocked.push(a1(r, l.task_content_col));
            unlocked.extend(l.task_amounts.values().map(|&c| a1(r, c)));
        }
        let mut money: Vec<String> = l.budget.values().map(cell).collect();
        money.extend(l.task_amounts.values().map(|&c| a1(l.task_rows[0], c)));
        unlocked.extend(money.iter().cloned());
        unlocked.extend(l.shares.values().map(cell));
        for (&c, &col) in &l.columns {
            locked.push(a1(l.header_row, col));
            for r in &l.rows {
                let fixed =
                    r.catalogue.is_some() && !matches!(c, Column::Criteria | Column::Description);
                if fixed {
                    locked.push(a1(r.row, col));
                } else {
                    unlocked.push(a1(r.row, col));
                }
            }
        }
        let expect = serde_json::json!({
            "sheet": l.sheet,
            "levels": ed.levels.iter().map(|v| (v.name.clone(), v.children.clone())).collect::<Vec<_>>(),
            "kinds": template::kind_list(&ed),
            "units": template::unit_list(&ed),
            "header_row": l.header_row + 1,
            "rows": l.rows.iter().map(|r| r.row + 1).collect::<Vec<_>>(),
            "level1": l.rows.iter().map(|r| r.level1.clone()).collect::<Vec<_>>(),
            "columns": l.columns.iter()
                .map(|(c, &col)| (c.key().to_string(), serde_json::Value::String(letter(col))))
                .collect::<serde_json::Map<_, _>>(),
            "required": ed.columns.iter().filter(|(_, f)| f.required).map(|(c, _)| c.key()).collect::<Vec<_>>(),
            "locked": locked,
            "unlocked": unlocked,
            "money": money,
            "year": cell(&l.year),
            "decimals": ed.edition.money_decimals,
            "rules": jixiao::rules::RULES.iter()
                .filter(|r| jixiao::rules::effective_severity(r, &ed).is_some())
                .map(|r| r.code).collect::<Vec<_>>(),
        });
        let xlsx = dir.path().join(template::file_name(&ed));
        std::fs::write(&xlsx, &t.bytes).unwrap();
        readback(&xlsx, &expect);
        // Filled with the seed and converted: the annotated copy (the user's workbook with the
        // findings marked) keeps the lists, names, messages, locks and protection.
        let (seed, _) = seed_form("samples/seed-2022.xlsx");
        let filled = dir.path().join(format!("{}-filled.xlsx", ed.edition.id));
        std::fs::write(&filled, fill(&t, &seed)).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .arg("convert")
            .arg(&filled)
            .arg("-o")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", ed.edition.id);
        let annotated = dir
            .path()
            .join(format!("out/{}-filled_批注.xlsx", ed.edition.id));
        let mut expect = expect.clone();
        expect["before"] = serde_json::json!(["校验报告"]);
        expect["active"] = serde_json::json!("校验报告");
        readback(&annotated, &expect);
    }
}

/// Runs tests/template_readback.py on a workbook with its expectations.
fn readback(xlsx: &std::path::Path, expect: &serde_json::Value) {
    let json = xlsx.with_extension("json");
    std::fs::write(&json, expect.to_string()).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/template_readback.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(xlsx)
        .arg(&json)
        .output()
        .expect("python3 (with openpyxl, as .ci/run installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.trim() == "ok",
        "{}: {text}{}",
        xlsx.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
