//! Fuzzes the agent-file reader, validator and emitter with arbitrary bytes: they must never
//! panic; every error is a located diagnostic.
#![no_main]

use agentbind_codegen::{generate_source, Options, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let result = Source::from_bytes("fuzz.md".into(), "fuzz.md", bytes.to_vec())
        .and_then(|source| generate_source(&source, &Options::default()));
    if let Err(error) = result {
        for diagnostic in error.diagnostics() {
            assert!(diagnostic.line >= 1 && diagnostic.column >= 1);
        }
    }
});
