//! The `#[agentbind::agent("path.md")]` attribute: a thin layer over `agentbind-codegen`.
//!
//! Use it through the `agentbind` crate, which re-exports it and holds the runtime types the
//! generated code needs.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Generates typed bindings for one agent file into the annotated (empty) module.
///
/// ```ignore
/// #[agentbind::agent("agents/backend-engineer-golang.md")]
/// pub mod golang {}
/// ```
///
/// The path is relative to the `CARGO_MANIFEST_DIR` of the crate being compiled. Problems in the
/// file are compile errors that name `file.md:line:col` and point at the path literal.
#[proc_macro_attribute]
pub fn agent(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(attr, item).unwrap_or_else(|errors| errors)
}

/// The attribute's expansion, or `compile_error!` invocations.
fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream, TokenStream> {
    let (relative, path_span) = path_literal(attr)?;
    let (mut tokens, body) = inline_module(item)?;
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from).unwrap_or_default();
    let full_path = manifest_dir.join(&relative);
    let options = agentbind_codegen::Options { track_file: true, ..Default::default() };
    let generated = agentbind_codegen::generate(&full_path, &relative, &options).map_err(|error| {
        let mut errors = TokenStream::new();
        for diagnostic in error.diagnostics() {
            errors.extend(compile_error(&diagnostic.to_string(), path_span, path_span));
        }
        errors
    })?;
    let doc = compiler_lex(&generated.doc_code(), path_span)?;
    let items = compiler_lex(&generated.code, path_span)?;
    // The module as written, its (empty) body followed by the generated items.
    let mut content = body.stream();
    content.extend(items);
    let mut module = Group::new(Delimiter::Brace, content);
    module.set_span(body.span());
    tokens.push(TokenTree::Group(module));
    let mut out = doc;
    out.extend(tokens);
    Ok(out)
}

/// The attribute's argument: one string literal (plain or raw), unescaped, and its span.
fn path_literal(attr: TokenStream) -> Result<(String, Span), TokenStream> {
    let mut tokens = attr.into_iter();
    let first = tokens.next();
    let span = first.as_ref().map_or_else(Span::call_site, TokenTree::span);
    let expected = || compile_error("expected string literal", span, span);
    let Some(TokenTree::Literal(literal)) = first else { return Err(expected()) };
    if let Some(extra) = tokens.next() {
        return Err(compile_error("unexpected token after the path literal", extra.span(), extra.span()));
    }
    let value = string_value(&literal.to_string()).ok_or_else(expected)?;
    Ok((value, literal.span()))
}

/// The value of a string literal's source text (`"a\tb"`, `r#"..."#`), `None` for any other
/// literal.
fn string_value(source: &str) -> Option<String> {
    if let Some(raw) = source.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let inner = raw.get(hashes..raw.len().checked_sub(hashes)?)?;
        return inner.strip_prefix('"')?.strip_suffix('"').map(str::to_owned);
    }
    let inner = source.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok().filter(u8::is_ascii)?));
            }
            'u' => {
                chars.next().filter(|&c| c == '{')?;
                let hex: String = chars.by_ref().take_while(|&c| c != '}').filter(|&c| c != '_').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            '\n' => {
                // A line continuation: the line end and the next line's leading whitespace.
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The annotated item split into its tokens up to the body and the body (`{ ... }`), when it
/// is an inline module (`pub mod name {}`).
fn inline_module(item: TokenStream) -> Result<(Vec<TokenTree>, Group), TokenStream> {
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let is_mod = tokens.windows(2).any(|pair| {
        matches!(&pair[0], TokenTree::Ident(i) if i.to_string() == "mod")
            && matches!(pair[1], TokenTree::Ident(_))
    });
    match tokens.pop() {
        Some(TokenTree::Group(body)) if is_mod && body.delimiter() == Delimiter::Brace => Ok((tokens, body)),
        last => {
            let start = tokens.first().or(last.as_ref()).map_or_else(Span::call_site, TokenTree::span);
            let end = last.as_ref().map_or(start, TokenTree::span);
            Err(compile_error(
                "#[agentbind::agent] needs an inline module: write `pub mod name {}`",
                start,
                end,
            ))
        }
    }
}

/// `::core::compile_error! { "message" }`, spanned from `start` to `end` (the way rustc
/// shows a range without `Span::join`: the first tokens carry `start`, the last `end`).
fn compile_error(message: &str, start: Span, end: Span) -> TokenStream {
    let punct = |c: char, spacing: Spacing| {
        let mut punct = Punct::new(c, spacing);
        punct.set_span(start);
        TokenTree::Punct(punct)
    };
    let mut text = Literal::string(message);
    text.set_span(end);
    let mut body = Group::new(Delimiter::Brace, TokenStream::from(TokenTree::Literal(text)));
    body.set_span(end);
    TokenStream::from_iter([
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new("core", start)),
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new("compile_error", start)),
        punct('!', Spacing::Alone),
        TokenTree::Group(body),
    ])
}

/// Generated source text as tokens, lexed by the compiler in one call. Generated code always
/// lexes; should it not, the error points at the agent path.
fn compiler_lex(code: &str, path: Span) -> Result<TokenStream, TokenStream> {
    code.parse::<TokenStream>().map_err(|error| {
        let message = format!("agentbind generated code that does not lex ({error}); please report this");
        compile_error(&message, path, path)
    })
}

/// Puts the derives of agentbind's enabled features on a generated data type (`Input`,
/// `Output`, `Metrics`): serde's `Serialize` and `Deserialize` with the `serde` feature,
/// schemars' `JsonSchema` with `schemars`; nothing otherwise. Generated code uses it so that
/// both the macro and the build script follow the features of the `agentbind` dependency.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn data(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut derives = String::new();
    if cfg!(feature = "serde") {
        derives.push_str(
            "#[derive(::agentbind::serde::Serialize, ::agentbind::serde::Deserialize)] \
             #[serde(crate = \"::agentbind::serde\")]",
        );
    }
    if cfg!(feature = "schemars") {
        derives.push_str(
            "#[derive(::agentbind::schemars::JsonSchema)] #[schemars(crate = \"::agentbind::schemars\")]",
        );
    }
    // Fixed text that always lexes.
    let mut out: TokenStream = derives.parse().unwrap_or_default();
    out.extend(item);
    out
}

#[cfg(test)]
mod tests {
    use super::string_value;

    #[test]
    fn string_literals_are_unescaped() {
        assert_eq!(string_value(r#""agents/a.md""#).as_deref(), Some("agents/a.md"));
        assert_eq!(string_value(r#""a\tb\\c\"d\u{e9}\x41""#).as_deref(), Some("a\tb\\c\"d\u{e9}A"));
        assert_eq!(string_value(r##"r#"agents/"quoted".md"#"##).as_deref(), Some("agents/\"quoted\".md"));
        assert_eq!(string_value(r#"r"plain""#).as_deref(), Some("plain"));
        assert_eq!(string_value("\"line \\\n    continued\""), Some("line continued".to_owned()));
        for not_a_string in ["42", "'c'", "b\"bytes\"", "c\"c string\"", "\"bad \\q\""] {
            assert_eq!(string_value(not_a_string), None, "{not_a_string}");
        }
    }
}
