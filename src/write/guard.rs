//! What keeps a build from replacing a folder that is not its own: the marker chapar leaves in
//! every output folder, and the refusal of folders it must never build into.

use std::fs;
use std::path::{Component, Path, PathBuf};

/// The file chapar leaves in every output folder, so it knows the folder is its own to replace.
pub const MARKER: &str = ".chapar-build";
pub(super) const MARKER_TEXT: &str =
    "This folder is written by `chapar build` and replaced whole on every build.\n";

/// Why chapar will not build into `out_dir` (`None` when it may). It never replaces the site
/// itself, its sources, `/` or the home folder, nor a folder of someone else's files, unless
/// `force` says that folder may go.
pub fn refuse_output(root: &Path, out_dir: &Path, force: bool) -> Option<String> {
    let out = resolve(out_dir);
    let root = resolve(root);
    let home = std::env::var_os("HOME").map(|h| resolve(Path::new(&h)));
    if out.parent().is_none() || Some(&out) == home.as_ref() {
        return Some(format!("{}: it is the root or home folder", out.display()));
    }
    if root.starts_with(&out) {
        return Some(format!("{}: it holds the site itself", out.display()));
    }
    for source in ["content", "templates", "static"] {
        if out.starts_with(root.join(source)) {
            return Some(format!(
                "{}: it is inside the site's {source}/ folder",
                out.display()
            ));
        }
    }
    if out.is_file() {
        return Some(format!("{}: it is a file", out.display()));
    }
    // The output folder is replaced whole by a rename, which would replace a link with a
    // real folder: the web root it pointed at would keep the old site, silently.
    if out_dir
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Some(format!(
            "{}: it is a symbolic link (to {}), which a build would replace with a folder; give the folder it points to as --out",
            out_dir.display(),
            out.display()
        ));
    }
    let foreign = out.is_dir()
        && !out.join(MARKER).is_file()
        && fs::read_dir(&out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
    if foreign && !force {
        return Some(format!(
            "{}: it holds files chapar did not write",
            out.display()
        ));
    }
    None
}

/// An absolute path with `.`/`..` and symbolic links resolved, for a path that may not exist
/// yet: its longest existing ancestor is resolved and the rest appended.
fn resolve(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    // `.` and `..` first, by the names, so a missing folder on the way does not stop us.
    let mut absolute = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                absolute.pop();
            }
            Component::CurDir => {}
            other => absolute.push(other),
        }
    }
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        match name.to_str() {
            Some("..") => {
                resolved.pop();
            }
            Some(".") => {}
            _ => resolved.push(name),
        }
    }
    resolved
}

/// The output folder's marker file (device, inode): a folder deleted, restored or replaced
/// since a record was made has another.
pub fn marker_identity(out_dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(out_dir.join(MARKER)).ok()?;
    Some((meta.dev(), meta.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_output_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        for sub in ["content", "templates", "static"] {
            fs::create_dir_all(root.join(sub)).unwrap();
        }
        let refuse = |out: &Path, force| refuse_output(&root, out, force);
        assert_eq!(refuse(&root.join("public"), false), None);
        assert!(
            refuse(&root, false)
                .unwrap()
                .contains("holds the site itself")
        );
        assert!(
            refuse(dir.path(), true)
                .unwrap()
                .contains("holds the site itself"),
            "--force never allows it"
        );
        assert!(
            refuse(&root.join("content"), true)
                .unwrap()
                .contains("content/")
        );
        assert!(
            refuse(&root.join("static/out"), false)
                .unwrap()
                .contains("static/")
        );
        assert!(
            refuse(&root.join("public/../templates"), false)
                .unwrap()
                .contains("templates/")
        );
        assert!(refuse(Path::new("/"), true).is_some());
        // A folder of someone else's files needs --force; one chapar wrote does not.
        let other = root.join("docs");
        fs::create_dir_all(&other).unwrap();
        fs::write(other.join("notes.txt"), "mine").unwrap();
        assert!(refuse(&other, false).unwrap().contains("did not write"));
        assert_eq!(refuse(&other, true), None);
        fs::write(other.join(MARKER), "").unwrap();
        assert_eq!(refuse(&other, false), None);
    }
}
