//! The console's directory pages: the dashboard (`/admin`), the customer
//! list with bulk actions, adding, changing and deleting a customer, groups,
//! and the registrations report. Each page asks the app layer (which checks
//! the permission); every form carries the console session's CSRF token, and
//! a refused form is shown again with what was typed and what was wrong.

// The error side of these helpers is the page to answer with.
#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use gatehouse_app::customers::{self, CustomerAction, TEXT_FIELDS};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::{AppError, groups, reports};
use gatehouse_domain::{FieldError, Permission};
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::Map;
use uuid::Uuid;

use crate::console::{all_of, field, forbidden, page, posted, redirect, signed_in};
use crate::{AppState, pages};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard))
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
        .route("/admin/groups", get(groups_page).post(create_group))
        .route("/admin/groups/{id}", post(update_group))
        .route("/admin/groups/{id}/delete", post(delete_group))
        .route("/admin/reports/registrations", get(report_page))
}

fn no_message() -> Option<String> {
    None
}

/// The page for an error that is not about a form's fields.
fn refused(caller: &StaffCaller, e: AppError) -> Response {
    match e {
        e @ (AppError::Fields(_)
        | AppError::Invalid { .. }
        | AppError::Conflict(_)
        | AppError::Refused(_)) => page(
            caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            "console/home.html",
            context! { error => e.to_string(), flash => no_message(), dashboard => None::<String> },
        ),
        e => forbidden(caller, e),
    }
}

// ---- dashboard

#[derive(Debug, Default, Deserialize)]
struct SiteQuery {
    site: Option<String>,
}

async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SiteQuery>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let site = q.site.as_deref().filter(|s| !s.is_empty());
    // Staff without the right to see customers still get the console's
    // front page, without the figures.
    if !caller.may(Permission::ViewCustomers) {
        return page(
            &caller,
            StatusCode::OK,
            "console/home.html",
            context! { error => no_message(), flash => no_message(), dashboard => None::<String> },
        );
    }
    let d = match reports::dashboard(&state.app, &caller, site).await {
        Ok(d) => d,
        Err(e) => return refused(&caller, e),
    };
    let statuses: Vec<&str> = gatehouse_domain::Status::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let total: i64 = d.per_day.iter().map(|p| p.count).sum();
    page(
        &caller,
        StatusCode::OK,
        "console/home.html",
        context! {
            error => no_message(), flash => no_message(),
            dashboard => context! {
                sites => pages::ser(&d.sites), statuses, site, days => reports::CHART_DAYS, total,
                chart => Value::from_safe_string(registrations_svg(&d.per_day)),
            },
        },
    )
}

/// A bar chart of registrations per day, drawn on the server: one bar per
/// day (a `<title>` on each gives the day and count), the highest count and
/// the first, middle and last dates as labels. Only numbers and dates go in,
/// so nothing needs escaping.
fn registrations_svg(days: &[reports::DayCount]) -> String {
    const W: f64 = 720.0;
    const H: f64 = 180.0;
    const LEFT: f64 = 40.0;
    const BOTTOM: f64 = 20.0;
    let max = days.iter().map(|d| d.count).max().unwrap_or(0).max(1);
    let n = days.len().max(1) as f64;
    let step = (W - LEFT) / n;
    let plot = H - BOTTOM - 10.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {W} {H}\" \
         width=\"{W}\" height=\"{H}\" role=\"img\" aria-labelledby=\"chart-title\">\
         <title id=\"chart-title\">Registrations per day, {} to {}</title>\
         <line x1=\"{LEFT}\" y1=\"{y0}\" x2=\"{W}\" y2=\"{y0}\" stroke=\"#888\"/>\
         <text x=\"{lx}\" y=\"18\" text-anchor=\"end\" font-size=\"11\">{max}</text>\
         <text x=\"{lx}\" y=\"{y0}\" text-anchor=\"end\" font-size=\"11\">0</text>",
        days.first().map_or("", |d| d.day.as_str()),
        days.last().map_or("", |d| d.day.as_str()),
        y0 = H - BOTTOM,
        lx = LEFT - 4.0,
    );
    for (i, d) in days.iter().enumerate() {
        let h = plot * d.count as f64 / max as f64;
        out.push_str(&format!(
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#3566a8\">\
             <title>{}: {}</title></rect>",
            LEFT + step * i as f64 + 0.5,
            H - BOTTOM - h,
            (step - 1.0).max(1.0),
            h,
            d.day,
            d.count
        ));
    }
    for i in [0, days.len() / 2, days.len().saturating_sub(1)] {
        if let Some(d) = days.get(i) {
            let anchor = if i == 0 {
                "start"
            } else if i + 1 == days.len() {
                "end"
            } else {
                "middle"
            };
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{H}\" text-anchor=\"{anchor}\" font-size=\"11\">{}</text>",
                LEFT + step * (i as f64 + 0.5),
                d.day
            ));
        }
    }
    out.push_str("</svg>");
    out
}

// ---- the customer list

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
    headers: HeaderMap,
    Query(q): Query<customers::ListQuery>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    customer_list(&caller, &state, &q, None).await
}

async fn customer_list(
    caller: &StaffCaller,
    state: &AppState,
    q: &customers::ListQuery,
    flash: Option<String>,
) -> Response {
    let list = match customers::list(&state.app, caller, q).await {
        Ok(l) => l,
        Err(e) => return refused(caller, e),
    };
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
    page(
        caller,
        StatusCode::OK,
        "console/customers.html",
        context! {
            items => pages::ser(&list.items), total => list.total, total_exact => list.total_exact, page => list.page, pages,
            q => context! { q => q.q.clone(), site => q.site.clone(), group => q.group.clone(), status => q.status.clone(), country => q.country.clone(), company => q.company.clone() },
            sort => q.sort.clone().unwrap_or_else(|| "last_name".into()), columns => CUSTOMER_COLUMNS.to_vec(),
            groups => pages::ser(groups.iter().map(|g| &g.group).collect::<Vec<_>>()), sites, statuses, query, query_without_sort,
            may_manage => caller.may(Permission::ManageAccounts),
            flash, error => no_message(),
        },
    )
}

async fn site_keys(state: &AppState) -> Vec<String> {
    match state.app.store.read().await {
        Ok(mut tx) => tx
            .list_sites()
            .await
            .map(|v| v.into_iter().map(|s| s.key).collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

async fn customers_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // The list the form was on comes back with the result.
    let back = format!("/admin/customers?{}", field(&all, "back").unwrap_or(""))
        .parse::<axum::http::Uri>()
        .ok()
        .and_then(|uri| Query::<customers::ListQuery>::try_from_uri(&uri).ok())
        .map(|Query(q)| q)
        .unwrap_or_default();
    let done = async {
        let action =
            CustomerAction::parse(field(&all, "action").unwrap_or(""), field(&all, "group"))?;
        let ids = all_of(&all, "ids");
        let results = customers::bulk(&state.app, &caller, action, &ids).await?;
        Ok::<_, AppError>(customers::bulk_summary(action, &results))
    }
    .await;
    match done {
        Ok(summary) => customer_list(&caller, &state, &back, Some(summary)).await,
        Err(e) => refused(&caller, e),
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

/// The customer fields of a posted form, as the app layer takes them.
fn posted_fields(all: &[(String, String)]) -> Map<String, serde_json::Value> {
    let mut input = Map::new();
    for name in TEXT_FIELDS {
        if let Some(v) = field(all, name) {
            input.insert(name.into(), serde_json::Value::String(v.into()));
        }
    }
    input.insert(
        "group_id".into(),
        serde_json::Value::String(field(all, "group_id").unwrap_or("").into()),
    );
    input.insert(
        "notifications".into(),
        serde_json::Value::Bool(field(all, "notifications").is_some()),
    );
    input
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
) -> Response {
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
    page(
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
            flash => form.flash, error => no_message(),
        },
    )
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

async fn new_customer(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = caller.require(Permission::ManageAccounts) {
        return forbidden(&caller, e);
    }
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
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = posted_fields(&all);
    let site = field(&all, "account_site").unwrap_or("").trim();
    let login = field(&all, "account_login_id").unwrap_or("").trim();
    let welcome = field(&all, "send_welcome").is_some();
    let account = (!site.is_empty()).then(|| customers::NewAccount {
        site: site.to_string(),
        login_id: Some(login.to_string()).filter(|l| !l.is_empty()),
        email: None,
        role: None,
        send_welcome: welcome,
    });
    match customers::create(&state.app, &caller, &input, account.as_ref()).await {
        Ok(made) => redirect(&format!("/admin/customers/{}?added=1", made.customer.id)),
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
            Err(e) => refused(&caller, e),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
struct CustomerPageQuery {
    added: Option<String>,
}

async fn customer_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<CustomerPageQuery>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let flash = q.added.is_some().then_some("Customer added.");
    show_customer(&caller, &state, id, flash).await
}

async fn show_customer(
    caller: &StaffCaller,
    state: &AppState,
    id: Uuid,
    flash: Option<&str>,
) -> Response {
    match customers::get(&state.app, caller, id).await {
        Ok(detail) => {
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
        Err(e) => forbidden(caller, e),
    }
}

async fn update_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = posted_fields(&all);
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
            Err(e) => refused(&caller, e),
        },
    }
}

async fn delete_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let (caller, _) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
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
                Err(e) => return forbidden(&caller, e),
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
        Err(e) => refused(&caller, e),
    }
}

// ---- groups

async fn groups_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    group_list(&caller, &state, StatusCode::OK, None, None).await
}

async fn group_list(
    caller: &StaffCaller,
    state: &AppState,
    status: StatusCode,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    match groups::list(&state.app, caller, true).await {
        Ok(list) => page(
            caller,
            status,
            "console/groups.html",
            context! {
                groups => pages::ser(&list),
                may_manage => caller.may(Permission::ManageAccounts),
                flash, error,
            },
        ),
        Err(e) => forbidden(caller, e),
    }
}

fn group_input(all: &[(String, String)]) -> groups::GroupInput {
    groups::GroupInput {
        name: field(all, "name").unwrap_or("").to_string(),
        description: field(all, "description").unwrap_or("").to_string(),
        active: field(all, "active").is_some(),
    }
}

/// Answers a group form: the list with what happened, or with why not.
async fn group_done<T>(
    caller: &StaffCaller,
    state: &AppState,
    done: Result<T, AppError>,
    flash: &str,
) -> Response {
    match done {
        Ok(_) => group_list(caller, state, StatusCode::OK, Some(flash.into()), None).await,
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::Fields(_)
            | AppError::Conflict(_)
            | AppError::NotFound(_)),
        ) => {
            let status = match e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            group_list(caller, state, status, None, Some(e.to_string())).await
        }
        Err(e) => forbidden(caller, e),
    }
}

async fn create_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = groups::create(&state.app, &caller, &group_input(&all)).await;
    group_done(&caller, &state, done, "Group added.").await
}

async fn update_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = groups::update(&state.app, &caller, id, &group_input(&all)).await;
    group_done(&caller, &state, done, "Group saved.").await
}

async fn delete_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let (caller, _) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = groups::delete(&state.app, &caller, id).await;
    group_done(&caller, &state, done, "Group deleted.").await
}

// ---- registrations report

async fn report_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SiteQuery>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let site = q
        .site
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "main".into());
    match reports::registrations(&state.app, &caller, &site, 10_000).await {
        Ok(rows) => page(
            &caller,
            StatusCode::OK,
            "console/report.html",
            context! {
                rows => pages::ser(&rows), site, sites => site_keys(&state).await,
                flash => no_message(), error => no_message(),
            },
        ),
        Err(e) => forbidden(&caller, e),
    }
}
