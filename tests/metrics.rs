//! Filling declared metrics: `Metrics::set` with a typed error, and the metrics block of a reply.

use agentbind::{MetricError, MetricKind, MetricValue, MetricsError, Percentage};

#[agentbind::agent("examples/agents/backend-engineer-golang.md")]
pub mod golang {}

use golang::{Metric, Metrics};

#[test]
fn set_takes_values_of_the_metrics_kind_and_refuses_others() {
    let mut metrics = Metrics::default();
    metrics.set(Metric::FilesChanged, 3).unwrap();
    metrics.set(Metric::TestCoverageDelta, 2.5).unwrap();
    metrics.set(Metric::ExecutionTimeSeconds, 42).unwrap();
    assert_eq!(metrics.files_changed, 3);
    assert_eq!(metrics.test_coverage_delta, Percentage(2.5));
    assert_eq!(metrics.execution_time_seconds, 42.0);
    assert_eq!(metrics.get(Metric::FilesChanged), MetricValue::Integer(3));

    let error = metrics.set(Metric::LinesAdded, 1.5).unwrap_err();
    assert_eq!(
        error,
        MetricError { metric: "lines_added", expected: MetricKind::Integer, found: MetricValue::Float(1.5) }
    );
    assert_eq!(error.to_string(), "metric `lines_added` is an integer, not a float (`1.5`)");
    assert!(metrics.set(Metric::FilesChanged, true).is_err());
    assert_eq!(metrics.lines_added, 0, "a refused value changes nothing");
}

const WORK: &str = "## Summary\nDone.\n\n## Implementation\nCode.\n";

#[test]
fn a_metrics_section_of_name_value_lines_fills_the_metrics() {
    let reply = format!(
        "{WORK}\n## Metrics\n- files_changed: 3\n- **Lines added:** 1,204\n- lines-removed = 7 lines\n- test_coverage_delta: +2.5%\n- mood: great\n\n## Next Steps\nfiles_changed: 99\n"
    );
    let filled = Metrics::from_reply(&reply).unwrap();
    assert_eq!(filled.metrics.files_changed, 3);
    assert_eq!(filled.metrics.lines_added, 1204);
    assert_eq!(filled.metrics.lines_removed, 7);
    assert_eq!(filled.metrics.test_coverage_delta, Percentage(2.5));
    assert_eq!(
        filled.filled,
        [Metric::FilesChanged, Metric::LinesAdded, Metric::LinesRemoved, Metric::TestCoverageDelta]
    );
    assert_eq!(filled.missing().collect::<Vec<_>>(), [Metric::ExecutionTimeSeconds]);
    assert_eq!(filled.unknown, [("mood".to_owned(), "great".to_owned())]);
}

#[test]
fn a_table_or_a_fenced_block_fills_them_too() {
    let table = format!(
        "{WORK}\n### Metrics\n\n| Metric | Value |\n|---|---|\n| files_changed | 2 |\n| execution_time_seconds | 12.5 s |\n"
    );
    let filled = Metrics::from_reply(&table).unwrap();
    assert_eq!((filled.metrics.files_changed, filled.metrics.execution_time_seconds), (2, 12.5));

    let json = format!(
        "{WORK}\n## Metrics\n```json\n{{\"files_changed\": 4, \"test_coverage_delta\": -1.5}}\n```\n"
    );
    let filled = Metrics::from_reply(&json).unwrap();
    assert_eq!((filled.metrics.files_changed, filled.metrics.test_coverage_delta), (4, Percentage(-1.5)));

    let yaml = format!("{WORK}\n## Metrics\n```yaml\nlines_added: 10\nlines_removed: 2\n```\n");
    let filled = Metrics::from_reply(&yaml).unwrap();
    assert_eq!((filled.metrics.lines_added, filled.metrics.lines_removed), (10, 2));

    let anywhere = format!("{WORK}\n```json\n{{\"metrics\": {{\"lines_added\": 5}}}}\n```\n");
    assert_eq!(Metrics::from_reply(&anywhere).unwrap().metrics.lines_added, 5);
}

#[test]
fn missing_blocks_and_values_of_the_wrong_kind_are_errors() {
    assert_eq!(Metrics::from_reply(WORK), Err(MetricsError::NoMetrics));
    let fenced_only = format!("{WORK}\n```json\n{{\"lines_added\": 5}}\n```\n");
    assert_eq!(Metrics::from_reply(&fenced_only), Err(MetricsError::NoMetrics));

    let wrong =
        format!("{WORK}\n## Metrics\n- files_changed: several\n- lines_added: 2.5\n- lines_removed: 1\n");
    let error = Metrics::from_reply(&wrong).unwrap_err();
    let MetricsError::InvalidValues(invalid) = &error else { panic!("{error}") };
    assert_eq!(
        invalid.iter().map(|i| (i.metric, i.found.as_str())).collect::<Vec<_>>(),
        [("files_changed", "several"), ("lines_added", "2.5")]
    );
    assert!(error.to_string().contains("`files_changed` is an integer, but the reply gives `several`"));

    let broken = format!("{WORK}\n## Metrics\n```json\n{{\"files_changed\": \n```\n");
    assert!(matches!(Metrics::from_reply(&broken), Err(MetricsError::InvalidJson { .. })));
}
