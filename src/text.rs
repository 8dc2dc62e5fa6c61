//! Text newtypes of agent inputs.

use std::fmt;
use std::ops::Deref;

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        pub struct $name(String);

        impl $name {
            /// Wraps `text`.
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype! {
    /// Markdown text (input type `markdown`); rendered into the prompt as it is.
    Markdown
}

text_newtype! {
    /// The content of a file (input type `file_content`); rendered into the prompt inside a
    /// code fence longer than any backtick run in the content, so the content cannot close it.
    FileContent
}

impl FileContent {
    /// Reads the file at `path` as UTF-8 text.
    pub fn read(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        std::fs::read_to_string(path).map(Self)
    }
}

/// The error of `FromStr` on a generated enum: the text is not one of its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// The text that was given.
    pub found: String,
    /// The labels that are accepted.
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown value `{}`, expected one of: {}", self.found, self.expected.join(", "))
    }
}

impl std::error::Error for UnknownValue {}
