#!/usr/bin/env python3
"""The re-created copy of an xls or ods input, read back with openpyxl, against what LibreOffice
reports for the input (tests/annotate/reference/NAME-EXT.xlsx: the input converted to xlsx by
LibreOffice, made by make.py). Compared on every sheet of the input: column widths, the row
heights the input sets by hand, every non-empty or bordered cell's number format and borders.
Rows whose height the input leaves to the program (LibreOffice's "optimal height") carry no
height in the copy either: Excel and LibreOffice fit them to the text when they show them.

Usage: fidelity.py JIXIAO  (the built binary). Prints what differs; exit 1 if anything does.
"""
import os, subprocess, sys, tempfile
import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INPUTS = [("samples", "seed-2022-corrected")] + [
    ("tests/realistic", n) for n in ["hubei-2023", "messy-2022", "cells-2022", "shaanxi-2023"]
]


def edges(c):
    b = c.border
    return tuple(getattr(b, side).style or None for side in ("left", "right", "top", "bottom"))


def compare(copy, ref, label):
    problems = []
    checked = {"widths": 0, "heights": 0, "formats": 0, "borders": 0}
    for ws_ref in ref.worksheets:
        ws = copy[ws_ref.title]
        for key, dim in ws_ref.column_dimensions.items():
            if not dim.customWidth or dim.width is None:
                continue
            for col in range(dim.min, min(dim.max, 30) + 1):
                letter = openpyxl.utils.get_column_letter(col)
                mine = None
                for k, d in ws.column_dimensions.items():
                    if d.min is not None and d.min <= col <= d.max:
                        mine = d.width
                # A column the input leaves at the default width is left so in the copy (and
                # LibreOffice writes its default, 8.43 to 9 characters, for it).
                default = mine is None and 8.4 <= dim.width <= 9.0
                if not default and (mine is None or abs(mine - dim.width) > 0.05):
                    problems.append(f"{label} {ws.title} column {letter}: width {mine} ≠ {dim.width}")
                checked["widths"] += 1
        for r, dim in ws.row_dimensions.items():
            if dim.height is None:
                continue  # left to the program to fit
            ref_h = ws_ref.row_dimensions[r].height
            if ref_h is None or abs(dim.height - ref_h) > 0.05:
                problems.append(f"{label} {ws.title} row {r}: height {dim.height} ≠ {ref_h}")
            checked["heights"] += 1
        for row in ws_ref.iter_rows():
            for c in row:
                bordered = any(edges(c))
                if c.value is None and not bordered:
                    continue
                mine = ws.cell(c.row, c.column)
                if c.value is not None:
                    # "yyyy-mm-dd" and "yyyy\-mm\-dd" are the same format.
                    if mine.number_format.replace("\\", "") != c.number_format.replace("\\", ""):
                        problems.append(f"{label} {ws.title}!{c.coordinate}: format {mine.number_format!r} ≠ {c.number_format!r}")
                    checked["formats"] += 1
                if edges(mine) != edges(c):
                    problems.append(f"{label} {ws.title}!{c.coordinate}: borders {edges(mine)} ≠ {edges(c)}")
                checked["borders"] += 1
    return problems, checked


def main():
    jixiao = sys.argv[1]
    problems = []
    total = {}
    with tempfile.TemporaryDirectory() as out:
        for folder, name in INPUTS:
            for ext in ["xls", "ods"]:
                src = os.path.join(ROOT, folder, f"{name}.{ext}")
                subprocess.run([jixiao, "convert", src, "-o", out], capture_output=True)
                copy = openpyxl.load_workbook(os.path.join(out, f"{name}_批注.xlsx"))
                ref = openpyxl.load_workbook(os.path.join(HERE, "reference", f"{name}-{ext}.xlsx"))
                p, checked = compare(copy, ref, f"{name}.{ext}")
                problems += p
                for k, v in checked.items():
                    total[k] = total.get(k, 0) + v
    for p in problems:
        print(p)
    print("checked:", total)
    sys.exit(1 if problems or min(total.values()) == 0 else 0)


if __name__ == "__main__":
    main()
