//! Dispatches of agents that exist only as data (feature `serde`): agents loaded from files
//! at run time, whose inputs are JSON and whose output is JSON. They write their prompt with
//! the same [`PromptBuilder`] as a typed [`Dispatch`](crate::Dispatch), find sections with
//! the same scanner, check them with the same contract rules and report the same
//! [`ReplyError`], so a loaded agent and the same file bound at compile time behave alike.

use serde_json::{json, Map, Value};

use super::any_dispatch::{AnyDispatch, ErasedDispatch};
use super::dyn_agent::{DynAgent, SectionRequirement};
use crate::format::{contract_problems, reply_format_of, Need};
use crate::inputs::{check_inputs, InputError, InputKind, InputProblem};
use crate::prompt::{write_fenced, PromptBuilder, PromptValue};
use crate::reply::{ReplyError, ReplyProblem, ReplySections};

/// A dispatch of `agent` from JSON `inputs` (an object keyed by input field), with free-form
/// `instructions` and an invocation context by name: what a [`DynAgent`] that is only data
/// returns from [`dispatch_json`](DynAgent::dispatch_json). `output_fields` names the field of
/// each section in the output JSON, in the order of [`DynAgent::sections`] (the names a
/// generated `Output` has: codegen gives them).
///
/// Every problem of the inputs is reported, each naming its field.
pub fn data_dispatch<'a>(
    agent: &'a (dyn DynAgent + 'a),
    output_fields: &'a [&'a str],
    inputs: &Value,
    instructions: Option<&str>,
    context: Option<&str>,
) -> Result<AnyDispatch<'a>, InputError> {
    let mut problems = check_inputs(inputs, agent.inputs());
    let contexts = agent.contexts();
    let context = match context {
        None => None,
        Some(name) => match contexts.iter().position(|(c, _)| *c == name) {
            Some(index) => Some(index),
            None => {
                let allowed = contexts.iter().map(|(c, _)| (*c).to_owned()).collect();
                problems.push(InputProblem::UnknownContext { found: name.to_owned(), allowed });
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(InputError { agent: agent.name().to_owned(), problems });
    }
    let inputs = match inputs {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    Ok(AnyDispatch::erased(DataDispatch {
        agent,
        output_fields,
        inputs,
        instructions: instructions.unwrap_or_default().to_owned(),
        context,
    }))
}

/// See [`data_dispatch`].
pub(crate) struct DataDispatch<'a> {
    agent: &'a (dyn DynAgent + 'a),
    output_fields: &'a [&'a str],
    inputs: Map<String, Value>,
    instructions: String,
    /// Index into the agent's contexts.
    context: Option<usize>,
}

impl DataDispatch<'_> {
    fn context_name(&self) -> Option<&str> {
        self.agent.contexts().get(self.context?).map(|(name, _)| *name)
    }

    /// Whether each section is required in this dispatch's context, and the context that
    /// makes it so.
    fn needs(&self) -> Vec<(bool, Option<&str>, Need)> {
        let context = self.context_name();
        self.agent
            .sections()
            .into_iter()
            .map(|section| match section.requirement {
                SectionRequirement::Required => (true, None, Need::Required),
                SectionRequirement::Optional => (false, None, Need::Optional),
                ref conditional if conditional.is_required_in(context) => {
                    (true, context, Need::InThisContext)
                }
                SectionRequirement::RequiredIn(_) => (false, None, Need::Optional),
            })
            .collect()
    }

    /// The output JSON: one field per section, as a generated `Output` serializes.
    fn output(&self, reply: &str, sections: &ReplySections<'_>) -> Value {
        let infos = self.agent.sections();
        if infos.is_empty() {
            return json!({ "text": reply });
        }
        let mut output = Map::new();
        for (index, info) in infos.iter().enumerate() {
            let field = self.output_fields.get(index).copied().unwrap_or(info.name);
            let values: Vec<Value> = sections
                .occurrences(index)
                .iter()
                .map(|occurrence| {
                    let text = json!({"heading": occurrence.text.heading, "body": occurrence.text.body});
                    match (&info.labels, &occurrence.label) {
                        (Some(_), Some(label)) => json!({"value": label, "text": text}),
                        _ => text,
                    }
                })
                .collect();
            let value = if info.repeated {
                Value::Array(values)
            } else {
                values.into_iter().next().unwrap_or(Value::Null)
            };
            output.insert(field.to_owned(), value);
        }
        Value::Object(output)
    }

    fn tag(&self, error: ReplyError, reply: &str) -> ReplyError {
        let too_large = error.problems().iter().any(|p| matches!(p, ReplyProblem::TooLarge { .. }));
        let error = error.with_agent(self.agent.name());
        if too_large {
            error
        } else {
            error.with_reply(reply)
        }
    }
}

impl ErasedDispatch for DataDispatch<'_> {
    fn agent(&self) -> &dyn DynAgent {
        self.agent
    }

    fn prompt(&self) -> String {
        let mut prompt = PromptBuilder::new();
        if let Some(marker) = self.agent.contexts().get(self.context.unwrap_or(usize::MAX)).and_then(|c| c.1)
        {
            prompt.marker(marker);
        }
        for input in self.agent.inputs() {
            if let Some(value) = self.inputs.get(input.field).filter(|v| !v.is_null()) {
                prompt.field(input.heading, &KindValue { kind: &input.kind, value });
            }
        }
        prompt.text(&self.instructions);
        prompt.finish()
    }

    fn prompt_with_reply_format(&self) -> String {
        let mut prompt = PromptBuilder::new();
        prompt.text(&self.prompt());
        prompt.text(&self.reply_format());
        prompt.finish()
    }

    fn reply_format(&self) -> String {
        let patterns = self.agent.section_matcher().patterns();
        reply_format_of(patterns.iter().copied().zip(self.needs().into_iter().map(|(_, _, need)| need)))
    }

    fn instructions(&self) -> &str {
        &self.instructions
    }

    fn context(&self) -> Option<&str> {
        self.context_name()
    }

    fn parse_reply(&self, reply: &str) -> Result<Value, ReplyError> {
        let sections = self.agent.section_matcher().scan(reply).map_err(|e| self.tag(e, reply))?;
        let needs = self.needs();
        let problems =
            contract_problems(&sections, needs.iter().map(|(required, context, _)| (*required, *context)));
        if !problems.is_empty() {
            return Err(self.tag(ReplyError::new(problems), reply));
        }
        Ok(self.output(reply.strip_prefix('\u{feff}').unwrap_or(reply), &sections))
    }
}

/// A JSON input value written as a typed input of `kind` writes itself.
struct KindValue<'k, 'v> {
    kind: &'k InputKind<'k>,
    value: &'v Value,
}

impl PromptValue for KindValue<'_, '_> {
    fn write_prompt(&self, out: &mut String) {
        match (self.kind, self.value) {
            (InputKind::FileContent, Value::String(text)) => write_fenced(out, "", text),
            (InputKind::List(inner), Value::Array(items)) => {
                let items: Vec<KindValue<'_, '_>> =
                    items.iter().map(|value| KindValue { kind: inner, value }).collect();
                items.as_slice().write_prompt(out);
            }
            (InputKind::Number, Value::Number(n)) => match n.as_f64() {
                Some(number) => number.write_prompt(out),
                None => out.push_str(&n.to_string()),
            },
            (_, Value::String(text)) => out.push_str(text),
            (InputKind::Object, value) => value.write_prompt(out),
            (_, value) => out.push_str(&value.to_string()),
        }
    }
}
