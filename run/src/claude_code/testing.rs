//! A request for the unit tests: the tools a reviewer might have, any messages and settings.

use agentbind::{ClaudeCodeSettings, Model, Tool};

use crate::client::{Message, ModelRequest};

pub(super) const TOOLS: &[Tool<'static>] = &[
    Tool::Read,
    Tool::Scoped { name: "Bash", argument: "git:*" },
    Tool::Scoped { name: "Bash", argument: "ls:*" },
    Tool::Mcp { server: "github", tool: "search" },
];

pub(super) fn request<'a>(messages: &'a [Message], settings: ClaudeCodeSettings<'a>) -> ModelRequest<'a> {
    ModelRequest {
        agent: "a",
        model: Model::Opus,
        system: "You review.",
        messages,
        tools: TOOLS,
        claude_code: settings,
        max_tokens: None,
        temperature: None,
        grammar: None,
        json_schema: None,
    }
}
