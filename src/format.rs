//! The reply-format instructions: what a model is told about the sections its reply needs,
//! up front ([`Dispatch::reply_format`](crate::Dispatch::reply_format)) or after a reply
//! that missed them ([`ReplyError::feedback`](crate::ReplyError::feedback)).

use crate::agent::{Requirement, SectionKind};
use crate::pattern::example_heading;
use crate::reply::{ReplyError, ReplyProblem};

/// The reply-format instructions for agent sections `S` in `context`: one line per section
/// with an example heading, whether it is required, and the values a value section accepts.
/// Empty when the agent declares no sections.
pub(crate) fn reply_format<S: SectionKind>(context: Option<&S::Context>) -> String {
    if S::ALL.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "## Reply format\n\nWrite your reply in markdown. Start each section with its heading line, \
         exactly as shown, at the start of a line and outside code blocks:\n",
    );
    for (section, pattern) in S::ALL.iter().zip(S::PATTERNS) {
        let heading = example_heading(pattern.pattern);
        let need = match section.requirement() {
            Requirement::Required => "required",
            Requirement::RequiredIn(_) if section.requirement().is_required_in(context) => {
                "required in this context"
            }
            _ => "optional",
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
