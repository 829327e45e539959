//! The OpenAPI document: committed as the code makes it, covering every API
//! route, served with Swagger UI; and schemathesis (PyPI) fuzzing every
//! operation of a live server with an admin token, on both engines.
//!
//! schemathesis needs `python3 -m pip install schemathesis`; without it the
//! fuzzing test says it was skipped, unless `GATEHOUSE_E2E=required` (as in
//! CI), when it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use gatehouse_domain::StaffRole;
use gatehouse_testkit::{TestServer, both_engines};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_committed_document_is_the_one_the_code_makes() {
    let made = gatehouse_web::openapi::document_json();
    let path = root().join("openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if made != committed {
        if std::env::var("GATEHOUSE_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &made).unwrap();
            return;
        }
        panic!(
            "openapi.json differs from the document the code makes: run \
             `GATEHOUSE_UPDATE_OPENAPI=1 cargo test -p gatehouse-web --test openapi` \
             (or `gatehouse openapi > openapi.json`) and commit it"
        );
    }
}

/// `(METHOD, path)` of every route under `/api/v1` in the router's source
/// (every file of `crates/web/src/api`), and the OpenID discovery route
/// (`crates/web/src/oidc.rs`; the other OpenID endpoints are described by
/// discovery itself).
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let dir = root().join("crates/web/src/api");
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain([root().join("crates/web/src/oidc.rs")]);
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        // `.route("/api/v1/…", get(a).post(b))`, possibly over several lines.
        for chunk in text.split(".route(").skip(1) {
            let Some(path) = chunk.split('"').nth(1).filter(|p| {
                p.starts_with("/api/v1") || p.ends_with("/.well-known/openid-configuration")
            }) else {
                continue;
            };
            let end = chunk.find("\n        .route").unwrap_or(chunk.len());
            let call = &chunk[..end.min(chunk.find("\n}").unwrap_or(end))];
            for method in ["get", "post", "put", "patch", "delete"] {
                if call.contains(&format!("{method}(")) {
                    found.insert((method.to_uppercase(), path.to_string()));
                }
            }
        }
    }
    found
}

#[test]
fn every_api_route_is_in_the_document() {
    let doc: Value = serde_json::from_str(&gatehouse_web::openapi::document_json()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routes = routes_in_source();
    assert!(
        routes.len() > 50,
        "the source walk found the routes: {routes:?}"
    );
    let missing: Vec<_> = routes.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    let extra: Vec<_> = documented.difference(&routes).collect();
    assert!(extra.is_empty(), "documented but not routed: {extra:?}");
    // Every operation answers the error body for its refusals.
    let shared = &doc["components"]["responses"];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for status in ["400", "401", "403", "404", "422", "429"] {
                let answer = &op["responses"][status];
                let answer = match answer["$ref"].as_str() {
                    Some(r) => &shared[r.trim_start_matches("#/components/responses/")],
                    None => answer,
                };
                assert_eq!(
                    answer["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} documents {status}"
                );
            }
        }
    }
}

#[test]
fn the_documented_customer_body_names_every_customer_field() {
    // The customer bodies are `CustomerPatch` (every field, from the one
    // list) and, to add one, `NewCustomer` (those fields and an account).
    let doc: Value = serde_json::from_str(&gatehouse_web::openapi::document_json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let properties = schemas["CustomerPatch"]["properties"].as_object().unwrap();
    let names: Vec<&str> = gatehouse_app::customers::CustomerPatch::FIELDS
        .iter()
        .map(|f| f.name)
        .collect();
    for field in &names {
        assert!(
            properties.contains_key(*field),
            "CustomerPatch documents {field}"
        );
    }
    assert_eq!(properties.len(), names.len(), "and nothing else");
    let new_customer = schemas["NewCustomer"].to_string();
    assert!(
        new_customer.contains("#/components/schemas/CustomerPatch")
            && new_customer.contains("\"account\""),
        "{new_customer}"
    );
}

#[test]
fn the_documented_profile_body_names_profile_fields_only() {
    // `ProfileChanges` only documents a body read as a map: every key it
    // names must be a profile field, and every field a site may open to
    // customers by default must be there.
    let doc: Value = serde_json::from_str(&gatehouse_web::openapi::document_json()).unwrap();
    let properties = doc["components"]["schemas"]["ProfileChanges"]["properties"]
        .as_object()
        .unwrap();
    for key in properties.keys() {
        serde_json::from_value::<gatehouse_domain::ProfileField>(Value::String(key.clone()))
            .unwrap_or_else(|e| panic!("ProfileChanges documents {key}, no profile field: {e}"));
    }
    for field in gatehouse_domain::SiteSettings::default().editable_fields {
        let key = serde_json::to_value(field).unwrap();
        assert!(
            properties.contains_key(key.as_str().unwrap()),
            "ProfileChanges documents {key}"
        );
    }
}

both_engines! {
    async fn the_document_and_swagger_ui_are_served(db: TestDb) {
        let server = TestServer::start(&db).await;
        let served: Value = server.client.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        let made: Value = serde_json::from_str(&gatehouse_web::openapi::document_json()).unwrap();
        assert_eq!(served, made);
        assert_eq!(served["openapi"], "3.1.0");
        let ui = server.client.get(server.url("/api/docs/")).send().await.unwrap();
        assert_eq!(ui.status(), 200);
        let html = ui.text().await.unwrap();
        assert!(html.contains("swagger-ui"), "{html}");
        server.stop().await;
    }

    async fn text_with_a_nul_character_is_bad_input_not_a_server_error(db: TestDb) {
        // Found by schemathesis: PostgreSQL refuses NUL in text, SQLite keeps it.
        let server = TestServer::start(&db).await;
        let token = server.staff_token("admin@example.com", StaffRole::Admin, &["read", "write", "admin"]).await;
        let r = server.client.get(server.url("/api/v1/customers?q=ab%00cd")).bearer_auth(&token).send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        // The same refusal on both engines (SQLite would store NUL, but the
        // data must move between engines, and the contract says no NUL).
        assert_eq!(body["error"]["code"], "bad_request", "{} {body}", db.engine.as_str());
        assert!(body["error"]["message"].as_str().unwrap().contains("NUL"), "{body}");

        let r = server.client.get(server.url("/api/v1/reports/registrations?site=m%00in")).bearer_auth(&token).send().await.unwrap();
        assert!(r.status() == 400 || r.status() == 404, "{}", r.status());
        server.stop().await;
    }

    async fn a_page_too_far_to_count_to_is_an_empty_page(db: TestDb) {
        // Found by schemathesis: page × per_page overflowed.
        let server = TestServer::start(&db).await;
        let token = server.staff_token("admin@example.com", StaffRole::Admin, &["read", "write", "admin"]).await;
        for path in ["/api/v1/accounts?page=405282970897775296", "/api/v1/customers?page=9223372036854775807&per_page=500"] {
            let r = server.client.get(server.url(path)).bearer_auth(&token).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["items"].as_array().unwrap().len(), 0, "{path}: {body}");
        }
        server.stop().await;
    }

    async fn path_and_query_values_of_the_wrong_type_get_the_error_body(db: TestDb) {
        let server = TestServer::start(&db).await;
        let token = server.staff_token("admin@example.com", StaffRole::Admin, &["read", "write", "admin"]).await;
        for path in ["/api/v1/accounts/not-a-uuid", "/api/v1/customers?page=first", "/api/v1/audit?since=yesterday"] {
            let r = server.client.get(server.url(path)).bearer_auth(&token).send().await.unwrap();
            assert_eq!(r.status(), 400, "{path}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "bad_request", "{path}: {body}");
            assert!(!body["error"]["message"].as_str().unwrap().is_empty());
        }
        server.stop().await;
    }

    async fn schemathesis_finds_no_server_error_nor_undocumented_answer(db: TestDb) {
        if skipped() {
            return;
        }
        let server = TestServer::start(&db).await;
        let token = server.staff_token("fuzz@example.com", StaffRole::Admin, &["read", "write", "admin"]).await;
        // As a module, so that no console-script shim needs to be on PATH.
        // Every default check and every phase (stateful included), with the
        // repository's schemathesis.toml (which says where and why it
        // expects a refusal that no schema can state).
        let config = root().join("schemathesis.toml");
        let out = tokio::process::Command::new("python3")
            .args(["-m", "schemathesis.cli", "--config-file"])
            .arg(&config)
            .arg("run")
            .arg(server.url("/api/v1/openapi.json"))
            .args(["--url", &server.base_url])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args([
                "--max-examples", "25",
                // One worker: with two, hypothesis's description of its own
                // strategies can race (a Python `ast` recursion error in the
                // tool, not an answer of ours).
                "--workers", "1",
                "--request-timeout", "20",
                "--seed", "1",
                "--suppress-health-check", "all",
                "--no-color",
            ])
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "schemathesis found problems:\n{stdout}\n{stderr}");
        assert!(stdout.contains("passed"), "schemathesis ran operations:\n{stdout}");
        server.stop().await;
    }
}

/// True when schemathesis is not installed and may be skipped (it says so);
/// panics when it is required.
fn skipped() -> bool {
    let installed = std::process::Command::new("python3")
        .args(["-m", "schemathesis.cli", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    gatehouse_testkit::skipped_without(
        "schemathesis test",
        (!installed)
            .then_some("schemathesis is not installed (python3 -m pip install schemathesis)"),
    )
}

#[test]
fn the_document_describes_what_the_server_checks() {
    // Found by schemathesis with its default checks: two bodies shared the
    // name `TokenBody`, so the activation call documented the API-token body;
    // times, scopes and names were "any string".
    let doc: Value = serde_json::from_str(&gatehouse_web::openapi::document_json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let verify = &doc["paths"]["/api/v1/sites/{site}/verifications"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]["$ref"];
    assert_eq!(verify, "#/components/schemas/LinkToken");
    assert_eq!(
        schemas["LinkToken"]["required"],
        serde_json::json!(["token"])
    );
    let token = &schemas["TokenBody"]["properties"];
    assert_eq!(token["expires_at"]["format"], "date-time", "{token}");
    assert_eq!(
        schemas["Scope"]["enum"],
        serde_json::json!(["read", "write", "admin"])
    );
    assert_eq!(token["name"]["minLength"], 1);
    assert!(
        schemas["PasswordBody"]["properties"]
            .get("password")
            .is_none()
    );
    let bulk = &schemas["BulkBody"]["properties"];
    assert_eq!(bulk["ids"]["minItems"], 1);
    let registration = &schemas["Registration"];
    for field in ["email", "password", "first_name", "last_name"] {
        assert!(
            registration["required"]
                .as_array()
                .unwrap()
                .contains(&Value::from(field)),
            "{field} is required: {registration}"
        );
    }
}

/// Every type the document describes has a name of its own: utoipa names a
/// schema after the Rust type alone, so two types of one name (in two
/// modules) would be documented as one, and one of them wrongly.
#[test]
fn no_two_documented_types_share_a_name() {
    let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let mut clashes = Vec::new();
    for krate in ["domain", "store", "app", "web"] {
        let mut stack = vec![root().join("crates").join(krate).join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                let mut documented = false;
                for line in source.lines().map(str::trim) {
                    if line.starts_with("#[derive(") && line.contains("ToSchema") {
                        documented = true;
                    } else if documented && (line.contains("struct ") || line.contains("enum ")) {
                        let name = line
                            .split_whitespace()
                            .skip_while(|w| *w != "struct" && *w != "enum")
                            .nth(1)
                            .unwrap_or_default()
                            .trim_end_matches(['{', '(', ';', '<'])
                            .to_string();
                        let place = path.display().to_string();
                        if let Some(first) = seen.insert(name.clone(), place.clone()) {
                            clashes.push(format!("{name}: {first} and {place}"));
                        }
                        documented = false;
                    } else if !line.starts_with("#[")
                        && !line.starts_with("///")
                        && !line.is_empty()
                    {
                        documented = false;
                    }
                }
            }
        }
    }
    assert!(
        seen.len() > 50,
        "the documented types are found: {}",
        seen.len()
    );
    assert!(
        clashes.is_empty(),
        "documented types of one name: {clashes:?}"
    );
}
