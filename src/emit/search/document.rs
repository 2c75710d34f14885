//! One article's share of the search index, computed from that article alone, so an
//! incremental build can keep it for every release that did not change and only recompute
//! the others. `write_index` makes every index file from these values and nothing else.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use super::tokens::{collapse_whitespace, for_each_word, html_text_uncollapsed};
use crate::model::article::Article;
use crate::model::config::SiteConfig;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::paths;
use crate::persian::calendar::JalaliFormat;
use crate::persian::{PersianCalendar, to_persian_digits};

/// How much of the release's text (lead, then body) is kept for the result snippet, in
/// characters: about 100 words, room for the page's 40-word snippet around a match in the
/// lead or the first paragraphs. Matches further down are found but not shown in the
/// snippet. Results are fetched in chunks of `CHUNK_SIZE`, so this bounds what a page of
/// results downloads (docs/search.md).
pub const SNIPPET_SOURCE_CHARS: usize = 600;

/// Field weights: a word in the title counts most, then tags, the lead, the byline and desk,
/// then each use in the body (up to `BODY_CAP` uses). The sum is at most `MAX_WEIGHT`, so it
/// fits one character of the posting encoding.
const TITLE: u8 = 10;
const TAGS: u8 = 6;
const LEAD: u8 = 4;
const BYLINE: u8 = 3;
const BODY_CAP: u8 = 8;
pub const MAX_WEIGHT: u8 = TITLE + TAGS + LEAD + BYLINE + BODY_CAP;

/// A published article as the search index sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// The news code.
    pub id: u64,
    /// Seconds since the Unix epoch: with `id`, the order of results of equal weight.
    pub timestamp: i64,
    /// The Jalali year in the site's time zone (the year filter).
    pub year: i32,
    /// The desk's key from `site.yaml`.
    pub desk: String,
    /// Every folded word of the release with its weight (1..=MAX_WEIGHT), sorted by word.
    pub terms: Terms,
    /// What a result shows: only the result files need it, so the index keeps it on disk.
    pub result: ResultText,
}

/// What the browser shows of one result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultText {
    pub title: String,
    /// The article's folder, relative to the site root (`news/12/خبر/`).
    pub path: String,
    /// The date as readers see it: `۹ مهر ۱۴۰۲`.
    pub date: String,
    /// The lead and the body as plain text, cut at a word near `SNIPPET_SOURCE_CHARS`: the
    /// browser picks the snippet from it and marks the matches.
    pub text: String,
}

/// Words with weights, kept in two allocations rather than one per word.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// The words, each followed by a newline (words never hold one).
    words: String,
    weights: Vec<u8>,
}

impl Terms {
    pub fn iter(&self) -> impl Iterator<Item = (&str, u8)> {
        self.words
            .split_terminator('\n')
            .zip(self.weights.iter().copied())
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

impl<S: AsRef<str>> FromIterator<(S, u8)> for Terms {
    fn from_iter<I: IntoIterator<Item = (S, u8)>>(pairs: I) -> Terms {
        let mut terms = Terms::default();
        for (word, weight) in pairs {
            terms.words.push_str(word.as_ref());
            terms.words.push('\n');
            terms.weights.push(weight);
        }
        terms.words.shrink_to_fit();
        terms.weights.shrink_to_fit();
        terms
    }
}

/// The search document of one article, whose rendered body is `body_html`. `config` gives
/// the desk's name (a searchable word); `calendar` the Jalali date in the site's time zone.
pub fn document(
    article: &Article,
    body_html: &str,
    config: &SiteConfig,
    calendar: &PersianCalendar,
) -> SearchDoc {
    let front = &article.front;
    let body = html_text_uncollapsed(body_html);
    let mut weights = Weights::for_text(&body);
    weights.field(&front.title, TITLE);
    weights.field(&front.id.to_string(), TITLE);
    weights.field(&front.tags.join(" "), TAGS);
    weights.field(front.lead.as_deref().unwrap_or_default(), LEAD);
    let desk_name = config
        .desks
        .iter()
        .find(|d| d.key == front.desk)
        .map_or(front.desk.as_str(), |d| d.name.as_str());
    weights.field(&format!("{} {desk_name}", front.authors.join(" ")), BYLINE);
    weights.body(&body);

    let jalali = calendar.jalali_date(front.date);
    let lead = front.lead.as_deref().unwrap_or_default();
    // Only the start of the text is kept, so only the start is collapsed: enough bytes for
    // the characters kept, and to compare with the lead.
    let start = collapse_whitespace(&body, lead.len().max(4 * (SNIPPET_SOURCE_CHARS + 1)));
    let head = chars_prefix(&start, SNIPPET_SOURCE_CHARS + 1);
    let text = if lead.is_empty() || start.starts_with(lead) {
        cut_at_word(head, SNIPPET_SOURCE_CHARS)
    } else {
        cut_at_word(&format!("{lead} {head}"), SNIPPET_SOURCE_CHARS)
    };
    SearchDoc {
        id: front.id,
        timestamp: front.date.as_second(),
        year: jalali.map_or(0, |d| d.year),
        desk: front.desk.clone(),
        terms: weights.into_terms(),
        result: ResultText {
            title: front.title.clone(),
            path: paths::article_path(article),
            date: match jalali {
                Some(_) => calendar.format(front.date, JalaliFormat::Long),
                None => to_persian_digits(&front.date.to_string()),
            },
            text,
        },
    }
}

/// A search document just made, with its fingerprint.
#[derive(Debug, Clone)]
pub struct Document {
    pub doc: SearchDoc,
    pub fingerprint: Fingerprint,
}

/// The search document of a release just parsed, from its body.
pub fn fresh_document(
    article: &Article,
    body: &str,
    site: &SiteConfig,
    calendar: &PersianCalendar,
) -> Document {
    Document::new(document(article, body, site, calendar))
}

impl Document {
    pub fn new(doc: SearchDoc) -> Document {
        let mut f = FingerprintBuilder::new();
        f.u64(doc.id)
            .u64(doc.timestamp as u64)
            .u64(doc.year as u64)
            .str(&doc.desk)
            .u64(doc.terms.len() as u64);
        for (word, weight) in doc.terms.iter() {
            f.str(word).u64(u64::from(weight));
        }
        let r = &doc.result;
        f.str(&r.title).str(&r.path).str(&r.date).str(&r.text);
        Document {
            fingerprint: f.finish(),
            doc,
        }
    }
}

/// Each word's weight: the fields it appears in, then its uses in the body. Words are
/// counted as they come out of the tokenizer, so only distinct words are allocated.
#[derive(Default)]
struct Weights {
    words: HashMap<Box<str>, Weight, BuildHasherDefault<FxHasher>>,
    /// The number of the current field, so a word counts once per field.
    field: u32,
}

#[derive(Clone, Copy)]
struct Weight {
    fields: u8,
    body: u8,
    last_field: u32,
}

impl Weights {
    /// Room for the distinct words of a release whose body is `body`, guessed from its
    /// length, so the table is not grown (and rehashed) word by word.
    fn for_text(body: &str) -> Weights {
        Weights {
            words: HashMap::with_capacity_and_hasher(64 + body.len() / 32, Default::default()),
            field: 0,
        }
    }

    fn field(&mut self, text: &str, weight: u8) {
        self.field += 1;
        let field = self.field;
        for_each_word(text, |word| match self.words.get_mut(word) {
            Some(w) if w.last_field == field => {}
            Some(w) => {
                w.fields += weight;
                w.last_field = field;
            }
            None => {
                let w = Weight {
                    fields: weight,
                    body: 0,
                    last_field: field,
                };
                self.words.insert(word.into(), w);
            }
        });
    }

    fn body(&mut self, text: &str) {
        for_each_word(text, |word| match self.words.get_mut(word) {
            Some(w) => w.body = (w.body + 1).min(BODY_CAP),
            None => {
                let w = Weight {
                    fields: 0,
                    body: 1,
                    last_field: 0,
                };
                self.words.insert(word.into(), w);
            }
        });
    }

    fn into_terms(self) -> Terms {
        let mut terms: Vec<(Box<str>, u8)> = self
            .words
            .into_iter()
            .map(|(word, w)| (word, w.fields + w.body))
            .collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        terms.into_iter().collect()
    }
}

/// The multiply-rotate hash of rustc (FxHash): the words of one release need no protection
/// from crafted collisions, and SipHash was a visible part of indexing.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let n = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The first `n` characters of `text` (all of it if shorter).
fn chars_prefix(text: &str, n: usize) -> &str {
    text.char_indices()
        .nth(n)
        .map_or(text, |(end, _)| &text[..end])
}

/// At most `max` characters of `text`, ending at a space when there is one in the last part.
fn cut_at_word(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => {
            let head = &text[..end];
            let cut = head.rfind(' ').filter(|&i| i > end * 3 / 4).unwrap_or(end);
            format!("{}…", &head[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::emit::search::tokens::tests::{reference_tokenize, words_text};

    /// The weights as they were computed before the words were counted as they came out of
    /// the tokenizer: the reference. `fields` are (text, weight), in order.
    fn reference_terms(fields: &[(&str, u8)], body: &str) -> Vec<(String, u8)> {
        let mut weights: HashMap<String, u8> = HashMap::new();
        for (text, weight) in fields {
            let mut seen: Vec<String> = reference_tokenize(text);
            seen.sort_unstable();
            seen.dedup();
            for word in seen {
                *weights.entry(word).or_default() += weight;
            }
        }
        let mut uses: HashMap<String, u8> = HashMap::new();
        for word in reference_tokenize(body) {
            let n = uses.entry(word).or_default();
            *n = (*n + 1).min(BODY_CAP);
        }
        for (word, n) in uses {
            *weights.entry(word).or_default() += n;
        }
        let mut terms: Vec<(String, u8)> = weights.into_iter().collect();
        terms.sort_unstable();
        terms
    }

    /// A text whose words repeat, as a release's do.
    fn repetitive_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                3 => proptest::sample::select(vec!["کار", "كار", "کارگران", "۱۴۰۲", "1402", "ایلام", " ", "، "]).prop_map(str::to_string),
                1 => words_text(),
            ],
            0..40,
        )
        .prop_map(|v| v.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn weights_are_the_reference_weights(
            title in repetitive_text(),
            tags in repetitive_text(),
            lead in repetitive_text(),
            byline in repetitive_text(),
            body in repetitive_text(),
        ) {
            let fields = [
                (title.as_str(), TITLE),
                ("1402070912", TITLE),
                (tags.as_str(), TAGS),
                (lead.as_str(), LEAD),
                (byline.as_str(), BYLINE),
            ];
            let mut weights = Weights::default();
            for (text, weight) in fields {
                weights.field(text, weight);
            }
            weights.body(&body);
            let terms: Vec<(String, u8)> = weights
                .into_terms()
                .iter()
                .map(|(w, n)| (w.to_string(), n))
                .collect();
            prop_assert_eq!(terms, reference_terms(&fields, &body));
        }

        #[test]
        fn the_kept_text_is_the_start_of_the_whole(lead in repetitive_text(), body in repetitive_text()) {
            let whole = if lead.is_empty() || body.starts_with(&lead) {
                body.clone()
            } else {
                format!("{lead} {body}")
            };
            let head = chars_prefix(&body, 31);
            let fast = if lead.is_empty() || body.starts_with(&lead) {
                cut_at_word(head, 30)
            } else {
                cut_at_word(&format!("{lead} {head}"), 30)
            };
            prop_assert_eq!(fast, cut_at_word(&whole, 30));
        }
    }

    fn article(text: &str) -> (SiteConfig, crate::model::article::Parsed) {
        let config = crate::load::config::parse(
            "title: t\nbase_url: https://e.org/\ndesks:\n  - key: provinces\n    name: استان‌ها\n",
        )
        .unwrap();
        let article =
            crate::load::parse_article("a.md".into(), text, &crate::load::Parsing::new(&config))
                .0
                .unwrap();
        (config, article)
    }

    #[test]
    fn weights_follow_the_fields() {
        let (config, a) = article(
            "---\ntitle: کارگران ايلام\nlead: نشست شورا\nauthor: کوثر موسوی\ndesk: provinces\ndate: 1402-07-09 10:30\nid: 1402070912\ntags: [ایمنی کار]\n---\nکارگران و کارگران در **ایلام** و ۱۹ نشست.\n",
        );
        let calendar = PersianCalendar::new(jiff::tz::TimeZone::get("Asia/Tehran").unwrap());
        let doc = document(&a.article, &a.body, &config, &calendar);
        let weight = |w: &str| doc.terms.iter().find(|(t, _)| *t == w).map(|(_, n)| n);
        assert_eq!(weight("کارگران"), Some(TITLE + 2));
        assert_eq!(weight("ایلام"), Some(TITLE + 1), "ي in the title folds to ی");
        assert_eq!(weight("نشست"), Some(LEAD + 1));
        assert_eq!(weight("ایمنی"), Some(TAGS));
        assert_eq!(weight("موسوی"), Some(BYLINE));
        assert_eq!(
            weight("استانها"),
            Some(BYLINE),
            "the desk's name, ZWNJ folded"
        );
        assert_eq!(weight("1402070912"), Some(TITLE), "the news code");
        assert_eq!(weight("19"), Some(1));
        assert_eq!(weight("و"), None);
        let words: Vec<&str> = doc.terms.iter().map(|(w, _)| w).collect();
        assert!(words.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(doc.year, 1402);
        assert_eq!(doc.result.date, "۹ مهر ۱۴۰۲");
        assert!(doc.result.path.starts_with("news/1402070912/"));
        assert!(
            doc.result
                .text
                .starts_with("نشست شورا کارگران و کارگران در ایلام")
        );
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        let text = "واژه ".repeat(1000);
        let cut = cut_at_word(&text, 100);
        assert!(cut.ends_with("واژه…"));
        assert!(cut.chars().count() <= 101);
        assert_eq!(cut_at_word("کوتاه", 100), "کوتاه");
    }

    #[test]
    fn the_document_round_trips_through_json() {
        let (config, a) = article(
            "---\ntitle: خبر\nauthor: x\ndesk: provinces\ndate: 1402-07-09\nid: 7\n---\nمتن خبر\n",
        );
        let calendar = PersianCalendar::new(jiff::tz::TimeZone::get("Asia/Tehran").unwrap());
        let doc = document(&a.article, &a.body, &config, &calendar);
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(serde_json::from_str::<SearchDoc>(&json).unwrap(), doc);
    }
}
