//! `Section`, `InvocationContext` and `Output`: the reply side of the contract.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{self, doc, escape};
use super::enums::labeled_enum;
use crate::model::{AgentSpec, RequirementSpec, SectionSpec};
use crate::naming::ident;
use crate::pattern::PatternShape;

/// The `InvocationContext` enum.
pub(crate) fn contexts(spec: &AgentSpec) -> TokenStream {
    let variants: Vec<_> = spec.contexts.iter().map(|c| ident(&c.variant)).collect();
    let names: Vec<&str> = spec.contexts.iter().map(|c| c.name.as_str()).collect();
    let variant_docs = spec.contexts.iter().map(|c| {
        let mut text = format!("Invoked from {}", docs::code_cell(&c.name));
        if let Some(marker) = &c.marker {
            text.push_str(&format!("; the prompt starts with {}", docs::code_cell(marker)));
        }
        text.push('.');
        doc(&text)
    });
    let markers = spec.contexts.iter().map(|c| super::option(c.marker.as_deref()));
    let type_doc = if spec.contexts.is_empty() {
        "The invocation contexts of this agent: it declares none (no section has `required_when`), so no dispatch can be given one."
    } else {
        "The invocation contexts named by `required_when`. A dispatch in a context carries the context's marker in its prompt and requires the sections that the context makes required."
    };
    quote! {
        #[doc = #type_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum InvocationContext {
            #( #variant_docs #variants, )*
        }

        impl InvocationContext {
            /// Every context, in file order.
            pub const ALL: &'static [InvocationContext] = &[#( InvocationContext::#variants ),*];

            /// The context's name in the agent file.
            pub const fn name(self) -> &'static str {
                match self {
                    #( InvocationContext::#variants => #names, )*
                }
            }

            /// The marker a prompt in this context starts with (`prompt_contains`).
            pub const fn prompt_marker(self) -> ::core::option::Option<&'static str> {
                match self {
                    #( InvocationContext::#variants => #markers, )*
                }
            }
        }

        impl ::agentbind::ContextKind for InvocationContext {
            const ALL: &'static [Self] = InvocationContext::ALL;

            fn name(self) -> &'static str {
                InvocationContext::name(self)
            }

            fn prompt_marker(self) -> ::core::option::Option<&'static str> {
                InvocationContext::prompt_marker(self)
            }
        }
    }
}

fn requirement(spec: &AgentSpec, section: &SectionSpec) -> TokenStream {
    match &section.requirement {
        RequirementSpec::Required => quote!(::agentbind::Requirement::Required),
        RequirementSpec::Optional => quote!(::agentbind::Requirement::Optional),
        RequirementSpec::RequiredIn(contexts) => {
            let variants = contexts.iter().map(|&i| ident(&spec.contexts[i].variant));
            quote!(::agentbind::Requirement::RequiredIn(&[#( InvocationContext::#variants ),*]))
        }
    }
}

/// The `Section` enum and its matcher.
pub(crate) fn sections(spec: &AgentSpec) -> TokenStream {
    let variants: Vec<_> = spec.sections.iter().map(|s| ident(&s.variant)).collect();
    let names: Vec<&str> = spec.sections.iter().map(|s| s.name.as_str()).collect();
    let patterns: Vec<&str> = spec.sections.iter().map(|s| s.pattern.as_str()).collect();
    let indexes = 0..spec.sections.len();
    let requirements = spec.sections.iter().map(|s| requirement(spec, s));
    let variant_docs = spec.sections.iter().map(|s| {
        let mut text = format!(
            "`{}`: lines matching {}; required: {}; occurs {}.",
            escape(&s.name),
            docs::code_cell(&s.pattern),
            docs::requirement(spec, s),
            docs::shape(s)
        );
        if let Some(d) = &s.description {
            text.push(' ');
            text.push_str(&escape(d));
        }
        doc(&text)
    });
    let matcher_patterns = spec.sections.iter().map(|s| {
        let name = &s.name;
        let (pattern, labels) = match (&s.shape, &s.value_enum) {
            (PatternShape::Value { lenient_pattern: Some(lenient), .. }, Some(e)) => {
                let labels = e.labels();
                (lenient.as_str(), quote!(::core::option::Option::Some(&[#( #labels ),*])))
            }
            _ => (s.pattern.as_str(), quote!(::core::option::Option::None)),
        };
        let repeated = s.is_repeated();
        quote! {
            ::agentbind::SectionPattern { name: #name, pattern: #pattern, repeated: #repeated, labels: #labels }
        }
    });
    quote! {
        /// The sections of this agent's reply (`output_schema.required_sections`), in file order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Section {
            #( #variant_docs #variants, )*
        }

        impl Section {
            /// Every section, in file order.
            pub const ALL: &'static [Section] = &[#( Section::#variants ),*];

            /// The section's name in the agent file.
            pub const fn name(self) -> &'static str {
                match self {
                    #( Section::#variants => #names, )*
                }
            }

            /// The section's pattern: a regular expression matched against each reply line.
            pub const fn pattern(self) -> &'static str {
                match self {
                    #( Section::#variants => #patterns, )*
                }
            }

            /// When the section is required.
            pub const fn requirement(self) -> ::agentbind::Requirement<InvocationContext> {
                match self {
                    #( Section::#variants => #requirements, )*
                }
            }
        }

        impl ::agentbind::SectionKind for Section {
            type Context = InvocationContext;
            const ALL: &'static [Self] = Section::ALL;

            fn name(self) -> &'static str {
                Section::name(self)
            }

            fn pattern(self) -> &'static str {
                Section::pattern(self)
            }

            fn requirement(self) -> ::agentbind::Requirement<InvocationContext> {
                Section::requirement(self)
            }

            fn index(self) -> usize {
                match self {
                    #( Section::#variants => #indexes, )*
                }
            }

            fn matcher() -> &'static ::agentbind::SectionMatcher {
                static PATTERNS: &[::agentbind::SectionPattern] = &[#( #matcher_patterns ),*];
                static MATCHER: ::std::sync::OnceLock<::agentbind::SectionMatcher> = ::std::sync::OnceLock::new();
                MATCHER.get_or_init(|| ::agentbind::SectionMatcher::new(PATTERNS))
            }
        }
    }
}

/// The `Output` struct, its value enums and its `AgentOutput` impl.
pub(crate) fn output(spec: &AgentSpec, extra_attrs: &TokenStream) -> TokenStream {
    let enum_items = spec.sections.iter().filter_map(|s| {
        s.value_enum.as_ref().map(|e| labeled_enum(e, &format!("section `{}`", s.name), extra_attrs))
    });
    let fields = spec.sections.iter().map(|s| {
        let name = ident(&s.field);
        let item = match &s.value_enum {
            Some(e) => {
                let e = ident(&e.type_name);
                quote!(::agentbind::Captured<#e>)
            }
            None => quote!(::agentbind::SectionText),
        };
        let ty = if s.is_repeated() {
            quote!(::std::vec::Vec<#item>)
        } else if s.requirement == RequirementSpec::Required {
            item
        } else {
            quote!(::core::option::Option<#item>)
        };
        let mut text = format!(
            "Section `{}` ({}; required: {}).",
            escape(&s.name),
            docs::shape(s),
            docs::requirement(spec, s)
        );
        if let Some(d) = &s.description {
            text.push(' ');
            text.push_str(&escape(d));
        }
        let field_doc = doc(&text);
        quote!(#field_doc pub #name: #ty,)
    });
    let takes = spec.sections.iter().enumerate().map(|(index, s)| {
        let name = ident(&s.field);
        if s.is_repeated() {
            quote!(#name: sections.repeated(#index)?)
        } else if s.requirement == RequirementSpec::Required {
            quote!(#name: sections.required(#index)?)
        } else {
            quote!(#name: sections.optional(#index)?)
        }
    });
    if spec.sections.is_empty() {
        return free_text_output(extra_attrs);
    }
    let writes = spec.sections.iter().enumerate().map(|(index, s)| {
        let name = ident(&s.field);
        quote!(writer.section(#index, &self.#name);)
    });
    quote! {
        #(#enum_items)*

        /// The typed reply of this agent: one field per section. Required sections are plain
        /// values; optional and conditionally required ones are `Option`s; repeated sections
        /// are `Vec`s holding every occurrence in reply order.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq)]
        #extra_attrs
        pub struct Output {
            #(#fields)*
        }

        impl Output {
            /// Writes this reply back to markdown, sections in file order. Parsing the result
            /// gives this `Output` back, as long as no body holds a line that starts a section.
            #[must_use]
            pub fn to_markdown(&self) -> ::std::string::String {
                let mut writer = ::agentbind::ReplyWriter::new(<Section as ::agentbind::SectionKind>::matcher());
                #(#writes)*
                writer.finish()
            }
        }

        impl ::agentbind::AgentOutput for Output {
            fn from_reply(
                _reply: &str,
                sections: &mut ::agentbind::ReplySections,
            ) -> ::core::result::Result<Self, ::agentbind::ReplyError> {
                ::core::result::Result::Ok(Output { #(#takes),* })
            }
        }
    }
}

/// The `Output` of an agent that declares no sections: the reply text, unchecked.
fn free_text_output(extra_attrs: &TokenStream) -> TokenStream {
    quote! {
        /// The reply of this agent. It declares no reply sections, so nothing is checked and
        /// the whole text is kept.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq)]
        #extra_attrs
        pub struct Output {
            /// The whole reply (without a leading byte-order mark).
            pub text: ::std::string::String,
        }

        impl Output {
            /// The reply text, as it was received.
            #[must_use]
            pub fn to_markdown(&self) -> ::std::string::String {
                self.text.clone()
            }
        }

        impl ::agentbind::AgentOutput for Output {
            fn from_reply(
                reply: &str,
                _sections: &mut ::agentbind::ReplySections,
            ) -> ::core::result::Result<Self, ::agentbind::ReplyError> {
                ::core::result::Result::Ok(Output { text: reply.into() })
            }
        }
    }
}
