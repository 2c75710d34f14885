//! Paths a build uses: the hidden files and folders it keeps beside the output folder, and the
//! check that a path it is asked to write stays inside that folder.

use std::path::{Component, Path, PathBuf};

/// A hidden file or folder beside the output folder: `.public.<what>` for `public/`.
pub fn beside(out_dir: &Path, what: &str) -> PathBuf {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.{what}"))
}

/// A relative path with only normal components: no `..`, no root, no drive.
pub(super) fn is_safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_paths_that_climb_out() {
        assert!(is_safe_relative("news/1/x/index.html"));
        for bad in ["", "../x", "/etc/passwd", "a/../../b"] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
    }
}
