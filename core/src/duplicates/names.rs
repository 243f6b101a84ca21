//! Producer names reduced to comparable keys.
//!
//! People write the same cooperative as "HTX Chè Đồng Tâm", "Hợp tác xã chè Đồng Tâm" or "H.T.X che dong tam".
//! [`NameKey::new`] folds diacritics and case ([`crate::text::fold`]), drops punctuation, expands the common
//! abbreviations of legal forms and trades ([`ABBREVIATIONS`]), and then splits the name in two: the **legal form**
//! ("hop tac xa", "cong ty trach nhiem huu han" …) and the **core** — what distinguishes this producer from its
//! neighbours ("che dong tam"). Names are compared on their cores, so "HTX Chè Đồng Tâm" and "Hợp tác xã chè Đồng
//! Tâm" are the same name, while "HTX Chè Tân Cương" and "HTX Chè Đồng Tâm" are not, even though most of their
//! letters agree.

use std::collections::BTreeSet;

use crate::text::fold;

/// Abbreviations expanded before comparing (folded form → folded expansion). Only whole words are expanded.
pub const ABBREVIATIONS: &[(&str, &str)] = &[
    ("htx", "hop tac xa"),
    ("htxnn", "hop tac xa nong nghiep"),
    ("htxdv", "hop tac xa dich vu"),
    ("tht", "to hop tac"),
    ("cssx", "co so san xuat"),
    ("dntn", "doanh nghiep tu nhan"),
    ("dn", "doanh nghiep"),
    ("tnhh", "trach nhiem huu han"),
    ("mtv", "mot thanh vien"),
    ("ctcp", "cong ty co phan"),
    ("cp", "co phan"),
    ("cty", "cong ty"),
    ("ct", "cong ty"),
    ("hkd", "ho kinh doanh"),
    ("sx", "san xuat"),
    ("sxkd", "san xuat kinh doanh"),
    ("tm", "thuong mai"),
    ("dv", "dich vu"),
    ("nn", "nong nghiep"),
    ("xnk", "xuat nhap khau"),
];

/// Legal-form phrases (folded, expanded), longest first: they say what kind of producer it is, not which one.
const LEGAL_FORMS: &[&str] = &[
    "cong ty trach nhiem huu han mot thanh vien",
    "cong ty trach nhiem huu han",
    "cong ty co phan",
    "doanh nghiep tu nhan",
    "hop tac xa",
    "to hop tac",
    "co so san xuat",
    "ho kinh doanh",
    "cong ty",
    "doanh nghiep",
    "co so",
    "trach nhiem huu han",
    "mot thanh vien",
    "co phan",
];

/// A producer name prepared for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// The whole name: folded, punctuation removed, abbreviations expanded.
    pub full: String,
    /// The legal-form phrases found in it, in order ("hop tac xa").
    pub legal_form: String,
    /// The name without its legal form ("che dong tam").
    pub core: String,
    /// The core's words.
    pub tokens: Vec<String>,
}

impl NameKey {
    /// Prepares `name` for comparison.
    pub fn new(name: &str) -> Self {
        let folded = fold(name);
        // "H.T.X" → "htx"; other punctuation separates words.
        let mut cleaned = String::with_capacity(folded.len());
        let chars: Vec<char> = folded.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c.is_alphanumeric() {
                cleaned.push(c);
            } else if c == '.'
                && i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
                && is_single_letter_before(&chars, i)
            {
                // a dot inside an initialism ("h.t.x"): drop it
            } else {
                cleaned.push(' ');
            }
        }
        let mut words: Vec<&str> = Vec::new();
        for w in cleaned.split_whitespace() {
            match ABBREVIATIONS.iter().find(|(abbr, _)| *abbr == w) {
                Some((_, expansion)) => words.extend(expansion.split(' ')),
                None => words.push(w),
            }
        }
        let full = words.join(" ");
        let (legal_form, core) = split_legal_form(&words);
        let tokens = core.split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect();
        Self {
            full,
            legal_form,
            core,
            tokens,
        }
    }

    /// The distinct words of the core.
    pub fn token_set(&self) -> BTreeSet<&str> {
        self.tokens.iter().map(String::as_str).collect()
    }
}

fn is_single_letter_before(chars: &[char], dot: usize) -> bool {
    dot == 1 || (dot >= 2 && !chars[dot - 2].is_alphanumeric())
}

/// Removes every legal-form phrase (matched on whole words) and returns `(legal forms, rest)`.
fn split_legal_form(words: &[&str]) -> (String, String) {
    let mut forms: Vec<&str> = Vec::new();
    let mut rest: Vec<&str> = Vec::new();
    let mut i = 0;
    'outer: while i < words.len() {
        for form in LEGAL_FORMS {
            let parts: Vec<&str> = form.split(' ').collect();
            if words.len() - i >= parts.len() && words[i..i + parts.len()] == parts[..] {
                forms.push(form);
                i += parts.len();
                continue 'outer;
            }
        }
        rest.push(words[i]);
        i += 1;
    }
    (forms.join(" "), rest.join(" "))
}

/// How alike two names are, 0 (nothing in common) to 1 (the same name once folded and expanded).
///
/// The cores are compared three ways and the best is kept: normalised Levenshtein distance (typing slips:
/// "Đồng Tâm" / "Đông Tâm"), Sørensen–Dice on letter pairs (words in another order), and word containment ("HTX
/// Đồng Tâm" inside "HTX Nông nghiệp Đồng Tâm"; counted at 0.9 and only when the shorter core has two words or
/// more, since one shared word says little).
pub fn name_similarity(a: &NameKey, b: &NameKey) -> f64 {
    if a.core.is_empty() || b.core.is_empty() {
        // A name that is only a legal form ("Hợp tác xã"): compare whole names.
        return strsim::normalized_levenshtein(&a.full, &b.full);
    }
    if a.core == b.core {
        return 1.0;
    }
    let lev = strsim::normalized_levenshtein(&a.core, &b.core);
    let dice = strsim::sorensen_dice(&a.core, &b.core);
    let (sa, sb) = (a.token_set(), b.token_set());
    let shorter = sa.len().min(sb.len());
    let containment = if shorter >= 2 {
        let common = sa.intersection(&sb).count();
        0.9 * common as f64 / shorter as f64
    } else {
        0.0
    };
    lev.max(dice).max(containment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_abbreviations_and_splits_the_legal_form() {
        let k = NameKey::new("HTX Chè Đồng Tâm");
        assert_eq!(k.full, "hop tac xa che dong tam");
        assert_eq!(k.legal_form, "hop tac xa");
        assert_eq!(k.core, "che dong tam");
        assert_eq!(NameKey::new("H.T.X chè Đồng Tâm").full, "hop tac xa che dong tam");
        let c = NameKey::new("Cty TNHH MTV Nông sản Sạch");
        assert_eq!(c.legal_form, "cong ty trach nhiem huu han mot thanh vien");
        assert_eq!(c.core, "nong san sach");
        assert_eq!(NameKey::new("CSSX Mật ong Bảo Lâm").legal_form, "co so san xuat");
        assert_eq!(
            NameKey::new("DNTN Thanh Bình").full,
            "doanh nghiep tu nhan thanh binh"
        );
        assert_eq!(NameKey::new("Công ty CP Trà Thái").core, "tra thai");
        assert_eq!(NameKey::new("THT Gốm Bát Tràng").core, "gom bat trang");
    }

    #[test]
    fn similarity_separates_neighbours_from_rewritings() {
        let s = |a: &str, b: &str| name_similarity(&NameKey::new(a), &NameKey::new(b));
        assert_eq!(s("HTX Chè Đồng Tâm", "Hợp tác xã chè Đồng Tâm"), 1.0);
        assert!(s("HTX Chè Tân Cương", "HTX Chè Đồng Tâm") < 0.6);
        assert!(s("HTX Nông nghiệp Đồng Tâm", "HTX Đồng Tâm") >= 0.9);
        assert!(s("HTX chè Đông Tâm", "HTX Chè Đồng Tâm") > 0.9, "a missing tone mark");
        assert!(s("Hợp tác xã", "Tổ hợp tác") < 0.8);
        assert_eq!(s("", ""), 1.0);
    }
}
