//! Splitting a press release file into its YAML front matter and its Markdown body.

/// A file's parts. Line numbers are 1-based file lines, so positions in either part can be
/// reported against the file the editor sees.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    pub front_matter: &'a str,
    pub front_matter_line: usize,
    pub body: &'a str,
    pub body_line: usize,
}

/// Why a file could not be split.
#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    Empty,
    NoFrontMatter,
    /// The opening `---` is on line 1; no closing line follows.
    Unclosed,
}

/// Splits `text` (already free of a BOM and of CR line endings) at its `---` fences. The
/// front matter may close with `---` or YAML's `...`.
pub fn split(text: &str) -> Result<Parts<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Err(SplitError::NoFrontMatter);
    }
    let start = first.len();
    let mut offset = start;
    for (i, line) in lines.enumerate() {
        let fence = line.trim_end();
        if fence == "---" || fence == "..." {
            return Ok(Parts {
                front_matter: &text[start..offset],
                front_matter_line: 2,
                body: &text[offset + line.len()..],
                body_line: i + 3,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed)
}

/// Removes a UTF-8 byte order mark and turns CRLF and lone CR line endings into LF, keeping
/// the number of lines (so positions still match the file).
pub fn normalize(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_fences() {
        let p = split("---\ntitle: x\n---\nbody\n").unwrap();
        assert_eq!(p.front_matter, "title: x\n");
        assert_eq!(p.front_matter_line, 2);
        assert_eq!(p.body, "body\n");
        assert_eq!(p.body_line, 4);
        let p = split("---\na: 1\nb: 2\n...\n").unwrap();
        assert_eq!(p.front_matter, "a: 1\nb: 2\n");
        assert_eq!(p.body, "");
    }

    #[test]
    fn reports_what_is_missing() {
        assert_eq!(split(""), Err(SplitError::Empty));
        assert_eq!(split(" \n\n"), Err(SplitError::Empty));
        assert_eq!(split("# title\n"), Err(SplitError::NoFrontMatter));
        assert_eq!(split("---\ntitle: x\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn normalizes_bom_and_line_endings() {
        assert_eq!(normalize("\u{feff}---\r\na\r\n---\rb"), "---\na\n---\nb");
        let p = split(&normalize("\u{feff}---\r\ntitle: x\r\n---\r\nbody"))
            .unwrap()
            .front_matter
            .to_string();
        assert_eq!(p, "title: x\n");
    }
}
