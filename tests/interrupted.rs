//! A build killed at any moment (SIGINT or SIGKILL) leaves the previous site exactly as it
//! was, or, if it got as far as the swap, the complete new site: never a mixture.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const RELEASES: usize = 400;

fn write_site(root: &Path, version: &str) {
    fs::create_dir_all(root.join("content")).unwrap();
    fs::copy(fixtures().join("broken/site.yaml"), root.join("site.yaml")).unwrap();
    for i in 1..=RELEASES {
        let body = format!(
            "نسخهٔ {version} این خبر.\n\n{}",
            "متن خبر با چند واژه. ".repeat(200)
        );
        let text = format!(
            "---\ntitle: خبر شمارهٔ {i}\nauthor: نویسنده {}\ndesk: provinces\ndate: 1402-07-{:02} 10:{:02}\nid: {i}\ntags: [برچسب {}]\n---\n{body}\n",
            i % 7,
            1 + i % 28,
            i % 60,
            i % 13
        );
        fs::write(root.join(format!("content/{i}.md")), text).unwrap();
    }
}

/// Every file of a folder and a hash of its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, u64> {
    files(dir)
        .into_iter()
        .map(|f| {
            let mut h = DefaultHasher::new();
            fs::read(dir.join(&f)).unwrap().hash(&mut h);
            (f, h.finish())
        })
        .collect()
}

fn build_with_binary(root: &Path) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_chapar"))
        .args(["build", "--root"])
        .arg(root)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    started.elapsed()
}

#[test]
fn a_killed_build_leaves_the_old_site_or_the_new_one() {
    // The two versions of the site, each built completely once, as references.
    let reference = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for version in ["الف", "ب"] {
        let dir = reference.path().join(version);
        write_site(&dir, version);
        build_with_binary(&dir);
        expected.push(snapshot(&dir.join("public")));
    }
    assert_ne!(expected[0], expected[1]);

    let site = tempfile::tempdir().unwrap();
    write_site(site.path(), "الف");
    let full = build_with_binary(site.path());
    let mut current = 0;
    let mut interrupted = 0;
    for round in 0..12 {
        // Switch the content to the other version, start a build, and kill it part way.
        let next = 1 - current;
        write_site(site.path(), ["الف", "ب"][next]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_chapar"))
            .args(["build", "--root"])
            .arg(site.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(round as f64 / 12.0));
        let signal = if round % 2 == 0 { "-KILL" } else { "-INT" };
        Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        if !status.success() {
            interrupted += 1;
        }
        let now = snapshot(&site.path().join("public"));
        if now == expected[next] {
            current = next;
        } else {
            assert_eq!(
                now, expected[current],
                "round {round}: public/ is neither the old site nor the new one"
            );
        }
    }
    assert!(
        interrupted >= 6,
        "only {interrupted} builds were interrupted"
    );
    // The next build cleans up what the killed ones left and succeeds.
    build_with_binary(site.path());
    let leftovers: Vec<String> = fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
