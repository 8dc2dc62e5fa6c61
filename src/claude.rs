//! Typed Claude Code subagent fields: `tools`, `model`, `color` and the other documented keys.

use std::fmt;

/// One entry of `tools` (or `disallowedTools`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    /// `Agent`: starts a subagent (the newer name of `Task`).
    Agent,
    /// `Bash`.
    Bash,
    /// `BashOutput`.
    BashOutput,
    /// `Edit`.
    Edit,
    /// `ExitPlanMode`.
    ExitPlanMode,
    /// `Glob`.
    Glob,
    /// `Grep`.
    Grep,
    /// `KillShell`.
    KillShell,
    /// `LS`.
    Ls,
    /// `MultiEdit`.
    MultiEdit,
    /// `NotebookEdit`.
    NotebookEdit,
    /// `NotebookRead`.
    NotebookRead,
    /// `Read`.
    Read,
    /// `Skill`.
    Skill,
    /// `SlashCommand`.
    SlashCommand,
    /// `Task`: starts a subagent.
    Task,
    /// `TodoWrite`.
    TodoWrite,
    /// `WebFetch`.
    WebFetch,
    /// `WebSearch`.
    WebSearch,
    /// `Write`.
    Write,
    /// A tool of an MCP server: `mcp__<server>__<tool>`.
    Mcp {
        /// The server's name.
        server: &'static str,
        /// The tool's name (empty for `mcp__<server>`, every tool of the server).
        tool: &'static str,
    },
    /// A tool with an argument that narrows it: `Agent(code-reviewer)`, `Bash(git:*)`.
    Scoped {
        /// The tool's name (`Agent`).
        name: &'static str,
        /// The text between the parentheses (`code-reviewer`).
        argument: &'static str,
    },
    /// Anything else (plugin commands, tools agentbind does not know), as written.
    Other(&'static str),
}

impl Tool {
    /// The entry as written in the file.
    pub fn to_text(self) -> String {
        match self {
            Tool::Mcp { server, tool: "" } => format!("mcp__{server}"),
            Tool::Mcp { server, tool } => format!("mcp__{server}__{tool}"),
            Tool::Scoped { name, argument } => format!("{name}({argument})"),
            other => other.builtin_name().unwrap_or_default().to_owned(),
        }
    }

    /// The name of a built-in tool (`Read`), `None` for MCP, scoped and other entries.
    pub const fn builtin_name(self) -> Option<&'static str> {
        Some(match self {
            Tool::Agent => "Agent",
            Tool::Bash => "Bash",
            Tool::BashOutput => "BashOutput",
            Tool::Edit => "Edit",
            Tool::ExitPlanMode => "ExitPlanMode",
            Tool::Glob => "Glob",
            Tool::Grep => "Grep",
            Tool::KillShell => "KillShell",
            Tool::Ls => "LS",
            Tool::MultiEdit => "MultiEdit",
            Tool::NotebookEdit => "NotebookEdit",
            Tool::NotebookRead => "NotebookRead",
            Tool::Read => "Read",
            Tool::Skill => "Skill",
            Tool::SlashCommand => "SlashCommand",
            Tool::Task => "Task",
            Tool::TodoWrite => "TodoWrite",
            Tool::WebFetch => "WebFetch",
            Tool::WebSearch => "WebSearch",
            Tool::Write => "Write",
            Tool::Mcp { .. } | Tool::Scoped { .. } => return None,
            Tool::Other(name) => return Some(name),
        })
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// `model`: an alias or a full model id. `Inherit` (use the caller's model) when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// `sonnet`.
    Sonnet,
    /// `opus`.
    Opus,
    /// `haiku`.
    Haiku,
    /// `inherit`, or no `model` key.
    Inherit,
    /// A full model id such as `claude-sonnet-4-20250514`.
    Id(&'static str),
}

impl Model {
    /// The value as written in the file (`inherit` when absent).
    pub const fn as_str(self) -> &'static str {
        match self {
            Model::Sonnet => "sonnet",
            Model::Opus => "opus",
            Model::Haiku => "haiku",
            Model::Inherit => "inherit",
            Model::Id(id) => id,
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `color`: the color Claude Code shows the agent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Color {
    /// `red`.
    Red,
    /// `blue`.
    Blue,
    /// `green`.
    Green,
    /// `yellow`.
    Yellow,
    /// `purple`.
    Purple,
    /// `orange`.
    Orange,
    /// `pink`.
    Pink,
    /// `cyan`.
    Cyan,
    /// Any other value, as written.
    Other(&'static str),
}

impl Color {
    /// The value as written in the file.
    pub const fn as_str(self) -> &'static str {
        match self {
            Color::Red => "red",
            Color::Blue => "blue",
            Color::Green => "green",
            Color::Yellow => "yellow",
            Color::Purple => "purple",
            Color::Orange => "orange",
            Color::Pink => "pink",
            Color::Cyan => "cyan",
            Color::Other(other) => other,
        }
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The other keys Claude Code documents for subagents, typed. Absent keys are `None` or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ClaudeCodeSettings {
    /// `disallowedTools`.
    pub disallowed_tools: &'static [Tool],
    /// `permissionMode` (`default`, `acceptEdits`, `bypassPermissions`, `plan`...).
    pub permission_mode: Option<&'static str>,
    /// `maxTurns`.
    pub max_turns: Option<u32>,
    /// `skills`.
    pub skills: &'static [&'static str],
    /// `mcpServers`: the servers' names (the entries of a list, or the keys of a mapping).
    pub mcp_servers: &'static [&'static str],
    /// `hooks`, as compact YAML-like text (its structure is not typed).
    pub hooks: Option<&'static str>,
    /// `memory`.
    pub memory: Option<&'static str>,
    /// `background`.
    pub background: Option<bool>,
    /// `effort`.
    pub effort: Option<&'static str>,
    /// `isolation`.
    pub isolation: Option<&'static str>,
    /// `initialPrompt`.
    pub initial_prompt: Option<&'static str>,
}

impl ClaudeCodeSettings {
    /// No key set: what a file without any of these keys gets.
    pub const NONE: ClaudeCodeSettings = ClaudeCodeSettings {
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
