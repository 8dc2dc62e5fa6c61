//! Property tests of reply parsing: it never panics, whatever the reply, and an `Output`
//! written back to markdown parses to the same `Output`.

use agentbind::{Captured, SectionKind, SectionText, MAX_REPLY_BYTES};
use proptest::prelude::*;

#[agentbind::agent("examples/agents/backend-engineer-golang.md")]
mod golang {}

#[agentbind::agent("tests/corpus/ring/default/agents/write-plan.md")]
mod planner {}

#[agentbind::agent("tests/fixtures/reviewer-schema.md")]
mod reviewer {}

/// A reply line: prose, headings that match or nearly match, fences of both kinds, any text.
fn reply_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 .,:`*#-]{0,40}",
        "#{1,4} ?[A-Za-z :]{0,24}",
        prop::sample::select(vec![
            "## Summary",
            "## Implementation",
            "## Files Changed",
            "## Testing",
            "## Next Steps",
            "## Standards Compliance",
            "## VERDICT: PASS",
            "## VERDICT: MAYBE",
            "### High: x",
            "### Task 1: a",
            "### Task 22:",
            "**Goal:** g",
            "**Architecture:**",
        ])
        .prop_map(str::to_owned),
        "( {0,4})(`{3,6}|~{3,6})[a-z`]{0,6}",
        "\\PC{0,30}",
        any::<String>(),
    ]
}

/// A reply: lines joined with `\n` or `\r\n`, maybe after a byte-order mark.
fn reply() -> impl Strategy<Value = String> {
    (prop::collection::vec(reply_line(), 0..60), any::<bool>(), any::<bool>()).prop_map(
        |(lines, crlf, bom)| {
            let joined = lines.join(if crlf { "\r\n" } else { "\n" });
            if bom {
                format!("\u{feff}{joined}")
            } else {
                joined
            }
        },
    )
}

fn parse_with_every_agent(reply: &str) {
    let golang = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }));
    let _ = golang.parse_reply(reply);
    let _ = golang.in_context(golang::InvocationContext::DevRefactor).parse_reply(reply);
    let _ = planner::Agent::dispatch(planner::Input::new()).parse_reply(reply);
    let _ = reviewer::Agent::dispatch(reviewer::Input::new()).parse_reply(reply);
}

proptest! {
    #[test]
    fn parse_reply_never_panics_on_markdown_like_replies(reply in reply()) {
        parse_with_every_agent(&reply);
    }

    #[test]
    fn parse_reply_never_panics_on_any_string(reply in any::<String>()) {
        parse_with_every_agent(&reply);
    }

    #[test]
    fn parse_reply_never_panics_on_huge_lines(unit in "(## |```|~~~|\\*\\*|[a-z #*`~\r])", count in 0usize..200_000) {
        parse_with_every_agent(&unit.repeat(count));
    }
}

/// Body text that parsing keeps as it is: lines that cannot start a section or a fence, and
/// no surrounding blank lines.
fn body() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z]([a-z .,]{0,30}[a-z])?", 0..5).prop_map(|lines| lines.join("\n"))
}

fn text(heading: &str, body: String) -> SectionText {
    SectionText::new(heading, body)
}

/// A body that starts with the text after a heading's match (`**Goal:** rest`), as parsing
/// makes it.
fn with_rest(rest: &str, body: String) -> String {
    match (rest.trim(), body.is_empty()) {
        ("", _) => body,
        (rest, true) => rest.to_owned(),
        (rest, false) => format!("{rest}\n{body}"),
    }
}

proptest! {
    #[test]
    fn golang_output_round_trips(
        bodies in prop::collection::vec(body(), 5),
        standards in prop::option::of(body()),
        blockers in prop::option::of(body()),
    ) {
        let output = golang::Output {
            summary: text("## Summary", bodies[0].clone()),
            implementation: text("## Implementation", bodies[1].clone()),
            files_changed: text("## Files Changed", bodies[2].clone()),
            testing: text("## Testing", bodies[3].clone()),
            next_steps: text("## Next Steps", bodies[4].clone()),
            standards_compliance: standards.map(|b| text("## Standards Compliance", b)),
            blockers: blockers.map(|b| text("## Blockers", b)),
        };
        let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput { task_description: "t".into(), requirements: "r".into() }));
        prop_assert_eq!(dispatch.parse_reply(output.to_markdown()).unwrap(), output);
    }

    #[test]
    fn planner_output_round_trips(
        rests in prop::collection::vec("( [a-z]{1,8})?", 4),
        bodies in prop::collection::vec(body(), 4),
        tasks in prop::collection::vec((0u32..200, "[a-z]{0,8}", body()), 1..6),
    ) {
        let labelled = |label: &str, i: usize| {
            text(&format!("**{label}:**{}", rests[i]), with_rest(&rests[i], bodies[i].clone()))
        };
        let output = planner::Output {
            goal: labelled("Goal", 0),
            architecture: labelled("Architecture", 1),
            tech_stack: labelled("Tech Stack", 2),
            global_prerequisites: labelled("Global Prerequisites", 3),
            tasks: tasks
                .into_iter()
                .map(|(n, title, body)| {
                    let rest = if title.is_empty() { String::new() } else { format!(" {title}") };
                    text(&format!("### Task {n}:{rest}"), with_rest(&rest, body))
                })
                .collect(),
        };
        let parsed = planner::Agent::dispatch(planner::Input::new()).parse_reply(output.to_markdown()).unwrap();
        prop_assert_eq!(parsed, output);
    }

    #[test]
    fn reviewer_output_round_trips(
        verdict in prop::sample::select(reviewer::Verdict::ALL),
        verdict_body in body(),
        summary in body(),
        issues in prop::collection::vec((prop::sample::select(reviewer::CategorizedIssues::ALL), "(: [a-z]{1,8})?", body()), 0..5),
    ) {
        let output = reviewer::Output {
            verdict: Captured { value: verdict, text: text(&format!("## VERDICT: {verdict}"), verdict_body) },
            summary: text("## Summary", summary),
            categorized_issues: issues
                .into_iter()
                .map(|(value, rest, body)| Captured {
                    value,
                    text: text(&format!("### {value}{rest}"), with_rest(&rest, body)),
                })
                .collect(),
        };
        let parsed = reviewer::Agent::dispatch(reviewer::Input::new()).parse_reply(output.to_markdown()).unwrap();
        prop_assert_eq!(parsed, output);
    }
}

#[test]
fn replies_over_the_limit_are_refused_before_scanning() {
    let reply = "a".repeat(MAX_REPLY_BYTES + 1);
    let error = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }))
    .parse_reply(&reply)
    .unwrap_err();
    assert_eq!(
        error.problems(),
        &[agentbind::ReplyProblem::TooLarge { len: MAX_REPLY_BYTES + 1, limit: MAX_REPLY_BYTES }]
    );
}

/// Splits `text` at the given fractions of its length (moved back to character boundaries).
fn chunks(text: &str, cuts: &[f64]) -> Vec<String> {
    let mut at: Vec<usize> = cuts
        .iter()
        .map(|f| {
            let mut i = ((text.len() as f64) * f) as usize;
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        })
        .collect();
    at.sort_unstable();
    let mut out = Vec::new();
    let mut last = 0;
    for i in at.into_iter().chain([text.len()]) {
        out.push(text[last..i].to_owned());
        last = i;
    }
    out
}

/// Feeds `chunks` to the dispatch's incremental parser and checks it against `parse_reply`
/// on the whole text: the same output or error, and one `Completed` event per occurrence, in
/// reply order, each `Started` before its `Completed`.
fn check_incremental<A: agentbind::Agent>(
    dispatch: &agentbind::Dispatch<A>,
    chunks: &[String],
) -> Result<(), TestCaseError>
where
    A::Output: PartialEq + std::fmt::Debug,
    A::Section: std::fmt::Debug,
{
    use agentbind::SectionEvent;
    let whole: String = chunks.concat();
    let mut parser = dispatch.reply_parser();
    let mut events = Vec::new();
    for chunk in chunks {
        events.extend(parser.push(chunk).unwrap());
    }
    let finished = parser.finish();
    prop_assert_eq!(&finished.text, whole.strip_prefix('\u{feff}').unwrap_or(&whole));
    events.extend(finished.events);
    let output = finished.output;
    prop_assert_eq!(&output, &dispatch.parse_reply(&whole));
    let mut open = None;
    for event in &events {
        match event {
            SectionEvent::Started { section, .. } => {
                prop_assert!(open.is_none(), "a section started before {:?} completed", open);
                open = Some(*section);
            }
            SectionEvent::Completed { section, .. } => {
                prop_assert_eq!(open.take(), Some(*section));
            }
        }
    }
    prop_assert!(open.is_none());
    let completed = events.iter().filter(|e| matches!(e, SectionEvent::Completed { .. })).count();
    if let Ok(sections) = A::Section::matcher().scan(&whole) {
        let total: usize = (0..A::Section::ALL.len()).map(|i| sections.count(i)).sum();
        prop_assert_eq!(completed, total);
        for (i, section) in A::Section::ALL.iter().enumerate() {
            let from_events: Vec<&SectionText> = events
                .iter()
                .filter_map(|e| match e {
                    SectionEvent::Completed { section: s, text } if s == section => Some(text),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(from_events, sections.texts(i).collect::<Vec<_>>());
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn incremental_parsing_agrees_with_parse_reply(
        reply in reply(),
        cuts in prop::collection::vec(0.0f64..1.0, 0..12),
    ) {
        let parts = chunks(&reply, &cuts);
        check_incremental(&golang::Agent::dispatch(golang::Input::from(golang::RequiredInput { task_description: "t".into(), requirements: "r".into() })), &parts)?;
        check_incremental(
            &golang::Agent::dispatch(golang::Input::from(golang::RequiredInput { task_description: "t".into(), requirements: "r".into() })).in_context(golang::InvocationContext::DevRefactor),
            &parts,
        )?;
        check_incremental(&planner::Agent::dispatch(planner::Input::new()), &parts)?;
        check_incremental(&reviewer::Agent::dispatch(reviewer::Input::new()), &parts)?;
    }

    #[test]
    fn incremental_parsing_agrees_one_byte_at_a_time(reply in reply()) {
        let parts: Vec<String> = reply.chars().map(String::from).collect();
        check_incremental(&reviewer::Agent::dispatch(reviewer::Input::new()), &parts)?;
        check_incremental(&planner::Agent::dispatch(planner::Input::new()), &parts)?;
    }
}

#[test]
fn incremental_parsing_refuses_replies_over_the_limit() {
    let mut parser = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "t".into(),
        requirements: "r".into(),
    }))
    .reply_parser();
    let chunk = "a".repeat(MAX_REPLY_BYTES / 2);
    assert!(parser.push(&chunk).is_ok());
    assert!(parser.push(&chunk).is_ok());
    let error = parser.push("b").err().expect("over the limit");
    assert_eq!(error.agent(), Some("backend-engineer-golang"));
    assert!(matches!(error.problems(), [agentbind::ReplyProblem::TooLarge { .. }]));
}
