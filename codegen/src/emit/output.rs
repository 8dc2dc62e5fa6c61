//! `Section`, `InvocationContext` and `Output`: the reply side of the contract, as data for
//! the runtime's `sections!` and `output!`.

use super::docs::{self, escape};
use super::enums::labeled_enum;
use super::{emit, list, optional_str, push_str_lit, str_lit, PRIVATE};
use crate::model::{AgentSpec, RequirementSpec, SectionSpec};
use crate::naming::ident_text;
use crate::pattern::PatternShape;

fn requirement(spec: &AgentSpec, section: &SectionSpec) -> String {
    match &section.requirement {
        RequirementSpec::Required => "Required".to_owned(),
        RequirementSpec::Optional => "Optional".to_owned(),
        RequirementSpec::RequiredIn(contexts) => format!(
            "RequiredIn [{}]",
            list(contexts, |out, &i| out.push_str(&ident_text(&spec.contexts[i].variant)))
        ),
    }
}

/// `["lenient pattern" ["LABEL" ...]]` for a section whose value is an enum, else `[]`.
fn labels(section: &SectionSpec) -> String {
    match (&section.shape, &section.value_enum) {
        (PatternShape::Value { lenient_pattern: Some(scan), .. }, Some(e)) => {
            format!("[{} [{}]]", str_lit(scan), list(e.labels(), push_str_lit))
        }
        _ => "[]".to_owned(),
    }
}

/// The `InvocationContext` and `Section` enums, their tables and the matcher.
pub(crate) fn sections(spec: &AgentSpec, out: &mut String) {
    emit!(out, "{PRIVATE}::contexts! {{\n[\n");
    for context in &spec.contexts {
        let mut text = format!("Invoked from {}", docs::code_cell(&context.name));
        if let Some(marker) = &context.marker {
            text.push_str(&format!("; the prompt starts with {}", docs::code_cell(marker)));
        }
        text.push('.');
        emit!(
            out,
            "({} {} {} {})\n",
            ident_text(&context.variant),
            str_lit(&context.name),
            optional_str(context.marker.as_deref()),
            str_lit(&text)
        );
    }
    emit!(out, "]\n}}\n{PRIVATE}::sections! {{\n[\n");
    for s in &spec.sections {
        let mut text = format!(
            "`{}`: lines matching {}; required: {}; occurs {}.",
            escape(&s.name),
            docs::code_cell(&s.pattern),
            docs::requirement(spec, s),
            docs::shape(s)
        );
        docs::push_description(&mut text, " ", s.description.as_deref());
        let grammar = match &s.heading_grammar {
            Ok(grammar) => format!("[{}]", str_lit(grammar)),
            Err(_) => "[]".to_owned(),
        };
        emit!(
            out,
            "({} {} {} {} {} {grammar} {} {})\n",
            ident_text(&s.variant),
            str_lit(&s.name),
            str_lit(&s.pattern),
            if s.is_repeated() { "repeated" } else { "once" },
            labels(s),
            requirement(spec, s),
            str_lit(&text)
        );
    }
    out.push_str("]\n}\n");
}

/// How `Output` takes the section from the reply (`required`, `optional` or `repeated`), and
/// the field's type for that.
fn take(section: &SectionSpec) -> (&'static str, String) {
    let value = match &section.value_enum {
        Some(e) => format!("::agentbind::Captured<{}>", ident_text(&e.type_name)),
        None => "::agentbind::SectionText".to_owned(),
    };
    if section.is_repeated() {
        ("repeated", format!("::std::vec::Vec<{value}>"))
    } else if section.requirement == RequirementSpec::Required {
        ("required", value)
    } else {
        ("optional", format!("::core::option::Option<{value}>"))
    }
}

/// The `Output` struct, its value enums and its `AgentOutput` impl.
pub(crate) fn output(spec: &AgentSpec, extra_attrs: &str, out: &mut String) {
    if spec.sections.is_empty() {
        emit!(out, "{PRIVATE}::output! {{\n{extra_attrs}\nfree_text\n}}\n");
        return;
    }
    for s in &spec.sections {
        if let Some(e) = &s.value_enum {
            labeled_enum(e, &format!("section `{}`", s.name), extra_attrs, out);
        }
    }
    emit!(out, "{PRIVATE}::output! {{\n{extra_attrs}\n[\n");
    for s in &spec.sections {
        let mut text = format!(
            "Section `{}` ({}; required: {}).",
            escape(&s.name),
            docs::shape(s),
            docs::requirement(spec, s)
        );
        docs::push_description(&mut text, " ", s.description.as_deref());
        let (take, field_type) = take(s);
        emit!(
            out,
            "({} {} {take} [{field_type}] {})\n",
            ident_text(&s.field),
            ident_text(&s.variant),
            str_lit(&text)
        );
    }
    out.push_str("]\n}\n");
}
