//! The `Input` struct: fields, `new`, `with_*` setters and prompt rendering.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc, escape};
use super::enums::labeled_enum;
use crate::model::{AgentSpec, InputSpec, InputType};
use crate::naming::{self, ident};

/// The Rust type of an input value.
fn rust_type(ty: &InputType) -> TokenStream {
    match ty {
        InputType::String => quote!(::std::string::String),
        InputType::Markdown => quote!(::agentbind::Markdown),
        InputType::FileContent => quote!(::agentbind::FileContent),
        InputType::FilePath => quote!(::std::path::PathBuf),
        InputType::Object => quote!(::agentbind::JsonValue),
        InputType::Integer => quote!(i64),
        InputType::Number => quote!(f64),
        InputType::Boolean => quote!(bool),
        InputType::List(inner) => {
            let inner = rust_type(inner);
            quote!(::std::vec::Vec<#inner>)
        }
        InputType::Enum(e) => {
            let name = ident(&e.type_name);
            quote!(#name)
        }
    }
}

fn field_doc(input: &InputSpec) -> String {
    let mut text = format!(
        "`{}` ({}, {})",
        input.name,
        escape(&input.ty.file_name()),
        if input.required { "required" } else { "optional" }
    );
    if let Some(description) = &input.description {
        text.push_str(": ");
        text.push_str(&escape(description));
    }
    text
}

fn enums(ty: &InputType) -> Option<&crate::model::EnumSpec> {
    match ty {
        InputType::Enum(e) => Some(e),
        InputType::List(inner) => enums(inner),
        _ => None,
    }
}

/// `Input`, its enums, its constructors and its `AgentInput` impl.
pub(crate) fn input(spec: &AgentSpec, extra_attrs: &TokenStream) -> TokenStream {
    let enum_items = spec
        .inputs
        .iter()
        .filter_map(|i| enums(&i.ty).map(|e| labeled_enum(e, &format!("input `{}`", i.name), extra_attrs)));

    let fields = spec.inputs.iter().map(|input| {
        let name = ident(&input.field);
        let ty = rust_type(&input.ty);
        let field_doc = doc(&field_doc(input));
        if input.required {
            quote!(#field_doc pub #name: #ty,)
        } else {
            quote!(#field_doc pub #name: ::core::option::Option<#ty>,)
        }
    });

    let required: Vec<&InputSpec> = spec.inputs.iter().filter(|i| i.required).collect();
    let params = required.iter().map(|input| {
        let name = ident(&input.field);
        let ty = rust_type(&input.ty);
        quote!(#name: impl ::core::convert::Into<#ty>)
    });
    let inits = spec.inputs.iter().map(|input| {
        let name = ident(&input.field);
        if input.required {
            quote!(#name: #name.into())
        } else {
            quote!(#name: ::core::option::Option::None)
        }
    });
    let new_doc = if required.is_empty() {
        "An input with no optional field set (this agent has no required inputs).".to_owned()
    } else {
        format!(
            "An input with the required fields, in file order: {}; optional fields are unset.",
            required.iter().map(|i| format!("`{}`", i.field)).collect::<Vec<_>>().join(", ")
        )
    };
    let setters = spec.inputs.iter().filter(|i| !i.required).map(|input| {
        let name = ident(&input.field);
        let setter = format_ident!("with_{}", input.field.trim_start_matches("r#"));
        let ty = rust_type(&input.ty);
        let setter_doc = doc(&format!("Sets {}.", field_doc(input)));
        quote! {
            #setter_doc
            #[must_use]
            pub fn #setter(mut self, #name: impl ::core::convert::Into<#ty>) -> Self {
                self.#name = ::core::option::Option::Some(#name.into());
                self
            }
        }
    });
    let renders = spec.inputs.iter().map(|input| {
        let name = ident(&input.field);
        let heading = naming::title(&input.name);
        quote!(prompt.field(#heading, &self.#name);)
    });
    let derive_default = required.is_empty().then(|| quote!(Default,));
    let prompt_param = if spec.inputs.is_empty() { quote!(_prompt) } else { quote!(prompt) };

    quote! {
        #(#enum_items)*

        /// The input of this agent (`input_schema`): required context as plain fields,
        /// optional context as `Option`s.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq, #derive_default)]
        #extra_attrs
        pub struct Input {
            #(#fields)*
        }

        impl Input {
            #[doc = #new_doc]
            #[allow(clippy::too_many_arguments)]
            #[must_use]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }

            #(#setters)*
        }

        impl ::agentbind::AgentInput for Input {
            fn render(&self, #prompt_param: &mut ::agentbind::PromptBuilder) {
                #(#renders)*
            }
        }
    }
}
