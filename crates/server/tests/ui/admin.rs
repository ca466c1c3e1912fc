//! Agencies (authority), conflict declarations (committee), service registration (provider):
//! by role and in both languages.

use crate::{form_with, ui_app};

/// Designation needs four experts and lasts five years; a suspension lasts at most a year;
/// work recorded while suspended opens the mandatory revocation; the history shows each step.
#[tokio::test]
async fn agencies_designate_suspend_and_revoke_with_history() {
    let t = ui_app().await;
    let public = t.get("/agencies", None).await;
    assert_eq!(public.status, 200);
    assert!(public.text.contains("kisa") && public.text.contains("ktl"));
    assert_eq!(form_with(&public.text, r#"action="/agencies""#), "");
    let ko = t.get("/agencies?lang=ko", None).await;
    assert!(ko.text.contains("인증·평가기관") && ko.text.contains("평가기관"));
    let history = t.get("/agencies/kisa", None).await;
    assert_eq!(history.status, 200);
    assert!(
        history.text.contains("2026-01-01 – 2030-12-31"),
        "{}",
        history.text
    );
    assert_eq!(t.get("/agencies/nope", None).await.status, 404);

    let designate = |experts: &'static str| {
        [
            ("id", "kcl"),
            ("name", "Korea Conformity Laboratories (fictional unit)"),
            ("kind", "evaluation"),
            ("dedicated_unit", "true"),
            ("dedicated_experts", experts),
            ("security_measures", "true"),
            ("financial_capacity", "true"),
        ]
    };
    assert_eq!(t.post("/agencies", None, &designate("4")).await.status, 401);
    let p = t.login("hanbit-provider").await;
    assert_eq!(
        t.post("/agencies", Some(&p), &designate("4")).await.status,
        403
    );
    let admin = t.login("admin").await;
    let page = t.get("/agencies", Some(&admin)).await;
    assert!(page.text.contains("at least 4 full-time dedicated experts"));
    let r = t
        .post_ko("/agencies", Some(&admin), &designate("four"))
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text.contains("입력 항목이 빠졌거나 형식이 맞지 않습니다"),
        "{}",
        r.text
    );
    let r = t.post("/agencies", Some(&admin), &designate("3")).await;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("designation-criteria-not-met") && r.text.contains("has 3"));
    let r = t.post_ko("/agencies", Some(&admin), &designate("3")).await;
    assert!(
        r.text.contains("전담 전문인력 4명 이상 (현재 3명)"),
        "{}",
        r.text
    );
    let r = t.post("/agencies", Some(&admin), &designate("4")).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.location(), "/agencies/kcl");
    let page = t.get("/agencies/kcl", Some(&admin)).await;
    assert!(
        page.text.contains("2026-03-02 – 2031-03-01"),
        "{}",
        page.text
    );
    // No work while suspended recorded: that mandatory ground is not offered.
    let revoke_form = form_with(&page.text, "/agencies/kcl/revoke");
    assert!(revoke_form.contains("mandatory:fraud"));
    assert!(!revoke_form.contains("worked-while-suspended"));

    // Suspension: a year and a day is refused, in both languages.
    let long = [("until", "2027-03-02"), ("ground", "breached-criteria")];
    let r = t.post("/agencies/kcl/suspend", Some(&admin), &long).await;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("suspension-too-long"));
    let r = t
        .post_ko("/agencies/kcl/suspend", Some(&admin), &long)
        .await;
    assert!(r.text.contains("1년을 넘을 수 없습니다"), "{}", r.text);
    assert_eq!(
        t.post(
            "/agencies/kcl/suspend",
            Some(&p),
            &[("until", "2026-12-31"), ("ground", "breached-criteria")]
        )
        .await
        .status,
        403
    );
    let r = t
        .post(
            "/agencies/kcl/suspend",
            Some(&admin),
            &[("until", "2026-12-31"), ("ground", "breached-criteria")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get("/agencies/kcl", None).await;
    assert!(page.text.contains("2026-03-02 – 2026-12-31"));
    assert!(
        page.text
            .contains("certified or evaluated in breach of the criteria")
    );
    let page = t.get("/agencies/kcl", Some(&admin)).await;
    assert_eq!(form_with(&page.text, "/agencies/kcl/suspend"), "");
    assert!(page.text.contains("already suspended until 2026-12-31"));

    // Work recorded during the suspension: revocation becomes the only way, on that ground.
    let r = t
        .post(
            "/agencies/kcl/events",
            Some(&admin),
            &[("type", "record-work")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get("/agencies/kcl", Some(&admin)).await;
    assert!(
        form_with(&page.text, "/agencies/kcl/revoke").contains("mandatory:worked-while-suspended")
    );
    assert!(page.text.contains("only revocation is possible"));
    let r = t
        .post(
            "/agencies/kcl/revoke",
            Some(&admin),
            &[("ground", "mandatory:worked-while-suspended")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get("/agencies/kcl?lang=ko", None).await;
    assert!(page.text.contains("st-revoked"));
    for step in [
        "지정",
        "업무정지",
        "업무 기록",
        "업무정지 기간 중 업무를 함",
    ] {
        assert!(page.text.contains(step), "{step}: {}", page.text);
    }
    assert_eq!(
        page.text.matches("<tr><td>").count(),
        4,
        "four events in the history"
    );
}

/// A member declares a conflict for themselves only; from then on the docket and the file
/// are hidden from them, and the authority sees which files the declaration recuses them from.
#[tokio::test]
async fn members_declare_conflicts_and_the_docket_hides_the_files() {
    let t = ui_app().await;
    assert_eq!(t.get("/committee", None).await.status, 401);
    let gaon = t.login("gaon-provider").await;
    assert_eq!(t.get("/committee", Some(&gaon)).await.status, 403);
    let m1 = t.login("member1").await;
    let page = t.get("/committee", Some(&m1)).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("You have declared no conflict"));
    assert!(page.text.contains("member2") && page.text.contains("hanbit (employer"));
    let ko = t.get("/committee?lang=ko", Some(&m1)).await;
    assert!(ko.text.contains("이해충돌 신고") && ko.text.contains("소속 기관"));

    // For oneself only.
    let r = t
        .post(
            "/committee/declarations",
            Some(&m1),
            &[
                ("member", "member3"),
                ("provider", "gaon"),
                ("kind", "consultant"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        t.post(
            "/committee/declarations",
            Some(&gaon),
            &[
                ("member", "member1"),
                ("provider", "gaon"),
                ("kind", "employer")
            ],
        )
        .await
        .status,
        403
    );
    let r = t
        .post(
            "/committee/declarations",
            Some(&m1),
            &[
                ("member", "member1"),
                ("provider", "gaon"),
                ("kind", "consultant"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get("/committee", Some(&m1)).await;
    assert!(
        page.text
            .contains("Recused from every file of provider <b>gaon</b> (consultant")
    );
    assert!(!page.text.contains("app-demo-gaon"));
    let admin = t.login("admin").await;
    let a = t.get("/committee", Some(&admin)).await;
    let row = &a.text[a.text.find("<td>member1</td>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("app-demo-gaon"), "{row}");

    // The demo's gaon file goes to a sitting: member1 does not see it, member3 does.
    let ev = t.login("evaluator1").await;
    for kind in [
        "start-document-review",
        "start-on-site-evaluation",
        "submit-to-committee",
    ] {
        let r = t
            .post(
                "/applications/app-demo-gaon/events",
                Some(&ev),
                &[("type", kind)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text);
    }
    let present: Vec<(&str, &str)> = ["member1", "member3", "member4", "member5", "member6"]
        .iter()
        .map(|m| ("present", *m))
        .collect();
    let r = t
        .post(
            "/applications/app-demo-gaon/sittings",
            Some(&admin),
            &present,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let d1 = t.get("/docket", Some(&m1)).await;
    assert!(!d1.text.contains("app-demo-gaon"), "{}", d1.text);
    assert_eq!(
        t.get("/applications/app-demo-gaon", Some(&m1)).await.status,
        404
    );
    let m3 = t.login("member3").await;
    assert!(
        t.get("/docket", Some(&m3))
            .await
            .text
            .contains("app-demo-gaon")
    );
    let docket = t.get("/docket", Some(&admin)).await;
    assert!(
        docket.text.contains("member1 (consultant)"),
        "{}",
        docket.text
    );
    // With member1 recused the sitting has no quorum (four eligible, no industry member): the
    // docket says so instead of offering the decision, and a crafted one is refused.
    assert!(
        docket
            .text
            .contains("No quorum: 4 eligible members present, 5 required; industry 0 of 1."),
        "{}",
        docket.text
    );
    assert_eq!(form_with(&docket.text, "/decide"), "");
    let i = docket.text.find("Sitting ").unwrap() + "Sitting ".len();
    let sid = docket.text[i..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let r = t
        .post_ko(&format!("/sittings/{sid}/decide"), Some(&admin), &[])
        .await;
    assert_eq!(r.status, 409);
    assert!(
        r.text
            .contains("정족수 미달: 회피 대상이 아닌 출석 위원 4명, 필요 5명; 산업계 1명 중 0명"),
        "{}",
        r.text
    );
}

/// A provider registers a service (refused profiles shown with their errors in the page's
/// language), sees only its own, and can then apply for it.
#[tokio::test]
async fn providers_register_services_and_apply_for_them() {
    let t = ui_app().await;
    let public = t.get("/services", None).await;
    assert_eq!(public.status, 200);
    assert!(public.text.contains("hanbit-gov-iaas"));
    assert_eq!(form_with(&public.text, r#"action="/services""#), "");
    let gaon = t.login("gaon-provider").await;
    let mine = t.get("/services", Some(&gaon)).await;
    assert!(mine.text.contains("gaon-iaas-aes") && !mine.text.contains("hanbit-gov-iaas"));
    assert!(mine.text.contains("Register a service"));

    let bad = t
        .post("/services", Some(&gaon), &[("profile", "id: [")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("invalid document"), "{}", bad.text);
    assert!(bad.text.contains("id: ["), "the text is kept");
    let bad = t
        .post_ko("/services", Some(&gaon), &[("profile", "id: [")])
        .await;
    assert!(bad.text.contains("문서 형식 오류"), "{}", bad.text);

    let profile = "id: gaon-saas-mail\nname: Gaon Mail\nprovider:\n  name: Gaon\n  headquarters: KR\nmodel: iaas\nservice_type: iaas\ndata_locations: [KR]\n";
    let ev = t.login("evaluator1").await;
    assert_eq!(
        t.post("/services", Some(&ev), &[("profile", profile)])
            .await
            .status,
        403
    );
    let r = t
        .post("/services", Some(&gaon), &[("profile", profile)])
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.location(), "/services/gaon-saas-mail");
    let page = t.get("/services/gaon-saas-mail", None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Gaon Mail"));
    let apply = t.get("/applications", Some(&gaon)).await;
    assert!(
        form_with(&apply.text, r#"action="/applications""#).contains("gaon-saas-mail"),
        "{}",
        apply.text
    );
    // Refused applications are explained in the page's language.
    let apply = |tier: &'static str, service_type: &'static str| {
        [
            ("service", "gaon-saas-mail"),
            ("regime", "csap-2023"),
            ("tier", tier),
            ("service_type", service_type),
            ("scope", "mail"),
        ]
    };
    let r = t
        .post_ko("/applications", Some(&gaon), &apply("top", "iaas"))
        .await;
    assert_eq!(r.status, 409);
    assert!(
        r.text.contains("`top`은(는) `csap-2023`의 등급이 아닙니다"),
        "{}",
        r.text
    );
    let r = t
        .post_ko("/applications", Some(&gaon), &apply("low", "saas-standard"))
        .await;
    assert_eq!(r.status, 409);
    assert!(
        r.text.contains("기반 IaaS의 인증번호를 밝혀야 합니다"),
        "{}",
        r.text
    );
    // The engine judges it in the public eligibility check.
    let e = t
        .post("/eligibility", None, &[("example", "e-approval")])
        .await;
    assert!(e.text.contains("/services/gaon-saas-mail"), "{}", e.text);
    // Another provider cannot take the id over.
    let hanbit = t.login("hanbit-provider").await;
    let r = t
        .post("/services", Some(&hanbit), &[("profile", profile)])
        .await;
    assert_eq!(r.status, 409);
    assert!(r.text.contains("registered by another provider"));
    // The form's starting text is a profile the loader takes.
    let r = t
        .post(
            "/services",
            Some(&hanbit),
            &[(
                "profile",
                &kcvs_server::ui::SERVICE_TEMPLATE.replace("my-service", "hanbit-new"),
            )],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
}
