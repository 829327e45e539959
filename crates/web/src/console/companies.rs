//! Companies in the console (`/admin/companies`): the list (search, how many
//! customers and accounts each has, pages, CSV), adding one, and a company's
//! page (its data to change, its customers and their accounts, deleting it
//! when no customer belongs to it). A name another company has is refused
//! with a link to that company; a refused form keeps what was typed.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::AppError;
use gatehouse_app::companies::{self, CompanyInput, CompanyPatch};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_domain::{FieldError, Permission};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Button, OnPage, PageResult, page, redirect};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath, ConsoleQuery};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/companies", get(companies_page).post(create_company))
        .route(
            "/admin/companies/{id}",
            get(company_page).post(update_company),
        )
        .route("/admin/companies/{id}/delete", post(delete_company))
}

const PER_PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    q: Option<String>,
    page: Option<i64>,
    added: Option<String>,
    deleted: Option<String>,
}

/// The company form as posted (and shown again when refused).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
struct CompanyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    notes: String,
}

impl From<CompanyForm> for CompanyInput {
    fn from(f: CompanyForm) -> CompanyInput {
        CompanyInput {
            name: f.name,
            external_id: Some(f.external_id),
            address: Some(f.address),
            notes: f.notes,
        }
    }
}

impl From<CompanyForm> for CompanyPatch {
    fn from(f: CompanyForm) -> CompanyPatch {
        CompanyPatch {
            name: Some(f.name),
            external_id: Some(f.external_id),
            address: Some(f.address),
            notes: Some(f.notes),
        }
    }
}

/// A refused company form: what was typed, each field's error, and the
/// company whose name was taken (offered instead).
#[derive(Debug, Default)]
struct Refused {
    typed: CompanyForm,
    errors: Vec<FieldError>,
    existing: Option<(String, String)>,
}

impl Refused {
    fn of(typed: CompanyForm, e: AppError) -> Result<Refused, AppError> {
        let errors = match e {
            AppError::Fields(list) | AppError::Taken(list) => list,
            other => return Err(other),
        };
        let existing = errors.iter().find_map(|e| {
            let words = e.words.as_ref()?;
            (words.id == "company-name-taken").then(|| {
                let arg = |n: &str| {
                    words
                        .args
                        .iter()
                        .find(|(k, _)| *k == n)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                (arg("id"), arg("name"))
            })
        });
        Ok(Refused {
            typed,
            errors,
            existing,
        })
    }

    fn context(&self) -> Value {
        let said: std::collections::BTreeMap<&str, String> = self
            .errors
            .iter()
            .map(|e| (e.field.as_str(), super::field_said(e)))
            .collect();
        context! {
            typed => pages::ser(&self.typed),
            errors => pages::ser(&said),
            existing => self.existing.as_ref().map(|(id, name)| context! { id, name }),
        }
    }
}

async fn companies_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsoleQuery(q): ConsoleQuery<ListQuery>,
) -> PageResult {
    let flash = if q.added.is_some() {
        Some("c-company-added")
    } else if q.deleted.is_some() {
        Some("c-company-deleted")
    } else {
        None
    };
    company_list(&caller, &state, &q, StatusCode::OK, flash, None).await
}

async fn company_list(
    caller: &StaffCaller,
    state: &AppState,
    q: &ListQuery,
    status: StatusCode,
    flash: Option<&str>,
    refused: Option<Refused>,
) -> PageResult {
    let page_no = q.page.unwrap_or(1).max(1);
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let list = companies::list(
        &state.app,
        caller,
        search,
        PER_PAGE,
        (page_no - 1).saturating_mul(PER_PAGE),
    )
    .await
    .on_page(caller)?;
    let pages = ((list.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", search.unwrap_or(""))
        .finish();
    let form = refused.as_ref().map(Refused::context);
    Ok(page(
        caller,
        status,
        "console/companies.html",
        context! {
            items => pages::ser(&list.items), total => list.total, page => page_no, pages,
            q => search, query,
            may_manage => caller.may(Permission::ManageAccounts),
            form, flash, error => None::<String>,
        },
    ))
}

async fn create_company(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<CompanyForm>,
) -> PageResult {
    let typed = form.clone();
    match companies::create(&state.app, &caller, &form.into()).await {
        Ok(made) => Ok(redirect(&format!("/admin/companies/{}?added=1", made.id))),
        Err(e) => {
            let status = super::refusal_status(&e);
            let refused = Refused::of(typed, e).on_page(&caller)?;
            let q = ListQuery::default();
            company_list(&caller, &state, &q, status, None, Some(refused)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct CompanyQuery {
    added: Option<String>,
}

async fn company_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleQuery(q): ConsoleQuery<CompanyQuery>,
) -> PageResult {
    let flash = q.added.is_some().then_some("c-company-added");
    show_company(&caller, &state, id, StatusCode::OK, flash, None, None).await
}

async fn show_company(
    caller: &StaffCaller,
    state: &AppState,
    id: Uuid,
    status: StatusCode,
    flash: Option<&str>,
    refused: Option<Refused>,
    error: Option<String>,
) -> PageResult {
    let detail = companies::get(&state.app, caller, id)
        .await
        .on_page(caller)?;
    let form = refused.as_ref().map(Refused::context);
    let mut accounts: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for a in &detail.accounts {
        if let Some(customer) = a.customer_id {
            accounts
                .entry(customer.to_string())
                .or_default()
                .push(pages::ser(a));
        }
    }
    Ok(page(
        caller,
        status,
        "console/company.html",
        context! {
            company => pages::ser(&detail.company),
            customers => pages::ser(&detail.customers),
            customer_count => detail.customer_count,
            shown => detail.customers.len(),
            accounts => pages::ser(&accounts),
            may_manage => caller.may(Permission::ManageAccounts),
            form, flash, error,
        },
    ))
}

async fn update_company(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<CompanyForm>,
) -> PageResult {
    let typed = form.clone();
    match companies::update(&state.app, &caller, id, &form.into()).await {
        Ok(_) => {
            show_company(
                &caller,
                &state,
                id,
                StatusCode::OK,
                Some("c-saved"),
                None,
                None,
            )
            .await
        }
        Err(e) => {
            let status = super::refusal_status(&e);
            let refused = Refused::of(typed, e).on_page(&caller)?;
            show_company(&caller, &state, id, status, None, Some(refused), None).await
        }
    }
}

async fn delete_company(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    match companies::delete(&state.app, &caller, id).await {
        Ok(()) => Ok(redirect("/admin/companies?deleted=1")),
        Err(AppError::Conflict(_)) => {
            let status = StatusCode::CONFLICT;
            let said = super::word("c-company-has-customers");
            show_company(&caller, &state, id, status, None, None, Some(said)).await
        }
        Err(e) => Err(e).on_page(&caller),
    }
}
