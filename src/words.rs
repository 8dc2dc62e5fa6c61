//! The enums of the format's closed lists, defined from `agentbind-vocab` so that the runtime
//! and the code generator know the same words.

/// An enum of the words of a list plus a variant for any other value as written, with
/// `as_str` and `Display`. Called back by the lists of `agentbind-vocab`:
/// `agentbind_vocab::colors!(open_word_enum #[doc = "..."] Color, Other, "doc of Other";)`.
macro_rules! open_word_enum {
    (
        $(#[$attr:meta])* $name:ident, $other:ident, $other_doc:literal;
        $($variant:ident $word:literal $doc:literal),* $(,)?
    ) => {
        $(#[$attr])*
        ///
        /// `'static` in generated code; an agent loaded at run time borrows its own text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name<'a> {
            $( #[doc = $doc] $variant, )*
            #[doc = $other_doc]
            $other(&'a str),
        }

        impl<'a> $name<'a> {
            /// The value as written in the file.
            pub const fn as_str(self) -> &'a str {
                match self {
                    $( $name::$variant => $word, )*
                    $name::$other(text) => text,
                }
            }
        }

        impl ::core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// An enum of exactly the words of a list, with `as_str`. Called back by the lists of
/// `agentbind-vocab`: `agentbind_vocab::metric_types!(closed_word_enum #[doc = "..."] MetricKind;)`.
macro_rules! closed_word_enum {
    (
        $(#[$attr:meta])* $name:ident;
        $($variant:ident $word:literal $({$($rust_type:tt)*})? $doc:literal),* $(,)?
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( #[doc = $doc] $variant, )*
        }

        impl $name {
            /// The word as written in the agent file.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $word, )*
                }
            }
        }
    };
}
