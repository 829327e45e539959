//! The customer manager's team: the live accounts on the manager's site
//! whose customers belong to the manager's company. A manager lists them,
//! invites a colleague (a customer in the company and an account on the
//! site, with an invitation mail, or waiting for staff approval when the
//! site says so), resends an invitation or activation, and switches a
//! colleague's access off and on. Who may do what is decided by
//! `gatehouse_domain::team`; everything is re-read in the transaction that
//! writes, and audited with the manager (a customer) as the actor.

use gatehouse_domain::team::{self, Colleague, Manager, TeamRefusal};
use gatehouse_domain::{
    AccountRole, AccountState, Email, FieldError, LoginId, Stage, Status, Words,
};
use gatehouse_store::{Account, Customer, CustomerFields, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::customer_actor;
use super::sessions::{Current, still_signed_in};
use crate::account_mail::{LinkMail, send_invitation, send_link};
use crate::{App, AppError, AppResult, audit};

/// The most accounts a team lists.
pub const TEAM_LIMIT: i64 = 1000;

/// One colleague as the manager sees them: nothing staff-only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    /// The account.
    pub account_id: Uuid,
    /// First name (the customer's current one).
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Login ID.
    pub login_id: String,
    /// Status now: `unverified`, `pending`, `active`, `locked`, `blocked`.
    pub status: String,
    /// Whether the access switch is on.
    pub access_granted: bool,
    /// Has chosen a password (an invitation not yet taken has not).
    pub signed_up: bool,
    /// Last sign-in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    /// `customer` or `customer_manager`.
    pub role: String,
    /// The manager's own account.
    pub is_you: bool,
    /// The manager may switch and resend for this one.
    pub manageable: bool,
}

/// What a manager types to invite a colleague.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    /// First name.
    #[schema(max_length = 100)]
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[schema(max_length = 100)]
    #[serde(default)]
    pub last_name: String,
    /// E-mail address (the login ID on an e-mail site).
    #[schema(max_length = 254)]
    #[serde(default)]
    pub email: String,
}

impl From<TeamRefusal> for AppError {
    fn from(r: TeamRefusal) -> AppError {
        match r {
            TeamRefusal::NotInTeam => AppError::NotFound("account".into()),
            other => AppError::Forbidden {
                code: other.code(),
                message: other.message().into(),
            },
        }
    }
}

/// The manager, re-read in `tx` (a session that ended since the request
/// began is refused), as the team rules see them; with their company (its
/// ID and name) once the rules say they have a team.
struct Team {
    me: Account,
    manager: Manager,
    company_id: Uuid,
    company: String,
}

async fn team_in(tx: &mut dyn Tx, current: &Current, now: OffsetDateTime) -> AppResult<Team> {
    let (me, must_change) = still_signed_in(tx, current, now).await?;
    if must_change {
        return Err(AppError::PasswordChangeRequired);
    }
    let customer = match me.customer_id {
        Some(id) => tx.customer_by_id(id).await?,
        None => None,
    };
    let company = customer.and_then(|c| Some((c.fields.company_id?, c.fields.company?)));
    let manager = Manager {
        role: me.role,
        has_company: company.is_some(),
    };
    team::team_of(manager)?;
    let (company_id, company) = company.ok_or(TeamRefusal::NoCompany)?;
    Ok(Team {
        me,
        manager,
        company_id,
        company,
    })
}

impl TeamMember {
    /// An account as its manager sees it, under the customer's current
    /// name.
    fn of(
        a: &Account,
        (first_name, last_name): (String, String),
        me: Uuid,
        manageable: bool,
        now: OffsetDateTime,
    ) -> TeamMember {
        TeamMember {
            account_id: a.id,
            first_name,
            last_name,
            login_id: a.login_id.clone(),
            status: a.state.status(now).as_str().into(),
            access_granted: a.state.access_granted,
            signed_up: a.password_hash.is_some(),
            last_login_at: a.last_login_at,
            role: a.role.as_str().into(),
            is_you: a.id == me,
            manageable,
        }
    }
}

/// The colleague `id` as it stands to the manager, with the customer's
/// current name.
async fn colleague_in(
    tx: &mut dyn Tx,
    manager: &Account,
    company_id: Uuid,
    id: Uuid,
    now: OffsetDateTime,
) -> AppResult<(Account, Colleague, (String, String))> {
    let account = tx
        .account_by_id(id)
        .await?
        .ok_or_else(|| AppError::from(TeamRefusal::NotInTeam))?;
    let customer = match account.customer_id {
        Some(c) => tx.customer_by_id(c).await?,
        None => None,
    };
    let same_team = account.site_id == manager.site_id
        && customer
            .as_ref()
            .is_some_and(|c| c.fields.company_id == Some(company_id));
    let colleague = Colleague {
        same_team,
        is_self: account.id == manager.id,
        role: account.role,
        status: account.state.status(now),
    };
    let name = match customer {
        Some(c) => (c.fields.first_name, c.fields.last_name),
        None => (account.first_name.clone(), account.last_name.clone()),
    };
    Ok((account, colleague, name))
}

/// The manager's team, by login ID.
#[tracing::instrument(name = "app.portal.team.list", level = "debug", skip_all)]
pub async fn list(app: &App, current: &Current) -> AppResult<Vec<TeamMember>> {
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let Team {
        me,
        manager,
        company_id,
        ..
    } = team_in(tx.as_mut(), current, now).await?;
    let accounts = tx.team_accounts(me.site_id, company_id, TEAM_LIMIT).await?;
    let ids: Vec<Uuid> = accounts.iter().filter_map(|a| a.customer_id).collect();
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for c in tx.customers_by_ids(chunk).await? {
            names.insert(c.id, (c.fields.first_name, c.fields.last_name));
        }
    }
    Ok(accounts
        .iter()
        .map(|a| {
            let colleague = Colleague {
                same_team: true,
                is_self: a.id == me.id,
                role: a.role,
                status: a.state.status(now),
            };
            let name = a
                .customer_id
                .and_then(|c| names.get(&c).cloned())
                .unwrap_or_else(|| (a.first_name.clone(), a.last_name.clone()));
            let manageable = team::may_manage(manager, colleague).is_ok();
            TeamMember::of(a, name, me.id, manageable, now)
        })
        .collect())
}

/// Checks an invitation field by field (every wrong field at once).
fn check(
    invitation: &Invitation,
    mode: gatehouse_domain::LoginIdMode,
) -> AppResult<(String, String, Email, LoginId)> {
    let mut errors = Vec::new();
    let mut name = |field: &str, value: &str| {
        let value = value.trim();
        if value.is_empty() {
            errors.push(crate::customer_fields::say::required(field));
        } else if value.chars().any(char::is_control) {
            errors.push(crate::customer_fields::say::control(field));
        } else if value.chars().count() > 100 {
            errors.push(FieldError::said(
                field,
                Words::id("field-too-long").arg("max", 100),
                "must be at most 100 characters",
            ));
        }
        value.to_string()
    };
    let first = name("first_name", &invitation.first_name);
    let last = name("last_name", &invitation.last_name);
    let email = Email::parse(&invitation.email)
        .map_err(|e| errors.push(FieldError::new("email", e.to_string())))
        .ok();
    let login = email.as_ref().and_then(|e| {
        LoginId::parse(e.as_str(), mode)
            .map_err(|e| errors.push(FieldError::new("email", e.to_string())))
            .ok()
    });
    match (email, login) {
        (Some(email), Some(login)) if errors.is_empty() => Ok((first, last, email, login)),
        _ => Err(AppError::Fields(errors)),
    }
}

/// Invites a colleague: a customer in the manager's company and an account
/// on the site, active with an invitation mail, or pending until staff
/// approve it when the site's `manager_invites_need_approval` is on. An
/// address with an account on this site is refused (nothing is said about
/// other sites).
#[tracing::instrument(name = "app.portal.team.invite", level = "debug", skip_all)]
pub async fn invite(
    app: &App,
    current: &Current,
    invitation: &Invitation,
) -> AppResult<TeamMember> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let Team {
        me,
        company_id,
        company,
        ..
    } = team_in(tx.as_mut(), current, now).await?;
    let site = &current.site;
    let (first_name, last_name, email, login) = check(invitation, site.settings.login_id_mode)?;
    let taken = tx
        .account_by_email(site.id, email.as_str())
        .await?
        .is_some()
        || tx
            .account_by_login_id(site.id, login.as_str())
            .await?
            .is_some();
    if taken {
        return Err(AppError::Taken(vec![FieldError::said(
            "email",
            Words::id("team-address-taken"),
            "this address has an account on this site already",
        )]));
    }
    let approval = site.settings.manager_invites_need_approval;
    let colleague = Customer {
        id: Uuid::now_v7(),
        fields: CustomerFields {
            first_name: first_name.clone(),
            last_name: last_name.clone(),
            email: Some(email.as_str().to_string()),
            company: Some(company.clone()),
            company_id: Some(company_id),
            language: me.language.clone(),
            notifications: true,
            ..CustomerFields::default()
        },
        created_at: now,
        updated_at: now,
    };
    tx.insert_customer(&colleague).await?;
    let account = Account {
        id: Uuid::now_v7(),
        site_id: site.id,
        customer_id: Some(colleague.id),
        login_id: login.as_str().to_string(),
        email: email.as_str().to_string(),
        password_hash: None,
        role: AccountRole::Customer,
        state: AccountState {
            stage: if approval {
                Stage::Pending
            } else {
                Stage::Active
            },
            email_validated: false,
            ..AccountState::created_by_staff(false)
        },
        deleted_at: None,
        first_name,
        last_name,
        company: Some(company),
        language: me.language.clone(),
        registered_at: now,
        verified_at: None,
        approved_at: (!approval).then_some(now),
        last_login_at: None,
        version: 1,
    };
    match tx.insert_account(&account).await {
        Err(gatehouse_store::StoreError::Conflict(_)) => {
            return Err(AppError::Taken(vec![FieldError::said(
                "email",
                Words::id("team-address-taken"),
                "this address has an account on this site already",
            )]));
        }
        other => other?,
    }
    if !approval {
        send_invitation(app, tx.as_mut(), site, &account, now).await?;
    }
    tx.append_audit(&audit::event(
        now,
        &customer_actor(&me),
        "team.invite",
        Some(("account", account.id)),
        Some(site.id),
        json!({"company_id": company_id, "needs_approval": approval}),
    ))
    .await?;
    tx.commit().await?;
    let name = (account.first_name.clone(), account.last_name.clone());
    Ok(TeamMember::of(&account, name, me.id, true, now))
}

/// What a resend did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resent {
    /// A new invitation (the colleague has not chosen a password yet).
    Invitation,
    /// A new activation link (the colleague has not confirmed the address).
    Activation,
}

/// Sends a colleague a new invitation (no password chosen yet) or a new
/// activation link (address not confirmed); older links stop working.
#[tracing::instrument(name = "app.portal.team.resend", level = "debug", skip_all)]
pub async fn resend(app: &App, current: &Current, id: Uuid) -> AppResult<Resent> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let Team {
        me,
        manager,
        company_id,
        ..
    } = team_in(tx.as_mut(), current, now).await?;
    let (account, colleague, _) = colleague_in(tx.as_mut(), &me, company_id, id, now).await?;
    team::may_manage(manager, colleague)?;
    let site = &current.site;
    let resent = match colleague.status {
        Status::Unverified => {
            if !send_link(app, tx.as_mut(), site, &account, LinkMail::ACTIVATION, now).await? {
                return Err(AppError::Conflict(NOTHING_TO_RESEND.into()));
            }
            Resent::Activation
        }
        Status::Active if account.password_hash.is_none() => {
            send_invitation(app, tx.as_mut(), site, &account, now).await?;
            Resent::Invitation
        }
        Status::Pending => return Err(AppError::Conflict(WAITS_FOR_APPROVAL.into())),
        _ => return Err(AppError::Conflict(NOTHING_TO_RESEND.into())),
    };
    tx.append_audit(&audit::event(
        now,
        &customer_actor(&me),
        "team.resend",
        Some(("account", account.id)),
        Some(site.id),
        json!({"sent": resent}),
    ))
    .await?;
    tx.commit().await?;
    Ok(resent)
}

/// Why nothing was sent again: the colleague has signed up.
pub const NOTHING_TO_RESEND: &str =
    "this colleague has signed up already: there is no invitation or activation to send";

/// Why nothing was sent again: staff have not approved the invitation yet.
pub const WAITS_FOR_APPROVAL: &str =
    "this invitation waits for the business's approval; it is sent once approved";

/// Switches a colleague's access off (every session and app sign-in ends)
/// or on.
#[tracing::instrument(name = "app.portal.team.switch", level = "debug", skip_all)]
pub async fn switch(app: &App, current: &Current, id: Uuid, on: bool) -> AppResult<TeamMember> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let Team {
        me,
        manager,
        company_id,
        ..
    } = team_in(tx.as_mut(), current, now).await?;
    let (mut account, colleague, name) =
        colleague_in(tx.as_mut(), &me, company_id, id, now).await?;
    team::may_manage(manager, colleague)?;
    let was = account.state.access_granted;
    let event = gatehouse_domain::Event::SetAccess { granted: on };
    crate::lifecycle::apply(app, tx.as_mut(), &current.site, &mut account, event, now).await?;
    if was != on {
        tx.save_account(&account).await?;
        tx.append_audit(&audit::event(
            now,
            &customer_actor(&me),
            "team.access",
            Some(("account", account.id)),
            Some(account.site_id),
            json!({"before": {"access_granted": was}, "after": {"access_granted": on}}),
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(TeamMember::of(&account, name, me.id, true, now))
}
