#!/usr/bin/env python3
"""Writes the workbooks of tests/annotate/ (committed; rerun to regenerate): the seed form with
everything a real workbook carries that the annotated copy must keep — formulas (one column as a
shared formula), data validation, conditional formatting, an image, comments already there (one
on a cell jixiao will mark), a hidden sheet, custom widths and heights, print settings and a
defined name — as three programs write it:

  features-xlsxwriter.xlsx   written with XlsxWriter (the shared formula put in afterwards, as
                             Excel saves one)
  features-openpyxl.xlsx     the same form re-saved by openpyxl, with its own comments and image
  features-libreoffice.xlsx  features-xlsxwriter.xlsx opened and saved by LibreOffice

and, for the re-created copies of xls and ods inputs, the reference LibreOffice gives for each
(tests/annotate/reference/*.xlsx: the input converted to xlsx by LibreOffice), used by
tests/annotate/fidelity.py. Needs python3 with openpyxl, XlsxWriter and Pillow; LibreOffice.
"""
import io, os, re, shutil, subprocess, tempfile, zipfile
import openpyxl
import xlsxwriter
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEED = os.path.join(ROOT, "samples", "seed-2022.xlsx")


def png():
    buf = io.BytesIO()
    Image.new("RGB", (48, 24), (200, 30, 30)).save(buf, "PNG")
    buf.seek(0)
    return buf


def xlsxwriter_form(path):
    src = openpyxl.load_workbook(SEED)
    ws_src = src.active
    wb = xlsxwriter.Workbook(path)
    wb.set_custom_property("填报单位", "州社会保险服务中心")
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    bold = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter", "bold": True, "align": "center"})
    money = wb.add_format({"border": 1, "num_format": "0.00", "valign": "vcenter"})
    pct = wb.add_format({"border": 1, "num_format": "0%", "valign": "vcenter"})
    ws = wb.add_worksheet(ws_src.title)
    # A hidden sheet before the form, and a visible one after it.
    hidden = wb.add_worksheet("旧版")
    hidden.write("A1", "旧版数据，不再使用")
    hidden.hide()
    notes = wb.add_worksheet("填表说明")
    notes.write("A1", "请按要求填写。")
    merged = set()
    for rng in ws_src.merged_cells.ranges:
        (r1, c1, r2, c2) = (rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1)
        first = ws_src.cell(rng.min_row, rng.min_col).value
        fmt = bold if (r1 < 2 or c1 == 0) else cell
        if isinstance(first, (int, float)):
            ws.merge_range(r1, c1, r2, c2, None, money)
            ws.write_number(r1, c1, first, money)
        else:
            ws.merge_range(r1, c1, r2, c2, first or "", fmt)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                merged.add((r, c))
    for row in ws_src.iter_rows():
        for c in row:
            (r, col) = (c.row - 1, c.column - 1)
            if (r, col) in merged or c.value is None:
                continue
            if isinstance(c.value, (int, float)):
                ws.write_number(r, col, c.value, cell)
            else:
                ws.write_string(r, col, str(c.value), cell)
    for col, width in zip("ABCDEFGH", [10, 14, 22, 10, 10, 8, 24, 48]):
        ws.set_column(f"{col}:{col}", width)
    for r in range(ws_src.max_row):
        h = ws_src.row_dimensions[r + 1].height
        if h:
            ws.set_row(r, h)
    # Formulas: the budget check and a column of row totals off the table (J18:J40 = E*1).
    ws.write_formula("J14", "=D15+D16", money, 327.89)
    for r in range(17, 40):
        ws.write_formula(r, 9, f"=E{r + 1}*1", cell, ws_src.cell(r + 1, 5).value if isinstance(ws_src.cell(r + 1, 5).value, (int, float)) else 0)
    # Data validation on 指标值类型, conditional formatting on 指标值.
    ws.data_validation("D18:D40", {"validate": "list", "source": ["定性", "≥", "≤", "=", ">", "<"]})
    ws.conditional_format("E18:E40", {"type": "cell", "criteria": ">", "value": 100, "format": wb.add_format({"font_color": "#C00000"})})
    # Comments: one on a cell jixiao leaves alone, one on a cell it marks (预算调整率's type).
    ws.write_comment("C3", "单位全称以编办批复为准", {"author": "张三"})
    ws.write_comment("D24", "请确认比较符", {"author": "张三"})
    ws.insert_image("J2", "mark.png", {"image_data": png()})
    # Print setup: A4 landscape, one page wide, the header repeated, a print area.
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area("A1:H40")
    ws.repeat_rows(16)
    wb.define_name("预算总额", "='绩效目标申报表'!$D$14")
    ws.activate()
    wb.close()
    shared_formula(path)


def shared_formula(path):
    """J18:J40 as one shared formula, the way Excel saves a filled-down column."""
    tmp = path + ".tmp"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                first = [True]

                def repl(m):
                    r = int(m.group(1))
                    if first[0]:
                        first[0] = False
                        return f'<f t="shared" ref="J{r}:J40" si="0">E{r}*1</f>'
                    return '<f t="shared" si="0"/>'

                text = re.sub(r'<f>E(\d+)\*1</f>', repl, text)
                data = text.encode("utf-8")
            out.writestr(item, data)
    os.replace(tmp, path)


def openpyxl_form(src, path):
    wb = openpyxl.load_workbook(src)
    ws = wb["绩效目标申报表"]
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image as XImage
    ws["C3"].comment = Comment("单位全称以编办批复为准", "张三")
    ws["D24"].comment = Comment("请确认比较符", "张三")
    img = XImage(png())
    ws.add_image(img, "J2")
    wb.save(path)


def libreoffice(src, out_dir, fmt="xlsx:Calc MS Excel 2007 XML"):
    subprocess.run(["soffice", "--headless", "--calc", "--convert-to", fmt, "--outdir", out_dir, src],
                   check=True, capture_output=True)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        a = os.path.join(HERE, "features-xlsxwriter.xlsx")
        xlsxwriter_form(a)
        openpyxl_form(a, os.path.join(HERE, "features-openpyxl.xlsx"))
        libreoffice(a, tmp)
        shutil.copy(os.path.join(tmp, "features-xlsxwriter.xlsx"), os.path.join(HERE, "features-libreoffice.xlsx"))
        # References for the re-created copies: each xls/ods input as LibreOffice reads it.
        ref = os.path.join(HERE, "reference")
        os.makedirs(ref, exist_ok=True)
        inputs = [("samples", "seed-2022-corrected")] + [
            ("tests/realistic", n) for n in ["hubei-2023", "messy-2022", "cells-2022", "shaanxi-2023"]
        ]
        for folder, name in inputs:
            for ext in ["xls", "ods"]:
                src = os.path.join(ROOT, folder, f"{name}.{ext}")
                staged = os.path.join(tmp, f"{name}-{ext}.{ext}")
                shutil.copy(src, staged)
                libreoffice(staged, tmp)
                shutil.copy(os.path.join(tmp, f"{name}-{ext}.xlsx"), os.path.join(ref, f"{name}-{ext}.xlsx"))


if __name__ == "__main__":
    main()
