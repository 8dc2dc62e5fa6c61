//! The command-line arguments of a call: the output format, and those made from the agent's
//! settings and the client.

use agentbind::Tool;

use super::ClaudeCode;
use crate::client::ModelRequest;

impl ClaudeCode {
    /// The arguments of a call for `request` that starts a new session, whole
    /// (`--output-format json`; the prompt goes on stdin).
    pub fn arguments(&self, request: &ModelRequest<'_>) -> Vec<String> {
        let mut args = output_format(false);
        args.extend(self.settings_arguments(request));
        args
    }

    /// The arguments made from the request and the client, without the output format.
    pub(super) fn settings_arguments(&self, request: &ModelRequest<'_>) -> Vec<String> {
        let mut args = vec!["--system-prompt".to_owned(), request.system.to_owned()];
        if let Some(model) = self.models.resolve(request.model) {
            args.push("--model".to_owned());
            args.push(model);
        }
        if !request.tools.is_empty() {
            let mut names: Vec<String> = Vec::new();
            for tool in request.tools {
                let name = tool_name(*tool);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            args.push("--tools".to_owned());
            args.push(names.join(","));
            args.push("--allowedTools".to_owned());
            args.push(tool_list(request.tools));
        }
        let settings = &request.claude_code;
        if !settings.disallowed_tools.is_empty() {
            args.push("--disallowedTools".to_owned());
            args.push(tool_list(settings.disallowed_tools));
        }
        if let Some(mode) = settings.permission_mode {
            args.push("--permission-mode".to_owned());
            args.push(mode.to_owned());
        }
        if let Some(turns) = settings.max_turns {
            args.push("--max-turns".to_owned());
            args.push(turns.to_string());
        }
        if let Some(schema) = request.json_schema {
            // The CLI gives the model a StructuredOutput tool of this schema; the result's
            // `structured_output` is the reply.
            args.push("--json-schema".to_owned());
            args.push(schema.json().to_owned());
        }
        args.extend(self.args.iter().cloned());
        args
    }
}

/// `--tools` takes names: a scoped entry (`Bash(git:*)`) gives its tool's.
fn tool_name(tool: Tool<'_>) -> String {
    match tool {
        Tool::Scoped { name, .. } => name.to_owned(),
        tool => tool.to_text(),
    }
}

/// Entries as written, comma-separated.
fn tool_list(tools: &[Tool<'_>]) -> String {
    tools.iter().map(|t| t.to_text()).collect::<Vec<_>>().join(",")
}

pub(super) fn output_format(stream: bool) -> Vec<String> {
    let mut args = vec!["-p".to_owned(), "--output-format".to_owned()];
    if stream {
        args.extend(["stream-json", "--verbose", "--include-partial-messages"].map(str::to_owned));
    } else {
        args.push("json".to_owned());
    }
    args
}

#[cfg(test)]
mod tests {
    use agentbind::{ClaudeCodeSettings, Model, Tool};

    use super::super::testing::request;
    use super::*;
    use crate::client::Message;

    #[test]
    fn the_agents_settings_become_arguments() {
        let mut settings = ClaudeCodeSettings::NONE;
        settings.disallowed_tools = &[Tool::Write, Tool::Scoped { name: "Bash", argument: "rm:*" }];
        settings.permission_mode = Some("plan");
        settings.max_turns = Some(3);
        let messages = [Message::user("Go.")];
        let client = ClaudeCode::new().arg("--mcp-config").arg("m.json");
        assert_eq!(
            client.arguments(&request(&messages, settings)),
            [
                "-p",
                "--output-format",
                "json",
                "--system-prompt",
                "You review.",
                "--model",
                "opus",
                "--tools",
                "Read,Bash,mcp__github__search",
                "--allowedTools",
                "Read,Bash(git:*),Bash(ls:*),mcp__github__search",
                "--disallowedTools",
                "Write,Bash(rm:*)",
                "--permission-mode",
                "plan",
                "--max-turns",
                "3",
                "--mcp-config",
                "m.json",
            ]
        );
        let mut unrestricted = request(&messages, ClaudeCodeSettings::NONE);
        unrestricted.tools = &[];
        unrestricted.model = Model::Inherit;
        assert_eq!(
            client.arguments(&unrestricted),
            ["-p", "--output-format", "json", "--system-prompt", "You review.", "--mcp-config", "m.json"]
        );
    }
}
