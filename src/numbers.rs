//! Numeric newtypes of agent metrics.

use std::fmt;
use std::ops::Deref;

macro_rules! number_newtype {
    ($(#[$doc:meta])* $name:ident, $suffix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        pub struct $name(pub f64);

        impl $name {
            /// The number.
            pub const fn get(self) -> f64 {
                self.0
            }
        }

        impl From<f64> for $name {
            fn from(value: f64) -> Self {
                Self(value)
            }
        }

        impl From<$name> for f64 {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl Deref for $name {
            type Target = f64;
            fn deref(&self) -> &f64 {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)?;
                f.write_str($suffix)
            }
        }
    };
}

number_newtype! {
    /// A percentage (metric type `percentage`), in percent: `12.5` is 12.5 %. May be negative
    /// (a coverage delta) or above 100.
    Percentage, "%"
}

number_newtype! {
    /// A fraction (metric type `fraction`), usually between 0 and 1.
    Fraction, ""
}

agentbind_vocab::metric_types!(closed_word_enum
    /// The declared type of a metric.
    MetricKind;
);
