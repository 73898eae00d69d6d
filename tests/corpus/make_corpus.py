#!/usr/bin/env python3
"""Writes the hostile and broken files of tests/corpus/ (committed; rerun to regenerate).

Each file is one thing users really send or an attacker might; tests/corpus.rs runs the built
binary on every file listed in expect.txt and checks exit 2 with the expected Chinese reason.
Needs: python3; msoffcrypto-tool (pip) for the encrypted file.
"""
import io, os, random, sys, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "samples", "seed-2022-corrected.xlsx")


def out(name):
    return os.path.join(HERE, name)


def xlsx_parts(sheet_xml, shared_xml=None):
    """A minimal valid xlsx around one sheet's XML (and optional sharedStrings)."""
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared_xml is not None else '')
          + '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared_xml is not None else '')
              + '</Relationships>')
    parts = [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
             ("xl/_rels/workbook.xml.rels", wbrels), ("xl/worksheets/sheet1.xml", sheet_xml)]
    if shared_xml is not None:
        parts.append(("xl/sharedStrings.xml", shared_xml))
    return parts


def write_zip(path, parts):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts:
            if callable(data):
                with z.open(name, "w", force_zip64=True) as f:
                    data(f)
            else:
                z.writestr(name, data)


SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def bomb_strings(f):
    """sharedStrings.xml of 1 GiB: one string of repeated text."""
    f.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
    chunk = "绩效".encode() * (1 << 18)  # 1.5 MiB
    for _ in range(683):  # ~1 GiB
        f.write(chunk)
    f.write(b'</t></si></sst>')


def bomb_cells(f):
    """sheet1.xml with 50 million cells, about 1.3 GiB."""
    f.write((SHEET_HEAD + '<sheetData>').encode())
    row = ''.join('<c t="n"><v>1</v></c>' for _ in range(1000)).encode()
    for r in range(50_000):
        f.write(b'<row>' + row + b'</row>')
    f.write(b'</sheetData></worksheet>')


def main():
    random.seed(20221)
    open(out("empty.xlsx"), "wb").close()
    with open(out("random.xlsx"), "wb") as f:
        f.write(bytes(random.getrandbits(8) for _ in range(8192)))
    sample = open(SAMPLE, "rb").read()
    with open(out("truncated.xlsx"), "wb") as f:
        f.write(sample[: len(sample) // 3])

    write_zip(out("bomb-shared-strings.xlsx"),
              xlsx_parts(SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>', bomb_strings))
    write_zip(out("bomb-cells.xlsx"), [p if p[0] != "xl/worksheets/sheet1.xml" else (p[0], bomb_cells)
                                        for p in xlsx_parts("")])
    huge = (SHEET_HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>部门（单位）名称</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    write_zip(out("huge-dimension.xlsx"), xlsx_parts(huge))

    try:
        import msoffcrypto
        from msoffcrypto.format.ooxml import OOXMLFile
        enc = io.BytesIO()
        OOXMLFile(io.BytesIO(sample)).encrypt("1234", enc)
        open(out("encrypted.xlsx"), "wb").write(enc.getvalue())
    except ImportError:
        print("msoffcrypto-tool not installed: encrypted.xlsx left as is", file=sys.stderr)

    with open(out("html-saved-as.xls"), "w", encoding="utf-8") as f:
        f.write('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
                '<head><meta charset="utf-8"></head><body><table><tr><td>部门（单位）名称</td><td>州社会保险服务中心</td></tr></table></body></html>')
    with open(out("spreadsheetml-2003.xls"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
                '<Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">部门（单位）名称</Data></Cell></Row></Table></Worksheet></Workbook>')
    with open(out("table.csv"), "w", encoding="utf-8") as f:
        f.write("一级指标,二级指标,三级指标,指标值类型,指标值\n产出指标,数量指标,培训人次,≥,100\n")
    # A Word document (as Word writes it: a zip with word/document.xml).
    write_zip(out("letter.docx"), [
        ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        ("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
         '<w:body><w:p><w:r><w:t>关于报送2022年度整体绩效目标的函</w:t></w:r></w:p></w:body></w:document>'),
    ])
    # An ods of under 1 KB whose repeated rows and cells expand to 96 million cells.
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="S">'
               '<table:table-row table:number-rows-repeated="6000">'
               '<table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1">'
               '<text:p>1</text:p></table:table-cell></table:table-row></table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(out("repeat-bomb.ods"), "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                   '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                   '</manifest:manifest>', zipfile.ZIP_DEFLATED)
    # An Excel binary workbook (.xlsb): asked to be saved as .xlsx.
    with zipfile.ZipFile(out("binary-workbook.xlsb"), "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    # A real workbook that is not the form: a salary sheet.
    write_zip(out("not-the-form.xlsx"), xlsx_parts(
        SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>工资表</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>姓名</t></is></c></row></sheetData></worksheet>'))


if __name__ == "__main__":
    main()
