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

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::api;

pub use crate::api::{Accepted, Counts, Items};
pub use crate::error::{ErrorBody, ErrorDetail};

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
        // A site is addressed by its key, not its ID: say so, so that a
        // client (and a stateful fuzzer) follows from a new site correctly.
        if let Some(made) = doc
            .paths
            .paths
            .get_mut("/api/v1/sites")
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.responses.responses.get_mut("201"))
            && let RefOr::T(made) = made
        {
            for operation in [
                "site_settings",
                "patch_site_settings",
                "list_templates",
                "list_clients",
                "create_client",
            ] {
                let link = LinkBuilder::new()
                    .operation_id(operation)
                    .parameter("site", "$response.body#/key")
                    .build();
                made.links.insert(operation.to_string(), RefOr::T(link));
            }
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
    components(schemas(ErrorBody, ErrorDetail, gatehouse_app::oidc::Claims)),
    paths(
        crate::oidc::discovery,
        api::portal::register_call,
        api::portal::verify_call,
        api::portal::resend_call,
        api::portal::sign_in_call,
        api::portal::list_sessions_call,
        api::portal::sign_out_call,
        api::portal::sign_out_others_call,
        api::portal::me_call,
        api::portal::update_me_call,
        api::portal::change_password_call,
        api::portal::forgot_call,
        api::portal::reset_call,
        api::two_step::step_call,
        api::two_step::finish_call,
        api::two_step::status_call,
        api::two_step::enrolment_call,
        api::two_step::turn_on_call,
        api::two_step::renew_call,
        api::two_step::turn_off_call,
        api::passkeys::begin_adding_call,
        api::passkeys::finish_adding_call,
        api::passkeys::list_call,
        api::passkeys::rename_call,
        api::passkeys::remove_call,
        api::passkeys::begin_sign_in_call,
        api::passkeys::finish_sign_in_call,
        api::mail::list_outbox,
        api::mail::retry_mail,
        api::mail::list_templates,
        api::mail::get_template,
        api::mail::save_template,
        api::mail::reset_template,
        api::mail::preview_template,
        api::accounts::list_accounts,
        api::accounts::account_counts,
        api::accounts::bulk_action,
        api::accounts::get_account,
        api::accounts::update_account,
        api::accounts::temporary_password,
        api::accounts::account_duplicates,
        api::accounts::assign_account,
        api::accounts::impersonate,
        api::accounts::sign_out_everywhere,
        api::accounts::remove_two_step,
        api::accounts::remove_passkey,
        api::accounts::revoke_session,
        api::audit::list_audit,
        api::audit::audit_csv,
        api::tokens::list_tokens,
        api::tokens::create_token,
        api::tokens::revoke_token,
        api::customers::list_customers,
        api::customers::create_customer,
        api::customers::customers_csv,
        api::customers::customers_action,
        api::reports::dashboard,
        api::sites::list_sites,
        api::sites::create_site,
        api::reports::registrations_report,
        api::reports::registrations_report_csv,
        api::sites::site_settings,
        api::sites::patch_site_settings,
        api::customers::get_customer,
        api::customers::update_customer,
        api::customers::delete_customer,
        api::privacy::customer_data,
        api::privacy::erase,
        api::privacy::own_data,
        api::team::list_team_call,
        api::team::invite_call,
        api::team::switch_call,
        api::team::resend_call,
        api::companies::list_companies,
        api::companies::companies_csv,
        api::companies::create_company,
        api::companies::get_company,
        api::companies::update_company,
        api::companies::delete_company,
        api::groups::list_groups,
        api::groups::create_group,
        api::groups::update_group,
        api::groups::delete_group,
        api::staff::list_staff,
        api::staff::invite_staff,
        api::staff::update_staff,
        api::staff::reset_staff,
        api::staff::get_settings,
        api::staff::put_settings,
        api::clients::list_clients,
        api::clients::create_client,
        api::clients::get_client,
        api::clients::update_client,
        api::clients::delete_client,
        api::clients::rotate_secret,
        api::keys::list_keys,
        api::keys::rotate_keys,
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
pub(crate) fn routes() -> axum::Router<crate::state::AppState> {
    axum::Router::new().merge(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", document()),
    )
}
