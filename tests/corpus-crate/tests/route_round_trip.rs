//! A Task call's prompt, written by `Dispatch::prompt`, reads back into exactly the inputs it
//! was written from, whatever their text: free text that holds an input's `## Heading`, a
//! code fence (closed or not), or white space at its edges included (issue 19, item 11).

use agentbind::TaskCall;
use agentbind_corpus::{golang, Team};
use proptest::prelude::*;

/// Text that mixes the prompt's own structure with anything.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("## Acceptance Criteria".to_owned()),
            Just("## Requirements\n".to_owned()),
            Just("```".to_owned()),
            Just("~~~~\n".to_owned()),
            Just("````text\n".to_owned()),
            Just("- item\n".to_owned()),
            Just("(none)".to_owned()),
            Just("\n".to_owned()),
            Just(" ".to_owned()),
            Just("\r\n".to_owned()),
            Just("**MODE: ANALYSIS ONLY**\n".to_owned()),
            "[a-z`~#* -]{0,12}",
            any::<String>(),
        ],
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_routed_prompt_reads_back_the_inputs_it_was_written_from(
        task in text(),
        requirements in text(),
        criteria in prop::option::of(prop::collection::vec(text(), 0..4)),
        in_context in any::<bool>(),
    ) {
        let mut input = golang::Input::from(golang::RequiredInput {
            task_description: task.clone(),
            requirements: requirements.as_str().into(),
        });
        if let Some(criteria) = &criteria {
            input = input.with_acceptance_criteria(criteria.clone());
        }
        let mut dispatch = golang::Agent::dispatch(input);
        if in_context {
            dispatch = dispatch.in_context(golang::InvocationContext::DevRefactor);
        }
        let prompt = dispatch.prompt();
        let call = TaskCall { subagent_type: golang::Agent::NAME.into(), description: "d".into(), prompt: prompt.clone(), model: None };
        let routed = Team.route(&call).map_err(|e| TestCaseError::fail(format!("{e}\n{prompt}")))?;
        // The same prompt again means the same inputs: free text is written as it is or fenced,
        // and a reader that lost or changed a character would write another prompt.
        prop_assert_eq!(routed.prompt(), prompt);
        prop_assert_eq!(routed.context(), in_context.then_some("dev-refactor"));
    }
}
