//! The diagnostics that compare release files: one news code or slug used twice.

use std::sync::Arc;

use crate::model::article::Article;
use crate::model::diagnostic::Diagnostic;
use crate::model::fast_hash::FastMap;

/// Two releases with one news code are an error: codes identify releases. One slug twice is
/// a warning: recurring headlines («اطلاعیه») are normal, and the code keeps addresses apart.
/// News codes and slugs used by more than one release, among `articles` sorted by source path
/// (the first one keeps its code or slug; the others are reported).
pub fn duplicates(articles: &[Arc<Article>]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let next_free = articles.iter().map(|a| a.front.id).max().unwrap_or(0) + 1;
    let n = articles.len();
    let mut by_id: FastMap<u64, &Article> =
        FastMap::with_capacity_and_hasher(n, Default::default());
    let mut by_slug: FastMap<&str, &Article> =
        FastMap::with_capacity_and_hasher(n, Default::default());
    for a in articles {
        if let Some(first) = by_id.get(&a.front.id) {
            problems.push(
                Diagnostic::error(
                    &a.source,
                    format!(
                        "news code {} is already used by {}",
                        a.front.id,
                        first.source.display()
                    ),
                )
                .at(a.id_line, 1)
                .with_hint(format!(
                    "every release needs its own `id`; the next free code is {next_free}"
                )),
            );
        } else {
            by_id.insert(a.front.id, a);
        }
        if let Some(first) = by_slug.get(a.slug.as_str()) {
            problems.push(
                Diagnostic::warning(
                    &a.source,
                    format!(
                        "the slug `{}` is already used by {}",
                        a.slug,
                        first.source.display()
                    ),
                )
                .at(a.slug_line, 1)
                .with_hint("the addresses differ by news code, but readers and search engines tell pages apart by their words: give one release its own `slug:` or title"),
            );
        } else {
            by_slug.insert(&a.slug, a);
        }
    }
    problems
}
