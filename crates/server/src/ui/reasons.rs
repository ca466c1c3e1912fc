//! The wording of refusals on pages: the registry's own ([`kcvs_registry::wording`], shared
//! with the API's problem+json) and the few refusals the API words itself, by their `code`.

use kcvs_model::Text;
pub use kcvs_registry::wording::*;

/// Refusals the API words itself (authorisation, forms), by their stable `code`.
pub fn api_code(code: &str) -> Option<Text> {
    let (en, ko) = match code {
        "forbidden" => (
            "Your role may not do this.",
            "이 작업을 할 수 있는 역할이 아닙니다.",
        ),
        "unauthorized" => ("Please sign in first.", "먼저 로그인하십시오."),
        "not-found" => (
            "There is no such record, or you may not see it.",
            "해당 기록이 없거나 볼 수 있는 권한이 없습니다.",
        ),
        "invalid-body" => (
            "A field is missing or has the wrong form.",
            "입력 항목이 빠졌거나 형식이 맞지 않습니다.",
        ),
        "idempotency-key-reused" => (
            "This form was already sent with different content; reload the page and try again.",
            "이 양식은 다른 내용으로 이미 제출되었습니다. 페이지를 새로 고친 뒤 다시 시도하십시오.",
        ),
        "conflict" => ("This is already recorded.", "이미 기록되어 있습니다."),
        _ => return None,
    };
    Some(Text::new(en, ko))
}
