//! The items of a generated label enum, written once here instead of in every generated module.

/// Defines a label enum (an input's `enum:` values, or a section's alternatives) with its
/// `ALL`, `label()`, [`LabeledEnum`](crate::LabeledEnum), `Display`, `FromStr`,
/// [`PromptValue`](crate::PromptValue) and, with the `serde` feature, serde impls.
///
/// Generated code calls it as
/// `__labeled_enum! { #[doc = "..."] pub enum Verdict { #[doc = "..."] Pass = "PASS", ... } }`.
#[doc(hidden)]
#[macro_export]
macro_rules! __labeled_enum {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_attr:meta])* $variant:ident = $label:literal ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$variant_attr])* $variant, )*
        }

        impl $name {
            /// Every value, in file order.
            pub const ALL: &'static [$name] = &[$( $name::$variant ),*];

            /// The value as written in the agent file.
            pub const fn label(self) -> &'static str {
                <$name as $crate::LabeledEnum>::LABELS[self as usize]
            }
        }

        impl $crate::LabeledEnum for $name {
            const LABELS: &'static [&'static str] = &[$( $label ),*];

            fn from_label(label: &str) -> ::core::option::Option<Self> {
                match label {
                    $( $label => ::core::option::Option::Some($name::$variant), )*
                    _ => ::core::option::Option::None,
                }
            }

            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::UnknownValue;

            fn from_str(text: &str) -> ::core::result::Result<Self, Self::Err> {
                <$name as $crate::LabeledEnum>::from_label(text).ok_or_else(|| $crate::UnknownValue {
                    found: text.into(),
                    expected: <$name as $crate::LabeledEnum>::LABELS,
                })
            }
        }

        impl $crate::PromptValue for $name {
            fn write_prompt(&self, out: &mut ::std::string::String) {
                out.push_str(self.label());
            }
        }

        $crate::__labeled_enum_serde!($name);
    };
}
