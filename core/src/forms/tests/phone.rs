//! Vietnamese phone numbers as people write them.

use crate::forms::phone::{normalize, to_e164};
use crate::forms::{FormError, PhoneProblem};

fn problem(input: &str) -> Option<PhoneProblem> {
    match normalize(input) {
        Err(FormError::InvalidPhone { problem }) => Some(problem),
        _ => None,
    }
}

#[test]
fn accepted_numbers_normalize_to_national_form() -> Result<(), FormError> {
    for (input, national) in [
        ("0912 345 678", "0912345678"),
        ("+84 912345678", "0912345678"),
        ("(024) 3825 1234", "02438251234"),
        ("0912.345.678", "0912345678"),
        ("091-234-5678", "0912345678"),
        ("84912345678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("  0326 123 456 ", "0326123456"),
        ("058 812 3456", "0588123456"),
        ("0703 123 456", "0703123456"),
        ("0868 123 456", "0868123456"),
        ("0204 385 1234", "02043851234"),
        ("+84 28 3829 5555", "02838295555"),
    ] {
        assert_eq!(normalize(input)?, national, "{input}");
    }
    Ok(())
}

#[test]
fn e164_form() -> Result<(), FormError> {
    assert_eq!(to_e164("0912 345 678")?, "+84912345678");
    assert_eq!(to_e164("(024) 3825 1234")?, "+842438251234");
    assert!(to_e164("12345").is_err());
    Ok(())
}

#[test]
fn refused_numbers_say_which_rule() {
    for (input, expected) in [
        (
            "0123 456 7890",
            PhoneProblem::OldMobilePrefix {
                old: "0123",
                new: "083",
            },
        ),
        (
            "01629 123 456",
            PhoneProblem::OldMobilePrefix {
                old: "0162",
                new: "032",
            },
        ),
        (
            "+84 199 123 4567",
            PhoneProblem::OldMobilePrefix {
                old: "0199",
                new: "059",
            },
        ),
        ("12345", PhoneProblem::MissingPrefix),
        ("số không chín", PhoneProblem::InvalidCharacter),
        ("0912abc678", PhoneProblem::InvalidCharacter),
        ("09123+45678", PhoneProblem::InvalidCharacter),
        ("", PhoneProblem::Empty),
        (" - . ", PhoneProblem::Empty),
        ("+1 415 555 0100", PhoneProblem::NotVietnamese),
        ("001 415 555 0100", PhoneProblem::NotVietnamese),
        ("091234567", PhoneProblem::MobileLength),
        ("09123456789", PhoneProblem::MobileLength),
        ("024 3825 123", PhoneProblem::LandlineLength),
        ("0412 345 678", PhoneProblem::UnknownPrefix),
        ("0130 123 4567", PhoneProblem::UnknownPrefix),
    ] {
        assert_eq!(problem(input), Some(expected), "{input}");
    }
}

#[test]
fn the_old_prefix_error_gives_the_conversion_not_the_number() {
    let msg = normalize("0123 456 7890")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.contains("0123") && msg.contains("083") && msg.contains("2018"),
        "{msg}"
    );
    assert!(!msg.contains("456") && !msg.contains("7890"), "{msg}");
}
