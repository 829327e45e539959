//! Two-step sign-in for customers: whether a site offers a second step,
//! whom it requires of, and what a sign-in with the right password asks
//! next. One pure function decides ([`second_step`]); the tests walk every
//! row of its table.
//!
//! Invariant owned here: a second step a customer turned on is always
//! asked for, whatever the site's rule says now. A site that stops
//! offering it never weakens an account silently; the customer may still
//! turn it off themselves.

use serde::{Deserialize, Serialize};

use crate::AccountRole;

/// The site setting `two_step`: who is offered or required a second step
/// (the authenticator app's code) after the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TwoStepRule {
    /// Not offered (customers who turned it on earlier keep it).
    Off,
    /// Offered on the profile; nobody must.
    #[default]
    Offered,
    /// Customer managers (who see their colleagues' accounts) must set it
    /// up; others may.
    Managers,
    /// Every customer must set it up.
    Everyone,
}

impl TwoStepRule {
    /// The setting's value.
    pub fn as_str(self) -> &'static str {
        match self {
            TwoStepRule::Off => "off",
            TwoStepRule::Offered => "offered",
            TwoStepRule::Managers => "managers",
            TwoStepRule::Everyone => "everyone",
        }
    }

    /// Whether an account of this role must have a second step.
    pub fn requires(self, role: AccountRole) -> bool {
        match self {
            TwoStepRule::Off | TwoStepRule::Offered => false,
            TwoStepRule::Managers => role == AccountRole::CustomerManager,
            TwoStepRule::Everyone => true,
        }
    }

    /// Whether the profile offers turning it on to an account of this role.
    pub fn offered(self) -> bool {
        self != TwoStepRule::Off
    }
}

/// What a sign-in asks after the right password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondStep {
    /// Nothing: the session starts.
    None,
    /// The authenticator app's code (or a recovery code).
    Code,
    /// The site requires a second step and the account has none: it is set
    /// up now, before the session starts.
    SetUp,
}

/// What a sign-in with the right password asks next, for an account of
/// `role` that has (or has not) a second step turned on, under the site's
/// rule.
pub fn second_step(rule: TwoStepRule, role: AccountRole, turned_on: bool) -> SecondStep {
    if turned_on {
        SecondStep::Code
    } else if rule.requires(role) {
        SecondStep::SetUp
    } else {
        SecondStep::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_table() {
        use AccountRole::*;
        use SecondStep as S;
        use TwoStepRule::*;
        // (rule, role, turned on) → asked
        let rows = [
            (Off, Customer, false, S::None),
            (Off, Customer, true, S::Code),
            (Off, CustomerManager, false, S::None),
            (Off, CustomerManager, true, S::Code),
            (Offered, Customer, false, S::None),
            (Offered, Customer, true, S::Code),
            (Offered, CustomerManager, false, S::None),
            (Offered, CustomerManager, true, S::Code),
            (Managers, Customer, false, S::None),
            (Managers, Customer, true, S::Code),
            (Managers, CustomerManager, false, S::SetUp),
            (Managers, CustomerManager, true, S::Code),
            (Everyone, Customer, false, S::SetUp),
            (Everyone, Customer, true, S::Code),
            (Everyone, CustomerManager, false, S::SetUp),
            (Everyone, CustomerManager, true, S::Code),
        ];
        for (rule, role, on, asked) in rows {
            assert_eq!(second_step(rule, role, on), asked, "{rule:?} {role:?} {on}");
        }
    }

    #[test]
    fn the_setting_reads_and_writes_its_words() {
        for rule in [
            TwoStepRule::Off,
            TwoStepRule::Offered,
            TwoStepRule::Managers,
            TwoStepRule::Everyone,
        ] {
            let json = serde_json::to_value(rule).unwrap();
            assert_eq!(json, serde_json::json!(rule.as_str()));
            assert_eq!(serde_json::from_value::<TwoStepRule>(json).unwrap(), rule);
        }
        assert!(!TwoStepRule::Off.offered());
        assert!(TwoStepRule::Managers.offered());
    }
}
