//! # agentbind-vocab
//!
//! The closed lists of the agent-file format, written once. `agentbind-codegen` reads agent
//! files with them and emits Rust variant names from them; the `agentbind` runtime defines its
//! enums (`Tool`, `Model`, `Color`, `InputKind`, `MetricKind`, `OnBlocker`, `EscalationPath`)
//! from them. A word added here is known to both, so the two cannot drift apart.
//!
//! Each list is a macro that calls back a macro of the caller's with the entries, as
//! `Variant "word" "doc"` (input types add `[aliases]`, and input and metric types a
//! `{Rust type}`, before the doc), so that the caller can build an enum, a `match`, or a
//! table; tokens after the callback's name are passed first:
//!
//! ```
//! macro_rules! words {
//!     ($($variant:ident $word:literal $doc:literal),* $(,)?) => {
//!         const WORDS: &[&str] = &[$($word),*];
//!     };
//! }
//! agentbind_vocab::colors!(words);
//! assert!(WORDS.contains(&"cyan"));
//! ```
//!
//! The same lists as tables of [`Word`]s are in the constants below.

#![no_std]

/// The most heap a section pattern may take once compiled by regex-lite (its `size_limit`):
/// 16 KiB. Matching costs the reply's length times the compiled size, so a pattern such as
/// `^(?:a?){3000}a{3000}$` (400 KB compiled) would take seconds per reply line. The largest
/// pattern of the 45 Ring agents takes 1.7 KB; at the limit, a 64 KB line takes about 0.25 ms.
/// Codegen refuses bigger patterns where they are written; the runtime compiles with the same
/// limit.
pub const PATTERN_SIZE_LIMIT: usize = 16 * 1024;

/// One word of a list: as written in agent files, and the Rust variant it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// The word in agent files (`file_content`, `LS`, `red`).
    pub word: &'static str,
    /// The variant of the runtime's enum (`FileContent`, `Ls`, `Red`).
    pub variant: &'static str,
    /// Other spellings that mean the same (`float` for `number`).
    pub aliases: &'static [&'static str],
}

impl Word {
    /// The entry of `list` spelled `text`, as written or as an alias.
    pub fn find(list: &'static [Word], text: &str) -> Option<&'static Word> {
        list.iter().find(|w| w.word == text || w.aliases.contains(&text))
    }

    /// The words of `list`, joined by `, ` (for "expected one of" messages).
    pub fn join(list: &[Word], out: &mut dyn core::fmt::Write) -> core::fmt::Result {
        for (i, w) in list.iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            out.write_str(w.word)?;
        }
        Ok(())
    }
}

/// The built-in Claude Code tools of `tools` and `disallowedTools`:
/// `Variant "Name" "doc"`.
#[macro_export]
macro_rules! builtin_tools {
    ($callback:ident $($args:tt)*) => {
        $callback! {
            $($args)*
            Agent "Agent" "`Agent`: starts a subagent (the newer name of `Task`).",
            Bash "Bash" "`Bash`.",
            BashOutput "BashOutput" "`BashOutput`.",
            Edit "Edit" "`Edit`.",
            ExitPlanMode "ExitPlanMode" "`ExitPlanMode`.",
            Glob "Glob" "`Glob`.",
            Grep "Grep" "`Grep`.",
            KillShell "KillShell" "`KillShell`.",
            Ls "LS" "`LS`.",
            MultiEdit "MultiEdit" "`MultiEdit`.",
            NotebookEdit "NotebookEdit" "`NotebookEdit`.",
            NotebookRead "NotebookRead" "`NotebookRead`.",
            Read "Read" "`Read`.",
            Skill "Skill" "`Skill`.",
            SlashCommand "SlashCommand" "`SlashCommand`.",
            Task "Task" "`Task`: starts a subagent.",
            TodoWrite "TodoWrite" "`TodoWrite`.",
            WebFetch "WebFetch" "`WebFetch`.",
            WebSearch "WebSearch" "`WebSearch`.",
            Write "Write" "`Write`.",
        }
    };
}

/// The model aliases of `model` (a full `claude-...` id is also accepted, and no `model`
/// means `inherit`): `Variant "alias" "doc"`.
#[macro_export]
macro_rules! model_aliases {
    ($callback:ident $($args:tt)*) => {
        $callback! {
            $($args)*
            Sonnet "sonnet" "`sonnet`.",
            Opus "opus" "`opus`.",
            Haiku "haiku" "`haiku`.",
            Inherit "inherit" "`inherit`, or no `model` key: the caller's model.",
        }
    };
}

/// The named colours of `color` (any other value is kept as written): `Variant "colour" "doc"`.
#[macro_export]
macro_rules! colors {
    ($callback:ident $($args:tt)*) => {
        $callback! {
            $($args)*
            Red "red" "`red`.",
            Blue "blue" "`blue`.",
            Green "green" "`green`.",
            Yellow "yellow" "`yellow`.",
            Purple "purple" "`purple`.",
            Orange "orange" "`orange`.",
            Pink "pink" "`pink`.",
            Cyan "cyan" "`cyan`.",
        }
    };
}

/// The scalar input types of `input_schema` (besides `list`, `list[<type>]` and `enum:` on a
/// `string`): `Variant "type" [aliases] {Rust type} "doc"`. The Rust type is the field type of
/// generated inputs, written as generated code writes it.
#[macro_export]
macro_rules! input_types {
    ($callback:ident $($args:tt)*) => {
        $callback! {
            $($args)*
            String "string" [] {::std::string::String} "`string`.",
            Markdown "markdown" [] {::agentbind::Markdown} "`markdown`.",
            FileContent "file_content" [] {::agentbind::FileContent} "`file_content`.",
            FilePath "file_path" [] {::std::path::PathBuf} "`file_path`.",
            Object "object" [] {::agentbind::JsonValue} "`object`.",
            Integer "integer" [] {i64} "`integer`.",
            Number "number" ["float"] {f64} "`number` (or `float`).",
            Boolean "boolean" [] {bool} "`boolean`.",
        }
    };
}

/// The metric types of `metrics`: `Variant "type" {Rust type} "doc"`. The Rust type is the
/// field type of generated metrics, written as generated code writes it.
#[macro_export]
macro_rules! metric_types {
    ($callback:ident $($args:tt)*) => {
        $callback! {
            $($args)*
            Integer "integer" {i64} "`integer`, held as `i64`.",
            Float "float" {f64} "`float`, held as `f64`.",
            Percentage "percentage" {::agentbind::Percentage} "`percentage`, held as `agentbind::Percentage`.",
            Boolean "boolean" {bool} "`boolean`, held as `bool`.",
            Fraction "fraction" {::agentbind::Fraction} "`fraction`, held as `agentbind::Fraction`.",
        }
    };
}

/// The known values of `error_handling.on_blocker` (others are kept as written).
#[macro_export]
macro_rules! on_blocker_values {
    ($callback:ident $($args:tt)*) => {
        $callback! {
            $($args)*
            PauseAndReport "pause_and_report" "`pause_and_report`: stop and report the blocker in the reply.",
        }
    };
}

/// The known values of `error_handling.escalation_path` (others are kept as written).
#[macro_export]
macro_rules! escalation_path_values {
    ($callback:ident $($args:tt)*) => {
        $callback! {
            $($args)*
            Orchestrator "orchestrator" "`orchestrator`: the calling orchestrator handles escalations.",
        }
    };
}

/// Defines the constant `$name` (with `$doc`) as the table of a list (the Rust types of input
/// and metric types are for generated code, not for the table).
macro_rules! table {
    (
        $name:ident $doc:literal;
        $($variant:ident $word:literal $([$($alias:literal),*])? $({$($rust_type:tt)*})? $doc_of:literal),* $(,)?
    ) => {
        #[doc = $doc]
        pub const $name: &[Word] =
            &[$(Word { word: $word, variant: stringify!($variant), aliases: &[$($($alias),*)?] }),*];
    };
}

builtin_tools!(table BUILTIN_TOOLS "The built-in Claude Code tools (see [`builtin_tools!`]).";);
model_aliases!(table MODEL_ALIASES "The model aliases (see [`model_aliases!`]).";);
colors!(table COLORS "The named colours (see [`colors!`]).";);
input_types!(table INPUT_TYPES "The scalar input types (see [`input_types!`]).";);
metric_types!(table METRIC_TYPES "The metric types (see [`metric_types!`]).";);
on_blocker_values!(table ON_BLOCKER_VALUES "The known `on_blocker` values (see [`on_blocker_values!`]).";);
escalation_path_values!(table ESCALATION_PATH_VALUES "The known `escalation_path` values (see [`escalation_path_values!`]).";);
