//! Customers in the console: the list (`/admin/customers`: search,
//! filters, sort, pages, an action on a selection) and one customer's form
//! (add, change, delete), which shows every refused field next to what was
//! typed.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::customers::{self, CustomerAction, TEXT_FIELDS};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::{AppError, groups};
use gatehouse_domain::{FieldError, Permission};
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::Map;
use uuid::Uuid;

use super::{Button, OnPage, PageResult, page, redirect, site_keys};
use crate::extract::{ConsoleCaller, ConsoleForm};
use crate::{AppState, pages};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/customers", get(customers_page))
        .route("/admin/customers/actions", post(customers_action))
        .route(
            "/admin/customers/new",
            get(new_customer).post(create_customer),
        )
        .route(
            "/admin/customers/{id}",
            get(customer_page).post(update_customer),
        )
        .route("/admin/customers/{id}/delete", post(delete_customer))
}

/// A refusal that is not about one form's fields: the console's front page
/// saying why (422 for what the staff user can put right).
fn refused(caller: &StaffCaller, e: AppError) -> super::ConsoleError {
    match e {
        e @ (AppError::Fields(_)
        | AppError::Invalid { .. }
        | AppError::Conflict(_)
        | AppError::Refused(_)) => {
            super::ConsoleError::Unprocessable(Box::new(caller.clone()), e.to_string())
        }
        e => super::ConsoleError::Refused(Box::new(caller.clone()), e),
    }
}

/// The list's columns: their sort name and heading.
const CUSTOMER_COLUMNS: [(&str, &str); 7] = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "E-mail"),
    ("company", "Company"),
    ("country", "Country"),
    ("city", "City"),
    ("created_at", "Added"),
];

fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

async fn customers_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    Query(q): Query<customers::ListQuery>,
) -> PageResult {
    customer_list(&caller, &state, &q, None).await
}

async fn customer_list(
    caller: &StaffCaller,
    state: &AppState,
    q: &customers::ListQuery,
    flash: Option<String>,
) -> PageResult {
    let list = customers::list(&state.app, caller, q)
        .await
        .map_err(|e| refused(caller, e))?;
    let groups = groups::list(&state.app, caller, false)
        .await
        .unwrap_or_default();
    let sites = site_keys(state).await;
    let filters = [
        ("q", q.q.as_deref()),
        ("site", q.site.as_deref()),
        ("group", q.group.as_deref()),
        ("status", q.status.as_deref()),
        ("country", q.country.as_deref()),
        ("company", q.company.as_deref()),
    ];
    let query_without_sort = query_string(&filters);
    let mut with_sort = filters.to_vec();
    with_sort.push(("sort", q.sort.as_deref()));
    let query = query_string(&with_sort);
    // Past a capped total the last page is not known: offer the next one
    // while pages come full.
    let pages = if list.total_exact {
        ((list.total + list.per_page - 1) / list.per_page).max(1)
    } else {
        list.page + i64::from(list.items.len() as i64 == list.per_page)
    };
    let statuses: Vec<&str> = std::iter::once("waiting")
        .chain(gatehouse_domain::Status::ALL.iter().map(|s| s.as_str()))
        .collect();
    Ok(page(
        caller,
        StatusCode::OK,
        "console/customers.html",
        context! {
            items => pages::ser(&list.items), total => list.total, total_exact => list.total_exact, page => list.page, pages,
            q => context! { q => q.q.clone(), site => q.site.clone(), group => q.group.clone(), status => q.status.clone(), country => q.country.clone(), company => q.company.clone() },
            sort => q.sort.clone().unwrap_or_else(|| "last_name".into()), columns => CUSTOMER_COLUMNS.to_vec(),
            groups => pages::ser(groups.iter().map(|g| &g.group).collect::<Vec<_>>()), sites, statuses, query, query_without_sort,
            may_manage => caller.may(Permission::ManageAccounts),
            flash, error => None::<String>,
        },
    ))
}

/// The list's action form.
#[derive(Debug, Default, Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    /// The ticked customers.
    #[serde(default)]
    ids: Vec<Uuid>,
    /// The group to add to or remove from.
    group: Option<String>,
    /// The query of the list the form was on.
    back: Option<String>,
}

async fn customers_action(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<ActionForm>,
) -> PageResult {
    // The list the form was on comes back with the result.
    let back = format!("/admin/customers?{}", form.back.as_deref().unwrap_or(""))
        .parse::<axum::http::Uri>()
        .ok()
        .and_then(|uri| Query::<customers::ListQuery>::try_from_uri(&uri).ok())
        .map(|Query(q)| q)
        .unwrap_or_default();
    let done = async {
        let action = CustomerAction::parse(&form.action, form.group.as_deref())?;
        let results = customers::bulk(&state.app, &caller, action, &form.ids).await?;
        Ok::<_, AppError>(customers::bulk_summary(action, &results))
    }
    .await;
    match done {
        Ok(summary) => customer_list(&caller, &state, &back, Some(summary)).await,
        Err(e) => Err(refused(&caller, e)),
    }
}

// ---- one customer

/// The form's labels, by field name (the order of the form).
const LABELS: [(&str, &str); 16] = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "E-mail address"),
    ("company", "Company"),
    ("url", "Web address"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("street", "Street"),
    ("postcode", "Postcode"),
    ("city", "City"),
    ("region", "Region"),
    ("country", "Country"),
    ("external_id", "External ID"),
    ("avatar_url", "Avatar address"),
    ("language", "Language (en or de)"),
    ("notes", "Notes"),
];

/// What the customer form shows: each field's value and error.
fn form_fields(values: &Map<String, serde_json::Value>, errors: &[FieldError]) -> Vec<Value> {
    LABELS
        .iter()
        .map(|&(name, label)| {
            context! {
                name, label,
                value => values.get(name).and_then(|v| v.as_str()).unwrap_or(""),
                error => errors.iter().find(|e| e.field == name).map(|e| e.message.clone()),
            }
        })
        .collect()
}

/// The customer form as posted: the customer's fields by name, and the
/// portal account to make with a new customer.
#[derive(Debug, Default, Deserialize)]
struct CustomerFormBody {
    #[serde(default)]
    group_id: String,
    notifications: Option<String>,
    #[serde(default)]
    account_site: String,
    #[serde(default)]
    account_login_id: String,
    send_welcome: Option<String>,
    #[serde(flatten)]
    other: std::collections::BTreeMap<String, String>,
}

impl CustomerFormBody {
    /// The customer fields, as the app layer takes them.
    fn fields(&self) -> Map<String, serde_json::Value> {
        let mut input = Map::new();
        for name in TEXT_FIELDS {
            if let Some(v) = self.other.get(name) {
                input.insert(name.into(), serde_json::Value::String(v.clone()));
            }
        }
        input.insert("group_id".into(), self.group_id.clone().into());
        input.insert(
            "notifications".into(),
            super::checked(&self.notifications).into(),
        );
        input
    }
}

struct CustomerForm<'a> {
    id: Option<Uuid>,
    values: Map<String, serde_json::Value>,
    errors: Vec<FieldError>,
    accounts: Vec<gatehouse_app::accounts::AccountView>,
    flash: Option<&'a str>,
    account: Option<(&'a str, &'a str, bool)>,
}

async fn customer_form(
    caller: &StaffCaller,
    state: &AppState,
    status: StatusCode,
    form: CustomerForm<'_>,
) -> PageResult {
    let groups = groups::list(&state.app, caller, false)
        .await
        .unwrap_or_default();
    let group = form
        .values
        .get("group_id")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let (account_site, account_login, send_welcome) = form.account.unwrap_or(("", "", true));
    let other_errors: Vec<String> = form
        .errors
        .iter()
        .filter(|e| !TEXT_FIELDS.contains(&e.field.as_str()))
        .map(|e| format!("{}: {}", e.field.replace('_', " "), e.message))
        .collect();
    Ok(page(
        caller,
        status,
        "console/customer.html",
        context! {
            customer_id => form.id.map(|i| i.to_string()),
            fields => form_fields(&form.values, &form.errors),
            errors => form.errors.len(), other_errors,
            group, groups => pages::ser(groups.iter().map(|g| &g.group).collect::<Vec<_>>()),
            notifications => form.values.get("notifications").and_then(|v| v.as_bool()).unwrap_or(true),
            accounts => pages::ser(&form.accounts),
            sites => site_keys(state).await, account_site, account_login, send_welcome,
            may_manage => caller.may(Permission::ManageAccounts),
            flash => form.flash, error => None::<String>,
        },
    ))
}

fn field_errors(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Fields(v) => Ok(v),
        AppError::Invalid {
            field: Some(field),
            message,
        } => Ok(vec![FieldError { field, message }]),
        other => Err(other),
    }
}

async fn new_customer(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    caller
        .require(Permission::ManageAccounts)
        .on_page(&caller)?;
    let form = CustomerForm {
        id: None,
        values: Map::new(),
        errors: Vec::new(),
        accounts: Vec::new(),
        flash: None,
        account: None,
    };
    customer_form(&caller, &state, StatusCode::OK, form).await
}

async fn create_customer(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<CustomerFormBody>,
) -> PageResult {
    let input = form.fields();
    let site = form.account_site.trim();
    let login = form.account_login_id.trim();
    let welcome = super::checked(&form.send_welcome);
    let account = (!site.is_empty()).then(|| customers::NewAccount {
        site: site.to_string(),
        login_id: Some(login.to_string()).filter(|l| !l.is_empty()),
        email: None,
        role: None,
        send_welcome: welcome,
    });
    match customers::create(&state.app, &caller, &input, account.as_ref()).await {
        Ok(made) => Ok(redirect(&format!(
            "/admin/customers/{}?added=1",
            made.customer.id
        ))),
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let form = CustomerForm {
                    id: None,
                    values: input,
                    errors,
                    accounts: Vec::new(),
                    flash: None,
                    account: Some((site, login, welcome)),
                };
                customer_form(&caller, &state, StatusCode::UNPROCESSABLE_ENTITY, form).await
            }
            Err(e) => Err(refused(&caller, e)),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
struct CustomerPageQuery {
    added: Option<String>,
}

async fn customer_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    Path(id): Path<Uuid>,
    Query(q): Query<CustomerPageQuery>,
) -> PageResult {
    let flash = q.added.is_some().then_some("Customer added.");
    show_customer(&caller, &state, id, flash).await
}

async fn show_customer(
    caller: &StaffCaller,
    state: &AppState,
    id: Uuid,
    flash: Option<&str>,
) -> PageResult {
    let detail = customers::get(&state.app, caller, id)
        .await
        .on_page(caller)?;
    let values = match serde_json::to_value(&detail.customer.fields) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => Map::new(),
    };
    let form = CustomerForm {
        id: Some(id),
        values,
        errors: Vec::new(),
        accounts: detail.accounts,
        flash,
        account: None,
    };
    customer_form(caller, state, StatusCode::OK, form).await
}

async fn update_customer(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<CustomerFormBody>,
) -> PageResult {
    let input = form.fields();
    match customers::update(&state.app, &caller, id, &input).await {
        Ok(_) => show_customer(&caller, &state, id, Some("Saved.")).await,
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let accounts = customers::get(&state.app, &caller, id)
                    .await
                    .map(|d| d.accounts)
                    .unwrap_or_default();
                let form = CustomerForm {
                    id: Some(id),
                    values: input,
                    errors,
                    accounts,
                    flash: None,
                    account: None,
                };
                customer_form(&caller, &state, StatusCode::UNPROCESSABLE_ENTITY, form).await
            }
            Err(e) => Err(refused(&caller, e)),
        },
    }
}

async fn delete_customer(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    match customers::delete(&state.app, &caller, id).await {
        Ok(()) => {
            customer_list(
                &caller,
                &state,
                &customers::ListQuery::default(),
                Some("Customer deleted.".into()),
            )
            .await
        }
        Err(AppError::Conflict(why)) => {
            let (values, accounts) = match customers::get(&state.app, &caller, id).await {
                Ok(d) => match serde_json::to_value(&d.customer.fields) {
                    Ok(serde_json::Value::Object(m)) => (m, d.accounts),
                    _ => (Map::new(), d.accounts),
                },
                Err(e) => return Err(e).on_page(&caller),
            };
            let form = CustomerForm {
                id: Some(id),
                values,
                errors: vec![FieldError {
                    field: "customer".into(),
                    message: format!("not deleted: {why}"),
                }],
                accounts,
                flash: None,
                account: None,
            };
            customer_form(&caller, &state, StatusCode::CONFLICT, form).await
        }
        Err(e) => Err(refused(&caller, e)),
    }
}
