//! `Metrics` and `Metric`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc, escape};
use crate::model::{AgentSpec, MetricKind};
use crate::naming::ident;

fn rust_type(kind: MetricKind) -> TokenStream {
    match kind {
        MetricKind::Integer => quote!(i64),
        MetricKind::Float => quote!(f64),
        MetricKind::Percentage => quote!(::agentbind::Percentage),
        MetricKind::Boolean => quote!(bool),
        MetricKind::Fraction => quote!(::agentbind::Fraction),
    }
}

fn runtime_kind(kind: MetricKind) -> TokenStream {
    match kind {
        MetricKind::Integer => quote!(::agentbind::MetricKind::Integer),
        MetricKind::Float => quote!(::agentbind::MetricKind::Float),
        MetricKind::Percentage => quote!(::agentbind::MetricKind::Percentage),
        MetricKind::Boolean => quote!(::agentbind::MetricKind::Boolean),
        MetricKind::Fraction => quote!(::agentbind::MetricKind::Fraction),
    }
}

/// The `Metrics` struct and the `Metric` enum.
pub(crate) fn metrics(spec: &AgentSpec, extra_attrs: &TokenStream) -> TokenStream {
    let item_doc = |m: &crate::model::MetricSpec| {
        let mut text = format!("`{}` ({})", escape(&m.name), m.kind.file_name());
        if let Some(d) = &m.description {
            text.push_str(": ");
            text.push_str(&escape(d));
        }
        doc(&text)
    };
    let fields = spec.metrics.iter().map(|m| {
        let name = ident(&m.field);
        let ty = rust_type(m.kind);
        let field_doc = item_doc(m);
        quote!(#field_doc pub #name: #ty,)
    });
    let variants: Vec<_> = spec.metrics.iter().map(|m| ident(&m.variant)).collect();
    let variant_docs = spec.metrics.iter().map(item_doc);
    let names: Vec<&str> = spec.metrics.iter().map(|m| m.name.as_str()).collect();
    let descriptions = spec.metrics.iter().map(|m| m.description.as_deref().unwrap_or_default());
    let kinds = spec.metrics.iter().map(|m| runtime_kind(m.kind));
    quote! {
        /// The metrics this agent reports (`metrics`), one plain field per metric.
        #[::agentbind::data]
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        #extra_attrs
        pub struct Metrics {
            #(#fields)*
        }

        /// The names of this agent's metrics.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Metric {
            #( #variant_docs #variants, )*
        }

        impl Metric {
            /// Every metric, in file order.
            pub const ALL: &'static [Metric] = &[#( Metric::#variants ),*];

            /// The metric's name in the agent file.
            pub const fn name(self) -> &'static str {
                match self {
                    #( Metric::#variants => #names, )*
                }
            }

            /// The metric's description in the agent file (empty when it has none).
            pub const fn description(self) -> &'static str {
                match self {
                    #( Metric::#variants => #descriptions, )*
                }
            }

            /// The metric's declared type.
            pub const fn kind(self) -> ::agentbind::MetricKind {
                match self {
                    #( Metric::#variants => #kinds, )*
                }
            }
        }
    }
}
