//! `kcvs audit verify` on a database written by the store, then edited behind its back, and
//! `kcvs cert verify` on a signed certificate.

use jiff::Timestamp;
use kcvs_registry::lifecycle::{CertificateRecord, ServiceType};
use kcvs_registry::signing::{CertificateDocument, DocumentStatus, sign_certificate};
use kcvs_store::{Begin, NewUser, OpenOptions, Store, StoredResponse};

use crate::{kcvs, stdout};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A store with three audited changes.
async fn seeded(path: &str) -> Store {
    let store = Store::open(OpenOptions::new(path)).await.unwrap();
    let now: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    for i in 0..3 {
        let Begin::Fresh(mut tx) = store.begin_write("setup", now, None).await.unwrap() else {
            panic!("replay");
        };
        tx.create_user(&NewUser {
            id: format!("usr-{i}"),
            username: format!("user{i}"),
            password_hash: "$argon2id$v=19$m=256,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                .to_owned(),
            role: "evaluator".to_owned(),
            provider: None,
            display_name: format!("User {i}"),
        })
        .await
        .unwrap();
        tx.commit(&StoredResponse {
            status: 201,
            body: String::new(),
        })
        .await
        .unwrap();
    }
    store
}

#[test]
fn audit_verify_finds_an_edited_row_and_a_deleted_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kcvs.db");
    let db = db.to_str().unwrap();
    let rt = runtime();
    let store = rt.block_on(seeded(db));

    let out = kcvs()
        .args(["audit", "verify", "--database", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("audit chain intact: 3 records"),
        "{}",
        stdout(&out)
    );

    use sqlx::Executor as _;
    rt.block_on(
        store
            .pool()
            .execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"),
    )
    .unwrap();
    let out = kcvs()
        .args(["audit", "verify", "--database", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "audit chain BROKEN at record 1: edited\n");

    rt.block_on(
        store
            .pool()
            .execute("UPDATE audit_log SET actor = 'setup' WHERE seq = 1"),
    )
    .unwrap();
    rt.block_on(store.pool().execute("DELETE FROM audit_log WHERE seq = 1"))
        .unwrap();
    let out = kcvs()
        .args(["audit", "verify", "--database", db, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["first_break"], 1);
    assert_eq!(v["kind"], "deleted");
    rt.block_on(store.close());

    let missing = dir.path().join("none.db");
    let out = kcvs()
        .args(["audit", "verify", "--database", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cert_verify_checks_signature_dates_and_status_offline() {
    let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let public = kcvs_server::keys::public_key_hex(&key.verifying_key());
    let d = |s: &str| s.parse().unwrap();
    let record = CertificateRecord {
        number: "CSAP-2026-0001".into(),
        application: "app-1".into(),
        provider: "acme".into(),
        service: "acme-iaas".into(),
        regime: "csap-2023".into(),
        scheme: "csap".into(),
        tier: "medium".into(),
        service_type: ServiceType::Iaas,
        scope: "IaaS".into(),
        host: None,
        issued: d("2026-04-20"),
        valid_from: d("2026-04-20"),
        valid_until: d("2031-04-19"),
        renews: None,
    };
    let doc = CertificateDocument::from_record(
        &record,
        "KISA",
        DocumentStatus::Active,
        None,
        d("2026-04-20"),
    );
    let signed = sign_certificate(doc, &key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cert.json");
    std::fs::write(&file, serde_json::to_string_pretty(&signed).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    let verify = |file: &str, as_of: &str| {
        kcvs()
            .args(["cert", "verify", file, "--key", &public, "--as-of", as_of])
            .output()
            .unwrap()
    };

    let out = verify(file, "2026-05-01");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("signature: ok") && stdout(&out).ends_with("verdict: VALID\n"),
        "{}",
        stdout(&out)
    );

    let out = verify(file, "2031-04-20");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("status: expired"), "{}", stdout(&out));

    // A forged tier breaks the signature.
    let forged = std::fs::read_to_string(file)
        .unwrap()
        .replace("\"medium\"", "\"high\"");
    let forged_file = dir.path().join("forged.json");
    std::fs::write(&forged_file, forged).unwrap();
    let out = verify(forged_file.to_str().unwrap(), "2026-05-01");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("signature: FAILED"),
        "{}",
        stdout(&out)
    );

    let out = kcvs()
        .args(["cert", "verify", file, "--key", "zz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// One HTTP/1.1 POST over a fresh connection; the status, or `None` if the server went away.
fn post(addr: &str, path: &str, token: &str, key: &str, body: &str) -> Option<(u16, String)> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .ok()?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split(' ').nth(1)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

/// No lost write: SIGKILL the server in the middle of a burst of writes; every write it
/// acknowledged is there after a restart, and the audit chain is intact.
#[test]
fn acknowledged_writes_survive_sigkill() {
    use std::io::BufRead as _;
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kcvs.db");
    let db = db.to_str().unwrap().to_owned();
    let rt = runtime();
    // A provider with an API token, written before the server starts.
    rt.block_on(async {
        let store = Store::open(OpenOptions::new(db.as_str())).await.unwrap();
        let now: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
        let Begin::Fresh(mut tx) = store.begin_write("setup", now, None).await.unwrap() else {
            panic!("replay");
        };
        tx.create_user(&NewUser {
            id: "usr-acme".to_owned(),
            username: "acme".to_owned(),
            password_hash: "x".to_owned(),
            role: "provider".to_owned(),
            provider: Some("acme".to_owned()),
            display_name: "ACME".to_owned(),
        })
        .await
        .unwrap();
        tx.create_api_token(
            &kcvs_store::ApiTokenRow {
                id: "tok-1".to_owned(),
                user_id: "usr-acme".to_owned(),
                name: "t".to_owned(),
                scopes: vec!["write".to_owned()],
                created_at: now.to_string(),
                expires_at: i64::MAX / 2,
            },
            &kcvs_store::sha256_hex(b"kcvs_kill_test"),
        )
        .await
        .unwrap();
        tx.commit(&StoredResponse {
            status: 200,
            body: String::new(),
        })
        .await
        .unwrap();
        store.close().await;
    });

    let bin = assert_cmd::cargo::cargo_bin("kcvs");
    let mut child = std::process::Command::new(bin)
        .args(["serve", "--database", &db, "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout_pipe = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout_pipe).lines();
    let addr = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix("listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // The server dates events today: use whichever binding regime takes applications now.
    let body_for = |regime: &str, i: usize| {
        format!(
            r#"{{"service": "svc-{i}", "regime": "{regime}", "tier": "low", "service_type": "iaas", "scope": "burst"}}"#
        )
    };
    let regime = ["csap-2023", "nis-2027"]
        .into_iter()
        .find(|r| {
            post(
                &addr,
                "/api/v1/applications",
                "kcvs_kill_test",
                &format!("probe-{r}"),
                &body_for(r, 999),
            )
            .is_some_and(|(s, _)| s == 201)
        })
        .expect("no regime takes applications today");
    let body = |i: usize| body_for(regime, i);
    let acked: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let acked = Arc::clone(&acked);
            let addr = addr.clone();
            let body = body(w);
            std::thread::spawn(move || {
                for i in 0..10_000 {
                    match post(
                        &addr,
                        "/api/v1/applications",
                        "kcvs_kill_test",
                        &format!("w{w}-{i}"),
                        &body,
                    ) {
                        Some((201, text)) => {
                            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                            acked
                                .lock()
                                .unwrap()
                                .push(v["id"].as_str().unwrap().to_owned());
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 5,
        "only {} writes before the kill",
        acked.len()
    );
    rt.block_on(async {
        let store = Store::open(OpenOptions::new(db.as_str())).await.unwrap();
        for id in &acked {
            assert!(
                store.application(id).await.unwrap().is_some(),
                "acknowledged {id} was lost"
            );
        }
        assert!(store.verify_audit().await.unwrap().is_ok());
        store.close().await;
    });
    let out = kcvs()
        .args(["audit", "verify", "--database", &db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// `--login-limit-per-address` is documented in the help and takes a count (0 turns the
/// per-address limit off behind a proxy); anything else is a usage error.
#[test]
fn the_login_limit_option_is_documented_and_checked() {
    let out = kcvs().args(["serve", "--help"]).output().unwrap();
    let help = stdout(&out);
    assert!(help.contains("--login-limit-per-address <N>"), "{help}");
    assert!(
        help.contains("reverse proxy") && help.contains("[default: 20]"),
        "{help}"
    );
    let out = kcvs()
        .args(["serve", "--login-limit-per-address", "many"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
