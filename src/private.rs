//! The private contract between generated code and this crate: not part of the API.
//!
//! Generated modules are data: `agentbind-codegen` writes one invocation of each macro below
//! with the agent file's values (names, patterns, requirements, inputs, metrics, settings) and
//! the macros write the items. Everything generated code relies on is here, under a module
//! whose name carries the version of the contract (as serde's `__private` does), and the
//! runtime pins `agentbind-macros` with `=`: a macro and a runtime of different versions
//! cannot meet, and this module can change in any release.
//!
//! The macros are `#[macro_export]`ed under long unique names (that is where
//! `macro_export` puts them) and re-exported here under short ones. They name this crate
//! `::agentbind`, as generated code always has, rather than `$crate`: resolving `$crate` paths
//! made checking a crate of 45 agents about 30 ms slower (`-Z time-passes`, `resolve_crate`).

use crate::claude::{ClaudeCodeSettings, Tool};

pub use crate::metrics::set_field as set_metric;
pub use crate::reply::{FromOccurrence, ReplyWriter, WriteSection};
use crate::reply::{ReplyError, ReplySections};

/// Takes the first occurrence of the required section at `index` (`Section::X as usize`).
pub fn required<T: FromOccurrence>(sections: &mut ReplySections, index: usize) -> Result<T, ReplyError> {
    sections.required(index)
}

/// Takes the first occurrence of the section at `index`, if any.
pub fn optional<T: FromOccurrence>(
    sections: &mut ReplySections,
    index: usize,
) -> Result<Option<T>, ReplyError> {
    sections.optional(index)
}

/// Takes every occurrence of the repeated section at `index`, in reply order.
pub fn repeated<T: FromOccurrence>(sections: &mut ReplySections, index: usize) -> Result<Vec<T>, ReplyError> {
    sections.repeated(index)
}

/// `Some(values[0])`, or `None` for no value: how the macros read an optional value `[x]` or
/// `[]` without a macro call per value.
pub const fn first<T: Copy>(values: &[T]) -> Option<T> {
    match values {
        [value, ..] => Some(*value),
        [] => None,
    }
}

/// The body of an agent file: `file` (its whole text, from `include_str!`) from byte
/// `offset` on, as found when the bindings were generated.
pub const fn body_of(file: &'static str, offset: usize) -> &'static str {
    match file.split_at_checked(offset) {
        Some((_, body)) => body,
        None => panic!("the agent file changed while the crate was compiled: build again"),
    }
}

/// The `ClaudeCodeSettings` of an agent file, field by field in declaration order: generated
/// code builds the struct through this function, so the struct can gain fields.
#[allow(clippy::too_many_arguments)]
pub const fn claude_code_settings(
    disallowed_tools: &'static [Tool],
    permission_mode: Option<&'static str>,
    max_turns: Option<u32>,
    skills: &'static [&'static str],
    mcp_servers: &'static [&'static str],
    hooks: Option<&'static str>,
    memory: Option<&'static str>,
    background: Option<bool>,
    effort: Option<&'static str>,
    isolation: Option<&'static str>,
    initial_prompt: Option<&'static str>,
) -> ClaudeCodeSettings {
    ClaudeCodeSettings {
        disallowed_tools,
        permission_mode,
        max_turns,
        skills,
        mcp_servers,
        hooks,
        memory,
        background,
        effort,
        isolation,
        initial_prompt,
    }
}

pub use crate::__agentbind_v0_2_agent as agent;
pub use crate::__agentbind_v0_2_any_agent as any_agent;
pub use crate::__agentbind_v0_2_input as input;
pub use crate::__agentbind_v0_2_input_kind as input_kind;
pub use crate::__agentbind_v0_2_input_type as input_type;
pub use crate::__agentbind_v0_2_labeled_enum as labeled_enum;
pub use crate::__agentbind_v0_2_metrics as metrics;
pub use crate::__agentbind_v0_2_output as output;
pub use crate::__agentbind_v0_2_sections as sections;
pub use crate::__agentbind_v0_2_tool as tool;
pub use crate::__agentbind_v0_2_value as value;

/// One value of an open list: an identifier names a variant of `$kind`, a literal is
/// `$kind::Other(literal)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_value {
    (option []) => {
        ::core::option::Option::None
    };
    (option [$value:expr]) => {
        ::core::option::Option::Some($value)
    };
    ($kind:ident $variant:ident) => {
        ::agentbind::$kind::$variant
    };
    ($kind:ident $other:literal) => {
        ::agentbind::$kind::Other($other)
    };
}

/// A `Tool`: `Read`, `(Mcp "server" "tool")`, `(Scoped "Bash" "git:*")` or `(Other "text")`.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_tool {
    ($builtin:ident) => {
        ::agentbind::Tool::$builtin
    };
    ((Mcp $server:literal $tool:literal)) => {
        ::agentbind::Tool::Mcp { server: $server, tool: $tool }
    };
    ((Scoped $name:literal $argument:literal)) => {
        ::agentbind::Tool::Scoped { name: $name, argument: $argument }
    };
    ((Other $text:literal)) => {
        ::agentbind::Tool::Other($text)
    };
}

/// `Agent`: the unit struct, its constants, `dispatch` and its `agentbind::Agent` impl.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_agent {
    (
        $(#[$doc:meta])*
        name: $name:literal,
        description: $description:literal,
        model: $model:literal $model_kind:ident,
        version: [$($version:literal)?],
        last_updated: [$($last_updated:literal)?],
        kind: [$($kind:literal)?],
        tools: [$($tool:tt)*],
        color: [$($color:tt)?],
        claude_code: $claude_code:tt,
        error_handling: [$($on_blocker:tt $escalation_path:tt)?],
        source: $source:literal,
        prompt: $prompt:tt $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct Agent;

        impl Agent {
            /// `name` in the agent file.
            pub const NAME: &'static str = $name;
            /// `description` in the agent file.
            pub const DESCRIPTION: &'static str = $description;
            /// `model` in the agent file (`inherit` when it has none).
            pub const MODEL: &'static str = $model;
            /// `version` in the agent file.
            pub const VERSION: ::core::option::Option<&'static str> = ::agentbind::__private_v0_2::first(&[$($version)*]);
            /// `last_updated` in the agent file.
            pub const LAST_UPDATED: ::core::option::Option<&'static str> = ::agentbind::__private_v0_2::first(&[$($last_updated)*]);
            /// `type` in the agent file (specialist, reviewer, planning...).
            pub const KIND: ::core::option::Option<&'static str> = ::agentbind::__private_v0_2::first(&[$($kind)*]);
            /// `model` in the agent file, typed.
            pub const MODEL_KIND: ::agentbind::Model = ::agentbind::__agentbind_v0_2_agent!(@model $model_kind $model);
            /// `tools` in the agent file (empty when absent: Claude Code then allows every tool).
            pub const TOOLS: &'static [::agentbind::Tool] = &[$(::agentbind::__agentbind_v0_2_tool!($tool)),*];
            /// `color` in the agent file.
            pub const COLOR: ::core::option::Option<::agentbind::Color> =
                ::agentbind::__private_v0_2::first(&[$(::agentbind::__agentbind_v0_2_value!(Color $color))?]);
            /// The other Claude Code keys of the agent file (`disallowedTools`, `maxTurns`...).
            pub const CLAUDE_CODE: ::agentbind::ClaudeCodeSettings = ::agentbind::__agentbind_v0_2_agent!(@claude_code $claude_code);
            /// `error_handling` in the agent file.
            pub const ERROR_HANDLING: ::core::option::Option<::agentbind::ErrorHandling> =
                ::agentbind::__private_v0_2::first(&[$(::agentbind::ErrorHandling::new(
                    ::agentbind::__agentbind_v0_2_value!(OnBlocker $on_blocker),
                    ::agentbind::__agentbind_v0_2_value!(EscalationPath $escalation_path),
                ))?]);
            /// The agent file these bindings were generated from.
            pub const SOURCE: &'static str = $source;
            /// The markdown body of the agent file: the system prompt.
            pub const SYSTEM_PROMPT: &'static str = ::agentbind::__agentbind_v0_2_agent!(@prompt $prompt);

            /// Starts a dispatch of this agent with `input`.
            #[must_use]
            pub fn dispatch(input: Input) -> ::agentbind::Dispatch<Agent> {
                ::agentbind::Dispatch::new(input)
            }
        }

        impl ::agentbind::Agent for Agent {
            const NAME: &'static str = Agent::NAME;
            const DESCRIPTION: &'static str = Agent::DESCRIPTION;
            const MODEL: &'static str = Agent::MODEL;
            const VERSION: ::core::option::Option<&'static str> = Agent::VERSION;
            const SYSTEM_PROMPT: &'static str = Agent::SYSTEM_PROMPT;
            const MODEL_KIND: ::agentbind::Model = Agent::MODEL_KIND;
            const TOOLS: &'static [::agentbind::Tool] = Agent::TOOLS;
            const ERROR_HANDLING: ::core::option::Option<::agentbind::ErrorHandling> = Agent::ERROR_HANDLING;
            const COLOR: ::core::option::Option<::agentbind::Color> = Agent::COLOR;
            const CLAUDE_CODE: ::agentbind::ClaudeCodeSettings = Agent::CLAUDE_CODE;
            const INPUTS: &'static [::agentbind::InputField] = Agent::INPUTS;
            type Input = Input;
            type Output = Output;
            type Section = Section;
            type Context = InvocationContext;
            type Metrics = Metrics;
        }
    };
    (@model Id $model:literal) => { ::agentbind::Model::Id($model) };
    (@model $kind:ident $model:literal) => { ::agentbind::Model::$kind };
    // A tracked file is read by the compiler, which then rebuilds when it changes; the prompt
    // is a slice of it rather than a copy.
    (@prompt (file $path:literal $offset:literal)) => {
        ::agentbind::__private_v0_2::body_of(::core::include_str!($path), $offset)
    };
    (@prompt (text $text:literal)) => { $text };
    (@claude_code NONE) => { ::agentbind::ClaudeCodeSettings::NONE };
    (@claude_code {
        disallowed_tools: [$($tool:tt)*],
        permission_mode: [$($permission_mode:literal)?],
        max_turns: [$($max_turns:literal)?],
        skills: [$($skill:literal)*],
        mcp_servers: [$($mcp_server:literal)*],
        hooks: [$($hooks:literal)?],
        memory: [$($memory:literal)?],
        background: [$($background:literal)?],
        effort: [$($effort:literal)?],
        isolation: [$($isolation:literal)?],
        initial_prompt: [$($initial_prompt:literal)?] $(,)?
    }) => {
        ::agentbind::__private_v0_2::claude_code_settings(
            &[$(::agentbind::__agentbind_v0_2_tool!($tool)),*],
            ::agentbind::__private_v0_2::first(&[$($permission_mode)*]),
            ::agentbind::__private_v0_2::first(&[$($max_turns)*]),
            &[$($skill),*],
            &[$($mcp_server),*],
            ::agentbind::__private_v0_2::first(&[$($hooks)*]),
            ::agentbind::__private_v0_2::first(&[$($memory)*]),
            ::agentbind::__private_v0_2::first(&[$($background)*]),
            ::agentbind::__private_v0_2::first(&[$($effort)*]),
            ::agentbind::__private_v0_2::first(&[$($isolation)*]),
            ::agentbind::__private_v0_2::first(&[$($initial_prompt)*]),
        )
    };
}

/// The Rust type of an input kind: `String`, `Markdown`, `FileContent`, `FilePath`, `Object`,
/// `Integer`, `Number`, `Boolean`, `(List kind)` or `(Enum TypeName)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_input_type {
    (String) => { ::std::string::String };
    (Markdown) => { ::agentbind::Markdown };
    (FileContent) => { ::agentbind::FileContent };
    (FilePath) => { ::std::path::PathBuf };
    (Object) => { ::agentbind::JsonValue };
    (Integer) => { i64 };
    (Number) => { f64 };
    (Boolean) => { bool };
    ((List $inner:tt)) => { ::std::vec::Vec<::agentbind::__agentbind_v0_2_input_type!($inner)> };
    ((Enum $name:ident)) => { $name };
}

/// The `InputKind` of an input kind (see `input_type`), as a constant expression.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_input_kind {
    ((List $inner:tt)) => {
        ::agentbind::InputKind::List(&::agentbind::__agentbind_v0_2_input_kind!($inner))
    };
    ((Enum $name:ident)) => {
        ::agentbind::InputKind::Enum(<$name as ::agentbind::LabeledEnum>::LABELS)
    };
    ($kind:ident) => {
        ::agentbind::InputKind::$kind
    };
}

/// `Input`, `RequiredInput`, their constructors, `Agent::INPUTS` and the `AgentInput` impl.
///
/// Each required input is `(field "field" kind "name" "Title" "field doc" "description")`,
/// each optional one `(field "field" with_field kind ...)` (stable `macro_rules!` can make
/// neither the setter's name nor the unraw text of `r#type`); required inputs first.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_input {
    (
        $(#[$attr:meta])*
        required [$( ($req:ident $req_field:literal $req_kind:tt $req_name:literal $req_title:literal $req_doc:literal $req_description:literal) )*]
        optional [$( ($opt:ident $opt_field:literal $setter:ident $opt_kind:tt $opt_name:literal $opt_title:literal $opt_doc:literal $opt_description:literal) )*]
    ) => {
        ::agentbind::__agentbind_v0_2_input! {
            @struct [$(#[$attr])*] [$($req)*]
            $( #[doc = $req_doc] pub $req: ::agentbind::__agentbind_v0_2_input_type!($req_kind), )*
            $( #[doc = $opt_doc] pub $opt: ::core::option::Option<::agentbind::__agentbind_v0_2_input_type!($opt_kind)>, )*
        }

        ::agentbind::__agentbind_v0_2_input! {
            @new [$( ($req $req_kind $req_doc) )*] [$($opt)*]
        }

        impl Input {
            $(
                #[doc = ::core::concat!("Sets ", $opt_doc, ".")]
                #[must_use]
                pub fn $setter(mut self, value: impl ::core::convert::Into<::agentbind::__agentbind_v0_2_input_type!($opt_kind)>) -> Self {
                    self.$opt = ::core::option::Option::Some(value.into());
                    self
                }
            )*
        }

        impl Agent {
            /// The inputs (`input_schema`), in file order, for tool schemas and dynamic dispatch.
            pub const INPUTS: &'static [::agentbind::InputField] = &[
                $( ::agentbind::InputField::new($req_name, $req_field, $req_title, ::agentbind::__agentbind_v0_2_input_kind!($req_kind), true, $req_description), )*
                $( ::agentbind::InputField::new($opt_name, $opt_field, $opt_title, ::agentbind::__agentbind_v0_2_input_kind!($opt_kind), false, $opt_description), )*
            ];
        }

        impl ::agentbind::AgentInput for Input {
            #[allow(unused_variables)]
            fn render(&self, prompt: &mut ::agentbind::PromptBuilder) {
                $( prompt.field($req_title, &self.$req); )*
                $( prompt.field($opt_title, &self.$opt); )*
            }
        }
    };
    (@struct [$(#[$attr:meta])*] [] $($fields:tt)*) => {
        /// The input of this agent (`input_schema`): required context as plain fields,
        /// optional context as `Option`s.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq, Default)]
        $(#[$attr])*
        pub struct Input { $($fields)* }
    };
    (@struct [$(#[$attr:meta])*] [$($required:ident)+] $($fields:tt)*) => {
        /// The input of this agent (`input_schema`): required context as plain fields,
        /// optional context as `Option`s. Build it from a [`RequiredInput`], whose fields
        /// are named, then set optional context with the `with_*` methods.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq)]
        $(#[$attr])*
        pub struct Input { $($fields)* }
    };
    (@new [] [$($opt:ident)*]) => {
        impl Input {
            /// An input with no optional field set (this agent has no required inputs).
            #[must_use]
            pub fn new() -> Self {
                Self { $( $opt: ::core::option::Option::None, )* }
            }
        }
    };
    (@new [($req:ident $kind:tt $doc:literal)] [$($opt:ident)*]) => {
        ::agentbind::__agentbind_v0_2_input! { @required [($req $kind $doc)] [$($opt)*] }

        impl Input {
            /// An input with the required field set; optional fields are unset.
            #[must_use]
            pub fn new($req: impl ::core::convert::Into<::agentbind::__agentbind_v0_2_input_type!($kind)>) -> Self {
                Self { $req: $req.into(), $( $opt: ::core::option::Option::None, )* }
            }
        }
    };
    (@new [$( ($req:ident $kind:tt $doc:literal) )+] [$($opt:ident)*]) => {
        ::agentbind::__agentbind_v0_2_input! { @required [$( ($req $kind $doc) )+] [$($opt)*] }

        impl Input {
            /// An input with the required fields, in file order; optional fields are unset.
            ///
            /// Deprecated: its arguments follow the order of `required_context` in the agent
            /// file, so reordering the file silently swaps arguments of the same type. Build
            /// the input from a [`RequiredInput`] instead: `Input::from(RequiredInput { .. })`.
            #[deprecated(
                since = "0.2.0",
                note = "the arguments follow the agent file's order; use `Input::from(RequiredInput { .. })`, whose fields are named"
            )]
            #[allow(clippy::too_many_arguments)]
            #[must_use]
            pub fn new($( $req: impl ::core::convert::Into<::agentbind::__agentbind_v0_2_input_type!($kind)> ),+) -> Self {
                Self { $( $req: $req.into(), )+ $( $opt: ::core::option::Option::None, )* }
            }
        }
    };
    (@required [$( ($req:ident $kind:tt $doc:literal) )+] [$($opt:ident)*]) => {
        /// The required inputs of this agent, by name: `Input::from(RequiredInput { .. })`
        /// gives an [`Input`] with every optional field unset. Leaving a required input out
        /// does not compile, whatever the order of the agent file.
        #[derive(Debug, Clone, PartialEq)]
        pub struct RequiredInput {
            $( #[doc = $doc] pub $req: ::agentbind::__agentbind_v0_2_input_type!($kind), )+
        }

        impl ::core::convert::From<RequiredInput> for Input {
            fn from(required: RequiredInput) -> Self {
                Input { $( $req: required.$req, )+ $( $opt: ::core::option::Option::None, )* }
            }
        }
    };
}

/// `InvocationContext` and `Section`: the enums, their tables, the matcher and the
/// `ContextKind` and `SectionKind` impls.
///
/// Each context is `(Variant "name" [marker?] "doc")`; each section is
/// `(Variant "name" "pattern" once|repeated [labels?] requirement "doc")`, where `labels` is
/// `"lenient pattern" ["LABEL" ...]` for a section whose value is an enum, and
/// `requirement` is `Required`, `Optional` or `RequiredIn [Context ...]`. Optional parts are
/// read with `$(...)?` rather than helper rules: a macro call per value costs compile time.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_sections {
    (
        #[doc = $contexts_doc:literal]
        contexts [$( ($context:ident $context_name:literal [$($marker:literal)?] $context_doc:literal) )*]
        sections [$( (
            $section:ident $name:literal $pattern:literal $occurs:ident
            [$($scan:literal [$($label:literal)*])?]
            $requirement:ident $([$($required_in:ident)+])?
            $section_doc:literal
        ) )*]
    ) => {
        #[doc = $contexts_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum InvocationContext {
            $( #[doc = $context_doc] $context, )*
        }

        impl InvocationContext {
            /// Every context, in file order.
            pub const ALL: &'static [InvocationContext] = &[$( InvocationContext::$context ),*];
            const NAMES: &'static [&'static str] = &[$( $context_name ),*];
            const MARKERS: &'static [::core::option::Option<&'static str>] =
                &[$( ::agentbind::__private_v0_2::first(&[$($marker)*]) ),*];

            /// The context's name in the agent file.
            pub const fn name(self) -> &'static str {
                InvocationContext::NAMES[self as usize]
            }

            /// The marker a prompt in this context starts with (`prompt_contains`).
            pub const fn prompt_marker(self) -> ::core::option::Option<&'static str> {
                InvocationContext::MARKERS[self as usize]
            }
        }

        impl ::agentbind::ContextKind for InvocationContext {
            const ALL: &'static [Self] = InvocationContext::ALL;

            fn name(self) -> &'static str {
                InvocationContext::name(self)
            }

            fn prompt_marker(self) -> ::core::option::Option<&'static str> {
                InvocationContext::prompt_marker(self)
            }
        }

        /// The sections of this agent's reply (`output_schema.required_sections`), in file order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Section {
            $( #[doc = $section_doc] $section, )*
        }

        impl Section {
            /// Every section, in file order.
            pub const ALL: &'static [Section] = &[$( Section::$section ),*];
            const PATTERNS: &'static [::agentbind::SectionPattern] = &[$(
                ::agentbind::SectionPattern::$occurs($name, $pattern) $( .with_labels($scan, &[$($label),*]) )?
            ),*];
            const REQUIREMENTS: &'static [::agentbind::Requirement<InvocationContext>] = &[$(
                ::agentbind::Requirement::$requirement $( (&[$( InvocationContext::$required_in ),+]) )?
            ),*];

            /// The section's name in the agent file.
            pub const fn name(self) -> &'static str {
                Section::PATTERNS[self as usize].name
            }

            /// The section's pattern: a regular expression matched against each reply line.
            pub const fn pattern(self) -> &'static str {
                Section::PATTERNS[self as usize].pattern
            }

            /// When the section is required.
            pub const fn requirement(self) -> ::agentbind::Requirement<InvocationContext> {
                Section::REQUIREMENTS[self as usize]
            }
        }

        impl ::agentbind::SectionKind for Section {
            type Context = InvocationContext;
            const ALL: &'static [Self] = Section::ALL;
            const PATTERNS: &'static [::agentbind::SectionPattern] = Section::PATTERNS;
            const REQUIREMENTS: &'static [::agentbind::Requirement<InvocationContext>] = Section::REQUIREMENTS;

            fn index(self) -> usize {
                self as usize
            }

            fn matcher() -> &'static ::agentbind::SectionMatcher {
                static MATCHER: ::std::sync::OnceLock<::agentbind::SectionMatcher> = ::std::sync::OnceLock::new();
                MATCHER.get_or_init(|| ::agentbind::SectionMatcher::new(Section::PATTERNS))
            }
        }
    };
}

/// `Output` and its `AgentOutput` impl. Each field is
/// `(field Section required|optional|repeated Text|(Value Enum) "doc")`; an agent without
/// sections gets `free_text`: the whole reply, unchecked.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_output {
    ($(#[$attr:meta])* free_text) => {
        /// The reply of this agent. It declares no reply sections, so nothing is checked and
        /// the whole text is kept.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq)]
        $(#[$attr])*
        pub struct Output {
            /// The whole reply (without a leading byte-order mark).
            pub text: ::std::string::String,
        }

        impl Output {
            /// The reply text, as it was received.
            #[must_use]
            pub fn to_markdown(&self) -> ::std::string::String {
                self.text.clone()
            }
        }

        impl ::agentbind::AgentOutput for Output {
            fn from_reply(
                reply: &str,
                _sections: &mut ::agentbind::ReplySections,
            ) -> ::core::result::Result<Self, ::agentbind::ReplyError> {
                ::core::result::Result::Ok(Output { text: reply.into() })
            }
        }
    };
    ($(#[$attr:meta])* [$( ($field:ident $section:ident $take:ident $value:tt $doc:literal) )+]) => {
        /// The typed reply of this agent: one field per section. Required sections are plain
        /// values; optional and conditionally required ones are `Option`s; repeated sections
        /// are `Vec`s holding every occurrence in reply order.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq)]
        $(#[$attr])*
        pub struct Output {
            $( #[doc = $doc] pub $field: ::agentbind::__agentbind_v0_2_output!(@type $take $value), )+
        }

        impl Output {
            /// Writes this reply back to markdown, sections in file order. Parsing the result
            /// gives this `Output` back, as long as no body holds a line that starts a section.
            #[must_use]
            pub fn to_markdown(&self) -> ::std::string::String {
                let mut writer =
                    ::agentbind::__private_v0_2::ReplyWriter::new(<Section as ::agentbind::SectionKind>::matcher());
                $( writer.section(Section::$section as usize, &self.$field); )+
                writer.finish()
            }
        }

        impl ::agentbind::AgentOutput for Output {
            fn from_reply(
                _reply: &str,
                sections: &mut ::agentbind::ReplySections,
            ) -> ::core::result::Result<Self, ::agentbind::ReplyError> {
                ::core::result::Result::Ok(Output {
                    $( $field: ::agentbind::__private_v0_2::$take(sections, Section::$section as usize)?, )+
                })
            }
        }
    };
    (@type required Text) => { ::agentbind::SectionText };
    (@type optional Text) => { ::core::option::Option<::agentbind::SectionText> };
    (@type repeated Text) => { ::std::vec::Vec<::agentbind::SectionText> };
    (@type required (Value $name:ident)) => { ::agentbind::Captured<$name> };
    (@type optional (Value $name:ident)) => { ::core::option::Option<::agentbind::Captured<$name>> };
    (@type repeated (Value $name:ident)) => { ::std::vec::Vec<::agentbind::Captured<$name>> };
}

/// `Metrics`, `Metric` and their impls. Each metric is
/// `(field Variant "name" Kind "doc" "description")`, `Kind` one of `Integer`, `Float`,
/// `Percentage`, `Boolean`, `Fraction`.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_metrics {
    ($(#[$attr:meta])* [$( ($field:ident $variant:ident $name:literal $kind:ident $doc:literal $description:literal) )*]) => {
        /// The metrics this agent reports (`metrics`), one plain field per metric.
        #[::agentbind::data]
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        $(#[$attr])*
        pub struct Metrics {
            $( #[doc = $doc] pub $field: ::agentbind::__agentbind_v0_2_metrics!(@type $kind), )*
        }

        /// The names of this agent's metrics.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Metric {
            $( #[doc = $doc] $variant, )*
        }

        impl Metric {
            /// Every metric, in file order.
            pub const ALL: &'static [Metric] = &[$( Metric::$variant ),*];
            const NAMES: &'static [&'static str] = &[$( $name ),*];
            const DESCRIPTIONS: &'static [&'static str] = &[$( $description ),*];
            const KINDS: &'static [::agentbind::MetricKind] = &[$( ::agentbind::MetricKind::$kind ),*];

            /// The metric's name in the agent file.
            pub const fn name(self) -> &'static str {
                Metric::NAMES[self as usize]
            }

            /// The metric's description in the agent file (empty when it has none).
            pub const fn description(self) -> &'static str {
                Metric::DESCRIPTIONS[self as usize]
            }

            /// The metric's declared type.
            pub const fn kind(self) -> ::agentbind::MetricKind {
                Metric::KINDS[self as usize]
            }
        }

        impl ::agentbind::MetricName for Metric {
            const ALL: &'static [Self] = Metric::ALL;
            fn name(self) -> &'static str {
                Metric::name(self)
            }
            fn kind(self) -> ::agentbind::MetricKind {
                Metric::kind(self)
            }
        }

        impl ::agentbind::AgentMetrics for Metrics {
            type Metric = Metric;
            #[allow(unused_variables)]
            fn set_value(
                &mut self,
                metric: Metric,
                value: ::agentbind::MetricValue,
            ) -> ::core::result::Result<(), ::agentbind::MetricError> {
                match metric {
                    $( Metric::$variant => ::agentbind::__private_v0_2::set_metric(&mut self.$field, $name, value), )*
                }
            }
            fn value(&self, metric: Metric) -> ::agentbind::MetricValue {
                match metric {
                    $( Metric::$variant => ::agentbind::MetricField::to_metric_value(self.$field), )*
                }
            }
        }

        impl Metrics {
            /// Sets `metric` to `value` (`3`, `12.5`, `true`, `agentbind::Percentage(2.5)`...);
            /// fails, changing nothing, when the value is not of the metric's kind.
            pub fn set(
                &mut self,
                metric: Metric,
                value: impl ::core::convert::Into<::agentbind::MetricValue>,
            ) -> ::core::result::Result<(), ::agentbind::MetricError> {
                ::agentbind::AgentMetrics::set_value(self, metric, value.into())
            }

            /// The value of `metric`.
            pub fn get(&self, metric: Metric) -> ::agentbind::MetricValue {
                ::agentbind::AgentMetrics::value(self, metric)
            }

            /// Reads the metrics block of a reply (a `## Metrics` section of `name: value`
            /// lines, or a fenced JSON object); see `agentbind::parse_metrics`.
            pub fn from_reply(
                reply: &str,
            ) -> ::core::result::Result<::agentbind::FilledMetrics<Self>, ::agentbind::MetricsError> {
                ::agentbind::parse_metrics(reply)
            }
        }
    };
    (@type Integer) => { i64 };
    (@type Float) => { f64 };
    (@type Percentage) => { ::agentbind::Percentage };
    (@type Boolean) => { bool };
    (@type Fraction) => { ::agentbind::Fraction };
}

/// The build script's `AnyAgent`: one variant per generated module, for routing by name.
/// Each agent is `(Variant module "doc")`.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_2_any_agent {
    ($( ($variant:ident $module:ident $doc:literal) )*) => {
        /// Every agent generated by the build script, for routing by name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AnyAgent {
            $( #[doc = $doc] $variant, )*
        }

        impl AnyAgent {
            /// Every agent, in build order.
            pub const ALL: &'static [AnyAgent] = &[$( AnyAgent::$variant ),*];

            /// Every agent as a registry, to route by name or by Task call.
            pub const REGISTRY: ::agentbind::Registry =
                ::agentbind::Registry::new(&[$( ::agentbind::dyn_agent::<$module::Agent>() ),*]);

            /// The agent whose `name` is `name`.
            pub fn from_name(name: &str) -> ::core::option::Option<AnyAgent> {
                AnyAgent::ALL.iter().copied().find(|agent| agent.name() == name)
            }

            /// `name` in the agent file.
            pub const fn name(self) -> &'static str {
                match self {
                    $( AnyAgent::$variant => $module::Agent::NAME, )*
                }
            }

            /// `description` in the agent file.
            pub const fn description(self) -> &'static str {
                match self {
                    $( AnyAgent::$variant => $module::Agent::DESCRIPTION, )*
                }
            }

            /// `model` in the agent file.
            pub const fn model(self) -> &'static str {
                match self {
                    $( AnyAgent::$variant => $module::Agent::MODEL, )*
                }
            }

            /// The markdown body of the agent file: its system prompt.
            pub const fn system_prompt(self) -> &'static str {
                match self {
                    $( AnyAgent::$variant => $module::Agent::SYSTEM_PROMPT, )*
                }
            }

            /// Everything the agent's constants give (tools, model, color, settings, sections,
            /// inputs), its tool definitions and, with the `serde` feature, dispatches from JSON.
            pub const fn entry(self) -> &'static dyn ::agentbind::DynAgent {
                match self {
                    $( AnyAgent::$variant => ::agentbind::dyn_agent::<$module::Agent>(), )*
                }
            }
        }
    };
}
