//! Vietnamese phone numbers.
//!
//! People write numbers many ways: `0912 345 678`, `0912.345.678`, `+84 912-345-678`, `84912345678`,
//! `(024) 3825 1234`. [`normalize`] accepts digits with spaces, dots, dashes and parentheses, and the prefixes `0`,
//! `84`, `+84` (also `0084` and the habit `+84 (0) …`), and returns the **national form** `0…`:
//!
//! - mobile: 10 digits starting `03`, `05`, `07`, `08`, `09` (the prefixes in use since the 2018 renumbering);
//! - landline: 11 digits starting `02` (a 3- or 4-digit area code such as `024`, `0204`, then the subscriber).
//!
//! The old 11-digit mobile numbers (`01xx…`) were renumbered in 2018 (`0162…` became `032…` and so on). They are
//! refused with an error that states the conversion rule for that prefix, so the officer can ask for or fix the
//! number; the core does not convert silently, because a number typed from an old notebook may no longer be the
//! person's. [`to_e164`] gives the international form `+84…`. Errors never repeat the number.

use super::FormError;

/// What is wrong with a phone number. Messages never repeat the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneProblem {
    /// No digits at all.
    #[error("no digits were entered")]
    Empty,
    /// A letter or symbol other than spaces, dots, dashes, parentheses and a leading `+`.
    #[error("only digits, spaces, dots, dashes, parentheses and a leading + are allowed")]
    InvalidCharacter,
    /// An international number for another country.
    #[error("the country code is not Vietnam's (+84)")]
    NotVietnamese,
    /// A national number must start with `0` (or the country code `84` / `+84`).
    #[error("a Vietnamese number starts with 0, 84 or +84")]
    MissingPrefix,
    /// A prefix no Vietnamese mobile or landline number has.
    #[error(
        "the number does not start with a Vietnamese mobile prefix (03, 05, 07, 08, 09) or landline prefix (02)"
    )]
    UnknownPrefix,
    /// A mobile number of the wrong length.
    #[error("a mobile number has 10 digits in national form (0 and 9 digits)")]
    MobileLength,
    /// A landline number of the wrong length.
    #[error(
        "a landline number has 11 digits in national form (area code 02x or 02xx, then the subscriber number)"
    )]
    LandlineLength,
    /// A pre-2018 11-digit mobile number.
    #[error(
        "11-digit mobile numbers starting {old} were renumbered in 2018: replace {old} with {new} and keep the last 7 digits"
    )]
    OldMobilePrefix {
        /// The retired prefix (4 digits, e.g. `0162`).
        old: &'static str,
        /// The prefix that replaced it (3 digits, e.g. `032`).
        new: &'static str,
    },
}

/// The 2018 renumbering of 11-digit mobile prefixes to 10-digit ones (Ministry of Information and
/// Communications, carried out 15 Sept – 15 Nov 2018).
const OLD_MOBILE_PREFIXES: [(&str, &str); 21] = [
    // MobiFone
    ("0120", "070"),
    ("0121", "079"),
    ("0122", "077"),
    ("0126", "076"),
    ("0128", "078"),
    // VinaPhone
    ("0123", "083"),
    ("0124", "084"),
    ("0125", "085"),
    ("0127", "081"),
    ("0129", "082"),
    // Viettel
    ("0162", "032"),
    ("0163", "033"),
    ("0164", "034"),
    ("0165", "035"),
    ("0166", "036"),
    ("0167", "037"),
    ("0168", "038"),
    ("0169", "039"),
    // Vietnamobile
    ("0186", "056"),
    ("0188", "058"),
    // Gmobile
    ("0199", "059"),
];

/// Normalizes a Vietnamese phone number to national form (`0912345678`, `02438251234`).
///
/// Fails with [`FormError::InvalidPhone`] saying what is wrong (never the number itself).
pub fn normalize(input: &str) -> Result<String, FormError> {
    national(input).map_err(|problem| FormError::InvalidPhone { problem })
}

/// Normalizes a Vietnamese phone number to the international E.164 form (`+84912345678`).
pub fn to_e164(input: &str) -> Result<String, FormError> {
    let national = normalize(input)?;
    let subscriber = national.strip_prefix('0').unwrap_or(&national);
    Ok(format!("+84{subscriber}"))
}

fn national(input: &str) -> Result<String, PhoneProblem> {
    let trimmed = input.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len().min(32));
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '.' | '-' | '(' | ')' => {}
            c if c.is_whitespace() => {}
            _ => return Err(PhoneProblem::InvalidCharacter),
        }
        // Longer than any number with any prefix: stop early, the length check below refuses it.
        if digits.len() > 20 {
            break;
        }
    }
    if digits.is_empty() {
        return Err(PhoneProblem::Empty);
    }
    let subscriber = if plus {
        digits
            .strip_prefix("84")
            .ok_or(PhoneProblem::NotVietnamese)?
    } else if let Some(intl) = digits.strip_prefix("00") {
        intl.strip_prefix("84").ok_or(PhoneProblem::NotVietnamese)?
    } else if let Some(national) = digits.strip_prefix('0') {
        national
    } else {
        digits
            .strip_prefix("84")
            .ok_or(PhoneProblem::MissingPrefix)?
    };
    // "+84 (0) 912 …": the trunk 0 written after the country code.
    let subscriber = if plus || digits.starts_with("84") || digits.starts_with("0084") {
        subscriber.strip_prefix('0').unwrap_or(subscriber)
    } else {
        subscriber
    };
    let national = format!("0{subscriber}");
    match subscriber.bytes().next() {
        Some(b'3' | b'5' | b'7' | b'8' | b'9') if national.len() == 10 => Ok(national),
        Some(b'3' | b'5' | b'7' | b'8' | b'9') => Err(PhoneProblem::MobileLength),
        Some(b'2') if national.len() == 11 => Ok(national),
        Some(b'2') => Err(PhoneProblem::LandlineLength),
        Some(b'1') => {
            let old = OLD_MOBILE_PREFIXES
                .iter()
                .find(|(old, _)| national.starts_with(old));
            match old {
                Some(&(old, new)) => Err(PhoneProblem::OldMobilePrefix { old, new }),
                None => Err(PhoneProblem::UnknownPrefix),
            }
        }
        _ => Err(PhoneProblem::UnknownPrefix),
    }
}
