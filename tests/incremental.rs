//! Incremental builds give the same site as clean ones. A newsroom of generated releases goes
//! through a seeded series of random edits, additions, deletions, broken files, settings,
//! template and static-file changes; after each, the incremental build (with its state in a
//! file, as `build` keeps it, and in memory, as `serve` does) must equal a clean build byte
//! for byte, and an edit must not parse or render more than it affects.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chapar::commands::pipeline::{BuildOptions, BuildReport, BuildState, build, build_with};
use common::*;

const RELEASES: usize = 30;
const ROUNDS: usize = 60;

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone)]
struct Release {
    title: String,
    desk: &'static str,
    day: usize,
    hour: usize,
    tags: Vec<String>,
    draft: bool,
    /// A digit in the body: changing it keeps the file's size.
    version: u32,
    /// The key figure's value: it shows on the article's page, not in the search index.
    figure: u32,
    paragraphs: usize,
}

impl Release {
    fn text(&self, id: usize) -> String {
        let tags = self.tags.join(", ");
        let body = (0..self.paragraphs)
            .map(|p| format!("بند {p} از خبر {id}، نسخهٔ {}.", self.version))
            .collect::<Vec<_>>()
            .join("\n\n");
        format!(
            "---\ntitle: {}\nauthor: نویسنده {}\ndesk: {}\ndate: 1402-07-{:02} {:02}:00\nid: {}\ntags: [{tags}]\ndraft: {}\nmetrics:\n  - label: شاخص {id}\n    value: {}\n---\n{body}\n",
            self.title,
            id % 4,
            self.desk,
            self.day,
            self.hour,
            1000 + id,
            self.draft,
            self.figure
        )
    }
}

struct Newsroom {
    root: PathBuf,
    releases: Vec<Option<Release>>,
    rng: Rng,
    /// Every file gets its own modification time, well in the past: the incremental build
    /// must notice changes by the time (and size), as it does for editors' saves.
    clock: u64,
    /// Release files written or deleted since `take_touched`, as `serve`'s watcher reports.
    touched: Vec<PathBuf>,
}

const DESKS: [&str; 3] = ["provinces", "economy", "society"];
const TAGS: [&str; 6] = ["ایمنی", "اشتغال", "بیمه", "آموزش", "سلامت", "ورزش"];

impl Newsroom {
    fn new(root: &Path) -> Newsroom {
        let mut room = Newsroom {
            root: root.to_path_buf(),
            releases: Vec::new(),
            rng: Rng(0x9E37_79B9_7F4A_7C15),
            clock: 0,
            touched: Vec::new(),
        };
        room.write_config("نخستین توضیح");
        for _ in 0..RELEASES {
            let release = room.random_release();
            room.releases.push(Some(release));
            room.save(room.releases.len() - 1);
        }
        room
    }

    fn touch(&mut self, path: &Path) {
        self.clock += 1;
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000 + self.clock);
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }

    fn take_touched(&mut self) -> Vec<PathBuf> {
        std::mem::take(&mut self.touched)
    }

    fn write(&mut self, rel: &str, text: &str) {
        self.touched.push(PathBuf::from(rel));
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        self.touch(&path);
    }

    fn write_config(&mut self, description: &str) {
        let config = format!(
            "title: خبرگزاری آزمایشی\ndescription: {description}\nbase_url: https://news.example.ir/\npage_size: 3\ndesks:\n{}",
            DESKS
                .iter()
                .map(|d| format!("  - key: {d}\n    name: گروه {d}\n"))
                .collect::<String>()
        );
        self.write("site.yaml", &config);
    }

    fn random_release(&mut self) -> Release {
        let n = self.rng.below(1000);
        let tags = (0..1 + self.rng.below(3))
            .map(|_| TAGS[self.rng.below(TAGS.len())].to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        Release {
            title: format!("خبر آزمایشی شمارهٔ {n}"),
            desk: DESKS[self.rng.below(DESKS.len())],
            day: 1 + self.rng.below(28),
            hour: self.rng.below(24),
            tags,
            draft: self.rng.below(10) == 0,
            version: 1,
            figure: 1,
            paragraphs: 1 + self.rng.below(4),
        }
    }

    fn path(id: usize) -> String {
        format!("content/{id}.md")
    }

    fn save(&mut self, id: usize) {
        let text = self.releases[id].as_ref().unwrap().text(id);
        self.write(&Self::path(id), &text);
    }

    fn some_release(&mut self) -> usize {
        loop {
            let id = self.rng.below(self.releases.len());
            if self.releases[id].is_some() {
                return id;
            }
        }
    }

    /// Makes one random change; returns what it was, for failure messages.
    fn change(&mut self) -> String {
        let id = self.some_release();
        let release = self.releases[id].as_mut().unwrap();
        let what = match self.rng.below(12) {
            0 | 1 => {
                release.version = (release.version + 1) % 10;
                "body, same size"
            }
            2 => {
                release.paragraphs += 1;
                "body, longer"
            }
            3 => {
                release.title.push_str(" (اصلاحیه)");
                "title (and so the address)"
            }
            4 => {
                release.tags = vec![TAGS[(id + release.tags.len()) % TAGS.len()].to_string()];
                "tags"
            }
            5 => {
                release.day = 1 + (release.day + 13) % 28;
                "date"
            }
            6 => {
                release.draft = !release.draft;
                "draft"
            }
            7 => {
                release.desk =
                    DESKS[(DESKS.iter().position(|d| *d == release.desk).unwrap() + 1) % 3];
                "desk"
            }
            8 => {
                self.releases[id] = None;
                fs::remove_file(self.root.join(Self::path(id))).unwrap();
                self.touched.push(PathBuf::from(Self::path(id)));
                return format!("deleted {id}");
            }
            9 => {
                let release = self.random_release();
                self.releases.push(Some(release));
                let id = self.releases.len() - 1;
                self.save(id);
                return format!("added {id}");
            }
            10 => {
                let n = self.rng.below(100);
                self.write_config(&format!("توضیح شمارهٔ {n}"));
                return "site.yaml".into();
            }
            _ => {
                if self.root.join("static/extra.txt").exists() {
                    fs::remove_file(self.root.join("static/extra.txt")).unwrap();
                    self.write("templates/strings.yaml", &format!("home: صفحهٔ نخست {id}\n"));
                    return "static file removed, strings changed".into();
                }
                self.write("static/extra.txt", "پیوست");
                return "static file added".into();
            }
        };
        self.save(id);
        format!("{what} of {id}")
    }
}

fn options(root: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        out_dir: Some(out.to_path_buf()),
        now: Some(now()),
        ..BuildOptions::new(root)
    }
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .map(|f| {
            let bytes = fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn assert_same_site(incremental: &Path, clean: &Path, context: &str) {
    assert_same_files(incremental, clean, context, |_| true);
}

/// As `assert_same_site`, for the files `compared` accepts.
fn assert_same_files(
    incremental: &Path,
    clean: &Path,
    context: &str,
    compared: impl Fn(&str) -> bool,
) {
    let only = |mut files: BTreeMap<String, Vec<u8>>| {
        files.retain(|path, _| compared(path));
        files
    };
    let (got, want) = (only(snapshot(incremental)), only(snapshot(clean)));
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    let differ: Vec<&String> = want
        .iter()
        .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{context}: {} missing {missing:?}, {} extra {extra:?}, {} differ {differ:?}",
        missing.len(),
        extra.len(),
        differ.len()
    );
}

/// A newsroom in a temporary folder, built once into its `public/`.
fn built_newsroom() -> (tempfile::TempDir, Newsroom, PathBuf) {
    let site = tempfile::tempdir().unwrap();
    let room = Newsroom::new(site.path());
    let out = site.path().join("public");
    assert!(build(&options(site.path(), &out)).unwrap().succeeded);
    (site, room, out)
}

fn clean_build(root: &Path) -> (tempfile::TempDir, BuildReport) {
    let dir = tempfile::tempdir().unwrap();
    let report = build(&options(root, &dir.path().join("public"))).unwrap();
    (dir, report)
}

#[test]
fn random_edits_give_the_same_site_as_clean_builds() {
    let site = tempfile::tempdir().unwrap();
    let mut room = Newsroom::new(site.path());
    let out = site.path().join("public");
    let memory_out = site.path().join("memory");
    let mut memory = BuildState::default();

    let first = build(&options(site.path(), &out)).unwrap();
    assert!(first.succeeded, "{:#?}", first.diagnostics);
    build_with(&options(site.path(), &memory_out), &mut memory, None).unwrap();
    room.take_touched();

    let no_change = build(&options(site.path(), &out)).unwrap();
    assert_eq!(
        (
            no_change.parsed,
            no_change.written.made,
            no_change.written.written
        ),
        (0, 0, 0),
        "a rebuild with nothing changed parses, makes and writes nothing"
    );

    for round in 0..ROUNDS {
        let what = room.change();
        let context = format!("round {round} ({what})");
        let report = build(&options(site.path(), &out)).unwrap();
        assert!(report.succeeded, "{context}: {:#?}", report.diagnostics);
        if what.contains(" of ") {
            assert_eq!(
                report.parsed, 1,
                "{context}: only the edited file is parsed"
            );
        }
        // As `serve` does: told by the watcher which releases changed, the pages first, the
        // files made from the whole site right after.
        let pages_first = BuildOptions {
            defer_whole_site: true,
            changed: Some(room.take_touched()),
            ..options(site.path(), &memory_out)
        };
        let pages_report = build_with(&pages_first, &mut memory, None).unwrap();
        assert!(pages_report.succeeded, "{context}");
        if what.starts_with("body") || what.starts_with("title") {
            assert!(
                pages_report.only_touched_pages,
                "{context}: an edit that moves no release in the site renders only the pages showing it"
            );
        }
        let (clean, clean_report) = clean_build(site.path());
        assert!(clean_report.succeeded);
        let clean_out = clean.path().join("public");
        assert_same_files(
            &memory_out,
            &clean_out,
            &format!("{context}, pages first"),
            |path| {
                !chapar::emit::is_whole_site_file(path)
                    && !chapar::emit::search::is_index_file(path)
                    && !path.ends_with("rss.xml")
                    && !path.ends_with("atom.xml")
            },
        );
        let whole_site = BuildOptions {
            changed: Some(Vec::new()),
            ..options(site.path(), &memory_out)
        };
        let in_memory = build_with(&whole_site, &mut memory, None).unwrap();
        assert!(in_memory.succeeded);
        assert_same_site(&out, &clean_out, &format!("{context}, state file"));
        assert_same_site(
            &memory_out,
            &clean_out,
            &format!("{context}, state in memory"),
        );
        if what.starts_with("body") {
            assert!(
                report.written.written * 4 < clean_report.written.written,
                "{context}: {} of {} files written",
                report.written.written,
                clean_report.written.written
            );
        }
    }
}

#[test]
fn a_broken_file_keeps_the_site_and_its_fix_is_picked_up() {
    let (site, mut room, out) = built_newsroom();
    let before = snapshot(&out);

    let id = room.some_release();
    let good = room.releases[id].as_ref().unwrap().text(id);
    room.write(
        &Newsroom::path(id),
        &good.replacen("date: ", "date: not a date ", 1),
    );
    let broken = build(&options(site.path(), &out)).unwrap();
    assert!(!broken.succeeded);
    assert_eq!(snapshot(&out), before, "a failed build changes nothing");

    room.releases[id].as_mut().unwrap().version = 7;
    room.save(id);
    let fixed = build(&options(site.path(), &out)).unwrap();
    assert!(fixed.succeeded, "{:#?}", fixed.diagnostics);
    let (clean, _) = clean_build(site.path());
    assert_same_site(&out, &clean.path().join("public"), "after the fix");
}

#[test]
fn a_deleted_or_damaged_state_means_a_clean_build() {
    let (site, mut room, out) = built_newsroom();
    let state = BuildState::path(&out);
    assert!(state.is_file());

    fs::write(&state, b"not a state").unwrap();
    let id = room.some_release();
    room.releases[id].as_mut().unwrap().paragraphs += 2;
    room.save(id);
    let report = build(&options(site.path(), &out)).unwrap();
    assert!(report.succeeded);
    assert_eq!(report.parsed, report.files, "everything parsed again");
    let (clean, _) = clean_build(site.path());
    assert_same_site(&out, &clean.path().join("public"), "damaged state");

    // Output deleted behind chapar's back: the record no longer describes it.
    fs::remove_dir_all(&out).unwrap();
    assert!(build(&options(site.path(), &out)).unwrap().succeeded);
    assert_same_site(&out, &clean.path().join("public"), "output deleted");
}

#[test]
fn open_data_is_not_copied_from_a_file_changed_by_hand() {
    // A rebuild copies the records of unchanged articles from the previous articles.json:
    // bytes changed there since (keeping the file's size) must not reach the new one.
    let (site, mut room, out) = built_newsroom();
    let data = out.join("data/articles.json");
    let text = fs::read_to_string(&data).unwrap();
    // The first letter of every title (all Persian, two bytes each) becomes another.
    let mut tampered = String::with_capacity(text.len());
    for (i, piece) in text.split("\"title\": \"").enumerate() {
        if i > 0 {
            tampered.push_str("\"title\": \"");
            let mut chars = piece.chars();
            if chars.next().is_some_and(|c| c.len_utf8() == 2) {
                tampered.push('ژ');
                tampered.push_str(chars.as_str());
                continue;
            }
        }
        tampered.push_str(piece);
    }
    assert_eq!(tampered.len(), text.len(), "the test keeps the size");
    assert_ne!(tampered, text);
    fs::write(&data, tampered).unwrap();

    let id = room.some_release();
    room.releases[id].as_mut().unwrap().paragraphs += 1;
    room.save(id);
    assert!(build(&options(site.path(), &out)).unwrap().succeeded);
    let (clean, _) = clean_build(site.path());
    assert_same_site(
        &out,
        &clean.path().join("public"),
        "articles.json changed by hand",
    );
}

#[test]
fn what_a_rebuild_learns_is_remembered() {
    let (site, mut room, out) = built_newsroom();
    let state = BuildState::path(&out);

    // A release touched, its bytes unchanged: not parsed, and its new time is kept, so the
    // state changes.
    let before = fs::read(&state).unwrap();
    let path = site.path().join(Newsroom::path(0));
    room.touch(&path);
    let touched = build(&options(site.path(), &out)).unwrap();
    assert_eq!((touched.parsed, touched.written.made), (0, 0));
    let after = fs::read(&state).unwrap();
    assert!(after != before, "the new time is recorded");

    // A key figure edited: the article changes, its search document does not. The index is
    // kept, and the next build knows the document without remaking anything.
    let id = room.some_release();
    room.releases[id].as_mut().unwrap().figure = 7;
    room.save(id);
    let edited = build(&options(site.path(), &out)).unwrap();
    assert_eq!(edited.parsed, 1);
    // The documents file is read (and written again) only when the index is remade.
    let documents = site.path().join(".public.search");
    fs::remove_file(&documents).unwrap();
    let next = build(&options(site.path(), &out)).unwrap();
    assert_eq!((next.parsed, next.written.made), (0, 0));
    assert!(
        !documents.exists(),
        "the index is not remade after an edit that left the search documents alone"
    );
    let (clean, _) = clean_build(site.path());
    assert_same_site(&out, &clean.path().join("public"), "key figure edited");
}

/// `serve`'s pages-first build of an edit that moves no release in the site still gives the
/// diagnostics that compare files: a title that makes another release's slug warns, and
/// putting it back clears the warning.
#[test]
fn an_edit_applied_to_the_last_site_keeps_the_diagnostics_comparing_files() {
    let site = tempfile::tempdir().unwrap();
    let mut room = Newsroom::new(site.path());
    let out = site.path().join("memory");
    let mut memory = BuildState::default();
    assert!(
        build_with(&options(site.path(), &out), &mut memory, None)
            .unwrap()
            .succeeded
    );
    room.take_touched();
    let slug_warnings = |report: &BuildReport| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("is already used by"))
            .count()
    };
    let pages_first = |room: &mut Newsroom, memory: &mut BuildState| {
        let options = BuildOptions {
            defer_whole_site: true,
            changed: Some(room.take_touched()),
            ..options(site.path(), &out)
        };
        let report = build_with(&options, memory, None).unwrap();
        assert!(report.succeeded && report.only_touched_pages);
        report
    };
    let (a, b) = (0, 1);
    let (title_a, title_b) = (
        room.releases[a].as_ref().unwrap().title.clone(),
        room.releases[b].as_ref().unwrap().title.clone(),
    );
    room.releases[b].as_mut().unwrap().title = title_a;
    room.save(b);
    assert_eq!(slug_warnings(&pages_first(&mut room, &mut memory)), 1);
    room.releases[b].as_mut().unwrap().title = title_b;
    room.save(b);
    assert_eq!(slug_warnings(&pages_first(&mut room, &mut memory)), 0);
}
