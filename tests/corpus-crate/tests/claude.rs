//! The Claude Code fixtures of `tests/claude-agents` load through the build script and the
//! macro alike, with typed `tools`, `model`, `color` and settings, and free-form dispatches.

use agentbind::{ClaudeCodeSettings, Color, Model, Tool};
use agentbind_corpus::{claude_built as built, claude_macro as via_macro};

macro_rules! same_agent {
    ($($module:ident),* $(,)?) => {$(
        assert_eq!(built::$module::Agent::NAME, via_macro::$module::Agent::NAME);
        assert_eq!(built::$module::Agent::DESCRIPTION, via_macro::$module::Agent::DESCRIPTION);
        assert_eq!(built::$module::Agent::SYSTEM_PROMPT, via_macro::$module::Agent::SYSTEM_PROMPT);
        assert_eq!(built::$module::Agent::MODEL_KIND, via_macro::$module::Agent::MODEL_KIND);
        assert_eq!(built::$module::Agent::TOOLS, via_macro::$module::Agent::TOOLS);
        assert_eq!(built::$module::Agent::COLOR, via_macro::$module::Agent::COLOR);
        assert_eq!(built::$module::Agent::CLAUDE_CODE, via_macro::$module::Agent::CLAUDE_CODE);
        // No input schema, no sections: a free-form dispatch that keeps the reply.
        let dispatch = via_macro::$module::Agent::dispatch(via_macro::$module::Input::new())
            .with_instructions("Do the task.");
        assert_eq!(dispatch.prompt(), "Do the task.\n");
        assert_eq!(dispatch.parse_reply("\u{feff}Any text.").unwrap().text, "Any text.");
    )*};
}

#[test]
fn every_fixture_gives_the_same_agent_through_both_paths() {
    assert!(built::AnyAgent::ALL.len() >= 30);
    same_agent!(
        bom,
        color_other,
        colors_documented,
        crlf_line_endings,
        description_block_scalar,
        description_bold_start,
        description_continues_at_column_0,
        description_examples,
        description_quoted_escapes,
        description_unquoted_colon,
        disallowed_and_permission,
        everything,
        extra_unknown_keys,
        hooks,
        large_body,
        long_description,
        mcp_servers_map,
        memory_effort_isolation,
        minimal,
        model_absent,
        model_full_id,
        model_haiku,
        model_inherit,
        model_opus,
        model_sonnet,
        name_not_kebab,
        no_trailing_newline,
        non_ascii,
        skills_and_mcp_list,
        tools_comma_string,
        tools_empty_list,
        tools_mcp,
        tools_plugin_commands,
        tools_scoped,
        tools_yaml_list,
        turns_and_background,
    );
}

#[test]
fn tools_are_typed_in_every_form() {
    assert_eq!(built::tools_comma_string::Agent::TOOLS, &[Tool::Read, Tool::Grep, Tool::Glob, Tool::Bash]);
    assert_eq!(built::tools_yaml_list::Agent::TOOLS, &[Tool::Read, Tool::Write, Tool::Edit, Tool::Ls]);
    assert_eq!(built::tools_empty_list::Agent::TOOLS, &[]);
    assert_eq!(built::minimal::Agent::TOOLS, &[]);
    assert_eq!(
        built::tools_mcp::Agent::TOOLS,
        &[
            Tool::Read,
            Tool::Mcp { server: "github", tool: "create_issue" },
            Tool::Mcp { server: "slack", tool: "" }
        ]
    );
    assert_eq!(
        built::tools_scoped::Agent::TOOLS,
        &[
            Tool::Scoped { name: "Agent", argument: "code-reviewer" },
            Tool::Scoped { name: "Task", argument: "explore" },
            Tool::Scoped { name: "Bash", argument: "git:*" },
        ]
    );
    assert_eq!(
        built::tools_plugin_commands::Agent::TOOLS,
        &[Tool::Other("/deploy:run"), Tool::Other("my-plugin:lint"), Tool::Other("FutureTool")]
    );
    assert_eq!(Tool::Mcp { server: "slack", tool: "" }.to_string(), "mcp__slack");
}

#[test]
fn models_and_colors_are_typed() {
    assert_eq!(built::model_sonnet::Agent::MODEL_KIND, Model::Sonnet);
    assert_eq!(built::model_opus::Agent::MODEL_KIND, Model::Opus);
    assert_eq!(built::model_haiku::Agent::MODEL_KIND, Model::Haiku);
    assert_eq!(built::model_inherit::Agent::MODEL_KIND, Model::Inherit);
    assert_eq!(built::model_absent::Agent::MODEL_KIND, Model::Inherit);
    assert_eq!(built::model_absent::Agent::MODEL, "inherit");
    assert_eq!(built::model_full_id::Agent::MODEL_KIND, Model::Id("claude-opus-4-1-20250805"));
    assert_eq!(built::colors_documented::Agent::COLOR, Some(Color::Purple));
    assert_eq!(built::color_other::Agent::COLOR, Some(Color::Other("teal")));
    assert_eq!(built::minimal::Agent::COLOR, None);
}

#[test]
fn descriptions_that_are_not_strict_yaml_load_as_in_claude_code() {
    assert_eq!(
        built::description_unquoted_colon::Agent::DESCRIPTION,
        "Use for privacy reviews. Triggers on: 'GDPR', 'CCPA', 'data retention'"
    );
    assert!(built::description_examples::Agent::DESCRIPTION
        .starts_with("Use this agent for release notes.\\n\\n<example>"));
    assert_eq!(built::description_examples::Agent::TOOLS, &[Tool::Read, Tool::Grep]);
    assert_eq!(built::description_examples::Agent::COLOR, Some(Color::Green));
    assert_eq!(
        built::description_bold_start::Agent::DESCRIPTION,
        "**Security Expert**: audits code for vulnerabilities."
    );
    assert_eq!(
        built::description_continues_at_column_0::Agent::DESCRIPTION,
        "Reviews database migrations: checks locks, indexes and rollbacks before they ship."
    );
    assert_eq!(built::description_continues_at_column_0::Agent::MODEL_KIND, Model::Haiku);
    assert_eq!(
        built::description_block_scalar::Agent::DESCRIPTION,
        "First line of a literal block.\nSecond line: with a colon.\n"
    );
    assert_eq!(
        built::description_quoted_escapes::Agent::DESCRIPTION,
        "Quoted, with an escaped \"quote\" and a\ttab."
    );
}

#[test]
fn odd_but_valid_files_load() {
    assert_eq!(built::name_not_kebab::Agent::NAME, "Data Pipeline Helper");
    assert_eq!(built::AnyAgent::from_name("Data Pipeline Helper"), Some(built::AnyAgent::NameNotKebab));
    assert_eq!(built::long_description::Agent::DESCRIPTION.len(), 2000);
    assert!(built::large_body::Agent::SYSTEM_PROMPT.len() > 60_000);
    assert!(built::non_ascii::Agent::DESCRIPTION.contains("日本語"));
    assert_eq!(built::non_ascii::Agent::SYSTEM_PROMPT, "Réponds en français. 日本語も可。\n");
    assert_eq!(built::no_trailing_newline::Agent::SYSTEM_PROMPT, "Body without newline");
    assert_eq!(built::crlf_line_endings::Agent::DESCRIPTION, "Written on Windows.");
    assert_eq!(built::crlf_line_endings::Agent::TOOLS, &[Tool::Read]);
    assert_eq!(built::crlf_line_endings::Agent::SYSTEM_PROMPT, "You are a helpful subagent.\r\n");
    assert_eq!(built::bom::Agent::NAME, "bom");
    assert_eq!(built::bom::Agent::SYSTEM_PROMPT, "You are a helpful subagent.\n");
    assert_eq!(built::extra_unknown_keys::Agent::NAME, "extra-unknown-keys");
}

#[test]
fn the_other_claude_code_keys_are_typed() {
    assert_eq!(built::minimal::Agent::CLAUDE_CODE, ClaudeCodeSettings::NONE);
    let settings = built::disallowed_and_permission::Agent::CLAUDE_CODE;
    assert_eq!(settings.disallowed_tools, &[Tool::Bash, Tool::Write]);
    assert_eq!(settings.permission_mode, Some("acceptEdits"));
    let settings = built::turns_and_background::Agent::CLAUDE_CODE;
    assert_eq!((settings.max_turns, settings.background), (Some(12), Some(true)));
    let settings = built::skills_and_mcp_list::Agent::CLAUDE_CODE;
    assert_eq!(settings.skills, &["pdf", "xlsx"]);
    assert_eq!(settings.mcp_servers, &["github", "slack"]);
    assert_eq!(built::mcp_servers_map::Agent::CLAUDE_CODE.mcp_servers, &["github", "postgres"]);
    assert!(built::hooks::Agent::CLAUDE_CODE.hooks.unwrap().contains("PreToolUse"));
    let settings = built::memory_effort_isolation::Agent::CLAUDE_CODE;
    assert_eq!(settings.memory, Some("project"));
    assert_eq!(settings.effort, Some("high"));
    assert_eq!(settings.isolation, Some("worktree"));
    assert_eq!(settings.initial_prompt, Some("Start by reading README.md."));
    let everything = built::everything::Agent::CLAUDE_CODE;
    assert_eq!(everything.disallowed_tools, &[Tool::Bash]);
    assert_eq!(everything.max_turns, Some(30));
    assert_eq!(everything.skills, &["pdf"]);
    assert_eq!(built::everything::Agent::COLOR, Some(Color::Red));
}
