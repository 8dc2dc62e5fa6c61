//! What the runtime reads from a section pattern without a regex parser: whether it is a
//! plain literal (matched with `starts_with`), the byte a matching line must start with (the
//! scanner's prefilter), and an example heading for the reply-format instructions.
//!
//! [`SectionPattern`] is how generated code describes one section to the scanner.
//!
//! Section patterns were validated when the bindings were generated; these readers only
//! need to be right for the patterns they accept and cautious (`None`) for the others.

/// How one section is found in a reply. Generated code builds one per section with the
/// `const` constructors below (`SectionPattern<'static>`); an agent loaded at run time
/// borrows its own text (`'a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SectionPattern<'a> {
    /// The section's name.
    pub name: &'a str,
    /// The section's `pattern` as written in the agent file.
    pub pattern: &'a str,
    /// The regular expression a line must match to start the section: `pattern`, except for a
    /// value section (`labels` is `Some`), where it is `pattern` with its capture group widened
    /// to any text, so that a value outside the labels is reported instead of being missed.
    pub scan: &'a str,
    /// Whether every matching line starts a new occurrence. For other sections only the first
    /// matching line starts the section; later ones are ordinary content.
    pub repeated: bool,
    /// For a value section, the labels accepted in capture group 1.
    pub labels: Option<&'a [&'a str]>,
    /// The GBNF expression of the heading lines the pattern matches, when the pattern has one
    /// (decided when the bindings were generated): what the reply grammar is made of.
    pub grammar: Option<&'a str>,
}

impl<'a> SectionPattern<'a> {
    /// A section that occurs once, found by `pattern`.
    pub const fn once(name: &'a str, pattern: &'a str) -> Self {
        SectionPattern { name, pattern, scan: pattern, repeated: false, labels: None, grammar: None }
    }

    /// A section of which every matching line starts a new occurrence.
    pub const fn repeated(name: &'a str, pattern: &'a str) -> Self {
        SectionPattern { repeated: true, ..SectionPattern::once(name, pattern) }
    }

    /// This section, with its value (capture group 1) one of `labels`; lines are found by
    /// `scan`, the declared pattern with its group widened to any text.
    pub const fn with_labels(self, scan: &'a str, labels: &'a [&'a str]) -> Self {
        SectionPattern { scan, labels: Some(labels), ..self }
    }

    /// This section, with the GBNF expression of its heading lines.
    pub const fn with_grammar(self, grammar: &'a str) -> Self {
        SectionPattern { grammar: Some(grammar), ..self }
    }
}

/// The characters with a meaning outside a character class.
const SPECIAL: [char; 14] = ['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$'];

/// A pattern that is a literal between an optional `^` and an optional `$`
/// (`^## Summary`, `^\*\*Goal:\*\*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    pub(crate) text: String,
    pub(crate) start_anchored: bool,
    pub(crate) end_anchored: bool,
}

/// `pattern` as a [`Literal`], when it is one; escaped punctuation counts as literal.
pub(crate) fn literal(pattern: &str) -> Option<Literal> {
    let start_anchored = pattern.starts_with('^');
    let inner = pattern.strip_prefix('^').unwrap_or(pattern);
    let (inner, end_anchored) = match inner.strip_suffix('$') {
        // `\$` at the end is a literal dollar sign.
        Some(rest) if !ends_with_odd_backslashes(rest) => (rest, true),
        _ => (inner, false),
    };
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) if escaped.is_ascii_punctuation() => text.push(escaped),
                _ => return None,
            },
            c if SPECIAL.contains(&c) => return None,
            c => text.push(c),
        }
    }
    Some(Literal { text, start_anchored, end_anchored })
}

fn ends_with_odd_backslashes(text: &str) -> bool {
    text.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// The first byte of every line that `pattern` matches, when the pattern is anchored at the
/// line start and begins with a literal character that is not optional. `None`: no line can
/// be skipped without trying the pattern.
pub(crate) fn first_byte(pattern: &str) -> Option<u8> {
    if has_top_level_alternation(pattern) {
        return None;
    }
    let rest = pattern.strip_prefix('^')?;
    let mut chars = rest.chars();
    let first = match chars.next()? {
        '\\' => chars.next().filter(char::is_ascii_punctuation)?,
        c if SPECIAL.contains(&c) => return None,
        c => c,
    };
    if matches!(chars.next(), Some('?' | '*' | '{')) {
        return None;
    }
    let mut buffer = [0u8; 4];
    Some(first.encode_utf8(&mut buffer).as_bytes()[0])
}

/// Whether `pattern` has a `|` outside every group and class.
pub(crate) fn has_top_level_alternation(pattern: &str) -> bool {
    let mut depth = 0usize;
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth = depth.saturating_sub(1),
            '|' if !in_class && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// A line that matches the line-anchored `pattern`, for showing a model what to write
/// (`^## Summary$` gives `## Summary`, `^### Task \d+:` gives `### Task 1:`, a group of
/// alternatives its first one, free text `<text>`).
pub fn example_heading(pattern: &str) -> String {
    if let Some(literal) = literal(pattern) {
        return literal.text;
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut reader = Example { chars: &chars, at: 0, group: None };
    reader.alternatives()
}

/// [`example_heading`] with `value` in the pattern's first capture group: the heading of a
/// value section with that value (`^## VERDICT: (PASS|FAIL)$` and `FAIL` give
/// `## VERDICT: FAIL`).
pub(crate) fn heading_with_value(pattern: &str, value: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut reader = Example { chars: &chars, at: 0, group: Some(value) };
    reader.alternatives()
}

/// Free text in an example heading.
const FREE_TEXT: &str = "<text>";

/// Reads a pattern and writes an example of what it matches.
struct Example<'p> {
    chars: &'p [char],
    at: usize,
    /// What the first capture group is written as, instead of its example; taken once used.
    group: Option<&'p str>,
}

impl Example<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    /// Alternatives up to the end or the `)` that closes the group: the first one's example.
    fn alternatives(&mut self) -> String {
        let first = self.sequence();
        while self.peek() == Some('|') {
            self.next();
            self.sequence();
        }
        first
    }

    /// Atoms up to `|`, `)` or the end.
    fn sequence(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let (atom, free) = self.atom();
            let times = self.quantifier();
            if free {
                out.push_str(&atom);
            } else {
                for _ in 0..times {
                    out.push_str(&atom);
                }
            }
        }
        out
    }

    /// One atom and whether it stands for free text.
    fn atom(&mut self) -> (String, bool) {
        match self.next() {
            Some('^' | '$') | None => (String::new(), false),
            Some('.') => (FREE_TEXT.to_owned(), true),
            Some('\\') => match self.next() {
                Some('d') => ("1".to_owned(), false),
                Some('w') => ("x".to_owned(), false),
                Some('s') => (" ".to_owned(), false),
                Some('b' | 'B' | 'A' | 'z') => (String::new(), false),
                Some('D' | 'W' | 'S' | 'p' | 'P') => {
                    // `\p{..}` and `\P{..}`: skip the class name.
                    if self.peek() == Some('{') {
                        while self.next().is_some_and(|c| c != '}') {}
                    }
                    (FREE_TEXT.to_owned(), true)
                }
                Some('t') => (" ".to_owned(), false),
                Some(c) => (c.to_string(), false),
                None => (String::new(), false),
            },
            Some('[') => self.class(),
            Some('(') => {
                let mut capturing = true;
                if self.peek() == Some('?') {
                    self.next();
                    // Flags `(?i)`, `(?i:...)`, non-capturing `(?:...)`, named `(?P<n>...)`.
                    if matches!(self.peek(), Some('P' | '<')) {
                        while self.next().is_some_and(|c| c != '>') {}
                    } else {
                        capturing = false;
                        while let Some(c) = self.next() {
                            if c == ':' {
                                break;
                            }
                            if c == ')' {
                                return (String::new(), false);
                            }
                        }
                    }
                }
                let value = if capturing { self.group.take() } else { None };
                let inner = self.alternatives();
                self.next(); // `)`
                if let Some(value) = value {
                    return (value.to_owned(), true);
                }
                let free = inner == FREE_TEXT;
                (inner, free)
            }
            Some(c) => (c.to_string(), false),
        }
    }

    /// A character class: a readable member (a space, `1`, `x`), or free text for a negated
    /// class.
    fn class(&mut self) -> (String, bool) {
        let negated = self.peek() == Some('^');
        if negated {
            self.next();
        }
        let mut members: Vec<(char, char)> = Vec::new();
        let mut first = true;
        while let Some(c) = self.next() {
            if c == ']' && !first {
                break;
            }
            first = false;
            let start = if c == '\\' {
                match self.next() {
                    Some('d') => {
                        members.push(('0', '9'));
                        continue;
                    }
                    Some('s') => {
                        members.push((' ', ' '));
                        continue;
                    }
                    Some('w') => {
                        members.push(('a', 'z'));
                        continue;
                    }
                    Some(escaped) => escaped,
                    None => break,
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&c| c != ']') {
                self.next();
                let end = self.next().unwrap_or(start);
                members.push((start, end));
            } else {
                members.push((start, start));
            }
        }
        if negated || members.is_empty() {
            return (FREE_TEXT.to_owned(), true);
        }
        let contains = |c: char| members.iter().any(|&(a, b)| a <= c && c <= b);
        let pick = [' ', '1', 'x', 'X'].into_iter().find(|&c| contains(c)).unwrap_or(members[0].0);
        (pick.to_string(), false)
    }

    /// How many times to repeat the atom just read: its minimum, at least once, at most 8.
    fn quantifier(&mut self) -> usize {
        let times = match self.peek() {
            Some('?' | '*' | '+') => {
                self.next();
                1
            }
            Some('{') => {
                let start = self.at;
                self.next();
                let mut digits = String::new();
                while let Some(c) = self.peek().filter(char::is_ascii_digit) {
                    digits.push(c);
                    self.next();
                }
                while self.peek().is_some_and(|c| c != '}') {
                    self.next();
                }
                if self.next().is_none() {
                    self.at = start;
                    return 1;
                }
                digits.parse::<usize>().unwrap_or(1).clamp(1, 8)
            }
            _ => return 1,
        };
        // A lazy quantifier (`+?`) is the same for an example.
        if self.peek() == Some('?') {
            self.next();
        }
        times
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_headings_read_like_the_heading() {
        let cases = [
            ("^## Summary$", "## Summary"),
            (r"^### Task \d+:", "### Task 1:"),
            ("^## VERDICT: (PASS|FAIL|NEEDS_DISCUSSION)$", "## VERDICT: PASS"),
            (r"^\*\*Goal:\*\*", "**Goal:**"),
            (r"^##\s+Files Changed", "## Files Changed"),
            (r"^### (Critical|High): .+", "### Critical: <text>"),
            (r"^## Blockers?", "## Blockers"),
            (r"^#{2,3} Notes", "## Notes"),
            (r"^## VERDICT: (.*?)\s*$", "## VERDICT: <text> "),
            (r"^(?i)## summary", "## summary"),
            (r"^## (?:Risk|Risks) [A-Z][a-z]+", "## Risk Xx"),
            (r"^## Cost \(USD\)$", "## Cost (USD)"),
            (r"^## [^#]+", "## <text>"),
            (r"^## (?P<name>\w+)", "## x"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(example_heading(pattern), expected, "{pattern}");
        }
    }

    #[test]
    fn value_headings_carry_the_value_in_their_first_group() {
        let cases = [
            ("^## VERDICT: (PASS|FAIL|NEEDS_DISCUSSION)$", "FAIL", "## VERDICT: FAIL"),
            (r"^### (Critical|High): .+", "High", "### High: <text>"),
            (r"^(?:##|###) Status: (?P<s>\w+)", "DONE", "## Status: DONE"),
            (r"^## (?i)(ok|bad)+ now", "bad", "## bad now"),
        ];
        for (pattern, value, expected) in cases {
            assert_eq!(heading_with_value(pattern, value), expected, "{pattern}");
        }
    }

    #[test]
    fn literals_are_recognised_with_their_anchors() {
        assert_eq!(
            literal(r"^\*\*Goal:\*\*"),
            Some(Literal { text: "**Goal:**".into(), start_anchored: true, end_anchored: false })
        );
        assert_eq!(
            literal("^## Summary$"),
            Some(Literal { text: "## Summary".into(), start_anchored: true, end_anchored: true })
        );
        assert_eq!(
            literal(r"^## Price \$"),
            Some(Literal { text: "## Price $".into(), start_anchored: true, end_anchored: false })
        );
        assert_eq!(literal("NOTE:").map(|l| l.start_anchored), Some(false));
        for pattern in [r"^### Task \d+:", "^## (A|B)$", "(?i)^## x", r"^## a\b", "^## a.b", r"^\s*## x"] {
            assert_eq!(literal(pattern), None, "{pattern}");
        }
    }

    #[test]
    fn first_bytes_are_only_given_when_certain() {
        assert_eq!(first_byte("^## A"), Some(b'#'));
        assert_eq!(first_byte(r"^\*\*B:\*\*"), Some(b'*'));
        assert_eq!(first_byte("^### (Critical|High)"), Some(b'#'));
        assert_eq!(first_byte("^Ünï"), Some("Ü".as_bytes()[0]));
        for pattern in
            ["## A", "^.*A", "^$", "^(?:x|)B", "^#?A", "^#*A", "^#{0,2}A", "^## A|^B", r"^\s*## A", "^[#*]"]
        {
            assert_eq!(first_byte(pattern), None, "{pattern}");
        }
    }
}
