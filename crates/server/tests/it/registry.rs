//! The registry keeps built pages while the registry generation stands still. A page served
//! from the cache must be the page a fresh read gives, in this process and in another process
//! on the same database that issues and revokes certificates behind this one's back.

use axum::Router;
use serde_json::Value;

use crate::{Res, TestApp};

on_each_backend!(another_process_sees_every_certificate_change_at_once);

async fn read(app: &Router, path: &str) -> Res {
    use tower::ServiceExt as _;
    let req = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .unwrap();
    crate::sessions::res_of(app.clone().oneshot(req).await.unwrap()).await
}

fn numbers_and_status(page: &Value) -> Vec<(String, String)> {
    page["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["number"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The same page from the writing process, from the cached reader, and from a third server
/// that has cached nothing.
async fn agree(t: &TestApp, reader: &Router, path: &str) -> Vec<(String, String)> {
    let cached = read(reader, path).await;
    assert_eq!(cached.status, 200, "{}", cached.text);
    let (_, fresh) = t.other_process().await;
    assert_eq!(read(&fresh, path).await.text, cached.text, "{path}");
    assert_eq!(read(&t.app, path).await.text, cached.text, "{path}");
    numbers_and_status(&cached.json())
}

async fn another_process_sees_every_certificate_change_at_once(t: TestApp) {
    let (reader_state, reader) = t.other_process().await;
    let all = "/api/v1/registry";
    let active = "/api/v1/registry?status=active";
    let revoked = "/api/v1/registry?status=revoked";
    let before_issue = "/api/v1/registry?as_of=2026-03-01";
    for _ in 0..2 {
        for p in [all, active, revoked, before_issue] {
            assert!(agree(&t, &reader, p).await.is_empty(), "{p}");
        }
    }
    // Read twice, kept once per query.
    assert_eq!(reader_state.registry_pages().len(), 4);

    // The other process issues a certificate: the reader's next page shows it.
    let (id, number) = t.certified().await;
    let issued = vec![(number.clone(), "active".to_owned())];
    assert_eq!(agree(&t, &reader, all).await, issued);
    assert_eq!(reader_state.registry_pages().len(), 1, "the old pages went");
    assert_eq!(agree(&t, &reader, active).await, issued);
    assert!(agree(&t, &reader, revoked).await.is_empty());
    assert!(agree(&t, &reader, before_issue).await.is_empty());
    let csv = read(&reader, "/api/v1/registry.csv").await;
    assert!(csv.text.lines().nth(1).unwrap().starts_with(&number));

    // A hearing writes no certificate: the pages stay.
    t.hearing(&id).await;
    assert_eq!(reader_state.registry_pages().len(), 4);
    assert_eq!(agree(&t, &reader, active).await, issued);

    // The revocation shows at once, in every filter.
    t.revoke(&id).await;
    let gone = vec![(number.clone(), "revoked".to_owned())];
    assert_eq!(agree(&t, &reader, all).await, gone);
    assert!(agree(&t, &reader, active).await.is_empty());
    assert_eq!(agree(&t, &reader, revoked).await, gone);
    let csv = read(&reader, "/api/v1/registry.csv").await;
    assert!(csv.text.contains(",revoked,"), "{}", csv.text);
}
