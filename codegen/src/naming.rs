//! Rust names from the names and values in agent files (heck), and identifiers from them.

use heck::{ToSnakeCase, ToTitleCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Keywords that must be written as raw identifiers (`r#type`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; a `_` is appended instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// The snake_case field or module name for `name`, or `None` when nothing of it can be used.
pub(crate) fn snake(name: &str) -> Option<String> {
    finish(name.to_snake_case(), "_")
}

/// The UpperCamelCase type or variant name for `name`, or `None` when nothing can be used.
pub(crate) fn camel(name: &str) -> Option<String> {
    finish(name.to_upper_camel_case(), "N")
}

/// A heading for an input in the prompt: `task_description` -> `Task Description`.
pub(crate) fn title(name: &str) -> String {
    name.to_title_case()
}

fn finish(converted: String, digit_prefix: &str) -> Option<String> {
    let mut out: String =
        converted.chars().filter(|&c| c == '_' || unicode_ident::is_xid_continue(c)).collect();
    if out.trim_matches('_').is_empty() {
        return None;
    }
    if !out.starts_with(|c: char| c == '_' || unicode_ident::is_xid_start(c)) {
        out.insert_str(0, digit_prefix);
    }
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
    }
    Some(out)
}

/// A name made by [`snake`] or [`camel`] as written in Rust source: keywords become raw
/// (`r#type`).
pub(crate) fn ident_text(name: &str) -> std::borrow::Cow<'_, str> {
    if KEYWORDS.contains(&name) {
        format!("r#{name}").into()
    } else {
        name.into()
    }
}

/// The identifier for a name made by [`snake`] or [`camel`]; keywords become raw (`r#type`).
pub(crate) fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(snake("Files Changed").unwrap(), "files_changed");
        assert_eq!(camel("dev-refactor").unwrap(), "DevRefactor");
        assert_eq!(camel("NEEDS_DISCUSSION").unwrap(), "NeedsDiscussion");
        assert_eq!(camel("SEV1").unwrap(), "Sev1");
        assert_eq!(title("task_description"), "Task Description");
    }

    #[test]
    fn awkward_names_still_give_identifiers() {
        assert_eq!(snake("2fa codes").unwrap(), "_2fa_codes");
        assert_eq!(camel("1").unwrap(), "N1");
        assert_eq!(snake("self").unwrap(), "self_");
        assert_eq!(camel("self").unwrap(), "Self_");
        assert_eq!(snake("!!!"), None);
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("match").to_string(), "r#match");
    }
}
