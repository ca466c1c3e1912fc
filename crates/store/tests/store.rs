//! The store's conformance suite: every test runs on SQLite (a temporary file) and, when
//! `KCVS_TEST_DATABASE_URL` is set, on PostgreSQL in a schema of its own.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a fixture that cannot be set up fails the test"
)]

use ed25519_dalek::SigningKey;
use jiff::Timestamp;
use kcvs_registry::audit::verify_chain;
use kcvs_registry::committee::{
    Affiliation, Choice, ConflictKind, Declaration, Member, QuorumRule, Vote,
};
use kcvs_registry::ctx::{Ctx, Policy};
use kcvs_registry::lifecycle::{
    Application, Event, EventKind, NewFinding, ServiceType, Severity, StateName,
};
use kcvs_registry::signing::{SignedCertificate, verify_certificate};
use kcvs_registry::translog::{TransparencyLog, verify_entry};
use kcvs_registry::{Date, DeliberationId, MemberId};
use kcvs_store::{Begin, Idem, OpenOptions, Signer, Store, StoreError, StoredResponse, WriteTx};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn ctx() -> Ctx {
    let rules = kcvs_content::load(&kcvs_content::builtin_files()).unwrap();
    let assumptions = kcvs_model::AssumptionSet::from_defaults(&rules.assumptions);
    let services = kcvs_engine::ServiceIndex::default();
    let decider = kcvs_engine::Decider::new(&rules, &assumptions, d("2026-01-01"), &services);
    Ctx::from_decider(&decider, Policy::default())
}

fn signer() -> Signer {
    Signer {
        key: SigningKey::from_bytes(&[7; 32]),
        issuer: "KISA (test)".to_owned(),
    }
}

/// A store per backend; the guard keeps the SQLite file alive.
struct Backend {
    store: Store,
    name: &'static str,
    _dir: Option<tempfile::TempDir>,
}

async fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kcvs.db");
    let sqlite = Store::open(OpenOptions::new(path.to_str().unwrap()))
        .await
        .unwrap();
    let mut out = vec![Backend {
        store: sqlite,
        name: "sqlite",
        _dir: Some(dir),
    }];
    if let Ok(url) = std::env::var("KCVS_TEST_DATABASE_URL") {
        let schema = fresh_schema(&url).await;
        let mut opts = OpenOptions::new(url);
        opts.pg_schema = Some(schema);
        out.push(Backend {
            store: Store::open(opts).await.unwrap(),
            name: "postgres",
            _dir: None,
        });
    }
    out
}

async fn fresh_schema(url: &str) -> String {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let mut bytes = [0u8; 8];
    getrandom_fill(&mut bytes);
    let schema = format!("t_{}", kcvs_registry::digest::hex_encode(&bytes));
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    pool.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await
        .unwrap();
    pool.close().await;
    schema
}

fn getrandom_fill(buf: &mut [u8]) {
    // The store's id generator draws from the OS; reuse it.
    let id = kcvs_store::new_id("x").unwrap();
    for (b, c) in buf.iter_mut().zip(id.bytes().skip(2)) {
        *b = c;
    }
}

fn now() -> Timestamp {
    "2026-06-01T01:00:00Z".parse().unwrap()
}

async fn begin(store: &Store, actor: &str, idem: Option<Idem>) -> WriteTx {
    match store.begin_write(actor, now(), idem).await.unwrap() {
        Begin::Fresh(tx) => tx,
        Begin::Replay(_) => panic!("unexpected replay"),
    }
}

fn ok() -> StoredResponse {
    StoredResponse {
        status: 200,
        body: "{}".to_owned(),
    }
}

fn application(id: &str) -> Application {
    Application {
        id: id.into(),
        provider: "acme".into(),
        service: "acme-iaas".into(),
        regime: "csap-2023".into(),
        tier: "medium".into(),
        service_type: ServiceType::Iaas,
        scope: "IaaS, Seoul".into(),
        host: None,
    }
}

async fn event(
    store: &Store,
    app: &str,
    date: &str,
    kind: EventKind,
) -> Result<StateName, StoreError> {
    let mut tx = begin(store, "eva", None).await;
    let s = tx
        .apply_event(app, Event::new(d(date), kind), &ctx(), &signer())
        .await?;
    tx.commit(&ok()).await?;
    Ok(s.name())
}

fn member(id: &str, a: Affiliation, conflict: Option<&str>) -> Member {
    Member {
        id: id.into(),
        name: id.to_uppercase(),
        affiliation: a,
        term_from: d("2026-01-01"),
        term_until: d("2027-12-31"),
        declarations: conflict
            .map(|p| Declaration {
                provider: p.into(),
                kind: ConflictKind::Employer,
                declared: d("2026-01-01"),
            })
            .into_iter()
            .collect(),
    }
}

#[tokio::test]
async fn lifecycle_to_a_signed_logged_certificate() {
    for b in backends().await {
        let s = &b.store;
        let ctx = ctx();
        let mut tx = begin(s, "acme-user", None).await;
        tx.submit_application(application("app-1"), d("2026-03-02"), &ctx)
            .await
            .unwrap();
        tx.commit(&ok()).await.unwrap();
        use EventKind as E;
        event(s, "app-1", "2026-03-03", E::StartDocumentReview)
            .await
            .unwrap();
        event(s, "app-1", "2026-03-10", E::StartOnSiteEvaluation)
            .await
            .unwrap();
        event(
            s,
            "app-1",
            "2026-03-11",
            E::RecordFinding(NewFinding {
                id: "f1".into(),
                severity: Severity::High,
                control: Some("9.2.a".into()),
                summary: "admin MFA missing".into(),
            }),
        )
        .await
        .unwrap();
        event(
            s,
            "app-1",
            "2026-03-12",
            E::RequestRemediation {
                finding: "f1".into(),
                due: d("2026-04-12"),
            },
        )
        .await
        .unwrap();
        // Illegal: the committee cannot sit while a remediation is open.
        let err = event(s, "app-1", "2026-03-13", E::SubmitToCommittee)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Transition(ref t) if t.code() == "remediation-open"),
            "{}: {err}",
            b.name
        );
        event(
            s,
            "app-1",
            "2026-04-01",
            E::RecheckRemediation {
                finding: "f1".into(),
                resolved: true,
                note: "MFA on".into(),
            },
        )
        .await
        .unwrap();
        event(s, "app-1", "2026-04-02", E::SubmitToCommittee)
            .await
            .unwrap();

        // The committee: five eligible members and one recused.
        let mut tx = begin(s, "admin", None).await;
        for m in [
            member("ind1", Affiliation::Industry, None),
            member("ind2", Affiliation::Industry, Some("acme")),
            member("aca1", Affiliation::Academia, None),
            member("res1", Affiliation::ResearchInstitute, None),
            member("gov1", Affiliation::MsitRecommendedOfficial, None),
            member("aca2", Affiliation::Academia, None),
        ] {
            tx.add_member(&m, None).await.unwrap();
        }
        let present: Vec<MemberId> = ["ind1", "ind2", "aca1", "res1", "gov1", "aca2"]
            .iter()
            .map(|m| MemberId::new(*m))
            .collect();
        tx.open_deliberation(
            &DeliberationId::new("sit-1"),
            "app-1",
            d("2026-04-10"),
            &present,
        )
        .await
        .unwrap();
        tx.commit(&ok()).await.unwrap();
        for m in ["ind1", "aca1", "res1", "gov1", "aca2"] {
            let mut tx = begin(s, m, None).await;
            tx.cast_vote(
                "sit-1",
                &Vote {
                    member: m.into(),
                    choice: Choice::Approve,
                    rationale: "report read".into(),
                },
            )
            .await
            .unwrap();
            tx.commit(&ok()).await.unwrap();
        }
        // The recused member cannot vote: to it, the sitting does not exist.
        let mut tx = begin(s, "ind2", None).await;
        let err = tx
            .cast_vote(
                "sit-1",
                &Vote {
                    member: "ind2".into(),
                    choice: Choice::Reject,
                    rationale: "no".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{}", b.name);
        drop(tx);
        let mut tx = begin(s, "admin", None).await;
        let (res, state) = tx
            .decide(
                "sit-1",
                d("2026-04-10"),
                &QuorumRule::default(),
                &ctx,
                &signer(),
            )
            .await
            .unwrap();
        tx.commit(&ok()).await.unwrap();
        assert_eq!(state.name(), StateName::Approved);
        assert_eq!(res.recused.len(), 1);

        let mut tx = begin(s, "admin", None).await;
        let number = tx.next_certificate_number("csap", 2026).await.unwrap();
        assert_eq!(number, "CSAP-2026-0001");
        tx.apply_event(
            "app-1",
            Event::new(
                d("2026-04-20"),
                E::IssueCertificate {
                    number: number.as_str().into(),
                },
            ),
            &ctx,
            &signer(),
        )
        .await
        .unwrap();
        tx.commit(&ok()).await.unwrap();

        let app = s.application("app-1").await.unwrap().unwrap();
        assert_eq!(app.state, "certified");
        assert_eq!(app.replay(&ctx).unwrap().name(), StateName::Certified);
        let cert = s.certificate(&number).await.unwrap().unwrap();
        assert_eq!(cert.valid_until, d("2031-04-19"));
        let signed: SignedCertificate =
            serde_json::from_str(cert.document.as_deref().unwrap()).unwrap();
        assert!(
            verify_certificate(&signed, &signer().key.verifying_key(), d("2026-05-01")).is_valid()
        );

        let log: TransparencyLog = s.transparency_log().await.unwrap();
        assert_eq!(log.len(), 1);
        let sth = log.sign_head(now(), &signer().key).unwrap();
        let proof = log.prove_inclusion(0, &sth.head).unwrap();
        assert!(verify_entry(
            &log.entries()[0],
            &proof,
            &sth,
            &signer().key.verifying_key()
        ));
        assert_eq!(log.entries()[0].document, signed.digest().unwrap());

        let records = s.audit_records().await.unwrap();
        verify_chain(&records).unwrap();
        assert!(records.len() > 15, "{}", records.len());
        assert_eq!(s.audit_head().await.unwrap().len, records.len() as u64);
    }
}

#[tokio::test]
async fn idempotency_replays_and_refuses_a_changed_request() {
    for b in backends().await {
        let s = &b.store;
        let idem = |h: &str| {
            Some(Idem {
                key: "k-1".to_owned(),
                request_sha256: h.to_owned(),
            })
        };
        let mut tx = begin(s, "acme-user", idem("aaa")).await;
        tx.submit_application(application("app-9"), d("2026-03-02"), &ctx())
            .await
            .unwrap();
        tx.commit(&StoredResponse {
            status: 201,
            body: "{\"id\":\"app-9\"}".to_owned(),
        })
        .await
        .unwrap();
        let audit_before = s.audit_head().await.unwrap();
        match s
            .begin_write("acme-user", now(), idem("aaa"))
            .await
            .unwrap()
        {
            Begin::Replay(r) => {
                assert_eq!((r.status, r.body.as_str()), (201, "{\"id\":\"app-9\"}"))
            }
            Begin::Fresh(_) => panic!("{}: expected a replay", b.name),
        }
        let err = s
            .begin_write("acme-user", now(), idem("bbb"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::IdempotencyMismatch));
        // Another actor's key is another key.
        assert!(matches!(
            s.begin_write("other", now(), idem("bbb")).await.unwrap(),
            Begin::Fresh(_)
        ));
        assert_eq!(s.audit_head().await.unwrap(), audit_before);
    }
}

#[tokio::test]
async fn a_refused_transition_changes_nothing() {
    for b in backends().await {
        let s = &b.store;
        let mut tx = begin(s, "acme-user", None).await;
        tx.submit_application(application("app-2"), d("2026-03-02"), &ctx())
            .await
            .unwrap();
        tx.commit(&ok()).await.unwrap();
        let head = s.audit_head().await.unwrap();
        let err = event(s, "app-2", "2026-03-03", EventKind::SubmitToCommittee)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Transition(ref t) if t.code() == "not-allowed"));
        assert_eq!(s.audit_head().await.unwrap(), head);
        assert_eq!(
            s.application("app-2").await.unwrap().unwrap().events.len(),
            1
        );
        // Unknown tier: the registry refuses the submission itself.
        let mut bad = application("app-3");
        bad.tier = "ultra".into();
        let mut tx = begin(s, "acme-user", None).await;
        let err = tx
            .submit_application(bad, d("2026-03-02"), &ctx())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Transition(ref t) if t.code() == "unknown-tier"));
        drop(tx);
        assert!(s.application("app-3").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn an_edited_audit_row_is_found() {
    use sqlx::Executor;
    for b in backends().await {
        let s = &b.store;
        for i in 0..3 {
            let mut tx = begin(s, "acme-user", None).await;
            tx.submit_application(application(&format!("app-{i}")), d("2026-03-02"), &ctx())
                .await
                .unwrap();
            tx.commit(&ok()).await.unwrap();
        }
        assert!(s.verify_audit().await.unwrap().is_ok());
        s.pool()
            .execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
            .await
            .unwrap();
        let err = s.verify_audit().await.unwrap().unwrap_err();
        assert_eq!(err.index, 1, "{}", b.name);
    }
}

#[tokio::test]
async fn agencies_follow_the_registry() {
    use kcvs_registry::agency::{
        AgencyEvent, AgencyEventKind, AgencyKind, Capacity, DiscretionaryGround,
    };
    for b in backends().await {
        let s = &b.store;
        let designate = |experts| AgencyEvent {
            date: d("2026-01-05"),
            kind: AgencyEventKind::Designate {
                agency: "kisa".into(),
                name: "KISA".into(),
                kind: AgencyKind::Certification,
                capacity: Capacity {
                    dedicated_unit: true,
                    dedicated_experts: experts,
                    security_measures: true,
                    financial_capacity: true,
                },
            },
        };
        let mut tx = begin(s, "admin", None).await;
        let err = tx.agency_event("kisa", designate(3)).await.unwrap_err();
        assert!(matches!(err, StoreError::Agency(_)));
        drop(tx);
        assert!(s.agency("kisa").await.unwrap().is_none(), "{}", b.name);
        let mut tx = begin(s, "admin", None).await;
        tx.agency_event("kisa", designate(4)).await.unwrap();
        tx.agency_event(
            "kisa",
            AgencyEvent {
                date: d("2026-02-01"),
                kind: AgencyEventKind::Suspend {
                    until: d("2026-05-01"),
                    ground: DiscretionaryGround::BreachedCriteria,
                },
            },
        )
        .await
        .unwrap();
        tx.commit(&ok()).await.unwrap();
        let a = s.agency("kisa").await.unwrap().unwrap();
        assert_eq!(a.state, "designated");
        assert!(!a.replay().unwrap().may_work(d("2026-03-01")));
    }
}
