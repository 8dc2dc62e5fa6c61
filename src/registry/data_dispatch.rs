//! Dispatches of agents that exist only as data (feature `serde`): agents loaded from files
//! at run time, whose inputs are JSON and whose output is JSON. They write their prompt with
//! the same [`PromptBuilder`] as a typed [`Dispatch`](crate::Dispatch), find sections with
//! the same scanner, check them with the same contract rules and report the same
//! [`ReplyError`], so a loaded agent and the same file bound at compile time behave alike.

use serde_json::{json, Map, Value};

use super::any_dispatch::{AnyDispatch, ErasedDispatch};
use super::dyn_agent::{section_needs, DynAgent, SectionRequirement};
use crate::format::{contract_problems, reply_format_of, Need};
use crate::inputs::{check_inputs, InputError, InputKind, InputProblem};
use crate::prompt::{write_fenced, PromptBuilder, PromptValue};
use crate::reply::{ReplyError, ReplyProblem, ReplySections};

/// How one section appears in the output JSON of an agent that is only data: what a generated
/// `Output` field is (codegen's model gives both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputField<'a> {
    /// The field's name (`summary`, `tasks`).
    pub name: &'a str,
    /// For a section whose value is one of these labels (a `Captured` value in generated
    /// code): the labels. The field is then `{"value": label, "text": {...}}`.
    pub labels: Option<&'a [&'a str]>,
}

/// A dispatch of `agent` from JSON `inputs` (an object keyed by input field), with free-form
/// `instructions` and an invocation context by name: what a [`DynAgent`] that is only data
/// returns from [`dispatch_json`](DynAgent::dispatch_json). `output_fields` describes each
/// section's field in the output JSON, in the order of [`DynAgent::sections`]; the JSON is
/// what the generated `Output` of the same file serializes to.
///
/// Every problem of the inputs is reported, each naming its field.
pub fn data_dispatch<'a>(
    agent: &'a (dyn DynAgent + 'a),
    output_fields: &'a [OutputField<'a>],
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
    output_fields: &'a [OutputField<'a>],
    inputs: Map<String, Value>,
    instructions: String,
    /// Index into the agent's contexts.
    context: Option<usize>,
}

impl DataDispatch<'_> {
    fn context_name(&self) -> Option<&str> {
        self.agent.contexts().get(self.context?).map(|(name, _)| *name)
    }

    /// Whether each section is required in this dispatch's context, for the reply format.
    fn needs(&self) -> Vec<Need> {
        let context = self.context_name();
        self.agent
            .sections()
            .into_iter()
            .map(|section| match section.requirement {
                SectionRequirement::Required => Need::Required,
                ref conditional if conditional.is_required_in(context) => Need::InThisContext,
                _ => Need::Optional,
            })
            .collect()
    }

    /// The output JSON: one field per section, as a generated `Output` serializes (the first
    /// occurrence of a section that occurs once, every one of a repeated section, `null` for an
    /// absent one); a value outside its labels is [`ReplyProblem::InvalidValue`].
    fn output(&self, reply: &str, sections: &ReplySections<'_>) -> Result<Value, ReplyProblem> {
        let infos = self.agent.sections();
        if infos.is_empty() {
            return Ok(json!({ "text": reply }));
        }
        let mut output = Map::new();
        for (index, info) in infos.iter().enumerate() {
            let field = self.output_fields.get(index).copied();
            let labels = field.and_then(|f| f.labels);
            let mut values = Vec::new();
            for occurrence in sections.occurrences(index) {
                let text = json!({"heading": occurrence.text.heading, "body": occurrence.text.body});
                let Some(labels) = labels else {
                    values.push(text);
                    continue;
                };
                let found = occurrence.label.as_deref().unwrap_or_default();
                match crate::labeled::match_label(found, labels) {
                    Some(label) => values.push(json!({"value": label, "text": text})),
                    None => {
                        return Err(ReplyProblem::InvalidValue {
                            section: info.name.to_owned(),
                            found: found.to_owned(),
                            expected: labels.iter().map(|l| (*l).to_owned()).collect(),
                        })
                    }
                }
            }
            let value = if info.repeated {
                Value::Array(values)
            } else {
                values.into_iter().next().unwrap_or(Value::Null)
            };
            output.insert(field.map_or(info.name, |f| f.name).to_owned(), value);
        }
        Ok(Value::Object(output))
    }

    fn tag(&self, error: ReplyError, reply: &str) -> ReplyError {
        error.tagged(self.agent.name(), reply)
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
        reply_format_of(patterns.iter().copied().zip(self.needs()), &self.agent.metrics())
    }

    fn reply_grammar(
        &self,
        limits: crate::contract::GrammarLimits,
    ) -> Result<String, crate::contract::GrammarError> {
        let patterns = self.agent.section_matcher().patterns();
        let metrics = self.agent.metrics();
        crate::contract::grammar::reply_grammar(patterns.iter().copied().zip(self.needs()), &metrics, limits)
    }

    fn reply_schema(&self, bounds: Option<crate::contract::GrammarLimits>) -> Option<Value> {
        let patterns = self.agent.section_matcher().patterns();
        let metrics = self.agent.metrics();
        crate::contract::schema::reply_schema(patterns.iter().copied().zip(self.needs()), &metrics, bounds)
    }

    fn read_json_reply(&self, reply: &str) -> Result<crate::contract::schema::JsonReply, ReplyError> {
        let patterns = self.agent.section_matcher().patterns();
        let rows: Vec<_> = patterns.iter().copied().zip(self.needs()).collect();
        crate::contract::schema::markdown_parts(&rows, &self.agent.metrics(), reply)
            .map(|(sections, metrics)| crate::contract::schema::JsonReply { sections, metrics })
            .map_err(|problem| self.tag(ReplyError::new(vec![problem]), reply))
    }

    fn instructions(&self) -> &str {
        &self.instructions
    }

    fn context(&self) -> Option<&str> {
        self.context_name()
    }

    fn parse_reply(&self, reply: &str) -> Result<Value, ReplyError> {
        let sections = self.agent.section_matcher().scan(reply).map_err(|e| self.tag(e, reply))?;
        let problems = contract_problems(&sections, section_needs(self.agent, self.context_name()));
        if !problems.is_empty() {
            let error = ReplyError::new(problems).with_found_sections(sections.found_names());
            return Err(self.tag(error, reply));
        }
        self.output(reply.strip_prefix('\u{feff}').unwrap_or(reply), &sections)
            .map_err(|problem| self.tag(ReplyError::new(vec![problem]), reply))
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
            (_, Value::String(text)) => text.as_str().write_prompt(out),
            (InputKind::Object, value) => value.write_prompt(out),
            (_, value) => out.push_str(&value.to_string()),
        }
    }
}
