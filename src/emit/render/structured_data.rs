//! schema.org `NewsArticle` JSON-LD for article pages, built as JSON (never by string
//! concatenation in a template) so it is always valid.

use serde_json::{Value, json};

use crate::model::article::Article;
use crate::model::links::Links;
use crate::model::paths;
use crate::model::site::Site;

/// The JSON-LD of an article, safe to put inside `<script type="application/ld+json">`.
pub fn news_article(site: &Site, article: &Article, links: &Links) -> String {
    let url = links.absolute(&paths::article_path(article));
    let front = &article.front;
    let authors: Vec<Value> = front
        .authors
        .iter()
        .zip(&article.author_paths)
        .map(|(name, path)| json!({"@type": "Person", "name": name, "url": links.absolute(path)}))
        .collect();
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": front.title,
        "description": article.summary(),
        "url": url,
        "mainEntityOfPage": url,
        "identifier": front.id.to_string(),
        "datePublished": front.date.to_string(),
        "dateModified": front.updated.unwrap_or(front.date).to_string(),
        "author": authors,
        "publisher": {"@type": "Organization", "name": site.config.title, "url": site.config.base_url},
        "articleSection": site.desk_of(article).map_or(front.desk.as_str(), |d| d.name.as_str()),
        "keywords": front.tags,
        "inLanguage": "fa",
        "wordCount": article.word_count,
    });
    if let Some(image) = &front.image {
        data["image"] = json!([links.absolute_asset(&image.src)]);
    }
    // Markup characters inside a string could end the element early; their \u escapes are
    // the same JSON strings.
    data.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
