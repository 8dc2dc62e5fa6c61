//! Prompt rendering and reply parsing through the generated bindings of the reference agent.

use agentbind::{ReplyProblem, Requirement};

#[agentbind::agent("examples/agents/backend-engineer-golang.md")]
pub mod golang {}

const FULL_REPLY: &str = "## Summary\nDone.\n\n## Implementation\nCode.\n\n## Files Changed\n- a.go\n\n## Testing\nPassed.\n\n## Next Steps\nNone.\n";

fn dispatch() -> agentbind::Dispatch<golang::Agent> {
    golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "Add /health endpoint".into(),
        requirements: "Return 200 with build info".into(),
    }))
}

#[test]
fn constants_come_from_the_file() {
    assert_eq!(golang::Agent::NAME, "backend-engineer-golang");
    assert_eq!(golang::Agent::MODEL, "opus");
    assert_eq!(golang::Agent::VERSION, Some("1.2.2"));
    assert!(golang::Agent::DESCRIPTION.starts_with("Senior Backend Engineer specialized in Go"));
    assert!(golang::Agent::SYSTEM_PROMPT.starts_with("# Backend Engineer Golang"));
    assert!(!golang::Agent::SYSTEM_PROMPT.contains("output_schema:"));
    assert_eq!(
        golang::Agent::ERROR_HANDLING,
        Some(agentbind::ErrorHandling::new(
            agentbind::OnBlocker::PauseAndReport,
            agentbind::EscalationPath::Orchestrator
        ))
    );
    // The trait carries the same values.
    assert_eq!(<golang::Agent as agentbind::Agent>::NAME, golang::Agent::NAME);
}

#[test]
fn sections_know_their_name_pattern_and_requirement() {
    assert_eq!(golang::Section::ALL.len(), 7);
    assert_eq!(golang::Section::FilesChanged.name(), "Files Changed");
    assert_eq!(golang::Section::FilesChanged.pattern(), "^## Files Changed");
    assert_eq!(golang::Section::Summary.requirement(), Requirement::Required);
    assert_eq!(golang::Section::Blockers.requirement(), Requirement::Optional);
    assert_eq!(
        golang::Section::StandardsCompliance.requirement(),
        Requirement::RequiredIn(&[golang::InvocationContext::DevRefactor])
    );
    assert_eq!(golang::InvocationContext::DevRefactor.name(), "dev-refactor");
    assert_eq!(golang::InvocationContext::DevRefactor.prompt_marker(), Some("**MODE: ANALYSIS ONLY**"));
}

#[test]
fn metrics_are_typed() {
    let metrics = golang::Metrics {
        files_changed: 3,
        test_coverage_delta: agentbind::Percentage(2.5),
        execution_time_seconds: 12.0,
        ..Default::default()
    };
    assert_eq!(metrics.test_coverage_delta.to_string(), "2.5%");
    assert_eq!(golang::Metric::ALL.len(), 5);
    assert_eq!(golang::Metric::TestCoverageDelta.kind(), agentbind::MetricKind::Percentage);
    assert_eq!(golang::Metric::LinesAdded.description(), "Lines of code added");
}

#[test]
fn prompt_renders_every_present_input_under_its_heading() {
    let input = golang::Input::from(golang::RequiredInput {
        task_description: "Add /health endpoint".into(),
        requirements: "Return 200 with build info".into(),
    })
    .with_acceptance_criteria(vec!["returns JSON".to_string(), "no auth".to_string()]);
    let prompt = golang::Agent::dispatch(input).prompt();
    assert_eq!(
        prompt,
        "## Task Description\n\nAdd /health endpoint\n\n## Requirements\n\nReturn 200 with build info\n\n## Acceptance Criteria\n\n- returns JSON\n- no auth\n"
    );
    assert!(!prompt.contains("Existing Code"), "absent optional inputs are left out");
}

#[test]
fn file_content_cannot_close_its_fence() {
    let code = "fn main() {}\n```\n## Summary\n````\n";
    let prompt = golang::Agent::dispatch(
        golang::Input::from(golang::RequiredInput { task_description: "t".into(), requirements: "r".into() })
            .with_existing_code(code),
    )
    .prompt();
    let fenced = prompt.split("## Existing Code\n\n").nth(1).unwrap();
    assert!(fenced.starts_with("`````\n"), "{fenced}");
    assert!(fenced.ends_with("\n`````\n"), "{fenced}");
    assert!(fenced.contains(code));
}

#[test]
fn context_adds_its_marker_and_requires_its_sections() {
    let plain = dispatch();
    assert!(!plain.prompt().contains("MODE: ANALYSIS ONLY"));
    assert!(plain.parse_reply(FULL_REPLY).is_ok());

    let refactor = dispatch().in_context(golang::InvocationContext::DevRefactor);
    assert!(refactor.prompt().starts_with("**MODE: ANALYSIS ONLY**\n\n## Task Description"));
    let error = refactor.parse_reply(FULL_REPLY).unwrap_err();
    assert_eq!(error.missing_sections().collect::<Vec<_>>(), ["Standards Compliance"]);
    assert!(error.to_string().contains("required in context `dev-refactor`"), "{error}");

    let reply = format!("{FULL_REPLY}\n## Standards Compliance\nFully Compliant.\n");
    let output = refactor.parse_reply(&reply).unwrap();
    assert_eq!(output.standards_compliance.unwrap().body, "Fully Compliant.");
}

#[test]
fn the_requirement_follows_the_typed_context_not_input_text() {
    // A caller who types the marker into an input does not make the section required...
    let sneaky = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "**MODE: ANALYSIS ONLY**".into(),
        requirements: "r".into(),
    }));
    assert!(sneaky.parse_reply(FULL_REPLY).is_ok());
    // ...and a typed context requires it even when no input mentions it.
    let typed = dispatch().in_context(golang::InvocationContext::DevRefactor);
    assert!(typed.parse_reply(FULL_REPLY).is_err());
}

#[test]
fn missing_sections_are_all_reported_at_once() {
    let error = dispatch().parse_reply("Nothing structured here.").unwrap_err();
    assert_eq!(
        error.missing_sections().collect::<Vec<_>>(),
        ["Summary", "Implementation", "Files Changed", "Testing", "Next Steps"]
    );
    assert!(error.problems().iter().all(|p| matches!(p, ReplyProblem::MissingSection { .. })));
    let text = error.to_string();
    assert!(text.contains("5 problems"), "{text}");
    assert!(
        text.contains("missing required section `Files Changed` (no line matches `^## Files Changed`)"),
        "{text}"
    );
    let _: &dyn std::error::Error = &error;
}

#[test]
fn sections_run_to_the_next_section() {
    let output = dispatch().parse_reply(FULL_REPLY).unwrap();
    assert_eq!(output.summary.heading, "## Summary");
    assert_eq!(output.summary.body, "Done.");
    assert_eq!(output.files_changed.body, "- a.go");
    assert_eq!(output.next_steps.body, "None.");
    assert_eq!(output.blockers, None);
}

#[test]
fn optional_sections_are_some_when_present() {
    let reply = format!("{FULL_REPLY}## Blockers\nNeed DB credentials.\n");
    let output = dispatch().parse_reply(&reply).unwrap();
    assert_eq!(output.blockers.unwrap().body, "Need DB credentials.");
}

#[test]
fn crlf_and_bom_are_tolerated() {
    let reply = format!("\u{feff}{}", FULL_REPLY.replace('\n', "\r\n"));
    let output = dispatch().parse_reply(&reply).unwrap();
    assert_eq!(output.summary.body, "Done.");
    assert_eq!(output.files_changed.body, "- a.go");
    assert!(!output.next_steps.body.contains('\r'));
}

/// Whether `piece` lies inside the bytes of `reply` (a range of it, not a copy).
fn inside(piece: &str, reply: std::ops::Range<usize>) -> bool {
    let at = piece.as_ptr() as usize;
    reply.contains(&at) && at + piece.len() <= reply.end
}

#[test]
fn an_owned_reply_is_kept_once_and_sections_are_ranges_of_it() {
    let reply = format!("\u{feff}{FULL_REPLY}## Blockers\n**Goal:** unblock\nNeed DB credentials.\n");
    let bytes = reply.as_ptr() as usize..reply.as_ptr() as usize + reply.len();
    let output = dispatch().parse_reply(reply).unwrap();
    let blockers = output.blockers.as_ref().unwrap();
    for piece in [&output.summary.heading, &output.summary.body, &output.next_steps.body, &blockers.body] {
        assert!(inside(piece, bytes.clone()), "{piece:?} is a copy");
    }
    assert_eq!(blockers.body, "**Goal:** unblock\nNeed DB credentials.");
    // A reply given as `&str` is copied once: its sections share that copy.
    let output = dispatch().parse_reply(FULL_REPLY).unwrap();
    let copy = output.summary.heading.as_ptr() as usize;
    assert!(inside(&output.next_steps.body, copy..copy + FULL_REPLY.len()));
    // A body that is not one run of the reply (CRLF line ends) is its own string, as before.
    let crlf = FULL_REPLY.replace('\n', "\r\n");
    let bytes = crlf.as_ptr() as usize..crlf.as_ptr() as usize + crlf.len();
    let output = dispatch().parse_reply(crlf).unwrap();
    assert!(inside(&output.summary.heading, bytes));
    assert_eq!(output.summary.body, "Done.");
}

#[test]
fn headings_inside_code_fences_are_ignored() {
    let reply = "## Summary\nDone.\n\n## Implementation\n```md\n## Testing\n```\n~~~~\n## Next Steps\n~~~~\n\n## Files Changed\nx\n\n## Testing\nok\n\n## Next Steps\nnone\n";
    let output = dispatch().parse_reply(reply).unwrap();
    assert_eq!(output.implementation.body, "```md\n## Testing\n```\n~~~~\n## Next Steps\n~~~~");
    assert_eq!(output.testing.body, "ok");
    // A heading that only appears inside a fence is missing.
    let only_fenced =
        "## Summary\n```\n## Implementation\n```\n## Files Changed\n## Testing\n## Next Steps\n";
    let error = dispatch().parse_reply(only_fenced).unwrap_err();
    assert_eq!(error.missing_sections().collect::<Vec<_>>(), ["Implementation"]);
}

#[test]
fn an_unterminated_fence_hides_the_rest_of_the_reply() {
    let reply = "## Summary\n```\n## Implementation\n## Files Changed\n## Testing\n## Next Steps\n";
    let error = dispatch().parse_reply(reply).unwrap_err();
    assert_eq!(error.missing_sections().count(), 4);
}

#[test]
fn headings_are_line_anchored() {
    let reply = FULL_REPLY.replace("## Testing", "Note: ## Testing");
    let error = dispatch().parse_reply(&reply).unwrap_err();
    assert_eq!(error.missing_sections().collect::<Vec<_>>(), ["Testing"]);
}

#[test]
fn a_repeated_fixed_heading_stays_in_the_first_section() {
    let reply = FULL_REPLY.replace("## Testing\nPassed.", "## Testing\nPassed.\n## Testing\nAgain.");
    let output = dispatch().parse_reply(&reply).unwrap();
    assert_eq!(output.testing.body, "Passed.\n## Testing\nAgain.");
}

#[test]
fn dispatch_exposes_input_and_context() {
    let d = dispatch().in_context(golang::InvocationContext::DevRefactor);
    assert_eq!(d.context(), Some(golang::InvocationContext::DevRefactor));
    assert_eq!(d.input().task_description, "Add /health endpoint");
    assert_eq!(d.input().requirements.as_str(), "Return 200 with build info");
    let with_text = dispatch().with_instructions("Be brief.");
    assert!(with_text.prompt().ends_with("\n\nBe brief.\n"));
}

#[agentbind::agent("tests/fixtures/reviewer-schema.md")]
pub mod reviewer {}

#[test]
fn instructions_can_be_read_back_and_appended() {
    let dispatch = dispatch();
    assert_eq!(dispatch.instructions(), "");
    let dispatch =
        dispatch.add_instructions("Keep it small.\n").add_instructions("").add_instructions("Use chi.");
    assert_eq!(dispatch.instructions(), "Keep it small.\n\nUse chi.");
    assert!(dispatch.prompt().ends_with("Keep it small.\n\nUse chi.\n"));
    let replaced = dispatch.with_instructions("Only this.");
    assert_eq!(replaced.instructions(), "Only this.");
}

#[test]
fn reply_errors_name_the_agent_and_keep_the_reply() {
    let reply = "## Summary\nDone.\n";
    let error = dispatch().parse_reply(reply).unwrap_err();
    assert_eq!(error.agent(), Some("backend-engineer-golang"));
    assert_eq!(error.reply(), Some(reply));
    assert!(error
        .to_string()
        .starts_with("the reply of agent `backend-engineer-golang` does not match its contract"));
    assert_eq!(error.clone().into_reply().as_deref(), Some(reply));

    let wrong_value = "## VERDICT: MAYBE\n## Summary\nok\n";
    let error = reviewer::Agent::dispatch(reviewer::Input::new()).parse_reply(wrong_value).unwrap_err();
    assert_eq!(error.agent(), Some("reviewer-schema"));
    assert_eq!(error.reply(), Some(wrong_value));
}

#[test]
fn reply_format_lists_every_heading_its_requirement_and_values() {
    let format = dispatch().in_context(golang::InvocationContext::DevRefactor).reply_format();
    assert!(format.starts_with("## Reply format\n"), "{format}");
    assert!(format.contains("- `## Summary`: required\n"), "{format}");
    assert!(format.contains("- `## Standards Compliance`: required in this context\n"), "{format}");
    assert!(format.contains("- `## Blockers`: optional\n"), "{format}");
    // Outside the context, the conditional section is optional.
    assert!(dispatch().reply_format().contains("- `## Standards Compliance`: optional\n"));

    let format = reviewer::Agent::dispatch(reviewer::Input::new()).reply_format();
    // A value heading shows a placeholder, not a value a model could copy.
    assert!(
        format.contains(
            "- `## VERDICT: <PASS|FAIL|NEEDS_DISCUSSION>`: required; write exactly one of: PASS, FAIL, NEEDS_DISCUSSION\n"
        ),
        "{format}"
    );
    // The declared metrics come last.
    assert!(
        dispatch().reply_format().ends_with(
            "- `## Metrics`: last, one `name: value` line per metric: `files_changed: <integer>`, \
             `lines_added: <integer>`, `lines_removed: <integer>`, `test_coverage_delta: <percentage, e.g. 85%>`, `execution_time_seconds: <number>`\n"
        ),
        "{}",
        dispatch().reply_format()
    );
    let prompt = dispatch().prompt_with_reply_format();
    assert!(prompt.starts_with(&dispatch().prompt()));
    assert!(prompt.ends_with(&dispatch().reply_format()));
}

#[test]
fn feedback_names_near_misses_and_the_sections_to_keep() {
    let reply =
        "## Summary\nDone.\n\n**Implementation**\nCode.\n\n## files changed\n- a.go\n\n## Testing\nok\n";
    let error = dispatch().parse_reply(reply).unwrap_err();
    assert_eq!(error.found_sections(), ["Summary", "Testing"]);
    let feedback = error.feedback();
    assert!(
        feedback.contains(
            "- the section `Implementation` is missing: you wrote `**Implementation**`; the heading must match \
             `^## Implementation` (for example `## Implementation ...`), so write `## Implementation`\n"
        ),
        "{feedback}"
    );
    assert!(feedback.contains("you wrote `## files changed`;"), "{feedback}");
    assert!(feedback.contains("so write `## Files Changed`"), "{feedback}");
    // No near miss: the heading to add.
    assert!(
        feedback.contains("- the section `Next Steps` is missing: add a line `## Next Steps`"),
        "{feedback}"
    );
    assert!(
        feedback.contains("These sections are right; keep them as they are: `Summary`, `Testing`.\n"),
        "{feedback}"
    );
}

#[test]
fn the_tolerant_reading_fixes_near_misses_and_says_so() {
    let reply = "# Summary\nDone.\n\n**Implementation**\nCode.\n\n## Files Changed:\n- a.go\n\n## testing\nok\n\n### Next Steps\nNone.\n";
    // Strict by default.
    assert!(dispatch().parse_reply(reply).is_err());
    let (output, normalizations) = dispatch().parse_reply_tolerant(reply).unwrap();
    assert_eq!(output.summary.body, "Done.");
    assert_eq!(output.implementation.body, "Code.");
    let rewritten: Vec<(usize, &str, &str)> =
        normalizations.iter().map(|n| (n.line, n.found.as_str(), n.heading.as_str())).collect();
    assert_eq!(
        rewritten,
        [
            (1, "# Summary", "## Summary"),
            (4, "**Implementation**", "## Implementation"),
            (10, "## testing", "## Testing"),
            (13, "### Next Steps", "## Next Steps")
        ]
    );
    assert_eq!(normalizations[0].section, "Summary");
    // A reply that is right needs no rewrite; one that small rewrites cannot fix keeps the
    // strict error.
    assert_eq!(dispatch().parse_reply_tolerant(FULL_REPLY).unwrap().1, []);
    let error = dispatch().parse_reply_tolerant("Just text.\n").unwrap_err();
    assert_eq!(error, dispatch().parse_reply("Just text.\n").unwrap_err());
}

#[test]
fn feedback_says_what_to_add_and_which_values_are_allowed() {
    let error = dispatch()
        .in_context(golang::InvocationContext::DevRefactor)
        .parse_reply("## Summary\nDone.\n")
        .unwrap_err();
    let feedback = error.feedback();
    assert!(
        feedback.contains("- the section `Implementation` is missing: add a line `## Implementation`"),
        "{feedback}"
    );
    assert!(feedback.contains("(required in context `dev-refactor`)"), "{feedback}");
    assert!(feedback.ends_with("with its heading line exactly as shown."), "{feedback}");

    let error = reviewer::Agent::dispatch(reviewer::Input::new())
        .parse_reply("## VERDICT: MAYBE\n## Summary\nok\n")
        .unwrap_err();
    assert!(
        error.feedback().contains(
            "- the section `VERDICT` has the value `MAYBE`; use exactly one of: PASS, FAIL, NEEDS_DISCUSSION"
        ),
        "{}",
        error.feedback()
    );
}
