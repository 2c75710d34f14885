//! The filters templates use to show dates and numbers in Persian. Each captures formatters
//! built once per build (ICU4X formatters are costly to build, cheap to use).

use std::sync::Arc;

use jiff::Timestamp;
use tera::{Error, Kwargs, State, Tera, TeraResult, Value};

use crate::persian::numbers::parse_number;
use crate::persian::{JalaliFormat, NumberFormatter, PersianCalendar, to_persian_digits};

pub fn register(tera: &mut Tera, calendar: Arc<PersianCalendar>, numbers: Arc<NumberFormatter>) {
    tera.register_filter("fa_digits", |v: Value, _: Kwargs, _: &State| {
        to_persian_digits(&value_text(&v))
    });

    let n = numbers.clone();
    tera.register_filter("fa_number", move |v: Value, _: Kwargs, _: &State| {
        with_number(&v, |x| n.format(x))
    });
    let n = numbers.clone();
    tera.register_filter("fa_percent", move |v: Value, _: Kwargs, _: &State| {
        with_number(&v, |x| n.format_percent(x))
    });
    let n = numbers.clone();
    tera.register_filter("fa_signed", move |v: Value, _: Kwargs, _: &State| {
        with_number(&v, |x| n.format_signed(x))
    });
    // `{{ 19000000000 | fa_words }}` → `۱۹ میلیارد`; `min` is the smallest number put in words.
    let n = numbers;
    tera.register_filter(
        "fa_words",
        move |v: Value, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let min: f64 = kwargs.get("min")?.unwrap_or(1_000_000.0);
            Ok(with_number(&v, |x| n.format_words(x, min)))
        },
    );

    tera.register_filter(
        "jalali",
        move |v: Value, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let name: &str = kwargs.get("format")?.unwrap_or("long");
            let format = JalaliFormat::from_name(name).ok_or_else(|| {
                Error::message(format!(
                    "jalali: unknown format `{name}`; use long, weekday, datetime or short"
                ))
            })?;
            let text = value_text(&v);
            let ts: Timestamp = text
                .parse()
                .map_err(|e| Error::message(format!("jalali: `{text}` is not a timestamp: {e}")))?;
            Ok(calendar.format(ts, format))
        },
    );
}

fn value_text(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.to_string(),
        None => v.to_string(),
    }
}

/// Formats a number given as a number or as text; text that is not a number only gets its
/// digits converted, so a theme never fails on an odd value.
fn with_number(v: &Value, format: impl Fn(&crate::persian::numbers::Number) -> String) -> String {
    let text = value_text(v);
    match parse_number(&text) {
        Ok(n) => format(&n),
        Err(_) => to_persian_digits(&text),
    }
}
