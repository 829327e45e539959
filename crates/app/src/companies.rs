//! Companies as records: staff list, add, change and delete them (one with
//! customers cannot be deleted); a customer belongs to at most one. One
//! company per name key ([`company_key`]): a new name whose key is taken is
//! refused and the existing company offered. [`adopt_free_text`] turns the
//! free-text companies written before companies were records into records,
//! merging spellings of one name, and reports what it merged.
//!
//! Invariant kept with the store: a customer's `company` is the name of its
//! `company_id`'s record, or empty when it has none. A staff change decides
//! it in [`resolve`]; the only other writers are a customer manager's
//! invitation (the manager's own company, `portal::team`), the free-text
//! adoption here and `gatehouse seed`, each writing both together.

use std::collections::BTreeMap;

use gatehouse_domain::{FieldError, Permission, Words, company_key, company_name};
use gatehouse_store::{Actor, Company, CustomerFields, CustomerFilter, StoreError, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::AccountView;
use crate::customer_fields::CustomerPatch;
use crate::staff_auth::StaffCaller;
use crate::{App, AppError, AppResult, audit};

/// What staff type for a company.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    /// Name (no control characters; something besides spaces and full
    /// stops); unique without regard to case, spaces or a trailing full stop.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\u0000-\\u0020\\u007F-\\u00A0.\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub name: String,
    /// The ERP's key (unique when given; empty for none).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
    /// Postal address, as written (line breaks allowed).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub address: Option<String>,
    /// Staff notes.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub notes: String,
}

/// A change to a company: absent fields stay; an empty `external_id` or
/// `address` clears it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyPatch {
    /// Name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\u0000-\\u0020\\u007F-\\u00A0.\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub name: Option<String>,
    /// The ERP's key.
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
    /// Postal address.
    #[schema(max_length = 1000)]
    pub address: Option<String>,
    /// Staff notes.
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

/// A page of the companies list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompanyPage {
    /// The companies on this page, by name.
    pub items: Vec<crate::wire::CompanyListed>,
    /// How many match in all.
    pub total: i64,
}

/// A company with its customers and their portal accounts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompanyDetail {
    /// The company.
    #[serde(flatten)]
    pub company: crate::wire::Company,
    /// Its customers, by last name (at most [`DETAIL_CUSTOMERS`]).
    pub customers: Vec<crate::wire::Customer>,
    /// How many customers it has in all.
    pub customer_count: i64,
    /// The portal accounts of the customers shown.
    pub accounts: Vec<AccountView>,
}

/// The most customers a company page lists (the customer list, filtered by
/// the company, shows them all).
pub const DETAIL_CUSTOMERS: i64 = 200;

fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::said(
        field,
        Words::id("field-too-long").arg("max", max),
        format!("must be at most {max} characters"),
    )
}

/// The company `input` describes, checked field by field (every wrong field
/// at once).
fn check(input: &CompanyInput) -> AppResult<(String, Option<String>, Option<String>, String)> {
    let mut errors = Vec::new();
    let name = company_name(&input.name);
    if company_key(&name).is_empty() {
        errors.push(FieldError::said(
            "name",
            Words::id("company-name-needed"),
            "give the company's name",
        ));
    } else if name.chars().any(char::is_control) {
        errors.push(crate::customer_fields::say::control("name"));
    } else if name.chars().count() > 200 {
        errors.push(too_long("name", 200));
    }
    let optional = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let external_id = optional(&input.external_id);
    if external_id
        .as_ref()
        .is_some_and(|e| e.chars().count() > 200)
    {
        errors.push(too_long("external_id", 200));
    }
    let address = optional(&input.address);
    if address.as_ref().is_some_and(|a| a.chars().count() > 1000) {
        errors.push(too_long("address", 1000));
    }
    let notes = input.notes.trim().to_string();
    if notes.chars().count() > 5000 {
        errors.push(too_long("notes", 5000));
    }
    if errors.is_empty() {
        Ok((name, external_id, address, notes))
    } else {
        Err(AppError::Fields(errors))
    }
}

/// A name whose key another company has: refused, naming that company so a
/// caller can offer it.
fn name_taken(existing: &Company) -> AppError {
    AppError::Taken(vec![FieldError::said(
        "name",
        Words::id("company-name-taken")
            .arg("name", &existing.name)
            .arg("id", existing.id),
        format!(
            "a company named '{}' exists already (id {}); choose it instead",
            existing.name, existing.id
        ),
    )])
}

fn external_id_taken() -> AppError {
    AppError::Taken(vec![FieldError::said(
        "external_id",
        Words::id("company-external-id-taken"),
        "another company has this external ID",
    )])
}

/// Writes `company` (new when `insert`): a name another company has is
/// refused naming that company (looked for first: after a refused write a
/// PostgreSQL transaction reads nothing more), a taken external ID names
/// the field.
async fn write(tx: &mut dyn Tx, company: &Company, insert: bool) -> AppResult<()> {
    if let Some(existing) = tx.company_by_key(&company_key(&company.name)).await?
        && existing.id != company.id
    {
        return Err(name_taken(&existing));
    }
    let written = if insert {
        tx.insert_company(company).await
    } else {
        tx.update_company(company).await
    };
    match written {
        Err(StoreError::Conflict(what)) if what.contains("external_id") => Err(external_id_taken()),
        Err(StoreError::Conflict(_)) => Err(AppError::Taken(vec![FieldError::said(
            "name",
            Words::id("company-name-just-taken"),
            "a company with this name was added a moment ago; choose it instead",
        )])),
        Err(StoreError::NotFound) => Err(AppError::NotFound("company".into())),
        other => Ok(other?),
    }
}

/// The company with this ID, or not found.
async fn load(tx: &mut dyn Tx, id: Uuid) -> AppResult<Company> {
    tx.company_by_id(id)
        .await?
        .ok_or_else(|| AppError::NotFound("company".into()))
}

/// A page of companies by name; `search` matches the name or external ID.
#[tracing::instrument(name = "app.companies.list", level = "debug", skip_all)]
pub async fn list(
    app: &App,
    caller: &StaffCaller,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<CompanyPage> {
    caller.require(Permission::ViewCustomers)?;
    let mut tx = app.store.read().await?;
    let items = tx.list_companies(search, limit, offset).await?;
    let total = tx.count_companies(search).await?;
    Ok(CompanyPage {
        items: items.into_iter().map(Into::into).collect(),
        total,
    })
}

/// The first `limit` company names, by name, for a picker.
#[tracing::instrument(name = "app.companies.names", level = "debug", skip_all)]
pub async fn names(app: &App, caller: &StaffCaller, limit: i64) -> AppResult<Vec<String>> {
    caller.require(Permission::ViewCustomers)?;
    let mut tx = app.store.read().await?;
    Ok(tx.company_names(limit).await?)
}

/// A company with its customers and their accounts.
#[tracing::instrument(name = "app.companies.get", level = "debug", skip_all)]
pub async fn get(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<CompanyDetail> {
    caller.require(Permission::ViewCustomers)?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let company = load(tx.as_mut(), id).await?;
    let filter = CustomerFilter {
        company_id: Some(id),
        ..CustomerFilter::default()
    };
    let page = gatehouse_store::CustomerPage {
        sort: gatehouse_store::CustomerSort::LastName,
        descending: false,
        limit: DETAIL_CUSTOMERS,
        offset: 0,
    };
    let customers = tx.list_customers(&filter, &page, false, now).await?;
    let customer_count = tx.count_customers(&filter, now, None).await?;
    let ids: Vec<Uuid> = customers.iter().map(|c| c.id).collect();
    let accounts = tx.accounts_of_customers(&ids).await?;
    let accounts = crate::accounts::views_of(tx.as_mut(), &accounts, now).await?;
    Ok(CompanyDetail {
        company: company.into(),
        customers: customers.into_iter().map(Into::into).collect(),
        customer_count,
        accounts,
    })
}

/// Adds a company.
#[tracing::instrument(name = "app.companies.create", level = "debug", skip_all)]
pub async fn create(app: &App, caller: &StaffCaller, input: &CompanyInput) -> AppResult<Company> {
    caller.require(Permission::ManageAccounts)?;
    let (name, external_id, address, notes) = check(input)?;
    let now = app.clock.now();
    let company = Company {
        id: Uuid::now_v7(),
        name,
        external_id,
        address,
        notes,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.store.begin().await?;
    write(tx.as_mut(), &company, true).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "company.create",
        Some(("company", company.id)),
        None,
        json!({"name": company.name, "external_id": company.external_id}),
    ))
    .await?;
    tx.commit().await?;
    Ok(company)
}

/// Changes a company; a new name is written into its customers' records in
/// the same transaction. Audited with each changed field before and after.
#[tracing::instrument(name = "app.companies.update", level = "debug", skip_all)]
pub async fn update(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    patch: &CompanyPatch,
) -> AppResult<Company> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let before = load(tx.as_mut(), id).await?;
    let input = CompanyInput {
        name: patch.name.clone().unwrap_or_else(|| before.name.clone()),
        external_id: patch
            .external_id
            .clone()
            .or_else(|| before.external_id.clone()),
        address: patch.address.clone().or_else(|| before.address.clone()),
        notes: patch.notes.clone().unwrap_or_else(|| before.notes.clone()),
    };
    let (name, external_id, address, notes) = check(&input)?;
    let company = Company {
        name,
        external_id,
        address,
        notes,
        updated_at: now,
        ..before.clone()
    };
    if company.name == before.name
        && company.external_id == before.external_id
        && company.address == before.address
        && company.notes == before.notes
    {
        return Ok(before);
    }
    write(tx.as_mut(), &company, false).await?;
    let mut was = serde_json::Map::new();
    let mut now_is = serde_json::Map::new();
    for (field, old, new) in [
        ("name", json!(before.name), json!(company.name)),
        (
            "external_id",
            json!(before.external_id),
            json!(company.external_id),
        ),
        ("address", json!(before.address), json!(company.address)),
        ("notes", json!(before.notes), json!(company.notes)),
    ] {
        if old != new {
            was.insert(field.into(), old);
            now_is.insert(field.into(), new);
        }
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "company.update",
        Some(("company", id)),
        None,
        json!({"before": was, "after": now_is}),
    ))
    .await?;
    tx.commit().await?;
    Ok(company)
}

/// Removes a company without customers; one with customers is refused and
/// says how many.
#[tracing::instrument(name = "app.companies.delete", level = "debug", skip_all)]
pub async fn delete(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<()> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let company = load(tx.as_mut(), id).await?;
    let filter = CustomerFilter {
        company_id: Some(id),
        ..CustomerFilter::default()
    };
    let members = tx.count_customers(&filter, now, None).await?;
    if members > 0 {
        return Err(AppError::Conflict(format!(
            "the company still has {members} customer{}; move them to another company first",
            if members == 1 { "" } else { "s" }
        )));
    }
    match tx.delete_company(id).await {
        Err(StoreError::NotFound) => return Err(AppError::NotFound("company".into())),
        Err(StoreError::Referenced(_)) => {
            return Err(AppError::Conflict(
                "the company still has customers; move them to another company first".into(),
            ));
        }
        other => other?,
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "company.delete",
        Some(("company", id)),
        None,
        json!({"name": company.name}),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Decides a customer's company from a change, after the patch's rules have
/// run: a `company_id` names an existing company (its name is written
/// beside it); a `company` name alone names the company with its key, or a
/// new company made here (audited as made by `actor`); clearing either
/// clears both. Wrong IDs are added to `errors`.
pub(crate) async fn resolve(
    tx: &mut dyn Tx,
    patch: &CustomerPatch,
    fields: &mut CustomerFields,
    actor: &Actor,
    now: OffsetDateTime,
    errors: &mut Vec<FieldError>,
) -> AppResult<()> {
    if patch.company_id.is_present() {
        match fields.company_id {
            None => fields.company = None,
            Some(id) => match tx.company_by_id(id).await? {
                Some(company) => fields.company = Some(company.name),
                None => {
                    if !errors.iter().any(|e| e.field == "company_id") {
                        errors.push(FieldError::said(
                            "company_id",
                            Words::id("field-no-such-company"),
                            "there is no such company",
                        ));
                    }
                }
            },
        }
        return Ok(());
    }
    if !patch.company.is_present() || errors.iter().any(|e| e.field == "company") {
        return Ok(());
    }
    let Some(name) = fields
        .company
        .as_deref()
        .map(company_name)
        .filter(|n| !company_key(n).is_empty())
    else {
        fields.company = None;
        fields.company_id = None;
        return Ok(());
    };
    let (company, _) = find_or_make(tx, name, actor, now).await?;
    fields.company = Some(company.name);
    fields.company_id = Some(company.id);
    Ok(())
}

/// The company with this name's key, or a new one made with the name
/// (audited as made by `actor`); answers whether it was made.
pub(crate) async fn find_or_make(
    tx: &mut dyn Tx,
    name: String,
    actor: &Actor,
    now: OffsetDateTime,
) -> AppResult<(Company, bool)> {
    if let Some(company) = tx.company_by_key(&company_key(&name)).await? {
        return Ok((company, false));
    }
    let company = Company::named(name, now);
    write(tx, &company, true).await?;
    tx.append_audit(&audit::event(
        now,
        actor,
        "company.create",
        Some(("company", company.id)),
        None,
        json!({"name": company.name}),
    ))
    .await?;
    Ok((company, true))
}

/// What [`adopt_free_text`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Adopted {
    /// Companies made.
    pub companies: usize,
    /// Customers linked to one.
    pub customers: usize,
    /// Per company made from more than one spelling: its name and every
    /// spelling merged into it.
    pub merged: BTreeMap<String, Vec<String>>,
}

/// Customers adopted per transaction.
const ADOPT_BATCH: i64 = 500;

/// Turns the free-text companies of customers written before companies
/// were records into records: one per name key (the first spelling found,
/// oldest customer first, names it; an existing company with the key is
/// used), each customer linked to it. Idempotent; audited per company made.
#[tracing::instrument(name = "app.companies.adopt_free_text", level = "debug", skip_all)]
pub async fn adopt_free_text(app: &App) -> AppResult<Adopted> {
    let actor = Actor::system("migration");
    let mut report = Adopted::default();
    let mut spellings: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    loop {
        let now = app.clock.now();
        let mut tx = app.store.begin().await?;
        let batch = tx.customers_without_company_record(ADOPT_BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for mut customer in batch {
            let typed = customer.fields.company.clone().unwrap_or_default();
            let key = company_key(&typed);
            if key.is_empty() {
                customer.fields.company = None;
            } else {
                let company = match tx.company_by_key(&key).await? {
                    Some(company) => company,
                    None => {
                        let company = Company {
                            id: Uuid::now_v7(),
                            name: company_name(&typed),
                            external_id: None,
                            address: None,
                            notes: String::new(),
                            created_at: now,
                            updated_at: now,
                        };
                        tx.insert_company(&company).await?;
                        tx.append_audit(&audit::event(
                            now,
                            &actor,
                            "company.create",
                            Some(("company", company.id)),
                            None,
                            json!({"name": company.name, "from": "free text"}),
                        ))
                        .await?;
                        report.companies += 1;
                        company
                    }
                };
                let seen = spellings
                    .entry(key)
                    .or_insert_with(|| (company.name.clone(), Vec::new()));
                let spelled = company_name(&typed);
                if !seen.1.contains(&spelled) {
                    seen.1.push(spelled);
                }
                customer.fields.company = Some(company.name);
                customer.fields.company_id = Some(company.id);
                report.customers += 1;
            }
            tx.update_customer(&customer).await?;
        }
        tx.commit().await?;
    }
    report.merged = spellings
        .into_values()
        .filter(|(name, spelled)| spelled.len() > 1 || spelled.iter().any(|s| s != name))
        .collect();
    Ok(report)
}
