//! Roles: of an account on its site, and of a staff user in the console.
//! Each parses from and prints as the lowercase word used in the API and CSV.

use serde::{Deserialize, Serialize};

/// Role of an account on its site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    /// An ordinary customer login.
    Customer,
    /// Sees and manages the other accounts of the same company.
    CustomerManager,
}

/// Role of a staff user in the management console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Everything, including settings, staff, templates and API tokens.
    Admin,
    /// Customers, registrations and account actions.
    Support,
}

macro_rules! word_enum {
    ($ty:ident, $what:literal, $($variant:ident => $word:literal),+) => {
        impl $ty {
            /// The word used in the API, the CLI and CSV files.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $word),+ }
            }

            /// Parses the word printed by [`Self::as_str`].
            pub fn parse(raw: &str) -> Result<Self, String> {
                match raw.trim() {
                    $($word => Ok($ty::$variant),)+
                    other => Err(format!(
                        concat!("'{}' is not a ", $what, "; use one of: {}"),
                        other,
                        [$($word),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

word_enum!(AccountRole, "account role", Customer => "customer", CustomerManager => "customer_manager");
word_enum!(StaffRole, "staff role", Admin => "admin", Support => "support");

/// What a staff user may do: the one permission table, enforced on the
/// server for every console page and staff API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read customers, accounts and registrations.
    ViewCustomers,
    /// Act on accounts and registrations (approve, block, …).
    ManageAccounts,
    /// Read the outbox: what mail went out, what failed.
    ViewOutbox,
    /// Send a failed message again.
    RetryMail,
    /// Read the audit trail.
    ViewAudit,
    /// Edit e-mail templates.
    ManageTemplates,
    /// Edit sites and their settings.
    ManageSettings,
    /// Add, change and remove staff users.
    ManageStaff,
    /// Create and revoke API tokens.
    ManageTokens,
    /// Open the portal as a customer.
    Impersonate,
    /// Import customers and accounts from a file (password hashes
    /// included).
    ImportCustomers,
    /// Erase a customer's personal data for good.
    ErasePersonalData,
}

/// The scope an API token needs for a permission.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Reading.
    Read,
    /// Changing customer data and accounts.
    Write,
    /// Administration: templates, settings, staff, tokens.
    Admin,
}

impl Scope {
    /// The word stored on tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

impl Permission {
    /// The scope an API token must carry to use this permission.
    pub fn scope(self) -> Scope {
        use Permission::*;
        match self {
            ViewCustomers | ViewOutbox | ViewAudit => Scope::Read,
            // Impersonation acts on one account, like the account actions;
            // who may do it is the role's (and the installation's) affair.
            ManageAccounts | RetryMail | Impersonate => Scope::Write,
            ManageTemplates | ManageSettings | ManageStaff | ManageTokens | ImportCustomers
            | ErasePersonalData => Scope::Admin,
        }
    }
}

impl StaffRole {
    /// Whether the role has the permission. Admins have all; support has the
    /// day-to-day work on customers and registrations, and may see (and
    /// resend) their mail.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            StaffRole::Admin => true,
            StaffRole::Support => matches!(
                permission,
                ViewCustomers | ManageAccounts | ViewOutbox | RetryMail | ViewAudit
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_does_the_daily_work_and_admins_everything() {
        use Permission::*;
        let all = [
            ViewCustomers,
            ManageAccounts,
            ViewOutbox,
            RetryMail,
            ViewAudit,
            ManageTemplates,
            ManageSettings,
            ManageStaff,
            ManageTokens,
            ImportCustomers,
            ErasePersonalData,
        ];
        for p in all {
            assert!(StaffRole::Admin.allows(p), "{p:?}");
        }
        for p in [
            ManageTemplates,
            ManageSettings,
            ManageStaff,
            ManageTokens,
            ImportCustomers,
            ErasePersonalData,
        ] {
            assert!(!StaffRole::Support.allows(p), "{p:?}");
            assert_eq!(p.scope(), Scope::Admin);
        }
        assert!(
            !StaffRole::Support.allows(Impersonate),
            "unless the installation grants it"
        );
        assert!(StaffRole::Admin.allows(Impersonate));
        assert!(StaffRole::Support.allows(ManageAccounts));
        assert_eq!(ViewOutbox.scope(), Scope::Read);
        assert_eq!(RetryMail.scope(), Scope::Write);
    }

    #[test]
    fn roles_round_trip_and_refuse_unknown_words() {
        for role in [StaffRole::Admin, StaffRole::Support] {
            assert_eq!(StaffRole::parse(role.as_str()), Ok(role));
        }
        assert_eq!(
            AccountRole::parse("customer_manager"),
            Ok(AccountRole::CustomerManager)
        );
        let err = StaffRole::parse("root").unwrap_err();
        assert!(err.contains("'root' is not a staff role"), "{err}");
        assert!(err.contains("admin, support"), "{err}");
    }
}
