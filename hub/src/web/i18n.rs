//! Every string of the review pages, in Vietnamese (the default) and English, in one table.
//!
//! Pages ask for a string by key ([`t`]); a key missing from the table shows as the key itself, and a unit test
//! checks that every key used has both languages. The language comes from `?lang=vi|en` (remembered in a cookie)
//! or the `ocop_lang` cookie.

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Tiếng Việt (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// Parses `vi` / `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The code (`vi`, `en`), as in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Picks the text of a form label.
    pub fn pick<'a>(self, vi: &'a str, en: Option<&'a str>) -> &'a str {
        match (self, en) {
            (Lang::En, Some(en)) if !en.is_empty() => en,
            _ => vi,
        }
    }
}

/// (key, Vietnamese, English).
const TABLE: &[(&str, &str, &str)] = &[
    ("app", "OCOP Field — duyệt hồ sơ", "OCOP Field — review"),
    ("sign_in", "Đăng nhập", "Sign in"),
    ("sign_out", "Đăng xuất", "Sign out"),
    ("sign_in_help", "Nhập mã đăng nhập một lần do quản trị viên hub cấp (ocop hub enroll --role supervisor).", "Enter the one-time sign-in code the hub admin issued (ocop hub enroll --role supervisor)."),
    ("code", "Mã", "Code"),
    ("bad_code", "Mã không hợp lệ, đã dùng hoặc đã hết hạn. Hãy xin quản trị viên mã mới.", "This code is not valid, was used, or has expired. Ask the hub admin for a new one."),
    ("supervisors_only", "Chỉ giám sát viên được dùng các trang này.", "Only supervisors may use these pages."),
    ("queue", "Hàng chờ duyệt", "Review queue"),
    ("state", "Trạng thái", "State"),
    ("commune", "Xã/phường", "Commune"),
    ("group", "Nhóm sản phẩm", "Product group"),
    ("flag", "Cảnh báo", "Flag"),
    ("any", "Tất cả", "Any"),
    ("filter", "Lọc", "Filter"),
    ("submitted", "Ngày nộp", "Submitted"),
    ("producer", "Chủ thể", "Producer"),
    ("product", "Sản phẩm", "Product"),
    ("collector", "Người thu thập", "Collector"),
    ("photos", "Ảnh", "Photos"),
    ("flags", "Cảnh báo chất lượng", "Quality flags"),
    ("none", "Không có", "None"),
    ("no_visits", "Không có lượt khảo sát nào khớp.", "No visits match."),
    ("shown_first", "Chỉ hiển thị 200 dòng đầu; hãy lọc thêm.", "Showing the first 200 rows; filter further."),
    ("visit", "Lượt khảo sát", "Visit"),
    ("answers", "Câu trả lời", "Answers"),
    ("question", "Câu hỏi", "Question"),
    ("answer", "Trả lời", "Answer"),
    ("map", "Vị trí GPS", "GPS on a map"),
    ("map_legend", "● điểm GPS của lượt khảo sát  ■ vị trí đăng ký của chủ thể  ▱ vùng nguyên liệu", "● the visit's GPS fixes  ■ the producer's registered point  ▱ raw-material zone"),
    ("no_gps", "Không có toạ độ.", "No coordinates."),
    ("conflicts", "Xung đột đang mở", "Open conflicts"),
    ("field", "Trường", "Field"),
    ("keep", "Giữ giá trị này", "Keep this value"),
    ("resolved", "Đã giải quyết xung đột.", "Conflict resolved."),
    ("history", "Lịch sử thay đổi", "History of changes"),
    ("when", "Lúc", "When"),
    ("who", "Ai", "Who"),
    ("what", "Đã sửa", "Changed"),
    ("unknown_author", "(không rõ)", "(unknown)"),
    ("decision", "Quyết định", "Decision"),
    ("approve", "Duyệt", "Approve"),
    ("return", "Trả lại để sửa", "Return for changes"),
    ("reject", "Từ chối", "Reject"),
    ("comment", "Nhận xét", "Comment"),
    ("comment_field", "Nhận xét cho câu hỏi (tuỳ chọn)", "Comment on a question (optional)"),
    ("send", "Gửi quyết định", "Send decision"),
    ("reviews", "Các lần duyệt", "Reviews"),
    ("review_saved", "Đã lưu quyết định. Thiết bị sẽ nhận ở lần đồng bộ tới.", "Decision saved. Devices receive it on their next sync."),
    ("not_found", "Không tìm thấy hồ sơ trong phạm vi của bạn.", "No such record in your scope."),
    ("forbidden", "Bạn không được làm việc này.", "You may not do this."),
    ("bad_request", "Yêu cầu không hợp lệ.", "Invalid request."),
    ("error", "Hub gặp lỗi; hãy thử lại.", "The hub failed; try again."),
    ("back", "← Hàng chờ", "← Queue"),
    ("draft", "Nháp", "Draft"),
    ("visit_submitted", "Đã nộp", "Submitted"),
    ("pending", "Chờ duyệt", "Pending review"),
    ("approved", "Đã duyệt", "Approved"),
    ("returned", "Đã trả lại", "Returned"),
    ("rejected", "Bị từ chối", "Rejected"),
    ("stale", "Đã sửa sau khi duyệt", "Changed since review"),
    ("conflicting", "Các quyết định trái nhau", "Conflicting decisions"),
    ("review_state", "Tình trạng duyệt", "Review state"),
    ("reviewer", "Người duyệt", "Reviewer"),
    ("no_reviews", "Chưa có lần duyệt nào.", "Not reviewed yet."),
    ("superseded", "đã được thay thế", "superseded"),
    ("outdated", "hồ sơ đã sửa sau lần duyệt này", "the record changed after this review"),
    ("comment_needed", "Trả lại hoặc từ chối cần có nhận xét.", "Returning or rejecting needs a comment."),
    ("merge_into", "Gộp B vào A", "Merge B into A"),
    ("merge_into_b", "Gộp A vào B", "Merge A into B"),
    ("details", "Thông tin", "Details"),
    ("notes", "Ghi chú", "Notes"),
    ("started", "Bắt đầu", "Started"),
    ("signed_in_as", "Đăng nhập:", "Signed in:"),
    ("duplicates", "Chủ thể trùng", "Duplicate producers"),
    ("reports", "Báo cáo OCOP", "OCOP reports"),
    ("all_provinces", "Toàn bộ hub", "The whole hub"),
    ("download", "Tải về", "Download"),
    ("as_of", "Số liệu tính đến ngày", "Figures as of"),
    ("reports_by_province", "Báo cáo lập theo tỉnh; tài khoản này chỉ phụ trách một số xã. Hãy xuất báo cáo bằng ocop export.", "Reports are by province; this account covers single communes only. Export with ocop export instead."),
    ("score", "Điểm", "Score"),
    ("reasons", "Lý do", "Reasons"),
    ("merge", "Gộp vào", "Merge into"),
    ("merged", "Đã gộp chủ thể.", "Producers merged."),
    ("no_duplicates", "Không thấy chủ thể trùng.", "No duplicates found."),
    ("reports_help", "Tải báo cáo OCOP trong phạm vi của bạn.", "Download the OCOP report for your scope."),
    ("flag.poor_accuracy", "Độ chính xác kém", "Poor accuracy"),
    ("flag.no_accuracy", "Không có độ chính xác", "No accuracy"),
    ("flag.mock_provider", "Vị trí giả lập", "Mock location"),
    ("flag.probable_swap", "Vĩ độ/kinh độ bị đảo", "Lat/lon swapped"),
    ("flag.zero_position", "Toạ độ 0,0", "Position 0,0"),
    ("flag.outside_vietnam", "Ngoài Việt Nam", "Outside Vietnam"),
    ("flag.far_from_producer", "Xa vị trí chủ thể", "Far from the producer"),
    ("flag.photo_far_from_visit", "Ảnh chụp xa nơi khảo sát", "Photo taken far from the visit"),
    ("flag.conflict", "Có xung đột", "Has a conflict"),
];

/// The text of `key` in `lang` (the key itself when the table lacks it).
pub fn t(lang: Lang, key: &str) -> &str {
    match TABLE.iter().find(|(k, _, _)| *k == key) {
        Some((_, vi, en)) => match lang {
            Lang::Vi => vi,
            Lang::En => en,
        },
        None => key,
    }
}

/// Every key of the table.
pub fn keys() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(k, _, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_has_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for (k, vi, en) in TABLE {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!vi.is_empty() && !en.is_empty(), "{k} lacks a language");
        }
        assert_eq!(t(Lang::Vi, "approve"), "Duyệt");
        assert_eq!(t(Lang::En, "approve"), "Approve");
        assert_eq!(t(Lang::En, "no.such.key"), "no.such.key");
    }
}
