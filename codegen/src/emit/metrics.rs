//! `Metrics` and `Metric`, as data for the runtime's `metrics!`.

use super::docs::{escape, push_description};
use super::{emit, str_lit, PRIVATE};
use crate::model::AgentSpec;
use crate::naming::ident_text;

/// The `Metrics` struct and the `Metric` enum.
pub(crate) fn metrics(spec: &AgentSpec, extra_attrs: &str, out: &mut String) {
    emit!(out, "{PRIVATE}::metrics! {{\n{extra_attrs}\n[\n");
    for metric in &spec.metrics {
        let mut text = format!("`{}` ({})", escape(&metric.name), metric.kind.file_name());
        push_description(&mut text, ": ", metric.description.as_deref());
        emit!(
            out,
            "({} {} {} [{}] {} {})\n",
            ident_text(&metric.field),
            ident_text(&metric.variant),
            str_lit(&metric.name),
            metric.kind.rust_type(),
            str_lit(&text),
            str_lit(metric.description.as_deref().unwrap_or_default())
        );
    }
    out.push_str("]\n}\n");
}
