//! Customers and groups through the staff API, on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_domain::StaffRole;
use gatehouse_testkit::{TestServer, both_engines, browser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn token(server: &TestServer, email: &str, role: StaffRole) -> String {
    server.staff_token(email, role, &[]).await
}

async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    bearer: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    server.api(method, path, Some(bearer), body).await
}

both_engines! {
    async fn companies_are_records_through_the_api(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let support = token(&server, "support@example.com", StaffRole::Support).await;
        let (status, engines) = call(&server, Method::POST, "/api/v1/companies", &admin, Some(json!({"name": " Engines  Ltd. ", "external_id": "ERP-1", "address": "1 Engine Way\nLondon"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{engines}");
        assert_eq!(engines["name"], "Engines Ltd.", "kept as spelled, without stray spaces");
        let eid = engines["id"].as_str().unwrap().to_string();

        // A name another company has (case, spaces, a full stop aside) is refused, naming it.
        let (status, body) = call(&server, Method::POST, "/api/v1/companies", &admin, Some(json!({"name": "engines LTD"}))).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("name")));
        let said = body["error"]["fields"][0]["message"].as_str().unwrap();
        assert!(said.contains("'Engines Ltd.' exists already") && said.contains(&eid), "{said}");
        let (status, body) = call(&server, Method::POST, "/api/v1/companies", &admin, Some(json!({"name": "Other", "external_id": "ERP-1"}))).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("external_id")));
        let (status, body) = call(&server, Method::POST, "/api/v1/companies", &admin, Some(json!({"name": " . "}))).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")));
        assert_eq!(server.api(Method::POST, "/api/v1/companies", None, Some(json!({"name": "Anonymous Co"}))).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(server.api(Method::GET, "/api/v1/companies", None, None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(call(&server, Method::GET, "/api/v1/companies", &support, None).await.0, StatusCode::OK, "support staff read them");

        // A customer's company by name finds the record, or makes one; by ID it must exist.
        let (status, ada) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({"first_name": "Ada", "last_name": "Lovelace", "company": "ENGINES ltd"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{ada}");
        assert_eq!((ada["company"].as_str(), ada["company_id"].as_str()), (Some("Engines Ltd."), Some(eid.as_str())));
        let (status, charles) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({"last_name": "Babbage", "company": "Difference Engines"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{charles}");
        let did = charles["company_id"].as_str().unwrap().to_string();
        assert_ne!(did, eid);
        let (_, found) = call(&server, Method::GET, "/api/v1/companies?q=difference", &admin, None).await;
        assert_eq!((found["total"].as_i64(), found["items"][0]["customers"].as_i64()), (Some(1), Some(1)));
        for wrong in [json!("01890a5d-ac96-774b-bcce-b302099a8057"), json!("nope")] {
            let (status, body) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({"last_name": "Nobody", "company_id": wrong}))).await;
            assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("company_id")), "{body}");
        }
        let (_, all) = call(&server, Method::GET, "/api/v1/companies", &admin, None).await;
        assert_eq!(all["total"], 2, "a refused customer made no company");

        // A new name reaches the customers; the list filters by part of it or by ID.
        let (status, renamed) = call(&server, Method::PATCH, &format!("/api/v1/companies/{eid}"), &admin, Some(json!({"name": "Analytical Engines"}))).await;
        assert_eq!((status, renamed["external_id"].as_str()), (StatusCode::OK, Some("ERP-1")), "absent fields stay");
        let aid = ada["id"].as_str().unwrap();
        let (_, ada_now) = call(&server, Method::GET, &format!("/api/v1/customers/{aid}"), &admin, None).await;
        assert_eq!(ada_now["company"], "Analytical Engines");
        for query in ["company=ANALYT", &format!("company_id={eid}")] {
            let (_, page) = call(&server, Method::GET, &format!("/api/v1/customers?{query}"), &admin, None).await;
            assert_eq!((page["total"].as_i64(), page["items"][0]["first_name"].as_str()), (Some(1), Some("Ada")), "{query}");
        }
        let (_, detail) = call(&server, Method::GET, &format!("/api/v1/companies/{eid}"), &admin, None).await;
        assert_eq!((detail["customer_count"].as_i64(), detail["customers"][0]["first_name"].as_str()), (Some(1), Some("Ada")));
        let csv = reqwest::Client::new().get(server.url("/api/v1/companies.csv")).bearer_auth(&admin).send().await.unwrap().text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "name,external_id,address,notes,customers,accounts,id");
        assert!(lines[1].starts_with("Analytical Engines,ERP-1,\"1 Engine Way") && csv.contains(&format!(",1,0,{eid}")), "{csv}");
        let customers_csv = reqwest::Client::new().get(server.url("/api/v1/customers.csv")).bearer_auth(&admin).send().await.unwrap().text().await.unwrap();
        let header = customers_csv.lines().next().unwrap();
        assert!(header.contains(",company,company_id,"), "{header}");
        assert!(customers_csv.contains(&format!("Analytical Engines,{eid}")), "{customers_csv}");

        // Deleting is refused while customers belong to it.
        let (status, body) = call(&server, Method::DELETE, &format!("/api/v1/companies/{eid}"), &admin, None).await;
        assert_eq!((status, body["error"]["message"].as_str()), (StatusCode::CONFLICT, Some("the company still has 1 customer; move them to another company first")));
        let (_, moved) = call(&server, Method::PATCH, &format!("/api/v1/customers/{aid}"), &admin, Some(json!({"company_id": null}))).await;
        assert_eq!((moved["company"].as_str(), moved["company_id"].as_str()), (None, None));
        assert_eq!(call(&server, Method::DELETE, &format!("/api/v1/companies/{eid}"), &admin, None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(call(&server, Method::GET, &format!("/api/v1/companies/{eid}"), &admin, None).await.0, StatusCode::NOT_FOUND);
        let (_, audit) = call(&server, Method::GET, "/api/v1/audit?action=company.", &admin, None).await;
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "company.create").count(), 2, "{actions:?}");
        assert!(actions.contains(&"company.update") && actions.contains(&"company.delete"), "{actions:?}");
        server.stop().await;
    }

    async fn free_text_companies_become_records_merging_spellings(db: TestDb) {
        use gatehouse_store::{Company, Customer, CustomerFields};
        let server = TestServer::start(&db).await;
        let now = time::OffsetDateTime::now_utc();
        let looms = Company { id: uuid::Uuid::now_v7(), name: "Jacquard Looms".into(), external_id: None, address: None, notes: String::new(), created_at: now, updated_at: now };
        // As customers were stored before companies were records.
        let typed = ["Engines Ltd", "Engines Ltd.", " engines  ltd ", "jacquard looms.", "Solo GmbH", "  "];
        let customers: Vec<Customer> = typed.iter().enumerate().map(|(i, company)| Customer {
            id: uuid::Uuid::now_v7(),
            fields: CustomerFields { last_name: format!("Person {i}"), company: Some(company.to_string()), ..CustomerFields::default() },
            created_at: now,
            updated_at: now,
        }).collect();
        let mut tx = server.app.store.begin().await.unwrap();
        tx.insert_company(&looms).await.unwrap();
        tx.insert_customers(&customers).await.unwrap();
        tx.commit().await.unwrap();

        let report = gatehouse_app::companies::adopt_free_text(&server.app).await.unwrap();
        assert_eq!((report.companies, report.customers), (2, 5), "{report:?}");
        let merged: Vec<(&str, Vec<&str>)> = report.merged.iter().map(|(k, v)| (k.as_str(), v.iter().map(String::as_str).collect())).collect();
        assert_eq!(merged, [("Engines Ltd", vec!["Engines Ltd", "Engines Ltd.", "engines ltd"]), ("Jacquard Looms", vec!["jacquard looms."])]);
        let mut tx = server.app.store.read().await.unwrap();
        let now_stored: Vec<(Option<String>, bool)> = {
            let mut out = Vec::new();
            for c in &customers {
                let f = tx.customer_by_id(c.id).await.unwrap().unwrap().fields;
                out.push((f.company, f.company_id.is_some()));
            }
            out
        };
        let engines = (Some("Engines Ltd".to_string()), true);
        assert_eq!(now_stored, [engines.clone(), engines.clone(), engines, (Some("Jacquard Looms".into()), true), (Some("Solo GmbH".into()), true), (None, false)]);
        assert_eq!(tx.count_companies(None).await.unwrap(), 3, "the existing company was used");
        drop(tx);
        let again = gatehouse_app::companies::adopt_free_text(&server.app).await.unwrap();
        assert_eq!((again.companies, again.customers), (0, 0), "nothing left to do");
        server.stop().await;
    }

    async fn groups_are_managed_and_kept_while_they_have_members(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let (status, group) = call(&server, Method::POST, "/api/v1/groups", &admin, Some(json!({"name": "Installers", "description": "Field staff"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{group}");
        let gid = group["id"].as_str().unwrap().to_string();
        // A time is a date-time in the API, as everywhere else.
        let created = group["created_at"].as_str().expect("created_at is text");
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(call(&server, Method::POST, "/api/v1/groups", &admin, Some(json!({"name": "installers"}))).await.0, StatusCode::CONFLICT);
        assert_eq!(call(&server, Method::POST, "/api/v1/groups", &admin, Some(json!({"name": " "}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        let (status, customer) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({"first_name": "Ada", "last_name": "Lovelace", "group_id": gid}))).await;
        assert_eq!(status, StatusCode::CREATED, "{customer}");
        let (status, body) = call(&server, Method::DELETE, &format!("/api/v1/groups/{gid}"), &admin, None).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"]["message"], "the group still has 1 customer; move them to another group first");

        // Inactive groups leave the pickers and take no new members.
        call(&server, Method::PATCH, &format!("/api/v1/groups/{gid}"), &admin, Some(json!({"name": "Installers", "active": false}))).await;
        assert_eq!(call(&server, Method::GET, "/api/v1/groups", &admin, None).await.1["items"].as_array().unwrap().len(), 0);
        let (_, all) = call(&server, Method::GET, "/api/v1/groups?all=true", &admin, None).await;
        assert_eq!((all["items"][0]["members"].as_i64(), all["items"][0]["active"].as_bool()), (Some(1), Some(false)));
        let (status, body) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({"last_name": "New", "group_id": gid}))).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("group_id")));

        let cid = customer["id"].as_str().unwrap();
        call(&server, Method::PATCH, &format!("/api/v1/customers/{cid}"), &admin, Some(json!({"group_id": null}))).await;
        assert_eq!(call(&server, Method::DELETE, &format!("/api/v1/groups/{gid}"), &admin, None).await.0, StatusCode::NO_CONTENT);
        server.stop().await;
    }

    async fn customers_are_added_with_an_account_and_a_welcome_link(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let (status, body) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({
            "first_name": "Grace", "last_name": "Hopper", "email": "not an address", "url": "ftp://x", "colour": "red", "notifications": "yes"
        }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["colour", "email", "notifications", "url"], "{body}");

        let (status, made) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({
            "first_name": "Grace", "last_name": "Hopper", "email": "Grace@Example.com", "company": "Navy", "country": "US",
            "phone": "+1 555 0100", "external_id": "ERP-42", "notes": "line one\\nline two",
            "account": {"site": "main", "send_welcome": true}
        }))).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        assert_eq!(made["email"], "Grace@example.com");
        assert_eq!(made["accounts"][0]["login_id"], "grace@example.com");
        assert_eq!(made["accounts"][0]["status"], "active");

        // The welcome mail carries a link to choose a password, never a password.
        let mail = server.nth_mail("Grace@example.com", 1).await;
        assert!(mail.subject.starts_with("Your account at"), "{}", mail.subject);
        let link = mail.link_to(&server.base_url, "/reset-password?token=").unwrap();
        let token = link.split("token=").nth(1).unwrap();
        let set = browser().post(server.url("/api/v1/sites/main/password-resets/confirm"))
            .json(&json!({"token": token, "new_password": "violet anchors juggle quietly"})).send().await.unwrap();
        assert_eq!(set.status(), StatusCode::OK);
        let signed = browser().post(server.url("/api/v1/sites/main/sessions"))
            .json(&json!({"login_id": "grace@example.com", "password": "violet anchors juggle quietly"})).send().await.unwrap();
        assert_eq!(signed.status(), StatusCode::OK, "the customer chose a password and signs in");

        let id = made["id"].as_str().unwrap();
        let (status, changed) = call(&server, Method::PATCH, &format!("/api/v1/customers/{id}"), &admin, Some(json!({"city": "Arlington", "company": null}))).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!((changed["city"].as_str(), changed["company"].as_str()), (Some("Arlington"), None));
        let (status, _) = call(&server, Method::PATCH, &format!("/api/v1/customers/{id}"), &admin, Some(json!({"first_name": "", "last_name": ""}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a customer keeps a name or a company");
        assert_eq!(call(&server, Method::GET, &format!("/api/v1/customers/{id}"), &admin, None).await.1["last_name"], "Hopper", "nothing of a refused change");
        let (status, body) = call(&server, Method::DELETE, &format!("/api/v1/customers/{id}"), &admin, None).await;
        assert_eq!((status, body["error"]["message"].as_str()), (StatusCode::CONFLICT, Some("the customer has 1 portal account in use; delete them or assign them to another customer first")));

        // Once its account is deleted, the customer can be deleted; the
        // deleted account stays, assigned to nobody.
        let (_, other) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({"company": "Gone Ltd",
            "account": {"site": "main", "login_id": "gone@example.com", "email": "gone@example.com"}}))).await;
        let (other, account) = (other["id"].as_str().unwrap().to_string(), other["accounts"][0]["id"].as_str().unwrap().to_string());
        let (status, _) = call(&server, Method::POST, "/api/v1/accounts/actions", &admin, Some(json!({"action": "delete", "ids": [account]}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(call(&server, Method::DELETE, &format!("/api/v1/customers/{other}"), &admin, None).await.0, StatusCode::NO_CONTENT);
        let (status, kept) = call(&server, Method::GET, &format!("/api/v1/accounts/{account}"), &admin, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((kept["account"]["status"].as_str(), &kept["account"]["customer_id"]), (Some("deleted"), &Value::Null), "{kept}");

        let (_, lone) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({"company": "ACME"}))).await;
        let lone = lone["id"].as_str().unwrap();
        assert_eq!(call(&server, Method::DELETE, &format!("/api/v1/customers/{lone}"), &admin, None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(call(&server, Method::GET, &format!("/api/v1/customers/{lone}"), &admin, None).await.0, StatusCode::NOT_FOUND);
        let (status, _) = call(&server, Method::POST, "/api/v1/customers", &admin, Some(json!({"company": "Other", "account": {"site": "main", "login_id": "grace@example.com", "email": "g2@example.com"}}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a taken login ID");
        server.stop().await;
    }

    async fn admins_add_sites_and_change_their_settings(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        let support = token(&server, "support@example.com", StaffRole::Support).await;
        let (status, site) = call(&server, Method::POST, "/api/v1/sites", &admin, Some(json!({"key": "installers", "name": "Installer portal"}))).await;
        assert_eq!((status, site["key"].as_str()), (StatusCode::CREATED, Some("installers")));
        assert_eq!(call(&server, Method::POST, "/api/v1/sites", &admin, Some(json!({"key": "installers", "name": "x"}))).await.0, StatusCode::CONFLICT);
        assert_eq!(call(&server, Method::POST, "/api/v1/sites", &admin, Some(json!({"key": "Bad Key", "name": "x"}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(call(&server, Method::POST, "/api/v1/sites", &support, Some(json!({"key": "other", "name": "x"}))).await.0, StatusCode::FORBIDDEN);
        assert_eq!(call(&server, Method::GET, "/api/v1/sites", &support, None).await.1["items"].as_array().unwrap().len(), 2);

        let path = "/api/v1/sites/installers/settings";
        assert_eq!(call(&server, Method::GET, path, &admin, None).await.1["approval_required"], false);
        let (status, body) = call(&server, Method::PATCH, path, &admin, Some(json!({"approval_required": true, "max_failed_attempts": 0, "colour": 1}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["colour"], "unknown keys are named first, nothing applied: {body}");
        assert_eq!(call(&server, Method::GET, path, &admin, None).await.1["approval_required"], false);
        let (status, changed) = call(&server, Method::PATCH, path, &admin, Some(json!({"approval_required": true, "lock_mode": "permanent"}))).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!((changed["approval_required"].as_bool(), changed["lock_mode"].as_str()), (Some(true), Some("permanent")));
        assert_eq!(call(&server, Method::PATCH, path, &support, Some(json!({"approval_required": false}))).await.0, StatusCode::FORBIDDEN);

        // The setting takes effect: a registration there waits for approval.
        let r = browser().post(server.url("/api/v1/sites/installers/registrations"))
            .json(&json!({"email": "ina@example.com", "password": "correct horse battery staple", "first_name": "Ina", "last_name": "S"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let link = server.nth_mail("ina@example.com", 1).await.link_to(&server.base_url, "/activate").unwrap();
        let token_part = link.split("token=").nth(1).unwrap().to_string();
        let verified = browser().post(server.url("/api/v1/sites/installers/verifications")).json(&json!({"token": token_part})).send().await.unwrap();
        assert_eq!(verified.json::<Value>().await.unwrap()["status"], "pending");
        server.stop().await;
    }

    async fn the_registrations_report_lists_dates_and_expiries(db: TestDb) {
        let server = TestServer::start(&db).await;
        let admin = token(&server, "admin@example.com", StaffRole::Admin).await;
        for email in ["ada@example.com", "grace@example.com"] {
            let r = browser().post(server.url("/api/v1/sites/main/registrations"))
                .json(&json!({"email": email, "password": "correct horse battery staple", "first_name": "A", "last_name": "B"})).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::ACCEPTED);
        }
        let link = server.nth_mail("ada@example.com", 1).await.link_to(&server.base_url, "/activate").unwrap();
        browser().get(&link).send().await.unwrap();
        let mut tx = server.app.store.read().await.unwrap();
        let site = tx.site_by_key("main").await.unwrap().unwrap();
        let cid = tx.account_by_email(site.id, "ada@example.com").await.unwrap().unwrap().customer_id.unwrap();
        drop(tx);
        let (status, _) = call(&server, Method::PATCH, &format!("/api/v1/customers/{cid}"), &admin, Some(json!({"company": "Engines Ltd"}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, report) = call(&server, Method::GET, "/api/v1/reports/registrations?site=main", &admin, None).await;
        assert_eq!(status, StatusCode::OK);
        let items = report["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let ada = items.iter().find(|r| r["login_id"] == "ada@example.com").unwrap();
        assert!(ada["verified_at"].is_string() && ada["approved_at"].is_string(), "{ada}");
        assert_eq!((ada["role"].as_str(), ada["company"].as_str()), (Some("customer"), Some("Engines Ltd")), "{ada}");
        let grace = items.iter().find(|r| r["login_id"] == "grace@example.com").unwrap();
        assert!(grace["verified_at"].is_null() && grace["status"] == "unverified");
        let csv = reqwest::Client::new().get(server.url("/api/v1/reports/registrations.csv?site=main")).bearer_auth(&admin).send().await.unwrap().text().await.unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("id,login_id,email,status,role,company,company_id,registered_at,verified_at,approved_at,last_login_at,access_expires_at,password_expires_at"));
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().any(|r| r.contains("ada@example.com,active,customer,Engines Ltd,")), "{rows:?}");
        assert_eq!(call(&server, Method::GET, "/api/v1/reports/registrations?site=nowhere", &admin, None).await.0, StatusCode::NOT_FOUND);
        server.stop().await;
    }
}
