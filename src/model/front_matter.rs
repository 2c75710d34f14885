//! The newsroom schema: what a press release's YAML front matter holds once `load` has
//! checked it. The field lists are the schema's keys as editors write them; the checker, the
//! editor's tools and the schema-driven tests all take them from here.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::persian::numbers::Number;

/// The fields a front matter may hold. Anything else is a mistake (usually a typo).
pub const FIELDS: [&str; 13] = [
    "title", "lead", "author", "desk", "date", "updated", "id", "tags", "metrics", "image",
    "draft", "slug", "extra",
];
/// The fields of one of `metrics`.
pub const METRIC_FIELDS: [&str; 6] = ["label", "value", "unit", "change", "period", "good"];
/// The fields of `image`.
pub const IMAGE_FIELDS: [&str; 3] = ["src", "alt", "caption"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrontMatter {
    #[serde(deserialize_with = "crate::model::long_text::deserialize")]
    pub title: String,
    #[serde(
        default,
        deserialize_with = "crate::model::long_text::option::deserialize"
    )]
    pub lead: Option<String>,
    pub authors: Vec<String>,
    /// The desk's key from `site.yaml` (front matter may name the desk in Persian).
    pub desk: String,
    pub date: Timestamp,
    pub updated: Option<Timestamp>,
    /// The news code (کد خبر).
    pub id: u64,
    pub tags: Vec<String>,
    pub metrics: Vec<Metric>,
    pub image: Option<Image>,
    pub draft: bool,
    #[serde(
        default,
        deserialize_with = "crate::model::long_text::option::deserialize"
    )]
    pub slug: Option<String>,
    #[serde(with = "crate::model::json_text")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A key figure a release reports, e.g. a 47% fall in work-accident cases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Metric {
    pub label: String,
    pub value: Number,
    pub unit: Option<String>,
    /// A signed change in percent (`-47` for a 47% fall).
    pub change: Option<Number>,
    pub period: Option<String>,
    /// Which direction is good news (`up` or `down`); themes colour changes with it.
    pub good: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Image {
    pub src: String,
    #[serde(deserialize_with = "crate::model::long_text::deserialize")]
    pub alt: String,
    #[serde(
        default,
        deserialize_with = "crate::model::long_text::option::deserialize"
    )]
    pub caption: Option<String>,
}
