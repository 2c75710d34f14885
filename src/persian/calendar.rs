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
}

impl JalaliFormat {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "long" => JalaliFormat::Long,
            "weekday" => JalaliFormat::Weekday,
            "datetime" => JalaliFormat::DateTime,
            "short" => JalaliFormat::Short,
            _ => return None,
        })
    }
}

/// The site's calendar: its time zone and the ICU4X formatters, built once per build.
pub struct PersianCalendar {
    tz: TimeZone,
    long: FixedCalendarDateTimeFormatter<Persian, YMD>,
    weekday: FixedCalendarDateTimeFormatter<Persian, YMDE>,
}

impl PersianCalendar {
    pub fn new(tz: TimeZone) -> Self {
        let long = FixedCalendarDateTimeFormatter::try_new(locale!("fa").into(), YMD::long())
            .expect("the `fa` Persian calendar data is compiled into ICU4X");
        let weekday = FixedCalendarDateTimeFormatter::try_new(locale!("fa").into(), YMDE::long())
            .expect("the `fa` Persian calendar data is compiled into ICU4X");
        PersianCalendar { tz, long, weekday }
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
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
        let date = self.persian_date(&self.zoned(ts))?;
        Some(JalaliDate {
            year: date.year().extended_year(),
            month: date.month().ordinal,
            day: date.day_of_month().0,
        })
    }

    pub fn format(&self, ts: Timestamp, format: JalaliFormat) -> String {
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
            JalaliFormat::Short => to_persian_digits(&format!(
                "{:04}/{:02}/{:02}",
                date.year().extended_year(),
                date.month().ordinal,
                date.day_of_month().0
            )),
        }
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
}
