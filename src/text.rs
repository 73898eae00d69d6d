//! Text normalisation and exact number parsing. Owns how a label is compared and how a typed
//! number becomes a `Decimal`; it never decides whether a value is acceptable (rules do that).

use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

/// Normalises a label for comparison: NFKC (full-width → half-width, so `（）`≡`()` and
/// `：`≡`:`), every whitespace character removed (including U+3000, NBSP and line breaks) and a
/// leading `*` (the "required" star) dropped. Used for comparison only, never written back.
pub fn norm_label(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    // Most labels and cells are plain CJK, ASCII and full-width forms, whose NFKC is known
    // without the tables: they are folded in one pass; anything else takes the full NFKC.
    let fast = s.chars().all(|c| is_space(c) || fast_nfkc(c).is_some());
    if fast {
        folded.extend(s.chars().filter(|c| !is_space(*c)).filter_map(fast_nfkc));
    } else {
        folded.extend(s.nfkc().filter(|c| !is_space(*c)));
    }
    let stars = folded.len() - folded.trim_start_matches('*').len();
    folded.drain(..stars);
    folded
}

/// The NFKC of a character that is its own NFKC, or a full-width form (its ASCII twin), and
/// never composes with a neighbour; `None` for every other character (the full NFKC is taken).
fn fast_nfkc(c: char) -> Option<char> {
    match c {
        '\u{21}'..='\u{7E}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{3001}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}'
        | '\u{2018}'..='\u{201D}'
        | '\u{2014}'
        | '\u{2264}'
        | '\u{2265}'
        | '\u{00D7}'
        | '\u{00F7}' => Some(c),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// Normalises an indicator or vocabulary name: like [`norm_label`], and quotation marks of every
/// kind are ignored (`“三公经费”控制率` ≡ `"三公经费"控制率` ≡ `三公经费控制率`).
pub fn norm_name(s: &str) -> String {
    let mut n = norm_label(s);
    n.retain(|c| !is_quote(c));
    n
}

/// The quotation marks a name may be typed with, ignored when names are compared.
pub fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’' | '「' | '」')
}

/// Whitespace as users type it: ASCII, NBSP, ideographic space (U+3000), line breaks, and the
/// zero-width characters that Word/WPS paste along.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}')
}

/// Trims whitespace (as [`is_space`]) at both ends, keeping the inside as typed.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// The most text an Excel cell holds, in UTF-16 code units (Excel's "32,767 characters").
pub const EXCEL_MAX_TEXT: usize = 32_767;

/// Text cut to what an Excel cell holds, never inside a character; `None` when it fits.
pub fn excel_cut(s: &str) -> Option<&str> {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > EXCEL_MAX_TEXT {
            return Some(&s[..i]);
        }
    }
    None
}

/// The largest magnitude read as a number: Excel keeps 15 significant digits, and no amount or
/// target comes near 10^15, so sums and shares of such numbers can never overflow a `Decimal`.
pub const MAX_ABS: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// A number read from a cell's text, with what was stripped around it.
#[derive(Debug, Clone, PartialEq)]
pub struct TextNumber {
    /// The number as written (for "90%" this is 90, the percent is in `percent`).
    pub value: Decimal,
    /// A trailing `%` (or `％`) was present.
    pub percent: bool,
    /// A comparator written before the number ("≥90"), as typed after NFKC.
    pub comparator: Option<String>,
    /// A unit written after the number ("28.8万元" → "万元"), without `%`.
    pub unit: Option<String>,
    /// What had to be done to read the text as a number.
    pub change: TextChange,
}

/// What reading a number out of text took, said in the 提示.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextChange {
    /// Full-width digits or signs ("９０％") read as half-width.
    FullWidth,
    /// Spaces removed (also NBSP and U+3000, inside or around).
    Spaces,
    /// Thousands separators removed.
    Separators,
    /// Nothing changed: only the cell held text, not a number.
    None,
}

impl TextChange {
    /// The 提示's words for it.
    pub fn zh(self) -> &'static str {
        match self {
            TextChange::FullWidth => "全角数字或符号按半角读作数字",
            TextChange::Spaces => "去掉空格后读作数字",
            TextChange::Separators => "去掉千位分隔符后读作数字",
            TextChange::None => "文本格式的数字读作数字",
        }
    }
}

/// Reads a number typed as text: full-width digits and signs, `％`, thousands separators and
/// spaces (also NBSP and U+3000) are accepted; a leading comparator and a trailing unit are split
/// off. Returns `None` when no number can be read.
pub fn parse_text_number(raw: &str) -> Option<TextNumber> {
    let nfkc: String = raw.nfkc().collect();
    let compact: String = nfkc.chars().filter(|c| !is_space(*c)).collect();
    if compact.is_empty() {
        return None;
    }
    // Split a leading comparator: everything before the first sign or digit.
    let num_start = compact
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | '−'))?
        .0;
    let (prefix, rest) = compact.split_at(num_start);
    let comparator = if prefix.is_empty() {
        None
    } else if prefix
        .chars()
        .all(|c| matches!(c, '≥' | '≤' | '>' | '<' | '=' | '≧' | '≦' | '⩾' | '⩽'))
        || matches!(
            prefix,
            "大于等于" | "小于等于" | "大于" | "小于" | "等于" | "不低于" | "不高于" | "不少于"
        )
    {
        Some(prefix.to_string())
    } else {
        return None;
    };
    // The numeric part: sign, digits, separators, one decimal point.
    let mut digits = String::new();
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        match c {
            '0'..='9' | '.' => digits.push(c),
            '-' | '−' if i == 0 => digits.push('-'),
            '+' if i == 0 => {}
            ',' => {}
            _ => {
                end = i;
                break;
            }
        }
    }
    let tail = &rest[end..];
    if !digits.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // Thousands separators must sit in groups of three before the decimal point.
    let int_part = rest[..end].split('.').next().unwrap_or("");
    if int_part.contains(',') && !valid_grouping(int_part) {
        return None;
    }
    let value: Decimal = digits
        .parse()
        .ok()
        .filter(|v: &Decimal| v.abs() < MAX_ABS)?;
    let (percent, unit) = match tail {
        "" => (false, None),
        "%" => (true, None),
        t if t.chars().any(|c| c.is_ascii_digit()) => return None,
        t => (false, Some(t.to_string())),
    };
    // One look at the text says what reading it took, in order of what staff notice first.
    let trimmed = trim(raw);
    let change = if trimmed.chars().any(|c| c.nfkc().ne(std::iter::once(c))) {
        TextChange::FullWidth
    } else if trimmed.chars().any(is_space) || trimmed.len() != raw.len() {
        TextChange::Spaces
    } else if trimmed.contains(',') {
        TextChange::Separators
    } else {
        TextChange::None
    };
    Some(TextNumber {
        value: value.normalize(),
        percent,
        comparator,
        unit,
        change,
    })
}

fn valid_grouping(int_part: &str) -> bool {
    let body = int_part.trim_start_matches(['-', '+', '−']);
    let groups: Vec<&str> = body.split(',').collect();
    groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3)
}

/// Converts a float read from a spreadsheet into an exact decimal, keeping Excel's 15
/// significant digits (so 327.89 stays 327.89 and 0.1+0.2 shows as 0.3, as in Excel).
pub fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some(Decimal::ZERO);
    }
    let sci = format!("{f:.14e}");
    Decimal::from_scientific(&sci)
        .ok()
        .filter(|d| d.abs() < MAX_ABS)
        .map(|d| d.normalize())
}

/// An integer cell as a decimal, within the same bound as [`decimal_from_f64`].
pub fn decimal_from_i64(i: i64) -> Option<Decimal> {
    Some(Decimal::from(i)).filter(|d| d.abs() < MAX_ABS)
}

/// Formats a decimal with exactly `places` decimals, rounding half away from zero (四舍五入).
pub fn fixed(d: Decimal, places: u32) -> String {
    let r = d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{r:.prec$}", prec = places as usize)
}

/// Number of decimals a decimal needs (trailing zeros ignored).
pub fn decimals(d: Decimal) -> u32 {
    d.normalize().scale()
}

#[cfg(test)]
mod tests {
    /// The one-pass fold is the full NFKC for every character it takes.
    #[test]
    fn fast_fold_is_nfkc() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if let Some(f) = fast_nfkc(c) {
                let full: String = c.to_string().nfkc().collect();
                assert_eq!(full, f.to_string(), "U+{:04X}", c as u32);
            }
        }
    }

    proptest::proptest! {
        /// Labels mixing the characters users type, the fast way or the slow: the same key.
        #[test]
        fn fast_and_full_labels_agree(s in "[a-z0-9:*()（）：＊ 　\u{A0}\n部门单位名称“”、≥％%℃…\u{301}e\u{FF10}-\u{FF5E}]{0,12}") {
            let full: String = s.nfkc().filter(|c| !is_space(*c)).collect();
            proptest::prop_assert_eq!(norm_label(&s), full.trim_start_matches('*'));
        }
    }

    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn labels_normalise() {
        assert_eq!(norm_label("*部门（单位）名称："), "部门(单位)名称:");
        assert_eq!(norm_label(" 部门(单位)\n名称\u{3000}:"), "部门(单位)名称:");
        assert_eq!(norm_label("＊三级指标"), "三级指标");
        assert_eq!(
            norm_name("“三公经费”控制率"),
            norm_name("\"三公经费\"控制率")
        );
    }

    #[test]
    fn numbers_from_text() {
        let n = parse_text_number("１，２３４．５６").unwrap();
        assert_eq!(n.value, d("1234.56"));
        assert_eq!(n.change, TextChange::FullWidth);
        let n = parse_text_number("90％").unwrap();
        assert_eq!((n.value, n.percent), (d("90"), true));
        let n = parse_text_number("≥ 90%").unwrap();
        assert_eq!(n.comparator.as_deref(), Some("≥"));
        let n = parse_text_number("28.8万元").unwrap();
        assert_eq!(n.unit.as_deref(), Some("万元"));
        let n = parse_text_number("－5").unwrap();
        assert_eq!(n.value, d("-5"));
        assert!(parse_text_number("相关").is_none());
        assert!(parse_text_number("1,23").is_none());
        assert!(parse_text_number("12a3").is_none());
        assert_eq!(
            parse_text_number("327.89").unwrap().change,
            TextChange::None
        );
        assert_eq!(
            parse_text_number("1,327.89").unwrap().change,
            TextChange::Separators
        );
        assert_eq!(
            parse_text_number(" 327.89").unwrap().change,
            TextChange::Spaces
        );
        let n = parse_text_number("\u{a0}327.89\u{3000}").unwrap();
        assert_eq!(n.value, d("327.89"));
    }

    #[test]
    fn text_cut_to_the_excel_limit() {
        assert_eq!(excel_cut("短"), None);
        let long = "说".repeat(40_000);
        assert_eq!(excel_cut(&long).map(|s| s.chars().count()), Some(32_767));
        // A character outside the BMP counts two units and is never split.
        let emoji = "😀".repeat(20_000);
        assert_eq!(excel_cut(&emoji).map(|s| s.chars().count()), Some(16_383));
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(MAX_ABS, d("1000000000000000"));
        assert!(parse_text_number("99999999999999999999999999").is_none());
        assert!(parse_text_number("999999999999999").is_some());
        assert_eq!(decimal_from_f64(1e20), None);
        assert_eq!(decimal_from_f64(-1e16), None);
    }

    #[test]
    fn floats_keep_fifteen_digits() {
        assert_eq!(decimal_from_f64(327.89), Some(d("327.89")));
        assert_eq!(decimal_from_f64(0.1 + 0.2), Some(d("0.3")));
        assert_eq!(decimal_from_f64(0.9 * 100.0), Some(d("90")));
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(fixed(d("2.345"), 2), "2.35");
        assert_eq!(fixed(d("-2.345"), 2), "-2.35");
        assert_eq!(fixed(d("327.89"), 2), "327.89");
    }
}
