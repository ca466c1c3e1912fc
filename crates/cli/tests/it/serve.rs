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

    let out = kcvs()
        .args([
            "cert",
            "verify",
            file,
            "--key",
            &public,
            "--as-of",
            "2026-05-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("signature: ok") && stdout(&out).ends_with("verdict: VALID\n"),
        "{}",
        stdout(&out)
    );

    let out = kcvs()
        .args([
            "cert",
            "verify",
            file,
            "--key",
            &public,
            "--as-of",
            "2031-04-20",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("status: expired"), "{}", stdout(&out));

    // A forged tier breaks the signature.
    let forged = std::fs::read_to_string(file)
        .unwrap()
        .replace("\"medium\"", "\"high\"");
    let forged_file = dir.path().join("forged.json");
    std::fs::write(&forged_file, forged).unwrap();
    let out = kcvs()
        .args([
            "cert",
            "verify",
            forged_file.to_str().unwrap(),
            "--key",
            &public,
            "--as-of",
            "2026-05-01",
        ])
        .output()
        .unwrap();
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
