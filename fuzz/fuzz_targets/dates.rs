//! Jalali and Gregorian dates as editors write them.
#![no_main]

use chapar::persian::calendar::{gregorian_to_jalali, jalali_to_gregorian, parse_datetime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let tz = jiff::tz::TimeZone::get("Asia/Tehran").unwrap();
        if let Ok(ts) = parse_datetime(text, &tz) {
            let date = ts.to_zoned_datetime(tz).date();
            if let Some(j) = gregorian_to_jalali(date) {
                // Round trip.
                assert_eq!(jalali_to_gregorian(j.year as i16, j.month as i8, j.day as i8).ok(), Some(date));
            }
        }
    }
});
