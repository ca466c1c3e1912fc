//! Refusals the API words from typed errors outside the lifecycle, on the pages in both
//! languages: the apply form's host certificate (unknown, pre-tier) and the committee's sitting
//! and vote refusals. The wording is `kcvs_registry::wording`'s, with the ids and dates.

use crate::ui_app;

/// A SaaS applying on a pre-tier host, or on a number the registry does not hold.
#[tokio::test]
async fn the_apply_form_words_host_refusals_in_both_languages() {
    let t = ui_app().await;
    let p = t.login("hanbit-provider").await;
    let apply = |host: &'static str| {
        [
            ("service", "hanbit-saas-docs"),
            ("regime", "csap-2023"),
            ("tier", "medium"),
            ("service_type", "saas-standard"),
            ("scope", "SaaS documents"),
            ("host_certificate", host),
        ]
    };
    // The demo's pre-tier IaaS certificate (examples/services/mirae-iaas-pretier.yaml).
    let en = t
        .post("/applications", Some(&p), &apply("CSAP-2022-IaaS-011"))
        .await;
    assert_eq!(en.status, 409);
    assert!(en.text.contains("host-untiered"));
    assert!(
        en.text
            .contains("was issued on 2022-06-01, before CSAP had tiers"),
        "{}",
        en.text
    );
    let ko = t
        .post_ko("/applications", Some(&p), &apply("CSAP-2022-IaaS-011"))
        .await;
    assert_eq!(ko.status, 409);
    assert!(
        ko.text.contains(
            "기반 IaaS 인증 `CSAP-2022-IaaS-011`은(는) 등급제 도입 전(2022-06-01)에 발급되어"
        ),
        "{}",
        ko.text
    );
    assert!(!ko.text.contains("before CSAP had tiers"), "{}", ko.text);
    let en = t
        .post("/applications", Some(&p), &apply("CSAP-NONE-9"))
        .await;
    assert_eq!(en.status, 422);
    assert!(
        en.text
            .contains("There is no certificate `CSAP-NONE-9` in the registry.")
    );
    let ko = t
        .post_ko("/applications", Some(&p), &apply("CSAP-NONE-9"))
        .await;
    assert_eq!(ko.status, 422);
    assert!(
        ko.text
            .contains("등록부에 인증서 `CSAP-NONE-9`이(가) 없습니다."),
        "{}",
        ko.text
    );
}

/// Opening a sitting on a file not under deliberation, and a crafted vote without a rationale,
/// are refused with the registry's reason in the page's language.
#[tokio::test]
async fn the_committee_forms_word_refusals_in_both_languages() {
    let t = ui_app().await;
    let admin = t.login("admin").await;
    let present = [("present", "member1"), ("present", "member3")];
    let path = "/applications/app-demo-gaon/sittings";
    let en = t.post(path, Some(&admin), &present).await;
    assert_eq!(en.status, 409);
    assert!(en.text.contains("not-under-deliberation"));
    assert!(
        en.text
            .contains("Application `app-demo-gaon` is submitted, not under committee deliberation"),
        "{}",
        en.text
    );
    let ko = t.post_ko(path, Some(&admin), &present).await;
    assert!(
        ko.text.contains(
            "신청 `app-demo-gaon`은(는) 신청 접수 상태로 위원회 심의 중이 아니어서 회의를 열 수 없습니다."
        ),
        "{}",
        ko.text
    );

    // A sitting on a file under deliberation; a crafted empty rationale is refused.
    let gaon = t.login("gaon-provider").await;
    let r = t
        .post(
            "/applications",
            Some(&gaon),
            &[
                ("service", "gaon-iaas-aes"),
                ("regime", "csap-2023"),
                ("tier", "medium"),
                ("service_type", "iaas"),
                ("scope", "IaaS"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let app = r.location().to_owned();
    let ok = |r: crate::Got| assert_eq!(r.status, 303, "{}", r.text);
    ok(t.post(
        &format!("{app}/evaluator"),
        Some(&admin),
        &[("evaluator", "usr-evaluator1")],
    )
    .await);
    let ev = t.login("evaluator1").await;
    for kind in [
        "start-document-review",
        "start-on-site-evaluation",
        "submit-to-committee",
    ] {
        ok(
            t.post(&format!("{app}/events"), Some(&ev), &[("type", kind)])
                .await,
        );
    }
    ok(t.post(&format!("{app}/sittings"), Some(&admin), &present)
        .await);
    let docket = t.get("/docket", Some(&admin)).await.text;
    let app_id = app.trim_start_matches("/applications/");
    let at = docket.find(app_id).unwrap();
    let i = docket[..at].rfind("Sitting ").unwrap() + "Sitting ".len();
    let sid = docket[i..].split_whitespace().next().unwrap().to_owned();
    let m1 = t.login("member1").await;
    let vote = [("choice", "approve"), ("rationale", " ")];
    let en = t
        .post(&format!("/sittings/{sid}/votes"), Some(&m1), &vote)
        .await;
    assert_eq!(en.status, 409);
    assert!(en.text.contains("vote-without-rationale"), "{}", en.text);
    let ko = t
        .post_ko(&format!("/sittings/{sid}/votes"), Some(&m1), &vote)
        .await;
    assert!(
        ko.text
            .contains("`member1` 위원의 표결에는 사유가 있어야 합니다."),
        "{}",
        ko.text
    );
    // A second sitting while this one is open names it and its date.
    let ko = t
        .post_ko(&format!("{app}/sittings"), Some(&admin), &present)
        .await;
    assert_eq!(ko.status, 409);
    assert!(
        ko.text
            .contains(&format!("이미 열린 회의(`{sid}`, 2026-03-02)가 있습니다")),
        "{}",
        ko.text
    );
}
