//! chapar's calendar (ICU4X) against an independent implementation: a table of Jalali ↔
//! Gregorian pairs over 1300–1500 AP written by `scripts/jalali_table.py` from `jdatetime`.

use chapar::persian::calendar::{JalaliDate, gregorian_to_jalali, jalali_to_gregorian};

#[test]
fn every_pair_of_the_jdatetime_table_matches_both_ways() {
    let table = include_str!("data/jalali-gregorian.csv");
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for line in table.lines().skip(1) {
        let (jalali, gregorian) = line.split_once(',').expect("two columns");
        let parts: Vec<i32> = jalali.split('-').map(|p| p.parse().unwrap()).collect();
        let expected_jalali = JalaliDate {
            year: parts[0],
            month: parts[1] as u8,
            day: parts[2] as u8,
        };
        let greg: jiff::civil::Date = gregorian.parse().unwrap();

        let forward = jalali_to_gregorian(parts[0] as i16, parts[1] as i8, parts[2] as i8);
        if forward.as_ref().ok() != Some(&greg) {
            mismatches.push(format!(
                "{jalali} → {forward:?}, jdatetime says {gregorian}"
            ));
        }
        let backward = gregorian_to_jalali(greg);
        if backward != Some(expected_jalali) {
            mismatches.push(format!(
                "{gregorian} → {backward:?}, jdatetime says {jalali}"
            ));
        }
        checked += 1;
    }
    assert!(checked >= 10_000, "only {checked} pairs");
    assert!(
        mismatches.is_empty(),
        "{} of {checked} pairs differ:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}
