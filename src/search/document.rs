//! One article's share of the search index, computed from that article alone, so an
//! incremental build can keep it for every release that did not change and only recompute
//! the others. `write_index` makes every index file from these values and nothing else.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::tokens::{html_text, tokenize};
use crate::config::SiteConfig;
use crate::content::Article;
use crate::persian::calendar::JalaliFormat;
use crate::persian::{PersianCalendar, to_persian_digits};
use crate::site;

/// How much of the release's text (lead, then body) is kept for the result snippet, in
/// characters. Matches further down are found but not shown in the snippet.
pub const SNIPPET_SOURCE_CHARS: usize = 1600;

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
    /// The date as readers see it: `۹ مهر ۱۴۰۲`.
    pub date: String,
    /// The desk's key from `site.yaml`.
    pub desk: String,
    /// The article's folder, relative to the site root (`news/12/خبر/`).
    pub path: String,
    pub title: String,
    /// The lead and the body as plain text, cut at a word near `SNIPPET_SOURCE_CHARS`: the
    /// browser picks the snippet from it and marks the matches.
    pub text: String,
    /// Every folded word of the release with its weight (1..=MAX_WEIGHT), sorted by word.
    pub terms: Terms,
}

/// Words with weights, kept in two allocations rather than one per word: a large site holds
/// millions of them.
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
    let body = html_text(body_html);
    let mut weights: HashMap<String, u8> = HashMap::new();
    let mut add_field = |text: &str, weight: u8| {
        let mut seen: Vec<String> = tokenize(text);
        seen.sort_unstable();
        seen.dedup();
        for word in seen {
            *weights.entry(word).or_default() += weight;
        }
    };
    add_field(&front.title, TITLE);
    add_field(&front.id.to_string(), TITLE);
    add_field(&front.tags.join(" "), TAGS);
    add_field(front.lead.as_deref().unwrap_or_default(), LEAD);
    let desk_name = config
        .desks
        .iter()
        .find(|d| d.key == front.desk)
        .map_or(front.desk.as_str(), |d| d.name.as_str());
    add_field(&format!("{} {desk_name}", front.authors.join(" ")), BYLINE);
    let mut uses: HashMap<String, u8> = HashMap::new();
    for word in tokenize(&body) {
        let n = uses.entry(word).or_default();
        *n = (*n + 1).min(BODY_CAP);
    }
    for (word, n) in uses {
        *weights.entry(word).or_default() += n;
    }

    let jalali = calendar.jalali_date(front.date);
    let lead = front.lead.as_deref().unwrap_or_default();
    let text = if lead.is_empty() || body.starts_with(lead) {
        body
    } else {
        format!("{lead} {body}")
    };
    SearchDoc {
        id: front.id,
        timestamp: front.date.as_second(),
        year: jalali.map_or(0, |d| d.year),
        date: match jalali {
            Some(_) => calendar.format(front.date, JalaliFormat::Long),
            None => to_persian_digits(&front.date.to_string()),
        },
        desk: front.desk.clone(),
        path: site::article_path(article),
        title: front.title.clone(),
        text: cut_at_word(&text, SNIPPET_SOURCE_CHARS),
        terms: {
            let mut terms: Vec<(String, u8)> = weights.into_iter().collect();
            terms.sort_unstable();
            terms.into_iter().collect()
        },
    }
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
    use super::*;

    fn article(text: &str) -> (SiteConfig, crate::content::Parsed) {
        let config = crate::config::parse(
            "title: t\nbase_url: https://e.org/\ndesks:\n  - key: provinces\n    name: استان‌ها\n",
        )
        .unwrap();
        let article = crate::content::parse_article(
            "a.md".into(),
            text,
            &crate::content::Parsing::new(&config),
        )
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
        assert_eq!(doc.date, "۹ مهر ۱۴۰۲");
        assert!(doc.path.starts_with("news/1402070912/"));
        assert!(doc.text.starts_with("نشست شورا کارگران و کارگران در ایلام"));
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
