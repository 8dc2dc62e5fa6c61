//! The typed model's enums of the format's closed lists, defined from `agentbind-vocab`: the
//! words this crate reads are the ones the runtime's enums have, and the variant names it
//! emits are theirs.

/// An enum of exactly the words of a list, with `file_name`, `variant` and `from_word`, and
/// `rust_type` for the lists that give each word's Rust type (input and metric types).
/// Called back by the lists of `agentbind-vocab`.
macro_rules! closed_vocab_enum {
    (
        $(#[$attr:meta])* $name:ident;
        $($variant:ident $word:literal $([$($alias:literal),*])? {$($rust_type:tt)*} $doc:literal),* $(,)?
    ) => {
        closed_vocab_enum! { $(#[$attr])* $name; $($variant $word $([$($alias),*])? $doc),* }

        impl $name {
            /// The Rust type a value is held as, as generated code writes it.
            pub fn rust_type(self) -> &'static str {
                match self {
                    $( $name::$variant => stringify!($($rust_type)*), )*
                }
            }
        }
    };
    (
        $(#[$attr:meta])* $name:ident;
        $($variant:ident $word:literal $([$($alias:literal),*])? $doc:literal),* $(,)?
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $( #[doc = $doc] $variant, )*
        }

        impl $name {
            /// The word in agent files.
            pub fn file_name(self) -> &'static str {
                match self {
                    $( $name::$variant => $word, )*
                }
            }

            /// The name of the runtime enum's variant.
            pub fn variant(self) -> &'static str {
                match self {
                    $( $name::$variant => stringify!($variant), )*
                }
            }

            /// The entry spelled `text`, or one of its aliases.
            pub fn from_word(text: &str) -> Option<Self> {
                match text {
                    $( $word $($(| $alias)*)? => Some($name::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

/// The words of `table`, joined by `, `.
pub(crate) fn words(table: &[agentbind_vocab::Word]) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = agentbind_vocab::Word::join(table, &mut out);
    out
}
