//! The geometry of a release's key-figures chart: bars laid out right to left, sized from
//! the figures, with their values formatted. The SVG itself is drawn by the theme's
//! `partials/chart.html`, so its words and colours stay in the theme.
//!
//! A release gets a chart when at least one figure has a `change` (one bar per change, its
//! length the size of the change) or, failing that, when two or more figures share a unit
//! (one bar per figure, lengths in proportion).

use serde::Serialize;

use crate::model::front_matter::Metric;
use crate::persian::NumberFormatter;

/// The drawing's width in SVG units; it scales to the page.
const WIDTH: f64 = 400.0;
/// The longest bar.
const BAR_SPACE: f64 = 300.0;
const ROW_HEIGHT: f64 = 54.0;
const BAR_HEIGHT: f64 = 18.0;

#[derive(Debug, Serialize)]
pub struct Chart {
    /// `change` or `compare`.
    pub kind: &'static str,
    pub width: f64,
    pub height: f64,
    pub rows: Vec<ChartRow>,
}

#[derive(Debug, Serialize)]
pub struct ChartRow {
    pub label: String,
    /// The value as readers see it (`‎−۴۷٪`, `۱۶۵٬۰۰۰ نفر`).
    pub value: String,
    /// Baseline of the label.
    pub label_y: f64,
    pub bar_x: f64,
    pub bar_y: f64,
    pub bar_width: f64,
    pub bar_height: f64,
    /// Where the value is written: just left of the bar.
    pub value_x: f64,
    pub value_y: f64,
    /// `good`, `bad` or `neutral`: whether the change is good news, from the figure's `good`.
    pub tone: &'static str,
}

pub fn chart(metrics: &[Metric], numbers: &NumberFormatter) -> Option<Chart> {
    let changes: Vec<&Metric> = metrics.iter().filter(|m| m.change.is_some()).collect();
    if !changes.is_empty() {
        // Bars in proportion to the size of the change; 100% fills the space, bigger changes
        // scale the rest down.
        let largest = changes
            .iter()
            .filter_map(|m| m.change.as_ref())
            .map(|c| c.as_f64().abs())
            .fold(100.0, f64::max);
        let rows = changes.iter().enumerate().map(|(i, m)| {
            let change = m.change.as_ref().map_or(0.0, |c| c.as_f64());
            let tone = match (m.good.as_deref(), change.partial_cmp(&0.0)) {
                (Some("up"), Some(std::cmp::Ordering::Greater))
                | (Some("down"), Some(std::cmp::Ordering::Less)) => "good",
                (Some(_), Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Less)) => "bad",
                _ => "neutral",
            };
            let value = m
                .change
                .as_ref()
                .map(|c| numbers.format_signed_percent(c))
                .unwrap_or_default();
            row(i, &m.label, value, change.abs() / largest, tone)
        });
        return Some(finish("change", rows.collect()));
    }
    // The largest group of figures in one unit.
    let mut units: Vec<Option<&str>> = metrics.iter().map(|m| m.unit.as_deref()).collect();
    units.sort();
    units.dedup();
    let (unit, group) = units
        .into_iter()
        .map(|u| {
            (
                u,
                metrics
                    .iter()
                    .filter(|m| m.unit.as_deref() == u)
                    .collect::<Vec<_>>(),
            )
        })
        .max_by_key(|(_, g)| g.len())?;
    if group.len() < 2 {
        return None;
    }
    let largest = group.iter().map(|m| m.value.as_f64()).fold(0.0, f64::max);
    if largest <= 0.0 {
        return None;
    }
    let rows = group.iter().enumerate().map(|(i, m)| {
        let number = numbers.format_words(&m.value, 1_000_000.0);
        let value = match unit {
            Some(u) => format!("{number} {u}"),
            None => number,
        };
        row(
            i,
            &m.label,
            value,
            m.value.as_f64().max(0.0) / largest,
            "neutral",
        )
    });
    Some(finish("compare", rows.collect()))
}

fn row(i: usize, label: &str, value: String, share: f64, tone: &'static str) -> ChartRow {
    let top = i as f64 * ROW_HEIGHT;
    // At least a sliver, so a small figure is still seen to be there.
    let bar_width = (share * BAR_SPACE).max(2.0);
    let bar_x = WIDTH - bar_width;
    ChartRow {
        label: label.to_string(),
        value,
        label_y: top + 18.0,
        bar_x: round(bar_x),
        bar_y: top + 26.0,
        bar_width: round(bar_width),
        bar_height: BAR_HEIGHT,
        value_x: round(bar_x - 8.0),
        value_y: top + 26.0 + BAR_HEIGHT - 4.0,
        tone,
    }
}

fn finish(kind: &'static str, rows: Vec<ChartRow>) -> Chart {
    Chart {
        kind,
        width: WIDTH,
        height: rows.len() as f64 * ROW_HEIGHT,
        rows,
    }
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persian::numbers::parse_number;

    fn metric(
        label: &str,
        value: &str,
        unit: Option<&str>,
        change: Option<&str>,
        good: Option<&str>,
    ) -> Metric {
        Metric {
            label: label.into(),
            value: parse_number(value).unwrap(),
            unit: unit.map(Into::into),
            change: change.map(|c| parse_number(c).unwrap()),
            period: None,
            good: good.map(Into::into),
        }
    }

    #[test]
    fn changes_make_a_change_chart_with_tones() {
        let numbers = NumberFormatter::new();
        let metrics = [
            metric("حوادث", "47", Some("درصد"), Some("-47"), Some("down")),
            metric("اشتغال", "1", Some("رتبه"), None, None),
            metric("وام", "3100", Some("تومان"), Some("104"), Some("down")),
        ];
        let c = chart(&metrics, &numbers).unwrap();
        assert_eq!(c.kind, "change");
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.rows[0].tone, "good", "a fall where down is good");
        assert_eq!(c.rows[1].tone, "bad");
        assert_eq!(c.rows[0].value, "\u{200e}−۴۷٪");
        // 104% is the largest change: it fills the space and 47% is in proportion.
        assert_eq!(c.rows[1].bar_width, BAR_SPACE);
        assert!((c.rows[0].bar_width - BAR_SPACE * 47.0 / 104.0).abs() < 0.1);
        assert_eq!(
            c.rows[0].bar_x + c.rows[0].bar_width,
            WIDTH,
            "bars start at the right"
        );
    }

    #[test]
    fn figures_in_one_unit_make_a_comparison() {
        let numbers = NumberFormatter::new();
        let metrics = [
            metric("الف", "165000", Some("نفر"), None, None),
            metric("ب", "42000", Some("نفر"), None, None),
            metric("ج", "19000000000", Some("تومان"), None, None),
        ];
        let c = chart(&metrics, &numbers).unwrap();
        assert_eq!(c.kind, "compare");
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.rows[0].value, "۱۶۵٬۰۰۰ نفر");
        assert_eq!(c.rows[0].bar_width, BAR_SPACE);
        assert!(
            chart(&metrics[2..], &numbers).is_none(),
            "one figure alone needs no chart"
        );
        assert!(chart(&[], &numbers).is_none());
    }
}
