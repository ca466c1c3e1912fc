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
use kcvs_registry::translog::{EntryKind, TransparencyLog, verify_entry};
use kcvs_registry::{Date, DeliberationId, MemberId};
use kcvs_store::{Begin, Idem, OpenOptions, Signer, Store, StoreError, StoredResponse, WriteTx};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn ctx() -> Ctx {
    ctx_with_nis_start(None)
}

/// The built-in rules, with the NIS start (`nis-2027.start`, the day CSAP stops taking
/// applications) moved to `nis_start` if given.
fn ctx_with_nis_start(nis_start: Option<&str>) -> Ctx {
    let rules = kcvs_content::load(&kcvs_content::builtin_files()).unwrap();
    let mut assumptions = kcvs_model::AssumptionSet::from_defaults(&rules.assumptions);
    if let Some(day) = nis_start {
        assert!(assumptions.set(
            &kcvs_model::AssumptionId::new("nis-2027.start"),
            kcvs_model::AssumptionValue::Date(d(day))
        ));
    }
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

/// A store per backend; the guard keeps the SQLite file alive, `opts` opens it again.
struct Backend {
    store: Store,
    name: &'static str,
    opts: OpenOptions,
    _dir: Option<tempfile::TempDir>,
}

async fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kcvs.db");
    let opts = OpenOptions::new(path.to_str().unwrap());
    let mut out = vec![Backend {
        store: Store::open(opts.clone()).await.unwrap(),
        name: "sqlite",
        opts,
        _dir: Some(dir),
    }];
    if let Some(opts) = postgres().await {
        out.push(Backend {
            store: Store::open(opts.clone()).await.unwrap(),
            name: "postgres",
            opts,
            _dir: None,
        });
    }
    out
}

/// A schema of its own on the test PostgreSQL, if `KCVS_TEST_DATABASE_URL` names one.
async fn postgres() -> Option<OpenOptions> {
    let url = std::env::var("KCVS_TEST_DATABASE_URL").ok()?;
    let mut opts = OpenOptions::new(url.clone());
    opts.pg_schema = Some(kcvs_store::create_isolated_schema(&url).await.unwrap());
    Some(opts)
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
        // Applications, findings, the committee: none of it is in the public registry yet.
        assert_eq!(s.registry_generation().await.unwrap(), 0, "{}", b.name);

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

        assert_eq!(s.registry_generation().await.unwrap(), 1, "{}", b.name);

        // The provider surrenders the certificate: the log records it like any other end.
        let state = event(
            s,
            "app-1",
            "2026-09-01",
            E::Surrender {
                reason: "service discontinued".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(state, StateName::Surrendered);
        assert_eq!(s.registry_generation().await.unwrap(), 2, "{}", b.name);
        let log = s.transparency_log().await.unwrap();
        assert_eq!(log.len(), 2, "{}", b.name);
        let leaf = &log.entries()[1];
        assert_eq!(leaf.kind, EntryKind::Surrender);
        assert_eq!(
            (leaf.certificate.as_str(), leaf.effective),
            (number.as_str(), d("2026-09-01"))
        );
        let cert = s.certificate(&number).await.unwrap().unwrap();
        let signed: SignedCertificate =
            serde_json::from_str(cert.document.as_deref().unwrap()).unwrap();
        assert_eq!(leaf.document, signed.digest().unwrap());
        let sth = log.sign_head(now(), &signer().key).unwrap();
        let proof = log.prove_inclusion(1, &sth.head).unwrap();
        assert!(verify_entry(
            leaf,
            &proof,
            &sth,
            &signer().key.verifying_key()
        ));

        // Reopen under another assumption: the NIS start moved before this application was
        // filed, so CSAP would refuse it today. Recorded history still loads and verifies; only
        // new transitions meet the new rules.
        let later = ctx_with_nis_start(Some("2026-03-01"));
        let reopened = Store::open(b.opts.clone()).await.unwrap();
        let app = reopened.application("app-1").await.unwrap().unwrap();
        assert_eq!(
            app.replay(&later).unwrap().name(),
            StateName::Surrendered,
            "{}",
            b.name
        );
        assert!(reopened.verify_audit().await.unwrap().is_ok());
        assert_eq!(reopened.transparency_log().await.unwrap().len(), 2);
        let mut tx = begin(&reopened, "acme-user", None).await;
        let err = tx
            .submit_application(application("app-late"), d("2026-03-02"), &later)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Transition(ref t) if t.code() == "regime-closed"),
            "{}: {err}",
            b.name
        );
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

/// A certificate issued outside the lifecycle, to import (it is signed and logged).
fn imported(number: &str) -> kcvs_store::CertificateRow {
    use kcvs_registry::{CertificateNumber, ProviderId, RegimeRef, SchemeRef, ServiceRef};
    kcvs_store::CertificateRow {
        number: CertificateNumber::new(number),
        application: None,
        provider: ProviderId::new("acme"),
        service: ServiceRef::new(format!("svc-{number}")),
        regime: RegimeRef::new("csap-2023"),
        scheme: SchemeRef::new("csap"),
        tier: Some("medium".to_owned()),
        service_type: ServiceType::Iaas,
        scope: "IaaS".to_owned(),
        host: None,
        issued: d("2025-01-10"),
        valid_from: d("2025-01-10"),
        valid_until: d("2030-01-09"),
        renews: None,
        ended_on: None,
        end_cause: None,
        document: None,
        source: "imported".to_owned(),
    }
}

/// One writer's share of the concurrent test: its own application taken one step, a finding
/// on the shared application, and an imported certificate; each in its own transaction.
async fn writer(store: Store, who: String) {
    let ctx = ctx();
    let mut tx = begin(&store, &who, None).await;
    tx.submit_application(application(&format!("app-{who}")), d("2026-03-02"), &ctx)
        .await
        .unwrap();
    tx.commit(&ok()).await.unwrap();
    event(
        &store,
        &format!("app-{who}"),
        "2026-03-03",
        EventKind::StartDocumentReview,
    )
    .await
    .unwrap();
    event(
        &store,
        "app-shared",
        "2026-03-04",
        EventKind::RecordFinding(NewFinding {
            id: format!("f-{who}").as_str().into(),
            severity: Severity::Low,
            control: None,
            summary: format!("found by {who}"),
        }),
    )
    .await
    .unwrap();
    let mut tx = begin(&store, &who, None).await;
    tx.import_certificate(
        &imported(&format!("IMP-{who}")),
        d("2026-03-04"),
        &ctx,
        &signer(),
    )
    .await
    .unwrap();
    tx.commit(&ok()).await.unwrap();
}

/// Two `Store`s on one PostgreSQL database, as two server processes would be, writing at once
/// (also to the same application): every acknowledged write is there, the audit chain verifies,
/// and the transparency log holds every leaf once, in a consistent tree. On SQLite, one store's
/// concurrent writers go through its single-writer queue.
#[tokio::test]
async fn concurrent_writers_keep_the_chains_whole() {
    const WRITERS_PER_STORE: usize = 6;
    let mut setups = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = OpenOptions::new(dir.path().join("kcvs.db").to_str().unwrap());
    setups.push(("sqlite", sqlite));
    if let Some(pg) = postgres().await {
        setups.push(("postgres", pg));
    }
    for (name, opts) in setups {
        let first = Store::open(opts.clone()).await.unwrap();
        // SQLite is one writer per file: a second process would wait on `busy_timeout`, which
        // is not fair under load, so there one store's writers race through its queue.
        let second = if name == "postgres" {
            Store::open(opts.clone()).await.unwrap()
        } else {
            first.clone()
        };
        let mut tx = begin(&first, "acme-user", None).await;
        tx.submit_application(application("app-shared"), d("2026-03-02"), &ctx())
            .await
            .unwrap();
        tx.commit(&ok()).await.unwrap();
        event(
            &first,
            "app-shared",
            "2026-03-03",
            EventKind::StartDocumentReview,
        )
        .await
        .unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..WRITERS_PER_STORE {
            tasks.spawn(writer(first.clone(), format!("a{i}")));
            tasks.spawn(writer(second.clone(), format!("b{i}")));
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
        let who: Vec<String> = (0..WRITERS_PER_STORE)
            .flat_map(|i| [format!("a{i}"), format!("b{i}")])
            .collect();
        for s in [&first, &second] {
            assert!(s.verify_audit().await.unwrap().is_ok(), "{name}");
            for w in &who {
                let app = s.application(&format!("app-{w}")).await.unwrap().unwrap();
                assert_eq!(
                    app.replay(&ctx()).unwrap().name(),
                    StateName::DocumentReview
                );
            }
            let shared = s.application("app-shared").await.unwrap().unwrap();
            assert_eq!(shared.events.len(), 2 + who.len(), "{name}");
            let seqs: Vec<u64> = shared.events.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>());
            let case = shared.replay(&ctx()).unwrap();
            let findings = &case.case().unwrap().findings;
            assert_eq!(findings.len(), who.len(), "{name}");
            // Every leaf once, in a tree that rebuilds from the stored entries.
            let log = s.transparency_log().await.unwrap();
            let mut logged: Vec<&str> = log
                .entries()
                .iter()
                .map(|e| e.certificate.as_str())
                .collect();
            logged.sort_unstable();
            let mut expected: Vec<String> = who.iter().map(|w| format!("IMP-{w}")).collect();
            expected.sort_unstable();
            assert_eq!(logged, expected, "{name}");
            assert!(
                log.entries()
                    .windows(2)
                    .all(|w| w[0].logged_at <= w[1].logged_at)
            );
            let shared_log = s.transparency_log_shared().await.unwrap();
            assert_eq!(
                shared_log.tree().root(log.len()).unwrap(),
                log.tree().root(log.len()).unwrap()
            );
        }
        // Every certificate written moved the registry generation once: no bump was lost to
        // a concurrent one, on either store.
        for s in [&first, &second] {
            assert_eq!(
                s.registry_generation().await.unwrap(),
                who.len() as i64,
                "{name}"
            );
        }
        // Each audit record names the one before it; the chain is as long as the writes made.
        let records = first.audit_records().await.unwrap();
        verify_chain(&records).unwrap();
        let submits = records
            .iter()
            .filter(|r| r.action == "application.submit")
            .count();
        assert_eq!(submits, 1 + who.len(), "{name}");
        first.close().await;
        second.close().await;
    }
}

/// Two copies of one request (same actor, key and body), sent at once to two stores on one
/// database: one write, and both answered with the same stored response.
#[tokio::test]
async fn concurrent_copies_of_a_request_write_once() {
    for b in backends().await {
        let second = Store::open(b.opts.clone()).await.unwrap();
        let idem = Idem {
            key: "same-key".to_owned(),
            request_sha256: "same-body".to_owned(),
        };
        let send = |store: Store, idem: Idem| async move {
            match store.begin_write("acme-user", now(), Some(idem)).await? {
                Begin::Replay(r) => Ok::<_, StoreError>((false, r)),
                Begin::Fresh(mut tx) => {
                    tx.submit_application(application("app-once"), d("2026-03-02"), &ctx())
                        .await?;
                    let r = StoredResponse {
                        status: 201,
                        body: "{\"id\":\"app-once\"}".to_owned(),
                    };
                    tx.commit(&r).await?;
                    Ok((true, r))
                }
            }
        };
        let head = b.store.audit_head().await.unwrap();
        let (x, y) = tokio::join!(
            send(b.store.clone(), idem.clone()),
            send(second.clone(), idem.clone())
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_ne!(x.0, y.0, "{}: exactly one of the two writes", b.name);
        assert_eq!(x.1, y.1, "{}", b.name);
        let app = b.store.application("app-once").await.unwrap().unwrap();
        assert_eq!(app.events.len(), 1);
        let after = b.store.audit_head().await.unwrap();
        assert_eq!(after.len, head.len + 1, "{}: one audit record", b.name);
        second.close().await;
    }
}

/// A key is remembered for the retention, then forgotten: the same key is a new request (even
/// one whose event carries the same key as an earlier event), and the purge deletes the record.
/// Time is passed in, never slept.
#[tokio::test]
async fn idempotency_keys_expire_and_are_purged() {
    use kcvs_store::IdempotencyRetention;
    for b in backends().await {
        let s = &b.store;
        let t0 = now();
        let hours = |h: i64| t0.checked_add(jiff::SignedDuration::from_hours(h)).unwrap();
        let idem = Some(Idem {
            key: "k-exp".to_owned(),
            request_sha256: "body".to_owned(),
        });
        let mut tx = begin(s, "acme-user", None).await;
        tx.submit_application(application("app-exp"), d("2026-03-02"), &ctx())
            .await
            .unwrap();
        tx.commit(&ok()).await.unwrap();
        let review = |at: Timestamp| {
            let idem = idem.clone();
            async move {
                match s.begin_write("eva", at, idem).await.unwrap() {
                    Begin::Replay(r) => Some(r),
                    Begin::Fresh(mut tx) => {
                        tx.apply_event(
                            "app-exp",
                            Event::new(
                                d("2026-03-03"),
                                EventKind::RecordFinding(NewFinding {
                                    id: format!("f-{}", at.as_second()).as_str().into(),
                                    severity: Severity::Low,
                                    control: None,
                                    summary: "x".into(),
                                }),
                            ),
                            &ctx(),
                            &signer(),
                        )
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                        tx.commit(&ok()).await.unwrap();
                        None
                    }
                }
            }
        };
        event(s, "app-exp", "2026-03-03", EventKind::StartDocumentReview)
            .await
            .unwrap();
        assert!(review(t0).await.is_none(), "first: a write");
        assert!(
            review(hours(23)).await.is_some(),
            "{}: within 24 h: a replay",
            b.name
        );
        assert!(
            review(hours(24)).await.is_none(),
            "{}: at 24 h: a new write",
            b.name
        );
        let app = s.application("app-exp").await.unwrap().unwrap();
        assert_eq!(app.events.len(), 4, "{}: two findings", b.name);
        // The purge deletes only what has expired.
        assert_eq!(s.purge_idempotency(hours(30)).await.unwrap(), 0);
        assert_eq!(
            s.purge_idempotency(hours(49)).await.unwrap(),
            1,
            "{}",
            b.name
        );
        assert!(review(hours(49)).await.is_none(), "purged: a new write");

        // The retention is configurable.
        let mut opts = b.opts.clone();
        opts.idempotency_retention = "1h".parse::<IdempotencyRetention>().unwrap();
        let short = Store::open(opts).await.unwrap();
        let key = Some(Idem {
            key: "k-short".to_owned(),
            request_sha256: "body".to_owned(),
        });
        for (at, replay) in [(t0, false), (hours(0), true), (hours(1), false)] {
            match short.begin_write("eva", at, key.clone()).await.unwrap() {
                Begin::Replay(_) => assert!(replay, "{}", b.name),
                Begin::Fresh(tx) => {
                    assert!(!replay, "{}", b.name);
                    tx.commit(&ok()).await.unwrap();
                }
            }
        }
        assert!("0s".parse::<IdempotencyRetention>().is_err());
    }
}

/// The expiry sweep's list: certificates past their term, still recorded in force, on a case,
/// and not succeeded by a renewal (whose own term is what lapses next).
#[tokio::test]
async fn lapsed_certificates_leave_out_ended_renewed_and_caseless_ones() {
    // CSAP still takes renewals in 2030 only if the NIS verification has not replaced it.
    let ctx = ctx_with_nis_start(Some("2040-01-01"));
    for b in backends().await {
        let s = &b.store;
        let mut tx = begin(s, "admin", None).await;
        for (app, number) in [
            ("app-renewed", "CSAP-2026-0001"),
            ("app-lapsing", "CSAP-2026-0002"),
            ("app-surrendered", "CSAP-2026-0003"),
        ] {
            let import = EventKind::ImportCertificate {
                application: application(app),
                number: number.into(),
                issued: d("2026-01-05"),
                valid_until: d("2031-01-04"),
            };
            tx.import_certified_case(Event::new(d("2026-01-05"), import), &ctx, &signer())
                .await
                .unwrap();
        }
        // A record with no case (a pre-tier or earlier register's certificate).
        tx.import_certificate(&imported("OLD-0001"), d("2026-01-05"), &ctx, &signer())
            .await
            .unwrap();
        tx.commit(&ok()).await.unwrap();
        let step = |app: &'static str, date: &'static str, kind: EventKind| {
            let ctx = ctx.clone();
            async move {
                let mut tx = begin(s, "admin", None).await;
                tx.apply_event(app, Event::new(d(date), kind), &ctx, &signer())
                    .await
                    .unwrap();
                tx.commit(&ok()).await.unwrap();
            }
        };
        step("app-renewed", "2030-06-01", EventKind::ApplyForRenewal).await;
        step(
            "app-renewed",
            "2030-07-01",
            EventKind::GrantRenewal {
                number: "CSAP-2030-0001".into(),
            },
        )
        .await;
        step(
            "app-surrendered",
            "2027-01-01",
            EventKind::Surrender {
                reason: "closed".into(),
            },
        )
        .await;

        let lapsed = |on: &'static str| async move {
            s.lapsed_certificates(d(on))
                .await
                .unwrap()
                .into_iter()
                .map(|l| (l.number, l.application, l.valid_until.to_string()))
                .collect::<Vec<_>>()
        };
        let owned = |n: &str, a: &str, u: &str| (n.to_owned(), a.to_owned(), u.to_owned());
        assert!(lapsed("2031-01-04").await.is_empty(), "{}", b.name);
        assert_eq!(
            lapsed("2031-01-05").await,
            [owned("CSAP-2026-0002", "app-lapsing", "2031-01-04")],
            "{}",
            b.name
        );
        assert_eq!(
            lapsed("2036-01-05").await,
            [
                owned("CSAP-2026-0002", "app-lapsing", "2031-01-04"),
                owned("CSAP-2030-0001", "app-renewed", "2036-01-04"),
            ],
            "{}",
            b.name
        );
    }
}

/// Start a sign-in attempt in a transaction of its own, as the server does before it checks the
/// password: `Ok(())` counted, `Err(wait)` refused.
async fn attempt(
    store: &Store,
    id: &str,
    account: &str,
    address: &str,
    at: i64,
) -> Result<(), u64> {
    use kcvs_store::LoginSubject::{Account, Address};
    let mut tx = begin(store, "anonymous", None).await;
    let started = tx
        .start_login_attempt(id, &[(Account(account), 2), (Address(address), 3)], 100, at)
        .await
        .unwrap();
    tx.commit(&ok()).await.unwrap();
    started
}

#[tokio::test]
async fn login_failures_slide_and_a_success_takes_its_own_back() {
    for b in backends().await {
        let s = &b.store;
        let ip = "192.0.2.1";
        assert_eq!(attempt(s, "1", "a", ip, 0).await, Ok(()), "{}", b.name);
        assert_eq!(attempt(s, "2", "a", ip, 10).await, Ok(()));
        // Two failures: the account waits until the first leaves the window.
        assert_eq!(attempt(s, "3", "a", ip, 20).await, Err(80), "{}", b.name);
        assert_eq!(attempt(s, "4", "a", ip, 100).await, Ok(()));
        // The address now has three failures (0 fell out; 10, 100 and one for `b`)...
        assert_eq!(attempt(s, "5", "b", ip, 101).await, Ok(()));
        assert_eq!(attempt(s, "6", "c", ip, 102).await, Err(8), "{}", b.name);
        // ...until `b` turns out to succeed: its own failure is taken back.
        let mut tx = begin(s, "usr-b", None).await;
        tx.login_succeeded("5", "b").await.unwrap();
        tx.commit(&ok()).await.unwrap();
        assert_eq!(attempt(s, "7", "c", ip, 103).await, Ok(()), "{}", b.name);
        // The purge forgets what is out of the window.
        let mut tx = begin(s, "system", None).await;
        assert_eq!(
            tx.purge_login_failures(1000 - 100).await.unwrap(),
            8,
            "{}",
            b.name
        );
        tx.commit(&ok()).await.unwrap();
        assert_eq!(attempt(s, "8", "a", ip, 1000).await, Ok(()));
    }
}
