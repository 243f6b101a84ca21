//! Text folding for Vietnamese search and matching.
//!
//! Vietnamese is written with many diacritics (tone marks and vowel marks: "Hợp tác xã Đồng Tâm"), and people type
//! searches without them ("hop tac xa dong tam"). [`fold`] reduces a string to a comparable key: Unicode NFD,
//! combining marks removed, `đ`/`Đ` mapped to `d` (it is a separate letter, not a `d` with a combining mark, so NFD
//! alone does not reduce it), lower case, and runs of whitespace collapsed to one space.

use unicode_normalization::UnicodeNormalization;

/// Folds `s` for diacritic- and case-insensitive comparison. `fold("Hà Nội") == "ha noi"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Combining diacritical marks (the ranges Vietnamese uses after NFD, plus the supplements for safety).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_vietnamese_names() {
        assert_eq!(fold("Hà Nội"), "ha noi");
        assert_eq!(fold("  Hợp tác xã   ĐỒNG Tâm "), "hop tac xa dong tam");
        assert_eq!(fold("Thành phố Hồ Chí Minh"), "thanh pho ho chi minh");
        assert_eq!(fold("Đắk Lắk"), "dak lak");
        assert_eq!(fold("Nước mắm Phú Quốc"), "nuoc mam phu quoc");
    }

    #[test]
    fn precomposed_and_decomposed_fold_alike() {
        let precomposed = "Quảng Ngãi";
        let decomposed: String =
            unicode_normalization::UnicodeNormalization::nfd(precomposed).collect();
        assert_ne!(precomposed, decomposed);
        assert_eq!(fold(precomposed), fold(&decomposed));
    }
}
