//! A customer's fields, listed once (the `customer_fields!` call below):
//! their stable names, the rule each obeys, what the document says of them, the typed
//! change staff, customers and integrations send ([`CustomerPatch`]), and
//! the CSV cells of a record. Everything that names customer fields (the
//! API bodies, the console form, the portal profile, the CSV columns) reads
//! them from here.
//!
//! Invariants: a change names only fields that exist (`deny_unknown_fields`);
//! an absent field stays, `null` (or `""`) clears an optional one; every
//! wrong field is reported at once and nothing is applied then.

use std::borrow::Cow;

use gatehouse_domain::{Email, FieldError, Words};
use gatehouse_store::CustomerFields;
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

/// What a patch says of one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Change<T> {
    /// Absent: leave it as it is.
    #[default]
    Keep,
    /// `null`: clear it.
    Clear,
    /// A new value (checked by the field's rule).
    Set(T),
}

impl<T> Change<T> {
    /// Whether the patch names this field.
    pub fn is_present(&self) -> bool {
        !matches!(self, Change::Keep)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Change<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Reached only when the key is present (absent keys take the
        // default, `Keep`), so `None` here is an explicit `null`.
        Ok(match Option::<T>::deserialize(d)? {
            None => Change::Clear,
            Some(v) => Change::Set(v),
        })
    }
}

/// The most characters of a name.
pub const MAX_NAME_CHARS: usize = 100;
/// The most characters of any other short text.
pub const MAX_TEXT_CHARS: usize = 200;
/// The most characters of the notes.
pub const MAX_NOTES_CHARS: usize = 5000;

/// The refusals of the fields' rules, each with its message ID.
pub(crate) mod say {
    use super::*;

    /// A required field left empty.
    pub fn required(field: &str) -> FieldError {
        FieldError::said(field, Words::id("field-required"), "is required")
    }

    /// Text over its length.
    pub fn too_long(field: &str, max: usize) -> FieldError {
        FieldError::said(
            field,
            Words::id("field-too-long").arg("max", max),
            format!("must be at most {max} characters"),
        )
    }

    /// Text with control characters.
    pub fn control(field: &str) -> FieldError {
        FieldError::said(
            field,
            Words::id("field-control-characters"),
            "must not contain control characters",
        )
    }

    /// A language we do not speak.
    pub fn language(field: &str) -> FieldError {
        FieldError::said(field, Words::id("field-not-language"), "must be en or de")
    }

    pub fn country(field: &str) -> FieldError {
        FieldError::said(
            field,
            Words::id("field-not-country"),
            "is not a country: give its code (DE) or its name (Germany)",
        )
    }

    /// Not a web address.
    pub fn web(field: &str) -> FieldError {
        FieldError::said(
            field,
            Words::id("field-not-web-address"),
            "must be an http:// or https:// address",
        )
    }

    /// Not a group ID.
    pub fn group(field: &str) -> FieldError {
        FieldError::said(field, Words::id("field-not-group"), "is not a group ID")
    }

    /// Not a company's ID.
    pub fn company(field: &str) -> FieldError {
        FieldError::said(field, Words::id("field-not-company"), "is not a company ID")
    }

    /// Not true or false.
    pub fn boolean(field: &str) -> FieldError {
        FieldError::said(
            field,
            Words::id("field-not-boolean"),
            "must be true or false",
        )
    }

    /// A value of the wrong JSON type for text.
    pub fn not_text(field: &str) -> FieldError {
        FieldError::said(field, Words::id("field-not-text"), "must be text")
    }

    /// A key that is no customer field.
    pub fn unknown(field: &str) -> FieldError {
        FieldError::said(field, Words::id("field-unknown"), "is not a customer field")
    }

    /// A field the caller may not change.
    pub fn not_editable(field: &str) -> FieldError {
        FieldError::said(
            field,
            Words::id("field-not-editable"),
            "cannot be changed here",
        )
    }
}

/// Trimmed text within `limit` characters and without control characters
/// (`multiline` text may hold line breaks and tabs): the text, empty as none,
/// or what is wrong. The one text rule of customer data and registrations.
pub(crate) fn clean_text(
    field: &str,
    raw: &str,
    limit: usize,
    multiline: bool,
) -> Result<Option<String>, FieldError> {
    let raw = raw.trim();
    if raw.chars().count() > limit {
        return Err(say::too_long(field, limit));
    }
    if raw
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(say::control(field));
    }
    Ok(Some(raw.to_string()).filter(|t| !t.is_empty()))
}

/// The rules of the fields, by kind: each checks a change and applies it to
/// its target, or says what is wrong.
mod rules {
    use super::*;

    /// A text change: `None` for no change, else the new value.
    fn text(
        field: &str,
        change: &Change<String>,
        limit: usize,
        errors: &mut Vec<FieldError>,
    ) -> Option<Option<String>> {
        match change {
            Change::Keep => None,
            Change::Clear => Some(None),
            Change::Set(s) => clean_text(field, s, limit, field == "notes")
                .map_err(|e| errors.push(e))
                .ok(),
        }
    }

    pub fn name(f: &str, c: &Change<String>, t: &mut String, e: &mut Vec<FieldError>) {
        if let Some(v) = text(f, c, MAX_NAME_CHARS, e) {
            *t = v.unwrap_or_default();
        }
    }

    pub fn short(f: &str, c: &Change<String>, t: &mut Option<String>, e: &mut Vec<FieldError>) {
        if let Some(v) = text(f, c, MAX_TEXT_CHARS, e) {
            *t = v;
        }
    }

    pub fn notes(f: &str, c: &Change<String>, t: &mut Option<String>, e: &mut Vec<FieldError>) {
        if let Some(v) = text(f, c, MAX_NOTES_CHARS, e) {
            *t = v;
        }
    }

    pub fn email(f: &str, c: &Change<String>, t: &mut Option<String>, e: &mut Vec<FieldError>) {
        match text(f, c, MAX_TEXT_CHARS, e) {
            Some(Some(v)) => match Email::parse(&v) {
                Ok(email) => *t = Some(email.as_str().to_string()),
                Err(err) => e.push(FieldError::said(f, err.words(), err.to_string())),
            },
            Some(None) => *t = None,
            None => {}
        }
    }

    pub fn web(f: &str, c: &Change<String>, t: &mut Option<String>, e: &mut Vec<FieldError>) {
        match text(f, c, MAX_TEXT_CHARS, e) {
            Some(Some(v)) => {
                let rest = v
                    .strip_prefix("https://")
                    .or_else(|| v.strip_prefix("http://"));
                if matches!(rest, Some(r) if !r.is_empty() && !r.contains(char::is_whitespace)) {
                    *t = Some(v);
                } else {
                    e.push(say::web(f));
                }
            }
            Some(None) => *t = None,
            None => {}
        }
    }

    /// A country, by its ISO 3166-1 code or its name in English or German;
    /// stored as the code.
    pub fn country(f: &str, c: &Change<String>, t: &mut Option<String>, e: &mut Vec<FieldError>) {
        match text(f, c, MAX_TEXT_CHARS, e) {
            Some(Some(v)) => match gatehouse_domain::countries::code_of(&v) {
                Some(code) => *t = Some(code.to_string()),
                None => e.push(say::country(f)),
            },
            Some(None) => *t = None,
            None => {}
        }
    }

    pub fn language(f: &str, c: &Change<String>, t: &mut Option<String>, e: &mut Vec<FieldError>) {
        match text(f, c, MAX_TEXT_CHARS, e) {
            Some(Some(v)) if v == "en" || v == "de" => *t = Some(v),
            Some(Some(_)) => e.push(say::language(f)),
            Some(None) => *t = None,
            None => {}
        }
    }

    /// A group ID; empty clears it (whether the group exists is the use
    /// case's check, it needs the database).
    pub fn group(f: &str, c: &Change<String>, t: &mut Option<Uuid>, e: &mut Vec<FieldError>) {
        id(f, c, t, e, say::group);
    }

    pub fn company(f: &str, c: &Change<String>, t: &mut Option<Uuid>, e: &mut Vec<FieldError>) {
        id(f, c, t, e, say::company);
    }

    /// A record's ID, or empty for none.
    fn id(
        f: &str,
        c: &Change<String>,
        t: &mut Option<Uuid>,
        e: &mut Vec<FieldError>,
        wrong: fn(&str) -> FieldError,
    ) {
        match c {
            Change::Keep => {}
            Change::Clear => *t = None,
            Change::Set(s) if s.trim().is_empty() => *t = None,
            Change::Set(s) => match s.trim().parse() {
                Ok(id) => *t = Some(id),
                Err(_) => e.push(wrong(f)),
            },
        }
    }

    pub fn flag(f: &str, c: &Change<bool>, t: &mut bool, e: &mut Vec<FieldError>) {
        match c {
            Change::Keep => {}
            Change::Clear => e.push(say::boolean(f)),
            Change::Set(b) => *t = *b,
        }
    }
}

/// A field's value as one CSV cell.
pub trait Cell {
    /// The cell's text.
    fn cell(&self) -> Cow<'_, str>;
}

impl Cell for String {
    fn cell(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl Cell for Option<String> {
    fn cell(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_deref().unwrap_or(""))
    }
}

impl Cell for Option<Uuid> {
    fn cell(&self) -> Cow<'_, str> {
        Cow::Owned(self.map(|g| g.to_string()).unwrap_or_default())
    }
}

impl Cell for bool {
    fn cell(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

impl CustomerPatch {
    /// Reads a JSON object key by key, so that every wrong key is reported
    /// with the other wrong fields instead of the first one alone: a key that
    /// is no customer field, or a value of the wrong type, is kept in
    /// `rejected` with what was wrong.
    pub fn from_json(object: &serde_json::Map<String, serde_json::Value>) -> CustomerPatch {
        let mut patch = CustomerPatch::default();
        for (key, value) in object {
            let one = serde_json::Map::from_iter([(key.clone(), value.clone())]);
            match serde_json::from_value::<CustomerPatch>(serde_json::Value::Object(one)) {
                Ok(p) => patch.merge(p),
                Err(_) => patch.rejected.push(
                    match CustomerPatch::FIELDS.iter().find(|f| f.name == key) {
                        None => say::unknown(key),
                        Some(f) => (f.expects)(key),
                    },
                ),
            }
        }
        patch
    }
}

/// One field as forms show it.
#[derive(Debug, Clone, Copy)]
pub struct FieldInfo {
    /// The stable name (API, CSV column, form input; its words are the
    /// message `customer-field-{name}`).
    pub name: &'static str,
    /// Free text a form shows as a text box (not the group or a switch).
    pub text: bool,
    /// What a value of the wrong JSON type is told.
    pub expects: fn(&str) -> FieldError,
}

macro_rules! customer_fields {
    ($( $(#[doc = $doc:literal])* $name:ident : $ty:ty as $schema:ty, $rule:ident $({ $($attr:tt)* })?; )*) => {
        /// A change to a customer's fields: every field optional (absent
        /// stays, `null` or `""` clears an optional one); `first_name` and
        /// `last_name` (or `company`) are needed to add a customer.
        #[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct CustomerPatch {
            $(
                $(#[doc = $doc])*
                #[serde(default)]
                #[schema(value_type = $schema $(, $($attr)*)?)]
                pub $name: Change<$ty>,
            )*
            /// Keys of the body that could not be read as a field (set by
            /// [`CustomerPatch::from_json`]), reported with the others.
            #[serde(skip)]
            pub rejected: Vec<FieldError>,
        }

        impl CustomerPatch {
            /// Every field, in the order of forms and CSV columns.
            pub const FIELDS: &'static [FieldInfo] = &[
                $( FieldInfo {
                    name: stringify!($name),
                    text: !matches!(stringify!($rule).as_bytes(), b"group" | b"company" | b"flag"),
                    expects: match stringify!($rule).as_bytes() {
                        b"flag" => say::boolean,
                        b"group" => say::group,
                        b"company" => say::company,
                        _ => say::not_text,
                    },
                }, )*
            ];

            /// The names of the fields this patch changes.
            pub fn present(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $( if self.$name.is_present() { out.push(stringify!($name)); } )*
                out
            }

            /// Takes the fields `other` names.
            fn merge(&mut self, other: CustomerPatch) {
                $( if other.$name.is_present() { self.$name = other.$name; } )*
                self.rejected.extend(other.rejected);
            }

            /// Applies the patch to `fields`, each field by its rule; the
            /// wrong ones (and the keys that could not be read) are added to
            /// `errors` and left as they were.
            pub fn apply_to(&self, fields: &mut CustomerFields, errors: &mut Vec<FieldError>) {
                errors.extend(self.rejected.iter().cloned());
                $( rules::$rule(stringify!($name), &self.$name, &mut fields.$name, errors); )*
            }
        }

        /// A record's cells, in the order of [`CustomerPatch::FIELDS`].
        pub fn cells(fields: &CustomerFields) -> Vec<Cow<'_, str>> {
            vec![$( fields.$name.cell(), )*]
        }

        /// One field's value as text (a form shows it), by name.
        pub fn value_of<'a>(fields: &'a CustomerFields, name: &str) -> Cow<'a, str> {
            match name {
                $( stringify!($name) => fields.$name.cell(), )*
                _ => Cow::Borrowed(""),
            }
        }

        /// [`value_of`] for the fields as answers show them.
        pub fn shown_value_of<'a>(fields: &'a crate::wire::CustomerFields, name: &str) -> Cow<'a, str> {
            match name {
                $( stringify!($name) => fields.$name.cell(), )*
                _ => Cow::Borrowed(""),
            }
        }
    };
}

customer_fields! {
    /// First name.
    first_name: String as Option<String>, name { max_length = 100, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// Last name.
    last_name: String as Option<String>, name { max_length = 100, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// E-mail address.
    email: String as Option<String>, email { format = Email, max_length = 200 };
    /// Company, by name: the company with this name (case, spaces and a
    /// trailing full stop aside), or a new one made with it. Answers carry
    /// the company's name as its record spells it.
    company: String as Option<String>, short { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// Company, by its ID (empty for none); wins over `company`.
    company_id: String as Option<String>, company { format = Uuid, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$" };
    /// Web address (http:// or https://).
    url: String as Option<String>, web { max_length = 200, pattern = "^https?://[^\\s]+$" };
    /// Landline.
    phone: String as Option<String>, short { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// Mobile.
    mobile: String as Option<String>, short { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// Country: its ISO 3166-1 alpha-2 code (`DE`), or its name in English or
    /// German (`Germany`, `Deutschland`); stored and answered as the code.
    country: String as Option<String>, country { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// Region or state.
    region: String as Option<String>, short { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// Street.
    street: String as Option<String>, short { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// Postcode.
    postcode: String as Option<String>, short { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// City.
    city: String as Option<String>, short { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// ID in another system.
    external_id: String as Option<String>, short { max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$" };
    /// Group (its ID; empty for none).
    group_id: String as Option<String>, group { format = Uuid, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$" };
    /// Avatar picture address (http:// or https://).
    avatar_url: String as Option<String>, web { max_length = 200, pattern = "^https?://[^\\s]+$" };
    /// Wants notifications.
    notifications: bool as bool, flag;
    /// Staff notes (up to 5 000 characters, line breaks allowed).
    notes: String as Option<String>, notes { max_length = 5000, pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$" };
    /// Preferred language, `en` or `de`.
    language: String as Option<String>, language { pattern = "^(en|de)?$" };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn patch(v: serde_json::Value) -> Result<CustomerPatch, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn absent_stays_null_clears_and_unknown_fields_are_refused() {
        let p = patch(json!({"city": "Berlin", "phone": null})).unwrap();
        assert_eq!(p.city, Change::Set("Berlin".into()));
        assert_eq!(p.phone, Change::Clear);
        assert_eq!(p.street, Change::Keep);
        assert_eq!(p.present(), ["phone", "city"]);
        let err = patch(json!({"nickname": "Ada"})).unwrap_err().to_string();
        assert!(err.contains("unknown field `nickname`"), "{err}");
    }

    #[test]
    fn a_country_is_stored_as_its_code_and_an_unknown_one_refused() {
        for (typed, stored) in [("Deutschland", "DE"), ("germany", "DE"), ("us", "US")] {
            let mut fields = CustomerFields::default();
            let mut errors = Vec::new();
            patch(json!({"country": typed}))
                .unwrap()
                .apply_to(&mut fields, &mut errors);
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(fields.country.as_deref(), Some(stored), "{typed}");
        }
        let mut fields = CustomerFields::default();
        let mut errors = Vec::new();
        patch(json!({"country": "Atlantis"}))
            .unwrap()
            .apply_to(&mut fields, &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field.as_str(), fields.country),
            ("country", None)
        );
    }

    #[test]
    fn every_field_is_applied_by_its_own_rule() {
        // A field forgotten by a rule would keep its old value here.
        let mut fields = CustomerFields::default();
        let all = json!({
            "first_name": " Ada ", "last_name": "Lovelace", "email": "Ada@Example.com",
            "company": "Engines", "company_id": "01890a5d-ac96-774b-bcce-b302099a8058",
            "url": "https://example.com", "phone": "1", "mobile": "2",
            "country": "GB", "region": "London", "street": "St James's Square 12",
            "postcode": "SW1", "city": "London", "external_id": "X-1",
            "group_id": "01890a5d-ac96-774b-bcce-b302099a8057",
            "avatar_url": "http://example.com/a.png", "notifications": true,
            "notes": "line\nbreak", "language": "en"
        });
        assert_eq!(
            all.as_object().unwrap().len(),
            CustomerPatch::FIELDS.len(),
            "the test names every field"
        );
        let mut errors = Vec::new();
        patch(all.clone())
            .unwrap()
            .apply_to(&mut fields, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        for info in CustomerPatch::FIELDS {
            let typed = all[info.name]
                .as_str()
                .map_or_else(|| all[info.name].to_string(), |s| s.trim().to_string());
            let stored = value_of(&fields, info.name);
            assert!(
                stored.eq_ignore_ascii_case(&typed) || info.name == "email",
                "{}: {stored} vs {typed}",
                info.name
            );
        }
        assert_eq!(fields.email.as_deref(), Some("Ada@example.com"));
        assert_eq!(cells(&fields).len(), CustomerPatch::FIELDS.len());
    }

    #[test]
    fn wrong_fields_are_all_reported_and_left_alone() {
        let mut fields = CustomerFields {
            city: Some("Paris".into()),
            ..CustomerFields::default()
        };
        let mut errors = Vec::new();
        let p = patch(json!({
            "email": "no-at-sign", "url": "ftp://x", "language": "fr", "group_id": "nope",
            "notifications": null, "city": "x".repeat(MAX_TEXT_CHARS + 1), "phone": "a\u{7}b",
            "first_name": "y".repeat(MAX_NAME_CHARS + 1)
        }))
        .unwrap();
        p.apply_to(&mut fields, &mut errors);
        let wrong: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            wrong,
            [
                "first_name",
                "email",
                "url",
                "phone",
                "city",
                "group_id",
                "notifications",
                "language"
            ]
        );
        assert_eq!(fields.city.as_deref(), Some("Paris"));
    }

    #[test]
    fn a_json_body_reports_unknown_keys_and_wrong_types_with_the_rest() {
        let object = json!({"colour": "red", "notifications": "yes", "city": 5, "phone": "1"});
        let p = CustomerPatch::from_json(object.as_object().unwrap());
        assert_eq!(p.phone, Change::Set("1".into()));
        let mut errors = Vec::new();
        p.apply_to(&mut CustomerFields::default(), &mut errors);
        let said: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                ("city", "must be text"),
                ("colour", "is not a customer field"),
                ("notifications", "must be true or false")
            ]
        );
    }

    #[test]
    fn blank_text_and_a_blank_group_clear() {
        let mut fields = CustomerFields {
            city: Some("Paris".into()),
            group_id: Some(Uuid::nil()),
            ..CustomerFields::default()
        };
        let mut errors = Vec::new();
        patch(json!({"city": "  ", "group_id": ""}))
            .unwrap()
            .apply_to(&mut fields, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(fields.city, None);
        assert_eq!(fields.group_id, None);
    }
}
