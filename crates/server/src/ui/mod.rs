//! The web UI of `kcvs serve`: server-rendered HTML in Korean and English, readable without
//! JavaScript (plain links and forms, one embedded stylesheet).
//!
//! - Language: `?lang=ko|en` (remembered in a `lang` cookie), then the cookie, then
//!   `Accept-Language`. Every label goes through [`kcvs_report::i18n::t`] / `L`, which take both
//!   languages at once.
//! - Who may see and do what: the same [`crate::extract::Caller`], [`crate::authz`] and JSON
//!   handlers as the API. A page calls the API's handler function and renders its answer, so a
//!   recused member gets the same 404 here as there.
//! - Writes: forms post `application/x-www-form-urlencoded` with the `SameSite=Strict` session
//!   cookie. [`Caller`] refuses a cross-origin `Origin`; the UI also requires an `Origin` or
//!   `Referer` naming this host on every post. Each form carries a fresh idempotency key, so a
//!   double submit replays the first answer.
//! - Everything shown is HTML-escaped by [`esc`].

mod agencies;
mod committee;
mod lifecycle;
mod pages;
mod public;
pub(crate) mod reasons;
mod services;
mod tokens;
mod work;

pub use public::SYSTEMS;
pub use services::TEMPLATE as SERVICE_TEMPLATE;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kcvs_model::{Lang, Text};
use kcvs_report::i18n::{L, lang_code, parse_lang, t};
use kcvs_store::Idem;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Caller, JsonWrite, Role, User};

/// The UI's routes, to merge into the API router with [`crate::app_with`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(public::registry))
        .route("/registry", get(public::registry))
        .route("/services/{id}", get(public::service))
        .route("/certificates/{number}", get(public::certificate))
        .route(
            "/eligibility",
            get(public::eligibility_form).post(public::eligibility_post),
        )
        .route("/login", get(pages::login_form).post(pages::login_post))
        .route("/logout", post(pages::logout_post))
        .route(
            "/applications",
            get(work::applications).post(work::apply_post),
        )
        .route("/applications/{id}", get(work::application))
        .route("/applications/{id}/events", post(work::event_post))
        .route("/applications/{id}/findings", post(work::finding_post))
        .route(
            "/applications/{id}/remediations",
            post(work::remediation_post),
        )
        .route(
            "/applications/{id}/remediations/{finding}/recheck",
            post(work::recheck_post),
        )
        .route("/applications/{id}/evaluator", post(work::assign_post))
        .route("/applications/{id}/sittings", post(work::sitting_post))
        .route("/docket", get(work::docket))
        .route(
            "/services",
            get(services::services).post(services::register_post),
        )
        .route(
            "/agencies",
            get(agencies::agencies).post(agencies::designate_post),
        )
        .route("/agencies/{id}", get(agencies::agency))
        .route("/agencies/{id}/suspend", post(agencies::suspend_post))
        .route("/agencies/{id}/revoke", post(agencies::revoke_post))
        .route("/agencies/{id}/events", post(agencies::event_post))
        .route("/committee", get(committee::committee))
        .route("/committee/declarations", post(committee::declare_post))
        .route("/sittings/{id}/votes", post(work::vote_post))
        .route("/sittings/{id}/decide", post(work::decide_post))
        .route("/tokens", get(tokens::tokens).post(tokens::create_post))
        .route("/tokens/{id}/revoke", post(tokens::revoke_post))
}

/// HTML-escape text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encode a path segment or query value.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What every page knows: the language, the caller, the path asked for.
pub struct Ctx {
    pub lang: Lang,
    /// Set when `?lang=` chose the language: the answer remembers it in the cookie.
    pub remember: Option<Lang>,
    pub user: Option<User>,
    pub path: String,
    pub state: AppState,
}

impl Ctx {
    pub fn t(&self, en: &'static str, ko: &'static str) -> &'static str {
        t(self.lang, en, ko)
    }

    pub fn l(&self, l: L) -> &'static str {
        l.get(self.lang)
    }

    pub fn is(&self, role: Role) -> bool {
        self.user.as_ref().is_some_and(|u| u.is(role))
    }

    /// A fresh idempotency key as a hidden form field.
    pub fn idem_field(&self) -> String {
        let key = crate::auth::random_hex(16).unwrap_or_default();
        format!(
            r#"<input type="hidden" name="_idem" value="{}">"#,
            esc(&key)
        )
    }
}

use crate::extract::cookie;

fn query_lang(parts: &Parts) -> Option<Lang> {
    parts.uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| parse_lang(v))
    })
}

/// The first language of `Accept-Language` that we speak, by quality.
pub fn accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in value.split(',') {
        let mut it = part.split(';');
        let tag = it.next().unwrap_or("").trim();
        let q = it
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = parse_lang(tag)
            && q > 0.0
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// The language of a request: `?lang=`, then the `lang` cookie, then `Accept-Language`, then
/// Korean (the service's country).
pub fn choose_lang(parts: &Parts) -> (Lang, Option<Lang>) {
    if let Some(l) = query_lang(parts) {
        return (l, Some(l));
    }
    if let Some(l) = cookie(parts, "lang").and_then(|v| parse_lang(&v)) {
        return (l, None);
    }
    let accept = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(accept_language);
    (accept.unwrap_or(Lang::Ko), None)
}

/// A page's answer: HTML, or a redirect, or an error page.
pub enum Page {
    Html(StatusCode, String, String),
    Redirect(String),
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (lang, remember) = choose_lang(parts);
        let post = parts.method == axum::http::Method::POST;
        if post && !same_site_post(parts) {
            let ctx = Ctx {
                lang,
                remember,
                user: None,
                path: parts.uri.path().to_owned(),
                state: state.clone(),
            };
            return Err(ctx.error(ApiError::forbidden(
                "cross-origin form post refused (Origin or Referer must name this host)",
                "다른 출처의 양식 제출은 거부됩니다 (Origin 또는 Referer가 이 호스트여야 합니다)",
            )));
        }
        let caller = Caller::from_request_parts(parts, state).await;
        let ctx = Ctx {
            lang,
            remember,
            user: None,
            path: parts.uri.path().to_owned(),
            state: state.clone(),
        };
        match caller {
            Ok(Caller(user)) => Ok(Ctx { user, ..ctx }),
            Err(e) => Err(ctx.error(e)),
        }
    }
}

/// A form post must say where it comes from: an `Origin` or else a `Referer` on this host.
fn same_site_post(parts: &Parts) -> bool {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let from = parts
        .headers
        .get(header::ORIGIN)
        .or_else(|| parts.headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    from.and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .is_some_and(|h| !host.is_empty() && h == host)
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans KR','Malgun Gothic',sans-serif;margin:0;color:#1b1f23;background:#f6f8fa}\
header{background:#0b3d91;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}\
header a{color:#fff;text-decoration:none;font-weight:600}header .who{margin-left:auto}\
header form{display:inline}header button{background:none;border:1px solid #fff;color:#fff;border-radius:3px;cursor:pointer}\
main{max-width:72rem;margin:1rem auto;padding:0 1.2rem}\
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1rem}\
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}\
th{background:#eaeef2}\
form.box,section.box{background:#fff;border:1px solid #d0d7de;padding:.7rem 1rem;margin:.6rem 0;border-radius:4px}\
label{display:inline-block;margin:.2rem .8rem .2rem 0}\
input,select,textarea,button{font:inherit}textarea{width:100%;min-height:12rem;font-family:monospace}\
.st{display:inline-block;padding:0 .4rem;border-radius:3px;background:#ddf4ff;white-space:nowrap}\
.st-active,.st-eligible,.st-certified,.st-approved,.ok{background:#dafbe1}\
.st-revoked,.st-not-eligible,.st-rejected,.st-skipped,.st-overdue,.bad{background:#ffebe9}\
.st-expired,.st-grandfathered,.st-evidence-needed{background:#fff8c5}\
.err{background:#ffebe9;border:1px solid #cf222e;padding:.6rem 1rem}\
.muted{color:#57606a}";

impl Ctx {
    /// The full page around `body`.
    pub fn page(&self, status: StatusCode, title: &str, body: &str) -> Response {
        let lang = self.lang;
        let mut nav = String::new();
        nav.push_str(&format!(
            r#"<a href="/registry">{}</a><a href="/eligibility">{}</a><a href="/agencies">{}</a>"#,
            t(lang, "Public registry", "공개 인증 목록"),
            t(lang, "Eligibility check", "이용 가능 여부 확인"),
            t(lang, "Agencies", "인증·평가기관"),
        ));
        if let Some(u) = &self.user {
            nav.push_str(&format!(
                r#"<a href="/applications">{}</a>"#,
                match u.role {
                    Role::Evaluator => t(lang, "My evaluations", "담당 평가"),
                    Role::Provider => t(lang, "My applications", "내 신청"),
                    _ => t(lang, "Applications", "신청 목록"),
                }
            ));
            if matches!(u.role, Role::Provider | Role::Admin) {
                nav.push_str(&format!(
                    r#"<a href="/services">{}</a>"#,
                    match u.role {
                        Role::Provider => t(lang, "My services", "내 서비스"),
                        _ => t(lang, "Services", "서비스"),
                    }
                ));
            }
            nav.push_str(&format!(
                r#"<a href="/tokens">{}</a>"#,
                t(lang, "My API tokens", "내 API 토큰")
            ));
            if matches!(u.role, Role::Committee | Role::Admin) {
                nav.push_str(&format!(
                    r#"<a href="/docket">{}</a><a href="/committee">{}</a>"#,
                    t(lang, "Committee docket", "위원회 안건"),
                    t(lang, "Committee", "위원회"),
                ));
            }
        }
        let who = match &self.user {
            Some(u) => format!(
                r#"<span class="who">{} <b>{}</b> ({}) <form method="post" action="/logout">{}<button type="submit">{}</button></form></span>"#,
                t(lang, "Signed in as", "로그인:"),
                esc(&u.principal.user.username),
                self.l(role_label(u.role)),
                self.idem_field(),
                t(lang, "Sign out", "로그아웃"),
            ),
            None => format!(
                r#"<span class="who"><a href="/login">{}</a></span>"#,
                t(lang, "Sign in", "로그인")
            ),
        };
        let switch = format!(
            r#"<span><a href="{p}?lang=ko" hreflang="ko">한국어</a> · <a href="{p}?lang=en" hreflang="en">English</a></span>"#,
            p = esc(&self.path)
        );
        let html = format!(
            "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · {site}</title><style>{STYLE}</style></head><body>\
<header><a href=\"/\">{site}</a>{nav}{who}{switch}</header><main><h1>{title}</h1>{body}</main></body></html>",
            code = lang_code(lang),
            title = esc(title),
            site = t(lang, "Cloud security verification", "클라우드 보안 검증"),
        );
        let mut res = (status, axum::response::Html(html)).into_response();
        self.remember_lang(&mut res);
        res
    }

    fn remember_lang(&self, res: &mut Response) {
        if let Some(l) = self.remember
            && let Ok(v) = HeaderValue::from_str(&format!(
                "lang={}; Path=/; SameSite=Lax; Max-Age=31536000",
                lang_code(l)
            ))
        {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }

    /// An error page: the API's status, a heading in the caller's language and the detail (in
    /// Korean, the wording of its `code` where [`reasons::api_code`] has one).
    pub fn error(&self, e: ApiError) -> Response {
        let reason = reasons::api_code(&e.code).map(|t| Text::new(e.detail.en.clone(), t.ko));
        self.refusal(e, reason)
    }

    /// An error page whose reason is worded in both languages (a registry refusal re-derived
    /// as its typed error); without one, the API's detail.
    pub fn refusal(&self, e: ApiError, reason: Option<Text>) -> Response {
        let heading = match e.status.as_u16() {
            401 => self.t("Please sign in", "로그인이 필요합니다"),
            403 => self.t("Not allowed", "허용되지 않음"),
            404 => self.t("Not found", "찾을 수 없음"),
            409 => self.t("Refused by the registry", "등록부가 거부함"),
            429 => self.t("Too many attempts", "시도 횟수 초과"),
            400 | 413 | 415 | 422 => self.t("The form has a problem", "입력에 문제가 있습니다"),
            _ => self.t("Something went wrong", "오류가 발생했습니다"),
        };
        let text = reason
            .as_ref()
            .map_or(e.detail.get(self.lang), |r| r.get(self.lang));
        let mut body = format!(
            r#"<div class="err"><p><b>{}</b> ({})</p><p>{}</p></div>"#,
            heading,
            esc(&e.code),
            esc(text)
        );
        if e.status == StatusCode::UNAUTHORIZED {
            body.push_str(&format!(
                r#"<p><a href="/login">{}</a></p>"#,
                self.t("Sign in", "로그인")
            ));
        }
        let mut res = self.page(e.status, heading, &body);
        if let Some(secs) = e.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        res
    }

    /// A 303 to `to` after a successful post.
    pub fn see_other(&self, to: &str) -> Response {
        let mut res = Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, to)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::SEE_OTHER.into_response());
        self.remember_lang(&mut res);
        res
    }
}

pub fn role_label(r: Role) -> L {
    match r {
        Role::Provider => L::new("provider", "사업자"),
        Role::Evaluator => L::new("evaluator", "평가원"),
        Role::Committee => L::new("committee member", "위원"),
        Role::Admin => L::new("authority", "인증기관 관리자"),
    }
}

/// Form fields, in order, repeated keys kept.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_owned()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A write for an API handler: the JSON of the form's meaning, and the form's idempotency
    /// key (or a fresh one), hashed with the route like the API does.
    pub fn write<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        json: serde_json::Value,
    ) -> Result<JsonWrite<T>, ApiError> {
        let body = serde_json::to_vec(&json).map_err(ApiError::internal)?;
        let value = crate::extract::parse_json::<T>(&body)?;
        let key = match self.get("_idem") {
            Some(k) => format!("ui-{}", k.trim()),
            None => format!("ui-{}", crate::auth::random_hex(16)?),
        };
        let mut hashed = b"POST ".to_vec();
        hashed.extend_from_slice(path.as_bytes());
        hashed.push(b'\n');
        hashed.extend_from_slice(&body);
        Ok(JsonWrite {
            value,
            idem: Idem {
                key,
                request_sha256: kcvs_store::sha256_hex(&hashed),
            },
        })
    }
}

/// The JSON body of an API handler's answer, or its problem.
pub async fn answer(res: Response) -> Result<serde_json::Value, ApiError> {
    // An API error keeps both languages on the response; the JSON below has only English.
    if let Some(e) = res.extensions().get::<ApiError>() {
        return Err(e.clone());
    }
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 4 * 1024 * 1024)
        .await
        .map_err(ApiError::internal)?;
    let v: serde_json::Value = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
    };
    if status.is_success() {
        Ok(v)
    } else {
        let detail = v["detail"].as_str().unwrap_or_default();
        Err(ApiError::new(
            status,
            v["code"].as_str().unwrap_or("error"),
            kcvs_model::Text::new(detail, detail),
        ))
    }
}

/// The state, for handlers that take it through the context.
pub fn st(ctx: &Ctx) -> State<AppState> {
    State(ctx.state.clone())
}

/// A bilingual label for the closed vocabularies the pages show; other values as they are.
pub fn word(lang: Lang, v: &str) -> String {
    let l = match v {
        "active" => L::new("active", "유효"),
        "grandfathered" => L::new("grandfathered", "경과 조치"),
        "expired" => L::new("expired", "만료"),
        "revoked" => L::new("revoked", "취소"),
        "surrendered" => L::new("surrendered", "반납"),
        "not-yet-valid" => L::new("not yet valid", "효력 발생 전"),
        "low" => L::new("low", "하"),
        "medium" => L::new("medium", "중"),
        "high" => L::new("high", "상"),
        "critical" => L::new("critical", "심각"),
        "iaas" => L::new("IaaS", "IaaS"),
        "saas-standard" => L::new("SaaS (standard)", "SaaS (표준)"),
        "saas-simplified" => L::new("SaaS (simplified)", "SaaS (간편)"),
        "daas" => L::new("DaaS", "DaaS"),
        "paas" => L::new("PaaS", "PaaS"),
        "submitted" => L::new("submitted", "신청 접수"),
        "document-review" => L::new("document review", "서면 평가"),
        "on-site-evaluation" => L::new("on-site evaluation", "현장 평가"),
        "deliberation" => L::new("committee deliberation", "위원회 심의"),
        "approved" => L::new("approved", "승인"),
        "rejected" => L::new("rejected", "거부"),
        "withdrawn" => L::new("withdrawn", "철회"),
        "certified" => L::new("certified", "인증"),
        "eligible" => L::new("eligible", "이용 가능"),
        "evidence-needed" => L::new("evidence needed", "증빙 필요"),
        "not-eligible" => L::new("not eligible", "이용 불가"),
        "submit" => L::new("application submitted", "신청"),
        "start-document-review" => L::new("document review started", "서면 평가 시작"),
        "start-on-site-evaluation" => L::new("on-site evaluation started", "현장 평가 시작"),
        "record-finding" => L::new("finding recorded", "결함 기록"),
        "request-remediation" => L::new("remediation requested", "보완조치 요청"),
        "recheck-remediation" => L::new("remediation re-checked", "보완조치 재확인"),
        "submit-to-committee" => L::new("submitted to the committee", "위원회 회부"),
        "decide" => L::new("decided", "의결"),
        "issue-certificate" => L::new("certificate issued", "인증서 발급"),
        "approve" => L::new("approve", "찬성"),
        "reject" => L::new("reject", "반대"),
        "abstain" => L::new("abstain", "기권"),
        "employer" => L::new("employer", "소속 기관"),
        "competitor" => L::new("competitor", "경쟁사"),
        "consultant" => L::new("consultant", "자문"),
        "hearing" => L::new("hearing recorded", "청문 기록"),
        "revoke" => L::new("certificate revoked", "인증 취소"),
        "apply-for-renewal" => L::new("renewal applied for", "갱신 신청"),
        "grant-renewal" => L::new("renewal granted", "갱신 승인"),
        "refuse-renewal" => L::new("renewal refused", "갱신 거부"),
        "expire" => L::new("expired", "만료"),
        "withdraw" => L::new("application withdrawn", "신청 철회"),
        "surrender" => L::new("certificate surrendered", "인증 반납"),
        "import-certificate" => L::new(
            "certificate taken over from an earlier register",
            "이전 등록부의 인증서 이관",
        ),
        "follow-up" => L::new("follow-up evaluation", "사후평가"),
        "recorded" => L::new("recorded", "기록됨"),
        "skipped" => L::new("skipped", "건너뜀"),
        "overdue" => L::new("overdue", "기한 경과"),
        "open" => L::new("open", "진행 가능"),
        "not-yet" => L::new("not yet open", "시작 전"),
        "term-ended" => L::new("term ended", "인증 종료"),
        "not-on-record" => L::new("not on record (earlier register)", "기록 없음(이전 등록부)"),
        "on-site" => L::new("on-site", "현장평가"),
        "document-only" => L::new("document-only", "서면평가"),
        "designated" => L::new("designated", "지정"),
        "undesignated" => L::new("not designated", "미지정"),
        "certification" => L::new("certification agency", "인증기관"),
        "evaluation" => L::new("evaluation agency", "평가기관"),
        "industry" => L::new("industry", "산업계"),
        "academia" => L::new("academia", "학계"),
        "research-institute" => L::new("research institute", "연구기관"),
        "msit-recommended-official" => {
            L::new("MSIT-recommended official", "과기정통부 추천 공무원")
        }
        _ => return v.to_owned(),
    };
    l.get(lang).to_owned()
}

/// A two-column table of labelled values (already HTML).
pub fn kv_table(rows: &[(&str, String)]) -> String {
    let mut s = String::from("<table>");
    for (k, v) in rows {
        s.push_str(&format!("<tr><th>{k}</th><td>{v}</td></tr>"));
    }
    s.push_str("</table>");
    s
}

/// A status badge.
pub fn badge(lang: Lang, v: &str) -> String {
    format!(
        r#"<span class="st st-{}">{}</span>"#,
        esc(v),
        esc(&word(lang, v))
    )
}

/// The opening of a table with a header row: `<table><thead><tr>`, a `<th>` per label (already
/// HTML), and `<tbody>`; the caller adds the rows and `</tbody></table>`.
pub fn table_open(headers: &[&str]) -> String {
    let mut s = String::from("<table><thead><tr>");
    for h in headers {
        s.push_str("<th>");
        s.push_str(h);
        s.push_str("</th>");
    }
    s.push_str("</tr></thead><tbody>");
    s
}
