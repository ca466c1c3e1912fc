//! One error type at the HTTP edge, rendered as `application/problem+json` (RFC 9457): `type`,
//! `title`, `status`, `detail`, plus `code`, a stable kebab-case spelling clients can match on
//! (for a refused transition it is `TransitionError::code()`). A refusal's English is the
//! registry error's own `Display`; its Korean is the web UI's wording of the same typed error
//! (`kcvs_registry::wording`), so both surfaces say the same thing. The refusals added after the
//! API's first release (a host certificate that cannot stand, a sitting or vote refused) take
//! both languages from the wording.
//!
//! **Two languages.** Every [`ApiError`] carries its detail in English and Korean (the
//! constructors take both, so an untranslated error does not compile), and the title comes from
//! the status in either language. A handler does not know the caller's language, so the error
//! renders in English and travels with the response as an extension; the [`localize`]
//! middleware, which sees the request, renders it again in Korean when `?lang=ko` or
//! `Accept-Language` (q-values honoured) asks for it. The default is English. `type` and `code`
//! never change with the language.
//!
//! Client errors carry their own message and are not logged; an internal error is logged to
//! stderr with its cause and answered with a generic 500.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kcvs_model::{Lang, Text};
use kcvs_registry::agency::AgencyError;
use kcvs_registry::committee::CommitteeError;
use kcvs_report::i18n::{lang_code, parse_lang};
use kcvs_store::StoreError;

use kcvs_registry::wording as reasons;
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:kcvs:problem:<code>`; the same in every language.
    #[serde(rename = "type")]
    pub type_: String,
    /// In the language asked for (`?lang=ko|en`, else `Accept-Language`, else English).
    pub title: String,
    pub status: u16,
    /// In the language asked for, with the particulars (ids, dates) filled in.
    pub detail: String,
    /// A stable spelling of the error (`not-allowed`, `unknown-field`, `idempotency-key-reused`).
    pub code: String,
}

#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    /// What went wrong, in both languages.
    pub detail: Text,
    /// For 429: how many seconds to wait, sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, detail: Text) -> Self {
        ApiError {
            status,
            code: code.to_owned(),
            detail,
            retry_after: None,
        }
    }

    fn two(status: StatusCode, code: &str, en: impl Into<String>, ko: impl Into<String>) -> Self {
        Self::new(status, code, Text::new(en, ko))
    }

    pub fn bad_request(code: &str, en: impl Into<String>, ko: impl Into<String>) -> Self {
        Self::two(StatusCode::BAD_REQUEST, code, en, ko)
    }

    pub fn unprocessable(code: &str, en: impl Into<String>, ko: impl Into<String>) -> Self {
        Self::two(StatusCode::UNPROCESSABLE_ENTITY, code, en, ko)
    }

    pub fn unauthorized(en: impl Into<String>, ko: impl Into<String>) -> Self {
        Self::two(StatusCode::UNAUTHORIZED, "unauthorized", en, ko)
    }

    pub fn forbidden(en: impl Into<String>, ko: impl Into<String>) -> Self {
        Self::two(StatusCode::FORBIDDEN, "forbidden", en, ko)
    }

    /// Also the answer when the caller may not know the thing exists.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::two(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{what} `{id}` not found"),
            format!("{} `{id}`을(를) 찾을 수 없습니다", noun_ko(what)),
        )
    }

    pub fn conflict(code: &str, en: impl Into<String>, ko: impl Into<String>) -> Self {
        Self::two(StatusCode::CONFLICT, code, en, ko)
    }

    /// 429 with `Retry-After: retry_after_secs`.
    pub fn too_many_requests(
        code: &str,
        retry_after_secs: u64,
        en: impl Into<String>,
        ko: impl Into<String>,
    ) -> Self {
        ApiError {
            retry_after: Some(retry_after_secs),
            ..Self::two(StatusCode::TOO_MANY_REQUESTS, code, en, ko)
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        eprintln!("kcvs serve: internal error: {cause}");
        Self::two(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request",
            "서버가 요청을 처리하지 못했습니다",
        )
    }

    pub fn problem(&self, lang: Lang) -> Problem {
        Problem {
            type_: format!("urn:kcvs:problem:{}", self.code),
            title: title(self.status, lang).to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.get(lang).to_owned(),
            code: self.code.clone(),
        }
    }

    /// The problem+json response in one language.
    pub fn render(&self, lang: Lang) -> Response {
        let body = serde_json::to_vec(&self.problem(lang)).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        h.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang_code(lang)),
        );
        h.insert(header::VARY, HeaderValue::from_static("accept-language"));
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kcvs\""),
            );
        }
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// The title of a status, in either language. English keeps the HTTP reason phrase.
fn title(status: StatusCode, lang: Lang) -> &'static str {
    let en = status.canonical_reason().unwrap_or("Error");
    if lang == Lang::En {
        return en;
    }
    match status.as_u16() {
        400 => "잘못된 요청",
        401 => "인증 필요",
        403 => "권한 없음",
        404 => "찾을 수 없음",
        409 => "상태 충돌",
        413 => "요청 본문이 너무 큼",
        415 => "지원하지 않는 미디어 유형",
        422 => "처리할 수 없는 요청 내용",
        429 => "요청이 너무 많음",
        500 => "서버 내부 오류",
        _ => "오류",
    }
}

/// The Korean noun for what the store and the handlers say was not found.
fn noun_ko(what: &str) -> &str {
    match what {
        "application" => "신청",
        "certificate" => "인증서",
        "signed certificate" => "서명된 인증서",
        "service" => "서비스",
        "agency" => "기관",
        "member" => "위원",
        "deliberation" => "심의",
        "log entry" => "로그 항목",
        "log entry for certificate" => "인증서의 로그 항목",
        "api token" => "API 토큰",
        "user" => "사용자",
        other => other,
    }
}

impl IntoResponse for ApiError {
    /// English, with the error itself attached so [`localize`] can answer in Korean.
    fn into_response(self) -> Response {
        let mut res = self.render(Lang::En);
        res.extensions_mut().insert(self);
        res
    }
}

/// The language a request asks for: `?lang=`, then `Accept-Language`, then English.
pub fn request_lang(uri: &Uri, headers: &HeaderMap) -> Lang {
    let query = uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| parse_lang(v))
    });
    query
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(crate::ui::accept_language)
        })
        .unwrap_or(Lang::En)
}

/// Middleware: a problem answered in the language the request asks for.
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = request_lang(req.uri(), req.headers());
    let mut res = next.run(req).await;
    match res.extensions_mut().remove::<ApiError>() {
        Some(e) if lang != Lang::En => e.render(lang),
        _ => res,
    }
}

fn agency_code(e: &AgencyError) -> &'static str {
    match e {
        AgencyError::NotAllowed { .. } => "not-allowed",
        AgencyError::OutOfOrder { .. } => "out-of-order",
        AgencyError::CriteriaNotMet { .. } => "designation-criteria-not-met",
        AgencyError::SuspensionTooLong { .. } => "suspension-too-long",
        AgencyError::SuspensionEndsBeforeStart => "suspension-ends-before-start",
        AgencyError::AlreadySuspended { .. } => "already-suspended",
        AgencyError::NoWorkWhileSuspended => "no-work-while-suspended",
        AgencyError::RevocationMandatory { .. } => "revocation-mandatory",
        AgencyError::NotYetExpired { .. } => "not-yet-expired",
        AgencyError::DesignationEnded { .. } => "designation-ended",
        AgencyError::Revoked => "agency-revoked",
    }
}

fn committee_code(e: &CommitteeError) -> &'static str {
    match e {
        CommitteeError::WrongApplication { .. } => "wrong-application",
        CommitteeError::UnknownMember { .. } => "unknown-member",
        CommitteeError::OutOfTerm { .. } => "member-out-of-term",
        CommitteeError::DuplicatePresence { .. } => "duplicate-presence",
        CommitteeError::NotPresent { .. } => "not-present",
        CommitteeError::DuplicateVote { .. } => "duplicate-vote",
        CommitteeError::RecusedMemberVoted { .. } => "recused-member-voted",
        CommitteeError::MissingRationale { .. } => "missing-rationale",
        CommitteeError::NoQuorum { .. } => "no-quorum",
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::not_found(what, &id),
            StoreError::Transition(t) => {
                let ko = reasons::transition(&t).ko;
                ApiError::conflict(t.code(), t.to_string(), ko)
            }
            StoreError::Agency(a) => {
                let ko = reasons::agency(&a).ko;
                ApiError::conflict(agency_code(&a), a.to_string(), ko)
            }
            StoreError::Committee(c) => {
                let ko = reasons::committee(&c).ko;
                ApiError::conflict(committee_code(&c), c.to_string(), ko)
            }
            // Newer than the API's first English: the wording's sentence in both languages.
            StoreError::Sitting(s) => {
                ApiError::new(StatusCode::CONFLICT, s.code(), reasons::sitting(&s))
            }
            StoreError::IdempotencyMismatch => ApiError::unprocessable(
                "idempotency-key-reused",
                "this Idempotency-Key was already used with a different request",
                "이 Idempotency-Key는 이미 다른 요청에 쓰였습니다",
            ),
            // The store words these in English only; the Korean frames its particulars.
            StoreError::Conflict(d) => ApiError::conflict(
                "conflict",
                d.clone(),
                format!("이미 있거나 다른 기록과 충돌합니다: {d}"),
            ),
            StoreError::Invalid(d) => ApiError::conflict(
                "invalid-state",
                d.clone(),
                format!("등록부의 현재 상태에서는 할 수 없습니다: {d}"),
            ),
            other => ApiError::internal(other),
        }
    }
}

/// A host certificate that cannot stand in an application: unknown is a bad reference (422),
/// pre-tier a refusal (409); worded in both languages by [`reasons::host_lookup`], which the
/// web UI shows too.
impl From<kcvs_registry::lifecycle::HostLookupError> for ApiError {
    fn from(e: kcvs_registry::lifecycle::HostLookupError) -> Self {
        use kcvs_registry::lifecycle::HostLookupError as H;
        let status = match e {
            H::Unknown { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            H::Untiered { .. } => StatusCode::CONFLICT,
        };
        ApiError::new(status, e.code(), reasons::host_lookup(&e))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
