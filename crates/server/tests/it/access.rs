//! Every route by every role. A cell is `A` (allowed past authentication and authorisation: any
//! status but 401, 403 and 404), `U` (401), `F` (403) or `N` (404: the caller may not know the
//! file exists).
//!
//! Columns: public, acme (the applicant), other (another provider), eva1 (assigned evaluator),
//! eva2 (not assigned), m1 (committee member), m2 (member recused: employed by acme), admin.

use axum::http::Method;
use serde_json::{Value, json};

use crate::{Req, TestApp};

const ROLES: [Option<&str>; 8] = [
    None,
    Some("acme"),
    Some("other"),
    Some("eva1"),
    Some("eva2"),
    Some("m1"),
    Some("m2"),
    Some("admin"),
];

fn label(r: Option<&str>) -> &str {
    r.unwrap_or("public")
}

async fn cell(
    t: &TestApp,
    method: &Method,
    path: &str,
    body: &Option<Value>,
    who: Option<&str>,
) -> char {
    let req = match (method, body) {
        (&Method::GET, _) => Req::get(path, who),
        (&Method::DELETE, _) => Req {
            method: Method::DELETE,
            ..Req::get(path, who)
        },
        (_, Some(b)) => Req::post(path, who, b.clone()),
        (_, None) => Req::post(path, who, json!({})),
    };
    let res = t.send(req).await;
    match res.status.as_u16() {
        401 => 'U',
        403 => 'F',
        404 => 'N',
        500..=599 => panic!("{method} {path} as {}: {}", label(who), res.text),
        _ => 'A',
    }
}

on_each_backend!(every_route_by_every_role);

async fn every_route_by_every_role(t: TestApp) {
    let (app, sitting) = t.application_in_deliberation().await;
    // A second application, assigned to nobody, not yet before the committee.
    let other_app = t.apply().await;
    // One designated agency and one imported certificate in the log.
    t.ok(
        "/api/v1/agencies",
        "admin",
        json!({"id": "kisa", "name": "KISA", "kind": "certification",
               "capacity": {"dedicated_unit": true, "dedicated_experts": 5, "security_measures": true, "financial_capacity": true}}),
        201,
    )
    .await;
    let profile = include_str!("../../../../examples/services/hanbit-gov-iaas.yaml");
    let system = json!({"id": "s", "name": "s", "institution": {"kind": "local-government", "name": "x"},
                        "sector": "general", "data": ["personal"]});
    // An API token of the applicant's, to revoke (its own bearer token must keep working).
    let tok = t
        .ok(
            "/api/v1/auth/tokens",
            "acme",
            json!({"name": "ci", "scopes": ["read"], "expires_in_days": 1}),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = |s: &str| {
        s.replace("{app}", &app)
            .replace("{tok}", &tok)
            .replace("{other_app}", &other_app)
            .replace("{sit}", &sitting)
    };
    // (method, path, body, expected by column)
    let rows: Vec<(Method, String, Option<Value>, &str)> = vec![
        (Method::GET, p("/api/v1/openapi.json"), None, "AAAAAAAA"),
        (Method::GET, p("/api/v1/registry"), None, "AAAAAAAA"),
        (
            Method::GET,
            p("/api/v1/registry.csv?tier=medium"),
            None,
            "AAAAAAAA",
        ),
        (
            Method::GET,
            p("/api/v1/registry/feed.json"),
            None,
            "AAAAAAAA",
        ),
        (Method::GET, p("/api/v1/keys"), None, "AAAAAAAA"),
        (Method::GET, p("/api/v1/translog/sth"), None, "AAAAAAAA"),
        (Method::GET, p("/api/v1/translog/entries"), None, "AAAAAAAA"),
        (
            Method::GET,
            p("/api/v1/translog/consistency?first=0"),
            None,
            "AAAAAAAA",
        ),
        (Method::GET, p("/api/v1/agencies"), None, "AAAAAAAA"),
        (Method::GET, p("/api/v1/agencies/kisa"), None, "AAAAAAAA"),
        (Method::GET, p("/api/v1/services"), None, "AAAAAAAA"),
        (
            Method::POST,
            p("/api/v1/eligibility"),
            Some(system),
            "AAAAAAAA",
        ),
        (Method::GET, p("/api/v1/auth/me"), None, "UAAAAAAA"),
        (
            Method::POST,
            p("/api/v1/auth/tokens"),
            Some(json!({"name": "t", "scopes": ["read"], "expires_in_days": 1})),
            "UAAAAAAA",
        ),
        (Method::GET, p("/api/v1/tokens"), None, "UAAAAAAA"),
        // Only the owner and the authority may revoke; anyone else is told it does not exist.
        (Method::DELETE, p("/api/v1/tokens/{tok}"), None, "UANNNNNA"),
        (
            Method::POST,
            p("/api/v1/users"),
            Some(
                json!({"username": "u", "password": "password-long", "role": "evaluator", "display_name": "U"}),
            ),
            "UFFFFFFA",
        ),
        (Method::GET, p("/api/v1/applications"), None, "UAAAAAAA"),
        (
            Method::POST,
            p("/api/v1/applications"),
            Some(crate::application_body()),
            "UAAFFFFF",
        ),
        (
            Method::GET,
            p("/api/v1/applications/{app}"),
            None,
            "UANANANA",
        ),
        (
            Method::GET,
            p("/api/v1/applications/{app}/timeline"),
            None,
            "UANANANA",
        ),
        (
            Method::GET,
            p("/api/v1/applications/{other_app}"),
            None,
            "UANNNNNA",
        ),
        // An evaluator's event: only the assigned evaluator gets past authorisation (then 409,
        // as the file is already before the committee).
        (
            Method::POST,
            p("/api/v1/applications/{app}/events"),
            Some(json!({"type": "start-document-review"})),
            "UFNANFNF",
        ),
        (
            Method::POST,
            p("/api/v1/applications/{app}/findings"),
            Some(json!({"id": "f9", "severity": "low", "control": null, "summary": "s"})),
            "UFNANFNF",
        ),
        (
            Method::POST,
            p("/api/v1/applications/{app}/remediations"),
            Some(json!({"finding": "f9", "due": "2026-12-01"})),
            "UFNANFNF",
        ),
        (
            Method::POST,
            p("/api/v1/applications/{app}/remediations/f9/recheck"),
            Some(json!({"resolved": true, "note": "n"})),
            "UFNANFNF",
        ),
        // The applicant's event (refused by the registry in deliberation? no: withdraw is
        // allowed there, so use surrender, which is not).
        (
            Method::POST,
            p("/api/v1/applications/{app}/events"),
            Some(json!({"type": "surrender", "reason": "r"})),
            "UANFNFNF",
        ),
        // The authority's event.
        (
            Method::POST,
            p("/api/v1/applications/{app}/events"),
            Some(json!({"type": "expire"})),
            "UFNFNFNA",
        ),
        (
            Method::POST,
            p("/api/v1/applications/{app}/evaluator"),
            Some(json!({"evaluator": "usr-eva1"})),
            "UFFFFFFA",
        ),
        (
            Method::POST,
            p("/api/v1/services"),
            Some(json!({"profile": profile})),
            "UAAFFFFA",
        ),
        (
            Method::GET,
            p("/api/v1/committee/members"),
            None,
            "UFFFFAAA",
        ),
        (
            Method::POST,
            p("/api/v1/committee/members"),
            Some(
                json!({"id": "m9", "name": "M9", "affiliation": "academia", "term_from": "2026-01-01", "term_until": "2026-12-31", "user": null}),
            ),
            "UFFFFFFA",
        ),
        (
            Method::POST,
            p("/api/v1/committee/members/m1/declarations"),
            Some(json!({"provider": "zeta", "kind": "consultant"})),
            "UFFFFAFA",
        ),
        (
            Method::POST,
            p("/api/v1/applications/{app}/deliberations"),
            Some(json!({"present": ["m1"]})),
            "UFFFFFFA",
        ),
        (Method::GET, p("/api/v1/deliberations"), None, "UFFFFAAA"),
        (
            Method::GET,
            p("/api/v1/deliberations/{sit}"),
            None,
            "UFFFFANA",
        ),
        (
            Method::POST,
            p("/api/v1/deliberations/{sit}/votes"),
            Some(json!({"choice": "approve", "rationale": "read the report"})),
            "UFFFFANF",
        ),
        (
            Method::POST,
            p("/api/v1/agencies"),
            Some(
                json!({"id": "tta", "name": "TTA", "kind": "evaluation", "capacity": {"dedicated_unit": true, "dedicated_experts": 4, "security_measures": true, "financial_capacity": true}}),
            ),
            "UFFFFFFA",
        ),
        (
            Method::POST,
            p("/api/v1/agencies/kisa/suspend"),
            Some(json!({"until": "2026-06-01", "ground": "breached-criteria"})),
            "UFFFFFFA",
        ),
        (
            Method::POST,
            p("/api/v1/agencies/kisa/events"),
            Some(json!({"type": "record-work"})),
            "UFFFFFFA",
        ),
        (
            Method::POST,
            p("/api/v1/agencies/kisa/revoke"),
            Some(json!({"ground": {"kind": "discretionary", "ground": "breached-criteria"}})),
            "UFFFFFFA",
        ),
        (Method::GET, p("/api/v1/audit/head"), None, "UFFFFFFA"),
        (Method::GET, p("/api/v1/audit/verify"), None, "UFFFFFFA"),
        // Last: the decision changes the file for everyone.
        (
            Method::POST,
            p("/api/v1/deliberations/{sit}/decide"),
            Some(json!({})),
            "UFFFFFFA",
        ),
    ];
    let mut failures = Vec::new();
    let mut routes_seen = std::collections::BTreeSet::new();
    for (method, path, body, expected) in &rows {
        routes_seen.insert(format!(
            "{method} {}",
            path.split('?').next().unwrap_or(path)
        ));
        for (who, want) in ROLES.iter().zip(expected.chars()) {
            let got = cell(&t, method, path, body, *who).await;
            if got != want {
                failures.push(format!(
                    "{method} {path} as {}: expected {want}, got {got}",
                    label(*who)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every route of the OpenAPI document is in the table (login, logout and the remaining
    // translog proofs are covered in `requests` and `lifecycle`).
    let doc = kcvs_server::openapi();
    let covered_elsewhere = [
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/translog/inclusion",
        "/api/v1/certificates/{number}",
    ];
    for (path, _) in doc.paths.paths.iter() {
        if covered_elsewhere.contains(&path.as_str()) {
            continue;
        }
        let pattern = path
            .replace("{id}", "")
            .replace("{finding}", "")
            .replace("{number}", "");
        let hit = routes_seen.iter().any(|r| {
            let r = r.split_once(' ').map_or(r.as_str(), |(_, p)| p);
            strip_ids(r) == strip_ids(&pattern)
        });
        assert!(hit, "route {path} is missing from the access table");
    }
}

/// `/api/v1/applications/app-123/events` → `/api/v1/applications//events`.
fn strip_ids(p: &str) -> String {
    p.split('/')
        .map(|seg| {
            if seg.starts_with("app-")
                || seg.starts_with("sit-")
                || seg.starts_with("tok-")
                || seg == "kisa"
                || seg == "m1"
                || seg == "f9"
            {
                ""
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
