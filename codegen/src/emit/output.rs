//! `Section`, `InvocationContext` and `Output`: the reply side of the contract.

use super::docs::{self, doc, escape};
use super::enums::labeled_enum;
use super::{emit, list, option_str, push_str_lit, str_lit};
use crate::model::{AgentSpec, RequirementSpec, SectionSpec};
use crate::naming::ident_text;
use crate::pattern::PatternShape;

/// The `InvocationContext` enum.
pub(crate) fn contexts(spec: &AgentSpec, out: &mut String) {
    let type_doc = if spec.contexts.is_empty() {
        "The invocation contexts of this agent: it declares none (no section has `required_when`), so no dispatch can be given one."
    } else {
        "The invocation contexts named by `required_when`. A dispatch in a context carries the context's marker in its prompt and requires the sections that the context makes required."
    };
    emit!(
        out,
        "{}#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum InvocationContext {{\n",
        doc(type_doc)
    );
    for context in &spec.contexts {
        let mut text = format!("Invoked from {}", docs::code_cell(&context.name));
        if let Some(marker) = &context.marker {
            text.push_str(&format!("; the prompt starts with {}", docs::code_cell(marker)));
        }
        text.push('.');
        emit!(out, "{}{},\n", doc(&text), ident_text(&context.variant));
    }
    let all = list(&spec.contexts, |out, c| emit!(out, "InvocationContext::{}", ident_text(&c.variant)));
    let names = list(&spec.contexts, |out, c| push_str_lit(out, &c.name));
    let markers = list(&spec.contexts, |out, c| out.push_str(&option_str(c.marker.as_deref())));
    emit!(
        out,
        "}}

        impl InvocationContext {{
            /// Every context, in file order.
            pub const ALL: &'static [InvocationContext] = &[{all}];
            const NAMES: &'static [&'static str] = &[{names}];
            const MARKERS: &'static [::core::option::Option<&'static str>] = &[{markers}];

            /// The context's name in the agent file.
            pub const fn name(self) -> &'static str {{
                InvocationContext::NAMES[self as usize]
            }}

            /// The marker a prompt in this context starts with (`prompt_contains`).
            pub const fn prompt_marker(self) -> ::core::option::Option<&'static str> {{
                InvocationContext::MARKERS[self as usize]
            }}
        }}

        impl ::agentbind::ContextKind for InvocationContext {{
            const ALL: &'static [Self] = InvocationContext::ALL;

            fn name(self) -> &'static str {{
                InvocationContext::name(self)
            }}

            fn prompt_marker(self) -> ::core::option::Option<&'static str> {{
                InvocationContext::prompt_marker(self)
            }}
        }}
"
    );
}

fn requirement(spec: &AgentSpec, section: &SectionSpec) -> String {
    match &section.requirement {
        RequirementSpec::Required => "::agentbind::Requirement::Required".to_owned(),
        RequirementSpec::Optional => "::agentbind::Requirement::Optional".to_owned(),
        RequirementSpec::RequiredIn(contexts) => format!(
            "::agentbind::Requirement::RequiredIn(&[{}])",
            list(contexts, |out, &i| emit!(
                out,
                "InvocationContext::{}",
                ident_text(&spec.contexts[i].variant)
            ))
        ),
    }
}

/// How the scanner finds `section`: a `SectionPattern` value.
fn section_pattern(section: &SectionSpec) -> String {
    let (name, pattern) = (str_lit(&section.name), str_lit(&section.pattern));
    let constructor = if section.is_repeated() { "repeated" } else { "once" };
    let found = format!("::agentbind::SectionPattern::{constructor}({name}, {pattern})");
    match (&section.shape, &section.value_enum) {
        (PatternShape::Value { lenient_pattern: Some(scan), .. }, Some(e)) => {
            let labels = list(e.labels(), push_str_lit);
            format!("{found}.with_labels({}, &[{labels}])", str_lit(scan))
        }
        _ => found,
    }
}

/// The `Section` enum, its tables and its matcher.
pub(crate) fn sections(spec: &AgentSpec, out: &mut String) {
    out.push_str(
        "/// The sections of this agent's reply (`output_schema.required_sections`), in file order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Section {\n",
    );
    for s in &spec.sections {
        let mut text = format!(
            "`{}`: lines matching {}; required: {}; occurs {}.",
            escape(&s.name),
            docs::code_cell(&s.pattern),
            docs::requirement(spec, s),
            docs::shape(s)
        );
        docs::push_description(&mut text, " ", s.description.as_deref());
        emit!(out, "{}{},\n", doc(&text), ident_text(&s.variant));
    }
    let all = list(&spec.sections, |out, s| emit!(out, "Section::{}", ident_text(&s.variant)));
    let patterns = list(&spec.sections, |out, s| out.push_str(&section_pattern(s)));
    let requirements = list(&spec.sections, |out, s| out.push_str(&requirement(spec, s)));
    emit!(
        out,
        "}}

        impl Section {{
            /// Every section, in file order.
            pub const ALL: &'static [Section] = &[{all}];
            const PATTERNS: &'static [::agentbind::SectionPattern] = &[{patterns}];
            const REQUIREMENTS: &'static [::agentbind::Requirement<InvocationContext>] = &[{requirements}];

            /// The section's name in the agent file.
            pub const fn name(self) -> &'static str {{
                Section::PATTERNS[self as usize].name
            }}

            /// The section's pattern: a regular expression matched against each reply line.
            pub const fn pattern(self) -> &'static str {{
                Section::PATTERNS[self as usize].pattern
            }}

            /// When the section is required.
            pub const fn requirement(self) -> ::agentbind::Requirement<InvocationContext> {{
                Section::REQUIREMENTS[self as usize]
            }}
        }}

        impl ::agentbind::SectionKind for Section {{
            type Context = InvocationContext;
            const ALL: &'static [Self] = Section::ALL;
            const PATTERNS: &'static [::agentbind::SectionPattern] = Section::PATTERNS;
            const REQUIREMENTS: &'static [::agentbind::Requirement<InvocationContext>] = Section::REQUIREMENTS;

            fn index(self) -> usize {{
                self as usize
            }}

            fn matcher() -> &'static ::agentbind::SectionMatcher {{
                static MATCHER: ::std::sync::OnceLock<::agentbind::SectionMatcher> = ::std::sync::OnceLock::new();
                MATCHER.get_or_init(|| ::agentbind::SectionMatcher::new(Section::PATTERNS))
            }}
        }}
"
    );
}

/// The Rust type of the `Output` field of `section`.
fn field_type(section: &SectionSpec) -> String {
    let item = match &section.value_enum {
        Some(e) => format!("::agentbind::Captured<{}>", ident_text(&e.type_name)),
        None => "::agentbind::SectionText".to_owned(),
    };
    if section.is_repeated() {
        format!("::std::vec::Vec<{item}>")
    } else if section.requirement == RequirementSpec::Required {
        item
    } else {
        format!("::core::option::Option<{item}>")
    }
}

/// The `Output` struct, its value enums and its `AgentOutput` impl.
pub(crate) fn output(spec: &AgentSpec, extra_attrs: &str, out: &mut String) {
    if spec.sections.is_empty() {
        return free_text_output(extra_attrs, out);
    }
    for s in &spec.sections {
        if let Some(e) = &s.value_enum {
            labeled_enum(e, &format!("section `{}`", s.name), extra_attrs, out);
        }
    }
    emit!(
        out,
        "/// The typed reply of this agent: one field per section. Required sections are plain
        /// values; optional and conditionally required ones are `Option`s; repeated sections
        /// are `Vec`s holding every occurrence in reply order.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq)]
        {extra_attrs}
        pub struct Output {{\n"
    );
    for s in &spec.sections {
        let mut text = format!(
            "Section `{}` ({}; required: {}).",
            escape(&s.name),
            docs::shape(s),
            docs::requirement(spec, s)
        );
        docs::push_description(&mut text, " ", s.description.as_deref());
        emit!(out, "{}pub {}: {},\n", doc(&text), ident_text(&s.field), field_type(s));
    }
    out.push_str(
        "}

        impl Output {
            /// Writes this reply back to markdown, sections in file order. Parsing the result
            /// gives this `Output` back, as long as no body holds a line that starts a section.
            #[must_use]
            pub fn to_markdown(&self) -> ::std::string::String {
                let mut writer = ::agentbind::ReplyWriter::new(<Section as ::agentbind::SectionKind>::matcher());\n",
    );
    for (index, s) in spec.sections.iter().enumerate() {
        emit!(out, "writer.section({index}, &self.{});\n", ident_text(&s.field));
    }
    let takes = list(spec.sections.iter().enumerate(), |out, (index, s)| {
        let take = if s.is_repeated() {
            "repeated"
        } else if s.requirement == RequirementSpec::Required {
            "required"
        } else {
            "optional"
        };
        emit!(out, "{}: sections.{take}({index})?", ident_text(&s.field))
    });
    emit!(
        out,
        "writer.finish()
            }}
        }}

        impl ::agentbind::AgentOutput for Output {{
            fn from_reply(
                _reply: &str,
                sections: &mut ::agentbind::ReplySections,
            ) -> ::core::result::Result<Self, ::agentbind::ReplyError> {{
                ::core::result::Result::Ok(Output {{ {takes} }})
            }}
        }}
"
    );
}

/// The `Output` of an agent that declares no sections: the reply text, unchecked.
fn free_text_output(extra_attrs: &str, out: &mut String) {
    emit!(
        out,
        "/// The reply of this agent. It declares no reply sections, so nothing is checked and
        /// the whole text is kept.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq)]
        {extra_attrs}
        pub struct Output {{
            /// The whole reply (without a leading byte-order mark).
            pub text: ::std::string::String,
        }}

        impl Output {{
            /// The reply text, as it was received.
            #[must_use]
            pub fn to_markdown(&self) -> ::std::string::String {{
                self.text.clone()
            }}
        }}

        impl ::agentbind::AgentOutput for Output {{
            fn from_reply(
                reply: &str,
                _sections: &mut ::agentbind::ReplySections,
            ) -> ::core::result::Result<Self, ::agentbind::ReplyError> {{
                ::core::result::Result::Ok(Output {{ text: reply.into() }})
            }}
        }}
"
    );
}
