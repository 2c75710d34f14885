//! The theme's stylesheet, published under a name that carries a hash of its bytes
//! (`css/style.1a2b3c4d.css`), so hosts can let browsers cache it for a year: a changed
//! stylesheet gets a new name.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::theme;

/// Where the stylesheet is found: under the site's `static/` or the embedded theme.
pub const STYLESHEET_SOURCE: &str = "css/style.css";

pub struct Stylesheet {
    /// The published path, relative to the site root.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The site's own `static/css/style.css` if it has one, else the theme's.
pub fn stylesheet(static_dir: &Path) -> std::io::Result<Stylesheet> {
    let own = static_dir.join(STYLESHEET_SOURCE);
    let bytes = if own.is_file() {
        std::fs::read(own)?
    } else {
        theme::STATIC_FILES
            .iter()
            .find(|(name, _)| *name == STYLESHEET_SOURCE)
            .map(|(_, bytes)| bytes.to_vec())
            .unwrap_or_default()
    };
    let digest = Sha256::digest(&bytes);
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    Ok(Stylesheet {
        path: format!("css/style.{hash}.css"),
        bytes,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_name_follows_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let embedded = super::stylesheet(dir.path()).unwrap();
        assert!(
            embedded.path.starts_with("css/style.")
                && embedded.path.len() == "css/style.12345678.css".len()
        );
        std::fs::create_dir_all(dir.path().join("css")).unwrap();
        std::fs::write(dir.path().join("css/style.css"), "body{}").unwrap();
        let own = super::stylesheet(dir.path()).unwrap();
        assert_eq!(own.bytes, b"body{}");
        assert_ne!(own.path, embedded.path);
    }
}
