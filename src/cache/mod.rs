//! What is kept between builds: the codec every saved file is written with (`codec`), and
//! what a build whose state stays in memory (`serve`) keeps of its site.

pub mod codec;

use jiff::Timestamp;

use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::Fingerprint;
use crate::model::site::Site;

/// What a build whose state stays in memory keeps of its site for the next one.
pub struct LastBuild {
    pub site: Site,
    /// `Renderer::fingerprint` (templates, strings, settings): pages made with another are not
    /// the last build's.
    pub renderer: Fingerprint,
    pub include_drafts: bool,
    /// The earliest date of a release not yet published because it is dated later: from
    /// then on the site has another article.
    pub next_due: Option<Timestamp>,
    /// Each article's summary fingerprint, in site order.
    pub summaries: Vec<Fingerprint>,
    /// The release files found.
    pub files: usize,
    /// The last build's diagnostics: each file's own and those comparing files.
    pub diagnostics: Vec<Diagnostic>,
    /// Those comparing files (`load::duplicates`), also in `diagnostics`.
    pub cross_file: Vec<Diagnostic>,
}
