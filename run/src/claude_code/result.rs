//! Reading Claude Code's JSON result (whole, or the last line of `stream-json`): the reply,
//! its usage, model and cost, the session it kept, or what went wrong.

use serde_json::Value;

use super::sessions::is_session_id;
use crate::client::{Completion, Usage};
use crate::error::{truncate, ModelError, ERROR_BODY_LIMIT};

/// The session a result names, and its cost so far.
pub(crate) struct SessionOf {
    pub(super) id: Option<String>,
    pub(super) cost_usd: Option<f64>,
}

/// The error text of a JSON result, for a child that failed without writing to stderr.
pub(super) fn result_error(out: &[u8]) -> String {
    match serde_json::from_slice::<Value>(out) {
        Ok(result) => result_failure(&result).unwrap_or_else(|| result_text(&result)),
        Err(_) => truncate(&String::from_utf8_lossy(out), ERROR_BODY_LIMIT).to_owned(),
    }
}

fn result_text(result: &Value) -> String {
    result["result"].as_str().unwrap_or_default().to_owned()
}

/// What an error result says (`error_max_turns: Reached maximum number of turns (2)`);
/// `None` for a result that is not an error.
pub(super) fn result_failure(result: &Value) -> Option<String> {
    let subtype = result["subtype"].as_str();
    if result["is_error"].as_bool() != Some(true) && subtype.is_none_or(|s| s == "success") {
        return None;
    }
    let errors: Vec<&str> = match result["errors"].as_array() {
        Some(errors) => errors.iter().filter_map(Value::as_str).filter(|e| !e.is_empty()).collect(),
        None => Vec::new(),
    };
    let text = match result["result"].as_str() {
        _ if !errors.is_empty() => errors.join("; "),
        Some(text) if !text.is_empty() => text.to_owned(),
        _ => String::new(),
    };
    let subtype = subtype.unwrap_or("error");
    Some(match text.is_empty() {
        true => format!("result `{subtype}`"),
        false if subtype == "success" => text,
        false => format!("{subtype}: {text}"),
    })
}

/// The completion in Claude Code's `--output-format json` result.
pub(crate) fn completion(program: &str, out: &[u8]) -> Result<(Completion, SessionOf), ModelError> {
    let result: Value = serde_json::from_slice(out).map_err(|e| ModelError::InvalidResponse {
        message: format!("`{program}` did not print a JSON result: {e}"),
        body: truncate(&String::from_utf8_lossy(out), ERROR_BODY_LIMIT).to_owned(),
    })?;
    completion_of(program, &result)
}

/// The completion in a result object (whole, or the last line of `stream-json`). Its cost is
/// the session's so far.
pub(crate) fn completion_of(program: &str, result: &Value) -> Result<(Completion, SessionOf), ModelError> {
    if let Some(message) = result_failure(result) {
        return Err(ModelError::Process { program: program.to_owned(), code: Some(0), message });
    }
    let text = match (&result["structured_output"], &result["result"]) {
        // `--json-schema`: the object the model gave its StructuredOutput tool.
        (structured @ Value::Object(_), _) => structured.to_string(),
        (_, Value::String(text)) => text.clone(),
        (_, Value::Null) => String::new(),
        _ => {
            return Err(ModelError::InvalidResponse {
                message: "`result` is not text".to_owned(),
                body: truncate(&result.to_string(), ERROR_BODY_LIMIT).to_owned(),
            })
        }
    };
    if text.len() > agentbind::MAX_REPLY_BYTES {
        return Err(ModelError::TooLarge { limit: agentbind::MAX_REPLY_BYTES });
    }
    let usage = &result["usage"];
    let tokens = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    let cost_usd = result["total_cost_usd"].as_f64().filter(|cost| cost.is_finite());
    let completion = Completion {
        text,
        usage: Usage::new(
            tokens("input_tokens")
                .saturating_add(tokens("cache_read_input_tokens"))
                .saturating_add(tokens("cache_creation_input_tokens")),
            tokens("output_tokens"),
        )
        .with_cached(tokens("cache_read_input_tokens")),
        model: result["modelUsage"].as_object().and_then(|models| models.keys().next().cloned()),
        finish_reason: result["subtype"].as_str().map(str::to_owned),
        cost_usd,
    };
    let id = result["session_id"].as_str().filter(|id| is_session_id(id)).map(str::to_owned);
    Ok((completion, SessionOf { id, cost_usd }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_result_says_why() {
        let result = serde_json::json!({"type": "result", "subtype": "error_max_turns", "is_error": true,
            "result": null, "errors": ["Reached maximum number of turns (2)"]});
        assert_eq!(result_failure(&result).unwrap(), "error_max_turns: Reached maximum number of turns (2)");
        let result = serde_json::json!({"subtype": "success", "is_error": true, "result": "Invalid API key"});
        assert_eq!(result_failure(&result).unwrap(), "Invalid API key");
        let result = serde_json::json!({"subtype": "error_during_execution", "is_error": true});
        assert_eq!(result_failure(&result).unwrap(), "result `error_during_execution`");
        assert!(result_failure(&serde_json::json!({"subtype": "success", "is_error": false})).is_none());
    }
}
