#!/usr/bin/env python3
"""Reads a template written by `jixiao template` back with openpyxl and checks that its lists,
input messages, defined names, protection and print setup are what the edition says.

Usage: template_readback.py TEMPLATE.xlsx EXPECT.json
EXPECT.json (written by tests/template.rs): sheet, levels [[name, [children]]], kinds, units,
header_row, rows (1-based indicator rows), level1 (each row's 一级), columns {key: letter},
required [keys], locked [A1…], unlocked [A1…], money [A1…], year (A1), decimals.
Prints what is wrong and exits 1, or prints "ok".
"""
import json
import re
import sys

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

path, expect_path = sys.argv[1], sys.argv[2]
x = json.load(open(expect_path, encoding="utf-8"))
wb = load_workbook(path)
problems = []


def fail(msg):
    problems.append(msg)


# Sheets: the form first and shown, then the instructions, then the hidden code table.
# An annotated copy has jixiao's 校验报告 in front ("before" in EXPECT.json).
if wb.sheetnames != x.get("before", []) + [x["sheet"], "填表说明", "代码表"]:
    fail(f"sheets {wb.sheetnames}")
if wb["代码表"].sheet_state != "hidden":
    fail("代码表 not hidden")
if wb[x["sheet"]].sheet_state != "visible" or wb.active.title != x.get("active", x["sheet"]):
    fail("form sheet not the visible, active one")
ws = wb[x["sheet"]]


def name_values(name):
    """The cells a workbook-level defined name points at, as texts."""
    dn = wb.defined_names.get(name)
    if dn is None:
        fail(f"defined name {name} missing")
        return []
    out = []
    for sheet, ref in dn.destinations:
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        for row in wb[sheet].iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
            out += [c.value for c in row if c.value is not None]
    return out


levels = [name for name, _ in x["levels"]]
if name_values("一级指标") != levels:
    fail(f"一级指标 = {name_values('一级指标')}")
for i, (name, children) in enumerate(x["levels"], start=1):
    if name_values(f"二级_{i}") != children:
        fail(f"二级_{i} = {name_values(f'二级_{i}')}, want {children}")
if name_values("指标值类型") != x["kinds"]:
    fail(f"指标值类型 = {name_values('指标值类型')}")
if name_values("度量单位") != x["units"]:
    fail(f"度量单位 = {name_values('度量单位')}")

# Validations, by the cells they cover.
dvs = ws.data_validations.dataValidation


def covering(a1):
    col = re.match(r"[A-Z]+", a1).group(0)
    row = int(a1[len(col):])
    found = []
    for dv in dvs:
        for rng in str(dv.sqref).split():
            c1, r1, c2, r2 = range_boundaries(rng)
            from openpyxl.utils import column_index_from_string
            ci = column_index_from_string(col)
            if c1 <= ci <= c2 and r1 <= row <= r2:
                found.append(dv)
    if len(found) != 1:
        fail(f"{a1}: {len(found)} validations")
        return None
    return found[0]


rows = x["rows"]
first = rows[0]
for key, letter in x["columns"].items():
    for r in rows:
        dv = covering(f"{letter}{r}")
        if dv is None:
            continue
        if not (dv.showInputMessage and dv.prompt and dv.promptTitle):
            fail(f"{letter}{r} ({key}): no input message")
        if key in x["required"] and "必填" not in dv.prompt:
            fail(f"{letter}{r} ({key}): starred column's message does not say 必填")
    dv = covering(f"{letter}{first}")
    if dv is None:
        continue
    f1 = (dv.formula1 or "").lstrip("=")
    if key == "level1" and (dv.type != "list" or f1 != "一级指标" or dv.errorStyle not in (None, "stop")):
        fail(f"一级 validation {dv.type} {f1} {dv.errorStyle}")
    if key == "kind" and (dv.type != "list" or f1 != "指标值类型"):
        fail(f"指标值类型 validation {dv.type} {f1}")
    if key == "unit" and (dv.type != "list" or f1 != "度量单位" or dv.errorStyle != "warning"):
        fail(f"度量单位 validation {dv.type} {f1} {dv.errorStyle}")
    if key == "level2":
        want = f'INDIRECT("二级_"&MATCH(${x["columns"]["level1"]}{first},一级指标,0))'
        if dv.type != "list" or f1 != want:
            fail(f"二级 validation {dv.type} {f1}")
        # The dependent list resolved on every row, as Excel does: the row's own 一级.
        for r, level1 in zip(rows, x["level1"]):
            formula = re.sub(r"(\$[A-Z]+)" + str(first) + r"\b", lambda m: m.group(1) + str(r), f1)
            cell = re.search(r"MATCH\((\$[A-Z]+\d+),", formula).group(1).replace("$", "")
            typed = ws[cell].value
            if typed != level1:
                fail(f"{cell} holds {typed}, want {level1}")
                continue
            index = levels.index(typed) + 1
            if name_values(f"二级_{index}") != dict(x["levels"])[level1]:
                fail(f"row {r}: 二级 list does not resolve to {level1}'s")

# Money: a number ≥ 0 with at most the edition's decimals; the year a whole number.
for a1 in x["money"]:
    dv = covering(a1)
    if dv is None:
        continue
    f1 = dv.formula1 or ""
    # A custom rule is written for the range's top-left cell; Excel shifts it for the others.
    top = str(dv.sqref).split()[0].split(":")[0]
    if dv.type != "custom" or f"ROUND({top},{x['decimals']})={top}" not in f1 or f"{top}>=0" not in f1:
        fail(f"{a1}: money validation {dv.type} {f1}")
    if not dv.prompt:
        fail(f"{a1}: no input message")
dv = covering(x["year"])
if dv is not None and (dv.type != "whole" or dv.operator not in (None, "between") or dv.formula1 != "1990" or dv.formula2 != "2100"):
    fail(f"year validation {dv.type} {dv.operator} {dv.formula1} {dv.formula2}")

# Protection: on, no password, rows may be inserted and deleted, cells not reformatted.
p = ws.protection
if not p.sheet or p.password:
    fail(f"protection sheet={p.sheet} password={p.password}")
if p.insertRows or p.deleteRows:
    fail("inserting or deleting rows is not allowed")
if not p.formatCells:
    fail("formatting cells is allowed")
for a1 in x["locked"]:
    if not ws[a1].protection.locked:
        fail(f"{a1} ({ws[a1].value}) unlocked")
for a1 in x["unlocked"]:
    if ws[a1].protection.locked:
        fail(f"{a1} locked")

# Printing: A4 landscape, the indicator header on every page.
h = x["header_row"]
if ws.page_setup.orientation != "landscape" or str(ws.page_setup.paperSize) != "9":
    fail(f"page {ws.page_setup.orientation} {ws.page_setup.paperSize}")
if ws.print_title_rows not in (f"{h}:{h}", f"${h}:${h}"):
    fail(f"print titles {ws.print_title_rows}")

# The instructions list every rule the edition applies.
codes = {c.value for c in wb["填表说明"]["A"] if c.value}
missing = [c for c in x["rules"] if c not in codes]
if missing:
    fail(f"填表说明 lacks {missing}")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("ok")
