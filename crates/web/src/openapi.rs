//! The OpenAPI 3.1 document of the JSON API, generated from the handlers'
//! annotations and the types they answer with; the answer shapes that are
//! no use case's own type; Swagger UI.
//!
//! Invariants owned here:
//! - Every `/api/v1` route is in the document (a test walks the router's
//!   paths against it), and `openapi.json` at the repository's root is the
//!   document as the code makes it (a test fails when they drift apart).
//! - Every operation lists the error statuses any API call may answer, each
//!   with the one error body ([`ErrorBody`]).

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::{portal, staff_api};

/// A list answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    /// The rows.
    pub items: Vec<T>,
}

/// The answer to a request that sends mail if it can, the same for every
/// address (no account enumeration).
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`.
    pub status: String,
    /// What happens now.
    pub message: String,
}

/// The error body of every refusal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code (`invalid`, `not_found`,
    /// `invalid_credentials`, `locked`, …).
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// The input field at fault, if one is.
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// Every input field at fault, when several are.
    #[schema(nullable = false)]
    pub fields: Option<Vec<gatehouse_domain::FieldError>>,
}

/// Status counts by status name.
pub type Counts = BTreeMap<String, i64>;

/// The statuses any API call may answer besides its own, each with the
/// error body: (status, name of the shared response, what it means).
const ERRORS: [(&str, &str, &str); 10] = [
    (
        "400",
        "BadRequest",
        "Malformed input: not JSON, a path or query value of the wrong type",
    ),
    (
        "401",
        "Unauthorized",
        "Not signed in, or the API token is unknown, revoked or expired",
    ),
    (
        "403",
        "Forbidden",
        "Not allowed to the caller, or refused by the account lifecycle (the code says why)",
    ),
    (
        "404",
        "NotFound",
        "No such site, account, customer or other resource",
    ),
    (
        "409",
        "Conflict",
        "Conflicts with what exists (a taken name or login ID, a changed record)",
    ),
    ("413", "TooLarge", "The request body is too large"),
    ("415", "NotJson", "The request body is not JSON"),
    (
        "422",
        "Invalid",
        "A field breaks a rule; `field` or `fields` say which and why",
    ),
    (
        "429",
        "RateLimited",
        "Too many requests; `Retry-After` says when to try again",
    ),
    (
        "503",
        "Unavailable",
        "Busy or the database is unreachable; `Retry-After` may say when to try again",
    ),
];

/// Adds the bearer and cookie schemes and the shared error answers.
#[derive(Debug)]
struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from `gatehouse token create` or the console's Tokens page",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "portal_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "gh_session_{site}",
                "The session cookie set by signing in on the site",
            ))),
        );
        for (_, name, description) in ERRORS {
            let error_body = ContentBuilder::new()
                .schema(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody"))))
                .build();
            components.responses.insert(
                name.to_string(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content("application/json", error_body)
                        .build(),
                ),
            );
        }
        for item in doc.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                for (status, name, _) in ERRORS {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| {
                            RefOr::Ref(Ref::new(format!("#/components/responses/{name}")))
                        });
                }
            }
        }
    }
}

/// The document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Gatehouse API",
        description = "The account desk of a business's customer portals: the portal calls for a \
                       business's own front end (`/api/v1/sites/{site}/…`, cookie session), and \
                       every console operation for integrations (bearer API token with scopes \
                       `read`, `write`, `admin`; never more than the token's staff user's role). \
                       Errors answer `{\"error\": {\"code\", \"message\"}}`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&Shared),
    components(schemas(ErrorBody, ErrorDetail)),
    paths(
        portal::api::register_call,
        portal::api::verify_call,
        portal::api::resend_call,
        portal::api::sign_in_call,
        portal::api::list_sessions_call,
        portal::api::sign_out_call,
        portal::api::sign_out_others_call,
        portal::api::me_call,
        portal::api::update_me_call,
        portal::api::change_password_call,
        portal::api::forgot_call,
        portal::api::reset_call,
        staff_api::list_outbox,
        staff_api::retry_mail,
        staff_api::list_templates,
        staff_api::get_template,
        staff_api::save_template,
        staff_api::reset_template,
        staff_api::preview_template,
        staff_api::list_accounts,
        staff_api::account_counts,
        staff_api::bulk_action,
        staff_api::get_account,
        staff_api::update_account,
        staff_api::temporary_password,
        staff_api::account_duplicates,
        staff_api::assign_account,
        staff_api::impersonate,
        staff_api::revoke_session,
        staff_api::list_audit,
        staff_api::audit_csv,
        staff_api::list_tokens,
        staff_api::create_token,
        staff_api::revoke_token,
        staff_api::list_customers,
        staff_api::create_customer,
        staff_api::customers_csv,
        staff_api::customers_action,
        staff_api::dashboard,
        staff_api::list_sites,
        staff_api::create_site,
        staff_api::registrations_report,
        staff_api::registrations_report_csv,
        staff_api::site_settings,
        staff_api::patch_site_settings,
        staff_api::get_customer,
        staff_api::update_customer,
        staff_api::delete_customer,
        staff_api::list_groups,
        staff_api::create_group,
        staff_api::update_group,
        staff_api::delete_group,
        staff_api::list_staff,
        staff_api::invite_staff,
        staff_api::update_staff,
        staff_api::get_settings,
        staff_api::put_settings,
    )
)]
pub struct ApiDoc;

/// The document as served at `/api/v1/openapi.json` and committed as
/// `openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as pretty JSON, ending in a newline.
pub fn document_json() -> String {
    let mut text = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// `/api/v1/openapi.json` and Swagger UI at `/api/docs`.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new().merge(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", document()),
    )
}
