//! A filled form as data, and the writer that lays it out like the real 2022 template (title,
//! merged label cells, merged 一级/二级, wrapped text, borders). Shared by the rule-case tests
//! and by `examples/make_samples.rs`, which writes samples/ from the same data.
//!
//! Edits in the small text language of tests/cases/*.case apply to a `FormSpec`:
//!   set department = 新名称          set year = （2023 年度）        set goal =
//!   set task[2].name =              set tasks = none
//!   set task[1].amount = 100        (adds an amount column)   set tasks.total = 327.89 (a 合计 row)
//!   set budget.total = 300          set budget.basic = 200          (adds the 资金结构 rows)
//!   set ind[参保对象满意率].kind = ≤  set ind[3].value = '90         delete ind[预算调整率]
//!   add ind = 产出指标|数量指标|新指标|≥|90|%|评分|说明
//!   set origin = 5,3                (the form starts at row 5, column 3, 0-based)
//!   sheet before 填表说明 = 请按要求填写   (a sheet before the form's; add " (hidden)" to hide it;
//!                                          "= form of 某单位" writes a whole copy of the form)
//!   relabel 部门（单位）名称 => 部门(单位)\n名称：   (\n and \u3000 spelled out)
//! Values: blank → empty cell; a plain number → a number cell; `'text` → text (as Excel's
//! apostrophe); `pct:0.9` → 0.9 with a 0% number format; `formula:=D15+D16 -> 327.89` → a formula
//! with its cached result; anything else → text.
#![allow(dead_code)]

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// One cell's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Blank,
    Text(String),
    Number(f64),
    /// A fraction shown with a 0% number format.
    Percent(f64),
    /// A formula with its cached result, as Excel saves it.
    Formula(String, String),
}

impl Val {
    /// Parses the value syntax of the case language.
    pub fn parse(s: &str) -> Val {
        let s = s.trim();
        if s.is_empty() {
            Val::Blank
        } else if let Some(t) = s.strip_prefix('\'') {
            Val::Text(t.to_string())
        } else if let Some(f) = s.strip_prefix("formula:") {
            let (formula, result) = f.rsplit_once(" -> ").expect("formula:F -> RESULT");
            Val::Formula(formula.to_string(), result.to_string())
        } else if let Some(p) = s.strip_prefix("pct:") {
            Val::Percent(p.parse().expect("pct: needs a number"))
        } else if let Ok(n) = s.parse::<f64>() {
            Val::Number(n)
        } else {
            Val::Text(s.to_string())
        }
    }
}

fn t(s: &str) -> Val {
    if s.is_empty() {
        Val::Blank
    } else {
        Val::Text(s.to_string())
    }
}

/// One indicator row.
#[derive(Debug, Clone)]
pub struct IndRow {
    pub level1: String,
    pub level2: String,
    pub level3: Val,
    pub kind: Val,
    pub value: Val,
    pub unit: Val,
    pub criteria: Val,
    pub description: Val,
}

/// A whole filled form.
#[derive(Debug, Clone)]
pub struct FormSpec {
    pub sheet: String,
    /// Where the form's top-left corner is (0-based row, column).
    pub origin: (u32, u16),
    /// Sheets written before the form's sheet: (name, text in A1, hidden).
    pub before: Vec<(String, String, bool)>,
    /// Label texts replaced in the layout: (template text, text written).
    pub relabel: Vec<(String, String)>,
    pub title: String,
    pub year_line: Val,
    pub department: Val,
    pub goal: Val,
    pub tasks: Vec<(Val, Val)>,
    /// Task amounts (an amount column appears when set), and an optional 合计 row.
    pub task_amounts: Option<Vec<Val>>,
    pub tasks_total: Option<Val>,
    /// (label, value) rows of 预算情况, in order.
    pub budget: Vec<(String, Val)>,
    pub indicators: Vec<IndRow>,
}

const SEED_TASKS: [(&str, &str); 8] = [
    (
        "社保关系转移接续工作",
        "及时办理机关企事业单位基金养老保险关系建立、中断、转移",
    ),
    (
        "退休人员待遇服务工作",
        "及时办理机关企事业单位参保人员退休待遇核定、调整，按时足额发放",
    ),
    (
        "社保审计稽核工作",
        "对机关企事业单位养老保险经办业务实施风险防控和内部审计，养老金待遇领取资格认证，防止基金多领、冒领现象的发生；开展清理整顿，核查实疑点数据。",
    ),
    (
        "个人账户管理工作",
        "及时建立、登记机关企事业单位社会养老保险个人账户，提供接续等管理工作。",
    ),
    (
        "职业年金管理工作",
        "对机关事业单位工作人员职业年金进行归集，核定参保人员职业年金个人账户，及时办理职业年金关系的建立、转移、接续、对账。",
    ),
    (
        "社保业务档案和信息管理",
        "及时建立参保单位和人员业务档案，按要求归档，妥善保管。",
    ),
    (
        "社保政策宣传培训工作",
        "加强宣传，确保业务数据信息的安全完整。",
    ),
    (
        "社保基金核算管理工作",
        "及时对社保基金各项收支业务进行财务核算，编制社保基金各年度预算决算，管理社保基金，确保社保基金安全完整。",
    ),
];

/// (二级, 三级, kind, value, unit, description) of the 19 common 投入管理 rows as the seed has them.
const SEED_INPUT: [(&str, &str, &str, &str, &str, &str); 19] = [
    (
        "目标管理",
        "年度履职目标相关性",
        "定性",
        "相关",
        "-",
        "1. 年度履职目标是否符合国家、省委省政府战略部署和发展规划，与国家、省宏观政策、行业政策一致；2. 年度履职目标是否与部门职责、工作规划和重点工作相关；3. 确定的预算项目是否合理，是否与工作目标密切相关；4. 工作任务和项目预算安排是否合理。",
    ),
    (
        "目标管理",
        "工作任务科学性",
        "定性",
        "科学",
        "-",
        "1. 工作任务是否有明确的绩效目标，绩效目标是否与部门年度履职目标一致，是否能体现工作任务的产出和效果；2. 工作任务对应的预算项目是否有明确的绩效目标，绩效目标是否与部门职责目标、工作任务目标一致，是否能体现预算项目的产出和效果",
    ),
    (
        "目标管理",
        "绩效指标合理性",
        "定性",
        "合理",
        "-",
        "1. 工作任务、预算项目绩效指标设置是否准确反映部门绩效完成情况；2. 工作任务、预算项目绩效指标是否清晰、细化、可评价、可衡量；3. 工作任务、预算项目绩效指标的评价标准是否清晰、可衡量；4. 是否与部门年度的任务数或计划数相对应。",
    ),
    (
        "预算和财务管理",
        "预算编制完整性",
        "定性",
        "完整",
        "-",
        "1. 部门所有收入是否全部纳入部门预算；2. 部门支出预算是否统筹各类资金来源，全部纳入部门预算管理。",
    ),
    (
        "预算和财务管理",
        "专项资金细化率",
        "≥",
        "90",
        "%",
        "专项资金细化率=（已细化到具体市县和承担单位的资金数/部门参与分配资金总数）×100%。",
    ),
    (
        "预算和财务管理",
        "预算执行率",
        "≥",
        "90",
        "%",
        "预算执行率=（预算完成数/预算数）×100%。预算完成数指部门实际执行的预算数；预算数指财政部门批复的本年度部门的（调整）预算数。",
    ),
    (
        "预算和财务管理",
        "预算调整率",
        "",
        "20",
        "%",
        "预算调整率=（预算调整数/年初预算数）/年初预算数×100%。预算调整数：部门在本年度内涉及预算的追加、追减或结构调整的资金总和（因落实国家政策、发生不可抗力、上级部门或本级党委政府临时交办而产生的调整除外）。",
    ),
    (
        "预算和财务管理",
        "结转结余率",
        "≤",
        "30",
        "%",
        "结转结余率=结转结余总额/预算数×100%。结转结余总额是指部门本年度的结转结余资金之和。预算数是指财政部门批复的本年度部门的（调整）预算数。",
    ),
    (
        "预算和财务管理",
        "“三公经费”控制率",
        "≤",
        "100",
        "%",
        "“三公经费”控制率=“三公经费”实际支出数/“三公经费”预算数*100%",
    ),
    (
        "预算和财务管理",
        "政府采购执行率",
        "=",
        "100",
        "%",
        "政府采购执行率 = (实际政府采购金额 / 政府采购预算数) × 100%。政府采购预算：采购机关根据事业发展计划和行政任务编制的、并经过规定程序批准的年度政府采购计划。",
    ),
    (
        "预算和财务管理",
        "决算真实性",
        "定性",
        "真实",
        "-",
        "反映本部门决算工作情况。决算编制数据是否账表一致，即决算报表数据与会计账簿数据是否一致。",
    ),
    (
        "预算和财务管理",
        "预算资金使用合规性",
        "定性",
        "合规",
        "-",
        "部门（单位）是否按照相关法律法规以及资金管理办法规定的用途使用预算资金，用以反映和考核部门（单位）预算资金的规范运行情况。1. 是否符合国家财经法规和财务管理制度规定以及有关专项资金管理办法的规定；2. 资金的拨付是否有完整的审批程序和手续；3. 项目的重大开支是否经过评估论证；4. 是否符合部门预算批复的用途；5. 是否存在截留支出情况；6. 是否存在挤占支出情况；7. 是否存在挪用支出情况；8. 是否存在虚列支出情况。",
    ),
    (
        "预算和财务管理",
        "管理制度健全性",
        "定性",
        "健全",
        "-",
        "部门（单位）为加强预算管理，规范财务行为而制定的管理制度是否健全完整，用以反映和考核部门（单位）预算管理制度为完成主要职责或促事业发展的保障情况。1. 是否已制定或具有预算资金管理办法、内部管理制度、会计核算制度、会计岗位制度等管理制度；2. 相关管理制度是否得到有效执行。",
    ),
    (
        "预算和财务管理",
        "预决算信息公开性",
        "定性",
        "公开",
        "-",
        "部门（单位）是否按照政府信息公开有关规定公开部门预算、执行、决算、监督、绩效等相关预决算信息，用以反映和考核部门（单位）预决算管理的公开透明情况。1. 是否按规定内容公开预决算信息；2. 是否按规定时限公开预决算信息。",
    ),
    (
        "预算和财务管理",
        "资产管理规范性",
        "定性",
        "规范",
        "-",
        "部门（单位）的资产配置、使用是否合规，处置是否规范，收入是否及时足额上缴，用以反映和考核部门（单位）资产管理的规范程度。1. 资产是否及时规范入账，资产报表数据与会计账簿数据是否相符，资产实物与财务账、资产账是否相符；2. 新增资产是否符合规定程序和规定标准，新增资产是否考虑闲置存量资产；3. 资产对外有偿使用（出租出借等）、对外投资、担保、资产处置等事项是否按规定报批；4. 资产收益是否及时足额上交财政。",
    ),
    (
        "绩效管理",
        "绩效监控完成率",
        "=",
        "100",
        "%",
        "部门（单位）按要求实施绩效监控的项目数量占应实施绩效监控项目总数的比重。部门绩效监控完成率=已完成绩效监控项目数量/部门项目总数*100%",
    ),
    (
        "绩效管理",
        "绩效自评完成率",
        "=",
        "100",
        "%",
        "部门（单位）按要求实施绩效自评的项目数量占应实施绩效自评项目总数的比重。部门绩效自评完成率=已完成评价项目数量/部门项目总数*100%",
    ),
    (
        "绩效管理",
        "部门绩效评价完成率",
        "=",
        "100",
        "%",
        "部门重点绩效评价项目评价完成情况。部门绩效评价完成率=已完成评价项目数量/部门重点绩效评价项目数*100%",
    ),
    (
        "绩效管理",
        "评价结果应用率",
        "=",
        "100",
        "%",
        "绩效监控、单位自评、部门绩效评价、财政重点绩效评价结果应用情况。评价结果应用率=评价提出的意见建议采纳数/提出的意见建议总数*100%",
    ),
];

/// (一级, 二级, 三级, kind, value, description) of the department's own rows, as filed.
const SEED_OWN: [(&str, &str, &str, &str, &str, &str); 4] = [
    (
        "产出指标",
        "重点工作任务完成",
        "养老保险待遇社会化发放率",
        "≥",
        "100",
        "反映本部门制定的重点工作任务完成情况。",
    ),
    (
        "产出指标",
        "履职目标实现",
        "社保基金安全完整率",
        "≥",
        "100",
        "反映本部门制定的年度工作目标达成情况。",
    ),
    (
        "效益指标",
        "履职效益",
        "社保业务经办及时完成率",
        "≥",
        "95",
        "反映本部门履行社保业务经办职能情况。",
    ),
    (
        "效益指标",
        "满意度",
        "参保对象满意率",
        "≤",
        "95",
        "反映单位服务的参保对象对部门履职效果的满意程度。",
    ),
];

/// The seed form as filed (spec §5), keeping its slips: 满意率 with ≤, rates declared "≥100%",
/// 预算调整率 with no comparator, and "-" criteria on the 产出/效益 rows.
pub fn faithful_seed() -> FormSpec {
    let mut indicators: Vec<IndRow> = SEED_INPUT
        .iter()
        .map(|(l2, l3, kind, value, unit, desc)| IndRow {
            level1: "投入管理指标".into(),
            level2: (*l2).into(),
            level3: t(l3),
            kind: t(kind),
            value: if *kind == "定性" {
                t(value)
            } else {
                Val::parse(value)
            },
            unit: t(unit),
            criteria: t("-"),
            description: t(desc),
        })
        .collect();
    indicators.extend(
        SEED_OWN
            .iter()
            .map(|(l1, l2, l3, kind, value, desc)| IndRow {
                level1: (*l1).into(),
                level2: (*l2).into(),
                level3: t(l3),
                kind: t(kind),
                value: Val::parse(value),
                unit: t("%"),
                criteria: t("-"),
                description: t(desc),
            }),
    );
    FormSpec {
        sheet: "绩效目标申报表".into(),
        origin: (0, 0),
        before: Vec::new(),
        relabel: Vec::new(),
        title: "省级部门（单位）整体绩效目标申报表".into(),
        year_line: t("（2022 年度）"),
        department: t("州社会保险服务中心"),
        goal: t(
            "及时办理养老保险、职业年金关系建立、中断、转移、接续、终止等业务，保管好业务档案，离退人员社会化发放率100%，养老保险待遇按时足额安全完整。",
        ),
        tasks: SEED_TASKS.iter().map(|(n, c)| (t(n), t(c))).collect(),
        task_amounts: None,
        tasks_total: None,
        budget: vec![
            ("部门预算总额（万元）".into(), Val::Number(327.89)),
            ("1、资金来源：(1) 财政性资金".into(), Val::Number(327.89)),
            ("(2) 其他资金".into(), Val::Number(0.0)),
        ],
        indicators,
    }
}

/// The seed with its slips corrected: what a reviewer would accept.
pub fn corrected_seed() -> FormSpec {
    let mut f = faithful_seed();
    let criteria = [
        (
            "养老保险待遇社会化发放率",
            "发放率达到100%得满分，每降低1个百分点扣0.5分，扣完为止。",
        ),
        (
            "社保基金安全完整率",
            "未发生基金安全事故得满分；发生一起扣1分，扣完为止。",
        ),
        (
            "社保业务经办及时完成率",
            "完成率达到95%得满分，每降低1个百分点扣0.5分，扣完为止。",
        ),
        (
            "参保对象满意率",
            "满意率达到95%得满分，每降低1个百分点扣0.5分，扣完为止。",
        ),
    ];
    for row in &mut f.indicators {
        let Val::Text(name) = row.level3.clone() else {
            continue;
        };
        match name.as_str() {
            "预算调整率" => row.kind = t("≤"),
            "参保对象满意率" => row.kind = t("≥"),
            "养老保险待遇社会化发放率" | "社保基金安全完整率" => {
                row.kind = t("=")
            }
            _ => {}
        }
        if let Some((_, c)) = criteria.iter().find(|(n, _)| *n == name) {
            row.criteria = t(c);
        }
    }
    f
}

impl FormSpec {
    /// Applies one line of the case language (see the module doc). Panics on a malformed line:
    /// a case file is test code.
    pub fn apply(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("delete ") {
            let i = self.ind_index(rest.trim());
            self.indicators.remove(i);
            return;
        }
        if let Some(rest) = line.strip_prefix("add ind =") {
            let p: Vec<&str> = rest.split('|').map(str::trim).collect();
            assert_eq!(p.len(), 8, "add ind needs 8 fields: {line}");
            self.indicators.push(IndRow {
                level1: p[0].into(),
                level2: p[1].into(),
                level3: Val::parse(p[2]),
                kind: Val::parse(p[3]),
                value: Val::parse(p[4]),
                unit: Val::parse(p[5]),
                criteria: Val::parse(p[6]),
                description: Val::parse(p[7]),
            });
            return;
        }
        if let Some(rest) = line.strip_prefix("relabel ") {
            let (from, to) = rest.split_once(" => ").expect("relabel FROM => TO");
            // \n and \u3000 spelled out so a case file can show them.
            let to = to.replace("\\n", "\n").replace("\\u3000", "\u{3000}");
            self.relabel.push((from.trim().to_string(), to));
            return;
        }
        if let Some(rest) = line.strip_prefix("sheet before ") {
            let (name, text) = rest.split_once(" = ").expect("sheet before NAME = TEXT");
            let (name, hidden) = match name.strip_suffix(" (hidden)") {
                Some(n) => (n, true),
                None => (name, false),
            };
            self.before
                .push((name.trim().to_string(), text.trim().to_string(), hidden));
            return;
        }
        let rest = line
            .strip_prefix("set ")
            .unwrap_or_else(|| panic!("unknown edit: {line}"));
        let (path, value) = rest
            .split_once('=')
            .unwrap_or_else(|| panic!("no '=': {line}"));
        let (path, raw) = (path.trim(), value.trim());
        let v = Val::parse(raw);
        match path {
            "sheet" => self.sheet = raw.into(),
            "origin" => {
                let (r, c) = raw.split_once(',').expect("origin = ROW,COL");
                self.origin = (
                    r.trim().parse().expect("row"),
                    c.trim().parse().expect("col"),
                );
            }
            "title" => self.title = raw.into(),
            "year" => self.year_line = v,
            "department" => self.department = v,
            "goal" => self.goal = v,
            "tasks" if raw == "none" => self.tasks.clear(),
            "tasks.total" => self.tasks_total = Some(v),
            p if p.starts_with("task[") => {
                let (i, field) = index_field(p);
                let i: usize = i.parse::<usize>().expect("task index") - 1;
                match field {
                    "name" => self.tasks[i].0 = v,
                    "content" => self.tasks[i].1 = v,
                    "amount" => {
                        let n = self.tasks.len();
                        let amounts = self.task_amounts.get_or_insert_with(|| vec![Val::Blank; n]);
                        amounts[i] = v;
                    }
                    _ => panic!("task field {field}"),
                }
            }
            p if p.starts_with("budget.") => self.set_budget(&p[7..], v),
            p if p.starts_with("ind[") => {
                let (key, field) = index_field(p);
                let i = self.ind_index(&format!("ind[{key}]"));
                let row = &mut self.indicators[i];
                match field {
                    "level1" => row.level1 = raw.into(),
                    "level2" => row.level2 = raw.into(),
                    "level3" => row.level3 = v,
                    "kind" => row.kind = v,
                    "value" => row.value = v,
                    "unit" => row.unit = v,
                    "criteria" => row.criteria = v,
                    "description" => row.description = v,
                    _ => panic!("indicator field {field}"),
                }
            }
            _ => panic!("unknown path {path}"),
        }
    }

    fn set_budget(&mut self, key: &str, v: Val) {
        let label = match key {
            "total" => "部门预算总额（万元）",
            "fiscal" => "1、资金来源：(1) 财政性资金",
            "other" => "(2) 其他资金",
            "basic" => "2、资金结构：(1) 基本支出",
            "project" => "(2) 项目支出",
            "expense_total" => "支出合计",
            _ => panic!("budget key {key}"),
        };
        match self.budget.iter_mut().find(|(l, _)| l == label) {
            Some(slot) => slot.1 = v,
            None => self.budget.push((label.to_string(), v)),
        }
    }

    /// `ind[N]` (1-based) or `ind[三级名称]`.
    fn ind_index(&self, spec: &str) -> usize {
        let key = spec.trim().trim_start_matches("ind[").trim_end_matches(']');
        if let Ok(n) = key.parse::<usize>() {
            return n - 1;
        }
        self.indicators
            .iter()
            .position(|r| r.level3 == Val::Text(key.to_string()))
            .unwrap_or_else(|| panic!("no indicator {key}"))
    }

    /// Lays the form out like the 2022 template and returns the xlsx bytes.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let props = rust_xlsxwriter::DocProperties::new()
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2022, 1, 10)?);
        wb.set_properties(&props);
        for (name, text, hidden) in &self.before {
            let ws = wb.add_worksheet();
            ws.set_name(name)?;
            if *hidden {
                ws.set_hidden(true);
            }
            if let Some(dept) = text.strip_prefix("form of ") {
                // A whole copy of the form for another department (an old or hidden copy).
                let mut copy = self.clone();
                copy.department = Val::Text(dept.to_string());
                let mut pen = Pen {
                    ws,
                    r0: 0,
                    c0: 0,
                    labels: &self.relabel,
                };
                copy.layout(&mut pen)?;
                continue;
            }
            ws.write_string(0, 0, text)?;
        }
        let ws = wb.add_worksheet();
        ws.set_name(&self.sheet)?;
        // The form's sheet is the one shown on opening (a hidden sheet cannot be active).
        ws.set_active(true);
        let mut pen = Pen {
            ws,
            r0: self.origin.0,
            c0: self.origin.1,
            labels: &self.relabel,
        };
        self.layout(&mut pen)?;
        wb.save_to_buffer()
    }

    fn layout(&self, pen: &mut Pen) -> Result<(), XlsxError> {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let label = cell.clone().set_align(FormatAlign::Center).set_bold();
        let head = label.clone().set_background_color(Color::RGB(0xF2F2F2));
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        let year = Format::new().set_align(FormatAlign::Center);
        let pct = cell.clone().set_num_format("0%");
        for (c, w) in [10.0, 14.0, 22.0, 10.0, 10.0, 8.0, 24.0, 48.0]
            .iter()
            .enumerate()
        {
            pen.col_width(c as u16, *w)?;
        }
        const LAST: u16 = 7;
        pen.ws.set_landscape();
        pen.ws.set_paper_size(9); // A4
        pen.ws.set_print_fit_to_pages(1, 0);
        pen.merge(0, 0, 0, LAST, &pen.label(&self.title), &title)?;
        pen.row_height(0, 30.0)?;
        merged(pen, (1, 0, 1, LAST), &self.year_line, &year, &pct)?;
        pen.merge(2, 0, 2, 1, &pen.label("部门（单位）名称"), &label)?;
        merged(pen, (2, 2, 2, LAST), &self.department, &cell, &pct)?;
        pen.merge(3, 0, 3, 1, &pen.label("年度履职目标"), &label)?;
        merged(pen, (3, 2, 3, LAST), &self.goal, &cell, &pct)?;
        pen.row_height(3, height(&self.goal, 90.0))?;

        let mut r = 4u32;
        // With task amounts the content narrows to D:G and H holds the amount (some editions).
        let amounts = self.task_amounts.as_ref();
        let content_end = if amounts.is_some() { LAST - 1 } else { LAST };
        let extra = usize::from(self.tasks_total.is_some());
        let n = (self.tasks.len() + extra).max(1) as u32;
        let tasks_label = Val::Text(pen.label("年度主要任务"));
        merged(pen, (r, 0, r + n, 0), &tasks_label, &label, &pct)?;
        pen.merge(r, 1, r, 2, &pen.label("*任务名称"), &head)?;
        pen.merge(r, 3, r, content_end, &pen.label("*主要内容"), &head)?;
        if amounts.is_some() {
            pen.string(r, LAST, &pen.label("金额（万元）"), &head)?;
        }
        r += 1;
        if self.tasks.is_empty() && extra == 0 {
            merged(pen, (r, 1, r, 2), &Val::Blank, &cell, &pct)?;
            merged(pen, (r, 3, r, LAST), &Val::Blank, &cell, &pct)?;
            r += 1;
        }
        for (i, (name, content)) in self.tasks.iter().enumerate() {
            merged(pen, (r, 1, r, 2), name, &cell, &pct)?;
            merged(pen, (r, 3, r, content_end), content, &cell, &pct)?;
            if let Some(a) = amounts {
                write(pen, r, LAST, a.get(i).unwrap_or(&Val::Blank), &cell, &pct)?;
            }
            pen.row_height(r, height(content, 90.0))?;
            r += 1;
        }
        if let Some(total) = &self.tasks_total {
            merged(pen, (r, 1, r, 2), &t("合计"), &cell, &pct)?;
            merged(pen, (r, 3, r, content_end), &Val::Blank, &cell, &pct)?;
            write(pen, r, LAST, total, &cell, &pct)?;
            r += 1;
        }
        let nb = self.budget.len() as u32;
        let budget_label = Val::Text(pen.label("预算情况"));
        merged(pen, (r, 0, r + nb - 1, 0), &budget_label, &label, &pct)?;
        for (lbl, v) in &self.budget {
            pen.merge(r, 1, r, 2, &pen.label(lbl), &cell)?;
            let money = cell.clone().set_num_format("0.00");
            merged(pen, (r, 3, r, LAST), v, &money, &pct)?;
            r += 1;
        }
        let headers = [
            "一级指标",
            "二级指标",
            "*三级指标",
            "*指标值类型",
            "*指标值",
            "度量单位",
            "*评/扣分标准",
            "*指标值说明",
        ];
        for (c, h) in headers.iter().enumerate() {
            pen.string(r, c as u16, &pen.label(h), &head)?;
        }
        r += 1;
        // 一级/二级 merged over their runs, as in the template.
        let rows = &self.indicators;
        for key in [0usize, 1] {
            let mut i = 0;
            while i < rows.len() {
                let name = |k: usize| {
                    if key == 0 {
                        &rows[k].level1
                    } else {
                        &rows[k].level2
                    }
                };
                let parent = |k: usize| &rows[k].level1;
                let mut j = i;
                while j + 1 < rows.len()
                    && name(j + 1) == name(i)
                    && (key == 0 || parent(j + 1) == parent(i))
                {
                    j += 1;
                }
                merged(
                    pen,
                    (r + i as u32, key as u16, r + j as u32, key as u16),
                    &t(name(i)),
                    &cell,
                    &pct,
                )?;
                i = j + 1;
            }
        }
        for (i, row) in rows.iter().enumerate() {
            let rr = r + i as u32;
            pen.row_height(
                rr,
                height(&row.description, 48.0).max(height(&row.criteria, 24.0)),
            )?;
            for (c, v) in [
                &row.level3,
                &row.kind,
                &row.value,
                &row.unit,
                &row.criteria,
                &row.description,
            ]
            .into_iter()
            .enumerate()
            {
                write(pen, rr, c as u16 + 2, v, &cell, &pct)?;
            }
        }
        Ok(())
    }
}

/// Row height (points) for wrapped text in a column of `width` characters; CJK counts double.
fn height(v: &Val, width: f64) -> f64 {
    let Val::Text(s) = v else { return 15.0 };
    let w: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    (w as f64 / (width - 1.0)).ceil().max(1.0) * 15.0
}

fn index_field(p: &str) -> (&str, &str) {
    let open = p.find('[').expect("[");
    let close = p.rfind(']').expect("]");
    (&p[open + 1..close], p[close + 1..].trim_start_matches('.'))
}

fn write(
    pen: &mut Pen,
    r: u32,
    c: u16,
    v: &Val,
    f: &Format,
    pct: &Format,
) -> Result<(), XlsxError> {
    let (r, c) = (r + pen.r0, c + pen.c0);
    let ws = &mut *pen.ws;
    match v {
        Val::Blank => ws.write_blank(r, c, f)?,
        Val::Text(s) => ws.write_string_with_format(r, c, s, f)?,
        Val::Number(n) => ws.write_number_with_format(r, c, *n, f)?,
        Val::Percent(n) => ws.write_number_with_format(r, c, *n, pct)?,
        Val::Formula(formula, result) => {
            let formula = rust_xlsxwriter::Formula::new(formula).set_result(result);
            ws.write_formula_with_format(r, c, formula, f)?
        }
    };
    Ok(())
}

/// A merged region holding a typed value: merge_range writes only strings, so merge a blank
/// region first and then write the typed value into its top-left cell.
fn merged(
    pen: &mut Pen,
    (r1, c1, r2, c2): (u32, u16, u32, u16),
    v: &Val,
    f: &Format,
    pct: &Format,
) -> Result<(), XlsxError> {
    if (r1, c1) != (r2, c2) {
        pen.merge(r1, c1, r2, c2, "", f)?;
    }
    write(pen, r1, c1, v, f, pct)
}

/// Writes the layout at an offset (the form need not start at A1) with relabelled labels.
pub struct Pen<'a> {
    pub ws: &'a mut Worksheet,
    r0: u32,
    c0: u16,
    labels: &'a [(String, String)],
}

impl Pen<'_> {
    fn label(&self, text: &str) -> String {
        self.labels
            .iter()
            .find(|(from, _)| from == text)
            .map(|(_, to)| to.clone())
            .unwrap_or_else(|| text.to_string())
    }

    fn merge(
        &mut self,
        r1: u32,
        c1: u16,
        r2: u32,
        c2: u16,
        s: &str,
        f: &Format,
    ) -> Result<(), XlsxError> {
        self.ws
            .merge_range(r1 + self.r0, c1 + self.c0, r2 + self.r0, c2 + self.c0, s, f)?;
        Ok(())
    }

    fn string(&mut self, r: u32, c: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
        self.ws
            .write_string_with_format(r + self.r0, c + self.c0, s, f)?;
        Ok(())
    }

    fn row_height(&mut self, r: u32, h: f64) -> Result<(), XlsxError> {
        self.ws.set_row_height(r + self.r0, h)?;
        Ok(())
    }

    fn col_width(&mut self, c: u16, w: f64) -> Result<(), XlsxError> {
        self.ws.set_column_width(c + self.c0, w)?;
        Ok(())
    }
}
