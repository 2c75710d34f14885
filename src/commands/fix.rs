//! `chapar fix`: applies the typography fixes that are safe to apply without a person (Arabic
//! ي/ك, the ZWNJ after می/نمی and before ها/های, Persian punctuation) to release files,
//! changing nothing else byte for byte. Front matter keys, code, URLs and quotations («…»,
//! "…") are never touched. Files are replaced atomically.

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::load::{CONTENT_DIR, markdown, split};
use crate::persian::slugify;
use crate::persian::typography::{self, Finding, Rule};

/// The rules `fix` applies. The others (mixed digits, straight quotes, spacing, bidi controls)
/// need a person's judgement and are only reported by `check`.
pub const SAFE_RULES: [Rule; 4] = [
    Rule::ArabicLetters,
    Rule::ZwnjAfterMi,
    Rule::ZwnjBeforeSuffix,
    Rule::LatinPunctuation,
];

/// One file's fixes.
#[derive(Debug)]
pub struct FileFix {
    /// Relative to the site root.
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    pub fixes: usize,
}

impl FileFix {
    /// A unified diff of the change, for `--dry-run`.
    pub fn diff(&self) -> String {
        let path = self.path.display().to_string();
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(1)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string()
    }
}

/// The fixes for the release files under `paths` (files or folders, relative to `root`), or
/// for all of `content/` when `paths` is empty. Files that need no fix are left out.
pub fn plan(root: &Path, paths: &[PathBuf]) -> Result<Vec<FileFix>> {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![root.join(CONTENT_DIR)]
    } else {
        paths.iter().map(|p| root.join(p)).collect()
    };
    let mut files = Vec::new();
    for start in roots {
        for entry in walkdir::WalkDir::new(&start)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = entry.with_context(|| format!("cannot read {}", start.display()))?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if entry.file_type().is_file()
                && !hidden
                && entry.path().extension().is_some_and(|x| x == "md")
            {
                files.push(entry.into_path());
            }
        }
    }
    let mut plans = Vec::new();
    for file in files {
        // As a build reads it: a release past the size limit is refused, not read whole.
        let before = crate::load::input::read_text(&file, crate::load::MAX_FILE_BYTES, "a release")
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
        // One fix can reveal another (`هاي` is a suffix only once its ي is Persian): a few
        // passes reach the fixed point.
        let (mut after, mut fixes) = (before.clone(), 0);
        for _ in 0..3 {
            let findings = safe_findings(&after);
            if findings.is_empty() {
                break;
            }
            fixes += findings.len();
            after = typography::apply_fixes(&after, &findings);
        }
        if fixes == 0 {
            continue;
        }
        let after = keep_address(&before, after);
        let path = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        plans.push(FileFix {
            path,
            before,
            after,
            fixes,
        });
    }
    Ok(plans)
}

/// Writes each fixed file beside itself and renames it into place, so an editor's file is
/// never left half written.
pub fn apply(root: &Path, fixes: &[FileFix]) -> Result<()> {
    for fix in fixes {
        let path = root.join(&fix.path);
        let temp = path.with_extension("md.chapar-fix");
        std::fs::write(&temp, &fix.after)
            .with_context(|| format!("cannot write {}", temp.display()))?;
        if let Ok(meta) = std::fs::metadata(&path) {
            let _ = std::fs::set_permissions(&temp, meta.permissions());
        }
        std::fs::rename(&temp, &path)
            .with_context(|| format!("cannot replace {}", path.display()))?;
    }
    Ok(())
}

/// Safe findings in a whole release file, with spans in the file's bytes. Files whose front
/// matter cannot be split are left alone (`check` reports them).
pub fn safe_findings(file: &str) -> Vec<Finding> {
    // Positions must stay those of the file itself, so a BOM or CRLF endings are kept as they
    // are and only the LF-normalized copy is read for structure.
    if file.contains('\r') || file.starts_with('\u{feff}') {
        return crlf_safe_findings(file);
    }
    let Ok(parts) = split::split(file) else {
        return Vec::new();
    };
    let body_start = file.len() - parts.body.len();
    let fm_start = offset_of(file, parts.front_matter);
    let mut findings = Vec::new();
    for (key, check) in [
        ("title", typography::check_title as fn(&str) -> Vec<Finding>),
        ("lead", typography::check_text),
    ] {
        if let Some(value) = front_matter_value(parts.front_matter, key) {
            let base = fm_start + value.start;
            let text = &parts.front_matter[value];
            findings.extend(shift(check(text), base, text));
        }
    }
    findings.extend(shift(
        markdown::check_typography(parts.body),
        body_start,
        parts.body,
    ));
    findings.retain(|f| SAFE_RULES.contains(&f.rule) && f.fix.is_some());
    findings.sort_by_key(|f| f.span.start);
    findings
}

/// Files with a BOM or CR line endings: the same findings, found on the normalized text and
/// mapped back (the normalized text only lacks the BOM and the CRs).
fn crlf_safe_findings(file: &str) -> Vec<Finding> {
    let normalized = split::normalize(file).into_owned();
    let mut map = Vec::with_capacity(normalized.len() + 1);
    let bytes = file.as_bytes();
    let mut i = if file.starts_with('\u{feff}') { 3 } else { 0 };
    while i < bytes.len() {
        if bytes[i] == b'\r' {
            // "\r\n" becomes "\n"; a lone "\r" becomes "\n" too.
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
                continue;
            }
        }
        map.push(i);
        i += 1;
    }
    map.push(bytes.len());
    safe_findings(&normalized)
        .into_iter()
        .filter(|f| !normalized[f.span.clone()].contains('\n'))
        .map(|f| Finding {
            span: map[f.span.start]..map[f.span.end],
            ..f
        })
        .collect()
}

fn offset_of(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// A release's address comes from its title unless it has a `slug:`; fixing the title must not
/// move a published page, so the old slug is written down when it would change.
fn keep_address(before: &str, mut after: String) -> String {
    let title = |file: &str| -> Option<String> {
        let parts = split::split(file).ok()?;
        if parts.front_matter.lines().any(|l| l.starts_with("slug:")) {
            return None;
        }
        front_matter_value(parts.front_matter, "title").map(|r| parts.front_matter[r].to_string())
    };
    let (Some(old), Some(new)) = (title(before), title(&split::normalize(&after))) else {
        return after;
    };
    let old_slug = slugify(&old);
    if old_slug.is_empty() || old_slug == slugify(&new) {
        return after;
    }
    let Some(title_line) = after.find("\ntitle:") else {
        return after;
    };
    let eol = if after.contains("\r\n") { "\r\n" } else { "\n" };
    if let Some(end) = after[title_line + 1..].find('\n') {
        after.insert_str(title_line + 1 + end + 1, &format!("slug: {old_slug}{eol}"));
    }
    after
}

/// Moves findings of `text` to their place in the file, dropping those inside quotations.
fn shift(findings: Vec<Finding>, base: usize, text: &str) -> Vec<Finding> {
    let quotes = quotations(text);
    findings
        .into_iter()
        .filter(|f| {
            !quotes
                .iter()
                .any(|q| q.start <= f.span.start && f.span.end <= q.end)
        })
        .map(|f| Finding {
            span: f.span.start + base..f.span.end + base,
            ..f
        })
        .collect()
}

/// The byte ranges inside «…» and "…" quotations: someone's words, kept as they said them.
fn quotations(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut open: Option<(char, usize)> = None;
    for (i, c) in text.char_indices() {
        match (open, c) {
            (None, '«') => open = Some(('»', i)),
            (None, '"') => open = Some(('"', i)),
            (Some((close, start)), c) if c == close => {
                ranges.push(start..i + c.len_utf8());
                open = None;
            }
            (Some(_), '\n') if text[..i].ends_with('\n') => open = None,
            _ => {}
        }
    }
    ranges
}

/// The byte range of a top-level key's value on its own line (`title: …`), without quotes.
fn front_matter_value(front_matter: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in front_matter.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let start = offset + key.len() + 1 + (rest.len() - rest.trim_start().len());
            let value = rest.trim();
            if value.is_empty() || value.starts_with(['|', '>', '[', '{', '&', '*', '!']) {
                return None;
            }
            let quoted = (value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\''));
            return Some(if quoted && value.len() >= 2 {
                start + 1..start + value.len() - 1
            } else {
                start..start + value.len()
            });
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_title_lead_and_body_but_not_keys_code_or_quotes() {
        let file = "---\ntitle: كاهش حوادث كار\nlead: پرونده ها كم شد\nauthor: علي\ndesk: provinces\n---\nاین طرح اجرا میشود, و «قال علي» هم.\n\n`كد`\n";
        let fixed = typography::apply_fixes(file, &safe_findings(file));
        assert_eq!(
            fixed,
            "---\ntitle: کاهش حوادث کار\nlead: پرونده‌ها کم شد\nauthor: علي\ndesk: provinces\n---\nاین طرح اجرا می‌شود، و «قال علي» هم.\n\n`كد`\n"
        );
    }

    #[test]
    fn crlf_files_keep_their_line_endings() {
        let file = "\u{feff}---\r\ntitle: كار\r\n---\r\nمتن كار\r\n";
        let fixed = typography::apply_fixes(file, &safe_findings(file));
        assert_eq!(fixed, "\u{feff}---\r\ntitle: کار\r\n---\r\nمتن کار\r\n");
    }

    #[test]
    fn a_fixed_title_keeps_its_address() {
        let file = "---\ntitle: طرح بیمه اجرا میشود\nid: 1\n---\nمتن\n";
        let fixed = keep_address(file, typography::apply_fixes(file, &safe_findings(file)));
        assert_eq!(
            fixed,
            "---\ntitle: طرح بیمه اجرا می‌شود\nslug: طرح-بیمه-اجرا-میشود\nid: 1\n---\nمتن\n"
        );
        let with_slug = "---\ntitle: كار\nslug: a\n---\n";
        assert!(
            !keep_address(
                with_slug,
                typography::apply_fixes(with_slug, &safe_findings(with_slug))
            )
            .contains("slug: کار")
        );
        let same_slug = "---\ntitle: كار\n---\n";
        assert_eq!(
            keep_address(same_slug, "---\ntitle: کار\n---\n".into()),
            "---\ntitle: کار\n---\n",
            "ي/ك fold in slugs"
        );
    }

    #[test]
    fn a_clean_file_has_no_findings() {
        assert!(safe_findings("---\ntitle: کار\n---\nمتن درست می‌شود.\n").is_empty());
        assert!(safe_findings("no front matter, كار").is_empty());
    }
}
