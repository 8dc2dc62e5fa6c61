//! The reply of a dispatch as JSON: a JSON Schema of the reply, for servers that constrain
//! their output to one (OpenAI's `response_format` `json_schema` with `strict`, llama.cpp,
//! vLLM, Anthropic's structured outputs, Claude Code's `--json-schema`), and the reading of
//! such a reply back into the agent's markdown form, which the contract is checked on as any
//! other reply. A JSON reply thus gives the same typed `Output` and `Metrics` as a markdown
//! one.
//!
//! The schema is an object with one property per section, named as the section
//! (`"Summary"`), and `"metrics"` for an agent that declares metrics:
//!
//! * a section whose heading is a literal (`^## Summary$`) is its body, a string;
//! * a value section (`^## VERDICT: (PASS|FAIL)$`) is `{"value": <one of the labels>,
//!   "body": <string>}`;
//! * any other section is `{"heading": <the heading line>, "body": <string>}`, the heading
//!   with the section's pattern as `pattern` when the pattern is portable to ECMAScript
//!   regular expressions (no inline flags, named groups or Unicode classes);
//! * a repeated section is an array of those (at least one, when it is required);
//! * a section not required in the dispatch's context may be `null`;
//! * `metrics` is an object with one property per metric: `integer`, `number` (floats,
//!   percentages 0–100 and fractions) or `boolean`.
//!
//! It keeps to the subset that strict modes accept: every property required, optional ones
//! nullable, `additionalProperties: false` on every object, and no length bounds unless
//! asked for ([`GrammarLimits`], for servers that accept `maxLength` and `maxItems`).
//! Properties are listed in key order (JSON objects here are sorted maps); the markdown form
//! puts the sections back in file order.

use serde_json::{json, Map, Value};

use super::GrammarLimits;
use crate::format::Need;
use crate::numbers::MetricKind;
use crate::pattern::{
    example_heading, has_top_level_alternation, heading_with_value, literal, SectionPattern,
};
use crate::reply::ReplyProblem;

/// The key of the metrics object in a JSON reply.
pub const METRICS_KEY: &str = "metrics";

/// How a section's occurrence is written in JSON.
enum Shape {
    /// A literal heading: the occurrence is its body.
    Body(String),
    /// A value section: `{"value", "body"}`.
    Value,
    /// Any other heading: `{"heading", "body"}`.
    Heading,
}

fn shape(pattern: &SectionPattern<'_>) -> Shape {
    if pattern.labels.is_some() {
        return Shape::Value;
    }
    match literal(pattern.pattern) {
        Some(literal) => Shape::Body(literal.text),
        None => Shape::Heading,
    }
}

/// Whether the agent's metrics get a `metrics` property: it declares some, and no section is
/// named so (the grammar's rule too).
fn has_metrics_key(sections: &[(SectionPattern<'_>, Need)], metrics: &[(&str, MetricKind)]) -> bool {
    !metrics.is_empty() && !sections.iter().any(|(p, _)| p.name.eq_ignore_ascii_case(METRICS_KEY))
}

/// The JSON Schema of a reply with `sections` (in file order, with whether each is required
/// in the dispatch's context) and `metrics`; `bounds` adds `maxLength` to bodies and
/// `maxItems` to repeated sections. `None` for an agent without sections.
pub(crate) fn reply_schema<'p>(
    sections: impl IntoIterator<Item = (SectionPattern<'p>, Need)>,
    metrics: &[(&str, MetricKind)],
    bounds: Option<GrammarLimits>,
) -> Option<Value> {
    let sections: Vec<(SectionPattern<'p>, Need)> = sections.into_iter().collect();
    if sections.is_empty() {
        return None;
    }
    let units: usize =
        sections.iter().map(|(p, _)| if p.repeated { bounds.map_or(1, max_items) } else { 1 }).sum::<usize>()
            + usize::from(has_metrics_key(&sections, metrics));
    let body_chars = bounds.map(|b| body_chars(b, units));
    let body = || {
        let mut body = json!({"type": "string", "description": "The section's text, in markdown, without its heading line."});
        if let Some(chars) = body_chars {
            body["maxLength"] = chars.into();
        }
        body
    };
    let mut properties = Map::new();
    for (pattern, need) in &sections {
        let heading = example_heading(pattern.pattern);
        let occurrence = match shape(pattern) {
            Shape::Body(_) => {
                let mut schema = body();
                schema["description"] =
                    format!("The text of the section `{heading}`, in markdown, without its heading line.")
                        .into();
                schema
            }
            Shape::Value => {
                let labels = pattern.labels.unwrap_or_default();
                strict_object([("value", json!({"type": "string", "enum": labels})), ("body", body())])
            }
            Shape::Heading => {
                let mut line = json!({
                    "type": "string",
                    "description": format!("The heading line, matching `{}` (for example `{heading}`).", pattern.pattern),
                });
                if let Some(portable) = portable_pattern(pattern.pattern) {
                    line["pattern"] = match bounds {
                        Some(_) => bounded_repeats(&portable).into(),
                        None => portable.into(),
                    };
                }
                strict_object([("heading", line), ("body", body())])
            }
        };
        let required = *need != Need::Optional;
        let schema = if pattern.repeated {
            let mut list = json!({"type": "array", "items": occurrence, "minItems": u8::from(required)});
            if let Some(bounds) = bounds {
                list["maxItems"] = max_items(bounds).into();
            }
            list
        } else if required {
            occurrence
        } else {
            json!({"anyOf": [occurrence, {"type": "null"}]})
        };
        properties.insert(pattern.name.to_owned(), schema);
    }
    if has_metrics_key(&sections, metrics) {
        let fields = metrics.iter().map(|(name, kind)| {
            let kind = match kind {
                MetricKind::Integer => "integer",
                MetricKind::Boolean => "boolean",
                MetricKind::Float | MetricKind::Percentage | MetricKind::Fraction => "number",
            };
            (*name, json!({"type": kind}))
        });
        properties.insert(METRICS_KEY.to_owned(), strict_object(fields));
    }
    Some(strict_object_of(properties))
}

/// The `maxLength` of a body when the reply of `units` section occurrences must fit `limits`:
/// the grammar's `body_lines` lines of `line_chars`, and with a token budget at most a
/// character per token of each occurrence's share, less the JSON around it (a string's
/// length counts characters, and a model that loops on emoji spends several tokens on each).
fn body_chars(limits: GrammarLimits, units: usize) -> usize {
    let lines = limits.body_lines * limits.line_chars;
    match limits.max_tokens {
        Some(tokens) => (tokens as usize / units.max(1)).saturating_sub(24).clamp(16, lines),
        None => lines,
    }
}

/// The `maxItems` of a repeated section: the grammar's `repeats`, and with a token budget at
/// most one occurrence per 64 tokens (JSON spends more tokens than markdown on each).
fn max_items(limits: GrammarLimits) -> usize {
    match limits.max_tokens {
        Some(tokens) => (tokens as usize / 64).clamp(1, limits.repeats),
        None => limits.repeats,
    }
}

/// `{"type": "object"}` with `fields`, all required, no other property.
fn strict_object<'k>(fields: impl IntoIterator<Item = (&'k str, Value)>) -> Value {
    strict_object_of(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn strict_object_of(properties: Map<String, Value>) -> Value {
    let required: Vec<Value> = properties.keys().map(|k| Value::from(k.as_str())).collect();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// `pattern` as a JSON Schema `pattern` that means the same for a heading line (one line, so
/// `^` and `$` are its ends), anchored at both ends as llama.cpp requires, when it uses only
/// syntax that ECMAScript reads the same way. `None` for inline flags (`(?i)`), named groups
/// (`(?P<n>..)`), Unicode classes (`\p{..}`) and other escapes ECMAScript lacks.
fn portable_pattern(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut i = 0;
    let mut class = false;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                let escaped = *chars.get(i + 1)?;
                // Class shorthands as explicit classes: llama.cpp reads no `\d`, `\w` or `\s`.
                let spelled = match (escaped, class) {
                    ('d', false) => "[0-9]",
                    ('d', true) => "0-9",
                    ('w', false) => "[A-Za-z0-9_]",
                    ('w', true) => "A-Za-z0-9_",
                    ('s', false) => r"[ \t]",
                    ('s', true) => r" \t",
                    ('D', false) => "[^0-9]",
                    ('W', false) => "[^A-Za-z0-9_]",
                    ('S', false) => r"[^ \t]",
                    (c, _) if c.is_ascii_punctuation() || "bBtn".contains(c) => "",
                    _ => return None,
                };
                if spelled.is_empty() {
                    out.push('\\');
                    out.push(escaped);
                } else {
                    out.push_str(spelled);
                }
                i += 2;
                continue;
            }
            '[' if !class => class = true,
            ']' if class => class = false,
            '(' if !class && chars.get(i + 1) == Some(&'?') && chars.get(i + 2) != Some(&':') => return None,
            _ => {}
        }
        out.push(chars[i]);
        i += 1;
    }
    let core = out.strip_prefix('^');
    Some(match core {
        Some(core) if !has_top_level_alternation(&out) => match core.strip_suffix('$') {
            Some(inner) if !inner.ends_with('\\') => format!("^(?:{inner})$"),
            _ => format!("^(?:{core}).*$"),
        },
        _ => format!("^.*(?:{out}).*$"),
    })
}

/// `pattern` with every open repetition bounded (`+` as `{1,16}`, `*` as `{0,16}`, and the
/// free tail `.*` as `.{0,40}`), for a server that generates strings from the pattern
/// (llama.cpp, which then reads no `maxLength`): a model that loops on a digit still ends.
fn bounded_repeats(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut chars = pattern.chars().peekable();
    let mut class = false;
    let mut previous = None;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
                previous = None;
                continue;
            }
            '[' if !class => class = true,
            ']' if class => class = false,
            '*' if !class && previous == Some('.') => out.push_str("{0,40}"),
            '*' if !class => out.push_str("{0,16}"),
            '+' if !class => out.push_str("{1,16}"),
            _ => {}
        }
        if !matches!(c, '*' | '+') || class {
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

/// A JSON reply read back into markdown: the sections, which the contract is checked on, and
/// the metrics block after them (empty when the reply has none), which `Metrics::from_reply`
/// reads. What [`Dispatch::read_json_reply`](crate::Dispatch::read_json_reply) gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonReply {
    /// Each section present, in file order, as its heading line and its body.
    pub sections: String,
    /// `## Metrics` and a `name: value` line per metric given; empty without metrics.
    pub metrics: String,
}

impl JsonReply {
    /// The whole markdown form: the sections, then the metrics block.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(self.sections.len() + self.metrics.len());
        out.push_str(&self.sections);
        out.push_str(&self.metrics);
        out
    }
}

/// The markdown form of a JSON reply to [`reply_schema`], in two parts: each section present,
/// in file order, as its heading line and its body; then the metrics as a `## Metrics` block
/// of `name: value` lines (empty when the reply has none), apart so that the contract is
/// checked on the sections alone (a metrics block after the last section would otherwise be
/// part of its body). A `null` or absent section is left out (the contract check then says
/// whether it was required); anything else the schema does not allow is a
/// [`ReplyProblem::InvalidJson`].
pub(crate) fn markdown_parts<'p>(
    sections: &[(SectionPattern<'p>, Need)],
    metrics: &[(&str, MetricKind)],
    reply: &str,
) -> Result<(String, String), ReplyProblem> {
    let invalid = |message: String| ReplyProblem::InvalidJson { message };
    let value: Value = serde_json::from_str(reply.trim_start_matches('\u{feff}'))
        .map_err(|e| invalid(format!("it is not JSON ({e})")))?;
    let Value::Object(object) = value else {
        return Err(invalid("it is not a JSON object".into()));
    };
    let mut out = String::new();
    for (pattern, _) in sections {
        let Some(value) = object.get(pattern.name).filter(|v| !v.is_null()) else { continue };
        let occurrences = match (pattern.repeated, value) {
            (true, Value::Array(items)) => items.iter().collect(),
            (true, _) => return Err(invalid(format!("`{}` is not an array", pattern.name))),
            (false, value) => vec![value],
        };
        for occurrence in occurrences {
            let (heading, body) = occurrence_text(pattern, occurrence).map_err(invalid)?;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&heading.replace(['\r', '\n'], " "));
            out.push('\n');
            let body = body.trim_end_matches(['\r', '\n']);
            if !body.is_empty() {
                out.push_str(body);
                out.push('\n');
                // A fence the body leaves open would hide every later heading: close it.
                if let Some(fence) = open_fence(body) {
                    out.push_str(&fence);
                    out.push('\n');
                }
            }
        }
    }
    let mut block = String::new();
    if has_metrics_key(sections, metrics) {
        if let Some(values) = object.get(METRICS_KEY).filter(|v| !v.is_null()) {
            let Value::Object(values) = values else {
                return Err(invalid(format!("`{METRICS_KEY}` is not an object")));
            };
            block.push_str("\n## Metrics\n");
            for (name, kind) in metrics {
                let Some(value) = values.get(*name).filter(|v| !v.is_null()) else { continue };
                let text = match (kind, value) {
                    (MetricKind::Percentage, Value::Number(n)) => format!("{n}%"),
                    (_, Value::String(text)) => text.replace(['\r', '\n'], " "),
                    (_, value) => value.to_string(),
                };
                block.push_str(&format!("{name}: {text}\n"));
            }
        }
    }
    Ok((out, block))
}

/// The fence that closes the code block `body` leaves open, if it leaves one (CommonMark: a
/// line of three or more backticks or tildes, closed by a line of at least as many of the
/// same character and nothing else).
fn open_fence(body: &str) -> Option<String> {
    let mut open: Option<(char, usize)> = None;
    for line in body.lines() {
        let line = line.trim_start_matches(' ');
        let Some(mark) = line.chars().next().filter(|c| *c == '`' || *c == '~') else { continue };
        let run = line.chars().take_while(|c| *c == mark).count();
        if run < 3 {
            continue;
        }
        match open {
            None if mark == '~' || !line[run..].contains('`') => open = Some((mark, run)),
            Some((open_mark, open_run))
                if mark == open_mark && run >= open_run && line[run..].trim().is_empty() =>
            {
                open = None
            }
            _ => {}
        }
    }
    open.map(|(mark, run)| mark.to_string().repeat(run))
}

/// The heading line and body of one occurrence of the section of `pattern`.
fn occurrence_text<'v>(pattern: &SectionPattern<'_>, value: &'v Value) -> Result<(String, &'v str), String> {
    let name = pattern.name;
    let text = |key: &str| match value.get(key) {
        Some(Value::String(text)) => Ok(text.as_str()),
        None | Some(Value::Null) if key == "body" => Ok(""),
        _ => Err(format!("`{name}` has no string `{key}`")),
    };
    match shape(pattern) {
        Shape::Body(heading) => match value {
            Value::String(body) => Ok((heading, body.as_str())),
            _ => Err(format!("`{name}` is not a string")),
        },
        Shape::Value => Ok((heading_with_value(pattern.pattern, text("value")?), text("body")?)),
        Shape::Heading => Ok((text("heading")?.to_owned(), text("body")?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markdown_of_json(
        sections: &[(SectionPattern<'_>, Need)],
        metrics: &[(&str, MetricKind)],
        reply: &str,
    ) -> Result<String, ReplyProblem> {
        markdown_parts(sections, metrics, reply).map(|(sections, metrics)| sections + &metrics)
    }

    const SUMMARY: SectionPattern<'static> = SectionPattern::once("Summary", "^## Summary$");
    const TASK: SectionPattern<'static> = SectionPattern::repeated("Task", r"^### Task \d+:");
    const VERDICT: SectionPattern<'static> = SectionPattern::once("VERDICT", "^## VERDICT: (PASS|FAIL)$")
        .with_labels("^## VERDICT: (.*)$", &["PASS", "FAIL"]);
    const NOTES: SectionPattern<'static> = SectionPattern::once("Notes", "(?i)^## notes");

    #[test]
    fn every_property_is_required_and_optional_ones_are_nullable() {
        let schema = reply_schema(
            [
                (SUMMARY, Need::Required),
                (TASK, Need::InThisContext),
                (VERDICT, Need::Required),
                (NOTES, Need::Optional),
            ],
            &[("files_changed", MetricKind::Integer), ("coverage", MetricKind::Percentage)],
            None,
        )
        .unwrap();
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], json!(["Notes", "Summary", "Task", "VERDICT", "metrics"]));
        let p = &schema["properties"];
        assert_eq!(p["Summary"]["type"], "string");
        assert_eq!(p["Task"]["minItems"], 1);
        assert_eq!(p["Task"]["items"]["properties"]["heading"]["pattern"], r"^(?:### Task [0-9]+:).*$");
        assert_eq!(p["VERDICT"]["properties"]["value"]["enum"], json!(["PASS", "FAIL"]));
        assert_eq!(p["Notes"]["anyOf"][1], json!({"type": "null"}));
        // `(?i)` is not ECMAScript: the heading is described, not constrained.
        assert!(p["Notes"]["anyOf"][0]["properties"]["heading"].get("pattern").is_none());
        assert_eq!(p["metrics"]["properties"]["coverage"], json!({"type": "number"}));
        assert_eq!(p["metrics"]["required"], json!(["coverage", "files_changed"]));
        assert!(!schema.to_string().contains("maxLength"));
        let bounded =
            reply_schema([(TASK, Need::Required)], &[], Some(GrammarLimits::new(10, 100, 4))).unwrap();
        assert_eq!(bounded["properties"]["Task"]["maxItems"], 4);
        assert_eq!(bounded["properties"]["Task"]["items"]["properties"]["body"]["maxLength"], 1000);
        // A token budget: a character per token of each occurrence's share (4), less the JSON.
        let limits = GrammarLimits::new(10, 100, 4).within_tokens(600);
        let within = reply_schema([(TASK, Need::Required)], &[], Some(limits)).unwrap();
        assert_eq!(within["properties"]["Task"]["items"]["properties"]["body"]["maxLength"], 126);
        assert_eq!(reply_schema([], &[], None), None);
    }

    #[test]
    fn patterns_are_anchored_at_both_ends() {
        assert_eq!(portable_pattern("^## Summary$").as_deref(), Some("^(?:## Summary)$"));
        assert_eq!(portable_pattern(r"^## Price \$").as_deref(), Some(r"^(?:## Price \$).*$"));
        assert_eq!(portable_pattern("NOTE:").as_deref(), Some("^.*(?:NOTE:).*$"));
        assert_eq!(portable_pattern("^## A|^## B").as_deref(), Some("^.*(?:^## A|^## B).*$"));
        assert_eq!(portable_pattern(r"^## (?:A|B)\s+\d").as_deref(), Some(r"^(?:## (?:A|B)[ \t]+[0-9]).*$"));
        assert_eq!(portable_pattern(r"^## [\w-]+\.$").as_deref(), Some(r"^(?:## [A-Za-z0-9_-]+\.)$"));
        assert_eq!(bounded_repeats(r"^(?:### Task [0-9]+:).*$"), r"^(?:### Task [0-9]{1,16}:).{0,40}$");
        assert_eq!(bounded_repeats(r"^(?:## [*+]\+ x*)$"), r"^(?:## [*+]\+ x{0,16})$");
        for pattern in ["(?i)^## x", r"^## (?P<n>\w+)", r"^\p{Lu}", r"^\A## x"] {
            assert_eq!(portable_pattern(pattern), None, "{pattern}");
        }
    }

    #[test]
    fn json_replies_read_back_as_markdown_in_file_order() {
        let sections = [
            (SUMMARY, Need::Required),
            (TASK, Need::Required),
            (VERDICT, Need::Required),
            (NOTES, Need::Optional),
        ];
        let metrics = [("files_changed", MetricKind::Integer), ("coverage", MetricKind::Percentage)];
        let reply = json!({
            "VERDICT": {"value": "FAIL", "body": "Tests fail.\n"},
            "Task": [
                {"heading": "### Task 1: Parse", "body": "- read it"},
                {"heading": "### Task 2: Check", "body": ""}
            ],
            "Summary": "All done.",
            "Notes": null,
            "metrics": {"files_changed": 3, "coverage": 87.5}
        });
        let markdown = markdown_of_json(&sections, &metrics, &reply.to_string()).unwrap();
        assert_eq!(
            markdown,
            "## Summary\nAll done.\n\n### Task 1: Parse\n- read it\n\n### Task 2: Check\n\n## VERDICT: FAIL\nTests fail.\n\n## Metrics\nfiles_changed: 3\ncoverage: 87.5%\n"
        );
    }

    #[test]
    fn a_body_that_leaves_a_fence_open_does_not_hide_the_next_sections() {
        let sections = [(SUMMARY, Need::Required), (NOTES, Need::Required)];
        let reply =
            json!({"Summary": "Code:\n````go\nfunc f()", "Notes": {"heading": "## notes", "body": "ok"}});
        let markdown = markdown_of_json(&sections, &[], &reply.to_string()).unwrap();
        assert_eq!(markdown, "## Summary\nCode:\n````go\nfunc f()\n````\n\n## notes\nok\n");
        assert_eq!(open_fence("```\na\n```"), None);
        assert_eq!(open_fence("~~~\n```\n"), Some("~~~".into()));
        assert_eq!(open_fence("``` not a fence ` here\n"), None);
    }

    #[test]
    fn json_of_another_shape_is_a_problem_naming_the_section() {
        let sections = [(SUMMARY, Need::Required), (TASK, Need::Required)];
        let problem = |reply: &str| match markdown_of_json(&sections, &[], reply) {
            Err(ReplyProblem::InvalidJson { message }) => message,
            other => panic!("{other:?}"),
        };
        assert!(problem("## Summary\nnot json").starts_with("it is not JSON"));
        assert_eq!(problem("[1]"), "it is not a JSON object");
        assert_eq!(problem(r#"{"Summary": 3}"#), "`Summary` is not a string");
        assert_eq!(problem(r#"{"Task": {"heading": "x"}}"#), "`Task` is not an array");
        assert_eq!(problem(r#"{"Task": [{"body": "x"}]}"#), "`Task` has no string `heading`");
        // Absent sections are left for the contract check.
        assert_eq!(markdown_of_json(&sections, &[], "{}"), Ok(String::new()));
    }
}
