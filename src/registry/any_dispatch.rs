//! Dispatches whose agent is chosen at run time (feature `serde`): built from JSON inputs,
//! tool-call arguments or a Task call's prompt, with replies given back as JSON.

use std::fmt;

use serde_json::{Map, Value};

use super::dyn_agent::{dyn_agent, DynAgent, RoutableAgent};
use crate::agent::ContextKind;
use crate::inputs::{
    check_inputs, takes_key, InputError, InputKind, InputProblem, CONTEXT_KEY, INSTRUCTIONS_KEY,
};
use crate::{Dispatch, ReplyError};

/// A dispatch of an agent chosen at run time: the typed [`Dispatch`] behind it renders the
/// prompt and checks the reply, which comes back as the JSON of the agent's `Output`.
///
/// Made by [`DynAgent::dispatch_json`], [`Registry::dispatch`](crate::Registry::dispatch)
/// (tool-call arguments), [`Registry::route`](crate::Registry::route) (a Task call), or from a
/// typed dispatch with `AnyDispatch::from(dispatch)`.
///
/// A Task call's `prompt` is read back into inputs in one of two ways: a prompt that is a JSON
/// object is read as the tool arguments; otherwise it is read as [`Dispatch::prompt`] writes
/// it: the context's marker line first, then each input under its `## Heading` (lists as
/// bullets, file content and objects fenced). Text before the first heading becomes the
/// instructions, and so does the whole prompt of an agent without inputs. Text after the last
/// input belongs to that input, so a typed dispatch with both inputs and instructions does
/// not come back exactly.
///
/// A dispatch borrows its agent for `'a`: `'static` for agents bound at compile time, the
/// registry's lifetime for agents loaded at run time.
pub struct AnyDispatch<'a> {
    inner: Box<dyn ErasedDispatch + 'a>,
}

/// What [`AnyDispatch`] needs of a dispatch: a typed [`Dispatch`], or a dispatch of an agent
/// loaded at run time ([`DataDispatch`](super::data_dispatch::DataDispatch)).
pub(crate) trait ErasedDispatch: Send + Sync {
    fn agent(&self) -> &dyn DynAgent;
    fn prompt(&self) -> String;
    fn prompt_with_reply_format(&self) -> String;
    fn reply_format(&self) -> String;
    fn reply_grammar(
        &self,
        limits: crate::contract::GrammarLimits,
    ) -> Result<String, crate::contract::GrammarError>;
    fn reply_schema(&self, bounds: Option<crate::contract::GrammarLimits>) -> Option<Value>;
    fn read_json_reply(&self, reply: &str) -> Result<crate::contract::schema::JsonReply, ReplyError>;
    fn instructions(&self) -> &str;
    fn context(&self) -> Option<&str>;
    fn parse_reply(&self, reply: &str) -> Result<Value, ReplyError>;
}

impl<A> ErasedDispatch for Dispatch<A>
where
    A: RoutableAgent,
{
    fn agent(&self) -> &dyn DynAgent {
        dyn_agent::<A>()
    }
    fn prompt(&self) -> String {
        Dispatch::prompt(self)
    }
    fn prompt_with_reply_format(&self) -> String {
        Dispatch::prompt_with_reply_format(self)
    }
    fn reply_format(&self) -> String {
        Dispatch::reply_format(self)
    }
    fn reply_grammar(
        &self,
        limits: crate::contract::GrammarLimits,
    ) -> Result<String, crate::contract::GrammarError> {
        Dispatch::reply_grammar_with(self, limits)
    }
    fn reply_schema(&self, bounds: Option<crate::contract::GrammarLimits>) -> Option<Value> {
        match bounds {
            None => Dispatch::reply_schema(self),
            Some(limits) => Dispatch::reply_schema_bounded(self, limits),
        }
    }
    fn read_json_reply(&self, reply: &str) -> Result<crate::contract::schema::JsonReply, ReplyError> {
        Dispatch::read_json_reply(self, reply)
    }
    fn instructions(&self) -> &str {
        Dispatch::instructions(self)
    }
    fn context(&self) -> Option<&str> {
        Dispatch::context(self).map(ContextKind::name)
    }
    fn parse_reply(&self, reply: &str) -> Result<Value, ReplyError> {
        let output = Dispatch::parse_reply(self, reply)?;
        Ok(serde_json::to_value(output).unwrap_or(Value::Null))
    }
}

impl<'a> AnyDispatch<'a> {
    /// A dispatch of any kind.
    pub(crate) fn erased(inner: impl ErasedDispatch + 'a) -> Self {
        AnyDispatch { inner: Box::new(inner) }
    }

    /// The agent.
    pub fn agent(&self) -> &dyn DynAgent {
        self.inner.agent()
    }

    /// The user prompt, as [`Dispatch::prompt`] writes it.
    pub fn prompt(&self) -> String {
        self.inner.prompt()
    }

    /// The prompt with the reply-format instructions ([`Dispatch::prompt_with_reply_format`]).
    pub fn prompt_with_reply_format(&self) -> String {
        self.inner.prompt_with_reply_format()
    }

    /// The reply-format instructions ([`Dispatch::reply_format`]).
    pub fn reply_format(&self) -> String {
        self.inner.reply_format()
    }

    /// The reply grammar ([`Dispatch::reply_grammar`]).
    pub fn reply_grammar(&self) -> Result<String, crate::contract::GrammarError> {
        self.inner.reply_grammar(crate::contract::GrammarLimits::default())
    }

    /// The reply grammar with section bodies bounded by `limits`.
    pub fn reply_grammar_with(
        &self,
        limits: crate::contract::GrammarLimits,
    ) -> Result<String, crate::contract::GrammarError> {
        self.inner.reply_grammar(limits)
    }

    /// The JSON Schema of the reply as JSON ([`Dispatch::reply_schema`]).
    pub fn reply_schema(&self) -> Option<Value> {
        self.inner.reply_schema(None)
    }

    /// The reply schema with bounded bodies ([`Dispatch::reply_schema_bounded`]).
    pub fn reply_schema_bounded(&self, limits: crate::contract::GrammarLimits) -> Option<Value> {
        self.inner.reply_schema(Some(limits))
    }

    /// The markdown form of a JSON reply ([`Dispatch::json_reply_markdown`]).
    pub fn json_reply_markdown(&self, reply: &str) -> Result<String, ReplyError> {
        self.inner.read_json_reply(reply).map(|read| read.markdown())
    }

    /// The markdown form of a JSON reply in its two parts ([`Dispatch::read_json_reply`]).
    pub fn read_json_reply(&self, reply: &str) -> Result<crate::contract::schema::JsonReply, ReplyError> {
        self.inner.read_json_reply(reply)
    }

    /// Checks a JSON reply against the agent's contract ([`Dispatch::parse_json_reply`]) and
    /// gives the typed output as JSON.
    pub fn parse_json_reply(&self, reply: &str) -> Result<Value, ReplyError> {
        self.inner.parse_reply(&self.inner.read_json_reply(reply)?.sections)
    }

    /// The free-form instructions.
    pub fn instructions(&self) -> &str {
        self.inner.instructions()
    }

    /// The invocation context's name, when the dispatch runs in one.
    pub fn context(&self) -> Option<&str> {
        self.inner.context()
    }

    /// Checks `reply` against the agent's contract ([`Dispatch::parse_reply`]) and gives the
    /// typed output as JSON.
    pub fn parse_reply(&self, reply: &str) -> Result<Value, ReplyError> {
        self.inner.parse_reply(reply)
    }

    /// [`parse_reply`](Self::parse_reply), tolerant of near misses
    /// ([`Dispatch::parse_reply_tolerant`]).
    pub fn parse_reply_tolerant(
        &self,
        reply: &str,
    ) -> Result<(Value, Vec<crate::Normalization>), ReplyError> {
        let patterns = self.agent().section_matcher().patterns();
        crate::near_miss::parse_tolerant(reply, patterns, |reply| self.parse_reply(reply))
    }

    /// The Task tool call that runs this dispatch ([`Dispatch::task_call`]).
    pub fn task_call(&self, description: impl Into<String>) -> crate::TaskCall {
        crate::TaskCall::new(self.agent().name(), description, self.prompt(), self.agent().model_kind())
    }
}

impl<A> From<Dispatch<A>> for AnyDispatch<'static>
where
    A: RoutableAgent,
{
    fn from(dispatch: Dispatch<A>) -> Self {
        AnyDispatch { inner: Box::new(dispatch) }
    }
}

impl fmt::Debug for AnyDispatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyDispatch")
            .field("agent", &self.agent().name())
            .field("context", &self.context())
            .field("prompt", &self.prompt())
            .finish()
    }
}

/// See [`DynAgent::dispatch_json`].
pub(crate) fn dispatch_json<A>(
    inputs: &Value,
    instructions: Option<&str>,
    context: Option<&str>,
) -> Result<AnyDispatch<'static>, InputError>
where
    A: RoutableAgent,
{
    let error = |problems| InputError { agent: A::NAME.to_owned(), problems };
    let mut problems = check_inputs(inputs, A::INPUTS);
    let context = match context {
        None => None,
        Some(name) => match A::Context::ALL.iter().copied().find(|c| c.name() == name) {
            Some(context) => Some(context),
            None => {
                let allowed = A::Context::ALL.iter().map(|c| c.name().to_owned()).collect();
                problems.push(InputProblem::UnknownContext { found: name.to_owned(), allowed });
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(error(problems));
    }
    let input: A::Input = serde_json::from_value(inputs.clone())
        .map_err(|e| error(vec![InputProblem::UnreadablePrompt { reason: e.to_string() }]))?;
    let mut dispatch = Dispatch::<A>::new(input);
    if let Some(context) = context {
        dispatch = dispatch.in_context(context);
    }
    if let Some(text) = instructions {
        dispatch = dispatch.with_instructions(text);
    }
    Ok(dispatch.into())
}

/// A dispatch from tool-call arguments: the inputs, with `instructions` and
/// `invocation_context` taken out when they are not inputs of the agent.
pub(crate) fn from_arguments<'a>(
    agent: &'a (dyn DynAgent + 'a),
    arguments: &Value,
) -> Result<AnyDispatch<'a>, InputError> {
    let mut inputs = arguments.clone();
    let mut problems = Vec::new();
    let mut take = |key: &str| -> Option<String> {
        if takes_key(agent.inputs(), key) {
            return None;
        }
        match inputs.as_object_mut()?.remove(key)? {
            Value::String(text) => Some(text),
            Value::Null => None,
            other => {
                problems.push(InputProblem::WrongType {
                    field: key.to_owned(),
                    expected: "string".into(),
                    found: if other.is_object() { "an object" } else { "not a string" },
                });
                None
            }
        }
    };
    let instructions = take(INSTRUCTIONS_KEY);
    let context = take(CONTEXT_KEY);
    if !problems.is_empty() {
        return Err(InputError { agent: agent.name().to_owned(), problems });
    }
    agent.dispatch_json(&inputs, instructions.as_deref(), context.as_deref())
}

/// A dispatch from the prompt of a Task call (see [`AnyDispatch`] for how it is read).
pub(crate) fn from_prompt<'a>(
    agent: &'a (dyn DynAgent + 'a),
    prompt: &str,
) -> Result<AnyDispatch<'a>, InputError> {
    let trimmed = prompt.trim();
    if trimmed.starts_with('{') {
        if let Ok(arguments @ Value::Object(_)) = serde_json::from_str::<Value>(trimmed) {
            return from_arguments(agent, &arguments);
        }
    }
    let (context, rest) = match super::dyn_agent::context_of_prompt(agent, prompt) {
        Some((name, after)) => (Some(name), after.trim_start()),
        None => (None, prompt.trim_start_matches('\u{feff}').trim_start()),
    };
    let (before, fields) = split_headings(rest, agent);
    let mut inputs = Map::new();
    let mut problems = Vec::new();
    for (index, text) in fields {
        let input = &agent.inputs()[index];
        match value_of(&input.kind, text) {
            Ok(value) => {
                inputs.insert(input.field.to_owned(), value);
            }
            Err(reason) => problems.push(InputProblem::UnreadablePrompt {
                reason: format!("input `{}` under `## {}`: {reason}", input.field, input.heading),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(InputError { agent: agent.name().to_owned(), problems });
    }
    let instructions = before.trim();
    let instructions = (!instructions.is_empty()).then_some(instructions);
    agent.dispatch_json(&Value::Object(inputs), instructions, context)
}

/// The text before the first input heading, and each input's text (by index into the
/// agent's inputs), reading `## Heading` lines outside code fences, each input once.
fn split_headings<'p>(prompt: &'p str, agent: &dyn DynAgent) -> (&'p str, Vec<(usize, &'p str)>) {
    let inputs = agent.inputs();
    let mut starts: Vec<(usize, usize, usize)> = Vec::new(); // (input, heading start, body start)
    let mut fence: Option<String> = None;
    let mut offset = 0;
    for line in prompt.split_inclusive('\n') {
        let text = line.trim_end();
        let marker: String = text.chars().take_while(|&c| c == '`' || c == '~').collect();
        if marker.len() >= 3 {
            match &fence {
                None => fence = Some(marker),
                Some(open) if marker.starts_with(open.as_str()) && text.len() == marker.len() => fence = None,
                Some(_) => {}
            }
        } else if fence.is_none() {
            if let Some(heading) = text.strip_prefix("## ") {
                let found = inputs.iter().position(|i| i.heading == heading.trim());
                if let Some(index) = found.filter(|i| !starts.iter().any(|s| s.0 == *i)) {
                    starts.push((index, offset, offset + line.len()));
                }
            }
        }
        offset += line.len();
    }
    let before = &prompt[..starts.first().map_or(prompt.len(), |s| s.1)];
    let fields = starts
        .iter()
        .enumerate()
        .map(|(i, &(index, _, body))| {
            let end = starts.get(i + 1).map_or(prompt.len(), |next| next.1);
            (index, prompt[body..end].trim_matches('\n'))
        })
        .collect();
    (before, fields)
}

/// The JSON value of an input of `kind` written as `text` by the prompt.
fn value_of(kind: &InputKind, text: &str) -> Result<Value, String> {
    Ok(match kind {
        InputKind::String | InputKind::Markdown | InputKind::FilePath | InputKind::Enum(_) => {
            match crate::prompt::read_free_text(text) {
                Some(exact) => Value::String(exact.to_owned()),
                None => Value::String(text.trim_end().to_owned()),
            }
        }
        InputKind::FileContent => {
            Value::String(unfence(text).ok_or("expected a fenced code block")?.to_owned())
        }
        InputKind::Object => {
            let json = unfence(text).unwrap_or(text);
            serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?
        }
        InputKind::Integer | InputKind::Number | InputKind::Boolean => serde_json::from_str(text.trim())
            .map_err(|_| format!("`{}` is not a {}", text.trim(), kind.file_name()))?,
        InputKind::List(inner) => {
            if text.trim() == "(none)" {
                return Ok(Value::Array(Vec::new()));
            }
            let mut items: Vec<String> = Vec::new();
            for line in text.split('\n') {
                if let Some(first) = line.strip_prefix("- ") {
                    items.push(first.to_owned());
                } else if let Some(item) = items.last_mut() {
                    item.push('\n');
                    item.push_str(line.strip_prefix("  ").unwrap_or(line));
                } else if !line.trim().is_empty() {
                    return Err(format!("expected `- ` bullets, found `{line}`"));
                }
            }
            items.iter().map(|item| value_of(inner, item)).collect::<Result<Vec<_>, _>>()?.into()
        }
    })
}

/// The content of a fenced code block that is the whole of `text`.
fn unfence(text: &str) -> Option<&str> {
    let text = text.trim_matches('\n');
    let first_end = text.find('\n')?;
    let fence_len = text.len() - text.trim_start_matches('`').len();
    let closing = &text[text.rfind('\n')? + 1..];
    if fence_len < 3 || closing.trim_end() != &text[..fence_len] {
        return None;
    }
    let body_end = text.len() - closing.len();
    Some(text.get(first_end + 1..body_end).unwrap_or_default())
}
