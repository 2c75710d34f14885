//! Persian typography rules for `chapar check` and `chapar fix`. Each finding names its rule,
//! the byte span it concerns and, where one is safe, the replacement for that span. Nothing
//! here changes a text: editors decide.
//!
//! Written by hand because no maintained crate checks Persian typography.

use std::ops::Range;

const ZWNJ: char = '\u{200C}';

/// The rules, each with a stable id for configuration and JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Arabic ي/ك/ى in Persian text.
    ArabicLetters,
    /// `می شود` or `میشود` for `می‌شود`.
    ZwnjAfterMi,
    /// `کتاب ها`, `پرونده های`, `بزرگ ترین` for the forms with ZWNJ.
    ZwnjBeforeSuffix,
    /// `,` `;` `?` in a Persian sentence.
    LatinPunctuation,
    /// Persian and Latin digits in one text.
    MixedDigits,
    /// `"` instead of `«»`.
    StraightQuotes,
    DoubleSpace,
    /// Invisible bidi controls (U+202A–U+202E, U+2066–U+2069) in a title.
    BidiControl,
}

impl Rule {
    pub fn id(self) -> &'static str {
        match self {
            Rule::ArabicLetters => "arabic-letters",
            Rule::ZwnjAfterMi => "zwnj-after-mi",
            Rule::ZwnjBeforeSuffix => "zwnj-before-suffix",
            Rule::LatinPunctuation => "latin-punctuation",
            Rule::MixedDigits => "mixed-digits",
            Rule::StraightQuotes => "straight-quotes",
            Rule::DoubleSpace => "double-space",
            Rule::BidiControl => "bidi-control",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            Rule::ArabicLetters => "Arabic ي or ك in Persian text; Persian uses ی and ک",
            Rule::ZwnjAfterMi => {
                "the prefix می/نمی should join its verb with a zero-width non-joiner (ZWNJ)"
            }
            Rule::ZwnjBeforeSuffix => {
                "the suffix (ها، های، ترین) should join its word with a zero-width non-joiner (ZWNJ)"
            }
            Rule::LatinPunctuation => "Latin punctuation in a Persian sentence; use ، ؛ ؟",
            Rule::MixedDigits => "Latin digits in a text that also uses Persian digits",
            Rule::StraightQuotes => "straight quotation marks; Persian uses « »",
            Rule::DoubleSpace => "more than one space between words",
            Rule::BidiControl => "an invisible bidirectional control character in a title",
        }
    }

    pub fn message_fa(self) -> &'static str {
        match self {
            Rule::ArabicLetters => "«ي» یا «ك» عربی در متن فارسی؛ «ی» و «ک» فارسی بنویسید",
            Rule::ZwnjAfterMi => "پیشوند «می/نمی» باید با نیم‌فاصله به فعل بچسبد",
            Rule::ZwnjBeforeSuffix => "پسوند «ها، های، ترین» باید با نیم‌فاصله به واژه بچسبد",
            Rule::LatinPunctuation => {
                "نشانهٔ نگارشی لاتین در جملهٔ فارسی؛ از «،» «؛» «؟» استفاده کنید"
            }
            Rule::MixedDigits => "رقم‌های لاتین و فارسی در یک متن",
            Rule::StraightQuotes => "گیومهٔ لاتین؛ در فارسی از «» استفاده کنید",
            Rule::DoubleSpace => "بیش از یک فاصله میان واژه‌ها",
            Rule::BidiControl => "نویسهٔ نامرئی کنترل جهت در عنوان",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// Bytes of the checked text.
    pub span: Range<usize>,
    /// What the span should become, when the fix is safe to apply without a person.
    pub fix: Option<String>,
}

fn is_persian_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' | '\u{067E}' | '\u{0686}' | '\u{0698}' | '\u{06A9}' | '\u{06AF}' | '\u{06CC}')
}

fn is_persian_digit(c: char) -> bool {
    matches!(c, '۰'..='۹' | '٠'..='٩')
}

/// Verb roots that follow می/نمی: present roots take a personal ending (`شو` → `شود`),
/// past roots may stand alone (`شد`). A closed list: "میز", "میدان" or "میلیون" must never be
/// taken for verbs.
const PRESENT_ROOTS: &[&str] = &[
    "شو",
    "کن",
    "ده",
    "گوی",
    "رو",
    "آی",
    "باش",
    "توان",
    "خواه",
    "گیر",
    "دان",
    "رس",
    "یاب",
    "ساز",
    "مان",
    "بین",
    "پرداز",
    "افزای",
    "کوش",
    "نمای",
    "خوان",
    "نویس",
    "گذار",
    "آور",
    "بر",
    "زن",
    "دار",
    "گرد",
    "کش",
    "پذیر",
    "فرست",
    "شناس",
    "گذر",
    "خور",
    "نشین",
    "پوش",
];
const PAST_ROOTS: &[&str] = &[
    "شد",
    "کرد",
    "داد",
    "گفت",
    "رفت",
    "آمد",
    "خواست",
    "توانست",
    "بود",
    "رسید",
    "دید",
    "کوشید",
    "نوشت",
    "خواند",
    "گرفت",
    "یافت",
    "ساخت",
    "ماند",
    "برد",
    "زد",
    "داشت",
    "گذشت",
    "آورد",
];
const PRESENT_ENDINGS: &[&str] = &["م", "ی", "د", "یم", "ید", "ند"];
const PAST_ENDINGS: &[&str] = &["", "م", "ی", "یم", "ید", "ند"];

/// Whether `word` is a verb form that takes the prefix می/نمی (`شود`, `کنند`, `رفتند`).
fn is_verb(word: &str) -> bool {
    let ends = |roots: &[&str], endings: &[&str]| {
        roots.iter().any(|r| {
            word.strip_prefix(r)
                .is_some_and(|rest| endings.contains(&rest))
        })
    };
    ends(PRESENT_ROOTS, PRESENT_ENDINGS) || ends(PAST_ROOTS, PAST_ENDINGS)
}

/// Suffixes written apart from their word ("کتاب ها").
const SUFFIXES: &[&str] = &["هایی", "های", "ها", "ترین"];

/// Checks running Persian prose (no markup). Regions between ﴿ and ﴾ (Quranic quotations)
/// are left alone.
pub fn check_text(text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut offset = 0;
    for (i, part) in text.split(['﴿', '﴾']).enumerate() {
        if i % 2 == 0 {
            check_prose(part, offset, &mut findings);
        }
        offset += part.len() + '﴿'.len_utf8();
    }
    findings.sort_by_key(|f| (f.span.start, f.span.end));
    findings
}

/// Checks a title: the prose rules plus invisible bidi controls.
pub fn check_title(text: &str) -> Vec<Finding> {
    let mut findings = check_text(text);
    for (i, c) in text.char_indices() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            findings.push(Finding {
                rule: Rule::BidiControl,
                span: i..i + c.len_utf8(),
                fix: Some(String::new()),
            });
        }
    }
    findings.sort_by_key(|f| (f.span.start, f.span.end));
    findings
}

fn check_prose(text: &str, base: usize, out: &mut Vec<Finding>) {
    let push = |out: &mut Vec<Finding>, rule, span: Range<usize>, fix: Option<String>| {
        out.push(Finding {
            rule,
            span: span.start + base..span.end + base,
            fix,
        });
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let char_at = |k: usize| chars.get(k).map(|(_, c)| *c);

    // Letters, punctuation and spaces, character by character.
    let mut quotes: Vec<Finding> = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        let end = i + c.len_utf8();
        match c {
            'ي' | 'ى' => push(out, Rule::ArabicLetters, i..end, Some("ی".into())),
            'ك' => push(out, Rule::ArabicLetters, i..end, Some("ک".into())),
            ',' | ';' | '?' => {
                let before = text[..i].trim_end().chars().next_back();
                let after = text[end..].trim_start().chars().next();
                let between_digits = char_at(k.wrapping_sub(1))
                    .is_some_and(|p| p.is_ascii_digit() || is_persian_digit(p))
                    && char_at(k + 1).is_some_and(|n| n.is_ascii_digit() || is_persian_digit(n));
                if !between_digits
                    && (before.is_some_and(is_persian_letter)
                        || (before.is_none() && after.is_some_and(is_persian_letter)))
                {
                    let fix = match c {
                        ',' => "،",
                        ';' => "؛",
                        _ => "؟",
                    };
                    push(out, Rule::LatinPunctuation, i..end, Some(fix.into()));
                }
            }
            '"' => {
                let fix = if quotes.len().is_multiple_of(2) {
                    "«"
                } else {
                    "»"
                };
                push(&mut quotes, Rule::StraightQuotes, i..end, Some(fix.into()));
            }
            ' ' if char_at(k + 1) == Some(' ') => {
                let mut j = k;
                while char_at(j) == Some(' ') {
                    j += 1;
                }
                let run_end = chars.get(j).map_or(text.len(), |(p, _)| *p);
                if i > 0 && j < chars.len() {
                    push(out, Rule::DoubleSpace, i..run_end, Some(" ".into()));
                }
                k = j;
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    // Straight quotes count only in pairs around Persian; others belong to Latin text.
    if quotes.len().is_multiple_of(2) && text.chars().any(is_persian_letter) {
        out.extend(quotes);
    }

    // Words: ZWNJ after می/نمی and before suffixes, and mixed digits.
    let words: Vec<(usize, &str)> = split_words(text);
    for (w, &(start, word)) in words.iter().enumerate() {
        let next = words.get(w + 1);
        let gap = |next: &(usize, &str)| start + word.len()..next.0;
        let only_spaces =
            |r: &Range<usize>| !r.is_empty() && text[r.clone()].chars().all(|c| c == ' ');
        if (word == "می" || word == "نمی")
            && let Some(next) = next
            && only_spaces(&gap(next))
            && next.1.chars().next().is_some_and(is_persian_letter)
        {
            // Fixed only before a known verb: «۱۵ می گذشته» (May) is no prefix.
            let fix = is_verb(next.1).then(|| ZWNJ.to_string());
            push(out, Rule::ZwnjAfterMi, gap(next), fix);
        }
        for prefix in ["نمی", "می"] {
            if let Some(stem) = word.strip_prefix(prefix)
                && is_verb(stem)
            {
                let span = start..start + prefix.len();
                push(
                    out,
                    Rule::ZwnjAfterMi,
                    span,
                    Some(format!("{prefix}{ZWNJ}")),
                );
                break;
            }
        }
        if let Some(next) = next
            && SUFFIXES.contains(&next.1)
            && only_spaces(&gap(next))
            && word.chars().next_back().is_some_and(is_persian_letter)
        {
            push(
                out,
                Rule::ZwnjBeforeSuffix,
                gap(next),
                Some(ZWNJ.to_string()),
            );
        }
        // "پروندههای": a word ending in ه joined to ها/های is always missing its ZWNJ.
        for suffix in SUFFIXES.iter().filter(|s| s.starts_with('ه')) {
            if let Some(stem) = word.strip_suffix(suffix)
                && stem.chars().count() >= 2
                && stem.ends_with('ه')
            {
                let at = start + stem.len() - 'ه'.len_utf8();
                push(
                    out,
                    Rule::ZwnjBeforeSuffix,
                    at..at + 'ه'.len_utf8(),
                    Some(format!("ه{ZWNJ}")),
                );
                break;
            }
        }
    }
    mixed_digits(text, &words, base, out);
    // Addresses are not prose: `…/تهران?action=x` keeps its `?`.
    let urls: Vec<std::ops::Range<usize>> = text
        .split_whitespace()
        .filter(|w| w.contains("://") || w.starts_with("www."))
        .map(|w| {
            let start = w.as_ptr() as usize - text.as_ptr() as usize + base;
            start..start + w.len()
        })
        .collect();
    out.retain(|f| {
        !urls
            .iter()
            .any(|u| u.start <= f.span.start && f.span.end <= u.end)
    });
}

/// Words with their byte offsets; a word is a run of characters other than whitespace and
/// punctuation (ZWNJ stays inside words).
fn split_words(text: &str) -> Vec<(usize, &str)> {
    let is_break = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '،' | '؛'
                    | '؟'
                    | '.'
                    | ','
                    | ';'
                    | '?'
                    | '!'
                    | ':'
                    | '«'
                    | '»'
                    | '('
                    | ')'
                    | '"'
                    | '['
                    | ']'
            )
    };
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_break(c), start) {
            (true, Some(s)) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, &text[s..]));
    }
    words
}

/// When a text has Persian digits, its Latin digit runs (outside Latin words such as
/// `COVID-19`) are findings, fixed to Persian digits.
fn mixed_digits(text: &str, words: &[(usize, &str)], base: usize, out: &mut Vec<Finding>) {
    let persian_words = |w: &&(usize, &str)| !w.1.chars().any(|c| c.is_ascii_alphabetic());
    if !text.chars().any(is_persian_digit) {
        return;
    }
    for &(start, word) in words.iter().filter(persian_words) {
        let mut run: Option<usize> = None;
        for (i, c) in word
            .char_indices()
            .chain(std::iter::once((word.len(), ' ')))
        {
            match (c.is_ascii_digit(), run) {
                (true, None) => run = Some(i),
                (false, Some(r)) => {
                    let span = start + r + base..start + i + base;
                    out.push(Finding {
                        rule: Rule::MixedDigits,
                        span,
                        fix: Some(super::to_persian_digits(&word[r..i])),
                    });
                    run = None;
                }
                _ => {}
            }
        }
    }
}

/// Applies the fixes of `findings` to `text`, skipping overlapping ones. Returns the new text.
pub fn apply_fixes(text: &str, findings: &[Finding]) -> String {
    let mut fixes: Vec<&Finding> = findings.iter().filter(|f| f.fix.is_some()).collect();
    fixes.sort_by_key(|f| f.span.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in fixes {
        if f.span.start < at {
            continue;
        }
        out.push_str(&text[at..f.span.start]);
        out.push_str(f.fix.as_deref().unwrap_or_default());
        at = f.span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(&'static str, String)> {
        check_text(text)
            .into_iter()
            .map(|f| (f.rule.id(), text[f.span].to_string()))
            .collect()
    }

    fn fixed(text: &str) -> String {
        apply_fixes(text, &check_text(text))
    }

    #[test]
    fn arabic_letters() {
        assert_eq!(fixed("كارگران يزد"), "کارگران یزد");
        assert_eq!(rules("كار"), vec![("arabic-letters", "ك".to_string())]);
    }

    #[test]
    fn urls_and_the_month_of_may_are_left_alone() {
        assert!(
            check_text("نشانی https://fa.wikipedia.org/wiki/تهران?action=history را ببینید")
                .is_empty()
        );
        let may = check_text("در ۱۵ می گذشته");
        assert_eq!(may.len(), 1, "reported");
        assert_eq!(may[0].fix, None, "but not fixed");
        assert_eq!(
            fixed("می دانید و می روند و نمی آیند"),
            "می‌دانید و می‌روند و نمی‌آیند"
        );
    }

    #[test]
    fn zwnj_after_mi() {
        assert_eq!(
            fixed("کارگران می شوند و نمی روند"),
            "کارگران می‌شوند و نمی‌روند"
        );
        assert_eq!(
            fixed("این طرح اجرا میشود و نمیماند"),
            "این طرح اجرا می‌شود و نمی‌ماند"
        );
        assert_eq!(fixed("نمیشود"), "نمی‌شود");
        // Words that begin with می but are not verbs.
        assert!(check_text("میز میدان میلیون میزان می‌شود").is_empty());
    }

    #[test]
    fn zwnj_before_suffixes() {
        assert_eq!(
            fixed("پرونده های حوادث و کتاب ها"),
            "پرونده‌های حوادث و کتاب‌ها"
        );
        assert_eq!(fixed("بزرگ ترین میز خدمت"), "بزرگ‌ترین میز خدمت");
        assert_eq!(fixed("پروندههای حوادث"), "پرونده‌های حوادث");
        assert!(check_text("تنها راه و آن‌ها و بهترین").is_empty());
    }

    #[test]
    fn latin_punctuation() {
        assert_eq!(fixed("ایلام, ایوان; چرا?"), "ایلام، ایوان؛ چرا؟");
        assert!(check_text("۱,۰۰۰ نفر").is_empty(), "grouping commas stay");
        assert!(check_text("1,000 نفر").is_empty());
        assert!(
            check_text("Hello, world?").is_empty(),
            "Latin sentences stay"
        );
    }

    #[test]
    fn mixed_digits() {
        assert_eq!(fixed("سال ۱۴۰۲ و 19 جلسه"), "سال ۱۴۰۲ و ۱۹ جلسه");
        assert!(
            check_text("سال 1402 و 19 جلسه").is_empty(),
            "one style is not mixed"
        );
        assert!(check_text("سال ۱۴۰۲ و COVID-19").is_empty());
    }

    #[test]
    fn quotes_and_spaces() {
        assert_eq!(
            fixed("او گفت: \"کار\"  ادامه دارد"),
            "او گفت: «کار» ادامه دارد"
        );
        assert!(check_text("He said \"hi\"").is_empty());
    }

    #[test]
    fn bidi_controls_in_titles() {
        let title = "کاهش\u{202B} حوادث";
        assert_eq!(apply_fixes(title, &check_title(title)), "کاهش حوادث");
        assert!(
            check_text(title).is_empty(),
            "only titles are checked for them"
        );
    }

    #[test]
    fn quranic_quotations_are_left_alone() {
        assert!(check_text("﴿وَ قُلْ رَبِّ زِدْني عِلْماً﴾").is_empty());
        assert_eq!(fixed("﴿علي﴾ و علي"), "﴿علي﴾ و علی");
    }
}
