//! The default theme, compiled into the binary so `chapar build` works on a folder that holds
//! only `content/` and `site.yaml`. A site's own `templates/` and `static/` files override
//! these by name.

/// Template name and source, from the repository's `templates/`.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "components.html",
        include_str!("../../../templates/components.html"),
    ),
    ("base.html", include_str!("../../../templates/base.html")),
    (
        "article.html",
        include_str!("../../../templates/article.html"),
    ),
    ("list.html", include_str!("../../../templates/list.html")),
    ("404.html", include_str!("../../../templates/404.html")),
    (
        "archive.html",
        include_str!("../../../templates/archive.html"),
    ),
    (
        "figures.html",
        include_str!("../../../templates/figures.html"),
    ),
    (
        "search.html",
        include_str!("../../../templates/search.html"),
    ),
    (
        "shortlink.html",
        include_str!("../../../templates/shortlink.html"),
    ),
    (
        "partials/card.html",
        include_str!("../../../templates/partials/card.html"),
    ),
    (
        "partials/pagination.html",
        include_str!("../../../templates/partials/pagination.html"),
    ),
    (
        "partials/metrics.html",
        include_str!("../../../templates/partials/metrics.html"),
    ),
    (
        "partials/chart.html",
        include_str!("../../../templates/partials/chart.html"),
    ),
];

/// The site's visible strings (labels, headings), kept in one file so a theme can change them.
pub const STRINGS_FILE: &str = "strings.yaml";
pub const STRINGS: &str = include_str!("../../../templates/strings.yaml");

/// Static files of the theme (path under `static/`, bytes).
pub const STATIC_FILES: &[(&str, &[u8])] = &[
    (
        "css/style.css",
        include_bytes!("../../../static/css/style.css"),
    ),
    ("favicon.svg", include_bytes!("../../../static/favicon.svg")),
    (
        "fonts/Vazirmatn-NL-Variable.woff2",
        include_bytes!("../../../static/fonts/Vazirmatn-NL-Variable.woff2"),
    ),
    (
        "fonts/Vazirmatn-OFL.txt",
        include_bytes!("../../../static/fonts/Vazirmatn-OFL.txt"),
    ),
];
