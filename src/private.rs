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
use crate::inputs::InputKind;
use crate::labeled::LabeledEnum;

pub use crate::metrics::set_field as set_metric;
pub use crate::reply::{FromOccurrence, ReplyWriter, WriteSection};
use crate::reply::{ReplyError, ReplySections};

/// Takes the first occurrence of the required section at `index` (`Section::X as usize`).
pub fn required<T: FromOccurrence>(sections: &mut ReplySections<'_>, index: usize) -> Result<T, ReplyError> {
    sections.required(index)
}

/// Takes the first occurrence of the section at `index`, if any.
pub fn optional<T: FromOccurrence>(
    sections: &mut ReplySections<'_>,
    index: usize,
) -> Result<Option<T>, ReplyError> {
    sections.optional(index)
}

/// Takes every occurrence of the repeated section at `index`, in reply order.
pub fn repeated<T: FromOccurrence>(
    sections: &mut ReplySections<'_>,
    index: usize,
) -> Result<Vec<T>, ReplyError> {
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

/// The `InputKind` of an input's Rust type: how `Agent::INPUTS` gets each input's kind from
/// the field's type, so that generated code names the type once. Implemented for the scalar
/// types of `agentbind_vocab::input_types!`, for `Vec<T>` (`list[T]`) and for every label enum
/// (`string` with `enum:`).
pub trait InputType {
    /// The input kind of this type.
    const KIND: InputKind<'static>;
}

impl<T: InputType> InputType for Vec<T> {
    const KIND: InputKind<'static> = InputKind::List(&T::KIND);
}

impl<T: LabeledEnum> InputType for T {
    const KIND: InputKind<'static> = InputKind::Enum(T::LABELS);
}

/// The body of an agent file: `file` (its whole text, from `include_str!`) from byte
/// `offset` on, as found when the bindings were generated.
pub const fn body_of(file: &'static str, offset: usize) -> &'static str {
    match file.split_at_checked(offset) {
        Some((_, body)) => body,
        None => panic!("the agent file changed while the crate was compiled: build again"),
    }
}

/// `settings[0]`, or `ClaudeCodeSettings::NONE` for a file without Claude Code keys.
pub const fn claude_code_or_none(settings: &[ClaudeCodeSettings<'static>]) -> ClaudeCodeSettings<'static> {
    match settings {
        [settings, ..] => *settings,
        [] => ClaudeCodeSettings::NONE,
    }
}

/// The `ClaudeCodeSettings` of an agent file, field by field in declaration order: generated
/// code builds the struct through this function, so the struct can gain fields.
#[allow(clippy::too_many_arguments)]
pub const fn claude_code_settings(
    disallowed_tools: &'static [Tool<'static>],
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
) -> ClaudeCodeSettings<'static> {
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

pub use crate::__agentbind_v0_3_agent as agent;
pub use crate::__agentbind_v0_3_any_agent as any_agent;
pub use crate::__agentbind_v0_3_contexts as contexts;
pub use crate::__agentbind_v0_3_input as input;
pub use crate::__agentbind_v0_3_labeled_enum as labeled_enum;
pub use crate::__agentbind_v0_3_metrics as metrics;
pub use crate::__agentbind_v0_3_output as output;
pub use crate::__agentbind_v0_3_sections as sections;
pub use crate::__agentbind_v0_3_tool as tool;

/// A `Tool`: `Read`, `(Mcp "server" "tool")`, `(Scoped "Bash" "git:*")` or `(Other "text")`.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_tool {
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
macro_rules! __agentbind_v0_3_agent {
    (
        $(#[$doc:meta])*
        name: $name:literal,
        description: $description:literal,
        model: $model:literal $model_kind:ident $(($model_id:literal))?,
        version: [$($version:literal)?],
        last_updated: [$($last_updated:literal)?],
        kind: [$($kind:literal)?],
        tools: [$($tool:tt)*],
        color: [$($color:ident $(($other_color:literal))?)?],
        claude_code: [$({
            disallowed_tools: [$($disallowed_tool:tt)*],
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
        })?],
        error_handling: [$(
            $on_blocker:ident $(($other_on_blocker:literal))?
            $escalation_path:ident $(($other_escalation_path:literal))?
        )?],
        source: $source:literal,
        prompt: $(file $path:literal $offset:literal)? $(text $text:literal)? $(,)?
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
            pub const VERSION: ::core::option::Option<&'static str> = ::agentbind::__private_v0_3::first(&[$($version)*]);
            /// `last_updated` in the agent file.
            pub const LAST_UPDATED: ::core::option::Option<&'static str> = ::agentbind::__private_v0_3::first(&[$($last_updated)*]);
            /// `type` in the agent file (specialist, reviewer, planning...).
            pub const KIND: ::core::option::Option<&'static str> = ::agentbind::__private_v0_3::first(&[$($kind)*]);
            /// `model` in the agent file, typed.
            pub const MODEL_KIND: ::agentbind::Model<'static> = ::agentbind::Model::$model_kind $(($model_id))?;
            /// `tools` in the agent file (empty when absent: Claude Code then allows every tool).
            pub const TOOLS: &'static [::agentbind::Tool<'static>] = &[$(::agentbind::__agentbind_v0_3_tool!($tool)),*];
            /// `color` in the agent file.
            pub const COLOR: ::core::option::Option<::agentbind::Color<'static>> =
                ::agentbind::__private_v0_3::first(&[$(::agentbind::Color::$color $(($other_color))?)?]);
            /// The other Claude Code keys of the agent file (`disallowedTools`, `maxTurns`...).
            pub const CLAUDE_CODE: ::agentbind::ClaudeCodeSettings<'static> =
                ::agentbind::__private_v0_3::claude_code_or_none(&[$(::agentbind::__private_v0_3::claude_code_settings(
                    &[$(::agentbind::__agentbind_v0_3_tool!($disallowed_tool)),*],
                    ::agentbind::__private_v0_3::first(&[$($permission_mode)*]),
                    ::agentbind::__private_v0_3::first(&[$($max_turns)*]),
                    &[$($skill),*],
                    &[$($mcp_server),*],
                    ::agentbind::__private_v0_3::first(&[$($hooks)*]),
                    ::agentbind::__private_v0_3::first(&[$($memory)*]),
                    ::agentbind::__private_v0_3::first(&[$($background)*]),
                    ::agentbind::__private_v0_3::first(&[$($effort)*]),
                    ::agentbind::__private_v0_3::first(&[$($isolation)*]),
                    ::agentbind::__private_v0_3::first(&[$($initial_prompt)*]),
                ))?]);
            /// `error_handling` in the agent file.
            pub const ERROR_HANDLING: ::core::option::Option<::agentbind::ErrorHandling<'static>> =
                ::agentbind::__private_v0_3::first(&[$(::agentbind::ErrorHandling::new(
                    ::agentbind::OnBlocker::$on_blocker $(($other_on_blocker))?,
                    ::agentbind::EscalationPath::$escalation_path $(($other_escalation_path))?,
                ))?]);
            /// The agent file these bindings were generated from.
            pub const SOURCE: &'static str = $source;
            /// The markdown body of the agent file: the system prompt.
            // A tracked file is read by the compiler, which then rebuilds when it changes; the
            // prompt is a slice of it rather than a copy.
            pub const SYSTEM_PROMPT: &'static str =
                $(::agentbind::__private_v0_3::body_of(::core::include_str!($path), $offset))? $($text)?;

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
            const MODEL_KIND: ::agentbind::Model<'static> = Agent::MODEL_KIND;
            const TOOLS: &'static [::agentbind::Tool<'static>] = Agent::TOOLS;
            const ERROR_HANDLING: ::core::option::Option<::agentbind::ErrorHandling<'static>> = Agent::ERROR_HANDLING;
            const COLOR: ::core::option::Option<::agentbind::Color<'static>> = Agent::COLOR;
            const CLAUDE_CODE: ::agentbind::ClaudeCodeSettings<'static> = Agent::CLAUDE_CODE;
            const INPUTS: &'static [::agentbind::InputField<'static>] = Agent::INPUTS;
            type Input = Input;
            type Output = Output;
            type Section = Section;
            type Context = InvocationContext;
            type Metrics = Metrics;
        }
    };
}

/// `Input`, `RequiredInput`, their constructors, `Agent::INPUTS` and the `AgentInput` impl.
///
/// Each required input is `(field "field" [Type] "name" "Title" "field doc" "description")`,
/// each optional one `(field "field" with_field [Type] ...)` (stable `macro_rules!` can make
/// neither the setter's name nor the unraw text of `r#type`); required inputs first. `Type` is
/// the field's Rust type (`::std::vec::Vec<::agentbind::Markdown>`), written by codegen from
/// `agentbind_vocab::input_types!`; its [`InputType`] gives `INPUTS` the input's kind.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_input {
    (
        $(#[$attr:meta])*
        required [$( ($req:ident $req_field:literal [$req_type:ty] $req_name:literal $req_title:literal $req_doc:literal $req_description:literal) )*]
        optional [$( ($opt:ident $opt_field:literal $setter:ident [$opt_type:ty] $opt_name:literal $opt_title:literal $opt_doc:literal $opt_description:literal) )*]
    ) => {
        ::agentbind::__agentbind_v0_3_input! {
            @struct [$(#[$attr])*] [$($req)*]
            $( #[doc = $req_doc] pub $req: $req_type, )*
            $( #[doc = $opt_doc] pub $opt: ::core::option::Option<$opt_type>, )*
        }

        ::agentbind::__agentbind_v0_3_input! {
            @new [$( ($req [$req_type] $req_doc) )*] [$($opt)*]
        }

        impl Input {
            $(
                #[doc = ::core::concat!("Sets ", $opt_doc, ".")]
                #[must_use]
                pub fn $setter(mut self, value: impl ::core::convert::Into<$opt_type>) -> Self {
                    self.$opt = ::core::option::Option::Some(value.into());
                    self
                }
            )*
        }

        impl Agent {
            /// The inputs (`input_schema`), in file order, for tool schemas and dynamic dispatch.
            pub const INPUTS: &'static [::agentbind::InputField<'static>] = &[
                $( ::agentbind::InputField::new(
                    $req_name, $req_field, $req_title,
                    <$req_type as ::agentbind::__private_v0_3::InputType>::KIND, true, $req_description,
                ), )*
                $( ::agentbind::InputField::new(
                    $opt_name, $opt_field, $opt_title,
                    <$opt_type as ::agentbind::__private_v0_3::InputType>::KIND, false, $opt_description,
                ), )*
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
    (@new [($req:ident [$type:ty] $doc:literal)] [$($opt:ident)*]) => {
        ::agentbind::__agentbind_v0_3_input! { @required [($req [$type] $doc)] [$($opt)*] }

        impl Input {
            /// An input with the required field set; optional fields are unset.
            #[must_use]
            pub fn new($req: impl ::core::convert::Into<$type>) -> Self {
                Self { $req: $req.into(), $( $opt: ::core::option::Option::None, )* }
            }
        }
    };
    (@new [$( ($req:ident [$type:ty] $doc:literal) )+] [$($opt:ident)*]) => {
        ::agentbind::__agentbind_v0_3_input! { @required [$( ($req [$type] $doc) )+] [$($opt)*] }

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
            pub fn new($( $req: impl ::core::convert::Into<$type> ),+) -> Self {
                Self { $( $req: $req.into(), )+ $( $opt: ::core::option::Option::None, )* }
            }
        }
    };
    (@required [$( ($req:ident [$type:ty] $doc:literal) )+] [$($opt:ident)*]) => {
        /// The required inputs of this agent, by name: `Input::from(RequiredInput { .. })`
        /// gives an [`Input`] with every optional field unset. Leaving a required input out
        /// does not compile, whatever the order of the agent file.
        #[derive(Debug, Clone, PartialEq)]
        pub struct RequiredInput {
            $( #[doc = $doc] pub $req: $type, )+
        }

        impl ::core::convert::From<RequiredInput> for Input {
            fn from(required: RequiredInput) -> Self {
                Input { $( $req: required.$req, )+ $( $opt: ::core::option::Option::None, )* }
            }
        }
    };
}

/// `InvocationContext`: the enum of the contexts named by `required_when`, its tables and its
/// `ContextKind` impl. Each context is `(Variant "name" [marker?] "doc")`. An agent without
/// contexts (`[]`) names [`NoContext`](crate::NoContext) instead of defining an empty enum.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_contexts {
    ([]) => {
        /// The invocation contexts of this agent: it declares none (no section has
        /// `required_when`), so no dispatch can be given one.
        pub type InvocationContext = ::agentbind::NoContext;
    };
    ([$( ($context:ident $context_name:literal [$($marker:literal)?] $context_doc:literal) )+]) => {
        /// The invocation contexts named by `required_when`. A dispatch in a context carries
        /// the context's marker in its prompt and requires the sections that the context
        /// makes required.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum InvocationContext {
            $( #[doc = $context_doc] $context, )*
        }

        impl InvocationContext {
            /// Every context, in file order.
            pub const ALL: &'static [InvocationContext] = &[$( InvocationContext::$context ),*];
            const NAMES: &'static [&'static str] = &[$( $context_name ),*];
            const MARKERS: &'static [::core::option::Option<&'static str>] =
                &[$( ::agentbind::__private_v0_3::first(&[$($marker)*]) ),*];

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
    };
}

/// `Section`: the enum, its tables, the matcher and the `SectionKind` impl.
///
/// Each section is `(Variant "name" "pattern" once|repeated [labels?] requirement "doc")`,
/// where `labels` is `"lenient pattern" ["LABEL" ...]` for a section whose value is an enum,
/// and `requirement` is `Required`, `Optional` or `RequiredIn [Context ...]`. Optional parts
/// are read with `$(...)?` rather than helper rules: a macro call per value costs compile time.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_sections {
    (
        [$( (
            $section:ident $name:literal $pattern:literal $occurs:ident
            [$($scan:literal [$($label:literal)*])?]
            [$($grammar:literal)?]
            $requirement:ident $([$($required_in:ident)+])?
            $section_doc:literal
        ) )*]
    ) => {
        /// The sections of this agent's reply (`output_schema.required_sections`), in file order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Section {
            $( #[doc = $section_doc] $section, )*
        }

        impl Section {
            /// Every section, in file order.
            pub const ALL: &'static [Section] = &[$( Section::$section ),*];
            const PATTERNS: &'static [::agentbind::SectionPattern<'static>] = &[$(
                ::agentbind::SectionPattern::$occurs($name, $pattern) $( .with_labels($scan, &[$($label),*]) )? $( .with_grammar($grammar) )?
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
            const PATTERNS: &'static [::agentbind::SectionPattern<'static>] = Section::PATTERNS;
            const REQUIREMENTS: &'static [::agentbind::Requirement<InvocationContext>] = Section::REQUIREMENTS;

            fn index(self) -> usize {
                self as usize
            }

            fn matcher() -> &'static ::agentbind::SectionMatcher<'static> {
                static MATCHER: ::std::sync::OnceLock<::agentbind::SectionMatcher<'static>> = ::std::sync::OnceLock::new();
                MATCHER.get_or_init(|| ::agentbind::SectionMatcher::new(Section::PATTERNS))
            }
        }
    };
}

/// `Output` and its `AgentOutput` impl. Each field is
/// `(field Section required|optional|repeated [Type] "doc")`, where `Type` is the field's type
/// (`::agentbind::SectionText`, `::core::option::Option<::agentbind::Captured<Verdict>>`...);
/// an agent without sections gets `free_text`: the whole reply, unchecked.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_output {
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
                _sections: &mut ::agentbind::ReplySections<'_>,
            ) -> ::core::result::Result<Self, ::agentbind::ReplyError> {
                ::core::result::Result::Ok(Output { text: reply.into() })
            }
        }
    };
    ($(#[$attr:meta])* [$( ($field:ident $section:ident $take:ident [$type:ty] $doc:literal) )+]) => {
        /// The typed reply of this agent: one field per section. Required sections are plain
        /// values; optional and conditionally required ones are `Option`s; repeated sections
        /// are `Vec`s holding every occurrence in reply order.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq)]
        $(#[$attr])*
        pub struct Output {
            $( #[doc = $doc] pub $field: $type, )+
        }

        impl Output {
            /// Writes this reply back to markdown, sections in file order. Parsing the result
            /// gives this `Output` back, as long as no body holds a line that starts a section.
            #[must_use]
            pub fn to_markdown(&self) -> ::std::string::String {
                let mut writer =
                    ::agentbind::__private_v0_3::ReplyWriter::new(<Section as ::agentbind::SectionKind>::matcher());
                $( writer.section(Section::$section as usize, &self.$field); )+
                writer.finish()
            }
        }

        impl ::agentbind::AgentOutput for Output {
            fn from_reply(
                _reply: &str,
                sections: &mut ::agentbind::ReplySections<'_>,
            ) -> ::core::result::Result<Self, ::agentbind::ReplyError> {
                ::core::result::Result::Ok(Output {
                    $( $field: ::agentbind::__private_v0_3::$take(sections, Section::$section as usize)?, )+
                })
            }
        }
    };
}

/// `Metrics`, `Metric` and their impls; an agent without metrics (`[]`) names
/// [`NoMetrics`](crate::NoMetrics) and [`NoMetric`](crate::NoMetric). Each metric is
/// `(field Variant "name" [Type] "doc" "description")`, `Type` the field's type from
/// `agentbind_vocab::metric_types!` (`i64`, `::agentbind::Percentage`...), whose
/// `MetricField::KIND` is the metric's kind.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_metrics {
    ($(#[$attr:meta])* []) => {
        /// The metrics this agent reports: it declares none.
        pub type Metrics = ::agentbind::NoMetrics;
        /// The names of this agent's metrics: it declares none.
        pub type Metric = ::agentbind::NoMetric;
    };
    ($(#[$attr:meta])* [$( ($field:ident $variant:ident $name:literal [$type:ty] $doc:literal $description:literal) )*]) => {
        /// The metrics this agent reports (`metrics`), one plain field per metric.
        #[::agentbind::data]
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        $(#[$attr])*
        pub struct Metrics {
            $( #[doc = $doc] pub $field: $type, )*
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
            const KINDS: &'static [::agentbind::MetricKind] = &[$( <$type as ::agentbind::MetricField>::KIND ),*];

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
                    $( Metric::$variant => ::agentbind::__private_v0_3::set_metric(&mut self.$field, $name, value), )*
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
}

/// The build script's `AnyAgent`: one variant per generated module, for routing by name.
/// Each agent is `(Variant module "doc")`.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_any_agent {
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

#[cfg(test)]
mod tests {
    use super::InputType;
    use crate::{InputKind, JsonValue, LabeledEnum, Markdown};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Severity {
        Sev1,
    }

    impl LabeledEnum for Severity {
        const LABELS: &'static [&'static str] = &["SEV1"];
        fn label(self) -> &'static str {
            "SEV1"
        }
        fn from_label(label: &str) -> Option<Self> {
            (label == "SEV1").then_some(Severity::Sev1)
        }
    }

    #[test]
    fn input_kinds_come_from_field_types() {
        assert_eq!(<String as InputType>::KIND, InputKind::String);
        assert_eq!(<Markdown as InputType>::KIND, InputKind::Markdown);
        assert_eq!(<std::path::PathBuf as InputType>::KIND, InputKind::FilePath);
        assert_eq!(<Vec<JsonValue> as InputType>::KIND, InputKind::List(&InputKind::Object));
        assert_eq!(
            <Vec<Vec<i64>> as InputType>::KIND,
            InputKind::List(&InputKind::List(&InputKind::Integer))
        );
        assert_eq!(<Severity as InputType>::KIND, InputKind::Enum(&["SEV1"]));
        assert_eq!(<Vec<Severity> as InputType>::KIND, InputKind::List(&InputKind::Enum(&["SEV1"])));
    }
}
