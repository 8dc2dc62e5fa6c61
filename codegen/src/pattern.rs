//! Section patterns: validation and the shape of the section a pattern describes.

use regex_syntax::ast::{self, Ast};

/// What kind of section a pattern describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternShape {
    /// A fixed heading (`^## Summary`): one occurrence; later matching lines are content.
    Single,
    /// A heading with a variable part (`^### Task \d+:`): every matching line is a new
    /// occurrence, all kept in order.
    Repeated,
    /// One capture group of literal alternatives (`^## VERDICT: (PASS|FAIL)$`): the section
    /// carries a value of a generated enum.
    Value {
        /// The alternatives, in pattern order.
        labels: Vec<String>,
        /// Whether the pattern is end-anchored after the group: then the heading is the value
        /// itself, it occurs once, and a heading with another value is a reply error. Otherwise
        /// (`^### (Critical|High)`) the value labels a repeated heading.
        single: bool,
        /// For a single value section: the pattern with the group widened to any text, used to
        /// find headings whose value is outside the labels.
        lenient_pattern: Option<String>,
    },
}

/// A pattern that is not a valid regular expression, or too large to match in bounded time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// What is wrong, naming the pattern.
    pub message: String,
    /// How to fix it.
    pub help: &'static str,
}

impl PatternError {
    const SYNTAX_HELP: &'static str =
        "patterns use the syntax of the `regex` crate; escape `*`, `(` and `[` with `\\\\` in double-quoted YAML";

    fn syntax(message: String) -> Self {
        Self { message, help: Self::SYNTAX_HELP }
    }
}

/// The characters with a meaning outside a character class (without the `x` flag, which
/// needs a group to set).
const SPECIAL: [char; 14] = ['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$'];

/// Validates `pattern` and works out its shape.
pub fn analyze(pattern: &str) -> Result<PatternShape, PatternError> {
    // Most patterns are a literal heading (`^## Summary`): valid, no group, one occurrence.
    let literal = pattern.strip_prefix('^').unwrap_or(pattern);
    if !literal.is_empty() && !literal.contains(SPECIAL) {
        return Ok(PatternShape::Single);
    }
    analyze_regex(pattern)
}

/// [`analyze`] through the regular expression's syntax tree.
fn analyze_regex(pattern: &str) -> Result<PatternShape, PatternError> {
    let ast = ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| PatternError::syntax(describe(pattern, e.kind().to_string(), e.span().start.offset)))?;
    regex_syntax::hir::translate::Translator::new()
        .translate(pattern, &ast)
        .map_err(|e| PatternError::syntax(describe(pattern, e.kind().to_string(), e.span().start.offset)))?;
    // Replies are scanned with regex-lite, which leaves out Unicode classes (`\p{L}`) and
    // Unicode-aware `\w`, `\d` and `\s`: a pattern must compile there too.
    if let Err(error) = regex_lite::Regex::new(pattern) {
        return Err(PatternError::syntax(format!(
            "`{pattern}` uses regular-expression syntax that the reply scanner does not support: {error}"
        )));
    }
    check_size(pattern, pattern)?;

    let items: Vec<&Ast> = match &ast {
        Ast::Concat(concat) => concat.asts.iter().collect(),
        other => vec![other],
    };
    let mut captures = Vec::new();
    count_captures(&ast, &mut captures);
    if let [group] = captures.as_slice() {
        if let Some(labels) = literal_alternatives(&group.ast) {
            let position =
                items.iter().position(|item| matches!(item, Ast::Group(g) if std::ptr::eq(&**g, *group)));
            let end_anchored = position.is_some_and(|i| {
                let rest = &items[i + 1..];
                rest.iter().any(|a| is_end_assertion(a))
                    && rest.iter().all(|a| is_end_assertion(a) || is_optional_whitespace(a))
            });
            let lenient_pattern = end_anchored.then(|| {
                let span = group.span;
                format!(r"{}(.*?)\s*{}", &pattern[..span.start.offset], &pattern[span.end.offset..])
            });
            if let Some(lenient) = &lenient_pattern {
                check_size(pattern, lenient)?;
            }
            return Ok(PatternShape::Value { labels, single: end_anchored, lenient_pattern });
        }
    }
    if is_variable(&ast) {
        Ok(PatternShape::Repeated)
    } else {
        Ok(PatternShape::Single)
    }
}

/// Refuses `compiled` (`pattern`, or the form of it the scanner uses) when regex-lite compiles
/// it to more than [`PATTERN_SIZE_LIMIT`](agentbind_vocab::PATTERN_SIZE_LIMIT): matching costs
/// each line's length times that size.
fn check_size(pattern: &str, compiled: &str) -> Result<(), PatternError> {
    let limit = agentbind_vocab::PATTERN_SIZE_LIMIT;
    match regex_lite::RegexBuilder::new(compiled).size_limit(limit).build() {
        Ok(_) => Ok(()),
        Err(_) => Err(PatternError {
            message: format!(
                "`{}` is too large: compiled, it takes more than {} KiB, the limit",
                shorten(pattern),
                limit / 1024
            ),
            help: "every reply line is matched against the pattern, at a cost that grows with its compiled size; use fewer or smaller repetitions (`{n}`) and alternatives",
        }),
    }
}

/// `pattern`, or its first 60 characters and `...`.
fn shorten(pattern: &str) -> String {
    match pattern.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &pattern[..at]),
        None => pattern.to_owned(),
    }
}

fn describe(pattern: &str, error: String, offset: usize) -> String {
    let column = pattern[..offset.min(pattern.len())].chars().count();
    format!("`{pattern}` is not a valid regular expression: {error} (at character {})", column + 1)
}

fn count_captures<'a>(ast: &'a Ast, out: &mut Vec<&'a ast::Group>) {
    match ast {
        Ast::Group(group) => {
            if matches!(group.kind, ast::GroupKind::CaptureIndex(_) | ast::GroupKind::CaptureName { .. }) {
                out.push(group);
            }
            count_captures(&group.ast, out);
        }
        Ast::Concat(concat) => concat.asts.iter().for_each(|a| count_captures(a, out)),
        Ast::Alternation(alt) => alt.asts.iter().for_each(|a| count_captures(a, out)),
        Ast::Repetition(rep) => count_captures(&rep.ast, out),
        _ => {}
    }
}

/// The texts of an alternation whose branches are all literal (`PASS|FAIL`).
fn literal_alternatives(ast: &Ast) -> Option<Vec<String>> {
    let Ast::Alternation(alt) = ast else { return None };
    alt.asts.iter().map(literal_text).collect()
}

fn literal_text(ast: &Ast) -> Option<String> {
    match ast {
        Ast::Literal(lit) => Some(lit.c.to_string()),
        Ast::Concat(concat) => concat.asts.iter().map(literal_text).collect(),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

fn is_end_assertion(ast: &Ast) -> bool {
    matches!(ast, Ast::Assertion(a) if matches!(a.kind, ast::AssertionKind::EndLine | ast::AssertionKind::EndText))
}

fn is_optional_whitespace(ast: &Ast) -> bool {
    matches!(ast, Ast::Repetition(rep) if matches!(rep.op.kind, ast::RepetitionKind::ZeroOrMore | ast::RepetitionKind::ZeroOrOne)
        && matches!(rep.ast.as_ref(), Ast::ClassPerl(c) if c.kind == ast::ClassPerlKind::Space && !c.negated))
}

/// Whether the pattern can match more than one distinct heading text.
fn is_variable(ast: &Ast) -> bool {
    match ast {
        Ast::Empty(_) | Ast::Flags(_) | Ast::Literal(_) | Ast::Assertion(_) => false,
        Ast::Dot(_) | Ast::ClassUnicode(_) | Ast::ClassPerl(_) | Ast::ClassBracketed(_) => true,
        Ast::Repetition(_) | Ast::Alternation(_) => true,
        Ast::Group(group) => is_variable(&group.ast),
        Ast::Concat(concat) => concat.asts.iter().any(is_variable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_too_large_to_match_in_bounded_time_are_refused() {
        let error = analyze(r"^(?:a?){3000}a{3000}$").unwrap_err();
        assert!(
            error.message.contains("is too large") && error.message.contains("16 KiB"),
            "{}",
            error.message
        );
        assert!(error.help.contains("repetitions"));
        // A long literal is compared as text, whatever its length.
        assert_eq!(analyze(&format!("^## {}", "x".repeat(100_000))), Ok(PatternShape::Single));
        // The Ring corpus's largest is far below the limit.
        assert!(analyze(r"^## VERDICT: (PASS|NEEDS_REVISION|MAJOR_ISSUES)$").is_ok());
        assert!(analyze(r"^(?:a?){50}a{50}$").is_ok());
        let long = format!("^## ({})$", (0..2000).map(|i| format!("L{i}")).collect::<Vec<_>>().join("|"));
        assert!(analyze(&long).unwrap_err().message.contains("is too large"));
    }

    #[test]
    fn literal_patterns_take_the_fast_path_to_the_same_shape() {
        for pattern in ["^## Summary", "## Files Changed", "^# Résumé 日本 & ~ - #", "^ ", "^## A: B"] {
            assert!(!pattern[1..].contains(SPECIAL));
            assert_eq!(analyze(pattern), analyze_regex(pattern), "{pattern}");
        }
    }

    #[test]
    fn fixed_headings_are_single() {
        assert_eq!(analyze("^## Summary").unwrap(), PatternShape::Single);
        assert_eq!(analyze("^## KEY FINDINGS$").unwrap(), PatternShape::Single);
        assert_eq!(analyze(r"^\*\*Goal:\*\*").unwrap(), PatternShape::Single);
    }

    #[test]
    fn variable_headings_repeat() {
        assert_eq!(analyze(r"^### Task \d+:").unwrap(), PatternShape::Repeated);
        assert_eq!(analyze(r"^## (?:Risk|Issue)s?").unwrap(), PatternShape::Repeated);
    }

    #[test]
    fn end_anchored_alternatives_are_single_values() {
        let shape = analyze("^## VERDICT: (PASS|FAIL|NEEDS_DISCUSSION)$").unwrap();
        assert_eq!(
            shape,
            PatternShape::Value {
                labels: vec!["PASS".into(), "FAIL".into(), "NEEDS_DISCUSSION".into()],
                single: true,
                lenient_pattern: Some(r"^## VERDICT: (.*?)\s*$".into()),
            }
        );
    }

    #[test]
    fn open_alternatives_label_repeated_headings() {
        let shape = analyze("^### (Critical|High|Medium|Low)").unwrap();
        assert!(matches!(shape, PatternShape::Value { single: false, lenient_pattern: None, .. }));
    }

    #[test]
    fn patterns_the_scanner_cannot_compile_are_errors() {
        let error = analyze(r"^## \p{Greek}+").unwrap_err();
        assert!(error.message.contains("the reply scanner does not support"), "{}", error.message);
        assert!(analyze(r"^### Task \d+: \w+\s*$").is_ok());
    }

    #[test]
    fn invalid_patterns_are_errors() {
        let err = analyze("^## (Unclosed").unwrap_err();
        assert!(err.message.contains("not a valid regular expression"), "{}", err.message);
    }
}
