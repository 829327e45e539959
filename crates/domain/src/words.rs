//! What a refusal says, by message ID: the English sentence a use case
//! writes (the API's `message`) comes with the ID of that sentence in the
//! message catalogues and its arguments, so every page can say it in the
//! reader's language without guessing from the English. A refusal without
//! words is shown in English.

use serde::Serialize;

/// A message ID and its arguments (`{ $name }` in the catalogues).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Words {
    /// The message ID, e.g. `field-required`.
    pub id: &'static str,
    /// The arguments by name.
    pub args: Vec<(&'static str, String)>,
}

impl Words {
    /// Words without arguments.
    pub fn id(id: &'static str) -> Words {
        Words {
            id,
            args: Vec::new(),
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Words {
        self.args.push((name, value.to_string()));
        self
    }
}

/// One wrong input field: its name, the English of what is wrong, and the
/// words to say it in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field (or settings key).
    pub field: String,
    /// What is wrong, for a person (English).
    pub message: String,
    /// The same by message ID, for the pages' languages.
    #[serde(skip)]
    pub words: Option<Words>,
}

impl FieldError {
    /// A wrong field said in English only.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
            words: None,
        }
    }

    /// A wrong field with the words to translate it.
    pub fn said(field: impl Into<String>, words: Words, english: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: english.into(),
            words: Some(words),
        }
    }
}
