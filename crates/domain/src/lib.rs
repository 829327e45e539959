//! Gatehouse's domain: the account lifecycle, the site settings that steer it and
//! the parsed input policies (login IDs, e-mail addresses, passwords, site keys).
//!
//! Invariants owned here:
//! - An account's status is derived from independent facts (stage, lock, blocked,
//!   deleted), never stored on its own ([`account::AccountState::status`]).
//! - Every lifecycle change goes through [`account::decide`], a pure function of
//!   (state, event, settings, now); no I/O, and the clock is always passed in.
//! - A value of a parsed newtype ([`policy::Email`], [`policy::LoginId`], …) is
//!   valid by construction: there is no other way to build one.

pub mod account;
pub mod companies;
pub mod countries;
pub mod oidc;
pub mod policy;
pub mod roles;
pub mod settings;
pub mod team;
pub mod two_step;
pub mod words;

pub use account::{
    AccountState, Decision, DeleteReason, Effect, Event, Lock, Refusal, SignInOutcome,
    SignInRefusal, Stage, Status, decide, lock_after_failures, sign_in_gate,
};
pub use companies::{company_key, company_name};
pub use policy::LoginIdMode;
pub use policy::{Email, LoginId, NewPassword, PolicyError, SiteKey};
pub use roles::{AccountRole, Permission, Scope, StaffRole};
pub use settings::{
    InstallationSettings, Language, LockMode, ProfileField, SettingsError, SiteSettings,
};
pub use two_step::{SecondStep, TwoStepRule, second_step};
pub use words::{FieldError, Words};
