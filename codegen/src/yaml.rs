//! The frontmatter as a tree of YAML nodes, each with its position in the file.
//!
//! granit-parser (the YAML 1.2 parser behind serde-saphyr) turns the text into events that
//! carry their positions; this module builds the tree from them, types scalars by the core
//! schema ([`scalar`]), expands aliases and merge keys, and enforces the limits below, so that
//! an alias bomb or a deeply nested document is refused with a located error in bounded time
//! and memory. Going through serde's data model instead cost four times as much in the
//! unoptimized builds in which proc macros run by default.

mod scalar;

use std::borrow::Cow;
use std::collections::HashMap;

use granit_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, StructureStyle, Tag};

use crate::source::Pos;

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) pos: Pos,
    /// The node's source text, for plain scalars whose parsed value would lose it
    /// (`version: 1.10` is read as the text `1.10`, not the float 1.1).
    pub(crate) raw: Option<String>,
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What kind of value this is, for "expected X, found Y" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// The value as text when it is a scalar (numbers and booleans in their source form).
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => self.raw.clone(),
            _ => None,
        }
    }

    /// The entries of a mapping.
    pub(crate) fn entries(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` in a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?.iter().find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key)).map(|(_, v)| v)
    }
}

/// The YAML parsing limits (alias expansion, nesting, node count): a frontmatter past them is
/// refused with a located error instead of taking unbounded time or memory.
pub const MAX_YAML_NODES: usize = 100_000;
/// Maximum nesting depth of the frontmatter.
pub const MAX_YAML_DEPTH: usize = 24;
/// Maximum number of aliases (`*name`) in the frontmatter.
const MAX_ALIASES: usize = 1_000;
/// Maximum total bytes of scalar text, counting the copies that aliases make.
const MAX_SCALAR_BYTES: usize = 8 * 1024 * 1024;

/// A YAML syntax (or budget) error: message and position relative to the frontmatter.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    /// Whether a parsing limit (nodes, nesting, aliases) was hit, rather than bad syntax.
    pub(crate) is_budget: bool,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl SyntaxError {
    /// An error at `marker` (a position in the frontmatter).
    fn at(marker: &Marker, message: String, is_budget: bool) -> Self {
        SyntaxError { message, is_budget, line: marker.line(), column: marker.col() + 1 }
    }

    /// The nesting limit was hit at `marker`.
    fn too_deep(marker: &Marker) -> Self {
        let message = format!("the frontmatter is nested more than {MAX_YAML_DEPTH} levels deep");
        SyntaxError::at(marker, message, true)
    }
}

/// Parses `yaml` (the frontmatter) into a node tree; `first_line` is the file line of its
/// first line.
pub(crate) fn parse(yaml: &str, first_line: usize) -> Result<Node, SyntaxError> {
    let options = granit_parser::options! {
        flow_nesting_limit: MAX_YAML_DEPTH,
        block_nesting_limit: MAX_YAML_DEPTH,
    };
    let mut builder = TreeBuilder::new(yaml, first_line);
    for event in Parser::new_from_str_with_options(yaml, options) {
        let (event, span) = event.map_err(|e| builder.locate(scan_error(e)))?;
        builder.event(event, span)?;
    }
    // No document at all is an empty frontmatter.
    Ok(builder.root.unwrap_or(Node {
        value: Value::Null,
        pos: Pos { line: first_line, column: 1 },
        raw: None,
    }))
}

fn scan_error(error: ScanError) -> SyntaxError {
    match error.kind() {
        granit_parser::ErrorKind::RecursionLimitExceeded => SyntaxError::too_deep(error.marker()),
        _ => SyntaxError::at(error.marker(), error.info(), false),
    }
}

/// The quoted scalar that ends just before line `line`, column `column` (1-based, in `yaml`),
/// when it opened on an earlier line: the run of a quote that a missing closing quote made
/// swallow the lines after it, up to the next quote.
fn quoted_run(yaml: &str, token: char, line: usize, column: usize) -> Option<Opening> {
    let line_start: usize = yaml.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum();
    let error_at = line_start
        + yaml.get(line_start..)?.chars().take(column.saturating_sub(1)).map(char::len_utf8).sum::<usize>();
    let before = yaml.get(..error_at)?;
    let closing = before.rfind(token)?;
    // Walk back to the opening quote, skipping escaped quotes (`\"`, or `''` in single quotes).
    let bytes = before.as_bytes();
    let mut at = closing;
    let opening = loop {
        let candidate = before[..at].rfind(token)?;
        let escaped = match token {
            '"' => before[..candidate].bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1,
            _ => candidate > 0 && bytes[candidate - 1] == b'\'',
        };
        if !escaped {
            break candidate;
        }
        at = if token == '\'' { candidate - 1 } else { candidate };
    };
    let open_line = before[..opening].matches('\n').count() + 1;
    if open_line >= line {
        return None;
    }
    let open_column = before[..opening].rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    Some(Opening { token, line: open_line, column: open_column, end_line: line })
}

/// A collection being read.
enum Open {
    Seq {
        node: Node,
        anchor: usize,
        items: Vec<Node>,
    },
    /// `seen`: the index in `entries` of each scalar key, so that a duplicate is found in
    /// constant time (a linear search made 40,000 keys take 18 s in a debug build).
    Map {
        node: Node,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        seen: HashMap<ScalarKey, usize>,
    },
}

/// A scalar key as a hashable value, equal where `Value`'s `PartialEq` is equal (`0.0` and
/// `-0.0` are one key; NaN, never equal to itself, has none).
#[derive(Debug, PartialEq, Eq, Hash)]
enum ScalarKey {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
}

impl ScalarKey {
    fn of(value: &Value) -> Option<Self> {
        Some(match value {
            Value::Null => ScalarKey::Null,
            Value::Bool(b) => ScalarKey::Bool(*b),
            Value::Int(i) => ScalarKey::Int(*i),
            Value::Float(f) if f.is_nan() => return None,
            Value::Float(f) => ScalarKey::Float(if *f == 0.0 { 0 } else { f.to_bits() }),
            Value::Str(s) => ScalarKey::Str(s.clone()),
            Value::Seq(_) | Value::Map(_) => return None,
        })
    }
}

/// Where a construct that can run on over many lines started: an open flow collection, or
/// the last quoted scalar that spanned lines. A syntax error found after it usually means it
/// was not closed, so the error is reported where it opened.
#[derive(Debug, Clone, Copy)]
struct Opening {
    /// `[`, `{`, `"` or `'`.
    token: char,
    /// Line and column (1-based) in the frontmatter.
    line: usize,
    column: usize,
    /// For a quoted scalar, the line it ended on.
    end_line: usize,
}

/// Builds the node tree from parser events, within the limits.
struct TreeBuilder<'a> {
    yaml: &'a str,
    first_line: usize,
    open: Vec<Open>,
    /// The document's root, once complete.
    root: Option<Node>,
    /// Anchored nodes by anchor id, with their node count and scalar bytes (see [`size`]).
    anchors: HashMap<usize, (Node, usize, usize)>,
    nodes: usize,
    scalar_bytes: usize,
    aliases: usize,
    /// The flow collections open now, innermost last.
    flows: Vec<Opening>,
    /// For each open collection, whether it is a flow collection.
    flow_depths: Vec<bool>,
    /// The last quoted scalar that spanned more than one line.
    multiline_quote: Option<Opening>,
}

impl<'a> TreeBuilder<'a> {
    fn new(yaml: &'a str, first_line: usize) -> Self {
        Self {
            yaml,
            first_line,
            open: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            nodes: 0,
            scalar_bytes: 0,
            aliases: 0,
            flows: Vec::new(),
            flow_depths: Vec::new(),
            multiline_quote: None,
        }
    }

    /// Moves a syntax error found after an unclosed flow collection, or after a quoted
    /// scalar that ran on over lines, to where that construct opened, and says where the
    /// parser noticed. Other errors stay where they are.
    fn locate(&self, error: SyntaxError) -> SyntaxError {
        if error.is_budget {
            return error;
        }
        let noticed = format!("line {}, column {}", error.line + self.first_line - 1, error.column);
        if error.message == "unclosed quote" {
            let message =
                "unterminated quoted text: the quote opened here is never closed (the parser noticed at \
                           the end of the frontmatter)";
            return SyntaxError { message: message.to_owned(), ..error };
        }
        if error.message.starts_with("unclosed") {
            return error;
        }
        let flow = self.flows.first().filter(|flow| flow.line < error.line).map(|flow| {
            let (what, close) = if flow.token == '[' { ("flow sequence", ']') } else { ("flow mapping", '}') };
            let message = format!(
                "unclosed `{}`: the {what} opened here has no `{close}` (the parser noticed at {noticed}: {})",
                flow.token, error.message
            );
            (*flow, message)
        });
        let quote = || {
            let quote = self.multiline_quote.filter(|q| q.end_line + 1 >= error.line).or_else(|| {
                let token = if error.message.contains("after double-quoted") {
                    '"'
                } else if error.message.contains("after single-quoted") {
                    '\''
                } else {
                    return None;
                };
                quoted_run(self.yaml, token, error.line, error.column)
            })?;
            let message = format!(
                "unterminated quoted text: the `{}` opened here runs on to line {}, so a closing quote is \
                 probably missing (the parser noticed at {noticed}: {})",
                quote.token,
                quote.end_line + self.first_line - 1,
                error.message
            );
            Some((quote, message))
        };
        match flow.or_else(quote) {
            Some((at, message)) => {
                SyntaxError { message, is_budget: false, line: at.line, column: at.column }
            }
            None => error,
        }
    }

    fn pos(&self, marker: &Marker) -> Pos {
        Pos { line: marker.line() + self.first_line - 1, column: marker.col() + 1 }
    }

    /// Counts `nodes` more nodes and `bytes` more scalar bytes against the limits.
    fn spend(&mut self, nodes: usize, bytes: usize, at: &Marker) -> Result<(), SyntaxError> {
        self.nodes += nodes;
        self.scalar_bytes += bytes;
        if self.nodes > MAX_YAML_NODES || self.scalar_bytes > MAX_SCALAR_BYTES {
            return Err(SyntaxError::at(
                at,
                format!(
                    "the frontmatter is too large once aliases are expanded; the limits are {MAX_YAML_NODES} \
                     nodes, {MAX_ALIASES} aliases and {} MiB of text",
                    MAX_SCALAR_BYTES / (1024 * 1024)
                ),
                true,
            ));
        }
        Ok(())
    }

    /// Takes one event.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), SyntaxError> {
        let at = span.start;
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.spend(1, text.len(), &at)?;
                let quote = match style {
                    ScalarStyle::DoubleQuoted => Some('"'),
                    ScalarStyle::SingleQuoted => Some('\''),
                    _ => None,
                };
                if let Some(token) = quote.filter(|_| span.end.line() > at.line()) {
                    let (line, column, end_line) = (at.line(), at.col() + 1, span.end.line());
                    self.multiline_quote = Some(Opening { token, line, column, end_line });
                }
                let node = self.scalar(text, style, tag.as_deref(), &span);
                self.finish(node, anchor, &at)
            }
            Event::SequenceStart(style, anchor, _) => {
                self.open_collection(&at, style, '[')?;
                let node = Node { value: Value::Null, pos: self.pos(&at), raw: None };
                self.open.push(Open::Seq { node, anchor, items: Vec::new() });
                Ok(())
            }
            Event::MappingStart(style, anchor, _) => {
                self.open_collection(&at, style, '{')?;
                let node = Node { value: Value::Null, pos: self.pos(&at), raw: None };
                self.open.push(Open::Map {
                    node,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => match self.close_collection() {
                Some(Open::Seq { mut node, anchor, items }) => {
                    node.value = Value::Seq(items);
                    self.finish(node, anchor, &at)
                }
                Some(Open::Map { mut node, anchor, entries, .. }) => {
                    node.value = Value::Map(merge_keys(entries));
                    self.finish(node, anchor, &at)
                }
                None => Ok(()),
            },
            Event::Alias(id) => {
                self.aliases += 1;
                if self.aliases > MAX_ALIASES {
                    let message = format!("the frontmatter has more than {MAX_ALIASES} aliases");
                    return Err(SyntaxError::at(&at, message, true));
                }
                let Some((target, nodes, bytes)) = self.anchors.get(&id) else {
                    return Err(SyntaxError::at(&at, "alias to an unknown anchor".into(), false));
                };
                let (nodes, bytes) = (*nodes, *bytes);
                let mut copy = target.clone();
                copy.pos = self.pos(&at);
                self.spend(nodes, bytes, &at)?;
                self.finish(copy, 0, &at)
            }
            _ => Ok(()),
        }
    }

    fn open_collection(
        &mut self,
        at: &Marker,
        style: StructureStyle,
        token: char,
    ) -> Result<(), SyntaxError> {
        if self.open.len() >= MAX_YAML_DEPTH {
            return Err(SyntaxError::too_deep(at));
        }
        // Whether each open collection is a flow one, so that its end also ends it in `flows`.
        let flow = style == StructureStyle::Flow;
        if flow {
            self.flows.push(Opening { token, line: at.line(), column: at.col() + 1, end_line: at.line() });
        }
        self.flow_depths.push(flow);
        self.spend(1, 0, at)
    }

    /// The collection that ends now.
    fn close_collection(&mut self) -> Option<Open> {
        if self.flow_depths.pop() == Some(true) {
            self.flows.pop();
        }
        self.open.pop()
    }

    fn scalar(&self, text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>, span: &Span) -> Node {
        let pos = self.pos(&span.start);
        let tagged =
            tag.and_then(|tag| tag.core_suffix()).and_then(|suffix| scalar::resolve_tagged(&text, suffix));
        let value = match (tagged, style) {
            (Some(value), _) => value,
            (None, ScalarStyle::Plain) if tag.is_none() => scalar::resolve_plain(&text),
            (None, _) => Value::Str(text.into_owned()),
        };
        // Numbers and booleans keep their source text (`version: 1.10` stays `1.10`).
        let raw = matches!(value, Value::Int(_) | Value::Float(_) | Value::Bool(_))
            .then(|| {
                let (start, end) = (span.start.byte_offset()?, span.end.byte_offset()?);
                self.yaml.get(start..end).map(str::to_owned)
            })
            .flatten();
        Node { value, pos, raw }
    }

    /// Puts a complete node into its parent, or makes it the root; keeps it under its
    /// `anchor` (0: none) for aliases.
    fn finish(&mut self, node: Node, anchor: usize, at: &Marker) -> Result<(), SyntaxError> {
        if anchor != 0 {
            let (nodes, bytes) = size(&node);
            self.anchors.insert(anchor, (node.clone(), nodes, bytes));
        }
        match self.open.last_mut() {
            None if self.root.is_some() => {
                Err(SyntaxError::at(at, "the frontmatter holds more than one YAML document".into(), false))
            }
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Open::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Open::Map { entries, key, seen, .. }) => match key.take() {
                None => {
                    *key = Some(node);
                    Ok(())
                }
                Some(k) => {
                    let scalar = ScalarKey::of(&k.value);
                    let duplicate = scalar.as_ref().and_then(|s| seen.get(s)).map(|&i| &entries[i].0);
                    if let Some(first) = duplicate {
                        let message = format!(
                            "duplicate mapping key `{}` (first at line {})",
                            k.scalar_text().unwrap_or_default(),
                            first.pos.line
                        );
                        let (line, column) = (k.pos.line + 1 - self.first_line, k.pos.column);
                        return Err(SyntaxError { message, is_budget: false, line, column });
                    }
                    if let Some(scalar) = scalar {
                        seen.insert(scalar, entries.len());
                    }
                    entries.push((k, node));
                    Ok(())
                }
            },
        }
    }
}

/// The number of nodes in `node` and the bytes of its scalar text (as `spend` counts them
/// while parsing: the text of strings, the source text of numbers and booleans).
fn size(node: &Node) -> (usize, usize) {
    match &node.value {
        Value::Str(s) => (1, s.len()),
        Value::Seq(items) => items.iter().map(size).fold((1, 0), |(n, b), (n2, b2)| (n + n2, b + b2)),
        Value::Map(entries) => entries
            .iter()
            .flat_map(|(k, v)| [size(k), size(v)])
            .fold((1, 0), |(n, b), (n2, b2)| (n + n2, b + b2)),
        _ => (1, node.raw.as_ref().map_or(0, String::len)),
    }
}

/// Applies merge keys (`<<: *defaults`, `<<: [*a, *b]`): the merged mappings' entries follow
/// the mapping's own, which win over them.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge = |key: &Node| matches!(&key.value, Value::Str(s) if s == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| is_merge(k));
    for (_, value) in merges {
        let sources = match value.value {
            Value::Map(entries) => vec![entries],
            Value::Seq(items) => items
                .into_iter()
                .filter_map(|item| match item.value {
                    Value::Map(entries) => Some(entries),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for (k, v) in sources.into_iter().flatten() {
            if !own.iter().any(|(existing, _)| existing.value == k.value) {
                own.push((k, v));
            }
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error of `yaml` (a frontmatter): its line, column and message.
    fn located(yaml: &str) -> (usize, usize, String) {
        let error = parse(yaml, 1).unwrap_err();
        (error.line, error.column, error.message)
    }

    #[test]
    fn a_quote_that_swallows_lines_is_reported_where_it_opened() {
        let (line, column, message) = located("a: \"open\nb: 1\nc: \"x\"\n");
        assert_eq!((line, column), (1, 4), "{message}");
        assert!(
            message.starts_with("unterminated quoted text: the `\"` opened here runs on to line 3"),
            "{message}"
        );
        // Escaped quotes inside the runaway text are skipped.
        let (line, column, _) = located("a: 1\nb: \"open \\\" still\nc: \"x\"\n");
        assert_eq!((line, column), (2, 4));
        let (line, column, message) = located("a: 'it''s open\nb: 'x'\n");
        assert_eq!((line, column), (1, 4), "{message}");
        let (line, column, message) = located("a: 1\nb: \"never closed\nc: 2\n");
        assert_eq!((line, column), (2, 4));
        assert!(message.contains("never closed"), "{message}");
    }

    #[test]
    fn an_unclosed_flow_collection_is_reported_where_it_opened() {
        let (line, column, message) = located("a: [1, 2\nb: 3\n");
        assert_eq!((line, column), (1, 4), "{message}");
        assert!(message.starts_with("unclosed `[`: the flow sequence opened here has no `]`"), "{message}");
        let (line, column, message) = located("a:\n  b: {x: [1], y: 2\n  c: 3\n");
        assert_eq!((line, column), (2, 6), "{message}");
        assert!(message.starts_with("unclosed `{`"), "{message}");
        // An error on the line of a flow collection stays where the parser found it.
        let (line, _, message) = located("a: [1, 2]]\n");
        assert_eq!(line, 1, "{message}");
        assert!(!message.starts_with("unclosed `[`"), "{message}");
    }

    #[test]
    fn nodes_carry_file_positions() {
        let node = parse("name: a\nlist:\n  - x\n", 2).unwrap();
        let name = node.get("name").unwrap();
        assert_eq!(name.pos, Pos { line: 2, column: 7 });
        let Value::Seq(items) = &node.get("list").unwrap().value else { panic!() };
        assert_eq!(items[0].pos, Pos { line: 4, column: 5 });
    }

    #[test]
    fn numbers_keep_their_source_text() {
        let node = parse("version: 1.10\n", 2).unwrap();
        assert_eq!(node.get("version").unwrap().scalar_text().as_deref(), Some("1.10"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut yaml = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (i, c) in "bcdefgh".chars().enumerate() {
            let prev = (b'a' + i as u8) as char;
            yaml.push_str(&format!("{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        let err = parse(&yaml, 2).unwrap_err();
        assert!(err.is_budget);
        assert!(err.message.contains("too large once aliases are expanded"), "{}", err.message);
    }

    #[test]
    fn long_texts_copied_by_aliases_are_refused() {
        let mut yaml = format!("a: &a {}\n", "x".repeat(100_000));
        yaml.push_str("b: [");
        yaml.push_str(&vec!["*a"; 200].join(", "));
        yaml.push_str("]\n");
        let err = parse(&yaml, 2).unwrap_err();
        assert!(err.is_budget && err.message.contains("MiB of text"), "{}", err.message);
    }

    #[test]
    fn plain_scalars_are_typed_and_quoted_ones_are_text() {
        let node = parse("a: 12\nb: '12'\nc: yes\nd: !!str 5\ne: ~\n", 2).unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Int(12));
        assert_eq!(node.get("b").unwrap().value, Value::Str("12".into()));
        assert_eq!(node.get("c").unwrap().value, Value::Str("yes".into()));
        assert_eq!(node.get("d").unwrap().value, Value::Str("5".into()));
        assert_eq!(node.get("e").unwrap().value, Value::Null);
    }

    #[test]
    fn aliases_and_merge_keys_are_expanded() {
        let node = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: [*b]\n", 2).unwrap();
        let used = node.get("use").unwrap();
        assert_eq!(used.get("x").unwrap().value, Value::Int(1));
        assert_eq!(used.get("y").unwrap().value, Value::Int(3));
        assert_eq!(used.entries().unwrap().len(), 2);
        let Value::Seq(items) = &node.get("list").unwrap().value else { panic!("a list") };
        assert_eq!(items[0].pos, Pos { line: 6, column: 8 });
    }

    #[test]
    fn duplicate_keys_and_second_documents_are_errors() {
        let err = parse("a: 1\nb: 2\na: 3\n", 2).unwrap_err();
        assert_eq!((err.line, err.column), (3, 1));
        assert!(err.message.contains("duplicate mapping key `a`"), "{}", err.message);
        assert!(parse("a: 1\n...\n---\nb: 2\n", 2).is_err());
        // Keys equal as YAML values are duplicates whatever their spelling.
        assert!(parse("0x10: a\n16: b\n", 2).unwrap_err().message.contains("duplicate"));
        assert!(parse("0.0: a\n-0.0: b\n", 2).unwrap_err().message.contains("duplicate"));
        assert!(parse("true: a\nTrue: b\n", 2).unwrap_err().message.contains("duplicate"));
        assert!(
            parse("1: a\n\"1\": b\n.nan: c\n.nan: d\n", 2).is_ok(),
            "an integer and a string differ; NaN is never equal"
        );
    }

    #[test]
    fn duplicate_keys_are_found_among_tens_of_thousands_without_a_quadratic_search() {
        // 40,000 keys took 18 s in a debug build when each key was compared with every one
        // before it (see `benches/codegen.rs` for the figure now).
        let mut yaml: String = (0..40_000).map(|i| format!("k{i}: {i}\n")).collect();
        assert!(parse(&yaml, 2).is_ok());
        yaml.push_str("k17: again\n");
        let err = parse(&yaml, 2).unwrap_err();
        assert!(err.message.contains("duplicate mapping key `k17` (first at line 19)"), "{}", err.message);
        assert_eq!(err.line, 40_001);
    }

    #[test]
    fn empty_frontmatter_is_null() {
        assert_eq!(parse("", 2).unwrap().value, Value::Null);
        assert_eq!(parse("# only a comment\n", 2).unwrap().value, Value::Null);
    }

    #[test]
    fn syntax_errors_are_located() {
        // Where the parser noticed, unless an unclosed construct explains it (see above).
        let err = parse("a: b\n  c: d\n", 2).unwrap_err();
        assert_eq!((err.line, err.column), (2, 4), "{}", err.message);
        let err = parse("a: [1, 2\nb: c\n", 2).unwrap_err();
        assert_eq!((err.line, err.column), (1, 4));
        assert!(err.message.contains("the parser noticed at line 3, column 2"), "{}", err.message);
    }
}
