//! Customers in the console: the list (`/admin/customers`: search,
//! filters, sort, pages, each customer's group and accounts, an action on a
//! selection, a deletion asked about first) and one customer's form (add,
//! change, delete), which shows every refused field next to what was typed.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::customer_fields;
use gatehouse_app::customers::{self, CustomerAction, CustomerPatch};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::{AppError, groups};
use gatehouse_domain::{FieldError, Permission};
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::Map;
use uuid::Uuid;

use super::{OnPage, PageResult, checked, page, redirect, site_keys, word, word_with};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath, ConsoleQuery};
use crate::pages;
use crate::state::AppState;

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
        .route("/admin/customers/{id}/personal-data", get(personal_data))
        .route("/admin/customers/{id}/erasure", post(erase_customer))
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

/// The list's columns: their sort name and the message ID of their heading.
const CUSTOMER_COLUMNS: [(&str, &str); 7] = [
    ("first_name", "customer-field-first_name"),
    ("last_name", "customer-field-last_name"),
    ("email", "customer-field-email"),
    ("company", "customer-field-company"),
    ("country", "customer-field-country"),
    ("city", "customer-field-city"),
    ("created_at", "customer-field-created_at"),
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
    ConsoleQuery(q): ConsoleQuery<customers::ListQuery>,
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
    // Every group names the rows; the active ones are offered in pickers.
    let mut groups = groups::list(&state.app, caller, true)
        .await
        .unwrap_or_default();
    let accounts = customers::accounts_on_page(&state.app, caller, &list.items)
        .await
        .map_err(|e| refused(caller, e))?;
    let group_names: std::collections::BTreeMap<String, String> = groups
        .iter()
        .map(|g| (g.group.id.to_string(), g.group.name.clone()))
        .collect();
    groups.retain(|g| g.group.active);
    let sites = site_keys(state).await;
    let filters = [
        ("q", q.q.as_deref()),
        ("site", q.site.as_deref()),
        ("group", q.group.as_deref()),
        ("status", q.status.as_deref()),
        ("country", q.country.as_deref()),
        ("company", q.company.as_deref()),
        ("company_id", q.company_id.as_deref()),
        ("sign_in", q.sign_in.as_deref()),
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
            items => pages::ser(list.items.iter().cloned().map(gatehouse_app::wire::Customer::from).collect::<Vec<_>>()), accounts => pages::ser(&accounts), group_names => pages::ser(&group_names), total => list.total, total_exact => list.total_exact, page => list.page, pages,
            q => context! { q => q.q.clone(), site => q.site.clone(), group => q.group.clone(), status => q.status.clone(), country => q.country.as_deref().map(|c| gatehouse_domain::countries::code_of(c).unwrap_or(c).to_string()), company => q.company.clone(), company_id => q.company_id.clone(), sign_in => q.sign_in.clone(), company_name => list.items.first().and_then(|c| c.fields.company.clone()) },
            sort => q.sort.clone().unwrap_or_else(|| "last_name".into()), columns => CUSTOMER_COLUMNS.to_vec(),
            groups => pages::ser(groups.iter().map(|g| &g.group).collect::<Vec<_>>()), sites, statuses, query, query_without_sort,
            may_manage => caller.may(Permission::ManageAccounts),
            may_erase => caller.may(Permission::ErasePersonalData),
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
    /// Present once a deletion was confirmed.
    confirm: Option<String>,
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
        if matches!(action, CustomerAction::Delete)
            && !checked(&form.confirm)
            && !form.ids.is_empty()
        {
            return Ok(Err(confirm_delete(&caller, &form)));
        }
        let results = customers::bulk(&state.app, &caller, action, &form.ids).await?;
        Ok::<_, AppError>(Ok(customers::bulk_summary(action, &results)))
    }
    .await;
    match done {
        Ok(Ok(summary)) => customer_list(&caller, &state, &back, Some(summary)).await,
        Ok(Err(ask)) => Ok(ask),
        Err(e) => Err(refused(&caller, e)),
    }
}

/// "Delete 3 customers?": the same form again with `confirm` set.
fn confirm_delete(caller: &StaffCaller, form: &ActionForm) -> axum::response::Response {
    let count = form.ids.len().to_string();
    let mut hidden: Vec<(&str, String)> = vec![
        ("action", "delete".into()),
        ("back", form.back.clone().unwrap_or_default()),
    ];
    hidden.extend(form.ids.iter().map(|id| ("ids", id.to_string())));
    page(
        caller,
        StatusCode::OK,
        "console/confirm.html",
        context! {
            heading => word_with("c-bulk-ask-delete-customers", &[("count", count.clone())]),
            lines => [word("c-delete-customer-lasting")],
            yes => word_with("c-bulk-yes-delete-customers", &[("count", count)]),
            hidden,
            action => "/admin/customers/actions",
            back => format!("/admin/customers?{}", form.back.as_deref().unwrap_or("")),
            flash => None::<String>, error => None::<String>,
        },
    )
}

// ---- one customer

/// What the customer form shows: each text field's value and error.
fn form_fields(values: &Map<String, serde_json::Value>, errors: &[FieldError]) -> Vec<Value> {
    CustomerPatch::FIELDS
        .iter()
        .filter(|f| f.text)
        .map(|f| {
            context! {
                name => f.name,
                value => values.get(f.name).and_then(|v| v.as_str()).unwrap_or(""),
                error => errors.iter().find(|e| e.field == f.name).map(super::field_said),
            }
        })
        .collect()
}

/// A customer's stored fields as the form shows them.
fn stored_values(fields: &gatehouse_app::wire::CustomerFields) -> Map<String, serde_json::Value> {
    CustomerPatch::FIELDS
        .iter()
        .map(|f| {
            let value = customer_fields::shown_value_of(fields, f.name).into_owned();
            (f.name.to_string(), value.into())
        })
        .collect()
}

/// The customer form as posted: what was typed (shown again on a refusal),
/// the change it means, and the portal account to make with a new customer.
struct Posted {
    values: Map<String, serde_json::Value>,
    patch: CustomerPatch,
    account_site: String,
    account_login_id: String,
    send_welcome: bool,
}

impl Posted {
    /// Splits the form's fields: the account's and the token go aside, the
    /// rest must be customer fields (an unknown one is refused, never
    /// dropped). The notifications box is a switch: absent means off.
    fn read(pairs: Vec<(String, String)>) -> Posted {
        let mut posted = Posted {
            values: Map::new(),
            patch: CustomerPatch::default(),
            account_site: String::new(),
            account_login_id: String::new(),
            send_welcome: false,
        };
        let mut notifications = false;
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => {}
                "account_site" => posted.account_site = value.trim().to_string(),
                "account_login_id" => posted.account_login_id = value.trim().to_string(),
                "send_welcome" => posted.send_welcome = true,
                "notifications" => notifications = true,
                _ => {
                    posted.values.insert(name, value.into());
                }
            }
        }
        posted
            .values
            .insert("notifications".into(), notifications.into());
        posted.patch = CustomerPatch::from_json(&posted.values);
        posted
            .values
            .insert("notifications".into(), notifications.to_string().into());
        posted
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
    let value = |name: &str| {
        form.values
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let group = value("group_id");
    // Offered while typing the company (the most a picker lists; a name
    // further down the alphabet is still found by its key when typed).
    let company_names = gatehouse_app::companies::names(&state.app, caller, 1000)
        .await
        .unwrap_or_default();
    let (account_site, account_login, send_welcome) = form.account.unwrap_or(("", "", true));
    let other_errors: Vec<String> = form
        .errors
        .iter()
        .filter(|e| {
            !CustomerPatch::FIELDS
                .iter()
                .any(|f| f.text && f.name == e.field)
        })
        .map(|e| format!("{}: {}", e.field.replace('_', " "), super::field_said(e)))
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
            company_names, company_id => value("company_id"),
            notifications => form.values.get("notifications").is_none() || value("notifications") == "true",
            accounts => pages::ser(&form.accounts),
            sites => site_keys(state).await, account_site, account_login, send_welcome,
            may_manage => caller.may(Permission::ManageAccounts),
            may_erase => caller.may(Permission::ErasePersonalData),
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
            words,
        } => Ok(vec![FieldError {
            field,
            message,
            words,
        }]),
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
    ConsoleForm { caller, form, .. }: ConsoleForm<Vec<(String, String)>>,
) -> PageResult {
    let posted = Posted::read(form);
    let site = posted.account_site.as_str();
    let login = posted.account_login_id.as_str();
    let welcome = posted.send_welcome;
    let account = (!site.is_empty()).then(|| customers::NewAccount {
        site: site.to_string(),
        login_id: Some(login.to_string()).filter(|l| !l.is_empty()),
        email: None,
        role: None,
        send_welcome: welcome,
    });
    match customers::create(&state.app, &caller, &posted.patch, account.as_ref()).await {
        Ok(made) => Ok(redirect(&format!(
            "/admin/customers/{}?added=1",
            made.customer.id
        ))),
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let form = CustomerForm {
                    id: None,
                    values: posted.values.clone(),
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
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleQuery(q): ConsoleQuery<CustomerPageQuery>,
) -> PageResult {
    let flash = q.added.is_some().then_some("c-customer-added");
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
    let form = CustomerForm {
        id: Some(id),
        values: stored_values(&detail.customer.fields),
        errors: Vec::new(),
        accounts: detail.accounts,
        flash,
        account: None,
    };
    customer_form(caller, state, StatusCode::OK, form).await
}

async fn update_customer(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<Vec<(String, String)>>,
) -> PageResult {
    let posted = Posted::read(form);
    match customers::update(&state.app, &caller, id, &posted.patch).await {
        Ok(_) => show_customer(&caller, &state, id, Some("c-saved")).await,
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let accounts = customers::get(&state.app, &caller, id)
                    .await
                    .map(|d| d.accounts)
                    .unwrap_or_default();
                let form = CustomerForm {
                    id: Some(id),
                    values: posted.values,
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

/// The delete button's form: asked once, then confirmed.
#[derive(Debug, Default, Deserialize)]
struct DeleteForm {
    confirm: Option<String>,
}

/// Everything held about the customer, as a JSON file.
async fn personal_data(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath(id): ConsolePath<Uuid>,
) -> Result<axum::response::Response, super::ConsoleError> {
    let data = gatehouse_app::privacy::customer_data(&state.app, &caller, id)
        .await
        .on_page(&caller)?;
    Ok(crate::api::privacy::download(
        data,
        &format!("personal-data-{id}.json"),
    ))
}

#[derive(Debug, Deserialize)]
struct ErasureForm {
    reason: String,
    confirm: Option<String>,
}

/// Erasure: asked about first (naming the customer and what goes), then
/// done; the list says so after.
async fn erase_customer(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<ErasureForm>,
) -> PageResult {
    if !checked(&form.confirm) {
        caller
            .require(Permission::ErasePersonalData)
            .on_page(&caller)?;
        if form.reason.trim().is_empty() {
            return Err(refused(
                &caller,
                AppError::invalid("reason", word("c-erasure-reason-needed")),
            ));
        }
        let detail = customers::get(&state.app, &caller, id)
            .await
            .on_page(&caller)?;
        let f = &detail.customer.fields;
        let name = format!("{} {}", f.first_name, f.last_name)
            .trim()
            .to_string();
        return Ok(page(
            &caller,
            StatusCode::OK,
            "console/confirm.html",
            context! {
                heading => word_with("c-erase-customer-ask", &[("name", name.clone())]),
                lines => [word("c-erase-customer-lasting")],
                yes => word_with("c-erase-customer-yes", &[("name", name)]),
                action => format!("/admin/customers/{id}/erasure"),
                back => format!("/admin/customers/{id}"),
                hidden => [("reason", form.reason.trim().to_string())],
                flash => None::<String>, error => None::<String>,
            },
        ));
    }
    match gatehouse_app::privacy::erase(&state.app, &caller, id, &form.reason).await {
        Ok(_) => {
            customer_list(
                &caller,
                &state,
                &customers::ListQuery::default(),
                Some("c-customer-erased".into()),
            )
            .await
        }
        Err(e) => Err(refused(&caller, e)),
    }
}

async fn delete_customer(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<DeleteForm>,
) -> PageResult {
    // A deletion that can happen is asked about first, naming the customer;
    // one that cannot is refused at once.
    let done = match (
        checked(&form.confirm),
        customers::deletable(&state.app, &caller, id).await,
    ) {
        (false, Ok(())) => {
            let detail = customers::get(&state.app, &caller, id)
                .await
                .on_page(&caller)?;
            let f = &detail.customer.fields;
            let name = format!("{} {}", f.first_name, f.last_name);
            let name = match (name.trim(), f.company.as_deref()) {
                ("", Some(company)) => company.to_string(),
                (name, _) => name.to_string(),
            };
            return Ok(page(
                &caller,
                StatusCode::OK,
                "console/confirm.html",
                context! {
                    heading => word_with("c-delete-customer-ask", &[("name", name.clone())]),
                    lines => [word("c-delete-customer-lasting")],
                    yes => word_with("c-delete-customer-yes", &[("name", name)]),
                    action => format!("/admin/customers/{id}/delete"),
                    back => format!("/admin/customers/{id}"),
                    flash => None::<String>, error => None::<String>,
                },
            ));
        }
        (_, Err(e)) => Err(e),
        (true, Ok(())) => customers::delete(&state.app, &caller, id).await,
    };
    match done {
        Ok(()) => {
            customer_list(
                &caller,
                &state,
                &customers::ListQuery::default(),
                Some("c-customer-deleted".into()),
            )
            .await
        }
        Err(AppError::Conflict(why)) => {
            let (values, accounts) = match customers::get(&state.app, &caller, id).await {
                Ok(d) => (stored_values(&d.customer.fields), d.accounts),
                Err(e) => return Err(e).on_page(&caller),
            };
            let form = CustomerForm {
                id: Some(id),
                values,
                errors: vec![FieldError {
                    field: "customer".into(),
                    message: format!("not deleted: {why}"),
                    words: None,
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
