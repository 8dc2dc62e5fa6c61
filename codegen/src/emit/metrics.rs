//! `Metrics` and `Metric`.

use super::docs::{doc, escape, push_description};
use super::{emit, list, push_str_lit};
use crate::model::{AgentSpec, MetricKind, MetricSpec};
use crate::naming::ident_text;

fn rust_type(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Integer => "i64",
        MetricKind::Float => "f64",
        MetricKind::Percentage => "::agentbind::Percentage",
        MetricKind::Boolean => "bool",
        MetricKind::Fraction => "::agentbind::Fraction",
    }
}

fn runtime_kind(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Integer => "::agentbind::MetricKind::Integer",
        MetricKind::Float => "::agentbind::MetricKind::Float",
        MetricKind::Percentage => "::agentbind::MetricKind::Percentage",
        MetricKind::Boolean => "::agentbind::MetricKind::Boolean",
        MetricKind::Fraction => "::agentbind::MetricKind::Fraction",
    }
}

fn item_doc(metric: &MetricSpec) -> String {
    let mut text = format!("`{}` ({})", escape(&metric.name), metric.kind.file_name());
    push_description(&mut text, ": ", metric.description.as_deref());
    doc(&text)
}

/// The `Metrics` struct and the `Metric` enum.
pub(crate) fn metrics(spec: &AgentSpec, extra_attrs: &str, out: &mut String) {
    emit!(
        out,
        "/// The metrics this agent reports (`metrics`), one plain field per metric.
        #[::agentbind::data]
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        {extra_attrs}
        pub struct Metrics {{\n"
    );
    for metric in &spec.metrics {
        emit!(out, "{}pub {}: {},\n", item_doc(metric), ident_text(&metric.field), rust_type(metric.kind));
    }
    out.push_str("}\n\n/// The names of this agent's metrics.\n#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Metric {\n");
    for metric in &spec.metrics {
        emit!(out, "{}{},\n", item_doc(metric), ident_text(&metric.variant));
    }
    let all = list(&spec.metrics, |out, m| emit!(out, "Metric::{}", ident_text(&m.variant)));
    let names = list(&spec.metrics, |out, m| push_str_lit(out, &m.name));
    let descriptions =
        list(&spec.metrics, |out, m| push_str_lit(out, m.description.as_deref().unwrap_or_default()));
    let kinds = list(&spec.metrics, |out, m| out.push_str(runtime_kind(m.kind)));
    let fields =
        list(&spec.metrics, |out, m| emit!(out, "{} => {}", ident_text(&m.variant), ident_text(&m.field)));
    emit!(
        out,
        "}}

        impl Metric {{
            /// Every metric, in file order.
            pub const ALL: &'static [Metric] = &[{all}];
            const NAMES: &'static [&'static str] = &[{names}];
            const DESCRIPTIONS: &'static [&'static str] = &[{descriptions}];
            const KINDS: &'static [::agentbind::MetricKind] = &[{kinds}];

            /// The metric's name in the agent file.
            pub const fn name(self) -> &'static str {{
                Metric::NAMES[self as usize]
            }}

            /// The metric's description in the agent file (empty when it has none).
            pub const fn description(self) -> &'static str {{
                Metric::DESCRIPTIONS[self as usize]
            }}

            /// The metric's declared type.
            pub const fn kind(self) -> ::agentbind::MetricKind {{
                Metric::KINDS[self as usize]
            }}
        }}

        ::agentbind::__metrics! {{ Metrics, Metric {{ {fields} }} }}
"
    );
}
