//! JSON for tool-calling APIs (feature `serde`): the input of Claude Code's Task/Agent tool,
//! the Agent SDK's agent definition, and (feature `schemars`) the JSON Schema of an input.

use serde::{Deserialize, Serialize};

use crate::{Agent, Dispatch, Model};

/// The input of Claude Code's Task (Agent) tool for one dispatch: what an orchestrating model
/// sends to start this subagent. Serializes to
/// `{"subagent_type": ..., "description": ..., "prompt": ..., "model": ...}`.
///
/// It deserializes too, so that an incoming call can be routed to its agent with
/// [`Registry::route`](crate::Registry::route).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCall {
    /// The agent's `name`.
    pub subagent_type: String,
    /// A short (3-5 word) description of the task.
    pub description: String,
    /// The dispatch's prompt.
    pub prompt: String,
    /// The agent's model alias, when it names one (`sonnet`, `opus`, `haiku`); absent for
    /// `inherit` and for full model ids, which the tool does not take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl TaskCall {
    /// The call of agent `agent` (whose model is `model`) with `prompt`.
    pub fn new(agent: &str, description: impl Into<String>, prompt: String, model: Model) -> Self {
        let model = match model {
            Model::Sonnet | Model::Opus | Model::Haiku => Some(model.as_str().to_owned()),
            Model::Inherit | Model::Id(_) => None,
        };
        TaskCall { subagent_type: agent.to_owned(), description: description.into(), prompt, model }
    }

    /// The call read from its JSON (the Task tool's `input`).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        Self::deserialize(value)
    }

    /// The call as a JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl<A: Agent> Dispatch<A> {
    /// The Task/Agent tool call that runs this dispatch in Claude Code, with a short
    /// `description` of the task.
    pub fn task_call(&self, description: impl Into<String>) -> TaskCall {
        TaskCall::new(A::NAME, description, self.prompt(), A::MODEL_KIND)
    }
}

/// The agent as the Claude Agent SDK's `agents` option takes it:
/// `{"description": ..., "prompt": <system prompt>, "tools": [...], "model": ...}` (`tools`
/// absent when the file has none, `model` absent for `inherit`).
pub fn agent_definition<A: Agent>() -> serde_json::Value {
    let mut definition = serde_json::Map::new();
    definition.insert("description".into(), A::DESCRIPTION.into());
    definition.insert("prompt".into(), A::SYSTEM_PROMPT.into());
    if !A::TOOLS.is_empty() {
        definition
            .insert("tools".into(), A::TOOLS.iter().map(|t| serde_json::Value::from(t.to_text())).collect());
    }
    if A::MODEL_KIND != Model::Inherit {
        definition.insert("model".into(), A::MODEL_KIND.as_str().into());
    }
    serde_json::Value::Object(definition)
}

/// The JSON Schema of agent `A`'s input, fit for a tool definition; see
/// [`DynAgent::input_schema`](crate::DynAgent::input_schema).
pub fn input_schema<A: crate::RoutableAgent>() -> serde_json::Value {
    crate::dyn_agent::<A>().input_schema()
}

/// Implements `Serialize`, `Deserialize` (and, with `schemars`, `JsonSchema`) for a generated
/// label enum through its labels. Used by generated code.
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_labeled_enum_serde {
    ($name:ident) => {
        impl ::agentbind::serde::Serialize for $name {
            fn serialize<S: ::agentbind::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(<$name as ::agentbind::LabeledEnum>::label(*self))
            }
        }

        impl<'de> ::agentbind::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::agentbind::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let label =
                    <::std::string::String as ::agentbind::serde::Deserialize>::deserialize(deserializer)?;
                <$name as ::agentbind::LabeledEnum>::from_label(&label).ok_or_else(|| {
                    <D::Error as ::agentbind::serde::de::Error>::unknown_variant(
                        &label,
                        <$name as ::agentbind::LabeledEnum>::LABELS,
                    )
                })
            }
        }

        ::agentbind::__agentbind_v0_3_labeled_enum_schema!($name);
    };
}

/// `JsonSchema` for a generated label enum: a string with its labels as `enum`.
#[cfg(feature = "schemars")]
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_labeled_enum_schema {
    ($name:ident) => {
        impl ::agentbind::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::core::stringify!($name))
            }

            fn json_schema(_: &mut ::agentbind::schemars::SchemaGenerator) -> ::agentbind::schemars::Schema {
                ::agentbind::schemars::json_schema!({
                    "type": "string",
                    "enum": <$name as ::agentbind::LabeledEnum>::LABELS,
                })
            }
        }
    };
}

/// Without `schemars`: nothing.
#[cfg(not(feature = "schemars"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __agentbind_v0_3_labeled_enum_schema {
    ($name:ident) => {};
}

macro_rules! serialize_as_text {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    )*};
}
serialize_as_text!(crate::Tool<'_>, crate::Model<'_>, crate::Color<'_>);
