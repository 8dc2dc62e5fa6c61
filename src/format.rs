//! The reply-format instructions: what a model is told about the sections its reply needs,
//! up front ([`Dispatch::reply_format`](crate::Dispatch::reply_format)) or after a reply
//! that missed them ([`ReplyError::feedback`](crate::ReplyError::feedback)).

use crate::agent::{Requirement, SectionKind};
use crate::numbers::MetricKind;
use crate::pattern::{example_heading, SectionPattern};
use crate::reply::ReplySections;
use crate::reply::{ReplyError, ReplyProblem};

/// Whether a section is required in a dispatch's context, for the reply format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Always required.
    Required,
    /// Required in the dispatch's context.
    InThisContext,
    /// Not required here.
    Optional,
}

/// The reply-format instructions for agent sections `S` in `context`, with `metrics` (see
/// [`reply_format_of`]).
pub(crate) fn reply_format<S: SectionKind>(
    context: Option<&S::Context>,
    metrics: &[(&str, MetricKind)],
) -> String {
    reply_format_of(section_rows::<S>(context), metrics)
}

/// Each section of `S` with whether it is required in `context`, in file order.
pub(crate) fn section_rows<S: SectionKind>(
    context: Option<&S::Context>,
) -> impl Iterator<Item = (SectionPattern<'static>, Need)> + '_ {
    S::ALL.iter().zip(S::PATTERNS).map(move |(section, pattern)| {
        let need = match section.requirement() {
            Requirement::Required => Need::Required,
            Requirement::RequiredIn(_) if section.requirement().is_required_in(context) => {
                Need::InThisContext
            }
            _ => Need::Optional,
        };
        (*pattern, need)
    })
}

/// How a model is shown the heading of a section: an example built from its pattern, with a
/// value section's labels as a placeholder (`## VERDICT: <PASS|FAIL>`), so that a model that
/// copies the example still has to choose.
pub(crate) fn shown_heading(pattern: &SectionPattern<'_>) -> String {
    match pattern.labels {
        Some(labels) => {
            crate::pattern::heading_with_value(pattern.pattern, &format!("<{}>", labels.join("|")))
        }
        None => example_heading(pattern.pattern),
    }
}

/// [`shown_heading`] from a pattern alone: a first capture group of plain alternatives
/// (`(PASS|FAIL)`) is shown as the placeholder `<PASS|FAIL>`.
fn shown_heading_of(pattern: &str) -> String {
    let group = pattern.find('(').filter(|&at| !pattern[at + 1..].starts_with('?')).and_then(|at| {
        let inner = &pattern[at + 1..];
        inner.find(')').map(|end| &inner[..end])
    });
    match group {
        Some(inner)
            if inner.contains('|')
                && inner.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' ' | '|')) =>
        {
            crate::pattern::heading_with_value(pattern, &format!("<{inner}>"))
        }
        _ => example_heading(pattern),
    }
}

/// The reply-format instructions: one line per section with its heading (see
/// [`shown_heading`]), whether it is required, and the values a value section accepts; then,
/// for an agent with metrics, the `## Metrics` block and one line per metric. Empty when the
/// agent declares no sections. What both typed dispatches and agents loaded at run time send.
pub(crate) fn reply_format_of<'p>(
    rows: impl IntoIterator<Item = (SectionPattern<'p>, Need)>,
    metrics: &[(&str, MetricKind)],
) -> String {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return String::new();
    }
    let mut out = String::from(
        "## Reply format\n\nWrite your reply in markdown. Start each section with its heading line, \
         exactly as shown, at the start of a line and outside code blocks:\n",
    );
    let mut metrics_section = false;
    for (pattern, need) in rows {
        metrics_section |= pattern.name.eq_ignore_ascii_case("metrics");
        let heading = shown_heading(&pattern);
        let need = match need {
            Need::Required => "required",
            Need::InThisContext => "required in this context",
            Need::Optional => "optional",
        };
        out.push_str(&format!("- `{heading}`: {need}"));
        if pattern.repeated {
            out.push_str(", once per item");
        }
        if let Some(labels) = pattern.labels {
            out.push_str(&format!("; write exactly one of: {}", labels.join(", ")));
        }
        out.push('\n');
    }
    if !metrics.is_empty() && !metrics_section {
        out.push_str("- `## Metrics`: last, one `name: value` line per metric:");
        for (i, (name, kind)) in metrics.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            out.push_str(&format!("{sep}`{name}: <{}>`", kind_word(*kind)));
        }
        out.push('\n');
    }
    out
}

/// How a metric's value is described to a model.
fn kind_word(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Integer => "integer",
        MetricKind::Float => "number",
        MetricKind::Percentage => "percentage, e.g. 85%",
        MetricKind::Boolean => "true|false",
        MetricKind::Fraction => "fraction, e.g. 0.5 or 3/4",
    }
}

impl ReplyError {
    /// A message to send back to the model after this reply: what is wrong with it, how each
    /// missing section's heading looks, the lines that nearly started it (`you wrote
    /// `## Task 1``) with the heading to write instead, which values are allowed, the
    /// sections it already got right, and a request for the whole reply again. What a repair
    /// turn of a run says.
    pub fn feedback(&self) -> String {
        let mut out = String::from("Your reply does not follow the required format:\n");
        for problem in self.problems() {
            match problem {
                ReplyProblem::MissingSection { section, pattern, context } => {
                    let heading = shown_heading_of(pattern);
                    let open = if pattern.ends_with('$') { "" } else { " ..." };
                    out.push_str(&format!("- the section `{section}` is missing"));
                    if let Some(context) = context {
                        out.push_str(&format!(" (required in context `{context}`)"));
                    }
                    let misses = self
                        .reply()
                        .map(|reply| crate::near_miss::near_misses(reply, section, pattern, &[], 3))
                        .unwrap_or_default();
                    match misses.first() {
                        Some(miss) => {
                            out.push_str(&format!(
                                ": you wrote `{}`; the heading must match `{pattern}` (for example `{heading}{open}`)",
                                miss.found
                            ));
                            if let Some(fixed) = &miss.fixed {
                                out.push_str(&format!(", so write `{fixed}`"));
                            }
                        }
                        None => out
                            .push_str(&format!(": add a line `{heading}`, matching the pattern `{pattern}`")),
                    }
                    out.push('\n');
                }
                ReplyProblem::InvalidValue { section, found, expected } => out.push_str(&format!(
                    "- the section `{section}` has the value `{found}`; use exactly one of: {}\n",
                    expected.join(", ")
                )),
                other => out.push_str(&format!("- {other}\n")),
            }
        }
        if !self.found_sections().is_empty() {
            let found: Vec<String> = self.found_sections().iter().map(|s| format!("`{s}`")).collect();
            out.push_str(&format!(
                "\nThese sections are right; keep them as they are: {}.\n",
                found.join(", ")
            ));
        }
        out.push_str(
            "\nReply again with your complete answer, keeping what was right and including every \
             required section with its heading line exactly as shown.",
        );
        out
    }
}

/// Every problem of a reply whose sections are `sections`: each section that `needs` (in the
/// order of the agent's sections: whether it is required here, and the context that makes it
/// so) says is required and that is missing, then every value outside its labels. What both
/// typed dispatches and agents loaded at run time check.
pub(crate) fn contract_problems<'c>(
    sections: &ReplySections<'_>,
    needs: impl IntoIterator<Item = (bool, Option<&'c str>)>,
) -> Vec<ReplyProblem> {
    let mut problems: Vec<ReplyProblem> = sections
        .patterns()
        .iter()
        .zip(needs)
        .enumerate()
        .filter(|(index, (_, (required, _)))| *required && sections.count(*index) == 0)
        .map(|(_, (pattern, (_, context)))| ReplyProblem::MissingSection {
            section: pattern.name.to_owned(),
            pattern: pattern.pattern.to_owned(),
            context: context.map(str::to_owned),
        })
        .collect();
    problems.extend(sections.value_problems().iter().cloned());
    problems
}
