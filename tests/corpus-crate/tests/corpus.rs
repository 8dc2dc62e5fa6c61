//! Every Ring agent generates, through both paths, the same agent: same constants, sections,
//! contexts and metrics; and the registry finds each one by name.

use agentbind_corpus::{built, macro_path};

macro_rules! same_agent {
    ($($module:ident),* $(,)?) => {$(
        assert_eq!(built::$module::Agent::NAME, macro_path::$module::Agent::NAME);
        assert_eq!(built::$module::Agent::SYSTEM_PROMPT, macro_path::$module::Agent::SYSTEM_PROMPT);
        assert_eq!(built::$module::Agent::MODEL, macro_path::$module::Agent::MODEL);
        assert_eq!(built::$module::Agent::VERSION, macro_path::$module::Agent::VERSION);
        assert_eq!(
            built::$module::Section::ALL.iter().map(|s| (s.name(), s.pattern())).collect::<Vec<_>>(),
            macro_path::$module::Section::ALL.iter().map(|s| (s.name(), s.pattern())).collect::<Vec<_>>()
        );
        assert_eq!(
            built::$module::Metric::ALL.iter().map(|m| m.name()).collect::<Vec<_>>(),
            macro_path::$module::Metric::ALL.iter().map(|m| m.name()).collect::<Vec<_>>()
        );
        assert_eq!(
            built::$module::InvocationContext::ALL.iter().map(|c| c.prompt_marker()).collect::<Vec<_>>(),
            macro_path::$module::InvocationContext::ALL.iter().map(|c| c.prompt_marker()).collect::<Vec<_>>()
        );
        assert!(!built::$module::Section::ALL.is_empty(), "every Ring agent declares reply sections");
        assert_eq!(built::AnyAgent::from_name(built::$module::Agent::NAME).map(|a| a.name()), Some(built::$module::Agent::NAME));
    )*};
}

#[test]
fn both_paths_give_the_same_agents() {
    same_agent!(
        business_logic_reviewer,
        code_reviewer,
        codebase_explorer,
        security_reviewer,
        write_plan,
        backend_engineer_golang,
        backend_engineer_typescript,
        devops_engineer,
        frontend_bff_engineer_typescript,
        frontend_designer,
        frontend_engineer,
        prompt_quality_reviewer,
        qa_analyst,
        sre,
        accounting_specialist,
        budget_planner,
        financial_analyst,
        financial_modeler,
        metrics_analyst,
        treasury_specialist,
        finops_analyzer,
        finops_automation,
        sample_agent,
        cloud_cost_optimizer,
        incident_responder,
        infrastructure_architect,
        platform_engineer,
        security_operations,
        best_practices_researcher,
        framework_docs_researcher,
        repo_research_analyst,
        gtm_planner,
        launch_coordinator,
        market_researcher,
        messaging_specialist,
        positioning_strategist,
        pricing_analyst,
        executive_reporter,
        governance_specialist,
        portfolio_manager,
        resource_planner,
        risk_analyst,
        api_writer,
        docs_reviewer,
        functional_writer,
    );
}

#[test]
fn the_registry_lists_all_45_agents() {
    assert_eq!(built::AnyAgent::ALL.len(), 45);
    let reviewer = built::AnyAgent::from_name("code-reviewer").unwrap();
    assert_eq!(reviewer, built::AnyAgent::CodeReviewer);
    assert_eq!(reviewer.model(), "opus");
    assert!(reviewer.description().starts_with("Foundation Review"));
    assert!(built::AnyAgent::from_name("no-such-agent").is_none());
    assert_eq!(built::AnyAgent::SampleAgent.model(), "claude-sonnet-4-20250514");
}

#[test]
fn both_revisions_of_the_golang_agent_work() {
    assert_eq!(built::backend_engineer_golang::Agent::VERSION, Some("1.2.8"));
    let input = built::backend_engineer_golang::Input::from(built::backend_engineer_golang::RequiredInput {
        task_description: "task".into(),
        requirements: "requirements".into(),
    });
    let dispatch = built::backend_engineer_golang::Agent::dispatch(input)
        .in_context(built::backend_engineer_golang::InvocationContext::DevRefactor);
    assert!(dispatch.prompt().starts_with("**MODE: ANALYSIS ONLY**"));
}

#[test]
fn agents_without_inputs_take_none() {
    let dispatch = built::code_reviewer::Agent::dispatch(built::code_reviewer::Input::new())
        .with_instructions("Review the diff of PR 42.");
    assert_eq!(dispatch.prompt(), "Review the diff of PR 42.\n");
}
