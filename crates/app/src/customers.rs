//! Customers (the business's contact records) as staff manage them: add one,
//! optionally with a portal account on a site and a welcome mail carrying a
//! single-use set-password link (never a password); change one with every
//! field checked; delete one that has no accounts.

use gatehouse_domain::{AccountRole, AccountState, Email, FieldError, LoginId, Permission};
use gatehouse_store::{Account, Customer, CustomerFields, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::account_mail::send_invitation;
use crate::accounts::AccountView;
use crate::customer_fields::Change;
pub use crate::customer_fields::CustomerPatch;
use crate::sites;
use crate::staff_auth::StaffCaller;
use crate::{App, AppError, AppResult, audit};

/// The portal account to create with a customer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Site key.
    pub site: String,
    /// Login ID (default: the customer's e-mail address).
    pub login_id: Option<String>,
    /// E-mail address for the account (default: the customer's).
    pub email: Option<String>,
    /// Role (default: customer).
    pub role: Option<AccountRole>,
    /// Send a welcome mail with a link to choose a password.
    #[serde(default)]
    pub send_welcome: bool,
}

/// A customer with their accounts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerDetail {
    /// The customer.
    #[serde(flatten)]
    pub customer: crate::wire::Customer,
    /// Their portal accounts.
    pub accounts: Vec<AccountView>,
}

/// Applies a change, checking each field and deciding the company (which
/// may make one); answers every wrong field at once. A customer needs a
/// name or a company.
async fn apply(
    tx: &mut dyn gatehouse_store::Tx,
    fields: &mut CustomerFields,
    patch: &CustomerPatch,
    actor: &gatehouse_store::Actor,
    now: time::OffsetDateTime,
    errors: &mut Vec<FieldError>,
) -> AppResult<()> {
    patch.apply_to(fields, errors);
    crate::companies::resolve(tx, patch, fields, actor, now, errors).await?;
    if fields.first_name.is_empty() && fields.last_name.is_empty() && fields.company_id.is_none() {
        errors.push(FieldError {
            field: "last_name".into(),
            message: "give a name or a company".into(),
            words: None,
        });
    }
    errors.sort_by(|a, b| a.field.cmp(&b.field));
    Ok(())
}

async fn check_group(
    tx: &mut dyn gatehouse_store::Tx,
    fields: &CustomerFields,
    errors: &mut Vec<FieldError>,
) -> AppResult<()> {
    if let Some(id) = fields.group_id {
        let groups = tx.list_groups().await?;
        match groups.iter().find(|g| g.id == id) {
            None => errors.push(FieldError {
                field: "group_id".into(),
                message: "there is no such group".into(),
                words: None,
            }),
            Some(g) if !g.active => errors.push(FieldError {
                field: "group_id".into(),
                message: format!("the group '{}' is inactive", g.name),
                words: None,
            }),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Adds a customer, optionally with a portal account and a welcome mail.
#[tracing::instrument(name = "app.customers.create", level = "debug", skip_all)]
pub async fn create(
    app: &App,
    caller: &StaffCaller,
    input: &CustomerPatch,
    account: Option<&NewAccount>,
) -> AppResult<CustomerDetail> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut fields = CustomerFields {
        notifications: true,
        ..CustomerFields::default()
    };
    let mut errors = Vec::new();
    let mut tx = app.store.begin().await?;
    apply(
        tx.as_mut(),
        &mut fields,
        input,
        &caller.actor(),
        now,
        &mut errors,
    )
    .await?;
    check_group(tx.as_mut(), &fields, &mut errors).await?;
    let site = match account {
        Some(a) => Some(sites::load(tx.as_mut(), &a.site).await?),
        None => None,
    };
    let mut new_account = None;
    if let (Some(spec), Some(site)) = (account, &site) {
        let email = spec
            .email
            .clone()
            .or_else(|| fields.email.clone())
            .unwrap_or_default();
        let email = Email::parse(&email)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "account.email".into(),
                    message: e.to_string(),
                    words: None,
                })
            })
            .ok();
        let login = spec
            .login_id
            .clone()
            .or_else(|| email.as_ref().map(|e| e.as_str().to_string()))
            .unwrap_or_default();
        let login = LoginId::parse(&login, site.settings.login_id_mode)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "account.login_id".into(),
                    message: e.to_string(),
                    words: None,
                })
            })
            .ok();
        if let (Some(email), Some(login)) = (email, login) {
            new_account = Some((email, login));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let customer = Customer {
        id: Uuid::now_v7(),
        fields,
        created_at: now,
        updated_at: now,
    };
    tx.insert_customer(&customer).await?;
    let mut accounts = Vec::new();
    if let (Some((email, login)), Some(site), Some(spec)) = (new_account, &site, account) {
        let account = Account {
            id: Uuid::now_v7(),
            site_id: site.id,
            customer_id: Some(customer.id),
            login_id: login.as_str().to_string(),
            email: email.as_str().to_string(),
            password_hash: None,
            role: spec.role.unwrap_or(AccountRole::Customer),
            state: AccountState {
                email_validated: false,
                ..AccountState::created_by_staff(false)
            },
            deleted_at: None,
            first_name: customer.fields.first_name.clone(),
            last_name: customer.fields.last_name.clone(),
            company: customer.fields.company.clone(),
            language: customer.fields.language.clone(),
            registered_at: now,
            verified_at: None,
            approved_at: Some(now),
            last_login_at: None,
            version: 1,
        };
        match tx.insert_account(&account).await {
            Err(StoreError::Conflict(_)) => {
                return Err(AppError::Fields(vec![FieldError {
                    field: "account.login_id".into(),
                    message: "this login ID is taken on the site".into(),
                    words: None,
                }]));
            }
            other => other?,
        }
        if spec.send_welcome {
            send_invitation(app, tx.as_mut(), site, &account, now).await?;
        }
        accounts.push(crate::accounts::view_of(&account, &site.key, now));
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "customer.create",
        Some(("customer", customer.id)),
        None,
        json!({"fields": crate::wire::CustomerFields::from(customer.fields.clone()), "accounts": accounts.len()}),
    ))
    .await?;
    tx.commit().await?;
    Ok(CustomerDetail {
        customer: customer.into(),
        accounts,
    })
}

/// A customer and their accounts, or not found.
pub(crate) async fn with_accounts(
    tx: &mut dyn gatehouse_store::Tx,
    id: Uuid,
) -> AppResult<(Customer, Vec<Account>)> {
    let customer = tx
        .customer_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("customer".into()))?;
    let accounts = tx.accounts_of_customer(id).await?;
    Ok((customer, accounts))
}

/// A customer with their accounts.
#[tracing::instrument(name = "app.customers.get", level = "debug", skip_all)]
pub async fn get(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<CustomerDetail> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let (customer, accounts) = crate::customers::with_accounts(tx.as_mut(), id).await?;
    let accounts = crate::accounts::views_of(tx.as_mut(), &accounts, now).await?;
    Ok(CustomerDetail {
        customer: customer.into(),
        accounts,
    })
}

/// Changes the fields present in `input`; all or nothing, audited with each
/// changed field before and after.
#[tracing::instrument(name = "app.customers.update", level = "debug", skip_all)]
pub async fn update(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    input: &CustomerPatch,
) -> AppResult<CustomerDetail> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let mut customer = tx
        .customer_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("customer".into()))?;
    let before = customer.fields.clone();
    let mut errors = Vec::new();
    apply(
        tx.as_mut(),
        &mut customer.fields,
        input,
        &caller.actor(),
        now,
        &mut errors,
    )
    .await?;
    if customer.fields.group_id != before.group_id {
        check_group(tx.as_mut(), &customer.fields, &mut errors).await?;
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    customer.updated_at = now;
    tx.update_customer(&customer).await?;
    let (old, new) = (
        serde_json::to_value(crate::wire::CustomerFields::from(before.clone())).unwrap_or_default(),
        serde_json::to_value(crate::wire::CustomerFields::from(customer.fields.clone()))
            .unwrap_or_default(),
    );
    let changed: Map<String, Value> = new
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| old.get(k.as_str()) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let was: Map<String, Value> = changed
        .keys()
        .filter_map(|k| old.get(k).map(|v| (k.clone(), v.clone())))
        .collect();
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "customer.update",
        Some(("customer", id)),
        None,
        json!({"before": was, "after": changed}),
    ))
    .await?;
    tx.commit().await?;
    get(app, caller, id).await
}

/// The customer's accounts, if every one is deleted; else why the customer
/// cannot be deleted. The one rule of [`delete`] and [`deletable`].
async fn deleted_accounts_only(
    tx: &mut dyn gatehouse_store::Tx,
    id: Uuid,
    now: time::OffsetDateTime,
) -> AppResult<Vec<gatehouse_store::Account>> {
    let (deleted, live): (Vec<_>, Vec<_>) = tx
        .accounts_of_customer(id)
        .await?
        .into_iter()
        .partition(|a| a.state.status(now) == gatehouse_domain::Status::Deleted);
    if !live.is_empty() {
        return Err(AppError::Conflict(format!(
            "the customer has {} portal account{} in use; delete them or assign them to another customer first",
            live.len(),
            if live.len() == 1 { "" } else { "s" }
        )));
    }
    Ok(deleted)
}

/// Whether [`delete`] would delete the customer now (to ask staff only
/// about a deletion that can happen); answers why not.
#[tracing::instrument(name = "app.customers.deletable", level = "debug", skip_all)]
pub async fn deletable(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<()> {
    caller.require(Permission::ManageAccounts)?;
    let mut tx = app.store.read().await?;
    deleted_accounts_only(tx.as_mut(), id, app.clock.now()).await?;
    Ok(())
}

/// Removes a customer whose accounts are all deleted (or who has none);
/// the deleted accounts stay, no longer assigned to anyone (undeleted, one
/// is assigned again like a new registration).
#[tracing::instrument(name = "app.customers.delete", level = "debug", skip_all)]
pub async fn delete(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<()> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let deleted = deleted_accounts_only(tx.as_mut(), id, now).await?;
    for mut account in deleted {
        account.customer_id = None;
        account.state.has_customer = false;
        tx.save_account(&account).await?;
    }
    match tx.delete_customer(id).await {
        Err(StoreError::NotFound) => return Err(AppError::NotFound("customer".into())),
        other => other?,
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "customer.delete",
        Some(("customer", id)),
        None,
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a list query asks for an exact count (`count=exact`), or what is
/// wrong with its `count`.
pub fn count_of(q: &ListQuery) -> AppResult<bool> {
    match present(&q.count) {
        None | Some("capped") => Ok(false),
        Some("exact") => Ok(true),
        Some(other) => Err(AppError::invalid(
            "count",
            format!("'{other}' is not a way to count; use exact or capped"),
        )),
    }
}

/// The customer list's parameters (the stable surface's names).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Search text: names, e-mail address, company.
    pub q: Option<String>,
    /// Site key: customers with an account there.
    pub site: Option<String>,
    /// Group ID.
    #[param(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub group: Option<String>,
    /// Account role.
    #[param(pattern = "^(customer|customer_manager)?$")]
    pub role: Option<String>,
    /// Company: customers of the companies whose name contains this (any
    /// case).
    pub company: Option<String>,
    /// Company ID: that company's customers.
    #[param(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub company_id: Option<String>,
    /// Country: its code (`DE`) or its name in English or German.
    pub country: Option<String>,
    /// Account status (`waiting` means pending: waiting for approval).
    #[param(pattern = "^(waiting|unverified|pending|active|locked|blocked|deleted)?$")]
    pub status: Option<String>,
    /// With an account that has two-step sign-in on (`two_step`), or a
    /// passkey (`passkey`).
    #[param(pattern = "^(two_step|passkey)?$")]
    pub sign_in: Option<String>,
    /// Sort column, `-column` for descending.
    #[param(
        pattern = "^(-?(first_name|last_name|email|company|country|city|created_at|updated_at))?$"
    )]
    pub sort: Option<String>,
    /// Page, from 1.
    pub page: Option<i64>,
    /// Rows per page (1–500).
    pub per_page: Option<i64>,
    /// `exact` to count every match; by default (`capped`) the total stops
    /// at [`TOTAL_CAP`].
    #[param(pattern = "^(exact|capped)?$")]
    pub count: Option<String>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The store filter a list query means, or the fields it got wrong.
#[tracing::instrument(name = "app.customers.filter_of", level = "debug", skip_all)]
pub async fn filter_of(app: &App, q: &ListQuery) -> AppResult<gatehouse_store::CustomerFilter> {
    let mut errors = Vec::new();
    let mut wrong = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
            words: None,
        })
    };
    let site_id = match present(&q.site) {
        Some(key) => {
            let mut tx = app.store.read().await?;
            match tx.site_by_key(key).await? {
                Some(site) => Some(site.id),
                None => {
                    wrong("site", format!("there is no site '{key}'"));
                    None
                }
            }
        }
        None => None,
    };
    let group_id = present(&q.group).and_then(|g| {
        g.parse()
            .map_err(|_| wrong("group", format!("'{g}' is not a group ID")))
            .ok()
    });
    let company_id = present(&q.company_id).and_then(|c| {
        c.parse()
            .map_err(|_| wrong("company_id", format!("'{c}' is not a company ID")))
            .ok()
    });
    let role =
        present(&q.role).and_then(|r| AccountRole::parse(r).map_err(|e| wrong("role", e)).ok());
    let status = match present(&q.status) {
        Some("waiting") => Some(gatehouse_domain::Status::Pending),
        Some(s) => gatehouse_domain::Status::parse(s)
            .map_err(|e| wrong("status", e))
            .ok(),
        None => None,
    };
    let factor = present(&q.sign_in).and_then(|f| {
        gatehouse_store::SignInFactor::parse(f)
            .ok_or_else(|| wrong("sign_in", format!("'{f}' is not two_step or passkey")))
            .ok()
    });
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    Ok(gatehouse_store::CustomerFilter {
        site_id,
        group_id,
        role,
        status,
        company: present(&q.company).map(str::to_string),
        company_id,
        // A name (`Germany`, `Deutschland`) finds the code it is stored as.
        country: present(&q.country).map(|c| {
            gatehouse_domain::countries::code_of(c)
                .unwrap_or(c)
                .to_string()
        }),
        search: present(&q.q).map(str::to_string),
        factor,
    })
}

/// The sort a query asks for: a column and whether descending.
pub fn sort_of(q: &ListQuery) -> AppResult<(gatehouse_store::CustomerSort, bool)> {
    let raw = present(&q.sort).unwrap_or("last_name");
    let (name, descending) = match raw.strip_prefix('-') {
        Some(n) => (n, true),
        None => (raw, false),
    };
    gatehouse_store::CustomerSort::ALL
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(s, _)| (*s, descending))
        .ok_or_else(|| {
            let names: Vec<&str> = gatehouse_store::CustomerSort::ALL
                .iter()
                .map(|(_, n)| *n)
                .collect();
            AppError::invalid(
                "sort",
                format!(
                    "'{name}' is not a column to sort by; use one of {}",
                    names.join(", ")
                ),
            )
        })
}

/// A list's total is counted exactly up to this many customers; beyond it
/// the page says "more than" this (unless the query asks for `count=exact`),
/// so that a broad filter over a million customers answers at once.
pub const TOTAL_CAP: i64 = gatehouse_store::BROAD_MATCHES;

/// A page of the customer list with the total.
#[tracing::instrument(name = "app.customers.list", level = "debug", skip_all)]
pub async fn list(
    app: &App,
    caller: &StaffCaller,
    q: &ListQuery,
) -> AppResult<crate::accounts::Page<Customer>> {
    caller.require(Permission::ViewCustomers)?;
    let filter = filter_of(app, q).await?;
    let (sort, descending) = sort_of(q)?;
    let exact = count_of(q)?;
    let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let page = q.page.unwrap_or(1).max(1);
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let counted = tx
        .count_customers(&filter, now, (!exact).then_some(TOTAL_CAP))
        .await?;
    let window = gatehouse_store::CustomerPage {
        sort,
        descending,
        limit: per_page,
        offset: crate::accounts::page_offset(page, per_page),
    };
    let broad = counted > gatehouse_store::BROAD_MATCHES;
    let items = tx.list_customers(&filter, &window, broad, now).await?;
    let total_exact = exact || counted <= TOTAL_CAP;
    Ok(crate::accounts::Page {
        items,
        total: if total_exact { counted } else { TOTAL_CAP },
        total_exact,
        page,
        per_page,
    })
}

/// One portal account as the customer list shows it beside its customer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountBrief {
    /// The account.
    pub id: Uuid,
    /// Its site's key.
    pub site: String,
    /// Its role.
    pub role: gatehouse_domain::AccountRole,
    /// Its status now.
    pub status: gatehouse_domain::Status,
}

/// The accounts of the customers on a page of the list, by customer, in one
/// read.
#[tracing::instrument(name = "app.customers.accounts_on_page", level = "debug", skip_all)]
pub async fn accounts_on_page(
    app: &App,
    caller: &StaffCaller,
    customers: &[Customer],
) -> AppResult<std::collections::BTreeMap<Uuid, Vec<AccountBrief>>> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let ids: Vec<Uuid> = customers.iter().map(|c| c.id).collect();
    let mut tx = app.store.read().await?;
    let sites = tx.list_sites().await?;
    let mut by_customer: std::collections::BTreeMap<Uuid, Vec<AccountBrief>> = Default::default();
    for a in tx.accounts_of_customers(&ids).await? {
        let Some(customer) = a.customer_id else {
            continue;
        };
        let site = crate::accounts::key_of(&sites, a.site_id);
        by_customer.entry(customer).or_default().push(AccountBrief {
            id: a.id,
            site,
            role: a.role,
            status: a.state.status(now),
        });
    }
    Ok(by_customer)
}

/// One chunk of an export: the customers after `after` (in ID order).
#[tracing::instrument(name = "app.customers.export_chunk", level = "debug", skip_all)]
pub async fn export_chunk(
    app: &App,
    caller: &StaffCaller,
    filter: &gatehouse_store::CustomerFilter,
    after: Option<Uuid>,
    size: i64,
) -> AppResult<Vec<Customer>> {
    caller.require(Permission::ViewCustomers)?;
    let mut tx = app.store.read().await?;
    Ok(tx
        .customers_after(filter, after, size, app.clock.now())
        .await?)
}

/// An action on a selection of customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerAction {
    /// Put each in this group (or in none).
    SetGroup(Option<Uuid>),
    /// Delete each (refused, per customer, while they have accounts).
    Delete,
}

impl CustomerAction {
    /// The action a form or API call names: `set_group` (with `group`, empty
    /// for none) or `delete`.
    pub fn parse(action: &str, group: Option<&str>) -> AppResult<CustomerAction> {
        match action {
            "" => Err(AppError::invalid("action", "choose an action first")),
            "delete" => Ok(CustomerAction::Delete),
            "set_group" => match group.map(str::trim).filter(|g| !g.is_empty()) {
                None => Ok(CustomerAction::SetGroup(None)),
                Some(g) => g
                    .parse()
                    .map(|id| CustomerAction::SetGroup(Some(id)))
                    .map_err(|_| AppError::invalid("group", format!("'{g}' is not a group ID"))),
            },
            other => Err(AppError::invalid(
                "action",
                format!("'{other}' is not an action on customers; use set_group or delete"),
            )),
        }
    }
}

/// What an action did to one customer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerResult {
    /// The customer.
    pub id: Uuid,
    /// It was done.
    pub ok: bool,
    /// What happened, for a person.
    pub message: String,
}

/// Applies an action to each customer on its own (each audited as a single
/// change would be); answers one result each.
#[tracing::instrument(name = "app.customers.bulk", level = "debug", skip_all)]
pub async fn bulk(
    app: &App,
    caller: &StaffCaller,
    action: CustomerAction,
    ids: &[Uuid],
) -> AppResult<Vec<CustomerResult>> {
    caller.require(Permission::ManageAccounts)?;
    if ids.is_empty() || ids.len() > 500 {
        return Err(AppError::invalid(
            "ids",
            "choose between 1 and 500 customers",
        ));
    }
    let mut input = CustomerPatch::default();
    if let CustomerAction::SetGroup(group) = action {
        input.group_id = group.map_or(Change::Clear, |g| Change::Set(g.to_string()));
    }
    let mut results = Vec::with_capacity(ids.len());
    for &id in ids {
        let done = match action {
            CustomerAction::SetGroup(_) => update(app, caller, id, &input).await.map(|_| ()),
            CustomerAction::Delete => delete(app, caller, id).await,
        };
        results.push(match done {
            Ok(()) => CustomerResult {
                id,
                ok: true,
                message: "done".into(),
            },
            Err(e @ (AppError::Internal(_) | AppError::Store(_))) => return Err(e),
            Err(e) => CustomerResult {
                id,
                ok: false,
                message: e.to_string(),
            },
        });
    }
    Ok(results)
}

/// One sentence on what a bulk action did: how many were done, then each
/// distinct reason for a refusal with how many it stopped.
pub fn bulk_summary(action: CustomerAction, results: &[CustomerResult]) -> String {
    let done = results.iter().filter(|r| r.ok).count();
    let verb = match action {
        CustomerAction::SetGroup(Some(_)) => "moved to the group",
        CustomerAction::SetGroup(None) => "taken out of their group",
        CustomerAction::Delete => "deleted",
    };
    crate::bulk_sentence(
        done,
        verb,
        results.iter().filter(|r| !r.ok).map(|r| r.message.as_str()),
    )
}
