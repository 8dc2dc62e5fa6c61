//! Generated label enums: input `enum:` values and section alternatives.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc;
use crate::model::EnumSpec;
use crate::naming::ident;

/// The enum with its `ALL`, `label()`, `Display`, `FromStr`, `LabeledEnum` and `PromptValue`.
pub(crate) fn labeled_enum(spec: &EnumSpec, what: &str, extra_attrs: &TokenStream) -> TokenStream {
    let name = ident(&spec.type_name);
    let type_doc = doc(&format!("The values of {what}."));
    let variants: Vec<_> = spec.variants.iter().map(|(_, v)| ident(v)).collect();
    let labels: Vec<&str> = spec.variants.iter().map(|(l, _)| l.as_str()).collect();
    let variant_docs: Vec<_> = labels.iter().map(|l| doc(&format!("`{l}`"))).collect();
    quote! {
        #type_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #extra_attrs
        pub enum #name {
            #( #variant_docs #variants, )*
        }

        impl #name {
            /// Every value, in file order.
            pub const ALL: &'static [#name] = &[#( #name::#variants ),*];

            /// The value as written in the agent file.
            pub const fn label(self) -> &'static str {
                match self {
                    #( #name::#variants => #labels, )*
                }
            }
        }

        impl ::agentbind::LabeledEnum for #name {
            const LABELS: &'static [&'static str] = &[#( #labels ),*];

            fn from_label(label: &str) -> ::core::option::Option<Self> {
                match label {
                    #( #labels => ::core::option::Option::Some(#name::#variants), )*
                    _ => ::core::option::Option::None,
                }
            }

            fn label(self) -> &'static str {
                #name::label(self)
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::core::str::FromStr for #name {
            type Err = ::agentbind::UnknownValue;

            fn from_str(text: &str) -> ::core::result::Result<Self, Self::Err> {
                <#name as ::agentbind::LabeledEnum>::from_label(text).ok_or_else(|| ::agentbind::UnknownValue {
                    found: text.into(),
                    expected: <#name as ::agentbind::LabeledEnum>::LABELS,
                })
            }
        }

        impl ::agentbind::PromptValue for #name {
            fn write_prompt(&self, out: &mut ::std::string::String) {
                out.push_str(self.label());
            }
        }

        ::agentbind::__labeled_enum_serde!(#name);
    }
}
