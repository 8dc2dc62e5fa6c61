//! The `Input` struct: fields, `new`, `with_*` setters and prompt rendering.

use super::docs::{doc, escape, push_description};
use super::enums::labeled_enum;
use super::{emit, list, str_lit};
use crate::model::{AgentSpec, InputSpec, InputType};
use crate::naming::{self, ident_text};

/// The Rust type of an input value.
fn rust_type(ty: &InputType) -> String {
    match ty {
        InputType::String => "::std::string::String".to_owned(),
        InputType::Markdown => "::agentbind::Markdown".to_owned(),
        InputType::FileContent => "::agentbind::FileContent".to_owned(),
        InputType::FilePath => "::std::path::PathBuf".to_owned(),
        InputType::Object => "::agentbind::JsonValue".to_owned(),
        InputType::Integer => "i64".to_owned(),
        InputType::Number => "f64".to_owned(),
        InputType::Boolean => "bool".to_owned(),
        InputType::List(inner) => format!("::std::vec::Vec<{}>", rust_type(inner)),
        InputType::Enum(e) => ident_text(&e.type_name).into_owned(),
    }
}

/// The `agentbind::InputKind` of an input type, as a constant expression.
fn runtime_kind(ty: &InputType) -> String {
    match ty {
        InputType::String => "::agentbind::InputKind::String".to_owned(),
        InputType::Markdown => "::agentbind::InputKind::Markdown".to_owned(),
        InputType::FileContent => "::agentbind::InputKind::FileContent".to_owned(),
        InputType::FilePath => "::agentbind::InputKind::FilePath".to_owned(),
        InputType::Object => "::agentbind::InputKind::Object".to_owned(),
        InputType::Integer => "::agentbind::InputKind::Integer".to_owned(),
        InputType::Number => "::agentbind::InputKind::Number".to_owned(),
        InputType::Boolean => "::agentbind::InputKind::Boolean".to_owned(),
        InputType::List(inner) => format!("::agentbind::InputKind::List(&{})", runtime_kind(inner)),
        InputType::Enum(e) => {
            format!(
                "::agentbind::InputKind::Enum(<{} as ::agentbind::LabeledEnum>::LABELS)",
                ident_text(&e.type_name)
            )
        }
    }
}

/// The `Agent::INPUTS` table, as a constant expression.
pub(crate) fn inputs_table(spec: &AgentSpec) -> String {
    let rows = list(&spec.inputs, |out, input| {
        emit!(
            out,
            "::agentbind::InputField::new({}, {}, {}, {}, {}, {})",
            str_lit(&input.name),
            str_lit(&input.field),
            str_lit(&naming::title(&input.name)),
            runtime_kind(&input.ty),
            input.required,
            str_lit(input.description.as_deref().unwrap_or_default())
        )
    });
    format!("&[{rows}]")
}

fn field_doc(input: &InputSpec) -> String {
    let mut text = format!(
        "`{}` ({}, {})",
        input.name,
        escape(&input.ty.file_name()),
        if input.required { "required" } else { "optional" }
    );
    push_description(&mut text, ": ", input.description.as_deref());
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
pub(crate) fn input(spec: &AgentSpec, extra_attrs: &str, out: &mut String) {
    for input in &spec.inputs {
        if let Some(e) = enums(&input.ty) {
            labeled_enum(e, &format!("input `{}`", input.name), extra_attrs, out);
        }
    }
    let required: Vec<&InputSpec> = spec.inputs.iter().filter(|i| i.required).collect();
    let derive_default = if required.is_empty() { ", Default" } else { "" };
    emit!(
        out,
        "/// The input of this agent (`input_schema`): required context as plain fields,
        /// optional context as `Option`s.
        #[::agentbind::data]
        #[derive(Debug, Clone, PartialEq{derive_default})]
        {extra_attrs}
        pub struct Input {{\n"
    );
    for input in &spec.inputs {
        let ty = rust_type(&input.ty);
        let ty = if input.required { ty } else { format!("::core::option::Option<{ty}>") };
        emit!(out, "{}pub {}: {ty},\n", doc(&field_doc(input)), ident_text(&input.field));
    }

    let new_doc = if required.is_empty() {
        "An input with no optional field set (this agent has no required inputs).".to_owned()
    } else {
        format!(
            "An input with the required fields, in file order: {}; optional fields are unset.",
            required.iter().map(|i| format!("`{}`", i.field)).collect::<Vec<_>>().join(", ")
        )
    };
    let params = list(&required, |out, i| {
        emit!(out, "{}: impl ::core::convert::Into<{}>", ident_text(&i.field), rust_type(&i.ty))
    });
    let inits = list(&spec.inputs, |out, i| {
        let name = ident_text(&i.field);
        if i.required {
            emit!(out, "{name}: {name}.into()")
        } else {
            emit!(out, "{name}: ::core::option::Option::None")
        }
    });
    emit!(
        out,
        "}}

        impl Input {{
            {}#[allow(clippy::too_many_arguments)]
            #[must_use]
            pub fn new({params}) -> Self {{
                Self {{ {inits} }}
            }}\n",
        doc(&new_doc)
    );
    for input in spec.inputs.iter().filter(|i| !i.required) {
        let name = ident_text(&input.field);
        let setter = format!("with_{}", input.field);
        emit!(
            out,
            "
            {}#[must_use]
            pub fn {setter}(mut self, {name}: impl ::core::convert::Into<{}>) -> Self {{
                self.{name} = ::core::option::Option::Some({name}.into());
                self
            }}\n",
            doc(&format!("Sets {}.", field_doc(input))),
            rust_type(&input.ty)
        );
    }
    let prompt_param = if spec.inputs.is_empty() { "_prompt" } else { "prompt" };
    emit!(
        out,
        "}}

        impl ::agentbind::AgentInput for Input {{
            fn render(&self, {prompt_param}: &mut ::agentbind::PromptBuilder) {{\n"
    );
    for input in &spec.inputs {
        emit!(
            out,
            "prompt.field({}, &self.{});\n",
            str_lit(&naming::title(&input.name)),
            ident_text(&input.field)
        );
    }
    out.push_str("}\n}\n");
}
