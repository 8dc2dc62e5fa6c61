//! Format variants: value sections, repeated sections, enums of inputs, keywords as names,
//! agents without inputs or metrics.

use agentbind::{Captured, ReplyProblem};

#[agentbind::agent("tests/corpus/ring/default/agents/code-reviewer.md")]
pub mod reviewer {}

#[agentbind::agent("tests/corpus/ring/default/agents/write-plan.md")]
pub mod planner {}

#[agentbind::agent("tests/corpus/ring/ops-team/agents/incident-responder.md")]
pub mod incident {}

#[agentbind::agent("tests/corpus/ring/dev-team/agents/devops-engineer.md")]
pub mod devops {}

#[agentbind::agent("tests/ui/agents/keywords.md")]
pub mod keywords {}

const REVIEW: &str = "## VERDICT: NEEDS_DISCUSSION\n\n## Summary\nok\n\n## Issues Found\nnone\n\n## What Was Done Well\ntests\n\n## Next Steps\nmerge\n";

#[test]
fn verdict_becomes_a_typed_value() {
    let dispatch = reviewer::Agent::dispatch(reviewer::Input::new());
    let output = dispatch.parse_reply(REVIEW).unwrap();
    assert_eq!(output.verdict.value, reviewer::Verdict::NeedsDiscussion);
    assert_eq!(output.verdict.text.heading, "## VERDICT: NEEDS_DISCUSSION");
    assert_eq!(output.verdict.to_string(), "NEEDS_DISCUSSION");
    assert_eq!(
        reviewer::Verdict::ALL,
        &[reviewer::Verdict::Pass, reviewer::Verdict::Fail, reviewer::Verdict::NeedsDiscussion]
    );
    assert_eq!("FAIL".parse::<reviewer::Verdict>(), Ok(reviewer::Verdict::Fail));
    assert!("MAYBE".parse::<reviewer::Verdict>().is_err());
}

#[test]
fn a_verdict_outside_the_alternatives_is_a_reply_error() {
    let dispatch = reviewer::Agent::dispatch(reviewer::Input::new());
    let reply = REVIEW.replace("NEEDS_DISCUSSION", "MAYBE");
    let error = dispatch.parse_reply(&reply).unwrap_err();
    assert_eq!(
        error.problems(),
        &[ReplyProblem::InvalidValue {
            section: "VERDICT".into(),
            found: "MAYBE".into(),
            expected: vec!["PASS".into(), "FAIL".into(), "NEEDS_DISCUSSION".into()]
        }]
    );
    assert!(error
        .to_string()
        .contains("section `VERDICT` has value `MAYBE`, expected one of: PASS, FAIL, NEEDS_DISCUSSION"));
}

#[test]
fn decorated_verdicts_are_read_as_their_value_and_stay_strict_about_which() {
    let dispatch = reviewer::Agent::dispatch(reviewer::Input::new());
    for (heading, value) in [
        ("## VERDICT: **PASS**", reviewer::Verdict::Pass),
        ("## VERDICT: PASS ✅", reviewer::Verdict::Pass),
        ("## VERDICT: pass", reviewer::Verdict::Pass),
        ("## VERDICT: `FAIL`", reviewer::Verdict::Fail),
        ("## VERDICT: ❌ **Fail**", reviewer::Verdict::Fail),
        ("## VERDICT: _needs_discussion_", reviewer::Verdict::NeedsDiscussion),
    ] {
        let reply = REVIEW.replace("## VERDICT: NEEDS_DISCUSSION", heading);
        let output = dispatch.parse_reply(&reply).unwrap_or_else(|e| panic!("{heading}: {e}"));
        assert_eq!(output.verdict.value, value, "{heading}");
        assert_eq!(output.verdict.text.heading, heading, "the heading is kept as written");
        let mut parser = dispatch.reply_parser();
        let _ = parser.push(&reply).unwrap().count();
        assert_eq!(parser.finish().output.unwrap(), output, "streamed: {heading}");
    }
    for wrong in ["PASSED", "PASS/FAIL", "NOT PASS", "**MAYBE**"] {
        let reply = REVIEW.replace("NEEDS_DISCUSSION", wrong);
        let error = dispatch.parse_reply(&reply).unwrap_err();
        assert!(
            matches!(error.problems(), [ReplyProblem::InvalidValue { found, .. }] if found == wrong),
            "{wrong}: {error}"
        );
    }
}

#[test]
fn repeated_sections_keep_every_occurrence_in_order() {
    let reply = "**Goal:** Ship it\n\n**Architecture:** Hexagonal\n**Tech Stack:** Rust\n**Global Prerequisites:** none\n\n### Task 1: Schema\nCreate tables.\n\n### Task 2: API\nAdd routes.\n\n### Task 10: Docs\nWrite them.\n";
    let output = planner::Agent::dispatch(planner::Input::new()).parse_reply(reply).unwrap();
    assert_eq!(output.goal.body, "Ship it");
    assert_eq!(output.tech_stack.body, "Rust");
    let tasks: Vec<(&str, &str)> =
        output.tasks.iter().map(|t| (t.heading.as_str(), t.body.as_str())).collect();
    assert_eq!(
        tasks,
        [
            ("### Task 1: Schema", "Schema\nCreate tables."),
            ("### Task 2: API", "API\nAdd routes."),
            ("### Task 10: Docs", "Docs\nWrite them.")
        ]
    );
    let missing = planner::Agent::dispatch(planner::Input::new())
        .parse_reply("**Goal:** x\n**Architecture:** y\n**Tech Stack:** z\n**Global Prerequisites:** w\n")
        .unwrap_err();
    assert_eq!(missing.missing_sections().collect::<Vec<_>>(), ["Task"]);
}

#[test]
fn enum_inputs_are_typed() {
    let input = incident::Input::from(incident::RequiredInput {
        incident_description: "Payments API returns 500".into(),
        severity: incident::Severity::Sev1,
    });
    assert_eq!(input.severity.label(), "SEV1");
    let prompt = incident::Agent::dispatch(input).prompt();
    assert!(prompt.contains("## Severity\n\nSEV1\n"), "{prompt}");
    assert_eq!(incident::Severity::ALL.len(), 4);
}

#[test]
fn string_required_when_gives_the_same_context() {
    assert_eq!(devops::InvocationContext::DevRefactor.name(), "dev-refactor");
    assert_eq!(devops::InvocationContext::DevRefactor.prompt_marker(), Some("MODE: ANALYSIS ONLY"));
    let dispatch = devops::Agent::dispatch(devops::Input::from(devops::RequiredInput {
        task_description: "Dockerfile".into(),
        implementation_summary: "summary".into(),
    }))
    .in_context(devops::InvocationContext::DevRefactor);
    assert!(dispatch.prompt().starts_with("MODE: ANALYSIS ONLY\n"));
    let reply = "## Summary\n## Implementation\n## Files Changed\n## Testing\n## Next Steps\n";
    assert_eq!(
        dispatch.parse_reply(reply).unwrap_err().missing_sections().collect::<Vec<_>>(),
        ["Standards Compliance"]
    );
}

#[test]
fn keywords_become_raw_identifiers() {
    let input = keywords::Input::from(keywords::RequiredInput {
        r#type: "t".into(),
        r#match: keywords::Match::Self_,
    })
    .with_async(true);
    assert_eq!(input.r#type, "t");
    assert_eq!(input.r#match, keywords::Match::Self_);
    assert_eq!(keywords::Match::Crate.label(), "crate");
    assert_eq!(input.r#async, Some(true));
    let output = keywords::Agent::dispatch(input).parse_reply("## impl\nx\n## Self\ny\n").unwrap();
    assert_eq!(output.r#impl.body, "x");
    assert_eq!(output.self_.map(|s| s.body.into_string()), Some("y".to_string()));
    assert_eq!(keywords::Section::Impl.name(), "impl");
    let metrics = keywords::Metrics { r#loop: 2 };
    assert_eq!(metrics.r#loop, 2);
}

#[test]
fn captured_values_compare() {
    let a: Captured<reviewer::Verdict> =
        Captured { value: reviewer::Verdict::Pass, text: Default::default() };
    assert_eq!(a.clone(), a);
}

#[agentbind::agent("tests/fixtures/reviewer-schema.md")]
pub mod categorized {}

#[test]
fn labelled_repeated_headings_keep_every_occurrence_with_its_value() {
    let reply = "## VERDICT: FAIL\n\n## Summary\nTwo problems.\n\n### High: SQL injection\nin login\n\n```\n### Critical: inside a fence\n```\n### Low: naming\nrename x\n### Minor: not a category\n";
    let output = categorized::Agent::dispatch(categorized::Input::new()).parse_reply(reply).unwrap();
    assert_eq!(output.verdict.value, categorized::Verdict::Fail);
    let issues: Vec<(categorized::CategorizedIssues, &str)> =
        output.categorized_issues.iter().map(|c| (c.value, c.text.body.as_str())).collect();
    assert_eq!(
        issues,
        [
            (
                categorized::CategorizedIssues::High,
                ": SQL injection\nin login\n\n```\n### Critical: inside a fence\n```"
            ),
            (categorized::CategorizedIssues::Low, ": naming\nrename x\n### Minor: not a category"),
        ]
    );
    // Optional repeated sections may be absent: an empty list.
    let bare = categorized::Agent::dispatch(categorized::Input::new())
        .parse_reply("## VERDICT: PASS\n## Summary\nok\n")
        .unwrap();
    assert!(bare.categorized_issues.is_empty());
}
