//! Assigning an account to a customer record: ranked suggestions of who
//! the account's person may be, a search by hand, and the assignment
//! itself (audited).

use super::*;

/// A customer that may be the account's person, with why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    /// The customer.
    pub customer: crate::wire::Customer,
    /// Higher is likelier.
    pub score: u32,
    /// What matched.
    pub reasons: Vec<&'static str>,
}

fn same(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if !x.trim().is_empty() && x.trim().eq_ignore_ascii_case(y.trim()))
}

/// Ranked customers the account may belong to: the same normalised address,
/// the same name, the same company or phone.
#[tracing::instrument(name = "app.accounts.assignment.duplicates", level = "debug", skip_all)]
pub async fn duplicates(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<Vec<Candidate>> {
    caller.require(Permission::ViewCustomers)?;
    let mut tx = app.store.read().await?;
    let (account, _) = load(tx.as_mut(), id).await?;
    let company = account.company.clone().unwrap_or_default();
    let found = tx
        .customer_candidates(
            &account.email,
            &account.first_name,
            &account.last_name,
            &company,
            "",
        )
        .await?;
    let mut ranked: Vec<Candidate> = found
        .into_iter()
        .map(|c| {
            let f = &c.fields;
            let mut score = 0;
            let mut reasons = Vec::new();
            if same(f.email.as_deref(), Some(&account.email)) {
                score += 100;
                reasons.push("same e-mail address");
            }
            if same(Some(&f.first_name), Some(&account.first_name))
                && same(Some(&f.last_name), Some(&account.last_name))
            {
                score += 60;
                reasons.push("same name");
            } else if same(Some(&f.last_name), Some(&account.last_name)) {
                score += 20;
                reasons.push("same last name");
            }
            if same(f.company.as_deref(), account.company.as_deref()) {
                score += 30;
                reasons.push("same company");
            }
            Candidate {
                customer: c.into(),
                score,
                reasons,
            }
        })
        .filter(|c| c.score > 0)
        .collect();
    ranked.sort_by_key(|c| std::cmp::Reverse(c.score));
    Ok(ranked)
}

/// Where an account is assigned.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignTo {
    /// An existing customer.
    Customer(Uuid),
    /// A new customer made from the registration.
    New,
}

/// Assigns an account without a customer to one (existing or new).
#[tracing::instrument(name = "app.accounts.assignment.assign", level = "debug", skip_all)]
pub async fn assign(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    to: &AssignTo,
) -> AppResult<AccountView> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (mut account, site) = load(tx.as_mut(), id).await?;
    apply(
        app,
        tx.as_mut(),
        &site,
        &mut account,
        Event::AssignCustomer,
        now,
    )
    .await?;
    match to {
        AssignTo::Customer(customer_id) => {
            tx.customer_by_id(*customer_id)
                .await?
                .ok_or_else(|| AppError::NotFound("customer".into()))?;
            account.customer_id = Some(*customer_id);
        }
        AssignTo::New => create_customer_from(tx.as_mut(), &mut account, now).await?,
    }
    tx.save_account(&account).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "account.assign",
        Some(("account", id)),
        Some(site.id),
        json!({"customer_id": account.customer_id}),
    ))
    .await?;
    tx.commit().await?;
    Ok(view_of(&account, &site.key, now))
}

/// Customers found by name, e-mail address, company or phone (for assigning
/// an account by hand).
#[tracing::instrument(
    name = "app.accounts.assignment.search_customers",
    level = "debug",
    skip_all
)]
pub async fn search_customers(
    app: &App,
    caller: &StaffCaller,
    text: &str,
) -> AppResult<Vec<Customer>> {
    caller.require(Permission::ViewCustomers)?;
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = app.store.read().await?;
    Ok(tx.search_customers(text, 20).await?)
}
