//! Rules across the fields of one agent file, checked in a pass of their own once every key
//! has been read: each rule sees the whole file, not the order its keys came in.

use super::diagnostics::Diagnostics;
use crate::model::{AgentSpec, SectionSpec};
use crate::source::Pos;

/// What the reading pass saw that the rules need and the typed model does not keep.
#[derive(Debug, Default)]
pub(super) struct Facts {
    /// Per section entry read: its name, its `required` value and where `required_when` is.
    pub(super) sections: Vec<SectionFacts>,
    /// `output_schema.verdict_values`, with where the list is.
    pub(super) verdict_values: Option<(Vec<String>, Pos)>,
}

/// One `required_sections` entry as written.
#[derive(Debug)]
pub(super) struct SectionFacts {
    pub(super) name: String,
    /// `required`, when written.
    pub(super) required: Option<bool>,
    /// Where the `required_when` key is, when written.
    pub(super) required_when: Option<Pos>,
}

/// Runs every rule.
pub(super) fn check(diags: &mut Diagnostics<'_>, spec: &AgentSpec, facts: &Facts) {
    conditional_sections_are_not_required(diags, facts);
    if let Some((values, pos)) = &facts.verdict_values {
        verdict_values_match_the_pattern(diags, values, *pos, &spec.sections);
    }
}

/// `required_when` makes a section required in one context only, which means nothing for a
/// section that is required in every context (`required: true`, or no `required`).
fn conditional_sections_are_not_required(diags: &mut Diagnostics<'_>, facts: &Facts) {
    for section in &facts.sections {
        let (Some(at), false) = (section.required_when, section.required == Some(false)) else { continue };
        let written = match section.required {
            Some(_) => "`required: true`",
            None => "no `required` (which means `required: true`)",
        };
        diags.error_help(
            at,
            format!(
                "section `{}` has `required_when` but {written}: it would be required in every context",
                section.name
            ),
            "add `required: false`, so that the section is required only in the context `required_when` names",
        );
    }
}

/// `verdict_values` lists the alternatives of the one value section, in the same order.
fn verdict_values_match_the_pattern(
    diags: &mut Diagnostics<'_>,
    values: &[String],
    at: Pos,
    sections: &[SectionSpec],
) {
    let value_sections: Vec<&SectionSpec> = sections.iter().filter(|s| s.value_enum.is_some()).collect();
    let verdict = value_sections
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case("verdict"))
        .or_else(|| value_sections.first().filter(|_| value_sections.len() == 1));
    match verdict {
        None => diags.error(at, "`verdict_values` is given, but no section pattern has a group of alternatives such as `^## VERDICT: (PASS|FAIL)$`"),
        Some(section) => {
            let labels = section.value_enum.as_ref().map(|e| e.labels()).unwrap_or_default();
            if labels != values.iter().map(String::as_str).collect::<Vec<_>>() {
                diags.error_help(
                    at,
                    format!(
                        "`verdict_values` [{}] do not match the alternatives of section `{}` ({})",
                        values.join(", "),
                        section.name,
                        labels.join("|")
                    ),
                    "list the same values in the same order as the pattern's group",
                );
            }
        }
    }
}
