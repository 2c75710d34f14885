//! Problems an editor can fix, each with a place (file, line, column), what is wrong and how
//! to fix it. Every stage returns them instead of stopping, so one run reports them all.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Relative to the site root, so messages read the same on every machine.
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based; 0 when the problem concerns a whole line or file.
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    /// The id of the rule that found it, for rules editors can look up or filter
    /// (`zwnj-after-mi`). Only `check` sets rules, and its findings are never cached, so the
    /// build cache does not keep them.
    #[serde(skip)]
    pub rule: Option<&'static str>,
}

impl Diagnostic {
    pub fn error(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.as_ref().to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            rule: None,
        }
    }

    pub fn warning(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_rule(mut self, rule: &'static str) -> Self {
        self.rule = Some(rule);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The `path:line:column` prefix, leaving out what is unknown.
    /// The file as it is shown: a name may hold control characters (an ESC sequence would
    /// recolour or clear the editor's terminal), which are shown escaped.
    pub fn shown_path(&self) -> String {
        let shown = self.path.display().to_string();
        if shown.chars().any(char::is_control) {
            shown.escape_debug().to_string()
        } else {
            shown
        }
    }

    pub fn location(&self) -> String {
        let path = self.shown_path();
        match (self.line, self.column) {
            (0, _) => path,
            (line, 0) => format!("{path}:{line}"),
            (line, column) => format!("{path}:{line}:{column}"),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {kind}: {}", self.location(), self.message)?;
        if let Some(rule) = self.rule {
            write!(f, " [{rule}]")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, then position, so output is stable whatever the thread order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message))
    });
}

/// The 0-based line and 1-based column (in characters) of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count();
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line, column)
}

/// "did you mean `title`?" for a misspelt key, when one known key is close enough.
pub fn did_you_mean<'a>(
    unknown: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_location_message_and_hint() {
        let d = Diagnostic::error("content/a.md", "unknown field `titel`")
            .at(3, 1)
            .with_hint("did you mean `title`?");
        assert_eq!(
            d.to_string(),
            "content/a.md:3:1: error: unknown field `titel`\n  hint: did you mean `title`?"
        );
        assert_eq!(Diagnostic::error("site.yaml", "x").location(), "site.yaml");
    }

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["title", "lead", "author", "tags"];
        assert_eq!(did_you_mean("titel", keys), Some("title"));
        assert_eq!(did_you_mean("authors", keys), Some("author"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
