//! What runs cost: a [`Pricing`] table that the user gives (no prices are built in: they
//! change), the cost of each attempt in its report, and [`Totals`] per agent over many runs.

use std::collections::BTreeMap;
use std::fmt;

use crate::client::Usage;
use crate::error::RunError;
use crate::report::{Run, RunReport};

/// The price of a model's tokens, in US dollars per million.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Per million input tokens (not read from the cache).
    pub input_per_million: f64,
    /// Per million output tokens.
    pub output_per_million: f64,
    /// Per million input tokens read from the prompt cache; `None`: as other input tokens.
    pub cached_input_per_million: Option<f64>,
}

impl Price {
    /// `input` and `output` US dollars per million tokens.
    pub const fn per_million(input: f64, output: f64) -> Self {
        Price { input_per_million: input, output_per_million: output, cached_input_per_million: None }
    }

    /// This price, with cached input tokens at `cached` dollars per million.
    pub const fn cached(mut self, cached: f64) -> Self {
        self.cached_input_per_million = Some(cached);
        self
    }

    /// What `usage` costs at this price, in US dollars.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let cached = usage.cached_input_tokens.min(usage.input_tokens);
        let fresh = usage.input_tokens - cached;
        let cached_price = self.cached_input_per_million.unwrap_or(self.input_per_million);
        (fresh as f64 * self.input_per_million
            + cached as f64 * cached_price
            + usage.output_tokens as f64 * self.output_per_million)
            / 1_000_000.0
    }
}

/// Prices by model id. A model id is priced by its entry, or else by the longest entry it
/// starts with (`claude-sonnet-4-5` prices `claude-sonnet-4-5-20250929`), or else by the
/// default, when one is set.
///
/// ```
/// use agentbind_run::{Price, Pricing, Usage};
/// let pricing = Pricing::new()
///     .model("gpt-5-mini", Price::per_million(0.25, 2.0).cached(0.025))
///     .model("claude-sonnet-4-5", Price::per_million(3.0, 15.0).cached(0.3));
/// let usage = Usage::new(1_000_000, 100_000);
/// assert_eq!(pricing.cost("claude-sonnet-4-5-20250929", &usage), Some(4.5));
/// assert_eq!(pricing.cost("unknown-model", &usage), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pricing {
    models: Vec<(String, Price)>,
    default: Option<Price>,
}

impl Pricing {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// This table, with `model` at `price` (replacing an earlier price of the same id).
    pub fn model(mut self, model: impl Into<String>, price: Price) -> Self {
        let model = model.into();
        self.models.retain(|(id, _)| *id != model);
        self.models.push((model, price));
        self
    }

    /// This table, with `price` for every model it does not name.
    pub fn default_price(mut self, price: Price) -> Self {
        self.default = Some(price);
        self
    }

    /// The price of `model`.
    pub fn price(&self, model: &str) -> Option<&Price> {
        self.models
            .iter()
            .find(|(id, _)| id == model)
            .or_else(|| {
                self.models
                    .iter()
                    .filter(|(id, _)| model.starts_with(id.as_str()))
                    .max_by_key(|(id, _)| id.len())
            })
            .map(|(_, price)| price)
            .or(self.default.as_ref())
    }

    /// What `usage` of `model` costs, when the table prices it.
    pub fn cost(&self, model: &str, usage: &Usage) -> Option<f64> {
        self.price(model).map(|price| price.cost(usage))
    }
}

/// What every run of one agent used, over a fan-out or a batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentTotals {
    /// Runs that gave an output.
    pub runs: usize,
    /// Runs that failed.
    pub failed: usize,
    /// Model calls, repairs and retries included.
    pub attempts: usize,
    /// Tokens of every attempt.
    pub usage: Usage,
    /// What the attempts that have a cost cost, in US dollars; `None` when none has.
    pub cost_usd: Option<f64>,
}

impl AgentTotals {
    fn add(&mut self, report: &RunReport, ok: bool) {
        if ok {
            self.runs += 1;
        } else {
            self.failed += 1;
        }
        self.attempts += report.attempts.len();
        self.usage += report.usage;
        if let Some(cost) = report.cost_usd() {
            *self.cost_usd.get_or_insert(0.0) += cost;
        }
    }
}

/// Usage and cost per agent over many runs ([`Totals::of`] the results of
/// [`run_all`](crate::run_all), or [`Totals::add`] each report).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    /// Per agent, by name.
    pub agents: BTreeMap<String, AgentTotals>,
}

impl Totals {
    /// The totals of `results`, successful or not.
    pub fn of<'r, O: 'r>(results: impl IntoIterator<Item = &'r Result<Run<O>, RunError>>) -> Self {
        let mut totals = Totals::default();
        for result in results {
            match result {
                Ok(run) => totals.add(&run.report, true),
                Err(error) => totals.add(&error.report, false),
            }
        }
        totals
    }

    /// Adds a run's report (`ok`: it gave an output).
    pub fn add(&mut self, report: &RunReport, ok: bool) {
        self.agents.entry(report.agent.clone()).or_default().add(report, ok);
    }

    /// Every agent together.
    pub fn total(&self) -> AgentTotals {
        let mut total = AgentTotals::default();
        for agent in self.agents.values() {
            total.runs += agent.runs;
            total.failed += agent.failed;
            total.attempts += agent.attempts;
            total.usage += agent.usage;
            if let Some(cost) = agent.cost_usd {
                *total.cost_usd.get_or_insert(0.0) += cost;
            }
        }
        total
    }
}

/// One line per agent: runs, failures, attempts, tokens and cost.
impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (agent, totals) in &self.agents {
            write!(
                f,
                "{agent}: {} ok, {} failed, {} attempts, {} input tokens ({} cached), {} output tokens",
                totals.runs,
                totals.failed,
                totals.attempts,
                totals.usage.input_tokens,
                totals.usage.cached_input_tokens,
                totals.usage.output_tokens
            )?;
            if let Some(cost) = totals.cost_usd {
                write!(f, ", ${cost:.4}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_tokens_are_priced_apart_and_prefixes_price_dated_ids() {
        let price = Price::per_million(3.0, 15.0).cached(0.3);
        let usage = Usage::new(1_000_000, 1_000_000).with_cached(500_000);
        assert!((price.cost(&usage) - (1.5 + 0.15 + 15.0)).abs() < 1e-9);
        // More cached than input (a hostile count) is capped.
        assert!((price.cost(&Usage::new(10, 0).with_cached(u64::MAX)) - 3e-6).abs() < 1e-12);
        let pricing = Pricing::new()
            .model("claude", Price::per_million(1.0, 1.0))
            .model("claude-opus", Price::per_million(15.0, 75.0))
            .model("claude-opus", Price::per_million(5.0, 25.0));
        assert_eq!(pricing.price("claude-opus-4-5-2025").map(|p| p.input_per_million), Some(5.0));
        assert_eq!(pricing.price("claude-haiku").map(|p| p.input_per_million), Some(1.0));
        assert_eq!(pricing.price("gpt"), None);
        let pricing = pricing.default_price(Price::per_million(0.0, 0.0));
        assert_eq!(pricing.cost("gpt", &usage), Some(0.0));
    }
}
