//! Reply grammars and schemas of typed dispatches, made once per agent, invocation context and
//! limits and shared by every run after: a fan-out of a thousand dispatches of one agent
//! builds its grammar once. Routed dispatches (whose agents may be loaded at run time and
//! change) build theirs per run.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use agentbind::contract::GrammarLimits;
use serde_json::Value;

use crate::client::JsonSchema;

/// At most this many entries are kept; past it the cache starts again empty.
const MAX_ENTRIES: usize = 1024;

/// What a constraint is made of: the agent's type, the context's name and the limits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    agent: TypeId,
    context: Option<String>,
    limits: Option<(usize, usize, usize, Option<u32>)>,
    schema: bool,
}

impl Key {
    pub(crate) fn new(
        agent: TypeId,
        context: Option<&str>,
        limits: Option<GrammarLimits>,
        schema: bool,
    ) -> Self {
        let limits = limits.map(|l| (l.body_lines, l.line_chars, l.repeats, l.max_tokens));
        Key { agent, context: context.map(str::to_owned), limits, schema }
    }
}

#[derive(Clone)]
enum Entry {
    Grammar(Option<Arc<str>>),
    Schema(Option<Arc<JsonSchema>>),
}

fn cache() -> &'static Mutex<HashMap<Key, Entry>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Entry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn cached(key: Key, make: impl FnOnce() -> Entry) -> Entry {
    let lock = || cache().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(entry) = lock().get(&key) {
        return entry.clone();
    }
    let entry = make();
    let mut map = lock();
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map.insert(key, entry.clone());
    entry
}

/// The grammar of `key`, made by `make` the first time.
pub(crate) fn grammar(key: Option<Key>, make: impl FnOnce() -> Option<String>) -> Option<Arc<str>> {
    let Some(key) = key else { return make().map(Arc::from) };
    match cached(key, || Entry::Grammar(make().map(Arc::from))) {
        Entry::Grammar(grammar) => grammar,
        Entry::Schema(_) => None,
    }
}

/// The schema of `key`, made by `make` the first time.
pub(crate) fn schema(key: Option<Key>, make: impl FnOnce() -> Option<Value>) -> Option<Arc<JsonSchema>> {
    let make = || make().map(|schema| Arc::new(JsonSchema::new(schema)));
    let Some(key) = key else { return make() };
    match cached(key, || Entry::Schema(make())) {
        Entry::Schema(schema) => schema,
        Entry::Grammar(_) => None,
    }
}
