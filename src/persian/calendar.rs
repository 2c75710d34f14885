//! The Jalali (Solar Hijri) calendar: parsing the dates editors write and formatting dates
//! for readers. ICU4X does the calendar arithmetic and the formatting; jiff does time zones
//! (Iran observed daylight saving time until 2022, so the offset is not a constant).

use icu_calendar::cal::Persian;
use icu_calendar::{Date, Iso};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{YMD, YMDE};
use icu_locale::locale;
use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime as Zoned};

use super::digits::{to_latin_digits, to_persian_digits};

/// Years below this are read as Jalali years, years from it on as Gregorian ones. Jalali
/// 1700 is Gregorian 2321, and Gregorian 1700 predates any press release.
const FIRST_GREGORIAN_YEAR: i16 = 1700;

/// Parses a date as editors write it: ISO 8601 Gregorian (`2023-10-01`, `2023-10-01 10:30`,
/// `2023-10-01T10:30:00+03:30`) or numeric Jalali (`1402-07-09`, `1402/07/09 10:30`,
/// `۱۴۰۲/۰۷/۰۹ ۱۰:۳۰`). Without an offset the time is read in `tz`; without a time, midnight.
pub fn parse_datetime(text: &str, tz: &TimeZone) -> Result<Timestamp, String> {
    let latin = to_latin_digits(text.trim());
    if latin.chars().any(is_arabic_script) {
        return parse_named_month(text, &latin, tz);
    }
    let (date_part, rest) = match latin.find(['T', ' ']) {
        Some(i) => (&latin[..i], latin[i + 1..].trim()),
        None => (latin.as_str(), ""),
    };
    let (year, month, day) = parse_ymd(date_part)
        .ok_or_else(|| format!("`{text}` is not a date in the form YYYY-MM-DD"))?;
    let (time, offset) = parse_time_and_offset(rest).ok_or_else(|| {
        format!("`{text}` has a time that is not in the form HH:MM, HH:MM:SS or HH:MM+03:30")
    })?;
    let date = if year < FIRST_GREGORIAN_YEAR {
        jalali_to_gregorian(year, month, day)?
    } else {
        civil::Date::new(year, month, day).map_err(|_| {
            format!("`{text}` does not exist in the Gregorian calendar: check the month and day")
        })?
    };
    let datetime = date.to_datetime(time);
    let result = match offset {
        Some(offset) => offset.to_timestamp(datetime),
        None => tz.to_timestamp(datetime),
    };
    result.map_err(|e| format!("`{text}` is out of range: {e}"))
}

/// The Jalali month names, Farvardin first.
pub const MONTHS: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];

/// Weekday names, Monday first (ISO order, as `jiff::civil::Weekday` numbers them from 1).
const WEEKDAYS: [&str; 7] = [
    "دوشنبه",
    "سه‌شنبه",
    "چهارشنبه",
    "پنجشنبه",
    "جمعه",
    "شنبه",
    "یکشنبه",
];

fn is_arabic_script(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// Folds spellings of one name: Arabic ي/ك, ZWNJ or space inside a name, "پنج‌شنبه".
fn fold_name(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '\u{200C}' | ' '))
        .map(|c| match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            c => c,
        })
        .collect()
}

/// `۹ مهر ۱۴۰۲`, optionally after a weekday (`یکشنبه ۹ مهر ۱۴۰۲`, which must match) and
/// followed by a time (`۹ مهر ۱۴۰۲، ساعت ۱۰:۳۰`, `۹ مهر ۱۴۰۲ 10:30+03:30`).
fn parse_named_month(original: &str, latin: &str, tz: &TimeZone) -> Result<Timestamp, String> {
    let shape =
        || format!("`{original}` is not a date: write it like `۹ مهر ۱۴۰۲` or `۹ مهر ۱۴۰۲ ۱۰:۳۰`");
    let cleaned = latin.replace(['،', ','], " ");
    let mut words: Vec<&str> = cleaned
        .split_whitespace()
        .filter(|w| *w != "ساعت")
        .collect();
    let weekday = match words.first() {
        Some(w) if WEEKDAYS.iter().any(|d| fold_name(d) == fold_name(w)) => {
            let w = words.remove(0);
            WEEKDAYS.iter().position(|d| fold_name(d) == fold_name(w))
        }
        _ => None,
    };
    let [day, month, year, rest @ ..] = words.as_slice() else {
        return Err(shape());
    };
    let day = parse_fixed(day, 1, 2).ok_or_else(shape)?;
    let month = MONTHS
        .iter()
        .position(|m| {
            fold_name(m) == fold_name(month) || (fold_name(month) == "امرداد" && *m == "مرداد")
        })
        .ok_or_else(|| {
            format!(
                "`{month}` is not a Jalali month name ({})",
                MONTHS.join("، ")
            )
        })?;
    let year = parse_fixed(year, 4, 4).ok_or_else(shape)?;
    let (time, offset) = parse_time_and_offset(&rest.join("")).ok_or_else(shape)?;
    let date = jalali_to_gregorian(year as i16, month as i8 + 1, day as i8)?;
    if let Some(expected) = weekday {
        let actual = date.weekday().to_monday_one_offset() as usize - 1;
        if actual != expected {
            return Err(format!(
                "`{original}`: {day} {} {year} is a {}, not a {}",
                MONTHS[month], WEEKDAYS[actual], WEEKDAYS[expected]
            ));
        }
    }
    let datetime = date.to_datetime(time);
    match offset {
        Some(offset) => offset.to_timestamp(datetime),
        None => tz.to_timestamp(datetime),
    }
    .map_err(|e| format!("`{original}` is out of range: {e}"))
}

fn parse_ymd(text: &str) -> Option<(i16, i8, i8)> {
    let sep = if text.contains('/') { '/' } else { '-' };
    let mut parts = text.split(sep);
    let year = parse_fixed(parts.next()?, 4, 4)?;
    let month = parse_fixed(parts.next()?, 1, 2)?;
    let day = parse_fixed(parts.next()?, 1, 2)?;
    if parts.next().is_some() {
        return None;
    }
    Some((year as i16, month as i8, day as i8))
}

fn parse_fixed(text: &str, min_len: usize, max_len: usize) -> Option<u32> {
    let ok = (min_len..=max_len).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse().ok()).flatten()
}

/// `10:30`, `10:30:00`, `10:30:00.5`, each optionally followed by `Z` or `±HH:MM`/`±HHMM`,
/// or an empty string for midnight.
fn parse_time_and_offset(text: &str) -> Option<(civil::Time, Option<Offset>)> {
    if text.is_empty() {
        return Some((civil::Time::midnight(), None));
    }
    let (time_text, offset) = split_offset(text)?;
    let mut parts = time_text.trim().split(':');
    let hour = parse_fixed(parts.next()?, 1, 2)?;
    let minute = parse_fixed(parts.next()?, 2, 2)?;
    let second = match parts.next() {
        Some(s) => parse_fixed(s.split('.').next()?, 2, 2)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let time = civil::Time::new(hour as i8, minute as i8, second as i8, 0).ok()?;
    Some((time, offset))
}

fn split_offset(text: &str) -> Option<(&str, Option<Offset>)> {
    if let Some(time) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return Some((time, Some(Offset::UTC)));
    }
    let Some(i) = text.rfind(['+', '-']) else {
        return Some((text, None));
    };
    let sign = if text[i..].starts_with('-') { -1 } else { 1 };
    let digits: String = text[i + 1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    let offset = Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()?;
    Some((&text[..i], Some(offset)))
}

/// Converts a Jalali date to the Gregorian calendar, explaining dates that do not exist.
pub fn jalali_to_gregorian(year: i16, month: i8, day: i8) -> Result<civil::Date, String> {
    let shown = format!("{year:04}-{month:02}-{day:02}");
    if !(1..=12).contains(&month) {
        return Err(format!(
            "the Jalali date {shown} does not exist: months run from 1 to 12"
        ));
    }
    let month_days = jalali_month_length(year, month);
    if day < 1 || day as u8 > month_days {
        let why = if month == 12 && day == 30 {
            format!("{year} is not a leap year, so Esfand has 29 days")
        } else {
            format!("month {month} of {year} has {month_days} days")
        };
        return Err(format!("the Jalali date {shown} does not exist: {why}"));
    }
    let jalali = Date::try_new_persian(year as i32, month as u8, day as u8)
        .map_err(|e| format!("the Jalali date {shown} does not exist: {e}"))?;
    let iso = jalali.to_calendar(Iso);
    civil::Date::new(
        iso.year().extended_year() as i16,
        iso.month().ordinal as i8,
        iso.day_of_month().0 as i8,
    )
    .map_err(|e| format!("the Jalali date {shown} is out of range: {e}"))
}

/// The Jalali date of a Gregorian date.
pub fn gregorian_to_jalali(date: civil::Date) -> Option<JalaliDate> {
    let iso =
        Date::try_new_iso(i32::from(date.year()), date.month() as u8, date.day() as u8).ok()?;
    let jalali = iso.to_calendar(Persian::new());
    Some(JalaliDate {
        year: jalali.year().extended_year(),
        month: jalali.month().ordinal,
        day: jalali.day_of_month().0,
    })
}

/// Days in a Jalali month: 31 in the first six, 30 in the next five, 29 or 30 in Esfand.
pub fn jalali_month_length(year: i16, month: i8) -> u8 {
    match month {
        1..=6 => 31,
        7..=11 => 30,
        _ => Date::try_new_persian(year as i32, 12, 1)
            .map(|d| d.days_in_month())
            .unwrap_or(29),
    }
}

/// A Jalali date in parts, as listings and archives need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JalaliDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// How a date is shown to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JalaliFormat {
    /// `۹ مهر ۱۴۰۲`
    Long,
    /// `یکشنبه ۹ مهر ۱۴۰۲`
    Weekday,
    /// `۹ مهر ۱۴۰۲، ساعت ۱۰:۳۰`
    DateTime,
    /// `۱۴۰۲/۰۷/۰۹`
    Short,
    /// `۳ ساعت پیش`, relative to the build's "now"; for the dev server (it changes with time).
    Relative,
}

impl JalaliFormat {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "long" => JalaliFormat::Long,
            "weekday" => JalaliFormat::Weekday,
            "datetime" => JalaliFormat::DateTime,
            "short" => JalaliFormat::Short,
            "relative" => JalaliFormat::Relative,
            _ => return None,
        })
    }
}

/// The site's calendar: its time zone and the ICU4X formatters, built once per build.
pub struct PersianCalendar {
    tz: TimeZone,
    /// The moment `Relative` dates are relative to.
    now: Timestamp,
    long: FixedCalendarDateTimeFormatter<Persian, YMD>,
    weekday: FixedCalendarDateTimeFormatter<Persian, YMDE>,
}

impl PersianCalendar {
    pub fn new(tz: TimeZone) -> Self {
        Self::at(tz, Timestamp::now())
    }

    /// A calendar whose relative dates count from `now`.
    pub fn at(tz: TimeZone, now: Timestamp) -> Self {
        let long = FixedCalendarDateTimeFormatter::try_new(locale!("fa").into(), YMD::long())
            .expect("the `fa` Persian calendar data is compiled into ICU4X");
        let weekday = FixedCalendarDateTimeFormatter::try_new(locale!("fa").into(), YMDE::long())
            .expect("the `fa` Persian calendar data is compiled into ICU4X");
        PersianCalendar {
            tz,
            now,
            long,
            weekday,
        }
    }

    /// The moment as a wall-clock time in the site's time zone.
    pub fn zoned(&self, ts: Timestamp) -> Zoned {
        ts.to_zoned_datetime(self.tz.clone())
    }

    fn persian_date(&self, zoned: &Zoned) -> Option<Date<Persian>> {
        let d = zoned.date();
        let iso = Date::try_new_iso(d.year() as i32, d.month() as u8, d.day() as u8).ok()?;
        Some(iso.to_calendar(Persian::new()))
    }

    /// The Jalali date of a moment, in the site's time zone.
    pub fn jalali_date(&self, ts: Timestamp) -> Option<JalaliDate> {
        gregorian_to_jalali(self.zoned(ts).date())
    }

    /// `مهر ۱۴۰۲` for a Jalali year and month. (CLDR's year-month pattern for `fa` puts the
    /// year first, `۱۴۰۲ مهر`; Persian newsrooms title archives month first.)
    pub fn month_name(&self, year: i32, month: u8) -> String {
        match MONTHS.get(usize::from(month).wrapping_sub(1)) {
            Some(name) => format!("{name} {}", to_persian_digits(&year.to_string())),
            None => to_persian_digits(&format!("{year}/{month:02}")),
        }
    }

    pub fn format(&self, ts: Timestamp, format: JalaliFormat) -> String {
        if format == JalaliFormat::Relative {
            return self.relative(ts);
        }
        let zoned = self.zoned(ts);
        let Some(date) = self.persian_date(&zoned) else {
            return to_persian_digits(&zoned.date().to_string());
        };
        match format {
            JalaliFormat::Long => self.long.format(&date).to_string(),
            JalaliFormat::Weekday => self.weekday.format(&date).to_string(),
            JalaliFormat::DateTime => format!(
                "{}، ساعت {}",
                self.long.format(&date),
                to_persian_digits(&format!("{:02}:{:02}", zoned.hour(), zoned.minute()))
            ),
            JalaliFormat::Relative => unreachable!("handled above"),
            JalaliFormat::Short => to_persian_digits(&format!(
                "{:04}/{:02}/{:02}",
                date.year().extended_year(),
                date.month().ordinal,
                date.day_of_month().0
            )),
        }
    }
}

impl PersianCalendar {
    /// `همین حالا`, `۵ دقیقه پیش`, `۳ ساعت پیش`, `۲ روز پیش`, `۳ ساعت دیگر`; a week or more
    /// away, the long date.
    fn relative(&self, ts: Timestamp) -> String {
        let seconds = self.now.as_second() - ts.as_second();
        let (amount, future) = (seconds.unsigned_abs(), seconds < 0);
        let (count, unit) = match amount {
            0..60 => return "همین حالا".to_string(),
            60..3600 => (amount / 60, "دقیقه"),
            3600..86400 => (amount / 3600, "ساعت"),
            86400..604800 => (amount / 86400, "روز"),
            _ => return self.format(ts, JalaliFormat::Long),
        };
        let direction = if future { "دیگر" } else { "پیش" };
        format!(
            "{} {unit} {direction}",
            to_persian_digits(&count.to_string())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tehran() -> TimeZone {
        TimeZone::get("Asia/Tehran").unwrap()
    }

    fn parse(s: &str) -> Result<String, String> {
        parse_datetime(s, &tehran()).map(|t| t.to_string())
    }

    #[test]
    fn parses_gregorian_iso_dates() {
        assert_eq!(parse("2023-10-01").unwrap(), "2023-09-30T20:30:00Z");
        assert_eq!(parse("2023-10-01 10:30").unwrap(), "2023-10-01T07:00:00Z");
        assert_eq!(
            parse("2023-10-01T10:30:00Z").unwrap(),
            "2023-10-01T10:30:00Z"
        );
        assert_eq!(
            parse("2023-10-01T10:30:00+03:30").unwrap(),
            "2023-10-01T07:00:00Z"
        );
        assert_eq!(
            parse("2023-10-01T10:30-0100").unwrap(),
            "2023-10-01T11:30:00Z"
        );
    }

    #[test]
    fn parses_numeric_jalali_dates() {
        assert_eq!(parse("1402-07-09").unwrap(), "2023-09-30T20:30:00Z");
        assert_eq!(parse("1402/07/09 10:30").unwrap(), "2023-10-01T07:00:00Z");
        assert_eq!(parse("۱۴۰۲/۰۷/۰۹ ۱۰:۳۰").unwrap(), "2023-10-01T07:00:00Z");
    }

    #[test]
    fn explains_dates_that_do_not_exist() {
        let err = parse("1402-12-30").unwrap_err();
        assert!(err.contains("1402 is not a leap year"), "{err}");
        assert!(parse("1403-12-30").is_ok(), "1403 is a leap year");
        assert!(parse("2023-02-29").unwrap_err().contains("Gregorian"));
        assert!(
            parse("1402-13-01")
                .unwrap_err()
                .contains("months run from 1 to 12")
        );
        assert!(parse("1402-07-31").unwrap_err().contains("has 30 days"));
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "",
            "yesterday",
            "2023-10",
            "23-10-01",
            "2023-10-01 25:00",
            "2023-10-01 10",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn tehran_observed_daylight_saving_before_2023() {
        // Summer 2021: +04:30; summer 2023 (after the 2022 abolition): +03:30.
        assert_eq!(parse("2021-07-01 12:00").unwrap(), "2021-07-01T07:30:00Z");
        assert_eq!(parse("2023-07-01 12:00").unwrap(), "2023-07-01T08:30:00Z");
    }

    #[test]
    fn formats_in_the_jalali_calendar_with_persian_digits() {
        let cal = PersianCalendar::new(tehran());
        let ts = parse_datetime("1402-07-09 10:30", &tehran()).unwrap();
        assert_eq!(cal.format(ts, JalaliFormat::Long), "۹ مهر ۱۴۰۲");
        assert_eq!(cal.format(ts, JalaliFormat::Weekday), "یکشنبه ۹ مهر ۱۴۰۲");
        assert_eq!(
            cal.format(ts, JalaliFormat::DateTime),
            "۹ مهر ۱۴۰۲، ساعت ۱۰:۳۰"
        );
        assert_eq!(cal.format(ts, JalaliFormat::Short), "۱۴۰۲/۰۷/۰۹");
        assert_eq!(
            cal.jalali_date(ts),
            Some(JalaliDate {
                year: 1402,
                month: 7,
                day: 9
            })
        );
    }

    #[test]
    fn midnight_in_tehran_is_the_previous_day_in_utc() {
        let cal = PersianCalendar::new(tehran());
        // 22:00 UTC on 2023-09-30 is 01:30 on 1 October in Tehran: 9 Mehr.
        let ts: Timestamp = "2023-09-30T22:00:00Z".parse().unwrap();
        assert_eq!(cal.format(ts, JalaliFormat::Short), "۱۴۰۲/۰۷/۰۹");
    }

    fn greg(y: i16, m: i8, d: i8) -> String {
        jalali_to_gregorian(y, m, d)
            .map(|d| d.to_string())
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn leap_years() {
        for (year, leap) in [
            (1399, true),
            (1400, false),
            (1401, false),
            (1402, false),
            (1403, true),
            (1404, false),
        ] {
            assert_eq!(jalali_month_length(year, 12) == 30, leap, "{year}");
        }
        assert_eq!(greg(1399, 12, 30), "2021-03-20");
        assert_eq!(greg(1403, 12, 30), "2025-03-20");
        assert!(greg(1400, 12, 30).contains("1400 is not a leap year"));
    }

    #[test]
    fn first_and_last_day_of_every_month_of_1402() {
        // 1402: Farvardin 1 is 2023-03-21; months of 31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 29.
        let expected = [
            ("2023-03-21", "2023-04-20"),
            ("2023-04-21", "2023-05-21"),
            ("2023-05-22", "2023-06-21"),
            ("2023-06-22", "2023-07-22"),
            ("2023-07-23", "2023-08-22"),
            ("2023-08-23", "2023-09-22"),
            ("2023-09-23", "2023-10-22"),
            ("2023-10-23", "2023-11-21"),
            ("2023-11-22", "2023-12-21"),
            ("2023-12-22", "2024-01-20"),
            ("2024-01-21", "2024-02-19"),
            ("2024-02-20", "2024-03-19"),
        ];
        for (i, (first, last)) in expected.iter().enumerate() {
            let month = i as i8 + 1;
            assert_eq!(greg(1402, month, 1), *first, "1402-{month}-01");
            assert_eq!(
                greg(1402, month, jalali_month_length(1402, month) as i8),
                *last,
                "last of 1402-{month}"
            );
            assert!(
                greg(1402, month, jalali_month_length(1402, month) as i8 + 1)
                    .contains("does not exist")
            );
        }
    }

    #[test]
    fn around_nowruz() {
        assert_eq!(greg(1402, 12, 29), "2024-03-19");
        assert_eq!(greg(1403, 1, 1), "2024-03-20");
        assert_eq!(greg(1403, 12, 30), "2025-03-20");
        assert_eq!(greg(1404, 1, 1), "2025-03-21");
        let cal = PersianCalendar::new(tehran());
        // Tehran is ahead of UTC, so midnight of Nowruz 1403 is 20:30 UTC the day before.
        let nowruz: Timestamp = "2024-03-19T20:30:00Z".parse().unwrap();
        assert_eq!(cal.format(nowruz, JalaliFormat::Long), "۱ فروردین ۱۴۰۳");
        let before: Timestamp = "2024-03-19T20:29:59Z".parse().unwrap();
        assert_eq!(cal.format(before, JalaliFormat::Long), "۲۹ اسفند ۱۴۰۲");
    }

    #[test]
    fn daylight_saving_in_formatting() {
        // 2021-06-30 20:00 UTC was 00:30 on 10 Tir 1400 in Tehran (+04:30), but would be
        // 23:30 on 9 Tir with a fixed +03:30.
        let cal = PersianCalendar::new(tehran());
        let ts: Timestamp = "2021-06-30T20:00:00Z".parse().unwrap();
        assert_eq!(
            cal.format(ts, JalaliFormat::DateTime),
            "۱۰ تیر ۱۴۰۰، ساعت ۰۰:۳۰"
        );
    }

    #[test]
    fn parses_month_names() {
        assert_eq!(parse("۹ مهر ۱۴۰۲").unwrap(), "2023-09-30T20:30:00Z");
        assert_eq!(parse("9 مهر 1402 10:30").unwrap(), "2023-10-01T07:00:00Z");
        assert_eq!(
            parse("۹ مهر ۱۴۰۲، ساعت ۱۰:۳۰").unwrap(),
            "2023-10-01T07:00:00Z"
        );
        assert_eq!(parse("یکشنبه ۹ مهر ۱۴۰۲").unwrap(), "2023-09-30T20:30:00Z");
        assert_eq!(
            parse("يكشنبه ۹ مهر ۱۴۰۲").unwrap(),
            "2023-09-30T20:30:00Z",
            "Arabic yeh and kaf"
        );
        assert_eq!(
            parse("۱ امرداد ۱۴۰۲").unwrap(),
            parse("۱ مرداد ۱۴۰۲").unwrap()
        );
        assert_eq!(
            parse("۹ مهر ۱۴۰۲ 10:30+00:00").unwrap(),
            "2023-10-01T10:30:00Z"
        );
        let wrong_day = parse("دوشنبه ۹ مهر ۱۴۰۲").unwrap_err();
        assert!(
            wrong_day.contains("is a یکشنبه, not a دوشنبه"),
            "{wrong_day}"
        );
        assert!(
            parse("۹ مهرماه ۱۴۰۲")
                .unwrap_err()
                .contains("not a Jalali month name")
        );
        assert!(
            parse("۳۰ اسفند ۱۴۰۲")
                .unwrap_err()
                .contains("1402 is not a leap year")
        );
        assert!(parse("مهر ۱۴۰۲").is_err());
    }

    #[test]
    fn names_months_and_relative_times() {
        let now: Timestamp = "2023-10-01T10:00:00Z".parse().unwrap();
        let cal = PersianCalendar::at(tehran(), now);
        assert_eq!(cal.month_name(1402, 7), "مهر ۱۴۰۲");
        assert_eq!(cal.month_name(1403, 12), "اسفند ۱۴۰۳");
        let ago = |s: i64| {
            cal.format(
                Timestamp::from_second(now.as_second() - s).unwrap(),
                JalaliFormat::Relative,
            )
        };
        assert_eq!(ago(30), "همین حالا");
        assert_eq!(ago(5 * 60), "۵ دقیقه پیش");
        assert_eq!(ago(3 * 3600 + 59), "۳ ساعت پیش");
        assert_eq!(ago(2 * 86400), "۲ روز پیش");
        assert_eq!(ago(-3 * 3600), "۳ ساعت دیگر");
        assert_eq!(ago(30 * 86400), "۱۰ شهریور ۱۴۰۲");
    }
}
