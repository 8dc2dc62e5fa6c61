//! The `#[agentbind::agent("path.md")]` attribute: a thin layer over `agentbind-codegen`.
//!
//! Use it through the `agentbind` crate, which re-exports it and holds the runtime types the
//! generated code needs.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, ItemMod, LitStr};

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
    let path = parse_macro_input!(attr as LitStr);
    let module = parse_macro_input!(item as ItemMod);
    expand(&path, module).unwrap_or_else(|error| error.to_compile_error()).into()
}

fn expand(path: &LitStr, module: ItemMod) -> syn::Result<proc_macro2::TokenStream> {
    let existing = match &module.content {
        Some((_, items)) => items,
        None => {
            return Err(syn::Error::new_spanned(
                &module,
                "#[agentbind::agent] needs an inline module: write `pub mod name {}`",
            ))
        }
    };
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from).unwrap_or_default();
    let relative = path.value();
    let full_path = manifest_dir.join(&relative);
    let options = agentbind_codegen::Options { track_file: true, ..Default::default() };
    let generated = agentbind_codegen::generate(&full_path, &relative, &options).map_err(|error| {
        let mut diagnostics = error.diagnostics().iter().map(|d| syn::Error::new(path.span(), d.to_string()));
        let mut combined =
            diagnostics.next().unwrap_or_else(|| syn::Error::new(path.span(), "invalid agent file"));
        diagnostics.for_each(|d| combined.combine(d));
        combined
    })?;
    let doc = compiler_lex(&generated.doc_code(), path)?;
    let items = compiler_lex(&generated.code, path)?;
    let ItemMod { attrs, vis, mod_token, ident, .. } = &module;
    Ok(quote! {
        #doc
        #(#attrs)*
        #vis #mod_token #ident {
            #(#existing)*
            #items
        }
    })
}

/// Generated source text as tokens, lexed by the compiler in one call (proc-macro2's `FromStr`
/// would lex it a first time itself, to check it). Generated code always lexes; should it not,
/// the error points at the agent path.
fn compiler_lex(code: &str, path: &LitStr) -> syn::Result<proc_macro2::TokenStream> {
    code.parse::<TokenStream>().map(Into::into).map_err(|error| {
        syn::Error::new(
            path.span(),
            format!("agentbind generated code that does not lex ({error}); please report this"),
        )
    })
}

/// Puts the derives of agentbind's enabled features on a generated data type (`Input`,
/// `Output`, `Metrics`): serde's `Serialize` and `Deserialize` with the `serde` feature,
/// schemars' `JsonSchema` with `schemars`; nothing otherwise. Generated code uses it so that
/// both the macro and the build script follow the features of the `agentbind` dependency.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn data(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let serde = cfg!(feature = "serde").then(|| {
        quote! {
            #[derive(::agentbind::serde::Serialize, ::agentbind::serde::Deserialize)]
            #[serde(crate = "::agentbind::serde")]
        }
    });
    let schemars = cfg!(feature = "schemars").then(|| {
        quote! {
            #[derive(::agentbind::schemars::JsonSchema)]
            #[schemars(crate = "::agentbind::schemars")]
        }
    });
    quote!(#serde #schemars #item).into()
}
