//! Fuzzes `Dispatch::parse_reply` of the reference agent (in and out of its invocation context)
//! and of a planner with repeated and labelled sections: it must never panic, and a parsed
//! `Output` must survive `to_markdown` and parsing again.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[agentbind::agent("../examples/agents/backend-engineer-golang.md")]
mod golang {}

#[agentbind::agent("../tests/corpus/ring/default/agents/write-plan.md")]
mod planner {}

fuzz_target!(|reply: &str| {
    let dispatch = golang::Agent::dispatch(golang::Input::new("task", "requirements"));
    if let Ok(output) = dispatch.parse_reply(reply) {
        // Re-parsing the rendered output must succeed (the text may differ, the sections exist).
        assert!(dispatch.parse_reply(&output.to_markdown()).is_ok());
    }
    let _ = dispatch.in_context(golang::InvocationContext::DevRefactor).parse_reply(reply);
    let _ = planner::Agent::dispatch(planner::Input::new()).parse_reply(reply);
});
