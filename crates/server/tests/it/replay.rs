//! Recorded history loads whatever the current rules say: the store replays stored events as
//! facts, and only new transitions meet the rules in force.

use std::sync::Arc;

use kcvs_model::{AssumptionId, AssumptionSet, AssumptionValue};
use kcvs_server::app;

use crate::{TestApp, application_body};

on_each_backend!(history_loads_after_the_nis_start_moves);

/// An application filed under the default NIS start (2027-07-01), then the server restarted
/// with `--assume nis-2027.start=2026-01-01`: CSAP closed before the application was filed.
async fn history_loads_after_the_nis_start_moves(t: TestApp) {
    let id = t.apply().await;

    let rules = kcvs_content::load(&kcvs_content::builtin_files()).unwrap();
    let mut assumptions = AssumptionSet::from_defaults(&rules.assumptions);
    assert!(assumptions.set(
        &AssumptionId::new("nis-2027.start"),
        AssumptionValue::Date("2026-01-01".parse().unwrap())
    ));
    let state = crate::server(
        t.state.store().clone(),
        rules,
        assumptions,
        Arc::clone(&t.clock),
    );
    let moved = TestApp {
        app: app(state.clone()),
        state,
        clock: Arc::clone(&t.clock),
        opts: t.opts.clone(),
        _dir: None,
    };

    let r = moved
        .get(&format!("/api/v1/applications/{id}"), Some("acme"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["state"], "submitted", "{}", r.text);
    let events = format!("/api/v1/applications/{id}/events");
    // A new application meets today's rules: CSAP no longer takes them.
    let refused = moved
        .post("/api/v1/applications", Some("acme"), application_body())
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.text);
    assert!(refused.text.contains("regime-closed"), "{}", refused.text);
    // The recorded case goes on through its structural steps.
    moved
        .ok(
            &format!("/api/v1/applications/{id}/evaluator"),
            "admin",
            serde_json::json!({"evaluator": "usr-eva1"}),
            200,
        )
        .await;
    moved
        .ok(
            &events,
            "eva1",
            serde_json::json!({"type": "start-document-review"}),
            200,
        )
        .await;
    assert!(moved.state.store().verify_audit().await.unwrap().is_ok());
}
