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

#[cfg(test)]
pub fn decode_numbers(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut value, mut shift) = (0u32, 0);
    for c in text.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        if digit >= 32 {
            value |= (digit - 32) << shift;
            shift += 5;
        } else {
            out.push(value | digit << shift);
            (value, shift) = (0, 0);
        }
    }
    out
}

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
        assert_eq!(decode_numbers(&text), numbers);
        let mut small = String::new();
        push_number(&mut small, 31);
        assert_eq!(small.len(), 1);
    }

    #[test]
    fn postings_are_gaps_and_weights() {
        let text = encode_postings([(3, 10), (4, 1), (40, 31)].into_iter());
        assert_eq!(decode_numbers(&text), [3, 10, 1, 1, 36, 31]);
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
