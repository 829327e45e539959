//! The records as the API and the console show them: the public shape of
//! sites, groups, companies, customers and audit events, apart from how the
//! store keeps them. A store record may gain a column (or keep a time as
//! milliseconds) without the API changing; here every time is an RFC 3339
//! date-time.
//!
//! Invariants owned here:
//! - Every answer that shows one of these records shows the type of this
//!   module; the store's records derive neither `Serialize` nor `ToSchema`.
//! - A type here is made from its record whole (`From`): each field of the
//!   record is shown, or left out where the type says so.
//! - The names are the records' names, so the published schema
//!   (`openapi.json`) names them as before.

use gatehouse_domain::SiteSettings;
use gatehouse_store as store;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// A portal site.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Site {
    /// Identity.
    pub id: Uuid,
    /// URL key (`/s/{key}`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// Its settings.
    pub settings: SiteSettings,
    /// Created at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<store::Site> for Site {
    fn from(s: store::Site) -> Site {
        Site {
            id: s.id,
            key: s.key,
            name: s.name,
            settings: s.settings,
            created_at: s.created_at,
        }
    }
}

/// A named set of customers.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Group {
    /// Identity.
    pub id: Uuid,
    /// Name, unique without regard to case.
    pub name: String,
    /// Description.
    pub description: String,
    /// Inactive groups are hidden from pickers.
    pub active: bool,
    /// Created at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<store::Group> for Group {
    fn from(g: store::Group) -> Group {
        Group {
            id: g.id,
            name: g.name,
            description: g.description,
            active: g.active,
            created_at: g.created_at,
        }
    }
}

/// A client company: the customers who work there belong to it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Company {
    /// Identity.
    pub id: Uuid,
    /// Name, as spelled.
    pub name: String,
    /// The ERP's key (unique when given).
    pub external_id: Option<String>,
    /// Postal address, as written.
    pub address: Option<String>,
    /// Staff notes.
    pub notes: String,
    /// Created at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed at.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<store::Company> for Company {
    fn from(c: store::Company) -> Company {
        Company {
            id: c.id,
            name: c.name,
            external_id: c.external_id,
            address: c.address,
            notes: c.notes,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A company with how many customers belong to it and how many portal
/// accounts they have.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CompanyListed {
    /// The company.
    #[serde(flatten)]
    pub company: Company,
    /// Customers in it.
    pub customers: i64,
    /// Portal accounts of those customers (deleted ones not counted).
    pub accounts: i64,
}

impl From<store::CompanyListed> for CompanyListed {
    fn from(c: store::CompanyListed) -> CompanyListed {
        CompanyListed {
            company: c.company.into(),
            customers: c.customers,
            accounts: c.accounts,
        }
    }
}

/// The editable data of a customer (the CRM contact).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CustomerFields {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// The company's name (kept in step with the company record by the
    /// store; answers and CSV keep it for integrations that read names).
    pub company: Option<String>,
    /// The company the customer belongs to.
    pub company_id: Option<Uuid>,
    /// Web address.
    pub url: Option<String>,
    /// Landline.
    pub phone: Option<String>,
    /// Mobile.
    pub mobile: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ID in another system.
    pub external_id: Option<String>,
    /// Group.
    pub group_id: Option<Uuid>,
    /// Avatar picture.
    pub avatar_url: Option<String>,
    /// Wants notifications.
    pub notifications: bool,
    /// Staff notes.
    pub notes: Option<String>,
    /// Preferred language.
    pub language: Option<String>,
}

impl From<store::CustomerFields> for CustomerFields {
    fn from(f: store::CustomerFields) -> CustomerFields {
        CustomerFields {
            first_name: f.first_name,
            last_name: f.last_name,
            email: f.email,
            company: f.company,
            company_id: f.company_id,
            url: f.url,
            phone: f.phone,
            mobile: f.mobile,
            country: f.country,
            region: f.region,
            street: f.street,
            postcode: f.postcode,
            city: f.city,
            external_id: f.external_id,
            group_id: f.group_id,
            avatar_url: f.avatar_url,
            notifications: f.notifications,
            notes: f.notes,
            language: f.language,
        }
    }
}

/// A customer record.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Customer {
    /// Identity.
    pub id: Uuid,
    /// Its data.
    #[serde(flatten)]
    pub fields: CustomerFields,
    /// Created at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed at.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<store::Customer> for Customer {
    fn from(c: store::Customer) -> Customer {
        Customer {
            id: c.id,
            fields: c.fields.into(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Actor {
    /// `staff`, `customer`, `api` or `system`.
    pub kind: String,
    /// The staff user or account.
    pub id: Option<Uuid>,
    /// A readable name (an e-mail address, or "system").
    pub label: String,
}

/// The actor's client address is left out: the event shows it once.
impl From<store::Actor> for Actor {
    fn from(a: store::Actor) -> Actor {
        Actor {
            kind: a.kind,
            id: a.id,
            label: a.label,
        }
    }
}

/// An append-only record of a staff action or security event.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    /// Identity (time-ordered).
    pub id: Uuid,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub actor: Actor,
    /// What, as a dotted word (`account.block`, `staff.create`).
    pub action: String,
    /// Kind of thing acted on.
    pub target_kind: Option<String>,
    /// The thing acted on.
    pub target_id: Option<Uuid>,
    /// The site concerned.
    pub site_id: Option<Uuid>,
    /// Anything else worth keeping (never a secret).
    pub details: serde_json::Value,
    /// Client address.
    pub ip: Option<String>,
}

impl From<store::AuditEvent> for AuditEvent {
    fn from(e: store::AuditEvent) -> AuditEvent {
        AuditEvent {
            id: e.id,
            at: e.at,
            actor: e.actor.into(),
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            site_id: e.site_id,
            details: e.details,
            ip: e.ip,
        }
    }
}
