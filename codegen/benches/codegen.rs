//! Codegen throughput: generating all 45 Ring agents (read from memory, validate, emit), against
//! the floor of only parsing their YAML frontmatter into the positioned node tree.
//!
//! Run with `cargo bench -p agentbind-codegen`; figures are in BENCHMARKS.md.

use std::path::Path;

use agentbind_codegen::{agent_files, generate_source, parse_frontmatter_only, Options, Source};
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

fn corpus() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = agent_files(&root, Path::new("tests/corpus/ring")).expect("corpus folder");
    assert_eq!(files.len(), 45);
    files
        .iter()
        .map(|f| Source::read(&root.join(f), &f.to_string_lossy()).expect("corpus file reads"))
        .collect()
}

/// What the macro and the builder do: the file is tracked, so the system prompt is a slice of
/// the `include_str!` of the file rather than a literal.
#[divan::bench]
fn generate_all_45(bencher: Bencher) {
    generate_all(bencher, true);
}

/// Without tracking (`agentbind expand`): the system prompt is emitted as a string literal.
#[divan::bench]
fn generate_all_45_prompt_as_literal(bencher: Bencher) {
    generate_all(bencher, false);
}

fn generate_all(bencher: Bencher, track_file: bool) {
    let sources = corpus();
    bencher.bench(|| {
        // Options hold a TokenStream, which is not Sync: make them inside the benched closure.
        let options = Options { track_file, ..Options::default() };
        for source in &sources {
            let module = generate_source(black_box(source), &options).expect("corpus agent generates");
            black_box(module.code.len());
        }
    });
}

#[divan::bench]
fn floor_parse_yaml_of_all_45(bencher: Bencher) {
    let sources = corpus();
    bencher.bench(|| {
        for source in &sources {
            parse_frontmatter_only(black_box(source)).expect("corpus YAML parses");
        }
    });
}

#[divan::bench]
fn validate_all_45(bencher: Bencher) {
    let sources = corpus();
    bencher.bench(|| {
        for source in &sources {
            black_box(agentbind_codegen::validate(black_box(source)).expect("corpus agent validates"));
        }
    });
}
