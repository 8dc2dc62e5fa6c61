//! The reply-format instructions: what a model is told about the sections its reply needs,
//! up front ([`Dispatch::reply_format`](crate::Dispatch::reply_format)) or after a reply
//! that missed them ([`ReplyError::feedback`](crate::ReplyError::feedback)).

use crate::agent::{Requirement, SectionKind};
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

/// The reply-format instructions for agent sections `S` in `context` (see [`reply_format_of`]).
pub(crate) fn reply_format<S: SectionKind>(context: Option<&S::Context>) -> String {
    reply_format_of(section_rows::<S>(context))
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

/// The reply-format instructions: one line per section with an example heading, whether it is
/// required, and the values a value section accepts. Empty when the agent declares no
/// sections. What both typed dispatches and agents loaded at run time send.
pub(crate) fn reply_format_of<'p>(rows: impl IntoIterator<Item = (SectionPattern<'p>, Need)>) -> String {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return String::new();
    }
    let mut out = String::from(
        "## Reply format\n\nWrite your reply in markdown. Start each section with its heading line, \
         exactly as shown, at the start of a line and outside code blocks:\n",
    );
    for (pattern, need) in rows {
        let heading = example_heading(pattern.pattern);
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
            out.push_str(&format!("; the value is one of: {}", labels.join(", ")));
        }
        out.push('\n');
    }
    out
}

impl ReplyError {
    /// A message to send back to the model after this reply: what is wrong with it, how each
    /// missing section's heading looks and which values are allowed, and a request for the
    /// whole reply again. What a repair turn of a run says.
    pub fn feedback(&self) -> String {
        let mut out = String::from("Your reply does not follow the required format:\n");
        for problem in self.problems() {
            match problem {
                ReplyProblem::MissingSection { section, pattern, context } => {
                    let heading = example_heading(pattern);
                    out.push_str(&format!("- the section `{section}` is missing: add a line `{heading}`"));
                    if let Some(context) = context {
                        out.push_str(&format!(" (required in context `{context}`)"));
                    }
                    out.push_str(&format!(", matching the pattern `{pattern}`\n"));
                }
                ReplyProblem::InvalidValue { section, found, expected } => out.push_str(&format!(
                    "- the section `{section}` has the value `{found}`; use exactly one of: {}\n",
                    expected.join(", ")
                )),
                other => out.push_str(&format!("- {other}\n")),
            }
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
