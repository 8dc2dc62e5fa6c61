//! Rust names from the names and values in agent files (heck), and identifiers from them.

use heck::{ToSnakeCase, ToTitleCase, ToUpperCamelCase};

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
    let lowercase = |word: &str, out: &mut String| out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    finish(plain_words(name, lowercase, "_").unwrap_or_else(|| name.to_snake_case()), "_")
}

/// The snake_case field name of a repeated section: [`snake`] with its last word in the plural
/// when that word reads as a singular noun (`Task` -> `tasks`, `Open Query` -> `open_queries`,
/// `Patch` -> `patches`). A last word that already ends in `s`, ends in `ed` or `ing`, holds
/// digits or is shorter than three letters is kept (`Categorized Issues` ->
/// `categorized_issues`, `Task 1` -> `task_1`).
pub(crate) fn plural_snake(name: &str) -> Option<String> {
    let mut field = snake(name)?;
    let last = field.rsplit('_').next().unwrap_or_default();
    let keep = last.len() < 3
        || !last.bytes().all(|b| b.is_ascii_lowercase())
        || ["s", "ed", "ing"].iter().any(|end| last.ends_with(end));
    if keep {
        return Some(field);
    }
    let consonant_y = last.ends_with('y') && !last[..last.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if consonant_y {
        field.pop();
        field.push_str("ies");
    } else if ["ch", "sh", "x", "z"].iter().any(|end| last.ends_with(end)) {
        field.push_str("es");
    } else {
        field.push('s');
    }
    Some(field)
}

/// The UpperCamelCase type or variant name for `name`, or `None` when nothing can be used.
pub(crate) fn camel(name: &str) -> Option<String> {
    finish(plain_words(name, capitalize, "").unwrap_or_else(|| name.to_upper_camel_case()), "N")
}

/// A heading for an input in the prompt: `task_description` -> `Task Description`.
pub(crate) fn title(name: &str) -> String {
    plain_words(name, capitalize, " ").unwrap_or_else(|| name.to_title_case())
}

/// Writes an ASCII `word` with its first letter upper case and the rest lower case.
fn capitalize(word: &str, out: &mut String) {
    let mut chars = word.chars();
    out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
    out.extend(chars.map(|c| c.to_ascii_lowercase()));
}

/// `name` as ASCII words separated by single spaces, `-` or `_`, each lowercase (`files`),
/// capitalized (`Files`) or all capitals (`VERDICT`), with digits only at its end: the words
/// are what heck would find, each written by `write` and joined by `separator`. `None` for
/// other names, which go through heck (the common names of agent files skip its word
/// splitting).
fn plain_words(name: &str, write: impl Fn(&str, &mut String), separator: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    for (i, word) in name.split([' ', '-', '_']).enumerate() {
        let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
        let rest = letters.get(1..)?;
        let first = letters.as_bytes()[0];
        let lower = rest.bytes().all(|b| b.is_ascii_lowercase());
        let upper = first.is_ascii_uppercase() && rest.bytes().all(|b| b.is_ascii_uppercase());
        if !first.is_ascii_alphabetic() || !(lower || upper) {
            return None;
        }
        if i > 0 {
            out.push_str(separator);
        }
        write(word, &mut out);
    }
    Some(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of up to five characters over an alphabet that exercises word boundaries.
    fn short_names() -> Vec<String> {
        let alphabet = ['a', 'b', 'A', 'B', '1', '_', ' ', '-'];
        let mut names = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last.iter().flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}"))).collect();
            names.extend(last.iter().cloned());
        }
        names
    }

    #[test]
    fn repeated_sections_get_plural_fields_where_the_last_word_is_a_singular_noun() {
        for (name, field) in [
            ("Task", "tasks"),
            ("Open Query", "open_queries"),
            ("Patch", "patches"),
            ("Fix", "fixes"),
            ("Key Day", "key_days"),
            ("Categorized Issues", "categorized_issues"),
            ("Task 1", "task_1"),
            ("Failed", "failed"),
            ("Testing", "testing"),
            ("Bug Report", "bug_reports"),
            ("Go", "go"),
        ] {
            assert_eq!(plural_snake(name).as_deref(), Some(field), "{name}");
        }
    }

    #[test]
    fn fast_paths_give_what_heck_gives() {
        let mut names = short_names();
        names.extend(
            ["task_description", "files_changed2", "Files Changed", "VERDICT", "dev-refactor", "Next Steps"]
                .map(String::from),
        );
        for name in &names {
            assert_eq!(camel(name), finish(name.to_upper_camel_case(), "N"), "camel of {name:?}");
            assert_eq!(snake(name), finish(name.to_snake_case(), "_"), "snake of {name:?}");
            assert_eq!(title(name), name.to_title_case(), "title of {name:?}");
        }
        assert!(plain_words("task_description", capitalize, "").is_some());
        assert_eq!(snake("task_description").as_deref(), Some("task_description"));
        assert!(plain_words("Files Changed", capitalize, "").is_some());
        assert_eq!(camel("Files Changed").as_deref(), Some("FilesChanged"));
        assert_eq!(camel("VERDICT").as_deref(), Some("Verdict"));
    }

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
        assert_eq!(ident_text("type"), "r#type");
        assert_eq!(ident_text("match"), "r#match");
    }
}
