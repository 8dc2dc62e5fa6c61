//! The reader and validator never panic: arbitrary bytes and mutated real agent files give
//! either a module whose code parses as Rust, or located diagnostics.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use agentbind_codegen::{generate_source, pretty, Error, Options, Source};
use proptest::prelude::*;

fn corpus() -> &'static [(String, Vec<u8>)] {
    static CORPUS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        agentbind_codegen::agent_files(&root, Path::new("tests/corpus/ring"))
            .expect("corpus")
            .into_iter()
            .map(|f| (f.to_string_lossy().into_owned(), std::fs::read(root.join(&f)).expect("corpus file")))
            .collect()
    })
}

/// Checks what generating from `bytes` gives: a module that parses, or sane diagnostics.
fn check(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let line_count = bytes.split(|&b| b == b'\n').count();
    let result = Source::from_bytes(PathBuf::from("a.md"), "a.md", bytes)
        .and_then(|source| generate_source(&source, &Options::default()));
    match result {
        Ok(module) => {
            let code = pretty(&module.module_code("agent"));
            prop_assert!(code.is_ok(), "generated code does not parse: {:?}", code.err());
        }
        Err(error) => check_diagnostics(&error, line_count)?,
    }
    Ok(())
}

fn check_diagnostics(error: &Error, line_count: usize) -> Result<(), TestCaseError> {
    prop_assert!(!error.diagnostics().is_empty());
    for d in error.diagnostics() {
        prop_assert_eq!(&d.path, "a.md");
        prop_assert!(d.line >= 1 && d.line <= line_count + 1, "line {} of {}: {}", d.line, line_count, d);
        prop_assert!(d.column >= 1, "{}", d);
        prop_assert!(!d.message.is_empty());
        let _ = d.render();
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: f64, len: usize },
    Insert { at: f64, text: String },
    DuplicateLine { at: f64 },
    SwapLines { a: f64, b: f64 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    let inserted = prop_oneof![
        "[:\\-\\[\\]{}&*!|>'\"#%@` \n\t]{1,6}",
        "[a-z_]{1,10}: [a-z\\[\\]]{0,10}\n",
        "\n  - name: x\n    type: [a-z\\[\\]_]{1,12}\n",
        "\\PC{1,8}",
    ];
    prop_oneof![
        (at.clone(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (at.clone(), inserted).prop_map(|(at, text)| Mutation::Insert { at, text }),
        at.clone().prop_map(|at| Mutation::DuplicateLine { at }),
        (at.clone(), at).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn apply(mut bytes: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    let index = |at: f64, len: usize| ((at * len as f64) as usize).min(len);
    match mutation {
        Mutation::Delete { at, len } => {
            let start = index(*at, bytes.len());
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        Mutation::Insert { at, text } => {
            let at = index(*at, bytes.len());
            bytes.splice(at..at, text.bytes());
        }
        Mutation::DuplicateLine { at } => {
            let mut lines = split_lines(&bytes);
            let i = index(*at, lines.len() - 1);
            let line = lines[i].clone();
            lines.insert(i, line);
            bytes = lines.join(&b'\n');
        }
        Mutation::SwapLines { a, b } => {
            let mut lines = split_lines(&bytes);
            let (i, j) = (index(*a, lines.len() - 1), index(*b, lines.len() - 1));
            lines.swap(i, j);
            bytes = lines.join(&b'\n');
        }
    }
    bytes
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(bytes)?;
    }

    #[test]
    fn frontmatter_like_text_never_panics(
        text in "---\n([a-z_]{1,8}: [^\n]{0,20}\n|  - [^\n]{0,20}\n|[^\n]{0,20}\n){0,12}(---\n)?",
    ) {
        check(text.into_bytes())?;
    }

    #[test]
    fn mutated_real_agents_never_panic(file in 0usize..45, mutations in prop::collection::vec(mutation(), 1..5)) {
        let (_, original) = &corpus()[file];
        let bytes = mutations.iter().fold(original.clone(), apply);
        check(bytes)?;
    }
}

#[test]
fn every_unmutated_corpus_file_generates_parseable_code() {
    assert_eq!(corpus().len(), 45);
    for (name, bytes) in corpus() {
        let source = Source::from_bytes(PathBuf::from(name), name, bytes.clone()).unwrap();
        let module = generate_source(&source, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
        pretty(&module.module_code("agent")).unwrap();
    }
}

#[test]
fn deeply_nested_yaml_is_refused_with_a_located_error() {
    let text = format!("---\nname: deep\ndescription: {}{}\n---\n", "[".repeat(200), "]".repeat(200));
    let source = Source::from_bytes("a.md".into(), "a.md", text.into_bytes()).unwrap();
    let error = agentbind_codegen::validate(&source).unwrap_err();
    let diagnostic = &error.diagnostics()[0];
    assert_eq!(diagnostic.line, 3, "{diagnostic}");
    assert!(diagnostic.message.contains("nested more than 24 levels deep"), "{diagnostic}");
}

#[test]
fn nesting_up_to_the_limit_parses_and_deep_block_nesting_is_refused() {
    // Just under the limit: valid YAML, refused only because `description` is not text.
    let depth = agentbind_codegen::MAX_YAML_DEPTH - 2;
    let text = format!("---\nname: deep\ndescription: {}{}\n---\n", "[".repeat(depth), "]".repeat(depth));
    let source = Source::from_bytes("a.md".into(), "a.md", text.into_bytes()).unwrap();
    let error = agentbind_codegen::validate(&source).unwrap_err();
    assert!(error.diagnostics()[0].message.contains("must be text"), "{error}");

    // Block nesting: one more level per line.
    let mut text = String::from("---\nname: deep\ndescription: d\nextra:\n");
    for level in 1..200 {
        text.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
    }
    text.push_str("---\n");
    let source = Source::from_bytes("a.md".into(), "a.md", text.into_bytes()).unwrap();
    let error = agentbind_codegen::validate(&source).unwrap_err();
    assert!(error.diagnostics()[0].message.contains("nested more than 24 levels deep"), "{error}");
}
