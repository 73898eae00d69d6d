#!/usr/bin/env python3
"""Writes the realistic workbooks of tests/realistic/ (committed; rerun to regenerate).

Each form is first written with openpyxl the way people lay the template out (merged labels,
wrapped text, borders), then opened and saved by LibreOffice as .xlsx, .xls and .ods: so the
committed files carry what an office suite writes (cached formula results LibreOffice computed,
its styles, merges and number formats), not what a library writes. One file is kept as written
by openpyxl on purpose: its formulas have no cached values, as files from scripts do.

Needs: python3 with openpyxl; LibreOffice (apt-get install -y libreoffice-calc).
Each workbook's expectations are in NAME.expect beside it (see tests/realistic.rs).
gbk-biff5.xls is not made here (no office suite writes BIFF5 any more): it is written by
`cargo run --example make_samples -- gbk tests/realistic/gbk-biff5.xls`.
"""
import os, shutil, subprocess, tempfile
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, Side

HERE = os.path.dirname(os.path.abspath(__file__))
# `make.py STEM…` regenerates only those workbooks (the others keep their committed bytes).
import sys
ONLY = set(sys.argv[1:])
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")

# The 19 common 投入管理 indicators: 二级, 三级, kind, value, unit, explanation.
COMMON = [
    ("目标管理", "年度履职目标相关性", "定性", "相关", "-", "年度履职目标是否符合发展规划，与部门职责、重点工作相关。"),
    ("目标管理", "工作任务科学性", "定性", "科学", "-", "工作任务是否有明确的绩效目标，与年度履职目标一致。"),
    ("目标管理", "绩效指标合理性", "定性", "合理", "-", "绩效指标是否清晰、细化、可评价、可衡量。"),
    ("预算和财务管理", "预算编制完整性", "定性", "完整", "-", "部门所有收入是否全部纳入部门预算。"),
    ("预算和财务管理", "专项资金细化率", "≥", 90, "%", "专项资金细化率=已细化资金数/部门参与分配资金总数×100%。"),
    ("预算和财务管理", "预算执行率", "≥", 90, "%", "预算执行率=预算完成数/预算数×100%。"),
    ("预算和财务管理", "预算调整率", "≤", 20, "%", "预算调整率=预算调整数/年初预算数×100%。"),
    ("预算和财务管理", "结转结余率", "≤", 30, "%", "结转结余率=结转结余总额/预算数×100%。"),
    ("预算和财务管理", "“三公经费”控制率", "≤", 100, "%", "“三公经费”控制率=实际支出数/预算数×100%。"),
    ("预算和财务管理", "政府采购执行率", "=", 100, "%", "政府采购执行率=实际政府采购金额/政府采购预算数×100%。"),
    ("预算和财务管理", "决算真实性", "定性", "真实", "-", "决算报表数据与会计账簿数据是否一致。"),
    ("预算和财务管理", "预算资金使用合规性", "定性", "合规", "-", "是否按规定的用途使用预算资金。"),
    ("预算和财务管理", "管理制度健全性", "定性", "健全", "-", "预算管理制度是否健全并有效执行。"),
    ("预算和财务管理", "预决算信息公开性", "定性", "公开", "-", "是否按规定公开预决算信息。"),
    ("预算和财务管理", "资产管理规范性", "定性", "规范", "-", "资产配置、使用、处置是否规范。"),
    ("绩效管理", "绩效监控完成率", "=", 100, "%", "绩效监控完成率=已完成绩效监控项目数量/部门项目总数×100%。"),
    ("绩效管理", "绩效自评完成率", "=", 100, "%", "绩效自评完成率=已完成评价项目数量/部门项目总数×100%。"),
    ("绩效管理", "部门绩效评价完成率", "=", 100, "%", "部门绩效评价完成率=已完成评价项目数量/重点评价项目数×100%。"),
    ("绩效管理", "评价结果应用率", "=", 100, "%", "评价结果应用率=采纳的意见建议数/提出的意见建议总数×100%。"),
]

OWN = [  # 一级, 二级, 三级, kind, value, unit, criteria, explanation
    ("产出指标", "重点工作任务完成", "养老保险待遇社会化发放率", "=", 100, "%", "每降低1个百分点扣0.5分", "社会化发放人数/离退休人数×100%。"),
    ("产出指标", "履职目标实现", "社保基金安全完整率", "=", 100, "%", "发生一起基金安全事故扣1分", "未发生安全事故的基金数/基金总数×100%。"),
    ("效益指标", "履职效益", "社保业务经办及时完成率", "≥", 95, "%", "每降低1个百分点扣0.5分", "按时办结业务数/业务总数×100%。"),
    ("效益指标", "满意度", "参保对象满意率", "≥", 95, "%", "每降低1个百分点扣0.5分", "满意的受访参保对象数/受访总数×100%。"),
]

TASKS = [
    ("社保关系转移接续工作", "及时办理机关企事业单位基金养老保险关系建立、中断、转移"),
    ("退休人员待遇服务工作", "及时办理参保人员退休待遇核定、调整，按时足额发放"),
    ("社保基金核算管理工作", "及时对社保基金各项收支业务进行财务核算，确保社保基金安全完整。"),
]


def put(ws, ref, value, bold=False, fmt=None, merge=None):
    ws[ref] = value
    c = ws[ref]
    c.alignment = WRAP
    c.border = BOX
    if bold:
        c.font = Font(bold=True)
    if fmt:
        c.number_format = fmt
    if merge:
        ws.merge_cells(merge)
        for row in ws[merge]:
            for cell in row:
                cell.border = BOX


def widths(ws, cols):
    for letter, w in cols.items():
        ws.column_dimensions[letter].width = w


def header_2022(ws, r, unit="度量单位", desc="*指标值说明", crit="*评/扣分标准"):
    for col, text in zip("ABCDEFGH", ["一级指标", "二级指标", "*三级指标", "*指标值类型", "*指标值", unit, crit, desc]):
        put(ws, f"{col}{r}", text, bold=True)


def indicator_rows(ws, r, rows, merge_levels=True, every_row=False):
    """Writes (一级, 二级, 三级, kind, value, unit, criteria, explanation) rows from row r;
    一级/二级 merged over their runs, written once with blanks below, or on every row."""
    start = r
    for i, row in enumerate(rows):
        for col, v in zip("CDEFGH", row[2:]):
            put(ws, f"{col}{r + i}", v, fmt="0%" if isinstance(v, float) and v < 1 else None)
    for key in (0, 1):
        i = 0
        while i < len(rows):
            j = i
            while j + 1 < len(rows) and rows[j + 1][key] == rows[i][key] and rows[j + 1][0] == rows[i][0]:
                j += 1
            col = "AB"[key]
            if every_row:
                for k in range(i, j + 1):
                    put(ws, f"{col}{start + k}", rows[k][key])
            elif merge_levels and j > i:
                put(ws, f"{col}{start + i}", rows[i][key], merge=f"{col}{start + i}:{col}{start + j}")
            else:
                put(ws, f"{col}{start + i}", rows[i][key])
                for k in range(i + 1, j + 1):
                    put(ws, f"{col}{start + k}", None)
            i = j + 1
    return r + len(rows)


def common_rows(criteria="-"):
    return [("投入管理指标", l2, l3, k, v, u, criteria, d) for (l2, l3, k, v, u, d) in COMMON]


def top(ws, title, year, dept, goal, label_goal="年度履职目标", r=1):
    put(ws, f"A{r}", title, bold=True, merge=f"A{r}:H{r}")
    put(ws, f"A{r + 1}", year, merge=f"A{r + 1}:H{r + 1}")
    put(ws, f"A{r + 2}", "部门（单位）名称", bold=True, merge=f"A{r + 2}:B{r + 2}")
    put(ws, f"C{r + 2}", dept, merge=f"C{r + 2}:H{r + 2}")
    put(ws, f"A{r + 3}", label_goal, bold=True, merge=f"A{r + 3}:B{r + 3}")
    put(ws, f"C{r + 3}", goal, merge=f"C{r + 3}:H{r + 3}")
    return r + 4


def tasks(ws, r, items=TASKS):
    put(ws, f"A{r}", "年度主要任务", bold=True, merge=f"A{r}:A{r + len(items)}")
    put(ws, f"B{r}", "*任务名称", bold=True, merge=f"B{r}:C{r}")
    put(ws, f"D{r}", "*主要内容", bold=True, merge=f"D{r}:H{r}")
    for i, (n, c) in enumerate(items):
        put(ws, f"B{r + 1 + i}", n, merge=f"B{r + 1 + i}:C{r + 1 + i}")
        put(ws, f"D{r + 1 + i}", c, merge=f"D{r + 1 + i}:H{r + 1 + i}")
    return r + 1 + len(items)


def budget_2022(ws, r, total=327.89, fiscal=327.89, other=0):
    put(ws, f"A{r}", "预算情况", bold=True, merge=f"A{r}:A{r + 2}")
    for i, (label, v) in enumerate([("部门预算总额（万元）", total), ("1、资金来源：(1) 财政性资金", fiscal), ("(2) 其他资金", other)]):
        put(ws, f"B{r + i}", label, merge=f"B{r + i}:C{r + i}")
        put(ws, f"D{r + i}", v, fmt="0.00", merge=f"D{r + i}:H{r + i}")
    return r + 3


def new_sheet(wb, name):
    ws = wb.create_sheet(name)
    widths(ws, {"A": 12, "B": 14, "C": 22, "D": 11, "E": 10, "F": 9, "G": 24, "H": 40, "I": 12})
    return ws


def hunan():
    """湖南式: 定量/定性 with the comparator in the value, 计量单位, 指标解释, 评（扣）分标准, 备注;
    部门（单位）职责 and 年度总体绩效目标 in the header. Keeps two real defects: 定性 + 应保尽保 + %,
    and "28.8万元" with unit %; one row with only criteria filled."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "部门整体绩效目标")
    r = top(ws, "部门整体支出绩效目标申报表", "（2023年度）", "某市医疗保障局",
            "推进医保支付方式改革，保障参保群众基本医疗需求，基金运行平稳。", label_goal="*年度总体绩效目标")
    # 部门（单位）职责 sits between the name and the goal in this edition.
    ws.insert_rows(r - 1)
    put(ws, f"A{r - 1}", "*部门（单位）职责", bold=True, merge=f"A{r - 1}:B{r - 1}")
    put(ws, f"C{r - 1}", "贯彻落实医疗保障政策，组织实施医保基金监管、医药价格和招标采购。", merge=f"C{r - 1}:H{r - 1}")
    r = tasks(ws, r + 1, [("医保支付方式改革", "推进按病种付费改革，覆盖全市定点医疗机构。"),
                          ("医保基金监管", "开展定点医药机构专项检查，追回违规基金。")])
    r = budget_2022(ws, r, 1200, 1000, 200)
    for col, text in zip("ABCDEFGHI", ["一级指标", "二级指标", "三级指标", "指标值类型", "*指标值", "计量单位", "*指标解释", "*评（扣）分标准", "备注"]):
        put(ws, f"{col}{r}", text, bold=True)
    r += 1
    rows = []
    for (l2, l3, k, v, u, d) in COMMON:
        kind, value = ("定性", v) if k == "定性" else ("定量", f"{k}{v}")
        rows.append(("投入管理指标", l2, l3, kind, value, u, d, "-"))
    rows += [
        ("产出指标", "数量指标", "参保人数", "定量", "≥50000", "人", "年末参保总人数。", "每少1000人扣0.5分"),
        ("产出指标", "质量指标", "医保基金追回率", "定量", "28.8万元", "%", "追回违规基金数/查实违规基金数×100%。", "未达指标值酌情扣分"),
        ("效益指标", "社会效益指标", "参保人员应保尽保", "定性", "应保尽保", "%", "应参保人员全部参保。", "未做到的每例扣1分"),
        ("效益指标", "满意度指标", "参保群众满意度", "定量", "≥90%", "%", "满意人数/调查人数×100%。", "每降低1个百分点扣0.5分"),
    ]
    # The columns here are 指标解释 (G) then 评（扣）分标准 (H), as the rows list them.
    start = r
    r = indicator_rows(ws, r, rows)
    put(ws, f"H{r}", "未达指标值酌情扣分")  # a row with only the criteria filled
    put(ws, f"I{start}", "通用指标")
    return wb


def hubei():
    """湖北式: 收入构成/支出构成 with 占比 and two prior-year columns; one share is wrong."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "整体绩效目标表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2023 年度）", "省社会保险服务中心",
            "及时足额发放养老保险待遇，保障基金安全完整。")
    r = tasks(ws, r)
    put(ws, f"A{r}", "预算情况", bold=True, merge=f"A{r}:A{r + 6}")
    for col, text in zip("BCDEFG", ["类别", "项目", "2023年预算数（万元）", "占比", "2022年预算数", "2021年决算数"]):
        put(ws, f"{col}{r}", text, bold=True)
    data = [("收入构成", [("财政拨款", 900, 0.9, 850, 800), ("其他资金", 100, 0.1, 90, 70), ("合计", 1000, 1, 940, 870)]),
            ("支出构成", [("基本支出", 600, 0.55, 560, 540), ("项目支出", 400, 0.4, 380, 330), ("合计", 1000, 1, 940, 870)])]
    rr = r + 1
    for group, items in data:
        put(ws, f"B{rr}", group, bold=True, merge=f"B{rr}:B{rr + 2}")
        for i, (label, amount, share, y1, y2) in enumerate(items):
            put(ws, f"C{rr + i}", label)
            put(ws, f"D{rr + i}", amount, fmt="0.00")
            put(ws, f"E{rr + i}", share, fmt="0.00%")
            put(ws, f"F{rr + i}", y1, fmt="0.00")
            put(ws, f"G{rr + i}", y2, fmt="0.00")
        rr += 3
    r = rr
    header_2022(ws, r)
    rows = common_rows() + OWN
    indicator_rows(ws, r + 1, rows)
    return wb


def shaanxi():
    """陕西式: tasks with 总额/财政拨款/其他资金 and a 金额合计 row; one task's 总额 is mistyped.
    一级/二级 are written on every row (no merges)."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "绩效目标申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2023 年度）", "省社会保险服务中心",
            "及时足额发放养老保险待遇，保障基金安全完整。")
    items = [("社保关系转移接续工作", "及时办理养老保险关系转移接续", 100, 80, 20),
             ("退休人员待遇服务工作", "按时足额发放退休待遇", 210, 200, 0),
             ("社保基金核算管理工作", "社保基金财务核算", 27.89, 27.89, 0)]
    put(ws, f"A{r}", "年度主要任务", bold=True, merge=f"A{r}:A{r + len(items) + 1}")
    put(ws, f"B{r}", "*任务名称", bold=True)
    put(ws, f"C{r}", "*主要内容", bold=True, merge=f"C{r}:E{r}")
    for col, text in zip("FGH", ["总额", "财政拨款", "其他资金"]):
        put(ws, f"{col}{r}", text, bold=True)
    for i, (n, c, t, f, o) in enumerate(items):
        rr = r + 1 + i
        put(ws, f"B{rr}", n)
        put(ws, f"C{rr}", c, merge=f"C{rr}:E{rr}")
        put(ws, f"F{rr}", t, fmt="0.00")
        put(ws, f"G{rr}", f, fmt="0.00")
        put(ws, f"H{rr}", o, fmt="0.00")
    rr = r + 1 + len(items)
    put(ws, f"B{rr}", "金额合计", bold=True)
    put(ws, f"C{rr}", None, merge=f"C{rr}:E{rr}")
    # 合计 by formula, as staff do: LibreOffice computes and caches the results.
    put(ws, f"F{rr}", f"=SUM(F{r + 1}:F{rr - 1})", fmt="0.00")
    put(ws, f"G{rr}", f"=SUM(G{r + 1}:G{rr - 1})", fmt="0.00")
    put(ws, f"H{rr}", f"=SUM(H{r + 1}:H{rr - 1})", fmt="0.00")
    r = budget_2022(ws, rr + 1, 327.89, 307.89, 20)
    header_2022(ws, r)
    indicator_rows(ws, r + 1, common_rows() + OWN, every_row=True)
    return wb


def messy():
    """The 2022 form as departments really send it: an instructions sheet first, a hidden old
    copy, a title over three rows, a blank first column and blank rows, a label split by a line
    break, the indicator header over two rows and repeated after a page break, 一级/二级 written
    once with blanks below, a row with only the criteria, a 合计 row and notes below."""
    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active["A1"] = "填表说明：请按要求填写“绩效目标申报表”工作表，不要改动栏目名称。"
    old = new_sheet(wb, "旧版")
    top(old, "省级部门（单位）整体绩效目标申报表", "（2021 年度）", "旧单位名称", "旧目标")
    old.sheet_state = "hidden"
    ws = new_sheet(wb, "绩效目标申报表")
    ws.insert_cols(1)
    put(ws, "B1", "附件2", merge="B1:I1")
    put(ws, "B2", "省级部门（单位）整体绩效目标申报表", bold=True, merge="B2:I2")
    put(ws, "B3", "（2022 年度）", merge="B3:I3")
    put(ws, "B5", "部门（单位）\n名称", bold=True, merge="B5:C5")
    put(ws, "D5", "州社会保险服务中心", merge="D5:I5")
    put(ws, "B6", "年度履职目标", bold=True, merge="B6:C6")
    put(ws, "D6", "及时办理养老保险、职业年金关系建立、中断、转移、接续、终止等业务。", merge="D6:I6")
    put(ws, "B8", "年度主要任务", bold=True, merge="B8:B10")
    put(ws, "C8", "*任务名称", bold=True, merge="C8:D8")
    put(ws, "E8", "*主要内容", bold=True, merge="E8:I8")
    for i, (n, c) in enumerate(TASKS[:2]):
        put(ws, f"C{9 + i}", n, merge=f"C{9 + i}:D{9 + i}")
        put(ws, f"E{9 + i}", c, merge=f"E{9 + i}:I{9 + i}")
    put(ws, "B12", "预算情况", bold=True, merge="B12:B14")
    for i, (label, v) in enumerate([("部门预算总额（万元）", 327.89), ("1、资金来源：(1) 财政性资金", 327.89), ("(2) 其他资金", 0)]):
        put(ws, f"C{12 + i}", label, merge=f"C{12 + i}:D{12 + i}")
        put(ws, f"E{12 + i}", v, fmt="0.00", merge=f"E{12 + i}:I{12 + i}")

    def two_row_header(r):
        for col, text in zip("BCD", ["一级指标", "二级指标", "*三级指标"]):
            put(ws, f"{col}{r}", text, bold=True, merge=f"{col}{r}:{col}{r + 1}")
        put(ws, f"E{r}", "*指标值", bold=True, merge=f"E{r}:F{r}")
        put(ws, f"E{r + 1}", "类型", bold=True)
        put(ws, f"F{r + 1}", "数值", bold=True)
        for col, text in zip("GHI", ["度量单位", "*评/扣分标准", "*指标值说明"]):
            put(ws, f"{col}{r}", text, bold=True, merge=f"{col}{r}:{col}{r + 1}")

    two_row_header(16)
    rows = common_rows() + OWN
    r = 18
    for i, row in enumerate(rows):
        if i == 10:  # the header repeated after a page break
            two_row_header(r)
            r += 2
        first_of_l1 = i == 0 or rows[i - 1][0] != row[0]
        first_of_l2 = first_of_l1 or rows[i - 1][1] != row[1]
        put(ws, f"B{r}", row[0] if first_of_l1 else None)
        put(ws, f"C{r}", row[1] if first_of_l2 else None)
        for col, v in zip("DEFGHI", row[2:]):
            put(ws, f"{col}{r}", v)
        r += 1
        if i == 3:
            r += 1  # a blank row inside the table
    put(ws, f"H{r}", "未达指标值酌情扣分")  # only the criteria filled
    put(ws, f"B{r + 1}", "合计")
    put(ws, f"H{r + 1}", "100分")
    put(ws, f"B{r + 3}", "填表说明：1.带*的为必填项；2.金额单位为万元。")
    put(ws, f"B{r + 4}", "3.定量指标须写明计算公式。")
    return wb


def cells():
    """Values as people type them: full-width digits, units and NBSP inside money, a date, rich
    text, a percentage stored as a fraction with a % format, an error value from a formula, and
    a total computed by formula."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2022 年度）", "州社会保险服务中心",
            "及时办理养老保险关系转移接续，按时足额发放待遇。")
    r = tasks(ws, r)
    ws[f"B{r - 1}"] = CellRichText([TextBlock(InlineFont(b=True), "社保基金"), "核算管理工作"])
    put(ws, f"A{r}", "预算情况", bold=True, merge=f"A{r}:A{r + 2}")
    put(ws, f"B{r}", "部门预算总额（万元）", merge=f"B{r}:C{r}")
    put(ws, f"D{r}", "\u00a0327.89万元", merge=f"D{r}:H{r}")
    put(ws, f"B{r + 1}", "1、资金来源：(1) 财政性资金", merge=f"B{r + 1}:C{r + 1}")
    put(ws, f"D{r + 1}", f"=327.89-D{r + 2}", fmt="0.00", merge=f"D{r + 1}:H{r + 1}")
    put(ws, f"B{r + 2}", "(2) 其他资金", merge=f"B{r + 2}:C{r + 2}")
    put(ws, f"D{r + 2}", 0, merge=f"D{r + 2}:H{r + 2}")
    r += 3
    header_2022(ws, r)
    rows = common_rows()
    rows[4] = ("投入管理指标", "预算和财务管理", "专项资金细化率", "≥", 0.9, "%", "-", rows[4][7])
    rows[5] = ("投入管理指标", "预算和财务管理", "预算执行率", "≥", "９０", "%", "-", rows[5][7])
    own = list(OWN)
    own.insert(1, ("产出指标", "重点工作任务完成", "信息系统上线时间", "定性", "DATE", "-", "按期上线得满分", "系统正式上线的日期。"))
    own[3] = ("效益指标", "履职效益", "社保业务经办及时完成率", "≥", "=1/0", "%", "每降低1个百分点扣0.5分", "按时办结业务数/业务总数×100%。")
    end = indicator_rows(ws, r + 1, rows + own)
    import datetime
    date_row = r + 1 + len(rows) + 1
    ws[f"E{date_row}"] = datetime.date(2022, 6, 30)
    ws[f"E{date_row}"].number_format = "yyyy-mm-dd"
    return wb


def uncalculated():
    """A form written by a script: its total is a formula with no cached result."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2022 年度）", "州社会保险服务中心",
            "及时办理养老保险关系转移接续，按时足额发放待遇。")
    r = tasks(ws, r)
    total_row = r
    r = budget_2022(ws, r)
    ws[f"D{total_row}"] = f"=D{total_row + 1}+D{total_row + 2}"
    header_2022(ws, r)
    indicator_rows(ws, r + 1, common_rows() + OWN)
    return wb


def quantitative():
    """A 2022-edition form whose 指标值类型 says 定量 and whose 指标值 carries the comparator, as
    many departments fill it: "≥90", "≤ 20%", "=100%", a bare "100" (read as "="), and one value
    that is really unreadable ("应保尽保" under 定量)."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2022 年度）", "州社会保险服务中心",
            "及时办理养老保险关系转移接续，按时足额发放待遇。")
    r = tasks(ws, r)
    r = budget_2022(ws, r)
    header_2022(ws, r)
    rows = []
    for (l2, l3, k, v, u, d) in COMMON:
        if k == "定性":
            rows.append(("投入管理指标", l2, l3, k, v, u, "-", d))
        elif l3 == "预算调整率":
            rows.append(("投入管理指标", l2, l3, "定量", "≤ 20%", "%", "-", d))
        elif l3 == "政府采购执行率":
            rows.append(("投入管理指标", l2, l3, "定量", "=100%", "", "-", d))
        else:
            rows.append(("投入管理指标", l2, l3, "定量", f"{k}{v}", u, "-", d))
    rows += [
        ("产出指标", "重点工作任务完成", "养老保险待遇社会化发放率", "定量", "100", "%", "每降低1个百分点扣0.5分", "社会化发放人数/离退休人数×100%。"),
        ("产出指标", "履职目标实现", "社保基金安全完整率", "定量", "＝100％", "%", "发生一起基金安全事故扣1分", "未发生安全事故的基金数/基金总数×100%。"),
        ("效益指标", "履职效益", "参保人员应保尽保", "定量", "应保尽保", "-", "每发现一例未参保扣1分", "应参保人员全部参保。"),
        ("效益指标", "满意度", "参保对象满意率", "定量", ">=95%", "%", "每降低1个百分点扣0.5分", "满意的受访参保对象数/受访总数×100%。"),
    ]
    indicator_rows(ws, r + 1, rows)
    return wb


def year_date():
    """No year in the title nor a year line: a 填报日期 line under the table gives it (a date
    cell), and a decoy year in the goal text must not be taken."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", None, "州社会保险服务中心",
            "巩固2019年度以来的改革成果，按时足额发放待遇。")
    r = tasks(ws, r)
    r = budget_2022(ws, r)
    header_2022(ws, r)
    r = indicator_rows(ws, r + 1, common_rows() + OWN)
    import datetime
    put(ws, f"A{r + 1}", "填报日期", bold=True, merge=f"A{r + 1}:B{r + 1}")
    ws[f"C{r + 1}"] = datetime.date(2022, 1, 15)
    ws[f"C{r + 1}"].number_format = "yyyy年m月d日"
    put(ws, f"E{r + 1}", "填报人：张三")
    return wb


def year_prior():
    """No year in the title: the budget block has a 近两年收支情况 part whose columns are the two
    previous years (2021年, 2022年), so the form is for 2023."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "", "省社会保险服务中心",
            "及时足额发放养老保险待遇，保障基金安全完整。")
    r = tasks(ws, r)
    r = budget_2022(ws, r, 1000, 900, 100)
    put(ws, f"A{r}", "近两年收支情况", bold=True, merge=f"A{r}:A{r + 2}")
    for col, text in zip("BCD", ["项目", "2021年", "2022年"]):
        put(ws, f"{col}{r}", text, bold=True)
    for i, (label, a, b) in enumerate([("收入（万元）", 850, 940), ("支出（万元）", 840, 930)]):
        put(ws, f"B{r + 1 + i}", label)
        put(ws, f"C{r + 1 + i}", a, fmt="0.00")
        put(ws, f"D{r + 1 + i}", b, fmt="0.00")
    r += 3
    header_2022(ws, r)
    indicator_rows(ws, r + 1, common_rows() + OWN)
    return wb


def year_decoy():
    """The year is in the title; a 填报日期 of the previous autumn, a prior-years block and a
    year in the goal text are decoys that must not win over it."""
    wb = year_prior()
    ws = wb["申报表"]
    ws["A1"] = "2022年度省级部门（单位）整体绩效目标申报表"
    ws["A1"].font = Font(bold=True)
    ws["C4"] = "巩固2019年度以来的改革成果，及时足额发放养老保险待遇。"
    last = ws.max_row + 2
    put(ws, f"A{last}", "填报日期：2021年10月20日", merge=f"A{last}:C{last}")
    return wb


def tasks_two_row():
    """陕西式 tasks under a two-row header: 预算金额（万元） on the 任务名称 row spanning three
    columns, 总额 / 财政拨款 / 其他资金 on the row below, tasks after it and a 金额合计 row; one
    task's 总额 is mistyped and the 合计 row does not match the tasks."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "绩效目标申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2023 年度）", "省社会保险服务中心",
            "及时足额发放养老保险待遇，保障基金安全完整。")
    items = [("社保关系转移接续工作", "及时办理养老保险关系转移接续", 100, 80, 20),
             ("退休人员待遇服务工作", "按时足额发放退休待遇", 210, 200, 0),
             ("社保基金核算管理工作", "社保基金财务核算", 27.89, 27.89, 0)]
    put(ws, f"A{r}", "年度主要任务", bold=True, merge=f"A{r}:A{r + len(items) + 2}")
    put(ws, f"B{r}", "*任务名称", bold=True, merge=f"B{r}:B{r + 1}")
    put(ws, f"C{r}", "*主要内容", bold=True, merge=f"C{r}:E{r + 1}")
    put(ws, f"F{r}", "预算金额（万元）", bold=True, merge=f"F{r}:H{r}")
    for col, text in zip("FGH", ["总额", "财政拨款", "其他资金"]):
        put(ws, f"{col}{r + 1}", text, bold=True)
    for i, (n, c, t, f, o) in enumerate(items):
        rr = r + 2 + i
        put(ws, f"B{rr}", n)
        put(ws, f"C{rr}", c, merge=f"C{rr}:E{rr}")
        put(ws, f"F{rr}", t, fmt="0.00")
        put(ws, f"G{rr}", f, fmt="0.00")
        put(ws, f"H{rr}", o, fmt="0.00")
    rr = r + 2 + len(items)
    put(ws, f"B{rr}", "金额合计", bold=True)
    put(ws, f"C{rr}", None, merge=f"C{rr}:E{rr}")
    put(ws, f"F{rr}", 327.89, fmt="0.00")
    put(ws, f"G{rr}", 307.89, fmt="0.00")
    put(ws, f"H{rr}", 20, fmt="0.00")
    r = budget_2022(ws, rr + 1, 327.89, 307.89, 20)
    header_2022(ws, r)
    indicator_rows(ws, r + 1, common_rows() + OWN)
    return wb


def two_forms():
    """A workbook holding the forms of two units, one per sheet, and a second copy of the first
    form (same department, same content) on a third sheet; the second unit's form has a slip."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, dept, total in [("社保中心", "州社会保险服务中心", 327.89), ("医保中心", "州医疗保障服务中心", 500),
                              ("社保中心（备份）", "州社会保险服务中心", 327.89)]:
        ws = new_sheet(wb, name)
        r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2022 年度）", dept,
                "及时办理养老保险关系转移接续，按时足额发放待遇。")
        r = tasks(ws, r)
        r = budget_2022(ws, r, total, 327.89 if total == 327.89 else 450, 0)
        header_2022(ws, r)
        indicator_rows(ws, r + 1, common_rows() + OWN)
    return wb


def long_text():
    """A description longer than Excel's 32,767-character cell limit, as other programs write it."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2022 年度）", "州社会保险服务中心",
            "及时办理养老保险关系转移接续，按时足额发放待遇。")
    r = tasks(ws, r)
    r = budget_2022(ws, r)
    header_2022(ws, r)
    own = list(OWN)
    own[0] = own[0][:7] + ("LONG-TEXT-PLACEHOLDER",)
    indicator_rows(ws, r + 1, common_rows() + own)
    return wb


def save_long_text(path):
    """openpyxl cuts text at 32,767 characters when it saves, so the long text is put into the
    saved package afterwards, as a program that does not check the limit writes it."""
    import zipfile
    tmp = path + ".tmp"
    long_text().save(tmp)
    text = "社会化发放人数/离退休人数×100%。" + "说明" * 20000 + "（完）"
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if b"LONG-TEXT-PLACEHOLDER" in data:
                data = data.replace(b"LONG-TEXT-PLACEHOLDER", text.encode("utf-8"))
            dst.writestr(item, data)
    os.remove(tmp)


def ods_formula(tmp):
    """An ods whose budget total is computed by a formula only LibreOffice has (no Excel
    equivalent): the copy keeps its value, and says so (E905)."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = new_sheet(wb, "申报表")
    r = top(ws, "省级部门（单位）整体绩效目标申报表", "（2022 年度）", "州社会保险服务中心",
            "及时办理养老保险关系转移接续，按时足额发放待遇。")
    r = tasks(ws, r)
    total_row = r
    r = budget_2022(ws, r)
    ws[f"D{total_row}"] = f"=D{total_row + 1}+D{total_row + 2}"
    header_2022(ws, r)
    indicator_rows(ws, r + 1, common_rows() + OWN)
    src = os.path.join(tmp, "formula-2022-src.xlsx")
    wb.save(src)
    libreoffice(src, "formula-2022", ["ods"])
    path = os.path.join(HERE, "formula-2022.ods")
    import zipfile
    staged = path + ".tmp"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(staged, "w") as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "content.xml":
                data = data.replace(b'table:formula="of:=[.D10]+[.D11]"',
                                    b'table:formula="of:=ORG.OPENOFFICE.EASTERSUNDAY(2022)*0+[.D10]+[.D11]"')
            out.writestr(item, data, compress_type=item.compress_type)
    os.replace(staged, path)


def libreoffice(src, stem, exts):
    for ext in exts:
        filt = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods"}[ext]
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(["soffice", "--headless", "--calc", "--convert-to", filt, "--outdir", out, src],
                           check=True, capture_output=True)
            produced = os.path.join(out, os.path.splitext(os.path.basename(src))[0] + "." + ext)
            shutil.copy(produced, os.path.join(HERE, f"{stem}.{ext}"))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for stem, make, exts in [
            ("hunan-2023", hunan, ["xlsx", "xls", "ods"]),
            ("hubei-2023", hubei, ["xlsx", "xls", "ods"]),
            ("shaanxi-2023", shaanxi, ["xlsx", "xls", "ods"]),
            ("messy-2022", messy, ["xlsx", "xls", "ods"]),
            ("cells-2022", cells, ["xlsx", "xls", "ods"]),
            ("quantitative-2022", quantitative, ["xlsx", "xls", "ods"]),
            ("year-date", year_date, ["xlsx", "xls", "ods"]),
            ("year-prior", year_prior, ["xlsx", "xls", "ods"]),
            ("year-decoy", year_decoy, ["xlsx", "xls", "ods"]),
            ("tasks-two-row-2023", tasks_two_row, ["xlsx", "xls", "ods"]),
            ("two-forms-2022", two_forms, ["xlsx", "xls", "ods"]),
        ]:
            if ONLY and stem not in ONLY:
                continue
            src = os.path.join(tmp, f"{stem}-src.xlsx")
            make().save(src)
            libreoffice(src, stem, exts)
        if not ONLY or "formula-2022" in ONLY:
            ods_formula(tmp)
        if not ONLY or "uncalculated-2022" in ONLY:
            uncalculated().save(os.path.join(HERE, "uncalculated-2022.xlsx"))
        if not ONLY or "long-text-2022" in ONLY:
            save_long_text(os.path.join(HERE, "long-text-2022.xlsx"))


if __name__ == "__main__":
    main()
