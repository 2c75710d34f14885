//! `chapar new` and `chapar init`: new releases and new newsrooms that build at once.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use jiff::Timestamp;

use crate::load::config;
use crate::load::{self, CONTENT_DIR};
use crate::model::config::SiteConfig;
use crate::persian::{PersianCalendar, slugify_or, to_latin_digits};

/// Creates `content/<desk>/<slug>.md` for a new release and returns its path. Never replaces
/// a file: a second release with the same title gets `-2`, `-3`, ...
pub fn new_release(
    root: &Path,
    title: &str,
    desk: &str,
    author: Option<&str>,
    now: Timestamp,
) -> Result<PathBuf> {
    let config = config::load(root).map_err(|problems| {
        anyhow::anyhow!(
            problems
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    let desk = config.desk(desk).with_context(|| {
        let known: Vec<&str> = config.desks.iter().map(|d| d.key.as_str()).collect();
        format!("unknown desk `{desk}`; the desks are {}", known.join(", "))
    })?;
    let author = author
        .map(str::to_string)
        .or_else(|| config.default_author.clone());
    if title.trim().is_empty() {
        bail!("the title is empty");
    }
    let id = next_free_id(root, &config, now);
    let date_text = jalali_now_text(&config, now);
    let author_line = match &author {
        Some(name) => format!("author: {}\n", yaml_string(name)),
        None => "author: نام نویسنده\n".to_string(),
    };
    let text = format!(
        "---\ntitle: {}\nlead: یک جمله که خبر را خلاصه می‌کند.\n{author_line}desk: {}\ndate: {date_text}\nid: {id}\ntags: []\n# The release's key figures, if it reports any:\n# metrics:\n#   - label: کاهش پرونده‌های حوادث کار\n#     value: 47\n#     unit: درصد\n#     change: -47\n#     good: down\ndraft: true\n---\nمتن خبر را این‌جا بنویسید.\n",
        yaml_string(title.trim()),
        desk.key
    );
    let dir = root.join(CONTENT_DIR).join(&desk.key);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let slug = slugify_or(title, &id.to_string());
    for n in 1.. {
        let (name, text) = if n == 1 {
            (format!("{slug}.md"), text.clone())
        } else {
            // The title's slug is taken: this release gets its own, so the site still builds.
            (
                format!("{slug}-{n}.md"),
                text.replacen("\nid: ", &format!("\nslug: {slug}-{n}\nid: "), 1),
            )
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
        }
    }
    unreachable!("some numbered name is free")
}

/// Today's codes follow the newsroom habit `YYYYMMDDnn` (Jalali date, then a counter); a site
/// whose codes already run past that continues from its highest code.
fn next_free_id(root: &Path, config: &SiteConfig, now: Timestamp) -> u64 {
    let loaded = load::load(
        load::find_releases(root),
        root,
        config,
        &load::Sources::default(),
        None,
        &|_, _| {},
    );
    let used: std::collections::HashSet<u64> = loaded.articles.iter().map(|a| a.front.id).collect();
    let highest = used.iter().copied().max().unwrap_or(0);
    let calendar = PersianCalendar::new(config.timezone.clone());
    let today = calendar
        .jalali_date(now)
        .map(|d| {
            u64::from(d.year as u32) * 1_000_000
                + u64::from(d.month) * 10_000
                + u64::from(d.day) * 100
        })
        .unwrap_or(0);
    let mut id = if highest >= today + 99 {
        highest + 1
    } else {
        today + 1
    };
    while used.contains(&id) {
        id += 1;
    }
    id
}

/// A YAML double-quoted string: headlines such as «مدیرکل: …» or «#…» stay text.
fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

const SITE_YAML: &str = "# The newsroom's settings; README.md explains every key.
title: روابط عمومی نمونه
description: خبرها و گزارش‌های روابط عمومی.
base_url: https://news.example.ir/
timezone: Asia/Tehran
page_size: 10
default_author: روابط عمومی
desks:
  - key: news
    name: خبرها
  - key: reports
    name: گزارش‌ها
";

/// Starts a newsroom in `dir`: `site.yaml` and one release, which build with the embedded
/// theme. Refuses a folder that already has a `site.yaml` or a `content/` folder.
pub fn init(dir: &Path, now: Timestamp) -> Result<Vec<PathBuf>> {
    if dir.join(config::CONFIG_FILE).exists() || dir.join(CONTENT_DIR).exists() {
        bail!(
            "{} already holds a site (site.yaml or content/); nothing was changed",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join(config::CONFIG_FILE), SITE_YAML)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let release = new_release(dir, "نخستین خبر روابط عمومی", "news", None, now)?;
    // The example is published, so the first build shows a page.
    let path = dir.join(&release);
    let text = std::fs::read_to_string(&path)?.replace("draft: true\n", "");
    std::fs::write(&path, text)?;
    Ok(vec![PathBuf::from(config::CONFIG_FILE), release])
}

/// Now as a Jalali date and time in the site's time zone, as `new` writes it: `1405-09-09 10:30`.
pub fn jalali_now_text(config: &SiteConfig, now: Timestamp) -> String {
    let calendar = PersianCalendar::new(config.timezone.clone());
    let date = calendar.zoned(now);
    let j = calendar
        .jalali_date(now)
        .map(|d| (d.year, d.month, d.day))
        .unwrap_or_default();
    to_latin_digits(&format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        j.0,
        j.1,
        j.2,
        date.hour(),
        date.minute()
    ))
}
