//! Typed Claude Code subagent fields: `tools`, `model`, `color` and the other documented keys.

use std::fmt;

/// `Tool` with the built-in tools of `agentbind-vocab`, and `builtin_name`.
macro_rules! tool_enum {
    ($($variant:ident $name:literal $doc:literal),* $(,)?) => {
        /// One entry of `tools` (or `disallowedTools`). `'static` in generated code; an agent
        /// loaded at run time borrows its own text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Tool<'a> {
            $( #[doc = $doc] $variant, )*
            /// A tool of an MCP server: `mcp__<server>__<tool>`.
            Mcp {
                /// The server's name.
                server: &'a str,
                /// The tool's name (empty for `mcp__<server>`, every tool of the server).
                tool: &'a str,
            },
            /// A tool with an argument that narrows it: `Agent(code-reviewer)`, `Bash(git:*)`.
            Scoped {
                /// The tool's name (`Agent`).
                name: &'a str,
                /// The text between the parentheses (`code-reviewer`).
                argument: &'a str,
            },
            /// Anything else (plugin commands, tools agentbind does not know), as written.
            Other(&'a str),
        }

        impl Tool<'_> {
            /// Every built-in tool, in the order of `agentbind-vocab`.
            pub const BUILTIN: &'static [Tool<'static>] = &[$( Tool::$variant ),*];

            /// The name of a built-in tool (`Read`); `None` for MCP, scoped and other entries.
            pub const fn builtin_name(self) -> Option<&'static str> {
                match self {
                    $( Tool::$variant => Some($name), )*
                    Tool::Mcp { .. } | Tool::Scoped { .. } | Tool::Other(_) => None,
                }
            }
        }
    };
}
agentbind_vocab::builtin_tools!(tool_enum);

impl Tool<'_> {
    /// The entry as written in the file.
    pub fn to_text(self) -> String {
        match self {
            Tool::Mcp { server, tool: "" } => format!("mcp__{server}"),
            Tool::Mcp { server, tool } => format!("mcp__{server}__{tool}"),
            Tool::Scoped { name, argument } => format!("{name}({argument})"),
            Tool::Other(text) => text.to_owned(),
            builtin => builtin.builtin_name().unwrap_or_default().to_owned(),
        }
    }
}

impl fmt::Display for Tool<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

agentbind_vocab::model_aliases!(open_word_enum
    /// `model`: an alias or a full model id. `Inherit` (use the caller's model) when absent.
    Model, Id, "A full model id such as `claude-sonnet-4-20250514`.";
);

agentbind_vocab::colors!(open_word_enum
    /// `color`: the color Claude Code shows the agent in.
    Color, Other, "Any other value, as written.";
);

/// The other keys Claude Code documents for subagents, typed. Absent keys are `None` or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct ClaudeCodeSettings<'a> {
    /// `disallowedTools`.
    pub disallowed_tools: &'a [Tool<'a>],
    /// `permissionMode` (`default`, `acceptEdits`, `bypassPermissions`, `plan`...).
    pub permission_mode: Option<&'a str>,
    /// `maxTurns`.
    pub max_turns: Option<u32>,
    /// `skills`.
    pub skills: &'a [&'a str],
    /// `mcpServers`: the servers' names (the entries of a list, or the keys of a mapping).
    pub mcp_servers: &'a [&'a str],
    /// `hooks`, as compact YAML-like text (its structure is not typed).
    pub hooks: Option<&'a str>,
    /// `memory`.
    pub memory: Option<&'a str>,
    /// `background`.
    pub background: Option<bool>,
    /// `effort`.
    pub effort: Option<&'a str>,
    /// `isolation`.
    pub isolation: Option<&'a str>,
    /// `initialPrompt`.
    pub initial_prompt: Option<&'a str>,
}

impl ClaudeCodeSettings<'_> {
    /// No key set: what a file without any of these keys gets.
    pub const NONE: ClaudeCodeSettings<'static> = ClaudeCodeSettings {
        disallowed_tools: &[],
        permission_mode: None,
        max_turns: None,
        skills: &[],
        mcp_servers: &[],
        hooks: None,
        memory: None,
        background: None,
        effort: None,
        isolation: None,
        initial_prompt: None,
    };
}

#[cfg(test)]
mod tests {
    use super::{Color, Model, Tool};

    #[test]
    fn builtin_name_is_none_outside_the_builtin_tools() {
        assert_eq!(Tool::Ls.builtin_name(), Some("LS"));
        assert_eq!(Tool::Other("plugin:run").builtin_name(), None);
        assert_eq!(Tool::Mcp { server: "github", tool: "" }.builtin_name(), None);
        // `to_text` gives every entry back as written.
        assert_eq!(Tool::Other("plugin:run").to_text(), "plugin:run");
        assert_eq!(Tool::Ls.to_text(), "LS");
        assert_eq!(Tool::Scoped { name: "Bash", argument: "git:*" }.to_text(), "Bash(git:*)");
    }

    #[test]
    fn the_builtin_tools_are_the_vocabulary_s() {
        let names: Vec<&str> = Tool::BUILTIN.iter().filter_map(|t| t.builtin_name()).collect();
        let words: Vec<&str> = agentbind_vocab::BUILTIN_TOOLS.iter().map(|w| w.word).collect();
        assert_eq!(names, words);
        assert_eq!(Color::Cyan.as_str(), "cyan");
        assert_eq!(Model::Id("claude-x").to_string(), "claude-x");
    }
}
