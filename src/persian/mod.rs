//! Everything specific to the Persian language, in one place: digits, numbers, the Jalali
//! calendar, slugs. Pure functions; no other module hard-codes Persian characters.

pub mod bidi;
pub mod calendar;
pub mod digits;
pub mod folding;
pub mod numbers;
pub mod slug;
pub mod typography;
pub mod words;

pub use calendar::{JalaliFormat, PersianCalendar};
pub use digits::{to_latin_digits, to_persian_digits};
pub use numbers::{NumberFormatter, parse_number};
pub use slug::{slugify, slugify_or};
