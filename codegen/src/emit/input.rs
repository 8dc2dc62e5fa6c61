//! The `Input` struct (fields, `RequiredInput`, `with_*` setters, prompt rendering), as data
//! for the runtime's `input!`.

use super::docs::{escape, push_description};
use super::enums::labeled_enum;
use super::{emit, str_lit, PRIVATE};
use crate::model::{AgentSpec, InputSpec, InputType};
use crate::naming::ident_text;

/// The Rust type of an input's field: `::std::string::String`,
/// `::std::vec::Vec<::agentbind::Markdown>`, `Severity`... (the scalars' types come from
/// `agentbind_vocab::input_types!`).
fn rust_type(ty: &InputType) -> String {
    match ty {
        InputType::Scalar(scalar) => scalar.rust_type().to_owned(),
        InputType::List(inner) => format!("::std::vec::Vec<{}>", rust_type(inner)),
        InputType::Enum(e) => ident_text(&e.type_name).into_owned(),
    }
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

/// `Input`, `RequiredInput`, the enums of values and `Agent::INPUTS`.
pub(crate) fn input(spec: &AgentSpec, extra_attrs: &str, out: &mut String) {
    for input in &spec.inputs {
        if let Some(e) = enums(&input.ty) {
            labeled_enum(e, &format!("input `{}`", input.name), extra_attrs, out);
        }
    }
    emit!(out, "{PRIVATE}::input! {{\n{extra_attrs}\nrequired [\n");
    let mut optional_started = false;
    for input in &spec.inputs {
        if !input.required && !optional_started {
            out.push_str("]\noptional [\n");
            optional_started = true;
        }
        let field = ident_text(&input.field);
        out.push('(');
        out.push_str(&field);
        out.push(' ');
        super::push_str_lit(out, &input.field);
        if !input.required {
            emit!(out, " with_{}", input.field);
        }
        emit!(
            out,
            " [{}] {} {} {} {})\n",
            rust_type(&input.ty),
            str_lit(&input.name),
            str_lit(&input.heading),
            str_lit(&field_doc(input)),
            str_lit(input.description.as_deref().unwrap_or_default())
        );
    }
    if !optional_started {
        out.push_str("]\noptional [\n");
    }
    out.push_str("]\n}\n");
}
