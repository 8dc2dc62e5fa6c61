//! The traits that every generated agent module implements.

use crate::pattern::SectionPattern;
use crate::prompt::PromptBuilder;
use crate::reply::{ReplyError, ReplySections};
use crate::scan::SectionMatcher;
use crate::ErrorHandling;

/// An agent whose definition file was read at compile time.
///
/// Implemented by the unit struct `Agent` of every generated module. The same constants are
/// also inherent on that struct, so `golang::Agent::MODEL` works without importing this trait.
pub trait Agent: Sized + 'static {
    /// `name` from the frontmatter.
    const NAME: &'static str;
    /// `description` from the frontmatter.
    const DESCRIPTION: &'static str;
    /// `model` from the frontmatter (`opus`, `sonnet`, a full model id...); `inherit` when
    /// absent.
    const MODEL: &'static str;
    /// `model`, typed.
    const MODEL_KIND: crate::Model<'static>;
    /// `tools` (empty: the file restricts nothing).
    const TOOLS: &'static [crate::Tool<'static>];
    /// `version` from the frontmatter, when it has one.
    const VERSION: Option<&'static str>;
    /// The markdown body after the frontmatter: the agent's system prompt.
    const SYSTEM_PROMPT: &'static str;
    /// `output_schema.error_handling`, when declared.
    const ERROR_HANDLING: Option<ErrorHandling<'static>>;
    /// `color`, when declared.
    const COLOR: Option<crate::Color<'static>>;
    /// The other Claude Code keys of the file.
    const CLAUDE_CODE: crate::ClaudeCodeSettings<'static>;
    /// The inputs (`input_schema`), in file order: names, types, requirements, descriptions.
    const INPUTS: &'static [crate::InputField<'static>];

    /// The typed input (`input_schema`).
    type Input: AgentInput;
    /// The typed reply (`output_schema.required_sections`).
    type Output: AgentOutput;
    /// The reply sections, one variant per `required_sections` entry.
    type Section: SectionKind<Context = Self::Context>;
    /// The invocation contexts named by `required_when`.
    type Context: ContextKind;
    /// The typed metrics (`metrics`).
    type Metrics: crate::AgentMetrics;
}

/// The input of an agent: knows how to render itself into the user prompt.
pub trait AgentInput {
    /// Writes every input field under its own heading.
    fn render(&self, prompt: &mut PromptBuilder);
}

/// The typed reply of an agent, built from the sections found in the reply text.
pub trait AgentOutput: Sized {
    /// Builds the output from `reply` (without a leading byte-order mark) and the sections
    /// found in it. Requirements and enum values have been checked before this is called; an
    /// error here means the reply did not fit the type after all. Agents that declare no
    /// sections keep the whole reply text.
    fn from_reply(reply: &str, sections: &mut ReplySections<'_>) -> Result<Self, ReplyError>;
}

/// When a reply section is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Requirement<C: 'static> {
    /// Always required (`required: true`).
    Required,
    /// Never required (`required: false`, no `required_when`).
    Optional,
    /// Required only when the dispatch runs in one of these invocation contexts
    /// (`required_when`).
    RequiredIn(&'static [C]),
}

impl<C: PartialEq> Requirement<C> {
    /// Whether the section is required for a dispatch in `context` (`None`: no context).
    pub fn is_required_in(&self, context: Option<&C>) -> bool {
        match self {
            Requirement::Required => true,
            Requirement::Optional => false,
            Requirement::RequiredIn(contexts) => context.is_some_and(|c| contexts.contains(c)),
        }
    }
}

/// The section enum of an agent (`Section` in a generated module).
///
/// Generated code gives the tables ([`SectionKind::PATTERNS`], [`SectionKind::REQUIREMENTS`],
/// in the order of [`SectionKind::ALL`]), `index` and the matcher; the rest follows from them.
pub trait SectionKind: Copy + PartialEq + 'static {
    /// The invocation context type used by [`Requirement::RequiredIn`].
    type Context: ContextKind;
    /// Every section, in file order.
    const ALL: &'static [Self];
    /// How each section is found, in the order of [`SectionKind::ALL`].
    const PATTERNS: &'static [SectionPattern<'static>];
    /// When each section is required, in the order of [`SectionKind::ALL`].
    const REQUIREMENTS: &'static [Requirement<Self::Context>];
    /// Index of the section in [`SectionKind::ALL`].
    fn index(self) -> usize;
    /// The compiled matcher for all sections of this agent (built once).
    fn matcher() -> &'static SectionMatcher<'static>;
    /// The section's `name`.
    fn name(self) -> &'static str {
        Self::PATTERNS[self.index()].name
    }
    /// The section's `pattern` as written in the file, a line-anchored regular expression.
    fn pattern(self) -> &'static str {
        Self::PATTERNS[self.index()].pattern
    }
    /// When the section is required.
    fn requirement(self) -> Requirement<Self::Context> {
        Self::REQUIREMENTS[self.index()]
    }
}

/// The invocation context enum of an agent (`InvocationContext` in a generated module).
pub trait ContextKind: Copy + PartialEq + 'static {
    /// Every context, in file order.
    const ALL: &'static [Self];
    /// The context's name in the file (`dev-refactor`).
    fn name(self) -> &'static str;
    /// The text that the prompt of a dispatch in this context starts with
    /// (`prompt_contains` in the file), if any.
    fn prompt_marker(self) -> Option<&'static str>;
}
