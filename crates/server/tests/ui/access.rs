//! The pages and forms added for the rest of the lifecycle, by every role, as the API's
//! `tests/it/access.rs` does for routes. A cell is `A` (let through: any status but 401, 403
//! and 404), `U` (401), `F` (403) or `N` (404: the caller may not know the file exists).
//!
//! Columns: public, gaon (the demo application's applicant), hanbit (another provider),
//! evaluator1 (assigned to it), evaluator2 (not), member1 (no sitting on it), admin.
//! Every post is one the registry refuses or that changes nothing that matters, so the rows do
//! not depend on their order.

use axum::http::StatusCode;

use crate::{Got, Ui, ui_app};

const USERS: [Option<&str>; 7] = [
    None,
    Some("gaon-provider"),
    Some("hanbit-provider"),
    Some("evaluator1"),
    Some("evaluator2"),
    Some("member1"),
    Some("admin"),
];

fn cell(got: &Got) -> char {
    match got.status {
        StatusCode::UNAUTHORIZED => 'U',
        StatusCode::FORBIDDEN => 'F',
        StatusCode::NOT_FOUND => 'N',
        _ => 'A',
    }
}

async fn row(
    t: &Ui,
    cookies: &[Option<String>],
    method: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> String {
    let mut out = String::new();
    for c in cookies {
        let got = match method {
            "GET" => t.get(path, c.as_deref()).await,
            _ => t.post(path, c.as_deref(), fields).await,
        };
        out.push(cell(&got));
    }
    out
}

/// Method, path, form fields, the expected cells.
type Row = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

#[tokio::test]
async fn new_pages_and_forms_by_role() {
    let t = ui_app().await;
    let mut cookies = Vec::new();
    for u in USERS {
        cookies.push(match u {
            Some(u) => Some(t.login(u).await),
            None => None,
        });
    }
    let demo = "/applications/app-demo-gaon/events";
    let table: Vec<Row> = vec![
        ("GET", "/agencies", vec![], "AAAAAAA"),
        ("GET", "/agencies/kisa", vec![], "AAAAAAA"),
        ("GET", "/services", vec![], "AAAAAAA"),
        ("GET", "/committee", vec![], "UFFFFAA"),
        (
            "POST",
            "/agencies",
            vec![
                ("id", "x"),
                ("name", "x"),
                ("kind", "evaluation"),
                ("dedicated_experts", "3"),
            ],
            "UFFFFFA",
        ),
        (
            "POST",
            "/agencies/kisa/suspend",
            vec![("until", "2026-01-02"), ("ground", "breached-criteria")],
            "UFFFFFA",
        ),
        (
            "POST",
            "/agencies/kisa/revoke",
            vec![("ground", "mandatory:worked-while-suspended")],
            "UFFFFFA",
        ),
        (
            "POST",
            "/agencies/kisa/events",
            vec![("type", "expire")],
            "UFFFFFA",
        ),
        (
            "POST",
            "/committee/declarations",
            vec![
                ("member", "member3"),
                ("provider", "nobody"),
                ("kind", "employer"),
            ],
            "UFFFFFA",
        ),
        ("POST", "/services", vec![("profile", "id: [")], "UAAFFFA"),
        (
            "POST",
            demo,
            vec![("type", "hearing"), ("ground", "fraud"), ("record", "x")],
            "UFNFNNA",
        ),
        (
            "POST",
            demo,
            vec![("type", "revoke"), ("ground", "fraud")],
            "UFNFNNA",
        ),
        (
            "POST",
            demo,
            vec![("type", "surrender"), ("reason", "x")],
            "UANFNNF",
        ),
        ("POST", demo, vec![("type", "apply-for-renewal")], "UANFNNF"),
        (
            "POST",
            demo,
            vec![
                ("type", "follow-up"),
                ("follow_up", "1:on-site"),
                ("passed", "true"),
            ],
            "UFNANNF",
        ),
    ];
    let mut wrong = Vec::new();
    for (method, path, fields, want) in &table {
        let got = row(&t, &cookies, method, path, fields).await;
        if got != *want {
            wrong.push(format!(
                "{method} {path} {fields:?}: want {want}, got {got}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Nothing above changed the demo application.
    let admin = cookies[6].as_deref();
    let page = t.get("/applications/app-demo-gaon", admin).await;
    assert!(page.text.contains("st-submitted"), "{}", page.text);
}
