//! Roles: of an account on its site, and of a staff user in the console.
//! Each parses from and prints as the lowercase word used in the API and CSV.

use serde::{Deserialize, Serialize};

/// Role of an account on its site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    /// An ordinary customer login.
    Customer,
    /// Sees and manages the other accounts of the same company.
    CustomerManager,
}

/// Role of a staff user in the management console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
