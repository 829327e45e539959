//! Site settings: what each portal allows and how its accounts
//! behave. A [`SiteSettings`] value is always valid: it is built from the
//! defaults and changed only through [`SiteSettings::patched`], which checks
//! every field and refuses the whole patch if any one is wrong.

use std::collections::BTreeSet;

use crate::words::{FieldError, Words};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::policy::{Email, LoginIdMode};

/// What a lock after too many failed attempts means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LockMode {
    /// Lifted by itself after `lock_duration_seconds`.
    Temporary,
    /// Lifted only by staff (or a password reset is refused: staff must act).
    Permanent,
}

/// A language the portal and its e-mail speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English.
    En,
    /// German.
    De,
}

impl Language {
    /// The language tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
        }
    }
}

/// Profile fields a site may let customers edit themselves. Group, role,
/// active flag, notifications and external ID are deliberately absent: they
/// are staff-only on every site.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// Company.
    Company,
    /// Landline phone.
    Phone,
    /// Mobile phone.
    Mobile,
    /// Country.
    Country,
    /// Region or state.
    Region,
    /// Street.
    Street,
    /// Postcode.
    Postcode,
    /// City.
    City,
    /// Web address.
    Url,
    /// Preferred language.
    Language,
    /// Avatar picture address.
    AvatarUrl,
}

/// The settings of one site. Field names are the API's and the seed's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    /// Customers may register themselves.
    pub self_registration: bool,
    /// Verified registrations wait for staff approval.
    pub approval_required: bool,
    /// Verification creates the customer record; otherwise the account waits
    /// for staff to assign one.
    pub create_customer_on_registration: bool,
    /// Failed attempts before the account locks.
    #[schema(minimum = 1, maximum = 100)]
    pub max_failed_attempts: u32,
    /// Temporary or permanent locks.
    pub lock_mode: LockMode,
    /// Length of a temporary lock.
    #[schema(minimum = 1, maximum = 31536000)]
    pub lock_duration_seconds: u32,
    /// The forgot-password flow is offered.
    pub forgot_password_enabled: bool,
    /// Shortest password accepted (in characters).
    #[schema(minimum = 8, maximum = 128)]
    pub password_min_length: u32,
    /// E-mail address or username as the login ID.
    pub login_id_mode: LoginIdMode,
    /// Fields customers may edit in their profile.
    pub editable_fields: BTreeSet<ProfileField>,
    /// First and last name become staff-only once set.
    pub lock_names_once_set: bool,
    /// A colleague invited by a customer manager waits for staff approval
    /// before the invitation is sent.
    pub manager_invites_need_approval: bool,
    /// A session ends after this long without a request (not longer than
    /// `session_absolute_seconds`).
    #[schema(minimum = 1, maximum = 2592000)]
    pub session_idle_seconds: u32,
    /// A session ends this long after sign-in, whatever happens.
    #[schema(minimum = 1, maximum = 31536000)]
    pub session_absolute_seconds: u32,
    /// Lifetime of an activation link.
    #[schema(minimum = 1, maximum = 2592000)]
    pub activation_link_ttl_seconds: u32,
    /// Lifetime of a password-reset link.
    #[schema(minimum = 1, maximum = 604800)]
    pub reset_link_ttl_seconds: u32,
    /// Lifetime of an invitation (set-password) link.
    #[schema(minimum = 1, maximum = 7776000)]
    pub invitation_link_ttl_seconds: u32,
    /// Language of the portal and of mail when the customer has none.
    pub default_language: Language,
    /// The portal's public URL; `None` means `http://{bind}/s/{site}`.
    #[schema(pattern = "^https?://[^\\s/][^\\s]*$")]
    pub base_url: Option<String>,
    /// Name shown on pages and in mail; `None` means the site's name.
    pub brand_name: Option<String>,
    /// `#rrggbb` accent colour.
    #[schema(pattern = "^#[0-9a-fA-F]{6}$")]
    pub brand_colour: Option<String>,
    /// Logo picture address.
    #[schema(pattern = "^https?://[^\\s/][^\\s]*$")]
    pub logo_url: Option<String>,
    /// Address customers are told to write to (the sender takes no replies).
    pub support_email: Option<String>,
    /// Deleted accounts are purged after this many days.
    #[schema(minimum = 1, maximum = 3650)]
    pub deleted_retention_days: u32,
    /// Who is offered, or must have, a second step at sign-in (the
    /// authenticator app's code).
    pub two_step: crate::TwoStepRule,
}

impl Default for SiteSettings {
    fn default() -> Self {
        use ProfileField::*;
        SiteSettings {
            self_registration: true,
            approval_required: false,
            create_customer_on_registration: true,
            max_failed_attempts: 5,
            lock_mode: LockMode::Temporary,
            lock_duration_seconds: 900,
            forgot_password_enabled: true,
            password_min_length: 8,
            login_id_mode: LoginIdMode::Email,
            editable_fields: [
                FirstName, LastName, Company, Phone, Mobile, Country, Region, Street, Postcode,
                City, Url, Language,
            ]
            .into_iter()
            .collect(),
            lock_names_once_set: false,
            manager_invites_need_approval: false,
            session_idle_seconds: 1800,
            session_absolute_seconds: 43_200,
            activation_link_ttl_seconds: 86_400,
            reset_link_ttl_seconds: 3600,
            invitation_link_ttl_seconds: 604_800,
            default_language: crate::settings::Language::En,
            base_url: None,
            brand_name: None,
            brand_colour: None,
            logo_url: None,
            support_email: None,
            deleted_retention_days: 90,
            two_step: crate::TwoStepRule::Offered,
        }
    }
}

/// A refused settings change; nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct SettingsError {
    /// Every wrong field, in key order.
    pub errors: Vec<FieldError>,
}

const DAY: u32 = 86_400;

/// A number written with a zero fraction (`16.0`) as the whole number it is.
fn whole(value: &Value) -> Value {
    match value.as_f64() {
        Some(f) if value.is_f64() && f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
        _ => value.clone(),
    }
}

impl SiteSettings {
    /// Applies a partial change (the body of `PATCH …/settings`): keys absent
    /// keep their value, `null` clears an optional one. Unknown keys, wrong
    /// types and out-of-range values refuse the whole patch.
    pub fn patched(&self, patch: &Map<String, Value>) -> Result<SiteSettings, SettingsError> {
        let mut errors = Vec::new();
        let mut merged = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for (key, value) in patch {
            if !merged.contains_key(key) {
                errors.push(FieldError::said(
                    key.clone(),
                    Words::id("field-not-setting"),
                    "is not a site setting",
                ));
                continue;
            }
            // JSON may write a whole number as `3600.0`; the settings are
            // whole numbers, so take it as one.
            let value = &whole(value);
            if let Some(list) = value.as_array()
                && list.iter().enumerate().any(|(i, v)| list[..i].contains(v))
            {
                errors.push(FieldError::said(
                    key.clone(),
                    Words::id("field-item-twice"),
                    "names an item twice",
                ));
                continue;
            }
            // Check each key on its own so that every wrong type is reported.
            let mut probe = merged.clone();
            probe.insert(key.clone(), value.clone());
            if let Err(e) = serde_json::from_value::<SiteSettings>(Value::Object(probe)) {
                errors.push(FieldError {
                    field: key.clone(),
                    message: type_message(&e),
                    words: merged.get(key).map(|current| expected_words(key, current)),
                });
                continue;
            }
            merged.insert(key.clone(), value.clone());
        }
        if !errors.is_empty() {
            return Err(SettingsError { errors });
        }
        let candidate: SiteSettings =
            serde_json::from_value(Value::Object(merged)).map_err(|e| SettingsError {
                errors: vec![FieldError {
                    field: "settings".into(),
                    message: type_message(&e),
                    words: None,
                }],
            })?;
        candidate.validate()?;
        Ok(candidate)
    }

    /// Checks every range and format rule; the defaults pass.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let mut errors = Vec::new();
        let mut range = |field: &str, value: u32, min: u32, max: u32| {
            if value < min || value > max {
                errors.push(FieldError::said(
                    field,
                    Words::id("field-between")
                        .arg("min", min)
                        .arg("max", max)
                        .arg("value", value),
                    format!("must be between {min} and {max}, not {value}"),
                ));
            }
        };
        range("max_failed_attempts", self.max_failed_attempts, 1, 100);
        range(
            "lock_duration_seconds",
            self.lock_duration_seconds,
            1,
            365 * DAY,
        );
        range("password_min_length", self.password_min_length, 8, 128);
        range(
            "session_idle_seconds",
            self.session_idle_seconds,
            1,
            30 * DAY,
        );
        range(
            "session_absolute_seconds",
            self.session_absolute_seconds,
            1,
            365 * DAY,
        );
        range(
            "activation_link_ttl_seconds",
            self.activation_link_ttl_seconds,
            1,
            30 * DAY,
        );
        range(
            "reset_link_ttl_seconds",
            self.reset_link_ttl_seconds,
            1,
            7 * DAY,
        );
        range(
            "invitation_link_ttl_seconds",
            self.invitation_link_ttl_seconds,
            1,
            90 * DAY,
        );
        range(
            "deleted_retention_days",
            self.deleted_retention_days,
            1,
            3650,
        );
        if self.session_idle_seconds > self.session_absolute_seconds {
            errors.push(FieldError::said(
                "session_idle_seconds",
                Words::id("field-idle-over-absolute"),
                "must not be longer than session_absolute_seconds",
            ));
        }
        for (field, value) in [("base_url", &self.base_url), ("logo_url", &self.logo_url)] {
            if let Some(url) = value
                && !is_web_url(url)
            {
                errors.push(FieldError::said(
                    field,
                    Words::id("field-not-web-address"),
                    format!("'{url}' is not an http:// or https:// address"),
                ));
            }
        }
        if let Some(colour) = &self.brand_colour {
            let hex = colour.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                errors.push(FieldError::said(
                    "brand_colour",
                    Words::id("field-not-colour").arg("value", colour),
                    format!("'{colour}' is not a colour like #1a2b3c"),
                ));
            }
        }
        if let Some(name) = &self.brand_name
            && (name.trim().is_empty() || name.chars().count() > 100)
        {
            errors.push(FieldError::said(
                "brand_name",
                Words::id("field-length").arg("min", 1).arg("max", 100),
                "must be 1 to 100 characters",
            ));
        }
        if let Some(address) = &self.support_email
            && let Err(e) = Email::parse(address)
        {
            errors.push(FieldError::said("support_email", e.words(), e.to_string()));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(SettingsError { errors })
        }
    }
}

fn is_web_url(raw: &str) -> bool {
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/') && !r.chars().any(char::is_whitespace))
}

/// What a value of the wrong type should have been, judged by the kind of
/// the value it would replace.
fn expected_words(key: &str, current: &Value) -> Words {
    Words::id(match current {
        Value::Bool(_) => "field-not-boolean",
        Value::Number(_) => "field-not-whole-number",
        Value::Array(_) => "field-not-list",
        _ if CHOICES.contains(&key) => "field-not-choice",
        _ => "field-not-text",
    })
}

/// The settings whose value is one of a few words.
const CHOICES: [&str; 3] = ["login_id_mode", "lock_mode", "default_language"];

fn type_message(e: &serde_json::Error) -> String {
    // serde's text names Rust types; keep only the part a person can use.
    let text = e.to_string();
    let text = text.split(" at line").next().unwrap_or(&text).to_string();
    text.replace("u32", "a whole number")
        .replace("a boolean", "true or false")
}

/// The installation's settings (not of one site), edited by admins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InstallationSettings {
    /// Admins must sign in with a TOTP code (those without one enrol first).
    pub require_admin_totp: bool,
    /// Support staff may impersonate customers too.
    pub support_may_impersonate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn defaults_are_those_of_the_design_and_valid() {
        let s = SiteSettings::default();
        assert!(s.self_registration && !s.approval_required && s.create_customer_on_registration);
        assert_eq!(s.max_failed_attempts, 5);
        assert_eq!(s.lock_mode, LockMode::Temporary);
        assert_eq!(s.lock_duration_seconds, 900);
        assert_eq!(s.password_min_length, 8);
        assert_eq!(s.login_id_mode, LoginIdMode::Email);
        assert_eq!(
            (s.session_idle_seconds, s.session_absolute_seconds),
            (1800, 43_200)
        );
        assert_eq!(s.reset_link_ttl_seconds, 3600);
        assert_eq!(s.deleted_retention_days, 90);
        assert!(!s.editable_fields.contains(&ProfileField::AvatarUrl));
        assert!(s.validate().is_ok());
    }

    #[test]
    fn a_whole_number_written_with_a_fraction_is_taken_and_a_fraction_refused() {
        let s = SiteSettings::default();
        let p = patch(serde_json::json!({"session_idle_seconds": 7802.0}));
        assert_eq!(s.patched(&p).unwrap().session_idle_seconds, 7802);
        let p = patch(serde_json::json!({"session_idle_seconds": 7802.5}));
        let e = s.patched(&p).unwrap_err();
        assert_eq!(e.errors[0].field, "session_idle_seconds");
    }

    #[test]
    fn a_patch_changes_only_its_keys() {
        let s = SiteSettings::default();
        let p = s
            .patched(&patch(json!({"approval_required": true, "lock_mode": "permanent", "lock_duration_seconds": 1})))
            .unwrap();
        assert!(p.approval_required);
        assert_eq!(p.lock_mode, LockMode::Permanent);
        assert_eq!(p.lock_duration_seconds, 1);
        assert_eq!(p.max_failed_attempts, s.max_failed_attempts);
    }

    #[test]
    fn a_bad_patch_names_every_wrong_field_and_changes_nothing() {
        let s = SiteSettings::default();
        let err = s
            .patched(&patch(
                json!({"max_failed_attempts": "five", "colour": 1, "lock_mode": "forever"}),
            ))
            .unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["colour", "lock_mode", "max_failed_attempts"]);
        assert!(
            err.to_string().contains("colour: is not a site setting"),
            "{err}"
        );
    }

    #[test]
    fn ranges_and_formats_are_checked() {
        let s = SiteSettings::default();
        for bad in [
            json!({"max_failed_attempts": 0}),
            json!({"password_min_length": 4}),
            json!({"session_idle_seconds": 50000, "session_absolute_seconds": 40000}),
            json!({"base_url": "ftp://x"}),
            json!({"brand_colour": "red"}),
            json!({"support_email": "not-an-address"}),
        ] {
            let err = s.patched(&patch(bad.clone())).unwrap_err();
            assert_eq!(err.errors.len(), 1, "{bad}: {err}");
        }
        let ok = s
            .patched(&patch(json!({"base_url": "https://portal.example.com/s/main", "brand_colour": "#1A2b3c", "support_email": "help@example.com"})))
            .unwrap();
        assert_eq!(
            ok.base_url.as_deref(),
            Some("https://portal.example.com/s/main")
        );
        let cleared = ok.patched(&patch(json!({"base_url": null}))).unwrap();
        assert_eq!(cleared.base_url, None);
    }
}
