//! Serde helper for the long texts of a release (title, lead, slug, first paragraph), read back
//! from the build state. Postcard stores a string and a byte string alike, so they are read
//! as bytes and checked with simdutf8: the standard library checks Persian text a character
//! at a time, and checking the build state's strings was a twentieth of an edit's build of
//! 10,000 releases. (Short strings gain nothing: simdutf8 leaves those to the standard
//! library.) Human-readable formats (JSON) read a string as usual; a binary format that told
//! strings from bytes would need its own branch here. An optional field that uses
//! `option::deserialize` also needs `#[serde(default)]`, or a format that leaves out a
//! missing field would refuse it.

use serde::Deserializer;
use serde::de::{Error, Visitor};

struct Text;

impl<'de> Visitor<'de> for Text {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("text")
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<String, E> {
        match simdutf8::basic::from_utf8(v) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
        }
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    if d.is_human_readable() {
        d.deserialize_string(Text)
    } else {
        d.deserialize_bytes(Text)
    }
}

/// For an optional long text.
pub mod option {
    use serde::Deserializer;
    use serde::de::{Error, Visitor};

    struct MaybeText;

    impl<'de> Visitor<'de> for MaybeText {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("text or nothing")
        }

        fn visit_none<E: Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_unit<E: Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_option(MaybeText)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Release {
        #[serde(deserialize_with = "super::deserialize")]
        title: String,
        #[serde(default, deserialize_with = "super::option::deserialize")]
        lead: Option<String>,
        #[serde(default, deserialize_with = "super::option::deserialize")]
        slug: Option<String>,
        id: u64,
    }

    #[test]
    fn long_texts_read_back_as_they_were_written_in_binary_and_in_json() {
        let release = Release {
            title: "کاهش ۴۷ درصدی حوادث ناشی از کار در استان ".repeat(5),
            lead: Some("«سطر اول»\nو سطر دوم".into()),
            slug: None,
            id: 7,
        };
        let bytes = postcard::to_stdvec(&release).unwrap();
        assert_eq!(postcard::from_bytes::<Release>(&bytes).unwrap(), release);
        let json = serde_json::to_string(&release).unwrap();
        assert_eq!(serde_json::from_str::<Release>(&json).unwrap(), release);
        // A missing optional text is none.
        let without: Release =
            serde_json::from_str(r#"{"title": "x", "lead": null, "id": 7}"#).unwrap();
        assert_eq!(without.slug, None);
    }

    #[test]
    fn a_damaged_text_is_refused() {
        let release = Release {
            title: "خبر".repeat(40),
            lead: Some("سطر".into()),
            slug: Some("x".into()),
            id: 7,
        };
        let mut bytes = postcard::to_stdvec(&release).unwrap();
        // The title's length takes two bytes; its first letter's first byte becomes a lone
        // continuation byte.
        bytes[2] = 0x80;
        assert!(postcard::from_bytes::<Release>(&bytes).is_err());
    }
}
