//! A section's heading as a GBNF expression (llama.cpp's grammar format): the lines a
//! section's pattern matches, so that a server with constrained decoding can only write
//! headings the scanner finds. Decided when the bindings are generated; a pattern that cannot
//! be expressed gives a reason instead, and the agent then has no reply grammar.
//!
//! Patterns are matched against single lines with regex-lite, whose `\d`, `\w` and `\s` are
//! ASCII: the expressions use the same classes, and never match a line break.

use regex_syntax::ast::{self, Ast};

/// The most characters of text a heading may carry after what its pattern fixes (a pattern
/// that is not end-anchored: `^## Summary` also matches `## Summary of the change`).
pub const MAX_HEADING_TAIL: usize = 80;

/// The GBNF expression of the lines that `pattern` matches, or why there is none.
pub fn heading_grammar(pattern: &str) -> Result<String, String> {
    let ast =
        ast::parse::Parser::new().parse(pattern).map_err(|e| format!("the pattern does not parse: {e}"))?;
    let mut items: Vec<&Ast> = match &ast {
        Ast::Concat(concat) => concat.asts.iter().collect(),
        other => vec![other],
    };
    match items.first() {
        Some(Ast::Assertion(a))
            if matches!(a.kind, ast::AssertionKind::StartLine | ast::AssertionKind::StartText) =>
        {
            items.remove(0);
        }
        _ => return Err("the pattern is not anchored at the start of the line (`^`)".to_owned()),
    }
    let end_anchored = matches!(items.last(), Some(Ast::Assertion(a)) if matches!(a.kind, ast::AssertionKind::EndLine | ast::AssertionKind::EndText));
    if end_anchored {
        items.pop();
    }
    if items.is_empty() {
        return Err("the pattern matches an empty line".to_owned());
    }
    let mut parts = sequence(&items)?;
    if !end_anchored {
        parts.push(format!("[^\\n]{{0,{MAX_HEADING_TAIL}}}"));
    }
    Ok(parts.join(" "))
}

/// The expressions of `items` in order, runs of literal characters as one string.
fn sequence(items: &[&Ast]) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    for item in items {
        if let Ast::Literal(l) = item {
            literal.push(l.c);
            continue;
        }
        if !literal.is_empty() {
            parts.push(quoted(&std::mem::take(&mut literal)));
        }
        parts.push(expression(item)?);
    }
    if !literal.is_empty() {
        parts.push(quoted(&literal));
    }
    Ok(parts)
}

fn expression(ast: &Ast) -> Result<String, String> {
    Ok(match ast {
        Ast::Empty(_) => "\"\"".to_owned(),
        Ast::Literal(literal) => quoted(&literal.c.to_string()),
        Ast::Dot(_) => "[^\\n]".to_owned(),
        Ast::ClassPerl(class) => perl_class(class).to_owned(),
        Ast::ClassBracketed(class) => bracketed(class)?,
        Ast::ClassUnicode(_) => return Err("Unicode classes (`\\p{..}`) have no grammar".to_owned()),
        Ast::Repetition(rep) => {
            let inner = expression(&rep.ast)?;
            let op = match &rep.op.kind {
                ast::RepetitionKind::ZeroOrOne => "?".to_owned(),
                ast::RepetitionKind::ZeroOrMore => "*".to_owned(),
                ast::RepetitionKind::OneOrMore => "+".to_owned(),
                ast::RepetitionKind::Range(ast::RepetitionRange::Exactly(n)) => format!("{{{n}}}"),
                ast::RepetitionKind::Range(ast::RepetitionRange::AtLeast(n)) => format!("{{{n},}}"),
                ast::RepetitionKind::Range(ast::RepetitionRange::Bounded(m, n)) => format!("{{{m},{n}}}"),
            };
            if is_atom(&inner) {
                format!("{inner}{op}")
            } else {
                format!("({inner}){op}")
            }
        }
        Ast::Group(group) => {
            if matches!(group.kind, ast::GroupKind::NonCapturing(ref flags) if !flags.items.is_empty()) {
                return Err("flags in a group (`(?i:...)`) have no grammar".to_owned());
            }
            format!("({})", expression(&group.ast)?)
        }
        Ast::Alternation(alternation) => {
            let branches = alternation.asts.iter().map(expression).collect::<Result<Vec<_>, _>>()?;
            branches.join(" | ")
        }
        Ast::Concat(concat) => {
            let parts = sequence(&concat.asts.iter().collect::<Vec<_>>())?;
            if parts.is_empty() {
                "\"\"".to_owned()
            } else {
                parts.join(" ")
            }
        }
        Ast::Assertion(_) => {
            return Err("an assertion inside the pattern (`\\b`, `^` or `$` not at its ends) has no grammar"
                .to_owned())
        }
        Ast::Flags(_) => return Err("flags (`(?i)`) have no grammar".to_owned()),
    })
}

/// Whether `expression` is one string, one class or one parenthesized group, which a
/// repetition applies to without parentheses of its own.
fn is_atom(expression: &str) -> bool {
    let quoted_once = expression.len() >= 2
        && expression.starts_with('"')
        && expression.ends_with('"')
        && !expression[1..expression.len() - 1].replace("\\\\", "").replace("\\\"", "").contains('"');
    let class_once =
        expression.starts_with('[') && expression.ends_with(']') && !expression[1..].contains(" ");
    let group_once = expression.starts_with('(') && expression.ends_with(')') && closes_at_end(expression);
    quoted_once || class_once || group_once
}

/// Whether the `(` that `expression` starts with closes at its last character.
fn closes_at_end(expression: &str) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in expression.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return i == expression.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// regex-lite's ASCII `\d`, `\w`, `\s` (and negations), without line breaks.
fn perl_class(class: &ast::ClassPerl) -> &'static str {
    match (&class.kind, class.negated) {
        (ast::ClassPerlKind::Digit, false) => "[0-9]",
        (ast::ClassPerlKind::Digit, true) => "[^0-9\\n]",
        (ast::ClassPerlKind::Word, false) => "[0-9A-Za-z_]",
        (ast::ClassPerlKind::Word, true) => "[^0-9A-Za-z_\\n]",
        (ast::ClassPerlKind::Space, false) => "[ \\t\\x0B\\x0C]",
        (ast::ClassPerlKind::Space, true) => "[^ \\t\\n\\x0B\\x0C\\r]",
    }
}

fn bracketed(class: &ast::ClassBracketed) -> Result<String, String> {
    let mut out = String::from(if class.negated { "[^\\n" } else { "[" });
    class_items(&class.kind, &mut out)?;
    out.push(']');
    Ok(out)
}

fn class_items(set: &ast::ClassSet, out: &mut String) -> Result<(), String> {
    let ast::ClassSet::Item(item) = set else {
        return Err("class set operations (`&&`, `--`, `~~`) have no grammar".to_owned());
    };
    class_item(item, out)
}

fn class_item(item: &ast::ClassSetItem, out: &mut String) -> Result<(), String> {
    match item {
        ast::ClassSetItem::Empty(_) => {}
        ast::ClassSetItem::Literal(literal) => out.push_str(&class_char(literal.c)),
        ast::ClassSetItem::Range(range) => {
            out.push_str(&class_char(range.start.c));
            out.push('-');
            out.push_str(&class_char(range.end.c));
        }
        ast::ClassSetItem::Perl(class) if !class.negated => {
            let text = perl_class(class);
            out.push_str(&text[1..text.len() - 1]);
        }
        ast::ClassSetItem::Union(union) => {
            for item in &union.items {
                class_item(item, out)?;
            }
        }
        _ => return Err("this character class has no grammar".to_owned()),
    }
    Ok(())
}

/// A character inside a GBNF class: escaped unless it is a letter or digit.
fn class_char(c: char) -> String {
    match c {
        c if c.is_ascii_alphanumeric() || c == ' ' => c.to_string(),
        c if (c as u32) < 0x80 => format!("\\x{:02X}", c as u32),
        c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
        c => format!("\\U{:08X}", c as u32),
    }
}

/// `text` as a GBNF string literal.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32 & 0xFF)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_become_expressions_of_what_their_pattern_matches() {
        assert_eq!(heading_grammar("^## Summary").unwrap(), "\"## Summary\" [^\\n]{0,80}");
        assert_eq!(
            heading_grammar(r"^## VERDICT: (PASS|FAIL|NEEDS_DISCUSSION)$").unwrap(),
            "\"## VERDICT: \" (\"PASS\" | \"FAIL\" | \"NEEDS_DISCUSSION\")"
        );
        assert_eq!(heading_grammar(r"^### Task \d+:").unwrap(), "\"### Task \" [0-9]+ \":\" [^\\n]{0,80}");
        assert_eq!(heading_grammar(r"^\*\*Goal:\*\*").unwrap(), "\"**Goal:**\" [^\\n]{0,80}");
        assert_eq!(heading_grammar(r"^## [A-Z][a-z-]*$").unwrap(), "\"## \" [A-Z] [a-z\\x2D]*");
        assert_eq!(heading_grammar(r#"^"a\\b"$"#).unwrap(), r#""\"a\\b\"""#);
    }

    #[test]
    fn what_a_grammar_cannot_say_is_a_reason() {
        assert!(heading_grammar("## Summary").unwrap_err().contains("not anchored"));
        assert!(heading_grammar(r"^## \bword").unwrap_err().contains("assertion"));
        assert!(heading_grammar(r"^(?i)## summary").unwrap_err().contains("flags"));
        assert!(heading_grammar(r"^$").unwrap_err().contains("empty line"));
    }
}
