//! One test per row of the lifecycle's transition table and per sign-in gate,
//! and property tests of the lifecycle's invariants.

use gatehouse_domain::{
    AccountState, DeleteReason, Effect, Event, Lock, LockMode, Refusal, SignInOutcome,
    SignInRefusal, SiteSettings, Stage, Status, decide, sign_in_gate,
};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime, macros::datetime};

const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

fn settings() -> SiteSettings {
    SiteSettings::default()
}

fn with_stage(stage: Stage) -> AccountState {
    AccountState {
        stage,
        has_customer: stage != Stage::Unverified,
        email_validated: stage != Stage::Unverified,
        ..AccountState::registered()
    }
}

fn locked(stage: Stage, lock: Lock) -> AccountState {
    AccountState {
        lock: Some(lock),
        failed_attempts: 5,
        ..with_stage(stage)
    }
}

fn temp_lock() -> Lock {
    Lock::Temporary {
        until: NOW + Duration::minutes(10),
    }
}

fn blocked() -> AccountState {
    AccountState {
        blocked: true,
        ..with_stage(Stage::Active)
    }
}

fn deleted(base: AccountState) -> AccountState {
    AccountState {
        deleted: Some(DeleteReason::Deleted),
        ..base
    }
}

/// One account of every status.
fn one_of_each() -> Vec<AccountState> {
    vec![
        with_stage(Stage::Unverified),
        with_stage(Stage::Pending),
        with_stage(Stage::Active),
        locked(Stage::Active, temp_lock()),
        blocked(),
        deleted(with_stage(Stage::Active)),
    ]
}

/// Asserts the event is refused for exactly the statuses not in `allowed`.
fn assert_allowed_only_in(event: Event, allowed: &[Status]) {
    for account in one_of_each() {
        let status = account.status(NOW);
        let result = decide(&account, event, &settings(), NOW);
        if allowed.contains(&status) {
            assert!(
                result.is_ok(),
                "{} should be allowed when {status}: {result:?}",
                event.name()
            );
        } else {
            assert_eq!(
                result,
                Err(Refusal::NotAllowed {
                    event: event.name(),
                    status
                }),
                "{} should be refused when {status}",
                event.name()
            );
        }
    }
}

// ---- the status is derived from the facts --------------------------------

#[test]
fn status_precedence_is_deleted_blocked_locked_then_stage() {
    let all_facts = AccountState {
        deleted: Some(DeleteReason::Deleted),
        blocked: true,
        lock: Some(Lock::Permanent),
        ..with_stage(Stage::Active)
    };
    assert_eq!(all_facts.status(NOW), Status::Deleted);
    let not_deleted = AccountState {
        deleted: None,
        ..all_facts.clone()
    };
    assert_eq!(not_deleted.status(NOW), Status::Blocked);
    let not_blocked = AccountState {
        blocked: false,
        ..not_deleted
    };
    assert_eq!(not_blocked.status(NOW), Status::Locked);
    let not_locked = AccountState {
        lock: None,
        ..not_blocked
    };
    assert_eq!(not_locked.status(NOW), Status::Active);
    assert_eq!(
        with_stage(Stage::Unverified).status(NOW),
        Status::Unverified
    );
    assert_eq!(with_stage(Stage::Pending).status(NOW), Status::Pending);
}

#[test]
fn a_temporary_lock_is_in_force_only_until_its_time() {
    let a = locked(Stage::Active, temp_lock());
    assert_eq!(a.status(NOW), Status::Locked);
    assert_eq!(a.status(NOW + Duration::minutes(10)), Status::Active);
}

// ---- register / create ----------------------------------------------------

#[test]
fn register_makes_an_unverified_account_without_customer() {
    let a = AccountState::registered();
    assert_eq!(a.status(NOW), Status::Unverified);
    assert!(!a.has_customer && !a.email_validated && a.access_granted);
}

#[test]
fn create_by_staff_is_active_or_unverified_when_verification_is_asked() {
    let a = AccountState::created_by_staff(false);
    assert_eq!(a.status(NOW), Status::Active);
    assert!(a.has_customer);
    assert_eq!(
        AccountState::created_by_staff(true).status(NOW),
        Status::Unverified
    );
}

// ---- verify ---------------------------------------------------------------

#[test]
fn verify_moves_to_active_and_creates_the_customer_by_default() {
    let d = decide(&AccountState::registered(), Event::Verify, &settings(), NOW).unwrap();
    assert_eq!(d.state.status(NOW), Status::Active);
    assert!(d.state.email_validated && d.state.has_customer);
    assert_eq!(d.effects, vec![Effect::CreateCustomer]);
}

#[test]
fn verify_moves_to_pending_when_approval_is_required() {
    let s = SiteSettings {
        approval_required: true,
        ..settings()
    };
    let d = decide(&AccountState::registered(), Event::Verify, &s, NOW).unwrap();
    assert_eq!(d.state.status(NOW), Status::Pending);
    assert!(d.state.has_customer);
}

#[test]
fn verify_waits_for_assignment_when_customers_are_not_created() {
    let s = SiteSettings {
        create_customer_on_registration: false,
        ..settings()
    };
    let d = decide(&AccountState::registered(), Event::Verify, &s, NOW).unwrap();
    assert_eq!(d.state.status(NOW), Status::Pending);
    assert!(!d.state.has_customer);
    assert!(d.effects.is_empty());
}

#[test]
fn verify_is_allowed_only_when_unverified() {
    assert_allowed_only_in(Event::Verify, &[Status::Unverified]);
}

// ---- resend activation ----------------------------------------------------

#[test]
fn resend_activation_sends_a_new_link_when_unverified_only() {
    let d = decide(
        &AccountState::registered(),
        Event::ResendActivation,
        &settings(),
        NOW,
    )
    .unwrap();
    assert_eq!(d.effects, vec![Effect::SendActivation]);
    assert_eq!(d.state, AccountState::registered());
    assert_allowed_only_in(Event::ResendActivation, &[Status::Unverified]);
}

// ---- approve --------------------------------------------------------------

#[test]
fn approve_activates_a_pending_account_with_a_customer() {
    let d = decide(
        &with_stage(Stage::Pending),
        Event::Approve,
        &settings(),
        NOW,
    )
    .unwrap();
    assert_eq!(d.state.status(NOW), Status::Active);
    assert_eq!(d.effects, vec![Effect::SendApproved]);
    assert_allowed_only_in(Event::Approve, &[Status::Pending]);
}

#[test]
fn approve_needs_a_customer_first() {
    let a = AccountState {
        has_customer: false,
        ..with_stage(Stage::Pending)
    };
    assert_eq!(
        decide(&a, Event::Approve, &settings(), NOW),
        Err(Refusal::CustomerRequired)
    );
    let assigned = decide(&a, Event::AssignCustomer, &settings(), NOW)
        .unwrap()
        .state;
    assert!(decide(&assigned, Event::Approve, &settings(), NOW).is_ok());
}

// ---- delete / disapprove / undelete ----------------------------------------

#[test]
fn delete_is_allowed_in_any_status_but_deleted_and_revokes_sessions() {
    let event = Event::Delete {
        reason: DeleteReason::Deleted,
    };
    assert_allowed_only_in(
        event,
        &[
            Status::Unverified,
            Status::Pending,
            Status::Active,
            Status::Locked,
            Status::Blocked,
        ],
    );
    let d = decide(&with_stage(Stage::Active), event, &settings(), NOW).unwrap();
    assert_eq!(d.state.status(NOW), Status::Deleted);
    assert_eq!(d.effects, vec![Effect::RevokeSessions]);
}

#[test]
fn disapprove_is_a_delete_of_a_registration() {
    let event = Event::Delete {
        reason: DeleteReason::Disapproved,
    };
    let d = decide(&with_stage(Stage::Pending), event, &settings(), NOW).unwrap();
    assert_eq!(d.state.deleted, Some(DeleteReason::Disapproved));
    assert_allowed_only_in(event, &[Status::Unverified, Status::Pending]);
}

#[test]
fn undelete_restores_exactly_what_was_there() {
    let before = locked(Stage::Pending, temp_lock());
    let gone = decide(
        &before,
        Event::Delete {
            reason: DeleteReason::Deleted,
        },
        &settings(),
        NOW,
    )
    .unwrap()
    .state;
    let back = decide(&gone, Event::Undelete, &settings(), NOW)
        .unwrap()
        .state;
    assert_eq!(back, before);
    let b = decide(&deleted(blocked()), Event::Undelete, &settings(), NOW).unwrap();
    assert_eq!(
        b.state.status(NOW),
        Status::Blocked,
        "undelete a blocked account: blocked again"
    );
    assert_allowed_only_in(Event::Undelete, &[Status::Deleted]);
}

// ---- failed attempts and locks ---------------------------------------------

#[test]
fn failed_attempts_count_and_lock_at_the_maximum() {
    let s = SiteSettings {
        max_failed_attempts: 3,
        ..settings()
    };
    let mut a = with_stage(Stage::Active);
    for n in 1..=2 {
        let d = decide(&a, Event::FailedAttempt, &s, NOW).unwrap();
        assert_eq!(d.state.failed_attempts, n);
        assert!(d.effects.is_empty());
        a = d.state;
    }
    let d = decide(&a, Event::FailedAttempt, &s, NOW).unwrap();
    assert_eq!(d.state.status(NOW), Status::Locked);
    assert_eq!(
        d.state.lock,
        Some(Lock::Temporary {
            until: NOW + Duration::seconds(900)
        })
    );
    assert_eq!(d.effects, vec![Effect::SendLocked]);
    assert_allowed_only_in(
        Event::FailedAttempt,
        &[Status::Unverified, Status::Pending, Status::Active],
    );
}

#[test]
fn a_permanent_lock_mode_locks_until_staff_act() {
    let s = SiteSettings {
        max_failed_attempts: 1,
        lock_mode: LockMode::Permanent,
        ..settings()
    };
    let d = decide(&with_stage(Stage::Active), Event::FailedAttempt, &s, NOW).unwrap();
    assert_eq!(d.state.lock, Some(Lock::Permanent));
    assert_eq!(d.state.status(NOW + Duration::days(3650)), Status::Locked);
}

#[test]
fn lock_expiry_lifts_the_lock_and_resets_the_counter() {
    let a = locked(Stage::Active, temp_lock());
    let later = NOW + Duration::minutes(11);
    let d = decide(&a, Event::ExpireLock, &settings(), later).unwrap();
    assert_eq!((d.state.lock, d.state.failed_attempts), (None, 0));
    assert!(
        decide(&a, Event::ExpireLock, &settings(), NOW).is_err(),
        "not yet"
    );
    assert!(
        decide(
            &locked(Stage::Active, Lock::Permanent),
            Event::ExpireLock,
            &settings(),
            later
        )
        .is_err()
    );
    // A failure after expiry starts counting afresh.
    let f = decide(&a, Event::FailedAttempt, &settings(), later).unwrap();
    assert_eq!(f.state.failed_attempts, 1);
}

#[test]
fn unlock_lifts_the_lock_and_resets_the_counter_keeping_the_stage() {
    let a = locked(Stage::Unverified, Lock::Permanent);
    let d = decide(&a, Event::Unlock, &settings(), NOW).unwrap();
    assert_eq!(
        d.state.status(NOW),
        Status::Unverified,
        "still needs its activation"
    );
    assert_eq!(d.state.failed_attempts, 0);
    assert_allowed_only_in(Event::Unlock, &[Status::Locked]);
}

// ---- block / unblock -------------------------------------------------------

#[test]
fn block_is_allowed_unless_deleted_or_blocked_and_revokes_sessions() {
    assert_allowed_only_in(
        Event::Block,
        &[
            Status::Unverified,
            Status::Pending,
            Status::Active,
            Status::Locked,
        ],
    );
    let d = decide(
        &locked(Stage::Active, temp_lock()),
        Event::Block,
        &settings(),
        NOW,
    )
    .unwrap();
    assert_eq!(d.state.status(NOW), Status::Blocked);
    assert_eq!(d.effects, vec![Effect::RevokeSessions]);
}

#[test]
fn unblock_lifts_the_block_and_any_lock() {
    let a = AccountState {
        blocked: true,
        ..locked(Stage::Active, Lock::Permanent)
    };
    let d = decide(&a, Event::Unblock, &settings(), NOW).unwrap();
    assert_eq!(d.state.status(NOW), Status::Active);
    assert_eq!(d.state.failed_attempts, 0);
    assert_allowed_only_in(Event::Unblock, &[Status::Blocked]);
}

// ---- password reset by link ------------------------------------------------

#[test]
fn password_reset_lifts_a_temporary_lock_and_validates_the_email() {
    let d = decide(
        &locked(Stage::Active, temp_lock()),
        Event::PasswordReset,
        &settings(),
        NOW,
    )
    .unwrap();
    assert_eq!(d.state.status(NOW), Status::Active);
    assert_eq!(d.state.failed_attempts, 0);
    assert_eq!(
        d.effects,
        vec![Effect::RevokeSessions, Effect::SendPasswordChanged]
    );
}

#[test]
fn password_reset_moves_an_unverified_account_on_as_verify_would() {
    let d = decide(
        &AccountState::registered(),
        Event::PasswordReset,
        &settings(),
        NOW,
    )
    .unwrap();
    assert_eq!(d.state.status(NOW), Status::Active);
    assert!(d.state.email_validated);
    assert_eq!(
        d.effects,
        vec![
            Effect::CreateCustomer,
            Effect::RevokeSessions,
            Effect::SendPasswordChanged
        ]
    );
}

#[test]
fn password_reset_never_lifts_a_block_or_a_permanent_lock() {
    assert_allowed_only_in(
        Event::PasswordReset,
        &[
            Status::Unverified,
            Status::Pending,
            Status::Active,
            Status::Locked,
        ],
    );
    assert_eq!(
        decide(
            &locked(Stage::Active, Lock::Permanent),
            Event::PasswordReset,
            &settings(),
            NOW
        ),
        Err(Refusal::PermanentlyLocked)
    );
}

// ---- sign-in ----------------------------------------------------------------

#[test]
fn a_successful_sign_in_resets_the_counter() {
    let a = AccountState {
        failed_attempts: 3,
        ..with_stage(Stage::Active)
    };
    assert_eq!(
        decide(&a, Event::SignedIn, &settings(), NOW)
            .unwrap()
            .state
            .failed_attempts,
        0
    );
    assert_allowed_only_in(Event::SignedIn, &[Status::Active]);
}

#[test]
fn gates_name_the_reason_for_each_status() {
    let cases = [
        (
            with_stage(Stage::Unverified),
            Err(SignInRefusal::Unverified),
        ),
        (with_stage(Stage::Pending), Err(SignInRefusal::Pending)),
        (
            locked(Stage::Active, temp_lock()),
            Err(SignInRefusal::Locked),
        ),
        (blocked(), Err(SignInRefusal::Blocked)),
        (
            deleted(with_stage(Stage::Active)),
            Err(SignInRefusal::InvalidCredentials),
        ),
        (with_stage(Stage::Active), Ok(SignInOutcome::SignedIn)),
    ];
    for (account, expected) in cases {
        assert_eq!(sign_in_gate(&account, NOW), expected, "{account:?}");
    }
}

#[test]
fn gate_access_switch_and_expiry_deactivate() {
    let off = AccountState {
        access_granted: false,
        ..with_stage(Stage::Active)
    };
    assert_eq!(sign_in_gate(&off, NOW), Err(SignInRefusal::Deactivated));
    let expired = AccountState {
        access_expires_at: Some(NOW),
        ..with_stage(Stage::Active)
    };
    assert_eq!(sign_in_gate(&expired, NOW), Err(SignInRefusal::Deactivated));
    let later = AccountState {
        access_expires_at: Some(NOW + Duration::days(1)),
        ..with_stage(Stage::Active)
    };
    assert_eq!(sign_in_gate(&later, NOW), Ok(SignInOutcome::SignedIn));
}

#[test]
fn gate_an_expired_password_forces_a_change() {
    let a = AccountState {
        password_expires_at: Some(NOW - Duration::seconds(1)),
        ..with_stage(Stage::Active)
    };
    assert_eq!(sign_in_gate(&a, NOW), Ok(SignInOutcome::MustChangePassword));
    let b = AccountState {
        password_expires_at: Some(NOW + Duration::seconds(1)),
        ..with_stage(Stage::Active)
    };
    assert_eq!(sign_in_gate(&b, NOW), Ok(SignInOutcome::SignedIn));
}

#[test]
fn refusals_read_as_sentences() {
    let err = decide(&blocked(), Event::Approve, &settings(), NOW).unwrap_err();
    assert_eq!(err.to_string(), "cannot approve an account that is blocked");
    assert_eq!(err.code(), "not_allowed_in_status");
    assert_eq!(SignInRefusal::Deactivated.code(), "deactivated");
}

// ---- password change, temporary password, staff edits ----------------------

#[test]
fn a_first_sign_in_with_a_chosen_password_validates_the_address_and_a_temporary_one_does_not() {
    let fresh = AccountState {
        email_validated: false,
        ..with_stage(Stage::Active)
    };
    let d = decide(&fresh, Event::SignedIn, &settings(), NOW).unwrap();
    assert!(d.state.email_validated);
    let temporary = AccountState {
        password_expires_at: Some(NOW),
        ..fresh
    };
    let d = decide(&temporary, Event::SignedIn, &settings(), NOW).unwrap();
    assert!(
        !d.state.email_validated,
        "a temporary password proves nothing"
    );
}

#[test]
fn changing_the_password_ends_sessions_mails_and_clears_its_expiry() {
    let a = AccountState {
        password_expires_at: Some(NOW),
        ..with_stage(Stage::Active)
    };
    let d = decide(&a, Event::PasswordChanged, &settings(), NOW).unwrap();
    assert_eq!(d.state.password_expires_at, None);
    assert!(d.state.email_validated);
    assert_eq!(
        d.effects,
        [Effect::RevokeSessions, Effect::SendPasswordChanged]
    );
    assert_allowed_only_in(Event::PasswordChanged, &[Status::Active]);
}

#[test]
fn a_reset_clears_a_password_expiry() {
    let a = AccountState {
        password_expires_at: Some(NOW),
        ..with_stage(Stage::Active)
    };
    let d = decide(&a, Event::PasswordReset, &settings(), NOW).unwrap();
    assert_eq!(d.state.password_expires_at, None);
}

#[test]
fn a_temporary_password_ends_sessions_and_is_refused_when_blocked_or_deleted() {
    let event = Event::TemporaryPassword {
        expires_at: NOW + Duration::hours(1),
    };
    let d = decide(&with_stage(Stage::Active), event, &settings(), NOW).unwrap();
    assert_eq!(d.state.password_expires_at, Some(NOW + Duration::hours(1)));
    assert_eq!(d.effects, [Effect::RevokeSessions]);
    assert_allowed_only_in(
        event,
        &[
            Status::Unverified,
            Status::Pending,
            Status::Active,
            Status::Locked,
        ],
    );
}

#[test]
fn access_off_ends_sessions_and_on_does_not() {
    let off = decide(
        &with_stage(Stage::Active),
        Event::SetAccess { granted: false },
        &settings(),
        NOW,
    )
    .unwrap();
    assert!(!off.state.access_granted);
    assert_eq!(off.effects, [Effect::RevokeSessions]);
    let on = decide(
        &off.state,
        Event::SetAccess { granted: true },
        &settings(),
        NOW,
    )
    .unwrap();
    assert!(on.state.access_granted && on.effects.is_empty());
}

#[test]
fn staff_edits_of_the_facts_are_refused_only_on_a_deleted_account() {
    let not_deleted = [
        Status::Unverified,
        Status::Pending,
        Status::Active,
        Status::Locked,
        Status::Blocked,
    ];
    for event in [
        Event::SetAccess { granted: true },
        Event::SetAccess { granted: false },
        Event::SetAccessExpiry {
            until: Some(NOW + Duration::days(3)),
        },
        Event::SetAccessExpiry { until: None },
        Event::SetEmailValidated { validated: true },
        Event::SetEmailValidated { validated: false },
    ] {
        assert_allowed_only_in(event, &not_deleted);
    }
    let d = decide(
        &with_stage(Stage::Active),
        Event::SetAccessExpiry {
            until: Some(NOW + Duration::days(3)),
        },
        &settings(),
        NOW,
    )
    .unwrap();
    assert_eq!(d.state.access_expires_at, Some(NOW + Duration::days(3)));
    assert!(d.effects.is_empty());
    let d = decide(
        &with_stage(Stage::Active),
        Event::SetEmailValidated { validated: false },
        &settings(),
        NOW,
    )
    .unwrap();
    assert!(!d.state.email_validated && d.effects.is_empty());
}

#[test]
fn a_count_from_the_database_locks_at_the_maximum_and_never_lowers_the_counter() {
    let s = settings();
    let a = with_stage(Stage::Active);
    let d = decide(&a, Event::FailuresCounted { count: 4 }, &s, NOW).unwrap();
    assert_eq!((d.state.failed_attempts, d.state.lock), (4, None));
    assert!(d.effects.is_empty());
    let d = decide(&d.state, Event::FailuresCounted { count: 5 }, &s, NOW).unwrap();
    assert!(d.state.lock.is_some());
    assert_eq!(d.effects, [Effect::SendLocked]);
    let three = AccountState {
        failed_attempts: 3,
        ..with_stage(Stage::Active)
    };
    let d = decide(&three, Event::FailuresCounted { count: 1 }, &s, NOW).unwrap();
    assert_eq!(d.state.failed_attempts, 3);
    assert_allowed_only_in(
        Event::FailuresCounted { count: 1 },
        &[Status::Unverified, Status::Pending, Status::Active],
    );
}

// ---- invariants -------------------------------------------------------------

fn any_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Verify),
        Just(Event::ResendActivation),
        Just(Event::Approve),
        Just(Event::Delete {
            reason: DeleteReason::Deleted
        }),
        Just(Event::Delete {
            reason: DeleteReason::Disapproved
        }),
        Just(Event::Undelete),
        Just(Event::FailedAttempt),
        Just(Event::ExpireLock),
        Just(Event::Unlock),
        Just(Event::Block),
        Just(Event::Unblock),
        Just(Event::PasswordReset),
        Just(Event::AssignCustomer),
        Just(Event::SignedIn),
        Just(Event::PasswordChanged),
        (-60i64..60).prop_map(|s| Event::TemporaryPassword {
            expires_at: NOW + Duration::seconds(s)
        }),
        any::<bool>().prop_map(|granted| Event::SetAccess { granted }),
        prop::option::of(-60i64..60).prop_map(|s| Event::SetAccessExpiry {
            until: s.map(|s| NOW + Duration::seconds(s))
        }),
        any::<bool>().prop_map(|validated| Event::SetEmailValidated { validated }),
        (0u32..8).prop_map(|count| Event::FailuresCounted { count }),
    ]
}

fn any_settings() -> impl Strategy<Value = SiteSettings> {
    (
        any::<bool>(),
        any::<bool>(),
        1u32..6,
        any::<bool>(),
        1u32..120,
    )
        .prop_map(
            |(approval, create, max, permanent, duration)| SiteSettings {
                approval_required: approval,
                create_customer_on_registration: create,
                max_failed_attempts: max,
                lock_mode: if permanent {
                    LockMode::Permanent
                } else {
                    LockMode::Temporary
                },
                lock_duration_seconds: duration,
                ..SiteSettings::default()
            },
        )
}

/// A run of events at increasing times, starting from a registration or a
/// staff-created account.
fn any_history() -> impl Strategy<Value = (bool, SiteSettings, Vec<(Event, i64)>)> {
    (
        any::<bool>(),
        any_settings(),
        prop::collection::vec((any_event(), 0i64..90), 0..40),
    )
}

proptest! {
    #[test]
    fn lifecycle_invariants_hold_over_any_history((staff, s, events) in any_history()) {
        let mut account = if staff { AccountState::created_by_staff(false) } else { AccountState::registered() };
        let mut now = NOW;
        for (event, step) in events {
            now += Duration::seconds(step);
            let before = account.clone();
            let before_status = before.status(now);
            if let Ok(d) = decide(&before, event, &s, now) {
                let after = &d.state;
                // The stage never moves backwards.
                prop_assert!(after.stage >= before.stage);
                // Nothing changes a deleted account but undelete.
                if before_status == Status::Deleted {
                    prop_assert_eq!(event, Event::Undelete);
                }
                // The counter never passes the maximum without a lock.
                prop_assert!(after.failed_attempts < s.max_failed_attempts || after.lock.is_some(),
                    "{} failures, no lock", after.failed_attempts);
                // Undoing the event restores the status from before it.
                let undo = match event {
                    Event::Delete { .. } => Some(Event::Undelete),
                    Event::Block if !before.is_locked(now) => Some(Event::Unblock),
                    _ => None,
                };
                if let Some(undo) = undo {
                    let back = decide(after, undo, &s, now).unwrap().state;
                    prop_assert_eq!(back.status(now), before_status);
                }
                account = d.state;
            }
            // The stored standing and the lock's end give the status at any
            // time, as the store's status filters compute it.
            for t in [now - Duration::hours(1), now, now + Duration::days(2)] {
                let standing = account.standing();
                let temporary = match account.lock {
                    Some(Lock::Temporary { until }) => until > t,
                    _ => false,
                };
                let stage_like = matches!(standing, Status::Unverified | Status::Pending | Status::Active);
                let expected = if stage_like && temporary { Status::Locked } else { standing };
                prop_assert_eq!(account.status(t), expected);
            }
            // A blocked or deleted account never signs in.
            if matches!(account.status(now), Status::Blocked | Status::Deleted) {
                prop_assert!(sign_in_gate(&account, now).is_err());
                prop_assert!(decide(&account, Event::SignedIn, &s, now).is_err());
            }
        }
    }

    #[test]
    fn a_refused_event_changes_nothing((staff, s, events) in any_history()) {
        // `decide` takes the account by reference and answers a new one; a
        // refusal carries no state, so the caller keeps exactly what it had.
        let mut account = if staff { AccountState::created_by_staff(true) } else { AccountState::registered() };
        for (event, _) in events {
            let snapshot = account.clone();
            match decide(&account, event, &s, NOW) {
                Ok(d) => account = d.state,
                Err(_) => prop_assert_eq!(&account, &snapshot),
            }
        }
    }
}
