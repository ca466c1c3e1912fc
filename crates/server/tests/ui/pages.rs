//! Every page by role, in-process.

use axum::http::header;

use crate::{at, first_certificate_link, ui_app};

#[tokio::test]
async fn public_pages_in_both_languages() {
    let t = ui_app().await;
    // ?lang= wins and is remembered in a cookie.
    let ko = t.get("/registry?lang=ko", None).await;
    assert_eq!(ko.status, 200);
    assert!(ko.text.contains("<html lang=\"ko\">"));
    assert!(ko.text.contains("공개 인증 목록"), "{}", ko.text);
    assert!(ko.text.contains("인증번호"));
    assert!(
        ko.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("lang=ko"))
    );
    // Then the cookie, over Accept-Language.
    let by_cookie = t
        .get_with(
            "/registry",
            Some("lang=ko"),
            &[("accept-language", "en-US,en;q=0.9")],
        )
        .await;
    assert!(by_cookie.text.contains("공개 인증 목록"));
    // Then Accept-Language.
    let en = t
        .get_with("/registry", None, &[("accept-language", "en-GB,ko;q=0.5")])
        .await;
    assert!(en.text.contains("Public registry") && en.text.contains("<html lang=\"en\">"));
    let ko2 = t
        .get_with("/", None, &[("accept-language", "ko-KR,ko;q=0.9,en;q=0.8")])
        .await;
    assert!(ko2.text.contains("공개 인증 목록"));

    // Filters, as-of and the feed links.
    let f = t
        .get(
            "/registry?tier=&type=iaas&status=active&as_of=2026-03-01",
            None,
        )
        .await;
    assert_eq!(f.status, 200);
    assert!(
        f.text
            .contains("/api/v1/registry.csv?type=iaas&amp;status=active&amp;as_of=2026-03-01")
    );
    assert!(f.text.contains("/api/v1/registry/feed.json"));
    let bad = t.get("/registry?as_of=yesterday", None).await;
    assert_eq!(bad.status, 400);

    // A certificate and its service.
    let number = first_certificate_link(&f.text).expect("a demo certificate");
    let c = t.get(&format!("/certificates/{number}"), None).await;
    assert_eq!(c.status, 200, "{}", c.text);
    assert!(c.text.contains("Transparency log"));
    let ck = t
        .get(&format!("/certificates/{number}?lang=ko"), None)
        .await;
    assert!(ck.text.contains("투명성 로그") && ck.text.contains("전자서명"));
    assert_eq!(t.get("/certificates/NO-SUCH", None).await.status, 404);
    let s = t.get("/services/hanbit-gov-iaas", None).await;
    assert_eq!(s.status, 200);
    assert!(s.text.contains("Certificate history"));
    assert_eq!(t.get("/services/no-such", None).await.status, 404);

    // The eligibility check: an example, pasted YAML, and a bad profile.
    assert_eq!(t.get("/eligibility", None).await.status, 200);
    let e = t
        .post("/eligibility", None, &[("example", "e-approval")])
        .await;
    assert_eq!(e.status, 200, "{}", e.text);
    assert!(
        e.text.contains("Verdict") && e.text.contains("csap-2023"),
        "{}",
        e.text
    );
    assert!(e.text.contains("st-eligible") || e.text.contains("st-not-eligible"));
    let yaml = kcvs_server::ui::SYSTEMS[0].1;
    let e2 = t
        .post("/eligibility?lang=ko", None, &[("profile", yaml)])
        .await;
    assert_eq!(e2.status, 200);
    assert!(e2.text.contains("판정"));
    let e3 = t
        .post("/eligibility", None, &[("profile", "institution: [")])
        .await;
    assert_eq!(e3.status, 422);
}

#[tokio::test]
async fn signed_in_pages_by_role() {
    let t = ui_app().await;
    // Nobody signed in.
    assert_eq!(t.get("/applications", None).await.status, 401);
    assert_eq!(t.get("/docket", None).await.status, 401);
    assert_eq!(t.get("/applications/app-demo-gaon", None).await.status, 401);
    let bad = t
        .post(
            "/login",
            None,
            &[("username", "admin"), ("password", "wrong password")],
        )
        .await;
    assert_eq!(bad.status, 401);
    assert!(bad.text.contains("Wrong username or password"));

    // Providers see their own.
    let gaon = t.login("gaon-provider").await;
    let hanbit = t.login("hanbit-provider").await;
    let list = t.get("/applications", Some(&gaon)).await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains("app-demo-gaon"));
    assert!(list.text.contains("Apply for certification"));
    let other = t.get("/applications", Some(&hanbit)).await;
    assert!(!other.text.contains("app-demo-gaon"));
    assert_eq!(
        t.get("/applications/app-demo-gaon", Some(&gaon))
            .await
            .status,
        200
    );
    assert_eq!(
        t.get("/applications/app-demo-gaon", Some(&hanbit))
            .await
            .status,
        404
    );
    assert_eq!(t.get("/docket", Some(&gaon)).await.status, 403);

    // Evaluators see what is assigned to them.
    let ev1 = t.login("evaluator1").await;
    let ev2 = t.login("evaluator2").await;
    let page = t.get("/applications/app-demo-gaon", Some(&ev1)).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Start document review"));
    assert_eq!(
        t.get("/applications/app-demo-gaon", Some(&ev2))
            .await
            .status,
        404
    );
    assert!(
        !t.get("/applications", Some(&ev2))
            .await
            .text
            .contains("app-demo-gaon")
    );
    // A provider cannot record an evaluator's event.
    let refused = t
        .post(
            "/applications/app-demo-gaon/events",
            Some(&gaon),
            &[("type", "start-document-review")],
        )
        .await;
    assert_eq!(refused.status, 403);

    // Committee members without a sitting see no file; the admin sees everything.
    let m1 = t.login("member1").await;
    let d = t.get("/docket", Some(&m1)).await;
    assert_eq!(d.status, 200);
    assert!(d.text.contains("No sittings"));
    assert_eq!(
        t.get("/applications/app-demo-gaon", Some(&m1)).await.status,
        404
    );
    let admin = t.login("admin").await;
    let a = t.get("/applications/app-demo-gaon", Some(&admin)).await;
    assert!(a.text.contains("Assign evaluator"));

    // CSRF: a post without Origin or Referer, or from elsewhere, is refused and changes nothing.
    for origin in [None, Some("http://evil.example")] {
        let r = t
            .post_from(
                "/applications/app-demo-gaon/events",
                Some(&ev1),
                &[("type", "start-document-review")],
                origin,
            )
            .await;
        assert_eq!(r.status, 403, "{origin:?}");
    }
    let still = t.get("/applications/app-demo-gaon", Some(&ev1)).await;
    assert!(still.text.contains("Start document review"));

    // Logout ends the session.
    let out = t.post("/logout", Some(&ev1), &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(t.get("/applications", Some(&ev1)).await.status, 401);
}

/// A provider applies, an evaluator files findings and re-checks, the admin opens a sitting,
/// the committee decides with member2 (an employee of hanbit) recused, the admin issues; the
/// certificate is in the registry page.
#[tokio::test]
async fn lifecycle_through_the_forms() {
    let t = ui_app().await;
    let p = t.login("hanbit-provider").await;
    let applied = t
        .post(
            "/applications",
            Some(&p),
            &[
                ("service", "hanbit-gov-iaas"),
                ("regime", "csap-2023"),
                ("tier", "medium"),
                ("service_type", "iaas"),
                ("scope", "IaaS <script>alert(1)</script>"),
                ("_idem", "k1"),
            ],
        )
        .await;
    assert_eq!(applied.status, 303, "{}", applied.text);
    let app = applied.location().to_owned();
    assert!(app.starts_with("/applications/"));
    let id = app.trim_start_matches("/applications/").to_owned();
    // A double submit replays the first answer: still one application.
    let again = t
        .post(
            "/applications",
            Some(&p),
            &[
                ("service", "hanbit-gov-iaas"),
                ("regime", "csap-2023"),
                ("tier", "medium"),
                ("service_type", "iaas"),
                ("scope", "IaaS <script>alert(1)</script>"),
                ("_idem", "k1"),
            ],
        )
        .await;
    assert_eq!(again.location(), app);
    let page = t.get(&app, Some(&p)).await;
    assert!(
        page.text
            .contains("IaaS &lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(!page.text.contains("<script>alert"));

    let admin = t.login("admin").await;
    let r = t
        .post(
            &format!("{app}/evaluator"),
            Some(&admin),
            &[("evaluator", "usr-evaluator1")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let ev = t.login("evaluator1").await;
    for kind in ["start-document-review", "start-on-site-evaluation"] {
        let r = t
            .post(&format!("{app}/events"), Some(&ev), &[("type", kind)])
            .await;
        assert_eq!(r.status, 303, "{kind}: {}", r.text);
    }
    let r = t
        .post(
            &format!("{app}/findings"),
            Some(&ev),
            &[
                ("id", "f1"),
                ("severity", "high"),
                ("control", "9.2.a"),
                ("summary", "no MFA for administrators"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = t
        .post(
            &format!("{app}/remediations"),
            Some(&ev),
            &[("finding", "f1"), ("due", "2026-04-01")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    // Submitting with remediation open is refused with the registry's reason.
    let refused = t
        .post(
            &format!("{app}/events"),
            Some(&ev),
            &[("type", "submit-to-committee")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.text.contains("remediation-open"));
    // The same refusals in Korean, with their dates and names.
    let ko = t
        .post_ko(
            &format!("{app}/events"),
            Some(&ev),
            &[("type", "submit-to-committee")],
        )
        .await;
    assert!(
        ko.text
            .contains("결함 `f1`의 보완조치(기한 2026-04-01)가 아직 재확인되지 않았습니다"),
        "{}",
        ko.text
    );
    let again = t
        .post_ko(
            &format!("{app}/remediations/f9/recheck"),
            Some(&ev),
            &[("resolved", "true"), ("note", "x")],
        )
        .await;
    assert_eq!(again.status, 409);
    assert!(
        again
            .text
            .contains("결함 `f9`에 대해 진행 중인 보완조치 요청이 없습니다"),
        "{}",
        again.text
    );
    let past = t
        .post_ko(
            &format!("{app}/remediations"),
            Some(&ev),
            &[("finding", "f1"), ("due", "2026-01-01")],
        )
        .await;
    assert_eq!(past.status, 409);
    assert!(
        past.text.contains("보완조치 기한 2026-01-01"),
        "{}",
        past.text
    );
    t.clock.set(at("2026-03-20T02:00:00Z"));
    // Sessions last eight hours: sign in again after the clock moves.
    let ev = t.login("evaluator1").await;
    let r = t
        .post(
            &format!("{app}/remediations/f1/recheck"),
            Some(&ev),
            &[("resolved", "true"), ("note", "MFA enforced")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = t
        .post(
            &format!("{app}/events"),
            Some(&ev),
            &[("type", "submit-to-committee")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);

    t.clock.set(at("2026-04-10T01:00:00Z"));
    let admin = t.login("admin").await;
    let present: Vec<(&str, &str)> = [
        "member1", "member2", "member3", "member4", "member5", "member6",
    ]
    .iter()
    .map(|m| ("present", *m))
    .collect();
    let r = t
        .post(&format!("{app}/sittings"), Some(&admin), &present)
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    // The recused member sees no such file, anywhere.
    let m2 = t.login("member2").await;
    let d2 = t.get("/docket", Some(&m2)).await;
    assert_eq!(d2.status, 200);
    assert!(!d2.text.contains(&id), "{}", d2.text);
    assert_eq!(t.get(&app, Some(&m2)).await.status, 404);
    assert!(!t.get("/applications", Some(&m2)).await.text.contains(&id));
    // The others vote from the docket.
    let admin_docket = t.get("/docket", Some(&admin)).await;
    assert!(admin_docket.text.contains("member2 (employer)"));
    let sid = {
        let i = admin_docket.text.find("/sittings/").unwrap() + "/sittings/".len();
        let rest = &admin_docket.text[i..];
        rest[..rest.find('/').unwrap()].to_owned()
    };
    let vote_denied = t
        .post(
            &format!("/sittings/{sid}/votes"),
            Some(&m2),
            &[("choice", "reject"), ("rationale", "x")],
        )
        .await;
    assert_eq!(vote_denied.status, 404);
    for m in ["member1", "member3", "member4", "member5", "member6"] {
        let c = t.login(m).await;
        let d = t.get("/docket?lang=ko", Some(&c)).await;
        assert!(d.text.contains(&id) && d.text.contains("투표"), "{m}");
        let r = t
            .post(
                &format!("/sittings/{sid}/votes"),
                Some(&c),
                &[("choice", "approve"), ("rationale", "the report holds")],
            )
            .await;
        assert_eq!(r.status, 303, "{m}: {}", r.text);
    }
    let r = t
        .post(&format!("/sittings/{sid}/decide"), Some(&admin), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    t.clock.set(at("2026-04-20T01:00:00Z"));
    let admin = t.login("admin").await;
    let p = t.login("hanbit-provider").await;
    let r = t
        .post(
            &format!("{app}/events"),
            Some(&admin),
            &[("type", "issue-certificate")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&app, Some(&p)).await;
    let number = first_certificate_link(&page.text).unwrap();
    let timeline = [
        "document review started",
        "finding recorded",
        "remediation re-checked",
        "certificate issued",
    ];
    for e in timeline {
        assert!(page.text.contains(e), "{e}");
    }
    let reg = t.get("/registry?status=active&tier=medium", None).await;
    assert!(reg.text.contains(&number));
    let cert = t.get(&format!("/certificates/{number}"), None).await;
    assert!(cert.text.contains("st ok"), "{}", cert.text);
    assert!(!cert.text.contains("st bad"), "{}", cert.text);
}
