//! The frontmatter as a tree of YAML nodes, each with its position in the file.
//!
//! serde-saphyr does the parsing (with its alias/size budget against alias bombs); every node
//! is deserialized as `Spanned<_>` so that validation can point at any value.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

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

/// A YAML syntax (or budget) error: message and position relative to the frontmatter.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    /// Whether a parsing limit (nodes, nesting, aliases) was hit, rather than bad syntax.
    pub(crate) is_budget: bool,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Parses `yaml` (the frontmatter) into a node tree; `first_line` is the file line of its
/// first line and `text` the frontmatter itself, for raw scalar text.
pub(crate) fn parse(yaml: &str, first_line: usize) -> Result<Node, SyntaxError> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: MAX_YAML_NODES,
            max_depth: MAX_YAML_DEPTH,
            flow_nesting_limit: MAX_YAML_DEPTH,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_total_scalar_bytes: 8 * 1024 * 1024,
        },
    };
    let spanned: Spanned<RawValue> = serde_saphyr::from_str_with_options(yaml, options).map_err(|e| {
        let location = e.location();
        let detail = e.without_snippet().to_string();
        let detail = detail.split(" at line ").next().unwrap_or_default().to_owned();
        let is_budget = detail.contains("budget breached") || detail.contains("recursion limit");
        let message = if detail.contains("Depth") || detail.contains("recursion limit") {
            format!("the frontmatter is nested more than {MAX_YAML_DEPTH} levels deep")
        } else if detail.contains("budget breached") {
            format!(
                "the frontmatter is too large once aliases are expanded ({detail}); the limits are \
                 {MAX_YAML_NODES} nodes and 1000 aliases"
            )
        } else {
            detail
        };
        SyntaxError {
            message,
            is_budget,
            line: location.map_or(1, |l| l.line() as usize),
            column: location.map_or(1, |l| l.column() as usize),
        }
    })?;
    Ok(into_node(spanned, yaml, first_line))
}

fn into_node(spanned: Spanned<RawValue>, yaml: &str, first_line: usize) -> Node {
    let location = spanned.referenced;
    let pos = Pos {
        line: (location.line() as usize).max(1) + first_line - 1,
        column: (location.column() as usize).max(1),
    };
    let raw = match spanned.value {
        RawValue::Int(_) | RawValue::Float(_) | RawValue::Bool(_) => {
            let span = location.span();
            span.byte_offset()
                .zip(span.byte_len())
                .and_then(|(start, len)| yaml.get(start as usize..(start + len) as usize))
                .map(str::to_owned)
        }
        _ => None,
    };
    let value = match spanned.value {
        RawValue::Null => Value::Null,
        RawValue::Bool(b) => Value::Bool(b),
        RawValue::Int(i) => Value::Int(i),
        RawValue::Float(f) => Value::Float(f),
        RawValue::Str(s) => Value::Str(s),
        RawValue::Seq(items) => {
            Value::Seq(items.into_iter().map(|n| into_node(n, yaml, first_line)).collect())
        }
        RawValue::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (into_node(k, yaml, first_line), into_node(v, yaml, first_line)))
                .collect(),
        ),
    };
    Node { value, pos, raw }
}

/// What serde-saphyr hands us, before positions are made file-relative.
enum RawValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawValue>>),
    Map(Vec<(Spanned<RawValue>, Spanned<RawValue>)>),
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(i64::try_from(v).map_or(RawValue::Float(v as f64), RawValue::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawValue, E> {
        Ok(i64::try_from(v).map_or(RawValue::Float(v as f64), RawValue::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<RawValue, E> {
        Ok(i64::try_from(v).map_or(RawValue::Float(v as f64), RawValue::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(v))
    }
    fn visit_char<E>(self, v: char) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<RawValue, E> {
        Ok(RawValue::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<RawValue>>()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<RawValue>>()? {
            let value = map.next_value::<Spanned<RawValue>>()?;
            entries.push((key, value));
        }
        Ok(RawValue::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(err.message.contains("budget"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse("a: [1, 2\nb: c\n", 2).unwrap_err();
        assert_eq!((err.line, err.column), (2, 2));
    }
}
