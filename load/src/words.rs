//! From codegen's typed model to the runtime's types, word by word: both are defined from the
//! lists of `agentbind-vocab`, so each mapping is generated from the same list and a word added
//! there is mapped here without an edit.

use agentbind::{Color, EscalationPath, InputKind, MetricKind, Model, OnBlocker};
use agentbind_codegen::{ModelAlias, ScalarType};

/// `fn $name(word) -> $ty<'_>`: the variant spelled `word`, or `$ty::$other(word)`.
macro_rules! open_word {
    ($name:ident $ty:ident $other:ident; $($variant:ident $word:literal $doc:literal),* $(,)?) => {
        /// The value spelled `text`, or the open variant holding it.
        pub(crate) fn $name(text: &str) -> $ty<'_> {
            match text {
                $( $word => $ty::$variant, )*
                other => $ty::$other(other),
            }
        }
    };
}
agentbind_vocab::colors!(open_word color_of Color Other;);
agentbind_vocab::on_blocker_values!(open_word on_blocker_of OnBlocker Other;);
agentbind_vocab::escalation_path_values!(open_word escalation_path_of EscalationPath Other;);

/// `fn $name(codegen) -> runtime`: the variant of the same name.
macro_rules! same_variant {
    ($name:ident $from:ident $to:ident;
        $($variant:ident $word:literal $([$($alias:literal),*])? $({$($rust_type:tt)*})? $doc:literal),* $(,)?) => {
        /// The runtime's variant of the same name.
        pub(crate) fn $name(value: $from) -> $to<'static> {
            match value {
                $( $from::$variant => $to::$variant, )*
            }
        }
    };
}
agentbind_vocab::input_types!(same_variant scalar_kind ScalarType InputKind;);
agentbind_vocab::model_aliases!(same_variant model_alias ModelAlias Model;);

/// `MetricKind` has no lifetime: the same mapping without one.
macro_rules! same_metric_kind {
    ($($variant:ident $word:literal $({$($rust_type:tt)*})? $doc:literal),* $(,)?) => {
        /// The runtime's metric kind of the same name.
        pub(crate) fn metric_kind(value: agentbind_codegen::MetricKind) -> MetricKind {
            match value {
                $( agentbind_codegen::MetricKind::$variant => MetricKind::$variant, )*
            }
        }
    };
}
agentbind_vocab::metric_types!(same_metric_kind);

/// `list[T]` kinds are held as `&'a InputKind<'a>`, and the item type of a list is a scalar or
/// another list, never an enum: every list kind up to this depth is a `'static` constant.
pub const MAX_LIST_DEPTH: usize = 4;

/// `list[...]` of `scalar`, `depth` levels deep (1 to [`MAX_LIST_DEPTH`]).
pub(crate) fn list_kind(scalar: ScalarType, depth: usize) -> Option<InputKind<'static>> {
    macro_rules! lists {
        ($($variant:ident $word:literal $([$($alias:literal),*])? $({$($rust_type:tt)*})? $doc:literal),* $(,)?) => {
            match (scalar, depth) {
                $(
                    (ScalarType::$variant, 1) => Some(InputKind::List(&InputKind::$variant)),
                    (ScalarType::$variant, 2) => Some(InputKind::List(&InputKind::List(&InputKind::$variant))),
                    (ScalarType::$variant, 3) => {
                        Some(InputKind::List(&InputKind::List(&InputKind::List(&InputKind::$variant))))
                    }
                    (ScalarType::$variant, 4) => Some(InputKind::List(&InputKind::List(&InputKind::List(
                        &InputKind::List(&InputKind::$variant),
                    )))),
                )*
                _ => None,
            }
        };
    }
    agentbind_vocab::input_types!(lists)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_map_to_the_runtime_s_variants() {
        assert_eq!(color_of("cyan"), Color::Cyan);
        assert_eq!(color_of("teal"), Color::Other("teal"));
        assert_eq!(scalar_kind(ScalarType::FileContent), InputKind::FileContent);
        assert_eq!(model_alias(ModelAlias::Opus), Model::Opus);
        assert_eq!(
            list_kind(ScalarType::Integer, 2),
            Some(InputKind::List(&InputKind::List(&InputKind::Integer)))
        );
        assert_eq!(list_kind(ScalarType::Integer, MAX_LIST_DEPTH + 1), None);
    }
}
