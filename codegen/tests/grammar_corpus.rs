//! Every section pattern of the Ring corpus and the Claude Code fixtures has a heading grammar,
//! and every pattern that has one is anchored with a literal first character, which the
//! reply grammar's body lines exclude.

use std::path::Path;

use agentbind_codegen::{find_agent_files, grammar, Source};

#[test]
fn every_corpus_pattern_has_a_heading_grammar() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut converted = 0;
    let mut missing = Vec::new();
    for dir in ["tests/corpus/ring", "tests/claude-agents", "examples/agents"] {
        for file in find_agent_files(&root, Path::new(dir)).unwrap().files {
            let source = Source::read(&root.join(&file), &file.to_string_lossy()).unwrap();
            let Ok(spec) = agentbind_codegen::validate(&source) else { continue };
            for section in &spec.sections {
                match grammar::heading_grammar(&section.pattern) {
                    Ok(_) => converted += 1,
                    Err(why) => missing.push(format!("{}: {}: {why}", file.display(), section.pattern)),
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    assert!(converted > 200, "{converted}");
}
