//! The lifecycle end to end in headless Chromium, driven through chromedriver (WebDriver) with
//! fantoccini: the service runs in-process on a random loopback port, so the test moves its
//! clock between steps. Screenshots go into the test's temporary folder (and into
//! `$KCVS_E2E_SCREENSHOTS` when set, to keep them).

use std::net::TcpListener as StdListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::{at, ui_app};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver(profile: &Path) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Driver(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    (driver, client)
}

struct B {
    c: Client,
    base: String,
}

impl B {
    async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn source(&self) -> String {
        self.c.source().await.unwrap()
    }

    async fn path(&self) -> String {
        self.c.current_url().await.unwrap().path().to_owned()
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.c.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    async fn pick(&self, css: &str, value: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// Click an element (tick a checkbox) without waiting for a page.
    async fn tick(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Click a submit button and wait for the next page to load.
    async fn click(&self, css: &str) {
        let old = self.c.find(Locator::Css("html")).await.unwrap();
        self.tick(css).await;
        for _ in 0..100 {
            if old.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for _ in 0..100 {
            let ready = self
                .c
                .execute("return document.readyState", vec![])
                .await
                .unwrap();
            if ready == "complete" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn login(&self, user: &str, password: &str) {
        self.go("/login").await;
        self.fill("input[name=username]", user).await;
        self.fill("input[name=password]", password).await;
        self.click("form[action='/login'] button").await;
        let src = self.source().await;
        assert!(src.contains(user), "signed in as {user}: {src}");
    }

    async fn shot(&self, dir: &Path, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        let path = dir.join(name);
        std::fs::write(&path, &png).unwrap();
        println!("screenshot: {}", path.display());
        if let Ok(keep) = std::env::var("KCVS_E2E_SCREENSHOTS") {
            let _ = std::fs::create_dir_all(&keep);
            let _ = std::fs::write(Path::new(&keep).join(name), &png);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_lifecycle_end_to_end() {
    if !Path::new(CHROMEDRIVER).exists() {
        println!("skipped: chromedriver not found");
        return;
    }
    let t = ui_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = t.app.clone();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let profile = t.dir.path().join("chromium-profile");
    std::fs::create_dir_all(&profile).unwrap();
    let (_driver, client) = start_driver(&profile).await;
    let b = B {
        c: client,
        base: format!("http://{addr}"),
    };
    let pw = |u: &str| t.passwords[u].clone();

    // The provider applies.
    b.go("/registry?lang=en").await;
    b.login("hanbit-provider", &pw("hanbit-provider")).await;
    b.go("/applications").await;
    b.pick("select[name=service]", "hanbit-gov-iaas").await;
    b.pick("select[name=regime]", "csap-2023").await;
    b.pick("select[name=tier]", "medium").await;
    b.pick("select[name=service_type]", "iaas").await;
    b.fill("input[name=scope]", "IaaS, Hanbit government region")
        .await;
    b.click("form[action='/applications'] button").await;
    let app = b.path().await;
    assert!(app.starts_with("/applications/app"), "{app}");
    let id = app.trim_start_matches("/applications/").to_owned();
    assert!(b.source().await.contains("IaaS, Hanbit government region"));

    // The authority assigns the evaluator.
    b.login("admin", &pw("admin")).await;
    b.go(&app).await;
    b.pick("select[name=evaluator]", "usr-evaluator1").await;
    b.click(&format!("form[action='{app}/evaluator'] button"))
        .await;

    // The evaluator reviews, files a finding, requests remediation, re-checks, submits.
    b.login("evaluator1", &pw("evaluator1")).await;
    b.go(&app).await;
    b.click(&format!("form[action='{app}/events'] button"))
        .await;
    b.click(&format!("form[action='{app}/events'] button"))
        .await;
    b.fill("input[name=id]", "f1").await;
    b.pick("select[name=severity]", "high").await;
    b.fill("input[name=control]", "9.2.a").await;
    b.fill("input[name=summary]", "no MFA for administrators")
        .await;
    b.click(&format!("form[action='{app}/findings'] button"))
        .await;
    // Chromium fills a date input by keystrokes in the locale's order (en-US: mm/dd/yyyy).
    b.fill("input[name=due]", "04012026").await;
    b.click(&format!("form[action='{app}/remediations'] button"))
        .await;
    assert!(
        b.source().await.contains("2026-04-01"),
        "remediation due date"
    );
    t.clock.set(at("2026-03-20T02:00:00Z"));
    b.login("evaluator1", &pw("evaluator1")).await;
    b.go(&app).await;
    b.fill("input[name=note]", "MFA enforced").await;
    b.click(&format!(
        "form[action='{app}/remediations/f1/recheck'] button"
    ))
    .await;
    b.click(&format!("form[action='{app}/events'] button"))
        .await;
    assert!(b.source().await.contains("st-deliberation"), "submitted");

    // The authority opens a sitting with every member present.
    t.clock.set(at("2026-04-10T01:00:00Z"));
    b.login("admin", &pw("admin")).await;
    b.go(&app).await;
    b.click(&format!("form[action='{app}/sittings'] button"))
        .await;
    assert_eq!(b.path().await, "/docket");
    assert!(b.source().await.contains("member2 (employer)"));

    // member2 works for hanbit: recused, and sees no such file.
    b.login("member2", &pw("member2")).await;
    b.go("/docket").await;
    let src = b.source().await;
    assert!(!src.contains(&id), "recused member sees the file: {src}");
    b.go(&app).await;
    assert!(b.source().await.contains("Not found"));

    // The others vote.
    for m in ["member1", "member3", "member4", "member5", "member6"] {
        b.login(m, &pw(m)).await;
        b.go("/docket").await;
        assert!(b.source().await.contains(&id), "{m} sees the file");
        b.pick("select[name=choice]", "approve").await;
        b.fill("input[name=rationale]", "the evaluation report holds")
            .await;
        b.click("form[action$='/votes'] button").await;
    }

    // The authority records the decision and issues the certificate.
    b.login("admin", &pw("admin")).await;
    b.go("/docket").await;
    b.click("form[action$='/decide'] button").await;
    assert_eq!(b.path().await, app);
    t.clock.set(at("2026-04-20T01:00:00Z"));
    b.login("admin", &pw("admin")).await;
    b.go(&app).await;
    b.click(&format!("form[action='{app}/events'] button"))
        .await;
    let src = b.source().await;
    assert!(src.contains("st-certified"), "{src}");
    let number = crate::first_certificate_link(&src).unwrap();
    b.shot(t.dir.path(), "application-en.png").await;

    // The certificate is in the public registry, in both languages.
    b.click("form[action='/logout'] button").await;
    b.go("/registry?lang=ko&status=active&tier=medium").await;
    let src = b.source().await;
    assert!(src.contains(&number), "{src}");
    assert!(src.contains("공개 인증 목록"));
    b.shot(t.dir.path(), "registry-ko.png").await;
    b.go(&format!("/certificates/{number}?lang=en")).await;
    let src = b.source().await;
    assert!(
        src.contains("Transparency log") && !src.contains("st bad"),
        "{src}"
    );
    b.shot(t.dir.path(), "certificate-en.png").await;

    // The authority records a hearing that establishes fraud; only then is revocation offered.
    b.login("admin", &pw("admin")).await;
    b.go(&app).await;
    let src = b.source().await;
    assert!(
        !src.contains(r#"name="type" value="revoke""#),
        "revocation offered before a hearing: {src}"
    );
    b.pick(
        "form:has(input[value=hearing]) select[name=ground]",
        "fraud",
    )
    .await;
    b.tick("form:has(input[value=hearing]) input[name=established]")
        .await;
    b.fill("input[name=record]", "Hearing 2026-7 (minutes)")
        .await;
    b.click("form:has(input[value=hearing]) button").await;
    let src = b.source().await;
    assert!(src.contains("Hearing 2026-7 (minutes)"), "{src}");
    b.pick("form:has(input[value=revoke]) select[name=ground]", "fraud")
        .await;
    b.click("form:has(input[value=revoke]) button").await;
    let src = b.source().await;
    assert!(src.contains("st-revoked"), "{src}");
    b.shot(t.dir.path(), "revoked-en.png").await;

    // The public registry shows it revoked, in Korean and in English.
    b.click("form[action='/logout'] button").await;
    b.go("/registry?lang=ko&status=revoked").await;
    let src = b.source().await;
    let row = &src[src.find(&number).expect("revoked certificate listed")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("st-revoked") && row.contains("취소"), "{row}");
    b.shot(t.dir.path(), "registry-revoked-ko.png").await;
    b.go("/registry?lang=en&status=revoked").await;
    let src = b.source().await;
    let row = &src[src.find(&number).expect("revoked certificate listed")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains(">revoked<"), "{row}");
    b.go("/registry?lang=en&status=active").await;
    assert!(
        !b.source().await.contains(&number),
        "still listed as active"
    );

    b.c.close().await.unwrap();
    server.abort();
}
