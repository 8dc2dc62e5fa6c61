//! Label enums: the [`LabeledEnum`] trait, the items of a generated label enum (written once
//! here instead of in every generated module), and how a reply's value names a label.

/// A closed set of labels: the enum of an input with `enum:` values, or of a section whose
/// pattern has one capture group of literal alternatives (`^## VERDICT: (PASS|FAIL)$`).
pub trait LabeledEnum: Copy + PartialEq + 'static {
    /// Every label, in file order.
    const LABELS: &'static [&'static str];
    /// The value of `label`, if it is one of [`LabeledEnum::LABELS`].
    fn from_label(label: &str) -> Option<Self>;
    /// The label of this value as written in the file.
    fn label(self) -> &'static str;
}

/// Defines a label enum (an input's `enum:` values, or a section's alternatives) with its
/// `ALL`, `label()`, [`LabeledEnum`](crate::LabeledEnum), `Display`, `FromStr`,
/// [`PromptValue`](crate::PromptValue) and, with the `serde` feature, serde impls.
///
/// Generated code calls it as
/// `__agentbind_v0_3_labeled_enum! { #[doc = "..."] pub enum Verdict { #[doc = "..."] Pass = "PASS", ... } }`.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_labeled_enum {
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
                <$name as ::agentbind::LabeledEnum>::LABELS[self as usize]
            }
        }

        impl ::agentbind::LabeledEnum for $name {
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
            type Err = ::agentbind::UnknownValue;

            fn from_str(text: &str) -> ::core::result::Result<Self, Self::Err> {
                <$name as ::agentbind::LabeledEnum>::from_label(text).ok_or_else(|| ::agentbind::UnknownValue {
                    found: text.into(),
                    expected: <$name as ::agentbind::LabeledEnum>::LABELS,
                })
            }
        }

        impl ::agentbind::PromptValue for $name {
            fn write_prompt(&self, out: &mut ::std::string::String) {
                out.push_str(self.label());
            }
        }

        ::agentbind::__agentbind_v0_3_labeled_enum_serde!($name);
    };
}

/// The label among `labels` that `found` (the value a reply's heading holds) names, tolerating
/// the decorations models add around a value.
///
/// An exact match always wins. Otherwise `found` and each label are compared after
/// [`undecorated`], first as they are, then ignoring ASCII case: `**PASS**`, `` `PASS` ``, `PASS ✅`, `pass` and
/// `_PASS_.` all name `PASS`. The contract stays strict about *which* value it is: `PASSED`,
/// `PASS/FAIL` and `NOT PASS` name no label, and a value that two labels would both match
/// after this folding (`Pass` and `PASS` declared side by side) names neither.
pub fn match_label<'l>(found: &str, labels: &'l [&'l str]) -> Option<&'l str> {
    if let Some(label) = labels.iter().find(|label| **label == found) {
        return Some(label);
    }
    let found = undecorated(found);
    if found.is_empty() {
        return None;
    }
    if let Some(label) = labels.iter().find(|label| undecorated(label) == found) {
        return Some(label);
    }
    let mut matches = labels.iter().filter(|label| undecorated(label).eq_ignore_ascii_case(found));
    match (matches.next(), matches.next()) {
        (Some(label), None) => Some(label),
        _ => None,
    }
}

/// `text` without what decorates a value in markdown: every leading and trailing character that
/// is not a letter or a digit, such as whitespace, emphasis and code marks (`*`, `_`, `` ` ``),
/// quotes, brackets, emoji (`✅`, `⚠️`) and punctuation (`.`, `!`). Characters inside the
/// value stay (`NEEDS_DISCUSSION`).
pub fn undecorated(text: &str) -> &str {
    text.trim_matches(|c: char| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::match_label;

    const VERDICT: &[&str] = &["PASS", "FAIL", "NEEDS_DISCUSSION"];

    #[test]
    fn decorated_values_name_their_label() {
        for found in ["PASS", "**PASS**", "PASS ✅", "pass", "`PASS`", "_PASS_.", "✅ **Pass**", "[PASS]"] {
            assert_eq!(match_label(found, VERDICT), Some("PASS"), "{found}");
        }
        assert_eq!(match_label("**needs_discussion** ⚠️", VERDICT), Some("NEEDS_DISCUSSION"));
    }

    #[test]
    fn other_values_name_no_label() {
        for found in ["PASSED", "PASS/FAIL", "NOT PASS", "", "**", "✅", "NEEDS DISCUSSION", "P ASS"] {
            assert_eq!(match_label(found, VERDICT), None, "{found}");
        }
    }

    #[test]
    fn an_exact_label_wins_and_folding_never_picks_between_two() {
        const BOTH: &[&str] = &["Pass", "PASS"];
        assert_eq!(match_label("PASS", BOTH), Some("PASS"));
        assert_eq!(match_label("Pass", BOTH), Some("Pass"));
        assert_eq!(match_label("pass", BOTH), None);
        assert_eq!(match_label("**PASS**", BOTH), Some("PASS"));
        assert_eq!(match_label("**pass**", BOTH), None);
    }
}
