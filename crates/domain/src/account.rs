//! The account lifecycle as a pure function.
//!
//! An account's state is four independent facts — `stage` (how far
//! registration got, only ever forward), `lock`, `blocked`, `deleted` — plus
//! the counters and switches the sign-in gates read. [`AccountState::status`]
//! derives the one status shown everywhere. [`decide`] takes a state, an
//! event, the site's settings and the time, and answers the new state with the
//! side effects the use case must carry out (mail, session revocation, customer
//! creation), or a [`Refusal`] saying why the event is not allowed. The
//! staff's edits of the facts (the access switch and expiry, the e-mail's
//! validation, a temporary password) and the customer's own password change
//! are events too, so that no fact changes past this function; the app's
//! `lifecycle::apply` is the one place that carries the effects out.
//!
//! A temporary lock whose time has passed is treated as lifted (with its
//! counter reset) by every decision and by `status`: lock expiry needs no job
//! to take effect, and [`Event::ExpireLock`] only tidies stored rows.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::settings::{LockMode, SiteSettings};

/// How far registration got. Ordered: it only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Activation e-mail sent, link not yet followed.
    Unverified,
    /// E-mail verified, waiting for staff (approval, or customer assignment).
    Pending,
    /// May sign in (if nothing else stops it).
    Active,
}

/// A lock after too many failed attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lock {
    /// Lifted by itself at `until`.
    Temporary {
        /// When the lock ends.
        until: OffsetDateTime,
    },
    /// Lifted only by staff.
    Permanent,
}

/// Why an account was deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeleteReason {
    /// Deleted by staff.
    Deleted,
    /// A pending registration that staff disapproved.
    Disapproved,
}

impl DeleteReason {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DeleteReason::Deleted => "deleted",
            DeleteReason::Disapproved => "disapproved",
        }
    }
}

/// The derived status of an account: what the console lists and filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered, e-mail not verified.
    Unverified,
    /// Verified, waiting for staff.
    Pending,
    /// May sign in.
    Active,
    /// Locked after too many failed attempts.
    Locked,
    /// Blocked by staff.
    Blocked,
    /// Soft-deleted.
    Deleted,
}

crate::roles::word_enum!(Status, "status",
    Unverified => "unverified", Pending => "pending", Active => "active",
    Locked => "locked", Blocked => "blocked", Deleted => "deleted");

impl Status {
    /// Every status, in the order the console shows its tabs.
    pub const ALL: [Status; 6] = [
        Status::Unverified,
        Status::Pending,
        Status::Active,
        Status::Locked,
        Status::Blocked,
        Status::Deleted,
    ];
}

/// The facts of one account that the lifecycle and the sign-in gates read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    /// How far registration got.
    pub stage: Stage,
    /// The lock, if any (a passed temporary lock is not in force).
    pub lock: Option<Lock>,
    /// Failed attempts since the last success, unlock or reset.
    pub failed_attempts: u32,
    /// Blocked by staff.
    pub blocked: bool,
    /// Soft-deleted by staff, and why.
    pub deleted: Option<DeleteReason>,
    /// The customer proved the e-mail address is theirs.
    pub email_validated: bool,
    /// A customer record is assigned (approval needs one).
    pub has_customer: bool,
    /// The access switch; off means "user deactivated".
    pub access_granted: bool,
    /// Access ends at this time.
    pub access_expires_at: Option<OffsetDateTime>,
    /// After this time the password must be changed before anything else.
    pub password_expires_at: Option<OffsetDateTime>,
}

impl AccountState {
    /// A self-registered account: unverified, no customer yet.
    pub fn registered() -> AccountState {
        AccountState {
            stage: Stage::Unverified,
            lock: None,
            failed_attempts: 0,
            blocked: false,
            deleted: None,
            email_validated: false,
            has_customer: false,
            access_granted: true,
            access_expires_at: None,
            password_expires_at: None,
        }
    }

    /// An account created by staff, import or API for an existing customer:
    /// active, or unverified when staff ask the customer to verify.
    pub fn created_by_staff(require_verification: bool) -> AccountState {
        AccountState {
            stage: if require_verification {
                Stage::Unverified
            } else {
                Stage::Active
            },
            has_customer: true,
            ..AccountState::registered()
        }
    }

    /// An account brought in by an import in the status another system gave
    /// it (a customer record is always made with it). A locked account
    /// stays locked until staff unlock it, since the other system's lock
    /// time means nothing here; a deleted one counts as deleted by staff.
    pub fn imported(status: Status, email_validated: bool, failed_attempts: u32) -> AccountState {
        let base = AccountState {
            email_validated,
            failed_attempts,
            ..AccountState::created_by_staff(false)
        };
        match status {
            Status::Unverified => AccountState {
                stage: Stage::Unverified,
                ..base
            },
            Status::Pending => AccountState {
                stage: Stage::Pending,
                ..base
            },
            Status::Active => base,
            Status::Locked => AccountState {
                lock: Some(Lock::Permanent),
                ..base
            },
            Status::Blocked => AccountState {
                blocked: true,
                ..base
            },
            Status::Deleted => AccountState {
                deleted: Some(DeleteReason::Deleted),
                ..base
            },
        }
    }

    /// Whether a lock is in force at `now`.
    pub fn is_locked(&self, now: OffsetDateTime) -> bool {
        match self.lock {
            None => false,
            Some(Lock::Permanent) => true,
            Some(Lock::Temporary { until }) => until > now,
        }
    }

    /// The derived status: deleted, else blocked, else locked, else the stage.
    pub fn status(&self, now: OffsetDateTime) -> Status {
        self.status_given(self.is_locked(now))
    }

    /// The status once any temporary lock has run out. It changes only when
    /// the state is saved, so it can be stored and indexed; `status(now)` is
    /// `Locked` where this is a stage and a temporary lock runs past `now`,
    /// and this otherwise (the store's filters rely on exactly that).
    pub fn standing(&self) -> Status {
        self.status_given(matches!(self.lock, Some(Lock::Permanent)))
    }

    fn status_given(&self, locked: bool) -> Status {
        if self.deleted.is_some() {
            Status::Deleted
        } else if self.blocked {
            Status::Blocked
        } else if locked {
            Status::Locked
        } else {
            match self.stage {
                Stage::Unverified => Status::Unverified,
                Stage::Pending => Status::Pending,
                Stage::Active => Status::Active,
            }
        }
    }

    /// The same state with a passed temporary lock lifted and its counter reset.
    fn settled(&self, now: OffsetDateTime) -> AccountState {
        let mut s = self.clone();
        if let Some(Lock::Temporary { until }) = s.lock
            && until <= now
        {
            s.lock = None;
            s.failed_attempts = 0;
        }
        s
    }

    fn verified_stage(&mut self, settings: &SiteSettings) -> Vec<Effect> {
        let mut effects = Vec::new();
        if !self.has_customer && settings.create_customer_on_registration {
            self.has_customer = true;
            effects.push(Effect::CreateCustomer);
        }
        let waits = settings.approval_required || !self.has_customer;
        self.stage = self
            .stage
            .max(if waits { Stage::Pending } else { Stage::Active });
        effects
    }
}

/// Something that happens to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The customer followed the activation link.
    Verify,
    /// A new activation link was asked for (customer or staff).
    ResendActivation,
    /// Staff approve a pending registration.
    Approve,
    /// Staff delete (or disapprove) the account.
    Delete {
        /// Why.
        reason: DeleteReason,
    },
    /// Staff undo a delete.
    Undelete,
    /// A wrong password, a bad link or a repeated registration.
    FailedAttempt,
    /// A stored temporary lock whose time has passed is tidied away.
    ExpireLock,
    /// Staff lift a lock.
    Unlock,
    /// Staff block the account.
    Block,
    /// Staff unblock the account (which also lifts a lock).
    Unblock,
    /// The customer set a new password through a reset link.
    PasswordReset,
    /// A customer record was assigned by staff.
    AssignCustomer,
    /// The right password was given and every gate passed.
    SignedIn,
    /// The customer, signed in, changed their own password.
    PasswordChanged,
    /// Staff set a generated temporary password that expires at this time.
    TemporaryPassword {
        /// From then on the customer must choose a new password first.
        expires_at: OffsetDateTime,
    },
    /// Staff, or the customer's manager, turned the access switch.
    SetAccess {
        /// On or off.
        granted: bool,
    },
    /// Staff set or cleared the time access ends.
    SetAccessExpiry {
        /// The new end, if any.
        until: Option<OffsetDateTime>,
    },
    /// Staff marked the e-mail address as proven or not.
    SetEmailValidated {
        /// Proven or not.
        validated: bool,
    },
    /// The database counted the account's failed attempts to `count` in one
    /// atomic statement (concurrent failures each count once): the lock
    /// rule is applied to that count.
    FailuresCounted {
        /// The count the database answered.
        count: u32,
    },
}

impl Event {
    /// The word used in refusals, audit events and the bulk-action API.
    pub fn name(self) -> &'static str {
        match self {
            Event::Verify => "verify",
            Event::ResendActivation => "resend_activation",
            Event::Approve => "approve",
            Event::Delete {
                reason: DeleteReason::Deleted,
            } => "delete",
            Event::Delete {
                reason: DeleteReason::Disapproved,
            } => "disapprove",
            Event::Undelete => "undelete",
            Event::FailedAttempt => "failed_attempt",
            Event::ExpireLock => "expire_lock",
            Event::Unlock => "unlock",
            Event::Block => "block",
            Event::Unblock => "unblock",
            Event::PasswordReset => "password_reset",
            Event::AssignCustomer => "assign_customer",
            Event::SignedIn => "sign_in",
            Event::PasswordChanged => "change_password",
            Event::TemporaryPassword { .. } => "set_temporary_password",
            Event::SetAccess { .. } => "set_access",
            Event::SetAccessExpiry { .. } => "set_access_expiry",
            Event::SetEmailValidated { .. } => "set_email_validated",
            Event::FailuresCounted { .. } => "failed_attempt",
        }
    }
}

/// A side effect the use case carries out in the same transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Create a customer record from the registration and assign it.
    CreateCustomer,
    /// Void older activation links and mail a new one.
    SendActivation,
    /// Mail "your registration was approved".
    SendApproved,
    /// Mail "your account was locked".
    SendLocked,
    /// Mail "your password was changed".
    SendPasswordChanged,
    /// End every session of the account.
    RevokeSessions,
}

/// The new state after an allowed event, with what must happen alongside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The account after the event.
    pub state: AccountState,
    /// Side effects, in order.
    pub effects: Vec<Effect>,
}

/// Why an event was refused. Nothing changes on a refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The event is not allowed in the account's status.
    #[error("cannot {} an account that is {}", .event.replace('_', " "), .status)]
    NotAllowed {
        /// The event's name.
        event: &'static str,
        /// The status it met.
        status: Status,
    },
    /// Approval needs a customer record first.
    #[error("assign or create a customer for this account before approving it")]
    CustomerRequired,
    /// A permanent lock is lifted by staff only; a reset link cannot.
    #[error("the account is locked until staff unlock it")]
    PermanentlyLocked,
    /// The account already has a customer.
    #[error("the account already has a customer")]
    AlreadyAssigned,
}

impl Refusal {
    /// A stable machine-readable code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotAllowed { .. } => "not_allowed_in_status",
            Refusal::CustomerRequired => "customer_required",
            Refusal::PermanentlyLocked => "locked",
            Refusal::AlreadyAssigned => "already_assigned",
        }
    }
}

/// The lock that `failed_attempts` failures bring about under `settings`, if
/// any. The one place the lock rule lives: the store's atomic counter path
/// asks it with the count the database returned.
pub fn lock_after_failures(
    failed_attempts: u32,
    settings: &SiteSettings,
    now: OffsetDateTime,
) -> Option<Lock> {
    if failed_attempts < settings.max_failed_attempts {
        return None;
    }
    Some(match settings.lock_mode {
        LockMode::Permanent => Lock::Permanent,
        LockMode::Temporary => Lock::Temporary {
            until: now + Duration::seconds(i64::from(settings.lock_duration_seconds)),
        },
    })
}

/// Decides one event: the new state and its side effects, or why not.
pub fn decide(
    account: &AccountState,
    event: Event,
    settings: &SiteSettings,
    now: OffsetDateTime,
) -> Result<Decision, Refusal> {
    use Status::*;
    let mut s = account.settled(now);
    let status = s.status(now);
    let refuse = || Refusal::NotAllowed {
        event: event.name(),
        status,
    };
    let require = |allowed: &[Status]| {
        if allowed.contains(&status) {
            Ok(())
        } else {
            Err(refuse())
        }
    };
    let mut effects = Vec::new();
    match event {
        Event::Verify => {
            require(&[Unverified])?;
            s.email_validated = true;
            effects = s.verified_stage(settings);
        }
        Event::ResendActivation => {
            require(&[Unverified])?;
            effects.push(Effect::SendActivation);
        }
        Event::Approve => {
            require(&[Pending])?;
            if !s.has_customer {
                return Err(Refusal::CustomerRequired);
            }
            s.stage = Stage::Active;
            effects.push(Effect::SendApproved);
        }
        Event::Delete { reason } => {
            if status == Deleted {
                return Err(refuse());
            }
            if reason == DeleteReason::Disapproved {
                // Disapproving answers a registration; an account in use is deleted.
                require(&[Unverified, Pending])?;
            }
            s.deleted = Some(reason);
            effects.push(Effect::RevokeSessions);
        }
        Event::Undelete => {
            require(&[Deleted])?;
            s.deleted = None;
        }
        Event::FailedAttempt | Event::FailuresCounted { .. } => {
            require(&[Unverified, Pending, Active])?;
            s.failed_attempts = match event {
                // Never below what is known: the database's count includes
                // every failure counted before.
                Event::FailuresCounted { count } => count.max(s.failed_attempts),
                _ => s.failed_attempts.saturating_add(1),
            };
            if let Some(lock) = lock_after_failures(s.failed_attempts, settings, now) {
                s.lock = Some(lock);
                effects.push(Effect::SendLocked);
            }
        }
        Event::ExpireLock => {
            // `settled` already lifted it if its time had come.
            if status == Deleted {
                return Err(refuse());
            }
            match account.lock {
                Some(Lock::Temporary { until }) if until <= now => {}
                _ => return Err(refuse()),
            }
        }
        Event::Unlock => {
            require(&[Locked])?;
            s.lock = None;
            s.failed_attempts = 0;
        }
        Event::Block => {
            if matches!(status, Deleted | Blocked) {
                return Err(refuse());
            }
            s.blocked = true;
            effects.push(Effect::RevokeSessions);
        }
        Event::Unblock => {
            require(&[Blocked])?;
            s.blocked = false;
            s.lock = None;
            s.failed_attempts = 0;
        }
        Event::PasswordReset => {
            if status == Locked && s.lock == Some(Lock::Permanent) {
                return Err(Refusal::PermanentlyLocked);
            }
            require(&[Unverified, Pending, Active, Locked])?;
            s.lock = None;
            s.failed_attempts = 0;
            s.email_validated = true;
            s.password_expires_at = None;
            if s.stage == Stage::Unverified {
                effects = s.verified_stage(settings);
            }
            effects.extend([Effect::RevokeSessions, Effect::SendPasswordChanged]);
        }
        Event::AssignCustomer => {
            if status == Deleted {
                return Err(refuse());
            }
            if s.has_customer {
                return Err(Refusal::AlreadyAssigned);
            }
            s.has_customer = true;
        }
        Event::SignedIn => {
            require(&[Active])?;
            s.failed_attempts = 0;
            // A password the customer chose worked (not a temporary one
            // that must be changed first): the address is theirs.
            if s.password_expires_at.is_none_or(|t| t > now) {
                s.email_validated = true;
            }
        }
        Event::PasswordChanged => {
            require(&[Active])?;
            s.password_expires_at = None;
            s.email_validated = true;
            effects.extend([Effect::RevokeSessions, Effect::SendPasswordChanged]);
        }
        Event::TemporaryPassword { expires_at } => {
            if matches!(status, Deleted | Blocked) {
                return Err(refuse());
            }
            s.password_expires_at = Some(expires_at);
            effects.push(Effect::RevokeSessions);
        }
        Event::SetAccess { granted } => {
            if status == Deleted {
                return Err(refuse());
            }
            s.access_granted = granted;
            if !granted {
                effects.push(Effect::RevokeSessions);
            }
        }
        Event::SetAccessExpiry { until } => {
            if status == Deleted {
                return Err(refuse());
            }
            s.access_expires_at = until;
        }
        Event::SetEmailValidated { validated } => {
            if status == Deleted {
                return Err(refuse());
            }
            s.email_validated = validated;
        }
    }
    Ok(Decision { state: s, effects })
}

/// What a sign-in with the right password leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInOutcome {
    /// Signed in.
    SignedIn,
    /// Signed in, but the password must be changed before anything else.
    MustChangePassword,
}

/// Why a sign-in with the right password is refused. Only given after the
/// password was proven right; a deleted account answers like an unknown one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum SignInRefusal {
    /// Unknown login ID, wrong password, or a deleted account.
    #[error("the login ID or password is not right")]
    InvalidCredentials,
    /// The activation link was not followed yet.
    #[error(
        "the e-mail address has not been confirmed yet; follow the link in the activation e-mail"
    )]
    Unverified,
    /// Waiting for staff.
    #[error("the registration is waiting for approval")]
    Pending,
    /// Too many failed attempts.
    #[error("the account is locked after too many failed attempts")]
    Locked,
    /// Blocked by staff.
    #[error("the account is blocked; contact support")]
    Blocked,
    /// Access switched off or expired.
    #[error("the account is deactivated; contact support")]
    Deactivated,
}

impl SignInRefusal {
    /// The API error code of the stable surface.
    pub fn code(self) -> &'static str {
        match self {
            SignInRefusal::InvalidCredentials => "invalid_credentials",
            SignInRefusal::Unverified => "unverified",
            SignInRefusal::Pending => "pending",
            SignInRefusal::Locked => "locked",
            SignInRefusal::Blocked => "blocked",
            SignInRefusal::Deactivated => "deactivated",
        }
    }
}

/// The gates checked at every sign-in once the password is proven right.
pub fn sign_in_gate(
    account: &AccountState,
    now: OffsetDateTime,
) -> Result<SignInOutcome, SignInRefusal> {
    match account.status(now) {
        Status::Deleted => return Err(SignInRefusal::InvalidCredentials),
        Status::Blocked => return Err(SignInRefusal::Blocked),
        Status::Locked => return Err(SignInRefusal::Locked),
        Status::Unverified => return Err(SignInRefusal::Unverified),
        Status::Pending => return Err(SignInRefusal::Pending),
        Status::Active => {}
    }
    let expired = |at: Option<OffsetDateTime>| at.is_some_and(|t| t <= now);
    if !account.access_granted || expired(account.access_expires_at) {
        return Err(SignInRefusal::Deactivated);
    }
    if expired(account.password_expires_at) {
        return Ok(SignInOutcome::MustChangePassword);
    }
    Ok(SignInOutcome::SignedIn)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_imported_account_has_the_status_it_was_given() {
        let now = time::macros::datetime!(2026-12-04 12:00 UTC);
        for status in Status::ALL {
            let state = AccountState::imported(status, true, 2);
            assert_eq!(state.status(now), status, "{status:?}");
            assert_eq!(state.standing(), status, "{status:?}");
            assert!(state.has_customer && state.email_validated);
            assert_eq!(state.failed_attempts, 2);
        }
    }
}
