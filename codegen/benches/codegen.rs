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

#[divan::bench]
fn generate_all_45(bencher: Bencher) {
    let sources = corpus();
    bencher.bench(|| {
        // Options hold a TokenStream, which is not Sync: make them inside the benched closure.
        let options = Options::default();
        for source in &sources {
            let module = generate_source(black_box(source), &options).expect("corpus agent generates");
            black_box(module.items.is_empty());
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
