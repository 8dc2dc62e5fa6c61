//! Filling an agent's declared metrics: typed values, a typed `set`, and a reader for the
//! metrics block of a reply.
//!
//! # The reply convention
//!
//! An agent reports its metrics in a section headed `Metrics` (`## Metrics`, any heading level,
//! any case, or a line `**Metrics**` / `**Metrics:**`), which runs to the next heading of the
//! same or a higher level. Inside it, either:
//! * a fenced `json` block holding an object of `name: value` (or `{"metrics": {...}}`), or
//! * `name: value` lines, bare, as bullets (`- files_changed: 3`), with the name in bold or
//!   code (`**Files changed**: 3`), also inside a fenced `yaml` block, or
//! * a markdown table whose first two columns are the name and the value.
//!
//! Without a `Metrics` heading, a fenced `json` block anywhere in the reply whose object has a
//! `metrics` key is read. Names match a metric's name ignoring case, with spaces and `-` read
//! as `_` (`Files changed` is `files_changed`). Values are read by the metric's kind:
//! integers (`1,204` too), numbers, percentages (`12.5%` or `12.5`), fractions (`0.85`,
//! `17/20` or `85%`) and booleans (`true`/`false`, `yes`/`no`); a number may be followed by a
//! unit (`3 files`, `12.5 s`). Names that are not metrics of the agent are kept in
//! [`FilledMetrics::unknown`]; a value that cannot be read as its metric's kind is an error.

use std::fmt;

use crate::{Fraction, MetricKind, Percentage};

/// One metric's value, of one of the declared kinds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricValue {
    /// An `integer` metric's value.
    Integer(i64),
    /// A `float` metric's value.
    Float(f64),
    /// A `percentage` metric's value.
    Percentage(Percentage),
    /// A `boolean` metric's value.
    Boolean(bool),
    /// A `fraction` metric's value.
    Fraction(Fraction),
}

impl MetricValue {
    /// The kind of the value.
    pub const fn kind(self) -> MetricKind {
        match self {
            MetricValue::Integer(_) => MetricKind::Integer,
            MetricValue::Float(_) => MetricKind::Float,
            MetricValue::Percentage(_) => MetricKind::Percentage,
            MetricValue::Boolean(_) => MetricKind::Boolean,
            MetricValue::Fraction(_) => MetricKind::Fraction,
        }
    }

    /// The value as a number, for every kind but `boolean`.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            MetricValue::Integer(n) => Some(n as f64),
            MetricValue::Float(n) => Some(n),
            MetricValue::Percentage(n) => Some(n.0),
            MetricValue::Fraction(n) => Some(n.0),
            MetricValue::Boolean(_) => None,
        }
    }
}

impl fmt::Display for MetricValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricValue::Integer(n) => write!(f, "{n}"),
            MetricValue::Float(n) => write!(f, "{n}"),
            MetricValue::Percentage(n) => write!(f, "{n}"),
            MetricValue::Boolean(b) => write!(f, "{b}"),
            MetricValue::Fraction(n) => write!(f, "{n}"),
        }
    }
}

macro_rules! value_from {
    ($($ty:ty => $variant:ident),*) => {$(
        impl From<$ty> for MetricValue {
            fn from(value: $ty) -> Self {
                MetricValue::$variant(value)
            }
        }
    )*};
}
value_from!(i64 => Integer, f64 => Float, Percentage => Percentage, bool => Boolean, Fraction => Fraction);

impl From<i32> for MetricValue {
    fn from(value: i32) -> Self {
        MetricValue::Integer(value.into())
    }
}

impl From<u32> for MetricValue {
    fn from(value: u32) -> Self {
        MetricValue::Integer(value.into())
    }
}

/// The Rust type of a metric field: `i64`, `f64`, [`Percentage`], `bool` or [`Fraction`].
pub trait MetricField: Copy {
    /// The kind this type holds.
    const KIND: MetricKind;
    /// The field's value from `value`: a value of the field's own kind, or a plain number for
    /// a number kind (an integer for `float`, `percentage` and `fraction`; a float for
    /// `percentage` and `fraction`). `None` for any other kind.
    fn from_metric_value(value: MetricValue) -> Option<Self>;
    /// The field's value.
    fn to_metric_value(self) -> MetricValue;
}

impl MetricField for i64 {
    const KIND: MetricKind = MetricKind::Integer;
    fn from_metric_value(value: MetricValue) -> Option<Self> {
        match value {
            MetricValue::Integer(n) => Some(n),
            _ => None,
        }
    }
    fn to_metric_value(self) -> MetricValue {
        MetricValue::Integer(self)
    }
}

impl MetricField for bool {
    const KIND: MetricKind = MetricKind::Boolean;
    fn from_metric_value(value: MetricValue) -> Option<Self> {
        match value {
            MetricValue::Boolean(b) => Some(b),
            _ => None,
        }
    }
    fn to_metric_value(self) -> MetricValue {
        MetricValue::Boolean(self)
    }
}

impl MetricField for f64 {
    const KIND: MetricKind = MetricKind::Float;
    fn from_metric_value(value: MetricValue) -> Option<Self> {
        match value {
            MetricValue::Float(n) => Some(n),
            MetricValue::Integer(n) => Some(n as f64),
            _ => None,
        }
    }
    fn to_metric_value(self) -> MetricValue {
        MetricValue::Float(self)
    }
}

macro_rules! number_field {
    ($ty:ident) => {
        impl MetricField for $ty {
            const KIND: MetricKind = MetricKind::$ty;
            fn from_metric_value(value: MetricValue) -> Option<Self> {
                match value {
                    MetricValue::$ty(n) => Some(n),
                    MetricValue::Float(n) => Some($ty(n)),
                    MetricValue::Integer(n) => Some($ty(n as f64)),
                    _ => None,
                }
            }
            fn to_metric_value(self) -> MetricValue {
                MetricValue::$ty(self)
            }
        }
    };
}
number_field!(Percentage);
number_field!(Fraction);

/// The `Metric` enum of a generated module: the names of an agent's metrics.
pub trait MetricName: Copy + PartialEq + fmt::Debug + 'static {
    /// Every metric, in file order.
    const ALL: &'static [Self];
    /// The metric's name in the agent file.
    fn name(self) -> &'static str;
    /// The metric's declared kind.
    fn kind(self) -> MetricKind;
}

/// The `Metrics` struct of a generated module: one plain field per metric.
pub trait AgentMetrics: Default + Clone + 'static {
    /// The names of the metrics.
    type Metric: MetricName;
    /// Sets `metric` to `value`; fails, changing nothing, when `value` is not of the metric's
    /// kind (see [`MetricField::from_metric_value`] for the conversions between numbers).
    fn set_value(&mut self, metric: Self::Metric, value: MetricValue) -> Result<(), MetricError>;
    /// The value of `metric`.
    fn value(&self, metric: Self::Metric) -> MetricValue;
}

/// A value of the wrong kind given to a metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricError {
    /// The metric's name.
    pub metric: &'static str,
    /// The metric's declared kind.
    pub expected: MetricKind,
    /// The value given.
    pub found: MetricValue,
}

impl fmt::Display for MetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "metric `{}` is {} {}, not {} {} (`{}`)",
            self.metric,
            article(self.expected),
            self.expected.as_str(),
            article(self.found.kind()),
            self.found.kind().as_str(),
            self.found
        )
    }
}

impl std::error::Error for MetricError {}

fn article(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Integer => "an",
        _ => "a",
    }
}

/// Sets field `field` of a metrics struct from `value`; what generated `set_value` calls.
pub fn set_field<T: MetricField>(
    field: &mut T,
    metric: &'static str,
    value: MetricValue,
) -> Result<(), MetricError> {
    *field = T::from_metric_value(value).ok_or(MetricError { metric, expected: T::KIND, found: value })?;
    Ok(())
}

/// The metrics read from a reply (see [`AgentMetrics`] and the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct FilledMetrics<M: AgentMetrics> {
    /// The metrics; those the reply does not report keep their default.
    pub metrics: M,
    /// The metrics the reply reports, in the order it reports them.
    pub filled: Vec<M::Metric>,
    /// `name: value` entries whose name is none of the agent's metrics, as written.
    pub unknown: Vec<(String, String)>,
}

impl<M: AgentMetrics> FilledMetrics<M> {
    /// Whether the reply reports `metric`.
    pub fn is_filled(&self, metric: M::Metric) -> bool {
        self.filled.contains(&metric)
    }

    /// The declared metrics the reply does not report, in file order.
    pub fn missing(&self) -> impl Iterator<Item = M::Metric> + '_ {
        M::Metric::ALL.iter().copied().filter(|m| !self.is_filled(*m))
    }
}

/// Why the metrics of a reply could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricsError {
    /// The reply has no `Metrics` section and no fenced JSON object with a `metrics` key.
    NoMetrics,
    /// The metrics block is a fenced JSON block that is not a JSON object.
    InvalidJson {
        /// What is wrong with it.
        error: String,
    },
    /// Values that cannot be read as their metric's kind (every one of them).
    InvalidValues(Vec<InvalidMetric>),
}

/// A value in a reply that cannot be read as its metric's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidMetric {
    /// The metric's name.
    pub metric: &'static str,
    /// Its declared kind.
    pub expected: MetricKind,
    /// The value as written.
    pub found: String,
}

impl fmt::Display for MetricsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricsError::NoMetrics => f.write_str(
                "the reply reports no metrics (no `## Metrics` section, no fenced JSON object with a `metrics` key)",
            ),
            MetricsError::InvalidJson { error } => write!(f, "the metrics block is not a JSON object: {error}"),
            MetricsError::InvalidValues(invalid) => {
                f.write_str("metric values of the wrong kind:")?;
                for value in invalid {
                    write!(
                        f,
                        "\n  - `{}` is {} {}, but the reply gives `{}`",
                        value.metric,
                        article(value.expected),
                        value.expected.as_str(),
                        value.found
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for MetricsError {}

/// Reads the metrics block of `reply` into `M` (see the module docs for the convention).
pub fn parse_metrics<M: AgentMetrics>(reply: &str) -> Result<FilledMetrics<M>, MetricsError> {
    let entries = match find_block(reply) {
        Some(Block::Lines(lines)) => lines
            .iter()
            .filter_map(|line| entry_of_line(line))
            .map(|(name, value)| (name.to_owned(), Value::Text(value.to_owned())))
            .collect(),
        Some(Block::Json(json)) => json_entries(json, false)?,
        None => match fenced_blocks(reply).into_iter().find_map(|(info, body)| {
            (info == "json").then(|| json_entries(&body, true).ok()).flatten().filter(|e| !e.is_empty())
        }) {
            Some(entries) => entries,
            None => return Err(MetricsError::NoMetrics),
        },
    };
    let mut filled = FilledMetrics { metrics: M::default(), filled: Vec::new(), unknown: Vec::new() };
    let mut invalid = Vec::new();
    for (name, value) in entries {
        let key = name_key(&name);
        let Some(metric) = M::Metric::ALL.iter().copied().find(|m| name_key(m.name()) == key) else {
            filled.unknown.push((name, value.to_string()));
            continue;
        };
        match value.read(metric.kind()) {
            Some(parsed) if filled.metrics.set_value(metric, parsed).is_ok() => {
                if !filled.filled.contains(&metric) {
                    filled.filled.push(metric);
                }
            }
            _ => invalid.push(InvalidMetric {
                metric: metric.name(),
                expected: metric.kind(),
                found: value.to_string(),
            }),
        }
    }
    if invalid.is_empty() {
        Ok(filled)
    } else {
        Err(MetricsError::InvalidValues(invalid))
    }
}

/// Where the metrics are in a reply.
enum Block<'r> {
    /// `name: value` lines (or table rows).
    Lines(Vec<&'r str>),
    /// The text of a fenced JSON block.
    Json(&'r str),
}

/// A reported value, as text or as JSON.
enum Value {
    Text(String),
    Json(serde_json::Value),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => f.write_str(text),
            Value::Json(serde_json::Value::String(text)) => f.write_str(text),
            Value::Json(json) => write!(f, "{json}"),
        }
    }
}

impl Value {
    /// The value read as `kind`.
    fn read(&self, kind: MetricKind) -> Option<MetricValue> {
        match self {
            Value::Text(text) => read_text(text, kind),
            Value::Json(serde_json::Value::String(text)) => read_text(text, kind),
            Value::Json(serde_json::Value::Bool(b)) => {
                (kind == MetricKind::Boolean).then_some(MetricValue::Boolean(*b))
            }
            Value::Json(serde_json::Value::Number(n)) => match kind {
                MetricKind::Integer => n.as_i64().map(MetricValue::Integer),
                MetricKind::Boolean => None,
                _ => n.as_f64().map(|n| number(kind, n)),
            },
            Value::Json(_) => None,
        }
    }
}

fn number(kind: MetricKind, n: f64) -> MetricValue {
    match kind {
        MetricKind::Percentage => MetricValue::Percentage(Percentage(n)),
        MetricKind::Fraction => MetricValue::Fraction(Fraction(n)),
        _ => MetricValue::Float(n),
    }
}

/// Reads a value written as text: the first word, without emphasis or code marks.
fn read_text(text: &str, kind: MetricKind) -> Option<MetricValue> {
    let text = text.trim().trim_matches(['*', '`', '_']).trim();
    let word = text.split_whitespace().next()?;
    if kind == MetricKind::Boolean {
        return match word.trim_end_matches(['.', ',']).to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(MetricValue::Boolean(true)),
            "false" | "no" => Some(MetricValue::Boolean(false)),
            _ => None,
        };
    }
    let plain: String = word.chars().filter(|c| !matches!(c, ',' | '_')).collect();
    let plain = plain.strip_prefix('+').unwrap_or(&plain);
    match kind {
        MetricKind::Integer => plain.parse().ok().map(MetricValue::Integer),
        MetricKind::Float => plain.parse().ok().map(MetricValue::Float),
        MetricKind::Percentage => {
            plain.strip_suffix('%').unwrap_or(plain).parse().ok().map(|n| number(kind, n))
        }
        MetricKind::Fraction => {
            if let Some(percent) = plain.strip_suffix('%') {
                return percent.parse::<f64>().ok().map(|n| number(kind, n / 100.0));
            }
            if let Some((over, under)) = plain.split_once('/') {
                let (over, under) = (over.parse::<f64>().ok()?, under.parse::<f64>().ok()?);
                return (under != 0.0).then(|| number(kind, over / under));
            }
            plain.parse().ok().map(|n| number(kind, n))
        }
        MetricKind::Boolean => None,
    }
}

/// A metric name as compared: lower case, spaces and `-` as `_`, without decoration.
fn name_key(name: &str) -> String {
    crate::undecorated(name)
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() })
        .collect()
}

/// The entries of a JSON object (or of its `metrics` object; `nested_only` requires that key).
fn json_entries(json: &str, nested_only: bool) -> Result<Vec<(String, Value)>, MetricsError> {
    let invalid = |error: String| MetricsError::InvalidJson { error };
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| invalid(e.to_string()))?;
    let serde_json::Value::Object(mut object) = value else {
        return Err(invalid("it is not an object".into()));
    };
    let object = match object.remove("metrics") {
        Some(serde_json::Value::Object(inner)) => inner,
        Some(_) => return Err(invalid("its `metrics` key is not an object".into())),
        None if nested_only => return Ok(Vec::new()),
        None => object,
    };
    Ok(object.into_iter().map(|(name, value)| (name, Value::Json(value))).collect())
}

/// The metrics block of a reply: under a `Metrics` heading, outside fenced code.
fn find_block(reply: &str) -> Option<Block<'_>> {
    let lines: Vec<&str> = reply.lines().collect();
    let mut fence: Option<&str> = None;
    let mut start = None;
    for (i, line) in lines.iter().enumerate() {
        if toggle_fence(&mut fence, line) || fence.is_some() {
            continue;
        }
        if let Some(level) = metrics_heading(line) {
            start = Some((i, level));
            break;
        }
    }
    let (start, level) = start?;
    let mut end = lines.len();
    let mut fence: Option<&str> = None;
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if toggle_fence(&mut fence, line) || fence.is_some() {
            continue;
        }
        if heading_level(line).is_some_and(|l| l <= level) || (level == 7 && metrics_heading(line).is_some())
        {
            end = i;
            break;
        }
    }
    let body = &lines[start + 1..end];
    // A fenced block inside the section: JSON is read as JSON, anything else as lines.
    let mut fence: Option<&str> = None;
    let mut json_start = None;
    for (i, line) in body.iter().enumerate() {
        let opened = fence.is_none();
        if toggle_fence(&mut fence, line) {
            if opened && fence_info(line) == "json" {
                json_start = Some(i);
            } else if let (Some(from), true) = (json_start, fence.is_none()) {
                let from_byte = offset_in(reply, body[from + 1]);
                let to_byte = offset_in(reply, body[i]);
                return Some(Block::Json(&reply[from_byte..to_byte.max(from_byte)]));
            }
        }
    }
    let lines = body
        .iter()
        .copied()
        .filter(|line| !line.trim_start().starts_with("```") && !line.trim_start().starts_with("~~~"));
    Some(Block::Lines(lines.collect()))
}

/// The byte offset of `line` (a slice of `reply`) in `reply`.
fn offset_in(reply: &str, line: &str) -> usize {
    line.as_ptr() as usize - reply.as_ptr() as usize
}

/// Opens or closes a fence on `line`; whether the line is a fence line.
fn toggle_fence<'l>(fence: &mut Option<&'l str>, line: &'l str) -> bool {
    let trimmed = line.trim_start();
    let marker_len = trimmed.len() - trimmed.trim_start_matches(['`', '~']).len();
    if marker_len < 3 {
        return false;
    }
    let marker = &trimmed[..marker_len];
    if marker.contains('`') && marker.contains('~') {
        return false;
    }
    match fence {
        None => *fence = Some(marker),
        Some(open) if marker.starts_with(*open) && trimmed[marker_len..].trim().is_empty() => *fence = None,
        Some(_) => return false,
    }
    true
}

fn fence_info(line: &str) -> String {
    line.trim_start().trim_start_matches(['`', '~']).trim().to_ascii_lowercase()
}

/// The level of an ATX heading line (`## x` is 2).
fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with([' ', '\t'])).then_some(hashes)
}

/// The level of a `Metrics` heading: 1 to 6 for `#` headings, 7 for a bold line.
fn metrics_heading(line: &str) -> Option<usize> {
    let is_metrics = |text: &str| crate::undecorated(text).eq_ignore_ascii_case("metrics");
    if let Some(level) = heading_level(line) {
        return is_metrics(line[level..].trim().trim_end_matches('#')).then_some(level);
    }
    let trimmed = line.trim();
    (trimmed.starts_with("**") && trimmed.trim_end_matches(':').ends_with("**") && is_metrics(trimmed))
        .then_some(7)
}

/// The `(name, value)` of a `name: value` line or of a table row.
fn entry_of_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if let Some(row) = line.strip_prefix('|') {
        let mut cells = row.split('|').map(str::trim);
        let (name, value) = (cells.next()?, cells.next()?);
        let separator = |cell: &str| !cell.is_empty() && cell.chars().all(|c| matches!(c, '-' | ':' | ' '));
        if name.is_empty() || separator(name) || value.is_empty() || name_key(name) == "metric" {
            return None;
        }
        return Some((name, value));
    }
    let line = ["- ", "* ", "+ "].iter().find_map(|m| line.strip_prefix(m)).unwrap_or(line);
    let (name, value) = line.split_once([':', '='])?;
    // `**Files changed:** 3` puts the colon inside the emphasis.
    let value = value.trim_start_matches(['*', '`']).trim();
    let name = name.trim();
    (!name.is_empty() && !value.is_empty()).then_some((name, value))
}

/// The `(info, body)` of every fenced block of `reply`.
fn fenced_blocks(reply: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut fence: Option<&str> = None;
    let mut current: Option<(String, String)> = None;
    for line in reply.lines() {
        let opened = fence.is_none();
        if toggle_fence(&mut fence, line) {
            if opened {
                current = Some((fence_info(line), String::new()));
            } else if let Some(block) = current.take() {
                blocks.push(block);
            }
        } else if let Some((_, body)) = &mut current {
            body.push_str(line);
            body.push('\n');
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::{entry_of_line, metrics_heading, read_text, MetricValue};
    use crate::{Fraction, MetricField, MetricKind, Percentage};

    /// Generated `Metrics` take each field's type from `agentbind_vocab::metric_types!` and the
    /// metric's kind from that type's `MetricField::KIND`: the two must agree.
    #[test]
    fn the_vocabulary_types_hold_their_kinds() {
        macro_rules! check {
            ($($variant:ident $word:literal {$($rust_type:tt)*} $doc:literal),* $(,)?) => {
                $( assert_eq!(<$($rust_type)* as MetricField>::KIND, MetricKind::$variant, $word); )*
            };
        }
        agentbind_vocab::metric_types!(check);
    }

    #[test]
    fn values_are_read_by_kind() {
        assert_eq!(read_text("1,204 lines", MetricKind::Integer), Some(MetricValue::Integer(1204)));
        assert_eq!(read_text("**-3**", MetricKind::Integer), Some(MetricValue::Integer(-3)));
        assert_eq!(read_text("3.5", MetricKind::Integer), None);
        assert_eq!(read_text("12.5 s", MetricKind::Float), Some(MetricValue::Float(12.5)));
        assert_eq!(
            read_text("+2.5%", MetricKind::Percentage),
            Some(MetricValue::Percentage(Percentage(2.5)))
        );
        assert_eq!(read_text("17/20", MetricKind::Fraction), Some(MetricValue::Fraction(Fraction(0.85))));
        assert_eq!(read_text("85%", MetricKind::Fraction), Some(MetricValue::Fraction(Fraction(0.85))));
        assert_eq!(read_text("1/0", MetricKind::Fraction), None);
        assert_eq!(read_text("Yes", MetricKind::Boolean), Some(MetricValue::Boolean(true)));
        assert_eq!(read_text("`false`", MetricKind::Boolean), Some(MetricValue::Boolean(false)));
        assert_eq!(read_text("maybe", MetricKind::Boolean), None);
        assert_eq!(read_text("about 3", MetricKind::Integer), None);
    }

    #[test]
    fn lines_and_rows_give_entries() {
        assert_eq!(entry_of_line("- files_changed: 3"), Some(("files_changed", "3")));
        assert_eq!(entry_of_line("**Files changed:** 3"), Some(("**Files changed", "3")));
        assert_eq!(entry_of_line("| lines_added | 40 |"), Some(("lines_added", "40")));
        assert_eq!(entry_of_line("|---|---|"), None);
        assert_eq!(entry_of_line("| Metric | Value |"), None);
        assert_eq!(entry_of_line("no entry here"), None);
    }

    #[test]
    fn metrics_headings_at_any_level() {
        assert_eq!(metrics_heading("## Metrics"), Some(2));
        assert_eq!(metrics_heading("### metrics ###"), Some(3));
        assert_eq!(metrics_heading("**Metrics:**"), Some(7));
        assert_eq!(metrics_heading("## Metrics and more"), None);
        assert_eq!(metrics_heading("Metrics"), None);
    }
}
