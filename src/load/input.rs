//! Every file an editor gives chapar (site.yaml, templates, strings, releases) is read the
//! same way: opened without waiting (a named pipe would stall the build until something
//! wrote to it), refused unless it is a regular file (a device such as `/dev/zero` would be
//! read for ever), and read up to a limit (a huge or sparse file would fill the memory).

use std::io::Read;
use std::path::Path;

/// The most bytes of `site.yaml`, a template or the strings: far more than any needs.
pub const MAX_SETTINGS_BYTES: u64 = 1024 * 1024;

/// The bytes of the regular file at `path`, at most `limit` of them; `what` names the kind
/// of file in the messages ("a release", "the site settings"). The error says what is wrong,
/// in a sentence for a diagnostic.
pub fn read_regular(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let flags =
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::CLOEXEC;
    let file = rustix::fs::open(path, flags, rustix::fs::Mode::empty())
        .map(std::fs::File::from)
        .map_err(|e| format!("cannot read the file: {}", std::io::Error::from(e)))?;
    let metadata = file
        .metadata()
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if !metadata.is_file() {
        return Err(format!(
            "this is not a regular file; {what} must be a text file"
        ));
    }
    let megabytes = |n: u64| n.div_ceil(1024 * 1024);
    let size = metadata.len();
    if size > limit {
        return Err(format!(
            "the file is {} MB; {what} may be at most {} MB",
            megabytes(size),
            megabytes(limit)
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // At most one byte past the limit, in case the file grew since it was measured.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "the file grew past {} MB while it was read",
            megabytes(limit)
        ));
    }
    Ok(bytes)
}

/// `read_regular` as UTF-8 text (with the position of a bad byte in the message).
pub fn read_text(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    let bytes = read_regular(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("the file is not UTF-8 text (a bad byte at offset {at}); save it as UTF-8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_devices_folders_and_large_files_are_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        let not_regular = "this is not a regular file; the site settings must be a text file";
        assert_eq!(
            read_regular(&fifo, 10, "the site settings").unwrap_err(),
            not_regular
        );
        assert_eq!(
            read_regular(Path::new("/dev/zero"), 10, "the site settings").unwrap_err(),
            not_regular
        );
        assert_eq!(
            read_regular(dir.path(), 10, "the site settings").unwrap_err(),
            not_regular
        );
        let big = dir.path().join("big");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(3 * 1024 * 1024).unwrap();
        assert_eq!(
            read_regular(&big, MAX_SETTINGS_BYTES, "a template").unwrap_err(),
            "the file is 3 MB; a template may be at most 1 MB"
        );
        let small = dir.path().join("small");
        std::fs::write(&small, "title: x\n").unwrap();
        assert_eq!(read_text(&small, 100, "x").unwrap(), "title: x\n");
        std::fs::write(&small, b"a\xffb").unwrap();
        assert!(
            read_text(&small, 100, "x")
                .unwrap_err()
                .contains("offset 1")
        );
    }
}
