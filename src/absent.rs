//! The types of what an agent file does not declare: `InvocationContext` of an agent without
//! contexts, `Metrics` and `Metric` of an agent without metrics.
//!
//! Most agents declare no invocation context and many declare no metric. Their generated
//! modules name these types (`pub type InvocationContext = agentbind::NoContext;`) instead of
//! defining an empty enum and struct with every derive and impl each time: the same API, at a
//! fraction of the compile cost. Two agents without contexts share one `InvocationContext`
//! type; it has no values, so no dispatch of either can be given a context.

use crate::agent::ContextKind;
use crate::metrics::{
    parse_metrics, AgentMetrics, FilledMetrics, MetricError, MetricName, MetricValue, MetricsError,
};
use crate::numbers::MetricKind;

/// The `InvocationContext` of an agent that declares no invocation contexts (no section has
/// `required_when`). It has no values, so no dispatch of such an agent can be given a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoContext {}

impl NoContext {
    /// Every context: none.
    pub const ALL: &'static [NoContext] = &[];

    /// The context's name in the agent file (there is no value to call it on).
    pub const fn name(self) -> &'static str {
        match self {}
    }

    /// The marker a prompt in this context starts with (there is no value to call it on).
    pub const fn prompt_marker(self) -> Option<&'static str> {
        match self {}
    }
}

impl ContextKind for NoContext {
    const ALL: &'static [Self] = NoContext::ALL;

    fn name(self) -> &'static str {
        match self {}
    }

    fn prompt_marker(self) -> Option<&'static str> {
        match self {}
    }
}

/// The `Metric` of an agent that declares no metrics: it has no values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoMetric {}

impl NoMetric {
    /// Every metric: none.
    pub const ALL: &'static [NoMetric] = &[];

    /// The metric's name in the agent file (there is no value to call it on).
    pub const fn name(self) -> &'static str {
        match self {}
    }

    /// The metric's description in the agent file (there is no value to call it on).
    pub const fn description(self) -> &'static str {
        match self {}
    }

    /// The metric's declared type (there is no value to call it on).
    pub const fn kind(self) -> MetricKind {
        match self {}
    }
}

impl MetricName for NoMetric {
    const ALL: &'static [Self] = NoMetric::ALL;

    fn name(self) -> &'static str {
        match self {}
    }

    fn kind(self) -> MetricKind {
        match self {}
    }
}

/// The `Metrics` of an agent that declares no metrics: no field (with the `serde` feature it
/// is the empty JSON object, as a generated `Metrics` without fields would be).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct NoMetrics {}

impl AgentMetrics for NoMetrics {
    type Metric = NoMetric;

    fn set_value(&mut self, metric: NoMetric, _value: MetricValue) -> Result<(), MetricError> {
        match metric {}
    }

    fn value(&self, metric: NoMetric) -> MetricValue {
        match metric {}
    }
}

impl NoMetrics {
    /// Sets `metric` to `value` (there is no metric to set).
    pub fn set(&mut self, metric: NoMetric, _value: impl Into<MetricValue>) -> Result<(), MetricError> {
        match metric {}
    }

    /// The value of `metric` (there is no metric to read).
    pub fn get(&self, metric: NoMetric) -> MetricValue {
        match metric {}
    }

    /// Reads the metrics block of a reply, as a generated `Metrics::from_reply` does: with no
    /// metric declared, every name found is listed in [`FilledMetrics::unknown`].
    pub fn from_reply(reply: &str) -> Result<FilledMetrics<Self>, MetricsError> {
        parse_metrics(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::{NoContext, NoMetric, NoMetrics};
    use crate::{ContextKind, MetricName};

    #[test]
    fn absent_contexts_and_metrics_have_no_values() {
        assert!(<NoContext as ContextKind>::ALL.is_empty());
        assert!(<NoMetric as MetricName>::ALL.is_empty());
        assert_eq!(NoMetrics::default(), NoMetrics {});
    }

    #[test]
    fn every_metric_of_a_reply_is_unknown_to_an_agent_without_metrics() {
        let filled = NoMetrics::from_reply("## Metrics\n- files_changed: 3\n").unwrap();
        assert_eq!(filled.unknown, vec![("files_changed".to_string(), "3".to_string())]);
        assert!(filled.filled.is_empty());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn no_metrics_is_the_empty_json_object() {
        assert_eq!(serde_json::to_string(&NoMetrics {}).unwrap(), "{}");
        assert_eq!(serde_json::from_str::<NoMetrics>("{}").unwrap(), NoMetrics {});
    }
}
