//! `kcvs serve` records expiries itself: a certificate whose term ran out is expired on the day
//! after its last valid day, logged once in the transparency log, by whichever of several server
//! processes sweeps first.

use kcvs_registry::translog::EntryKind;
use kcvs_server::expiry::{EXPIRY_ACTOR, Sweep, record_expiries};

use crate::{TestApp, at};

on_each_backend!(a_lapsed_certificate_is_expired_once_on_the_day_after_its_term);

async fn a_lapsed_certificate_is_expired_once_on_the_day_after_its_term(t: TestApp) {
    let (_, number) = t.certified().await;
    let cert = t.state.store().certificate(&number).await.unwrap().unwrap();
    let last_day = cert.valid_until;
    assert_eq!(last_day.to_string(), "2031-03-01");

    // On its last valid day (in Korea) there is nothing to do.
    t.clock.set(at("2031-03-01T14:00:00Z"));
    assert_eq!(record_expiries(&t.state).await.unwrap(), Sweep::default());

    // Nine days later, two processes sweep at once: one records it, dated the day after the term.
    t.clock.set(at("2031-03-10T00:00:00Z"));
    let (other, _) = t.other_process().await;
    let (a, b) = tokio::join!(record_expiries(&t.state), record_expiries(&other));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.failed.is_empty() && b.failed.is_empty(), "{a:?} {b:?}");
    let mut expired = [a.expired, b.expired].concat();
    expired.sort();
    assert_eq!(expired, std::slice::from_ref(&number));

    let reg = t.get("/api/v1/registry", None).await.json();
    assert_eq!(reg["certificates"][0]["status"], "expired", "{reg}");
    assert_eq!(reg["certificates"][0]["ended_on"], "2031-03-02");
    let log = t.state.store().transparency_log().await.unwrap();
    let ends: Vec<_> = log
        .entries()
        .iter()
        .filter(|e| e.certificate.as_str() == number)
        .map(|e| (e.kind, e.effective.to_string()))
        .collect();
    assert_eq!(
        ends,
        [
            (EntryKind::Issue, "2026-03-02".to_owned()),
            (EntryKind::Expiry, "2031-03-02".to_owned())
        ]
    );
    let records = t.state.store().audit_records().await.unwrap();
    assert!(
        records
            .iter()
            .any(|r| r.actor == EXPIRY_ACTOR && r.subject == number),
        "the audit chain names the sweep"
    );

    // Once recorded, a later sweep writes nothing.
    let head = t.audit_head().await;
    assert_eq!(record_expiries(&t.state).await.unwrap(), Sweep::default());
    assert_eq!(t.audit_head().await, head);
    assert!(t.state.store().verify_audit().await.unwrap().is_ok());
}
