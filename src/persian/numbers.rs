//! Numbers as editors write them (`47`, `"۱۶۵٬۰۰۰"`, `"۱۲٫۵"`) and as readers see them
//! (ICU4X `fa` formatting: Persian digits, `٬` grouping, `٫` decimal separator).

use icu_decimal::DecimalFormatter;
use icu_decimal::input::{Decimal, SignDisplay};
use icu_locale::locale;
use serde::{Deserialize, Serialize};

use super::digits::digit_value;

/// A number from front matter, kept exactly as written (in canonical ASCII form) so that
/// `12.50` stays two decimals and 19000000000 stays exact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub struct Number {
    canonical: String,
}

impl Number {
    /// The canonical ASCII form: an optional `-`, digits, and an optional `.` fraction.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    pub fn as_f64(&self) -> f64 {
        self.canonical.parse().unwrap_or(0.0)
    }

    pub fn is_negative(&self) -> bool {
        self.canonical.starts_with('-')
    }
}

/// From the canonical form a `Number` was serialized to (the build cache).
impl From<String> for Number {
    fn from(canonical: String) -> Number {
        Number { canonical }
    }
}

impl From<Number> for String {
    fn from(n: Number) -> String {
        n.canonical
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Not digits with an optional sign, grouping and decimal separator.
    NotANumber(String),
    /// Grouping separators not between groups of three digits: `2,5` (a decimal comma, read
    /// by many as two and a half and by others as twenty-five) or `12,34,567`.
    MisplacedGrouping(String),
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberError::NotANumber(text) => write!(f, "`{text}` is not a number"),
            NumberError::MisplacedGrouping(text) => write!(
                f,
                "`{text}` has a grouping separator out of place: separators go between groups of three digits"
            ),
        }
    }
}

/// Parses a number written with Latin, Persian or Arabic-Indic digits, an optional sign
/// (`-`, `−` or `+`), optional grouping (`,` `٬`, between groups of three digits) and an
/// optional decimal separator (`.` `٫`).
pub fn parse_number(text: &str) -> Result<Number, NumberError> {
    let text = text.trim();
    let not_a_number = || NumberError::NotANumber(text.to_string());
    let mut canonical = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    match chars.peek() {
        Some('-' | '−') => {
            canonical.push('-');
            chars.next();
        }
        Some('+') => {
            chars.next();
        }
        _ => {}
    }
    let (mut int_digits, mut frac_digits, mut seen_point) = (0, 0, false);
    // Digits since the last grouping separator, and whether there was one.
    let (mut group, mut grouped) = (0, false);
    let misplaced = || NumberError::MisplacedGrouping(text.to_string());
    for c in chars {
        if let Some(v) = digit_value(c) {
            canonical.push(char::from_digit(v, 10).unwrap_or('0'));
            if seen_point {
                frac_digits += 1;
            } else {
                int_digits += 1;
                group += 1;
            }
        } else if matches!(c, ',' | '٬') && !seen_point && int_digits > 0 {
            // Grouping separators carry no value, but the first group has one to three
            // digits and every later one three.
            if group > 3 || (grouped && group != 3) {
                return Err(misplaced());
            }
            (group, grouped) = (0, true);
        } else if matches!(c, '.' | '٫') && !seen_point {
            if grouped && group != 3 {
                return Err(misplaced());
            }
            seen_point = true;
            canonical.push('.');
        } else {
            return Err(not_a_number());
        }
    }
    if int_digits == 0 || (seen_point && frac_digits == 0) {
        return Err(not_a_number());
    }
    if grouped && !seen_point && group != 3 {
        return Err(misplaced());
    }
    if canonical == "-0" {
        canonical = "0".into();
    }
    Ok(Number { canonical })
}

/// Formats numbers for Persian readers. Built once per build: ICU4X formatters are costly to
/// construct and cheap to use.
pub struct NumberFormatter {
    decimal: DecimalFormatter,
}

/// The scale words Persian news uses for large numbers, largest first. Written here rather
/// than taken from ICU4X because its compact formatter is behind an unstable feature, and
/// newsrooms say "هزار میلیارد" where CLDR might change; the digits still come from ICU4X.
const SCALES: [(i16, &str); 4] = [
    (12, "هزار میلیارد"),
    (9, "میلیارد"),
    (6, "میلیون"),
    (3, "هزار"),
];

impl Default for NumberFormatter {
    fn default() -> Self {
        Self::new()
    }
}

impl NumberFormatter {
    pub fn new() -> Self {
        let decimal = DecimalFormatter::try_new(locale!("fa").into(), Default::default())
            .expect("the `fa` decimal data is compiled into ICU4X");
        NumberFormatter { decimal }
    }

    /// `165000` → `۱۶۵٬۰۰۰`, `12.5` → `۱۲٫۵`, `-47` → `‎−۴۷` (ICU's Persian minus).
    pub fn format(&self, number: &Number) -> String {
        match number.as_str().parse::<Decimal>() {
            Ok(decimal) => self.decimal.format(&decimal).to_string(),
            Err(_) => super::to_persian_digits(number.as_str()),
        }
    }

    /// `47` → `۴۷٪`.
    pub fn format_percent(&self, number: &Number) -> String {
        format!("{}٪", self.format_unsigned(number))
    }

    /// A signed change, with its sign unless zero: `-47` → `‎−۴۷`, `12` → `‎+۱۲`. Like ICU's
    /// own `fa` negatives, a left-to-right mark keeps the sign before the digits in RTL text.
    pub fn format_signed(&self, number: &Number) -> String {
        match number.as_str().parse::<Decimal>() {
            Ok(decimal) => {
                let signed = decimal.with_sign_display(SignDisplay::ExceptZero);
                self.decimal.format(&signed).to_string()
            }
            Err(_) => super::to_persian_digits(number.as_str()),
        }
    }

    /// A signed percent change: `-47` → `‎−۴۷٪`.
    pub fn format_signed_percent(&self, number: &Number) -> String {
        format!("{}٪", self.format_signed(number))
    }

    /// Large round numbers in words, as Persian news writes them: 19000000000 →
    /// `۱۹ میلیارد`, 165000 → `۱۶۵ هزار`, 3100000000000 → `۳٫۱ هزار میلیارد`. A number the
    /// words would round (1234567) and a number below `min_words` keep all their digits.
    pub fn format_words(&self, number: &Number, min_words: f64) -> String {
        let value = number.as_f64();
        let Ok(decimal) = number.as_str().parse::<Decimal>() else {
            return self.format(number);
        };
        let magnitude = decimal.absolute.nonzero_magnitude_start();
        let Some(&(exponent, word)) = SCALES.iter().find(|(e, _)| magnitude >= *e) else {
            return self.format(number);
        };
        // Exact only: whole units, or one decimal for fewer than 100 units (۳٫۱ هزار میلیارد).
        let lowest = decimal.absolute.nonzero_magnitude_end();
        let exact = lowest >= exponent || (magnitude - exponent < 2 && lowest >= exponent - 1);
        if value.abs() < min_words || !exact {
            return self.format(number);
        }
        let mut scaled = decimal;
        scaled.multiply_pow10(-exponent);
        scaled.absolute.trim_end();
        format!("{} {word}", self.decimal.format(&scaled))
    }

    fn format_unsigned(&self, number: &Number) -> String {
        let magnitude = number.as_str().trim_start_matches('-');
        match magnitude.parse::<Decimal>() {
            Ok(decimal) => self.decimal.format(&decimal).to_string(),
            Err(_) => super::to_persian_digits(magnitude),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        parse_number(s).unwrap()
    }

    #[test]
    fn parses_every_digit_style() {
        assert_eq!(n("47").as_str(), "47");
        assert_eq!(n("۴۷").as_str(), "47");
        assert_eq!(n("۱۶۵٬۰۰۰").as_str(), "165000");
        assert_eq!(n("165,000").as_str(), "165000");
        assert_eq!(n("۱۲٫۵").as_str(), "12.5");
        assert_eq!(n("−۴۷").as_str(), "-47");
        assert_eq!(n("+12").as_str(), "12");
        assert_eq!(n(" 19000000000 ").as_str(), "19000000000");
    }

    #[test]
    fn grouping_goes_between_groups_of_three() {
        assert_eq!(n("1,234,567").as_str(), "1234567");
        assert_eq!(n("۱۲٬۳۴۵٫۵").as_str(), "12345.5");
        for bad in [
            "2,5",
            "۲٬۵",
            "12,34,567",
            "1234,567",
            "1,2345",
            "1,23.5",
            "12,3456",
        ] {
            assert_eq!(
                parse_number(bad),
                Err(NumberError::MisplacedGrouping(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for bad in ["", "-", "۴۷ درصد", "1.2.3", "1.", ".5", "abc", ",5"] {
            assert!(parse_number(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn formats_with_persian_digits_and_separators() {
        let f = NumberFormatter::new();
        assert_eq!(f.format(&n("165000")), "۱۶۵٬۰۰۰");
        assert_eq!(f.format(&n("12.5")), "۱۲٫۵");
        assert_eq!(f.format(&n("47")), "۴۷");
        assert_eq!(f.format_percent(&n("47")), "۴۷٪");
        assert_eq!(f.format_signed(&n("-47")), "\u{200e}−۴۷");
        assert_eq!(f.format_signed(&n("12")), "\u{200e}+۱۲");
        assert_eq!(f.format_signed(&n("0")), "۰");
    }

    #[test]
    fn large_round_numbers_in_words() {
        let f = NumberFormatter::new();
        let w = |s: &str| f.format_words(&n(s), 1000.0);
        assert_eq!(w("19000000000"), "۱۹ میلیارد");
        assert_eq!(w("165000"), "۱۶۵ هزار");
        assert_eq!(w("3100000000000"), "۳٫۱ هزار میلیارد");
        assert_eq!(w("2500000"), "۲٫۵ میلیون");
        assert_eq!(w("1234567"), "۱٬۲۳۴٬۵۶۷", "words would round it");
        assert_eq!(w("320"), "۳۲۰", "below the threshold");
        assert_eq!(f.format_words(&n("165000"), 1_000_000.0), "۱۶۵٬۰۰۰");
    }
}
