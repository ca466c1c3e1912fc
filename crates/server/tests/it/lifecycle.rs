//! The happy path, end to end, through the API only.

use kcvs_registry::signing::{SignedCertificate, verify_certificate};
use kcvs_registry::translog::{InclusionProof, LogEntry, SignedTreeHead, verify_entry};
use serde_json::{Value, json};

use crate::{Res, TestApp, at};

on_each_backend!(apply_evaluate_deliberate_certify_publish);

async fn apply_evaluate_deliberate_certify_publish(t: TestApp) {
    // The provider applies.
    let app = t
        .ok(
            "/api/v1/applications",
            "acme",
            crate::application_body(),
            201,
        )
        .await;
    let id = app["id"].as_str().unwrap().to_owned();
    assert_eq!(app["state"], "submitted");
    let ev = format!("/api/v1/applications/{id}/events");
    // Not yet assigned: the evaluator does not see it.
    assert_eq!(
        t.post(&ev, Some("eva1"), json!({"type": "start-document-review"}))
            .await
            .status,
        404
    );
    t.ok(
        &format!("/api/v1/applications/{id}/evaluator"),
        "admin",
        json!({"evaluator": "usr-eva1"}),
        200,
    )
    .await;
    t.ok(&ev, "eva1", json!({"type": "start-document-review"}), 200)
        .await;
    t.ok(
        &ev,
        "eva1",
        json!({"type": "start-on-site-evaluation"}),
        200,
    )
    .await;
    // Findings and remediation.
    let v = t
        .ok(&format!("/api/v1/applications/{id}/findings"), "eva1",
            json!({"id": "f1", "severity": "high", "control": "9.2.a", "summary": "no MFA for administrators"}), 200)
        .await;
    assert_eq!(v["case"]["case"]["findings"][0]["id"], "f1");
    t.ok(
        &format!("/api/v1/applications/{id}/remediations"),
        "eva1",
        json!({"finding": "f1", "due": "2026-04-01"}),
        200,
    )
    .await;
    let refused = t
        .post(&ev, Some("eva1"), json!({"type": "submit-to-committee"}))
        .await;
    assert_eq!(
        (refused.status.as_u16(), refused.code().as_str()),
        (409, "remediation-open"),
        "{}",
        refused.text
    );
    assert_eq!(refused.headers["content-type"], "application/problem+json");
    t.clock.set(at("2026-03-20T02:00:00Z"));
    t.ok(
        &format!("/api/v1/applications/{id}/remediations/f1/recheck"),
        "eva1",
        json!({"resolved": true, "note": "MFA enforced"}),
        200,
    )
    .await;
    t.ok(&ev, "eva1", json!({"type": "submit-to-committee"}), 200)
        .await;

    // The committee sits with m2 present; m2 is recused automatically.
    t.clock.set(at("2026-04-10T01:00:00Z"));
    let sitting = t
        .ok(
            &format!("/api/v1/applications/{id}/deliberations"),
            "admin",
            json!({"present": ["m1", "m2", "m3", "m4", "m5", "m6"]}),
            201,
        )
        .await;
    let sid = sitting["id"].as_str().unwrap().to_owned();
    assert_eq!(
        sitting["recused"],
        json!([{"member": "m2", "kind": "employer"}])
    );
    // The recused member sees nothing of the file.
    assert_eq!(
        t.get(&format!("/api/v1/applications/{id}"), Some("m2"))
            .await
            .status,
        404
    );
    assert_eq!(
        t.get(&format!("/api/v1/applications/{id}/timeline"), Some("m2"))
            .await
            .status,
        404
    );
    assert_eq!(
        t.get(&format!("/api/v1/deliberations/{sid}"), Some("m2"))
            .await
            .status,
        404
    );
    let m2_vote = t
        .post(
            &format!("/api/v1/deliberations/{sid}/votes"),
            Some("m2"),
            json!({"choice": "reject", "rationale": "x"}),
        )
        .await;
    assert_eq!(m2_vote.status, 404);
    let listed = t.get("/api/v1/applications", Some("m2")).await.json();
    assert!(listed.as_array().unwrap().is_empty(), "{listed}");
    // The others see it and vote.
    assert_eq!(
        t.get(&format!("/api/v1/applications/{id}"), Some("m1"))
            .await
            .status,
        200
    );
    for m in ["m1", "m3", "m4", "m5", "m6"] {
        t.ok(
            &format!("/api/v1/deliberations/{sid}/votes"),
            m,
            json!({"choice": "approve", "rationale": "the evaluation report holds"}),
            201,
        )
        .await;
    }
    let decided = t
        .ok(
            &format!("/api/v1/deliberations/{sid}/decide"),
            "admin",
            json!({}),
            200,
        )
        .await;
    assert_eq!(decided["application_state"], "approved");
    assert_eq!(decided["deliberation"]["resolution"]["votes_for"], 5);

    // The certificate.
    t.clock.set(at("2026-04-20T01:00:00Z"));
    let issued = t
        .ok(&ev, "admin", json!({"type": "issue-certificate"}), 200)
        .await;
    assert_eq!(issued["state"], "certified");
    let number = issued["certificate"].as_str().unwrap().to_owned();
    assert_eq!(number, "CSAP-2026-0001");

    let doc = t.get(&format!("/api/v1/certificates/{number}"), None).await;
    assert_eq!(doc.status, 200);
    let signed: SignedCertificate = serde_json::from_str(&doc.text).unwrap();
    assert_eq!(signed.document.valid_until.to_string(), "2031-04-19");
    let keys = t.get("/api/v1/keys", None).await.json();
    let key = kcvs_server::keys::parse_public_key(keys["keys"][0]["public_key"].as_str().unwrap())
        .unwrap();
    assert!(verify_certificate(&signed, &key, "2026-05-01".parse().unwrap()).is_valid());

    // In the public registry, today and as of a day before issue.
    let reg = t
        .get("/api/v1/registry?tier=medium&type=iaas&status=active", None)
        .await
        .json();
    assert_eq!(reg["certificates"][0]["number"], number.as_str());
    let before = t
        .get("/api/v1/registry?as_of=2026-04-19", None)
        .await
        .json();
    assert_eq!(before["count"], 0);
    let csv = t.get("/api/v1/registry.csv", None).await;
    assert!(
        csv.text.lines().nth(1).unwrap().starts_with(&number),
        "{}",
        csv.text
    );
    let feed = t.get("/api/v1/registry/feed.json", None).await.json();
    assert_eq!(feed["items"][0]["title"], format!("{number} issue"));

    // In the transparency log, with a valid inclusion proof under a signed head.
    let inc = t
        .get(
            &format!("/api/v1/translog/inclusion?certificate={number}"),
            None,
        )
        .await
        .json();
    let entry: LogEntry = serde_json::from_value(inc["entry"].clone()).unwrap();
    let proof: InclusionProof = serde_json::from_value(inc["proof"].clone()).unwrap();
    let sth: SignedTreeHead = serde_json::from_value(inc["sth"].clone()).unwrap();
    assert!(verify_entry(&entry, &proof, &sth, &key));
    assert_eq!(entry.document, signed.digest().unwrap());

    // The timeline and the audit chain.
    let tl = t
        .get(&format!("/api/v1/applications/{id}/timeline"), Some("acme"))
        .await
        .json();
    let types: Vec<&str> = tl
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "submit",
            "start-document-review",
            "start-on-site-evaluation",
            "record-finding",
            "request-remediation",
            "recheck-remediation",
            "submit-to-committee",
            "decide",
            "issue-certificate"
        ]
    );
    let audit = t.get("/api/v1/audit/verify", Some("admin")).await.json();
    assert_eq!(audit["ok"], true, "{audit}");

    // Revocation needs a hearing first, and then shows in the registry and the log.
    let no = t
        .post(
            &ev,
            Some("admin"),
            json!({"type": "revoke", "ground": "fraud"}),
        )
        .await;
    assert_eq!(
        (no.status.as_u16(), no.code().as_str()),
        (409, "hearing-required")
    );
    t.hearing(&id).await;
    t.revoke(&id).await;
    let reg = t.get("/api/v1/registry?status=revoked", None).await.json();
    assert_eq!(reg["count"], 1);
    let sth2 = t.get("/api/v1/translog/sth", None).await.json();
    assert_eq!(sth2["head"]["tree_size"], 2);
    let cons = t
        .get("/api/v1/translog/consistency?first=1&second=2", None)
        .await
        .json();
    let proof: kcvs_registry::translog::ConsistencyProof =
        serde_json::from_value(cons["proof"].clone()).unwrap();
    let first: kcvs_registry::Digest = serde_json::from_value(cons["first_root"].clone()).unwrap();
    let second: kcvs_registry::Digest =
        serde_json::from_value(cons["second_root"].clone()).unwrap();
    assert!(kcvs_registry::translog::verify_consistency(
        &proof, &first, &second
    ));
    assert_eq!(first, sth.head.root_hash);
}

on_each_backend!(evaluator_assignment_follows_the_case);

/// The authority assigns an evaluator while an evaluation is ahead or a certificate is held (for
/// its follow-ups), and is refused once the evaluation is over or the case has closed; a refusal
/// writes nothing.
async fn evaluator_assignment_follows_the_case(t: TestApp) {
    let body = json!({"evaluator": "usr-eva1"});
    let refused = |res: &Res, state: &str| {
        assert_eq!(
            (res.status.as_u16(), res.code().as_str()),
            (409, "not-allowed"),
            "{}",
            res.text
        );
        let detail = res.json()["detail"].as_str().unwrap_or_default().to_owned();
        assert!(
            detail.contains("assign-evaluator") && detail.contains(state),
            "{detail}"
        );
    };

    // In deliberation the evaluation is over.
    let (deliberating, _) = t.application_in_deliberation().await;
    let path = format!("/api/v1/applications/{deliberating}/evaluator");
    let head = t.audit_head().await;
    refused(
        &t.post(&path, Some("admin"), body.clone()).await,
        "deliberation",
    );
    assert_eq!(t.audit_head().await, head, "a refusal writes nothing");

    // Certified: the yearly follow-ups need one.
    let (held, _) = t.certified().await;
    let path = format!("/api/v1/applications/{held}/evaluator");
    let view = t.ok(&path, "admin", body.clone(), 200).await;
    assert_eq!(view["state"], "certified", "{view}");

    // Revoked: no evaluation can come.
    t.hearing(&held).await;
    t.revoke(&held).await;
    let head = t.audit_head().await;
    refused(&t.post(&path, Some("admin"), body.clone()).await, "revoked");
    assert_eq!(t.audit_head().await, head, "a refusal writes nothing");
}

on_each_backend!(follow_up_years_show_open_overdue_and_skipped);

/// The application view lists each follow-up year of the term as it stands on the server's date:
/// open, then overdue once its year of validity is over, then skipped once a later year is
/// recorded first (assumption `registry.follow-up-due`).
async fn follow_up_years_show_open_overdue_and_skipped(t: TestApp) {
    let statuses = |view: &Value| -> Vec<String> {
        view["follow_up_years"]
            .as_array()
            .unwrap_or_else(|| panic!("{view}"))
            .iter()
            .map(|y| y["standing"]["status"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = t.before_the_committee().await;
    let view = t
        .get(&format!("/api/v1/applications/{before}"), Some("admin"))
        .await
        .json();
    assert_eq!(
        view["follow_up_years"],
        json!([]),
        "none before a certificate"
    );

    let (id, _) = t.certified().await;
    let path = format!("/api/v1/applications/{id}");
    let view = t.get(&path, Some("admin")).await.json();
    assert_eq!(statuses(&view), ["open", "not-yet", "not-yet", "not-yet"]);
    assert_eq!(view["follow_up_years"][0]["opens"], "2026-03-02");
    assert_eq!(view["follow_up_years"][0]["due_by"], "2027-03-01");

    t.clock.set(at("2027-04-01T01:00:00Z"));
    let view = t.get(&path, Some("admin")).await.json();
    assert_eq!(statuses(&view), ["overdue", "open", "not-yet", "not-yet"]);

    t.ok(
        &format!("{path}/events"),
        "eva1",
        json!({"type": "follow-up", "year": 2, "method": "on-site", "passed": true}),
        200,
    )
    .await;
    let view = t.get(&path, Some("admin")).await.json();
    assert_eq!(
        statuses(&view),
        ["skipped", "recorded", "not-yet", "not-yet"]
    );
    assert_eq!(view["follow_up_years"][0]["standing"]["later_year"], 2);
    assert_eq!(view["follow_up_years"][1]["standing"]["date"], "2027-04-01");
}
