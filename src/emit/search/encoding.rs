//! The compact text form of posting lists. Each number is written in base 32, least
//! significant digit first, one character per digit: a digit that is not the last is drawn
//! from the second half of a 64-character URL-safe alphabet, the last from the first half.
//! So numbers below 32 take one character, below 1,024 two. Nothing needs escaping in JSON.
//!
//! A posting list is the pairs (gap to the previous article number, weight), article numbers
//! ascending; the first gap is the first number itself. `decodePostings` in
//! `static/js/search.js` reads it back.

const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVabcdefghijklmnopqrstuvwxyz-_WXYZ";

pub fn push_number(out: &mut String, mut n: u32) {
    while n >= 32 {
        out.push(ALPHABET[32 + (n & 31) as usize] as char);
        n >>= 5;
    }
    out.push(ALPHABET[n as usize] as char);
}

/// `postings`: (article number, weight), numbers strictly ascending.
pub fn encode_postings(postings: impl ExactSizeIterator<Item = (u32, u8)>) -> String {
    let mut out = String::with_capacity(postings.len() * 2);
    let mut previous = 0;
    for (number, weight) in postings {
        push_number(&mut out, number - previous);
        push_number(&mut out, u32::from(weight));
        previous = number;
    }
    out
}

/// The numbers `push_number` wrote into `text`; `None` if it holds anything else (a
/// character outside the alphabet, a number left unfinished or past `u32`).
pub fn decode_numbers(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::with_capacity(text.len());
    let (mut value, mut shift) = (0u32, 0u32);
    for c in text.bytes() {
        let digit = DIGITS[c as usize];
        if digit == NOT_A_DIGIT {
            return None;
        }
        let part = u32::from(digit & 31).checked_shl(shift)?;
        if shift > 0 && part >> shift != u32::from(digit & 31) {
            return None;
        }
        value |= part;
        if digit >= 32 {
            shift += 5;
        } else {
            out.push(value);
            (value, shift) = (0, 0);
        }
    }
    (shift == 0).then_some(out)
}

const NOT_A_DIGIT: u8 = u8::MAX;

/// Each byte's place in `ALPHABET`.
const DIGITS: [u8; 256] = {
    let mut digits = [NOT_A_DIGIT; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        digits[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    digits
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let numbers = [0, 1, 31, 32, 33, 1023, 1024, 99_999, u32::MAX];
        let mut text = String::new();
        for n in numbers {
            push_number(&mut text, n);
        }
        assert_eq!(decode_numbers(&text).unwrap(), numbers);
        let mut small = String::new();
        push_number(&mut small, 31);
        assert_eq!(small.len(), 1);
        // Not this form: another character, an unfinished number, one past u32.
        for bad in ["1!", "W", "_____________"] {
            assert_eq!(decode_numbers(bad), None, "{bad}");
        }
    }

    #[test]
    fn postings_are_gaps_and_weights() {
        let text = encode_postings([(3, 10), (4, 1), (40, 31)].into_iter());
        assert_eq!(decode_numbers(&text).unwrap(), [3, 10, 1, 1, 36, 31]);
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
