//! The certificate's life after issue through the forms: follow-up evaluations (assigned
//! evaluator), hearings and revocation (authority), renewal, surrender and withdrawal (provider),
//! by role and in both languages.

use crate::{at, form_with, ui_app, ui_app_with};

/// Revocation is offered only after a hearing that established the ground; a crafted post
/// before it is refused with the registry's reason in the page's language; only the authority
/// may record either; the registry then shows the certificate revoked.
#[tokio::test]
async fn the_authority_revokes_only_after_a_hearing() {
    let t = ui_app().await;
    let (app, number) = t.certified("hanbit-provider", "hanbit-gov-iaas").await;
    let admin = t.login("admin").await;
    // From the registry's certificate page to the file: for the authority and the holder only.
    let link = format!(r#"<a href="{app}">"#);
    let cert = format!("/certificates/{number}");
    assert!(t.get(&cert, Some(&admin)).await.text.contains(&link));
    let holder = t.login("hanbit-provider").await;
    assert!(t.get(&cert, Some(&holder)).await.text.contains(&link));
    let gaon = t.login("gaon-provider").await;
    assert!(!t.get(&cert, Some(&gaon)).await.text.contains(&link));
    assert!(!t.get(&cert, None).await.text.contains(&link));
    let page = t.get(&app, Some(&admin)).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Record the hearing"), "{}", page.text);
    assert_eq!(form_with(&page.text, r#"value="revoke""#), "");
    assert!(page.text.contains("No hearing has established one yet"));
    let ko = t.get(&format!("{app}?lang=ko"), Some(&admin)).await;
    assert!(
        ko.text.contains("청문 기록") && ko.text.contains("아직 사유를 인정한 청문이 없습니다")
    );

    // Nobody but the authority records a hearing or a revocation.
    let p = t.login("hanbit-provider").await;
    let own = t.get(&app, Some(&p)).await;
    assert_eq!(form_with(&own.text, r#"value="hearing""#), "");
    let hearing = [
        ("type", "hearing"),
        ("ground", "fraud"),
        ("established", "true"),
        ("record", "H-1"),
    ];
    let ev = t.login("evaluator1").await;
    let other = t.login("gaon-provider").await;
    // member1 sat on the file; member2 (hanbit's employee) is recused and may not see it.
    let m1 = t.login("member1").await;
    let m2 = t.login("member2").await;
    for (who, status) in [(&p, 403), (&ev, 403), (&m1, 403), (&other, 404), (&m2, 404)] {
        let r = t.post(&format!("{app}/events"), Some(who), &hearing).await;
        assert_eq!(r.status, status, "{}", r.text);
    }
    assert_eq!(
        t.post(&format!("{app}/events"), None, &hearing)
            .await
            .status,
        401
    );
    let ko = t
        .post_ko(&format!("{app}/events"), Some(&p), &hearing)
        .await;
    assert_eq!(ko.status, 403);
    assert!(
        ko.text.contains("이 작업을 할 수 있는 역할이 아닙니다"),
        "{}",
        ko.text
    );

    // A crafted revocation before any hearing: refused, said in both languages.
    let revoke = [("type", "revoke"), ("ground", "fraud")];
    let r = t
        .post(&format!("{app}/events"), Some(&admin), &revoke)
        .await;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("hearing-required"));
    assert!(r.text.contains("needs a prior hearing"), "{}", r.text);
    let r = t
        .post_ko(&format!("{app}/events"), Some(&admin), &revoke)
        .await;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("청문이 먼저 있어야"), "{}", r.text);

    // A hearing that did not establish the ground opens nothing.
    let r = t
        .post(
            &format!("{app}/events"),
            Some(&admin),
            &[
                ("type", "hearing"),
                ("ground", "criteria-no-longer-met"),
                ("record", "H-0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&app, Some(&admin)).await;
    assert_eq!(form_with(&page.text, r#"value="revoke""#), "");
    assert!(page.text.contains("H-0"));

    // One that established fraud opens revocation on that ground only, and makes it mandatory.
    let r = t
        .post(&format!("{app}/events"), Some(&admin), &hearing)
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&app, Some(&admin)).await;
    let form = form_with(&page.text, r#"value="revoke""#);
    assert!(form.contains(r#"value="fraud""#), "{}", page.text);
    assert!(!form.contains("criteria-no-longer-met"));
    assert!(page.text.contains("revocation is mandatory"));
    // The provider may no longer renew or surrender, and is told why.
    let own = t.get(&format!("{app}?lang=ko"), Some(&p)).await;
    assert_eq!(form_with(&own.text, r#"value="apply-for-renewal""#), "");
    assert_eq!(form_with(&own.text, r#"value="surrender""#), "");
    assert!(own.text.contains("부정 취득이 인정되어"), "{}", own.text);

    let r = t
        .post(&format!("{app}/events"), Some(&admin), &revoke)
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&app, Some(&admin)).await;
    assert!(page.text.contains("st-revoked"));
    assert!(page.text.contains("obtained by fraud"));
    assert!(
        !page.text.contains("Renewal deadline"),
        "no deadline once revoked"
    );
    assert_eq!(form_with(&page.text, r#"value="hearing""#), "");
    let en = t.get("/registry?status=revoked", None).await;
    assert!(en.text.contains(&number), "{}", en.text);
    let ko = t.get("/registry?status=revoked&lang=ko", None).await;
    let row = &ko.text[ko.text.find(&number).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains(r#"<span class="st st-revoked">취소</span>"#),
        "{row}"
    );
    assert!(
        !t.get("/registry?status=active", None)
            .await
            .text
            .contains(&number)
    );
}

/// The renewal deadline is on the page; renewal is taken before it and refused after it with
/// the reason, in both languages. CSAP is kept open past the deadline (NIS start moved), so the
/// refusal is the deadline's and not the regime's.
#[tokio::test]
async fn renewal_before_the_deadline_and_refused_after_it() {
    let t = ui_app_with(&[("nis-2027.start", "2040-01-01")]).await;
    let (app, _) = t.certified("gaon-provider", "gaon-iaas-aes").await;
    // Issued 2026-03-02, valid to 2031-03-01: apply at least six months before, by 2030-09-01.
    let p = t.login("gaon-provider").await;
    let page = t.get(&app, Some(&p)).await;
    assert!(
        page.text.contains("2026-03-02 – 2031-03-01"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Apply for renewal by <b>2030-09-01</b>"));
    let ko = t.get(&format!("{app}?lang=ko"), Some(&p)).await;
    assert!(ko.text.contains("갱신 신청 기한") && ko.text.contains("2030-09-01"));
    assert_ne!(form_with(&page.text, r#"value="apply-for-renewal""#), "");

    // Only the applicant applies; once pending, the authority decides and a second is refused.
    let admin = t.login("admin").await;
    let renew = [("type", "apply-for-renewal")];
    assert_eq!(
        t.post(&format!("{app}/events"), Some(&admin), &renew)
            .await
            .status,
        403
    );
    let r = t.post(&format!("{app}/events"), Some(&p), &renew).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&app, Some(&p)).await;
    assert!(page.text.contains("Renewal applied for"));
    assert!(
        page.text
            .contains("A renewal application is already pending since 2026-03-02")
    );
    let r = t.post_ko(&format!("{app}/events"), Some(&p), &renew).await;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("renewal-pending") && r.text.contains("이미 처리 중"));
    let a = t.get(&app, Some(&admin)).await;
    assert!(a.text.contains("Grant the renewal") && a.text.contains("Refuse the renewal"));
    let r = t
        .post(
            &format!("{app}/events"),
            Some(&admin),
            &[("type", "refuse-renewal"), ("reason", "scope changed")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);

    // The day after the deadline: no form, the reason instead; a crafted post is refused.
    t.clock.set(at("2030-09-02T01:00:00Z"));
    let p = t.login("gaon-provider").await;
    let page = t.get(&app, Some(&p)).await;
    assert_eq!(form_with(&page.text, r#"value="apply-for-renewal""#), "");
    assert!(
        page.text.contains("the last day was 2030-09-01"),
        "{}",
        page.text
    );
    let r = t.post_ko(&format!("{app}/events"), Some(&p), &renew).await;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("renewal-too-late"));
    assert!(r.text.contains("마지막 신청일은 2030-09-01"), "{}", r.text);
}

/// The applicant withdraws an application and surrenders a certificate; nobody else may.
#[tokio::test]
async fn the_provider_withdraws_and_surrenders() {
    let t = ui_app().await;
    let gaon = t.login("gaon-provider").await;
    let hanbit = t.login("hanbit-provider").await;
    let admin = t.login("admin").await;
    let demo = "/applications/app-demo-gaon";
    let page = t.get(demo, Some(&gaon)).await;
    assert_ne!(form_with(&page.text, r#"value="withdraw""#), "");
    let a = t.get(demo, Some(&admin)).await;
    assert_eq!(form_with(&a.text, r#"value="withdraw""#), "");
    let withdraw = [("type", "withdraw"), ("reason", "scope to be redrawn")];
    assert_eq!(
        t.post(&format!("{demo}/events"), Some(&hanbit), &withdraw)
            .await
            .status,
        404
    );
    assert_eq!(
        t.post(&format!("{demo}/events"), Some(&admin), &withdraw)
            .await
            .status,
        403
    );
    let r = t
        .post(&format!("{demo}/events"), Some(&gaon), &withdraw)
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&format!("{demo}?lang=ko"), Some(&gaon)).await;
    assert!(page.text.contains("st-withdrawn") && page.text.contains("신청 철회"));
    assert_eq!(form_with(&page.text, r#"value="withdraw""#), "");
    // Withdrawn is final: a second one is refused with the state named in Korean.
    let r = t
        .post_ko(&format!("{demo}/events"), Some(&gaon), &withdraw)
        .await;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("신청이 철회 상태일 때는"), "{}", r.text);

    let (app, number) = t.certified("hanbit-provider", "hanbit-gov-iaas").await;
    let hanbit = t.login("hanbit-provider").await;
    let page = t.get(&app, Some(&hanbit)).await;
    assert_ne!(form_with(&page.text, r#"value="surrender""#), "");
    let surrender = [("type", "surrender"), ("reason", "service retired")];
    let admin = t.login("admin").await;
    assert_eq!(
        t.post(&format!("{app}/events"), Some(&admin), &surrender)
            .await
            .status,
        403
    );
    let r = t
        .post(&format!("{app}/events"), Some(&hanbit), &surrender)
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&app, Some(&hanbit)).await;
    assert!(page.text.contains("surrendered: service retired"));
    let reg = t.get("/registry?status=surrendered", None).await;
    assert!(reg.text.contains(&number));
}

/// The assigned evaluator records the yearly follow-up: the form offers only the years open on
/// the calendar and document-only only where the policy allows it (an IaaS: on-site only, with
/// the registry's reason); once year 1 is recorded the form gives way to the reason year 2 must
/// wait, in both languages, and a crafted post is refused; a year later it opens. Nobody else
/// gets the form or may post it.
#[tokio::test]
async fn the_assigned_evaluator_records_follow_ups() {
    let t = ui_app().await;
    let (app, _) = t.certified("hanbit-provider", "hanbit-gov-iaas").await;
    let ev = t.login("evaluator1").await;
    let page = t.get(&app, Some(&ev)).await;
    let form = form_with(&page.text, r#"value="follow-up""#);
    assert!(form.contains(r#"value="1:on-site""#), "{}", page.text);
    assert!(!form.contains("document-only") && !form.contains(r#"value="2:"#));
    assert!(
        page.text
            .contains("A document-only follow-up is allowed only for saas-standard, saas-simplified in years 1, 3, 4"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("No follow-up evaluation recorded for this term.")
    );
    // Where each year stands, with the assumption behind the due dates.
    assert!(
        page.text.contains("Follow-up years")
            && page
                .text
                .contains(r#"<span class="st st-open">open</span>"#)
            && page.text.contains("registry.follow-up-due"),
        "{}",
        page.text
    );
    let ko = t.get(&format!("{app}?lang=ko"), Some(&ev)).await;
    assert!(ko.text.contains("사후평가 기록") && ko.text.contains("서면 사후평가는"));
    assert!(ko.text.contains("연차별 사후평가") && ko.text.contains("진행 가능"));
    for who in ["admin", "hanbit-provider"] {
        let c = t.login(who).await;
        let p = t.get(&app, Some(&c)).await;
        assert_eq!(form_with(&p.text, r#"value="follow-up""#), "", "{who}");
    }
    let year1 = [
        ("type", "follow-up"),
        ("follow_up", "1:on-site"),
        ("passed", "true"),
        ("finding_id", "F-1"),
        ("finding_severity", "medium"),
        ("finding_control", "9.2.a"),
        ("finding_summary", "log retention short"),
    ];
    let admin = t.login("admin").await;
    let ev2 = t.login("evaluator2").await;
    let hanbit = t.login("hanbit-provider").await;
    for (who, status) in [(&admin, 403), (&hanbit, 403), (&ev2, 404)] {
        let r = t.post(&format!("{app}/events"), Some(who), &year1).await;
        assert_eq!(r.status, status, "{}", r.text);
    }
    let r = t.post(&format!("{app}/events"), Some(&ev), &year1).await;
    assert_eq!(r.status, 303, "{}", r.text);

    let page = t.get(&app, Some(&hanbit)).await;
    let table = &page.text[page.text.find("Follow-up evaluations").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains("<td>1</td><td>2026-03-02</td><td>on-site</td>")
            && table.contains("passed")
            && table.contains("log retention short"),
        "{table}"
    );
    assert!(
        page.text
            .contains("follow-up evaluation · year 1 · on-site · passed"),
        "{}",
        page.text
    );
    let ko = t.get(&format!("{app}?lang=ko"), Some(&ev)).await;
    assert!(
        ko.text.contains("사후평가 · 연차 1 · 현장평가 · 적합"),
        "{}",
        ko.text
    );
    assert!(
        ko.text
            .contains("2차 사후평가는 2027-03-02 전에 할 수 없습니다"),
        "{}",
        ko.text
    );
    let page = t.get(&app, Some(&ev)).await;
    assert_eq!(form_with(&page.text, r#"value="follow-up""#), "");
    assert!(
        page.text
            .contains("The follow-up for year 2 cannot be held before 2027-03-02."),
        "{}",
        page.text
    );
    let year2 = [
        ("type", "follow-up"),
        ("follow_up", "2:on-site"),
        ("passed", "true"),
    ];
    let r = t.post_ko(&format!("{app}/events"), Some(&ev), &year2).await;
    assert_eq!(r.status, 409);
    assert!(
        r.text.contains("follow-up-too-early") && r.text.contains("2027-03-02 전에"),
        "{}",
        r.text
    );

    t.clock.set(at("2027-03-02T01:00:00Z"));
    let ev = t.login("evaluator1").await;
    let page = t.get(&app, Some(&ev)).await;
    let form = form_with(&page.text, r#"value="follow-up""#);
    assert!(form.contains(r#"value="2:on-site""#), "{}", page.text);
    assert!(!form.contains(r#"value="1:"#), "year 1 is recorded");
    let r = t.post(&format!("{app}/events"), Some(&ev), &year2).await;
    assert_eq!(r.status, 303, "{}", r.text);
}

/// A SaaS (standard) may have a document-only follow-up in year 1 (facts §3): the form offers
/// both methods and the page records the one chosen.
#[tokio::test]
async fn a_saas_follow_up_may_be_document_only() {
    let t = ui_app().await;
    let (app, _) = t
        .certified_as(
            "hanbit-provider",
            &[
                ("service", "hanbit-saas-docs"),
                ("regime", "csap-2023"),
                ("tier", "medium"),
                ("service_type", "saas-standard"),
                ("scope", "SaaS documents"),
                ("host_certificate", "CSAP-IaaS-2025-0142"),
            ],
        )
        .await;
    let ev = t.login("evaluator1").await;
    let page = t.get(&app, Some(&ev)).await;
    let form = form_with(&page.text, r#"value="follow-up""#);
    assert!(
        form.contains(r#"value="1:on-site""#) && form.contains(r#"value="1:document-only""#),
        "{}",
        page.text
    );
    assert!(
        !page
            .text
            .contains("A document-only follow-up is allowed only")
    );
    let r = t
        .post(
            &format!("{app}/events"),
            Some(&ev),
            &[("type", "follow-up"), ("follow_up", "1:document-only")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&format!("{app}?lang=ko"), Some(&ev)).await;
    assert!(
        page.text
            .contains("<td>1</td><td>2026-03-02</td><td>서면평가</td>")
            && page.text.contains("부적합"),
        "{}",
        page.text
    );
}

/// A demo certificate (imported with the examples, issued before this registry) has a case of
/// its own: from its registry page the authority reaches the file, holds a hearing and revokes
/// it; the number and dates are the example's, and the public registry then shows it revoked.
#[tokio::test]
async fn a_demo_certificate_can_be_heard_and_revoked() {
    let t = ui_app().await;
    let number = "CSAP-IaaS-2025-0142";
    let admin = t.login("admin").await;
    let cert = t
        .get(&format!("/certificates/{number}"), Some(&admin))
        .await;
    let app = "/applications/app-import-csap-iaas-2025-0142";
    assert!(
        cert.text.contains(&format!(r#"<a href="{app}">"#)),
        "{}",
        cert.text
    );
    // The holder sees its file; another provider does not.
    let hanbit = t.login("hanbit-provider").await;
    assert_eq!(t.get(app, Some(&hanbit)).await.status, 200);
    let gaon = t.login("gaon-provider").await;
    assert_eq!(t.get(app, Some(&gaon)).await.status, 404);

    let page = t.get(app, Some(&admin)).await;
    assert!(page.text.contains("st-certified"), "{}", page.text);
    assert!(
        page.text.contains("2025-06-10 – 2030-06-09"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("certificate taken over from an earlier register")
    );
    assert_ne!(form_with(&page.text, r#"value="hearing""#), "");
    assert_ne!(form_with(&page.text, "/evaluator"), "");
    let r = t
        .post(
            &format!("{app}/events"),
            Some(&admin),
            &[
                ("type", "hearing"),
                ("ground", "criteria-no-longer-met"),
                ("established", "true"),
                ("record", "H-2026-7"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(app, Some(&admin)).await;
    let form = form_with(&page.text, r#"value="revoke""#);
    assert!(form.contains("criteria-no-longer-met"), "{}", page.text);
    let r = t
        .post(
            &format!("{app}/events"),
            Some(&admin),
            &[("type", "revoke"), ("ground", "criteria-no-longer-met")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(app, Some(&admin)).await;
    assert!(page.text.contains("st-revoked"), "{}", page.text);
    let revoked = t.get("/registry?status=revoked", None).await;
    assert!(revoked.text.contains(number), "{}", revoked.text);
    let active = t.get("/registry?status=active", None).await;
    assert!(!active.text.contains(number));
    // Before that, the authority could assign an evaluator for the yearly follow-ups.
    assert_eq!(form_with(&page.text, "/evaluator"), "", "none once revoked");
    // The signed document says so too.
    let doc = t.get(&format!("/api/v1/certificates/{number}"), None).await;
    assert!(doc.text.contains("revoked"), "{}", doc.text);
}

/// The demo's imported cases end like any other: when their terms run out, the server's expiry
/// sweep records each one, dated the day after the term, with no failure.
#[tokio::test]
async fn demo_certificates_expire_through_the_sweep() {
    let t = ui_app().await;
    t.clock.set(at("2030-06-11T01:00:00Z"));
    let sweep = kcvs_server::expiry::record_expiries(&t.state)
        .await
        .unwrap();
    assert!(sweep.failed.is_empty(), "{:?}", sweep.failed);
    for number in [
        "CSAP-IaaS-2025-0142",
        "CSAP-SaaS-2024-0318",
        "CSAP-DaaS-2024-0009",
    ] {
        assert!(
            sweep.expired.iter().any(|n| n == number),
            "{number}: {sweep:?}"
        );
    }
    let admin = t.login("admin").await;
    let page = t
        .get("/applications/app-import-csap-iaas-2025-0142", Some(&admin))
        .await;
    assert!(page.text.contains("st-expired"), "{}", page.text);
    assert!(page.text.contains("2030-06-10"), "{}", page.text);
}

/// A demo certificate came from an earlier register, whose follow-ups this one does not hold:
/// once its first year is past with nothing recorded here, the page says "not on record", not
/// "overdue"; the next year reads open.
#[tokio::test]
async fn an_imported_certificate_flags_no_follow_up_it_may_have_had_elsewhere() {
    let t = ui_app().await;
    t.clock.set(crate::at("2026-07-01T00:00:00Z"));
    let admin = t.login("admin").await;
    let page = t
        .get("/applications/app-import-csap-iaas-2025-0142", Some(&admin))
        .await;
    assert!(
        page.text.contains("not on record (earlier register)")
            && !page.text.contains(r#"class="st st-overdue""#)
            && page
                .text
                .contains(r#"<span class="st st-open">open</span>"#),
        "{}",
        page.text
    );
}
