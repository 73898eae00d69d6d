//! Telling the container format from the bytes (never from the file name): xlsx, xls or ods,
//! and the files people mistake for workbooks (HTML, CSV, Word, encrypted, xlsb).

use super::{Format, ReadError};

/// Sniffs the container format from the first bytes and the zip directory names.
pub fn sniff(bytes: &[u8]) -> Result<Format, ReadError> {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(OLE) {
        // An encrypted OOXML file is an OLE container with an EncryptionInfo stream.
        let name: Vec<u8> = "EncryptionInfo"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        if contains(bytes, &name) {
            return Err(ReadError::Encrypted);
        }
        return Ok(Format::Xls);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        if contains(
            &bytes[..bytes.len().min(200)],
            b"application/vnd.oasis.opendocument.spreadsheet",
        ) {
            return Ok(Format::Ods);
        }
        if contains(bytes, b"xl/workbook.bin") {
            // calamine expands an xlsb sheet into a dense grid of its bounding box, which a
            // hostile file can make any size; the form is never distributed as xlsb.
            return Err(ReadError::Xlsb);
        }
        if contains(bytes, b"xl/workbook.xml") || contains(bytes, b"xl/_rels/") {
            return Ok(Format::Xlsx);
        }
        if contains(bytes, b"word/document.xml") {
            return Err(ReadError::WordDocument);
        }
        return Err(ReadError::Unknown);
    }
    let head = &bytes[..bytes.len().min(4096)];
    let lower = String::from_utf8_lossy(head).to_lowercase();
    let trimmed = lower.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return Err(ReadError::NotBinaryWorkbook("SpreadsheetML 2003"));
        }
        return Err(ReadError::NotBinaryWorkbook("HTML"));
    }
    if std::str::from_utf8(head).is_ok() && !head.contains(&0) {
        return Err(ReadError::PlainText);
    }
    Err(ReadError::Unknown)
}

pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b""), Err(ReadError::Empty));
        assert_eq!(sniff(b"a,b,c\n1,2,3\n"), Err(ReadError::PlainText));
        assert_eq!(
            sniff(b"<html><body><table></table></body></html>"),
            Err(ReadError::NotBinaryWorkbook("HTML"))
        );
        assert_eq!(sniff(&[0xff, 0x00, 0x13, 0x37]), Err(ReadError::Unknown));
    }
}
