//! The certificate's life after issue through the forms: hearings and revocation (authority),
//! renewal, surrender and withdrawal (provider), by role and in both languages.

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
