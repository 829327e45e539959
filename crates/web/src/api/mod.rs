//! The JSON API under `/api/v1`, one module per resource. Staff calls name
//! their caller with the [`crate::extract::ApiCaller`] extractor (a bearer
//! token or a console session; the app layer checks the permission), portal
//! calls with [`crate::extract::PortalCaller`]; bodies, paths and queries are
//! typed and refused in the one error body of `crate::error`.

pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod clients;
pub(crate) mod companies;
pub(crate) mod csv;
pub(crate) mod customers;
pub(crate) mod groups;
pub(crate) mod keys;
pub(crate) mod mail;
pub(crate) mod passkeys;
pub(crate) mod portal;
pub(crate) mod privacy;
pub(crate) mod reports;
pub(crate) mod sites;
pub(crate) mod staff;
pub(crate) mod team;
pub(crate) mod tokens;
pub(crate) mod two_step;

use std::collections::BTreeMap;

use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::state::AppState;

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

/// Status counts by status name.
pub type Counts = BTreeMap<String, i64>;

/// Every API route.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(accounts::routes())
        .merge(audit::routes())
        .merge(clients::routes())
        .merge(customers::routes())
        .merge(groups::routes())
        .merge(companies::routes())
        .merge(team::routes())
        .merge(keys::routes())
        .merge(mail::routes())
        .merge(portal::routes())
        .merge(two_step::routes())
        .merge(passkeys::routes())
        .merge(privacy::routes())
        .merge(reports::routes())
        .merge(sites::routes())
        .merge(staff::routes())
        .merge(tokens::routes())
}

/// A filter by site key.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SiteQuery {
    /// The site key; all sites when absent.
    pub(crate) site: Option<String>,
}
