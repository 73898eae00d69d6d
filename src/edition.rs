//! Edition data: the labels, vocabularies, catalogue and thresholds of one province's form,
//! loaded from a TOML file under templates/ (the 2022 edition is embedded in the binary).
//! Owns lookups on that data; it never reads workbooks or judges values.

use crate::form::budget_key::{FISCAL, OTHER, TOTAL};
use crate::form::{Column, Kind};
use crate::text::{norm_label, norm_name};
use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Deserialize;
#[cfg(feature = "cli")]
use std::path::Path;

/// The 2022 edition, embedded so the binary works with no files beside it.
pub const BUILTIN_2022: &str = include_str!("../templates/2022.toml");

/// Every embedded edition (file name without .toml, text). The first is the default; the others
/// are sibling editions of other provinces (spec §3), detected from the labels a form has.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("2022", BUILTIN_2022),
    ("hunan", include_str!("../templates/hunan.toml")),
    ("hubei", include_str!("../templates/hubei.toml")),
    ("shaanxi", include_str!("../templates/shaanxi.toml")),
];

/// One edition of the form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    /// Identity and money precision.
    pub edition: Meta,
    /// Section labels.
    pub labels: Labels,
    /// Header fields beyond department, year and goal (e.g. 部门（单位）职责), by key.
    #[serde(default)]
    pub header: IndexMap<String, LabeledField>,
    /// Budget figures, by field key (total, fiscal, other, basic, project, …).
    pub budget: IndexMap<String, LabeledField>,
    /// Labels of a budget column holding each figure's share (占比), if the edition has one.
    #[serde(default)]
    pub budget_share: Vec<String>,
    /// Task amount columns (总额, 财政拨款, 其他资金 …), by key; a key that is also a budget key is
    /// reconciled with that budget figure.
    #[serde(default)]
    pub task_amounts: IndexMap<String, LabeledField>,
    /// Indicator table columns (every [`Column`] must be named).
    pub columns: IndexMap<Column, LabeledField>,
    /// 指标值类型 kinds and how they are typed.
    pub kinds: Vec<KindSpec>,
    /// 一级 names with their 二级 names.
    pub levels: Vec<Level>,
    /// The common 投入管理 indicators.
    #[serde(default)]
    pub catalogue: Vec<CatalogueEntry>,
    /// Thresholds used by the rules.
    pub thresholds: Thresholds,
    /// Word lists used by the rules.
    pub words: Words,
    /// Per-rule severity overrides ("error" | "warning" | "info" | "off").
    #[serde(default)]
    pub rules: IndexMap<String, String>,
    /// How `jixiao template` lays the blank form out.
    #[serde(default)]
    pub template: TemplateSpec,
}

/// The blank form's layout (`jixiao template`): what the labels alone do not say.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateSpec {
    /// The form's sheet name.
    pub sheet: String,
    /// The indicator columns, left to right (every column once).
    pub columns: Vec<Column>,
    /// Further indicator columns with no checks (备注), after the others.
    pub extra_columns: Vec<String>,
    /// Whether the task rows carry the edition's amount columns.
    pub task_amounts: bool,
    /// Blank task rows.
    pub task_rows: u32,
    /// Blank indicator rows under each 一级 outside the common catalogue.
    pub rows_per_level: u32,
    /// The units offered in the 度量单位 list (others may still be typed).
    pub units: Vec<String>,
}

impl Default for TemplateSpec {
    fn default() -> Self {
        TemplateSpec {
            sheet: "绩效目标申报表".to_string(),
            columns: Column::ALL.to_vec(),
            extra_columns: Vec::new(),
            task_amounts: false,
            task_rows: 8,
            rows_per_level: 5,
            units: Vec::new(),
        }
    }
}

/// Edition identity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short id shown in reports ("2022").
    pub id: String,
    /// Full name.
    pub name: String,
    /// Maximum decimals for money in 万元.
    pub money_decimals: u32,
}

/// Section labels, each a list of accepted texts (the first is canonical).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub title: Vec<String>,
    pub department: Vec<String>,
    pub annual_goal: Vec<String>,
    pub tasks: Vec<String>,
    pub task_name: Vec<String>,
    pub task_content: Vec<String>,
    pub budget: Vec<String>,
    #[serde(default)]
    pub table_end: Vec<String>,
    /// Task rows and indicator rows that are totals (合计), not entries.
    #[serde(default)]
    pub total_rows: Vec<String>,
    /// A line giving the year when the title has none ("年度：2022").
    #[serde(default)]
    pub year_line: Vec<String>,
    /// A filing date line ("填报日期：2021年10月20日"): the year's second source.
    #[serde(default)]
    pub filing_date: Vec<String>,
    /// A block of prior years' figures ("近两年收支情况"): its years + 1 are the third source.
    #[serde(default)]
    pub prior_years: Vec<String>,
}

/// A field found by its label.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabeledField {
    /// Canonical name used in messages.
    pub title: String,
    /// Accepted label texts.
    pub labels: Vec<String>,
    /// A starred (required) field.
    #[serde(default)]
    pub required: bool,
    /// Where "-" is accepted as "not applicable".
    #[serde(default)]
    pub dash_allowed: Option<DashAllowed>,
    /// Budget figures: the label is looked for only inside the block headed by one of these
    /// group labels (收入构成, 支出构成), so the two 合计 rows are told apart.
    #[serde(default)]
    pub within: Vec<String>,
    /// Budget figures: the key of the total its 占比 is a share of.
    #[serde(default)]
    pub share_of: Option<String>,
}

/// Where the placeholder "-" is accepted in a column.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DashAllowed {
    /// "all": on every row.
    All(String),
    /// Only on rows under these 一级 names.
    Under(Vec<String>),
}

/// One 指标值类型.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    /// The normalised kind: 定性, ≥, ≤, =, >, < (or 定量 where the comparator is in the value).
    pub kind: Kind,
    /// The ways it is typed.
    pub typed: Vec<String>,
    /// The comparator is written inside the value ("≥90"), as in editions with 定量/定性.
    #[serde(default)]
    pub from_value: bool,
    /// Reading it is worth a 提示: the edition's own way is a comparator in the type column, and
    /// this spelling is accepted from forms that follow another edition's habit.
    #[serde(default)]
    pub noted: bool,
    /// `typed`, normalised once (filled by [`Edition::parse`]).
    #[serde(skip)]
    keys: Vec<String>,
}

/// One 一级 with its 二级.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub name: String,
    pub children: Vec<String>,
    /// `name`, normalised once.
    #[serde(skip)]
    key: String,
    /// `children`, normalised once.
    #[serde(skip)]
    child_keys: Vec<String>,
}

impl Level {
    /// Whether a 二级 name is one of this 一级's, after normalising.
    pub fn has_child(&self, name: &str) -> bool {
        self.child_keys.contains(&norm_name(name))
    }
}

/// A common indicator every department declares.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub level2: String,
    pub level3: String,
    pub kind: Kind,
    pub value: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub formula: String,
    /// The standard 评/扣分标准 (blank: "-" where the column accepts it).
    #[serde(default)]
    pub criteria: String,
    /// The standard 指标值说明 (blank: the formula).
    #[serde(default)]
    pub description: String,
    /// `level3`, normalised once.
    #[serde(skip)]
    key: String,
}

/// Thresholds used by the rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Budget sums must agree to within this many 万元.
    pub budget_tolerance: Decimal,
    /// The range a rate must lie in.
    pub rate_min: Decimal,
    pub rate_max: Decimal,
    /// A figure this many times every other one looks like 元 instead of 万元.
    pub yuan_ratio: Decimal,
    /// A 占比 may differ from amount / total × 100 by this many percentage points.
    #[serde(default = "default_share_tolerance")]
    pub share_tolerance: Decimal,
}

fn default_share_tolerance() -> Decimal {
    Decimal::new(1, 2)
}

/// Word lists used by the rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub rate_suffixes: Vec<String>,
    pub want_at_least: Vec<String>,
    pub want_at_most: Vec<String>,
    pub placeholders: Vec<String>,
    /// `placeholders`, normalised once.
    #[serde(skip)]
    placeholder_keys: Vec<String>,
}

/// Why an edition file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EditionError {
    #[cfg(feature = "cli")]
    #[error("无法读取版本文件 {path}：{}", crate::ioerror::reason(source))]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("版本文件 {path} 格式有误：{message}")]
    Parse { path: String, message: String },
    #[error("没有名为“{name}”的内置版本，也没有这个版本文件；内置版本有：{valid}")]
    UnknownName { name: String, valid: String },
}

impl Edition {
    /// The embedded 2022 edition.
    pub fn builtin() -> Edition {
        // The embedded files are checked by the `embedded_editions_parse` test.
        Edition::parse(BUILTIN_2022, "templates/2022.toml").expect("embedded edition is valid")
    }

    /// Every embedded edition, the default first.
    pub fn embedded() -> Vec<Edition> {
        EMBEDDED
            .iter()
            .map(|(id, text)| {
                Edition::parse(text, &format!("templates/{id}.toml"))
                    .expect("embedded edition is valid")
            })
            .collect()
    }

    /// Loads an edition file.
    #[cfg(feature = "cli")]
    pub fn load(path: &Path) -> Result<Edition, EditionError> {
        let text = std::fs::read_to_string(path).map_err(|source| EditionError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Edition::parse(&text, &path.display().to_string())
    }

    /// Parses edition TOML text. A file may start from an embedded edition with
    /// `extends = "2022"` and give only what differs: tables are merged key by key, lists and
    /// values replace the base's.
    pub fn parse(text: &str, path: &str) -> Result<Edition, EditionError> {
        let perr = |message: String| EditionError::Parse {
            path: path.to_string(),
            message: zh_toml(&message),
        };
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| perr(e.message().to_string()))?;
        if let Some(base) = table.remove("extends") {
            let base = base
                .as_str()
                .ok_or_else(|| perr("extends 须为版本名".to_string()))?;
            let (_, base_text) = EMBEDDED
                .iter()
                .find(|(id, _)| *id == base)
                .ok_or_else(|| perr(format!("没有名为 {base} 的内置版本")))?;
            let mut merged: toml::Table =
                toml::from_str(base_text).map_err(|e| perr(e.message().to_string()))?;
            merge(&mut merged, table);
            table = merged;
        }
        let mut ed: Edition = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| perr(e.message().to_string()))?;
        for key in [TOTAL, FISCAL, OTHER] {
            if !ed.budget.contains_key(key) {
                return Err(perr(format!("缺少 [budget.{key}]")));
            }
        }
        for c in Column::ALL {
            if !ed.columns.contains_key(&c) {
                return Err(perr(format!("缺少 [columns.{}]", c.key())));
            }
        }
        // Names are compared normalised on every row; normalise the edition's side once.
        for k in &mut ed.kinds {
            k.keys = k.typed.iter().map(|t| norm_label(t)).collect();
        }
        for l in &mut ed.levels {
            l.key = norm_name(&l.name);
            l.child_keys = l.children.iter().map(|c| norm_name(c)).collect();
        }
        for c in &mut ed.catalogue {
            c.key = norm_name(&c.level3);
        }
        let sheet = &ed.template.sheet;
        if sheet.is_empty()
            || sheet.chars().count() > 31
            || sheet.contains(['[', ']', ':', '*', '?', '/', '\\'])
        {
            return Err(perr(format!(
                "[template] sheet “{sheet}”不能用作工作表名：须为 1 到 31 个字符，不含 [ ] : * ? / \\"
            )));
        }
        let order = &ed.template.columns;
        if order.len() != Column::ALL.len() || Column::ALL.iter().any(|c| !order.contains(c)) {
            return Err(perr(
                "[template] columns 须把八个指标栏目（level1 … description）各列一次".to_string(),
            ));
        }
        ed.words.placeholder_keys = ed.words.placeholders.iter().map(|p| norm_name(p)).collect();
        // A misspelt rule code or level would silently do nothing: refuse it.
        for (code, level) in &ed.rules {
            if !crate::rules::RULES.iter().any(|r| r.code == code) {
                return Err(perr(format!(
                    "[rules] 中的规则代码“{code}”不存在（`jixiao rules` 列出全部规则）"
                )));
            }
            if level != "off" && level != "关闭" && crate::finding::Severity::parse(level).is_none()
            {
                return Err(perr(format!(
                    "[rules] 中 {code} 的级别“{level}”无法识别，应为 error、warning、info 或 off"
                )));
            }
        }
        Ok(ed)
    }

    /// An embedded edition by its id ("2022", "hunan" …).
    pub fn named(name: &str) -> Option<Edition> {
        Edition::embedded()
            .into_iter()
            .find(|e| e.edition.id == name)
    }

    /// `--edition` as typed: an embedded edition's id, else an edition file. A name that is
    /// neither says which editions exist.
    #[cfg(feature = "cli")]
    pub fn by_name_or_path(arg: &Path) -> Result<Edition, EditionError> {
        if let Some(ed) = arg.to_str().and_then(Edition::named) {
            return Ok(ed);
        }
        let looks_like_file = arg.extension().is_some() || arg.components().count() > 1;
        if !looks_like_file && !arg.exists() {
            return Err(EditionError::UnknownName {
                name: arg.display().to_string(),
                valid: EMBEDDED
                    .iter()
                    .map(|(id, _)| *id)
                    .collect::<Vec<_>>()
                    .join("、"),
            });
        }
        Edition::load(arg)
    }

    /// The normalised kind for what was typed in a 指标值类型 cell, if recognised.
    pub fn kind_of(&self, typed: &str) -> Option<Kind> {
        self.kind_spec(typed).map(|k| k.kind)
    }

    /// The kind entry for what was typed, if recognised.
    pub fn kind_spec(&self, typed: &str) -> Option<&KindSpec> {
        let key = norm_label(typed);
        self.kinds.iter().find(|k| k.keys.contains(&key))
    }

    /// The comparator for a symbol typed inside a value ("≥" of "≥90"), whatever the edition's
    /// 指标值类型 column holds.
    pub fn comparator_of(&self, typed: &str) -> Option<Kind> {
        self.kind_of(typed).filter(|k| k.is_comparator())
    }

    /// Whether "-" is accepted in `column` on a row under `level1`.
    pub fn dash_allowed(&self, column: Column, level1: &str) -> bool {
        match self
            .columns
            .get(&column)
            .and_then(|c| c.dash_allowed.as_ref())
        {
            Some(DashAllowed::All(_)) => true,
            Some(DashAllowed::Under(names)) => {
                let l1 = norm_name(level1);
                names.iter().any(|n| norm_name(n) == l1)
            }
            None => false,
        }
    }

    /// The catalogue entry for a 三级 name, if it is one of the common indicators.
    pub fn catalogue_entry(&self, level3: &str) -> Option<&CatalogueEntry> {
        let key = norm_name(level3);
        if key.is_empty() {
            return None;
        }
        self.catalogue.iter().find(|c| c.key == key)
    }

    /// Whether a text is a placeholder that says nothing ("-", "酌情扣分" …).
    pub fn is_placeholder(&self, text: &str) -> bool {
        // A text far longer than every placeholder is none (normalising never shortens a text
        // to less than a third: three jamo make one Hangul syllable); spaces and quotation marks
        // do not count, as normalising drops them.
        let longest = self
            .words
            .placeholder_keys
            .iter()
            .map(|k| k.chars().count())
            .max();
        let counted = text
            .chars()
            .filter(|c| {
                !crate::text::is_space(*c)
                    && !crate::text::is_quote(*c)
                    && !matches!(c, '\u{FF02}' | '\u{FF07}')
            })
            .take(3 * longest.unwrap_or(0) + 4)
            .count();
        if counted > 3 * longest.unwrap_or(0) + 3 {
            return false;
        }
        let t = norm_name(text);
        !t.is_empty() && self.words.placeholder_keys.contains(&t)
    }

    /// The 一级 entry for a name, if the edition knows it.
    pub fn level(&self, level1: &str) -> Option<&Level> {
        let key = norm_name(level1);
        self.levels.iter().find(|l| l.key == key)
    }

    /// The canonical title of an indicator column ("指标值类型" …).
    pub fn column_title(&self, column: Column) -> &str {
        self.columns
            .get(&column)
            .map(|f| f.title.as_str())
            .unwrap_or(column.key())
    }

    /// The labels an indicator column is found by.
    pub fn column_labels(&self, column: Column) -> &[String] {
        self.columns
            .get(&column)
            .map(|f| f.labels.as_slice())
            .unwrap_or_default()
    }

    /// The canonical title of a budget figure, header field or task amount, by its key.
    pub fn title<'a>(&'a self, key: &'a str) -> &'a str {
        self.budget
            .get(key)
            .or_else(|| self.header.get(key))
            .or_else(|| self.task_amounts.get(key))
            .map(|f| f.title.as_str())
            .unwrap_or(key)
    }
}

/// The TOML reader's English wording of the common mistakes, in Chinese (the key names and
/// the lists of valid keys it gives are kept).
fn zh_toml(message: &str) -> String {
    let mut m = message.trim().to_string();
    for (en, zh) in [
        ("unknown field", "不认识的键"),
        ("missing field", "缺少键"),
        ("duplicate key", "键重复"),
        ("invalid type", "值的类型不对"),
        ("expected one of", "可用的键有"),
        ("invalid string", "字符串写法有误"),
        ("expected", "应为"),
        ("found", "实际为"),
    ] {
        m = m.replace(en, zh);
    }
    m
}

/// Merges `over` into `base`: tables key by key, everything else replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// The form of a label used for comparing: normalised (see [`norm_label`]) with a trailing
/// colon dropped ("部门（单位）名称：" is the label "部门（单位）名称").
pub fn label_key(s: &str) -> String {
    norm_label(s).trim_end_matches(':').to_string()
}

/// Whether `text` is one of `labels`, after normalising both.
pub fn label_is(text: &str, labels: &[String]) -> bool {
    let t = label_key(text);
    !t.is_empty() && labels.iter().any(|l| label_key(l) == t)
}

/// Whether `text` ends with one of `labels` (after an enumerator such as "1、资金来源：(1)"),
/// after normalising both.
pub fn label_ends_with(text: &str, labels: &[String]) -> bool {
    let t = label_key(text);
    !t.is_empty() && labels.iter().any(|l| t.ends_with(label_key(l).as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_editions_parse() {
        let eds = Edition::embedded();
        let ids: Vec<&str> = eds.iter().map(|e| e.edition.id.as_str()).collect();
        assert_eq!(ids, ["2022", "hunan", "hubei", "shaanxi"]);
        let hunan = &eds[1];
        assert_eq!(hunan.kind_of("定量"), Some(Kind::Quantitative));
        assert_eq!(hunan.comparator_of("≥"), Some(Kind::AtLeast));
        assert!(hunan.header.contains_key("duties"));
        // Inherited from 2022 unless replaced.
        assert_eq!(hunan.catalogue.len(), 19);
    }

    #[test]
    fn builtin_edition_parses() {
        let ed = Edition::builtin();
        assert_eq!(ed.edition.id, "2022");
        assert_eq!(ed.catalogue.len(), 19);
        assert_eq!(ed.budget.keys().next().map(String::as_str), Some("total"));
        assert!(ed.catalogue_entry("\"三公经费\"控制率").is_some());
        assert!(ed.is_placeholder(" - "));
        assert!(ed.is_placeholder("未达指标值酌情扣分"));
        assert!(!ed.is_placeholder("每降低1个百分点扣0.5分"));
        assert_eq!(ed.kind_of("＞＝"), Some(Kind::AtLeast));
        assert_eq!(ed.kind_of("大于等于"), Some(Kind::AtLeast));
        assert_eq!(ed.kind_of(" ≧ "), Some(Kind::AtLeast));
        assert_eq!(ed.kind_of("<="), Some(Kind::AtMost));
        assert_eq!(ed.kind_of("定性"), Some(Kind::Qualitative));
        assert_eq!(ed.kind_of("约"), None);
        assert!(ed.dash_allowed(Column::Unit, "产出指标"));
        assert!(ed.dash_allowed(Column::Criteria, "投入管理指标"));
        assert!(!ed.dash_allowed(Column::Criteria, "产出指标"));
        assert!(!ed.dash_allowed(Column::Description, "投入管理指标"));
    }

    #[test]
    fn template_layouts() {
        let eds = Edition::embedded();
        assert_eq!(eds[0].template.columns, Column::ALL);
        assert_eq!(eds[1].template.columns[6], Column::Description);
        assert_eq!(eds[1].template.extra_columns, ["备注"]);
        assert!(eds[3].template.task_amounts && !eds[0].template.task_amounts);
        assert!(
            eds.iter()
                .all(|e| e.catalogue.iter().all(|c| !c.description.is_empty()))
        );
        // A column order that leaves one out is refused, with the reason.
        let bad = "extends = \"2022\"\n[template]\ncolumns = [\"level1\", \"level3\"]\n";
        let err = Edition::parse(bad, "x.toml").unwrap_err().to_string();
        assert!(err.contains("[template] columns"), "{err}");
        let bad = "extends = \"2022\"\n[template]\nsheet = \"申报表[2027]\"\n";
        let err = Edition::parse(bad, "x.toml").unwrap_err().to_string();
        assert!(err.contains("不能用作工作表名"), "{err}");
    }

    #[test]
    fn label_matching() {
        let l = vec!["部门（单位）名称".to_string()];
        assert!(label_is("*部门(单位)名称", &l));
        assert!(label_is("部门（单位）\n名称", &l));
        assert!(!label_is("部门", &l));
        let f = vec!["财政性资金".to_string()];
        assert!(label_ends_with("1、资金来源：(1) 财政性资金", &f));
        assert!(label_ends_with("财政性资金：", &f));
    }
}
