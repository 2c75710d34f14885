//! The build state file beside the output folder: an edit appends the records it changed to
//! it, many edits get it written whole again, and a file cut short gives a full build of the
//! same site, never a wrong one. (The unit tests in `build` cut it everywhere.)

mod common;

use std::fs;
use std::path::Path;

use common::*;

const RELEASES: usize = 40;

fn release(id: usize, sentence: &str) -> String {
    format!(
        "---\ntitle: خبر شمارهٔ {id}\nauthor: نویسنده {}\ndesk: economy\ndate: 1402-07-{:02} 10:00\nid: {}\ntags: [برچسب {}]\n---\nمتن خبر {id}.\n\n{sentence}\n",
        id % 3,
        1 + id % 28,
        2000 + id,
        id % 5
    )
}

/// The basic fixture with `RELEASES` more releases.
fn newsroom() -> tempfile::TempDir {
    let dir = site("basic");
    for id in 0..RELEASES {
        let path = dir.path().join(format!("content/economy/n{id}.md"));
        fs::write(path, release(id, "جملهٔ نخست.")).unwrap();
    }
    dir
}

/// Where the state file's record frames end: the first of the numbers in its last 40 bytes
/// (see `BuildState::decode`).
fn records_end(state: &[u8]) -> usize {
    let at = state.len() - 40;
    u64::from_le_bytes(state[at..at + 8].try_into().unwrap()) as usize
}

/// The state file's inode: an append keeps it, a file written whole is another one.
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).unwrap().ino()
}

/// Every file of an output folder with its bytes.
fn contents(out: &Path) -> Vec<(String, Vec<u8>)> {
    files(out)
        .into_iter()
        .map(|rel| {
            let bytes = fs::read(out.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

#[test]
fn an_edit_appends_to_the_state_file_and_many_edits_get_it_written_whole_again() {
    let dir = newsroom();
    let root = dir.path();
    let state_path = root.join(".public.state");
    assert!(build(root).succeeded);
    let first = fs::read(&state_path).unwrap();
    let releases = build(root).files;

    let mut previous = first.clone();
    let mut previous_inode = inode(&state_path);
    let (mut appended, mut rewritten) = (0, false);
    for round in 0..80 {
        let id = round % 7;
        let path = root.join(format!("content/economy/n{id}.md"));
        fs::write(&path, release(id, &format!("جملهٔ تازهٔ {round}."))).unwrap();
        let report = build(root);
        assert!(report.succeeded, "round {round}");
        assert_eq!(report.parsed, 1, "round {round}: the state was read");
        let state = fs::read(&state_path).unwrap();
        let kept = records_end(&previous);
        if inode(&state_path) == previous_inode {
            // Appended: the frames before are untouched.
            assert_eq!(state[..kept], previous[..kept], "round {round}");
            assert!(
                state.len() < previous.len() + previous.len() / 2,
                "round {round}"
            );
            appended += 1;
        } else {
            rewritten = true;
        }
        previous_inode = inode(&state_path);
        assert!(
            state.len() < 3 * first.len(),
            "round {round}: {} bytes, {} at first",
            state.len(),
            first.len()
        );
        previous = state;
    }
    assert!(appended >= 60, "{appended} of 80 edits appended");
    assert!(rewritten, "the file was never written whole again");
    let report = build(root);
    assert_eq!((report.parsed, report.files), (0, releases));
}

#[test]
fn a_state_file_cut_short_gives_a_full_build_of_the_same_site() {
    let dir = newsroom();
    let root = dir.path();
    let state_path = root.join(".public.state");
    assert!(build(root).succeeded);
    // One edit, so that the file holds frames left behind as well.
    let edited = root.join("content/economy/n3.md");
    fs::write(&edited, release(3, "جملهٔ دیگر.")).unwrap();
    assert!(build(root).succeeded);
    let site = contents(&root.join("public"));
    let whole = fs::read(&state_path).unwrap();
    let records = records_end(&whole);
    for cut in [0, 60, records / 2, records, records + 1, whole.len() - 1] {
        fs::write(&state_path, &whole[..cut]).unwrap();
        let report = build(root);
        assert!(report.succeeded, "cut at {cut}");
        assert_eq!(report.parsed, report.files, "cut at {cut}: a full build");
        assert_eq!(contents(&root.join("public")), site, "cut at {cut}");
        // The next build reads what this one wrote.
        assert_eq!(build(root).parsed, 0, "cut at {cut}");
    }
}
