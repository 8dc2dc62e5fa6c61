//! [`ReplyProblem`] and [`ReplyError`]: how a reply breaks the agent's contract.

use std::fmt;

/// One way in which a reply breaks the agent's contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyProblem {
    /// A required section has no line matching its pattern.
    MissingSection {
        /// The section's name.
        section: String,
        /// The section's pattern.
        pattern: String,
        /// The invocation context that makes the section required, for a conditional section.
        context: Option<String>,
    },
    /// A value section's heading holds a value outside its labels.
    InvalidValue {
        /// The section's name.
        section: String,
        /// The value in the reply.
        found: String,
        /// The accepted labels.
        expected: Vec<String>,
    },
    /// The reply is larger than [`MAX_REPLY_BYTES`](crate::MAX_REPLY_BYTES).
    TooLarge {
        /// The reply's length in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The reply starts more section occurrences than
    /// [`MAX_OCCURRENCES`](crate::MAX_OCCURRENCES); from there on, matching lines were read as
    /// content.
    TooManyOccurrences {
        /// The section whose occurrence was one too many.
        section: String,
        /// The limit.
        limit: usize,
    },
    /// A reply that was asked for as JSON ([`contract::schema`](crate::contract::schema)) is
    /// not JSON of the reply schema's shape.
    InvalidJson {
        /// What is wrong with it.
        message: String,
    },
    /// A section pattern could not be compiled (it was checked at compile time, so this means
    /// the runtime and the generator disagree on regular-expression syntax).
    InvalidPattern {
        /// The section's name.
        section: String,
        /// The regex error.
        error: String,
    },
}

impl fmt::Display for ReplyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyProblem::MissingSection { section, pattern, context: None } => {
                write!(f, "missing required section `{section}` (no line matches `{pattern}`)")
            }
            ReplyProblem::MissingSection { section, pattern, context: Some(context) } => write!(
                f,
                "missing section `{section}`, required in context `{context}` (no line matches `{pattern}`)"
            ),
            ReplyProblem::InvalidValue { section, found, expected } => {
                write!(f, "section `{section}` has value `{found}`, expected one of: {}", expected.join(", "))
            }
            ReplyProblem::TooLarge { len, limit } => {
                write!(f, "reply of {len} bytes is larger than the limit of {limit} bytes")
            }
            ReplyProblem::TooManyOccurrences { section, limit } => write!(
                f,
                "more than {limit} section occurrences (the one too many is of section `{section}`)"
            ),
            ReplyProblem::InvalidJson { message } => {
                write!(f, "the reply is not JSON of the reply schema: {message}")
            }
            ReplyProblem::InvalidPattern { section, error } => {
                write!(f, "pattern of section `{section}` does not compile: {error}")
            }
        }
    }
}

/// A reply that does not match the agent's contract. Lists every problem at once.
///
/// An error from [`Dispatch::parse_reply`](crate::Dispatch::parse_reply) also names the agent
/// and keeps the reply text, so that it can be logged or sent back to the model
/// ([`ReplyError::reply`]); a reply refused for its size is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyError {
    problems: Vec<ReplyProblem>,
    agent: Option<String>,
    reply: Option<String>,
    /// The sections the reply has, in file order, for the feedback (boxed: errors stay small).
    found: Box<[String]>,
}

impl ReplyError {
    /// An error made of `problems`, for no agent in particular.
    pub fn new(problems: Vec<ReplyProblem>) -> Self {
        Self { problems, agent: None, reply: None, found: Box::default() }
    }

    /// This error, saying that the reply has the sections `found` (in file order), so that
    /// the [`feedback`](Self::feedback) tells the model to keep them.
    pub fn with_found_sections(mut self, found: Vec<String>) -> Self {
        self.found = found.into_boxed_slice();
        self
    }

    /// The sections the reply has, in file order, when the check said (the contract checks
    /// of `parse_reply` do).
    pub fn found_sections(&self) -> &[String] {
        &self.found
    }

    /// This error, naming `agent`.
    pub fn with_agent(mut self, agent: impl Into<String>) -> Self {
        self.agent = Some(agent.into());
        self
    }

    /// This error naming `agent` and keeping `reply`, unless the reply was refused for its
    /// size: what every check of a reply against an agent's contract returns.
    pub(crate) fn tagged(self, agent: &str, reply: &str) -> Self {
        let too_large = self.problems.iter().any(|p| matches!(p, ReplyProblem::TooLarge { .. }));
        let error = self.with_agent(agent);
        if too_large {
            error
        } else {
            error.with_reply(reply)
        }
    }

    /// This error, keeping the text of the reply it is about.
    pub fn with_reply(mut self, reply: impl Into<String>) -> Self {
        self.reply = Some(reply.into());
        self
    }

    /// Every problem found.
    pub fn problems(&self) -> &[ReplyProblem] {
        &self.problems
    }

    /// The name of the agent whose contract the reply breaks, when known.
    pub fn agent(&self) -> Option<&str> {
        self.agent.as_deref()
    }

    /// The reply text, when kept (always, for errors of `parse_reply`, except for replies
    /// over [`MAX_REPLY_BYTES`](crate::MAX_REPLY_BYTES)).
    pub fn reply(&self) -> Option<&str> {
        self.reply.as_deref()
    }

    /// Takes the reply text out of the error.
    pub fn into_reply(self) -> Option<String> {
        self.reply
    }

    /// Takes the reply text out of the error, leaving the error without it.
    pub fn take_reply(&mut self) -> Option<String> {
        self.reply.take()
    }

    /// The names of the required sections that are missing, in file order.
    pub fn missing_sections(&self) -> impl Iterator<Item = &str> + '_ {
        self.problems.iter().filter_map(|p| match p {
            ReplyProblem::MissingSection { section, .. } => Some(section.as_str()),
            _ => None,
        })
    }
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.agent {
            Some(agent) => write!(f, "the reply of agent `{agent}` does not match its contract")?,
            None => f.write_str("the reply does not match the agent's contract")?,
        }
        match self.problems.as_slice() {
            [one] => write!(f, ": {one}"),
            many => {
                write!(f, " ({} problems):", many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ReplyError {}
