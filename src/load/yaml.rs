//! YAML as editors write it: parsing with errors that point at the file's line and column,
//! and finding the line of a key such as `metrics[2].value` so that a wrong value found after
//! parsing can be reported where it stands. (serde_yaml keeps no positions in its `Value`.)

use serde_yaml::Value;

/// One step of a path into a YAML document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// A YAML text and where it starts in its file, so positions can be reported file-relative.
pub struct YamlSource<'a> {
    pub text: &'a str,
    /// The 1-based file line of the text's first line.
    pub first_line: usize,
}

/// A YAML syntax error, positioned in the file.
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl<'a> YamlSource<'a> {
    pub fn new(text: &'a str, first_line: usize) -> Self {
        YamlSource { text, first_line }
    }

    pub fn parse(&self) -> Result<Value, SyntaxError> {
        serde_yaml::from_str::<Value>(self.text).map_err(|e| self.syntax_error(&e))
    }

    /// Positions a serde_yaml error in the file and strips serde's own position suffix.
    pub fn syntax_error(&self, e: &serde_yaml::Error) -> SyntaxError {
        let (line, column) = match e.location() {
            Some(loc) => (self.first_line + loc.line() - 1, loc.column()),
            None => (self.first_line, 0),
        };
        let message = e.to_string();
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        SyntaxError {
            line,
            column,
            message,
        }
    }

    /// The file line and column of the key or item at `path`, or of its nearest ancestor that
    /// can be found (values written in flow style, `[a, b]`, have no line of their own).
    pub fn locate(&self, path: &[Seg]) -> (usize, usize) {
        let lines: Vec<&str> = self.text.lines().collect();
        let mut region = Region {
            start: 0,
            end: lines.len(),
            item_line: None,
        };
        let mut best = (0, 0);
        for seg in path {
            let found = match seg {
                Seg::Key(key) => region.find_key(&lines, key),
                Seg::Index(n) => region.find_item(&lines, *n),
            };
            match found {
                Some((line, column, inner)) => {
                    best = (line, column);
                    region = inner;
                }
                None => break,
            }
        }
        (self.first_line + best.0, best.1 + 1)
    }
}

/// A run of lines that holds one YAML node: `[start, end)`, and, when the node is a sequence
/// item, the line of its `- ` (whose rest is the item's first key).
struct Region {
    start: usize,
    end: usize,
    item_line: Option<usize>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

impl Region {
    /// The first content line's indentation: where this node's keys or items start.
    fn node_indent(&self, lines: &[&str]) -> Option<usize> {
        if let Some(item) = self.item_line {
            return Some(indent(lines[item]) + 2);
        }
        (self.start..self.end)
            .find(|&i| is_content(lines[i]))
            .map(|i| indent(lines[i]))
    }

    /// The lines after `line` that belong to a node starting at `line` with indentation
    /// `own_indent`; `- ` items may sit at the key's own indentation.
    fn child_region(&self, lines: &[&str], line: usize, own_indent: usize) -> Region {
        let end = (line + 1..self.end)
            .find(|&j| {
                let l = lines[j];
                is_content(l)
                    && (indent(l) < own_indent
                        || (indent(l) == own_indent && !l.trim_start().starts_with('-')))
            })
            .unwrap_or(self.end);
        Region {
            start: line + 1,
            end,
            item_line: None,
        }
    }

    fn find_key(&self, lines: &[&str], key: &str) -> Option<(usize, usize, Region)> {
        let key_indent = self.node_indent(lines)?;
        let first = self.item_line.unwrap_or(self.start);
        (first..self.end).find_map(|i| {
            let line = lines[i];
            if !is_content(line) || (Some(i) != self.item_line && indent(line) != key_indent) {
                return None;
            }
            let rest = line.get(key_indent..)?;
            let starts = [
                format!("{key}:"),
                format!("\"{key}\":"),
                format!("'{key}':"),
            ];
            starts
                .iter()
                .any(|s| rest.starts_with(s.as_str()))
                .then(|| {
                    let mut inner = self.child_region(lines, i, key_indent);
                    inner.end = inner.end.min(self.end);
                    (i, key_indent, inner)
                })
        })
    }

    fn find_item(&self, lines: &[&str], n: usize) -> Option<(usize, usize, Region)> {
        let item_indent = self.node_indent(lines)?;
        let items: Vec<usize> = (self.start..self.end)
            .filter(|&i| {
                let l = lines[i];
                indent(l) == item_indent && (l.trim() == "-" || l.trim_start().starts_with("- "))
            })
            .collect();
        let line = *items.get(n)?;
        let end = items.get(n + 1).copied().unwrap_or(self.end);
        Some((
            line,
            item_indent,
            Region {
                start: line + 1,
                end,
                item_line: Some(line),
            },
        ))
    }
}

/// The kind of a YAML value, in words for an error message.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a set of fields",
        Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "title: x\nauthor:\n  - a\n  - b\nmetrics:\n  - label: one\n    value: 1\n  - label: two\n    # comment\n    value: 2\nimage: {src: a.jpg}\ntags:\n- t1\n- t2\ndraft: false\n";

    fn at(path: &[Seg]) -> (usize, usize) {
        YamlSource::new(DOC, 2).locate(path)
    }

    #[test]
    fn locates_top_level_keys() {
        assert_eq!(at(&[Seg::Key("title")]), (2, 1));
        assert_eq!(at(&[Seg::Key("draft")]), (16, 1));
    }

    #[test]
    fn locates_items_and_nested_keys() {
        assert_eq!(at(&[Seg::Key("author"), Seg::Index(1)]), (5, 3));
        assert_eq!(at(&[Seg::Key("metrics"), Seg::Index(1)]), (9, 3));
        assert_eq!(
            at(&[Seg::Key("metrics"), Seg::Index(1), Seg::Key("label")]),
            (9, 5)
        );
        assert_eq!(
            at(&[Seg::Key("metrics"), Seg::Index(1), Seg::Key("value")]),
            (11, 5)
        );
        assert_eq!(
            at(&[Seg::Key("metrics"), Seg::Index(0), Seg::Key("value")]),
            (8, 5)
        );
        assert_eq!(at(&[Seg::Key("tags"), Seg::Index(1)]), (15, 1));
    }

    #[test]
    fn falls_back_to_the_nearest_ancestor() {
        assert_eq!(at(&[Seg::Key("image"), Seg::Key("alt")]), (12, 1));
        assert_eq!(at(&[Seg::Key("metrics"), Seg::Index(5)]), (6, 1));
        assert_eq!(at(&[Seg::Key("nothing")]), (2, 1));
    }

    #[test]
    fn positions_syntax_errors_in_the_file() {
        let src = YamlSource::new("title: x\ntags: [a, b\n", 2);
        let err = src.parse().err().unwrap();
        assert!(err.line >= 3, "line {}", err.line);
        assert!(!err.message.contains(" at line "));
    }
}
