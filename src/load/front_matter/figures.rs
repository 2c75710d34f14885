//! The front matter's key figures (`metrics`) and photo (`image`), checked field by field.

use serde_yaml::Value;

use super::describe;
use crate::load::yaml::Seg;
use crate::model::front_matter::{IMAGE_FIELDS, Image, METRIC_FIELDS, Metric};
use crate::persian::numbers::{Number, NumberError, parse_number};

impl super::Checker<'_> {
    pub(super) fn number(&mut self, v: &Value, at: &[Seg], name: &str) -> Option<Number> {
        let text = match v {
            // A float as Rust writes it, never in exponent form (`1e-18`), which is not how
            // anyone wrote it and `parse_number` rightly refuses.
            Value::Number(n) if n.is_f64() => {
                n.as_f64().map_or_else(|| n.to_string(), |f| f.to_string())
            }
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => {
                let message = format!("`{name}` must be a number, not {}", describe(other));
                self.error(
                    at,
                    message,
                    format!("write digits only, e.g. `{name}: 47` or `{name}: \"۴۷\"`"),
                );
                return None;
            }
        };
        match parse_number(&text) {
            Ok(n) => Some(n),
            Err(e) => {
                let hint = match e {
                    NumberError::MisplacedGrouping(_) => {
                        "for a fraction write the decimal separator `٫` or `.` (`2٫5`); group digits in threes (`1,234,567`) or not at all"
                    }
                    NumberError::NotANumber(_) => {
                        "write digits only; put the unit in `unit:` (e.g. `value: 47` and `unit: درصد`)"
                    }
                };
                self.error(at, format!("`{name}`: {e}"), hint);
                None
            }
        }
    }

    pub(super) fn metrics(&mut self, v: &Value) -> Vec<Metric> {
        let Value::Sequence(items) = v else {
            let message = format!("`metrics` must be a list, not {}", describe(v));
            self.error(
                &[Seg::Key("metrics")],
                message,
                "start each figure with `- label:` on its own line below `metrics:`",
            );
            return Vec::new();
        };
        let mut metrics = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = [Seg::Key("metrics"), Seg::Index(i)];
            let Value::Mapping(map) = item else {
                let message = format!(
                    "metric {} must be a set of fields (label, value, unit...), not {}",
                    i + 1,
                    describe(item)
                );
                self.error(
                    &at,
                    message,
                    "write `- label: ...` and, indented below it, `value: ...`",
                );
                continue;
            };
            self.unknown_keys(map, &METRIC_FIELDS, &at);
            let label = self.optional_text(map, "label", &at);
            let value = match map.get("value").filter(|v| !v.is_null()) {
                Some(v) => self.number(v, &[at[0], at[1], Seg::Key("value")], "value"),
                None => None,
            };
            for (field, present) in [
                ("label", map.contains_key("label")),
                ("value", map.contains_key("value")),
            ] {
                if !present {
                    self.error(
                        &at,
                        format!("metric {} has no `{field}`", i + 1),
                        format!("add `{field}:` to this metric"),
                    );
                }
            }
            let unit = self.optional_text(map, "unit", &at);
            let change = map
                .get("change")
                .filter(|v| !v.is_null())
                .and_then(|v| self.number(v, &[at[0], at[1], Seg::Key("change")], "change"));
            let period = self.optional_text(map, "period", &at);
            let good = self.optional_text(map, "good", &at);
            if let Some(g) = &good
                && g != "up"
                && g != "down"
            {
                self.error(&[at[0], at[1], Seg::Key("good")], format!("`good` must be `up` or `down`, not `{g}`"), "say which direction is good news: `good: down` for accidents, `good: up` for jobs");
            }
            if let (Some(label), Some(value)) = (label, value) {
                metrics.push(Metric {
                    label,
                    value,
                    unit,
                    change,
                    period,
                    good,
                });
            }
        }
        metrics
    }

    pub(super) fn image(&mut self, v: &Value) -> Option<Image> {
        let at = [Seg::Key("image")];
        let Value::Mapping(map) = v else {
            let message = format!(
                "`image` must be a set of fields (src, alt, caption), not {}",
                describe(v)
            );
            self.error(
                &at,
                message,
                "write `image: {src: images/photo.jpg, alt: \"...\"}`",
            );
            return None;
        };
        self.unknown_keys(map, &IMAGE_FIELDS, &at);
        let src = self.optional_text(map, "src", &at);
        let alt = self.optional_text(map, "alt", &at);
        let caption = self.optional_text(map, "caption", &at);
        if !map.contains_key("src") {
            self.error(
                &at,
                "`image` has no `src`",
                "add `src:` with the image's path under static/, e.g. `images/photo.jpg`",
            );
        }
        if !map.contains_key("alt") {
            self.error(
                &at,
                "`image` has no `alt` text",
                "add `alt:` describing the picture for readers who cannot see it",
            );
        }
        if let Some(src) = &src
            && (crate::load::sanitize::climbs_out(src)
                || !crate::load::sanitize::is_safe_url(src, true)
                || src.starts_with("data:"))
        {
            self.error(
                &[at[0], Seg::Key("src")],
                format!("image path `{src}` is not allowed"),
                "use a path under static/ such as `images/photo.jpg`, or an https:// address",
            );
            return None;
        }
        Some(Image {
            src: src?,
            alt: alt?,
            caption,
        })
    }
}
