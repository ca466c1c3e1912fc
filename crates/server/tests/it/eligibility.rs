//! `/api/v1/eligibility` keeps the parsed service profiles between requests: the answers must
//! be those of a server that parses everything afresh, before and after a profile changes.

use kcvs_server::app;
use serde_json::{Value, json};

use crate::{Res, TestApp, test_app};

const HANBIT: &str = include_str!("../../../../examples/services/hanbit-gov-iaas.yaml");
const ORBIT: &str = include_str!("../../../../examples/services/orbit-iaas.yaml");

fn system() -> Value {
    json!({"id": "s", "name": "s", "institution": {"kind": "local-government", "name": "x"},
           "sector": "general", "data": ["personal"]})
}

async fn ask(app: &axum::Router, as_of: &str) -> Res {
    use tower::ServiceExt as _;
    let req = axum::http::Request::post(format!("/api/v1/eligibility?as_of={as_of}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(system().to_string()))
        .unwrap();
    crate::sessions::res_of(app.clone().oneshot(req).await.unwrap()).await
}

/// The same store and rules behind a new state, whose cache is empty.
fn fresh(t: &TestApp) -> axum::Router {
    let s = &t.state;
    app(crate::server(
        s.store().clone(),
        s.rules().clone(),
        s.assumptions().clone(),
        t.clock.clone(),
    ))
}

#[tokio::test]
async fn cached_profiles_give_the_answers_of_a_fresh_parse() {
    let t = test_app().await;
    for p in [HANBIT, ORBIT] {
        t.ok("/api/v1/services", "admin", json!({"profile": p}), 201)
            .await;
    }
    let first = ask(&t.app, "2026-03-02").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(t.state.profiles().len(), 2);
    let again = ask(&t.app, "2026-03-02").await;
    assert_eq!(again.text, first.text);
    assert_eq!(ask(&fresh(&t), "2026-03-02").await.text, first.text);
    // What blocks Hanbit (the registry holds no certificate of it, so at least that).
    let blockers = |r: &Res| -> Vec<String> {
        r.json()["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == "hanbit-gov-iaas")
            .unwrap()["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(blockers(&first), ["no-certificate"]);

    // The provider moves its data abroad: the next answer sees it, as a fresh parse does.
    let moved = HANBIT.replace("data_locations: [KR]", "data_locations: [US]");
    assert_ne!(moved, HANBIT);
    t.ok("/api/v1/services", "admin", json!({"profile": moved}), 201)
        .await;
    let after = ask(&t.app, "2026-03-02").await;
    assert_ne!(after.text, first.text, "the change shows");
    assert!(blockers(&after).len() > 1, "{:?}", blockers(&after));
    assert_eq!(ask(&fresh(&t), "2026-03-02").await.text, after.text);
    assert_eq!(t.state.profiles().len(), 2);
}
