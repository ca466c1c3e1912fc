//! The OpenAPI document, pinned: any change to the API shows in review.

#[test]
fn openapi_document() {
    let doc = kcvs_server::openapi();
    let json = serde_json::to_value(&doc).unwrap();
    assert!(
        json["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        json["openapi"]
    );
    insta::assert_json_snapshot!("openapi", json);
}
