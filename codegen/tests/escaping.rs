//! Every value of an agent file reaches the generated code as a Rust literal that reads back
//! as exactly the file's value: arbitrary strings are written into an agent file (escaped as
//! YAML double-quoted scalars), generated, and the literals of the emitted macro data are
//! lexed and unescaped again (by syn, as rustc would) and compared with the originals.

use std::path::PathBuf;

use agentbind_codegen::{generate_source, Options, Source};
use proc_macro2::{TokenStream, TokenTree};
use proptest::prelude::*;

/// `text` as a YAML double-quoted scalar: everything outside printable ASCII is escaped, so
/// the YAML reader gives `text` back whatever it holds.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// The agent file: `description`, a section named `section` and a metric described by
/// `metric`, with a body that is `body`.
fn agent_file(description: &str, section: &str, metric: &str, body: &str) -> String {
    format!(
        "---\nname: escaping\ndescription: {}\noutput_schema:\n  format: markdown\n  required_sections:\n    - name: {}\n      pattern: \"^## Result\"\n      required: true\nmetrics:\n  - name: score\n    type: integer\n    description: {}\n---\n{body}",
        yaml_quoted(description),
        yaml_quoted(section),
        yaml_quoted(metric),
    )
}

/// The string literals of the data given to `macro_name!`, in order.
fn literals_of(code: &str, macro_name: &str) -> Vec<String> {
    let tokens: TokenStream = code.parse().expect("the generated code lexes");
    let mut found = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        if let TokenTree::Ident(ident) = &token {
            if *ident == macro_name {
                iter.next(); // `!`
                if let Some(TokenTree::Group(group)) = iter.next() {
                    collect_strings(group.stream(), &mut found);
                }
            }
        }
    }
    found
}

fn collect_strings(tokens: TokenStream, out: &mut Vec<String>) {
    for token in tokens {
        match token {
            TokenTree::Literal(literal) => {
                if let syn::Lit::Str(text) = syn::Lit::new(literal) {
                    out.push(text.value());
                }
            }
            TokenTree::Group(group) => collect_strings(group.stream(), out),
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn file_values_round_trip_through_the_emitted_literals(
        description in any::<String>(),
        metric in any::<String>(),
        body in any::<String>(),
        section in "[A-Za-z][A-Za-z0-9 ]{0,20}",
    ) {
        let text = agent_file(&description, &section, &metric, &body);
        let source = Source { display_path: "escaping.md".into(), path: PathBuf::from("escaping.md"), text };
        let module = generate_source(&source, &Options::default())
            .map_err(|e| TestCaseError::fail(e.render()))?;
        prop_assert_eq!(&module.spec.description, &description, "the YAML reader gives the value back");

        // The doc, then name, description, model, version..., source, prompt (the body,
        // leading line breaks trimmed).
        let agent = literals_of(&module.code, "agent");
        prop_assert_eq!(&agent[2], &description);
        prop_assert_eq!(agent.last().unwrap(), body.trim_start_matches(['\r', '\n']));

        let sections = literals_of(&module.code, "sections");
        prop_assert!(sections.contains(&section), "{:?} not in {:?}", section, sections);

        // (field Variant "name" Kind "doc" "description"): the last literal is the description.
        let metrics = literals_of(&module.code, "metrics");
        prop_assert_eq!(metrics.last().unwrap(), &metric);
    }
}

/// Characters rustc refuses raw in a comment or literal of the builder's output file: a bare
/// carriage return (in a doc comment), bidi controls (in comments and literals).
fn refused_by_rustc(c: char) -> bool {
    c == '\r'
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Text that is mostly harmless with the characters that broke the build script's output.
fn hostile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\r".to_owned()),
            Just("\r\n".to_owned()),
            Just("\u{202e}".to_owned()),
            Just("\u{2066}".to_owned()),
            Just("\u{1b}[2J".to_owned()),
            Just("\u{7}".to_owned()),
            "[a-z <>\\[\\]`|*_#]{0,8}",
            any::<String>(),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The build script's output (prettyplease-formatted, doc attributes as `///` comments)
    /// holds none of what rustc refuses, whatever the file's text, and still parses.
    #[test]
    fn builder_output_never_holds_what_rustc_refuses(
        description in hostile_text(),
        color in hostile_text(),
        changelog in hostile_text(),
        initial_prompt in hostile_text(),
        name in hostile_text(),
    ) {
        let text = format!(
            "---\nname: {}\ndescription: {}\ncolor: {}\nversion: 1.0.0\nchangelog:\n  - {}\ninitialPrompt: {}\n---\nBody.\n",
            yaml_quoted(&format!("agent{name}")),
            yaml_quoted(&description),
            yaml_quoted(&color),
            yaml_quoted(&changelog),
            yaml_quoted(&initial_prompt),
        );
        let dir = std::env::temp_dir().join(format!("agentbind-hostile-docs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("hostile.md");
        std::fs::write(&path, text).unwrap();
        let generated = agentbind_codegen::Builder::new()
            .emit_rerun_if_changed(false)
            .agent(&path)
            .generate_string()
            .map_err(|e| TestCaseError::fail(e.render()))?;
        let refused: Vec<char> = generated.chars().filter(|&c| refused_by_rustc(c)).collect();
        prop_assert!(refused.is_empty(), "{:?} in the output", refused);
        prop_assert!(syn::parse_file(&generated).is_ok());
    }
}
