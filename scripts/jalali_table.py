#!/usr/bin/env python3
"""Writes tests/data/jalali-gregorian.csv: Jalali/Gregorian date pairs from an independent
implementation (the PyPI package `jdatetime`), for chapar's differential calendar test.

    pip install jdatetime==6.1.1
    python3 scripts/jalali_table.py

Pairs cover 1300-01-01 to 1500-12-end AP: every 7th day, plus the first and last day of
every month (leap days, Nowruz, Esfand 29/30)."""

import csv
import datetime
import pathlib

import jdatetime

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "jalali-gregorian.csv"


def month_length(year, month):
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


def main():
    start = jdatetime.date(1300, 1, 1).togregorian()
    end = jdatetime.date(1500, 12, month_length(1500, 12)).togregorian()
    days = set()
    day = start
    while day <= end:
        days.add(day)
        day += datetime.timedelta(days=7)
    for year in range(1300, 1501):
        for month in range(1, 13):
            days.add(jdatetime.date(year, month, 1).togregorian())
            days.add(jdatetime.date(year, month, month_length(year, month)).togregorian())
    with OUT.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["jalali", "gregorian"])
        for g in sorted(days):
            j = jdatetime.date.fromgregorian(date=g)
            writer.writerow([f"{j.year:04}-{j.month:02}-{j.day:02}", g.isoformat()])
    print(f"wrote {len(days)} pairs to {OUT}")


if __name__ == "__main__":
    main()
