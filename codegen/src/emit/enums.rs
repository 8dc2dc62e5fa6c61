//! Generated label enums: input `enum:` values and section alternatives.

use super::docs::doc;
use super::{emit, str_lit, PRIVATE};
use crate::model::EnumSpec;
use crate::naming::ident_text;

/// The enum, through the runtime's `labeled_enum!`, which adds its `ALL`, `label()`,
/// `Display`, `FromStr`, `LabeledEnum` and `PromptValue` (the same for every label enum).
pub(crate) fn labeled_enum(spec: &EnumSpec, what: &str, extra_attrs: &str, out: &mut String) {
    let type_doc = doc(&format!("The values of {what}."));
    emit!(
        out,
        "{PRIVATE}::labeled_enum! {{\n{type_doc}{extra_attrs}\npub enum {} {{\n",
        ident_text(&spec.type_name)
    );
    for (label, variant) in &spec.variants {
        emit!(out, "{}{} = {},\n", doc(&format!("`{label}`")), ident_text(variant), str_lit(label));
    }
    out.push_str("}\n}\n");
}
