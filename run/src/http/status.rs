//! Error responses: an HTTP error status becomes a [`ModelError`] with the wait the server asked
//! for (`Retry-After`), and a request over the model's context is recognised in the shapes
//! llama.cpp's server, OpenAI (and the servers that copy its wording) and Anthropic send.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::error::{truncate, ModelError, ERROR_BODY_LIMIT};

/// The error of a response with the error `status`, its `headers` and the start of its `body`:
/// [`ModelError::ContextExceeded`] for a 4xx that says the request is over the model's
/// context, else [`ModelError::Status`].
pub(crate) fn status_error(status: u16, headers: &reqwest::header::HeaderMap, body: &[u8]) -> ModelError {
    let body = String::from_utf8_lossy(body).into_owned();
    if (400..500).contains(&status) {
        let json: Option<Value> = serde_json::from_str(&body).ok();
        if let Some(error) = json.as_ref().and_then(context_exceeded) {
            return error;
        }
    }
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let retry_after = retry_after(header("retry-after-ms"), header("retry-after"), SystemTime::now());
    ModelError::Status { status, body, retry_after }
}

/// The wait the server asked for: `retry-after-ms` (milliseconds, which OpenAI and Anthropic
/// send), else `Retry-After` (seconds or an HTTP date, counted from `now`; a date in the past is
/// no wait). `None` for neither, or for a value that is neither.
fn retry_after(millis: Option<&str>, header: Option<&str>, now: SystemTime) -> Option<Duration> {
    let millis = millis.and_then(|ms| ms.trim().parse::<f64>().ok()).filter(|ms| *ms >= 0.0);
    if let Some(wait) = millis.and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok()) {
        return Some(wait);
    }
    let header = header?.trim();
    if !header.is_empty() && header.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds is a wait longer than any limit.
        return Some(Duration::from_secs(header.parse().unwrap_or(u64::MAX)));
    }
    Some(http_date(header)?.duration_since(now).unwrap_or_default())
}

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// An HTTP date in any of the three forms HTTP allows (RFC 9110 §5.6.7): `Sun, 06 Nov 1994
/// 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT` and `Sun Nov  6 08:49:37 1994`.
fn http_date(text: &str) -> Option<SystemTime> {
    let (mut day_year, mut month, mut time) = (Vec::with_capacity(2), None, None);
    for token in text.split([' ', ',', '-']).filter(|token| !token.is_empty()) {
        if token.contains(':') {
            time = Some(token);
        } else if let Some(at) = MONTHS.iter().position(|m| token.eq_ignore_ascii_case(m)) {
            month = Some(at as u64 + 1);
        } else if token.bytes().all(|b| b.is_ascii_digit()) {
            if day_year.len() == 2 {
                return None;
            }
            day_year.push(token.parse::<u64>().ok()?);
        }
    }
    let [day, year] = day_year[..] else { return None };
    let year = match year {
        0..=69 => year + 2000,
        70..=99 => year + 1900,
        _ => year,
    };
    let mut hms = time?.split(':').map(|part| part.parse::<u64>().ok());
    let (hour, minute, second) = (hms.next()??, hms.next()??, hms.next()??);
    let valid = hms.next().is_none()
        && (1..=31).contains(&day)
        && (1970..=9999).contains(&year)
        && hour < 24
        && minute < 60
        && second <= 60;
    if !valid {
        return None;
    }
    let days = days_since_epoch(year, month?, day);
    Some(UNIX_EPOCH + Duration::from_secs(days * 86_400 + hour * 3_600 + minute * 60 + second))
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar from 1970 on (Howard
/// Hinnant's `days_from_civil`).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era).saturating_sub(719_468)
}

/// [`ModelError::ContextExceeded`] when `body` (an error response's JSON, or the data of a
/// stream's error event) says the request is over the model's context:
///
/// * llama.cpp's server: `{"error": {"code": 400, "type": "exceed_context_size_error",
///   "message": "request (N tokens) exceeds the available context size (M tokens), try
///   increasing it", "n_prompt_tokens": N, "n_ctx": M}}`;
/// * OpenAI: `{"error": {"code": "context_length_exceeded", "message": "This model's maximum
///   context length is M tokens. However, your messages resulted in N tokens..."}}`, and the
///   same wording without the code from vLLM ("you requested N tokens") and OpenRouter;
/// * Anthropic: `{"type": "error", "error": {"type": "invalid_request_error", "message":
///   "prompt is too long: N tokens > M maximum"}}`, or "input length and `max_tokens` exceed
///   context limit: N + R > M".
pub(crate) fn context_exceeded(body: &Value) -> Option<ModelError> {
    let error = match body.get("error") {
        Some(error) if error.is_object() => error,
        _ => body,
    };
    let text = |key: &str| error.get(key).and_then(Value::as_str).unwrap_or_default();
    let message = text("message");
    let (requested, context) = if text("type") == "exceed_context_size_error" {
        let requested = error.get("n_prompt_tokens").and_then(Value::as_u64);
        let context = error.get("n_ctx").and_then(Value::as_u64);
        (
            requested.or_else(|| number_after(message, "(")),
            context.or_else(|| number_after(message, "size (")),
        )
    } else if text("code") == "context_length_exceeded" || message.contains("maximum context length is") {
        let requested =
            ["resulted in", "requested", "request has"].iter().find_map(|n| number_after(message, n));
        (requested, number_after(message, "maximum context length is"))
    } else if let Some(rest) = message.strip_prefix("prompt is too long:") {
        (number_after(rest, ""), number_after(rest, ">"))
    } else if let Some((_, rest)) = message.split_once("exceed context limit:") {
        let (sum, limit) = rest.split_once('>')?;
        let mut parts = sum.split('+').map(|part| part.trim().parse::<u64>().ok());
        let requested = parts.try_fold(0u64, |total, part| Some(total.saturating_add(part?)));
        (requested, number_after(limit, ""))
    } else {
        return None;
    };
    let message = truncate(message, ERROR_BODY_LIMIT).to_owned();
    Some(ModelError::ContextExceeded { requested_tokens: requested, context_tokens: context, message })
}

/// The number that follows `needle` in `text`, past at most 8 other characters (`about `, `(`);
/// one past `u64::MAX` saturates.
fn number_after(text: &str, needle: &str) -> Option<u64> {
    let rest = &text[text.find(needle)? + needle.len()..];
    let start = rest.char_indices().take(9).find(|(_, c)| c.is_ascii_digit())?.0;
    let digits = rest[start..].bytes().take_while(u8::is_ascii_digit);
    Some(digits.fold(0u64, |n, digit| n.saturating_mul(10).saturating_add(u64::from(digit - b'0'))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn exceeded(requested: Option<u64>, context: Option<u64>, message: &str) -> Option<ModelError> {
        Some(ModelError::ContextExceeded {
            requested_tokens: requested,
            context_tokens: context,
            message: message.to_owned(),
        })
    }

    #[test]
    fn retry_after_is_read_in_milliseconds_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after(None, Some("120"), now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(None, Some(" 0 "), now), Some(Duration::ZERO));
        assert_eq!(retry_after(Some("250"), Some("120"), now), Some(Duration::from_millis(250)));
        assert_eq!(retry_after(Some("1.5"), None, now), Some(Duration::from_micros(1_500)));
        assert_eq!(retry_after(Some("-3"), Some("2"), now), Some(Duration::from_secs(2)));
        for date in
            ["Sun, 06 Nov 1994 08:50:07 GMT", "Sunday, 06-Nov-94 08:50:07 GMT", "Sun Nov  6 08:50:07 1994"]
        {
            assert_eq!(retry_after(None, Some(date), now), Some(Duration::from_secs(30)), "{date}");
        }
        assert_eq!(retry_after(None, Some("Sat, 05 Nov 1994 08:49:37 GMT"), now), Some(Duration::ZERO));
        assert_eq!(
            retry_after(None, Some("Thu, 01 Jan 2026 00:00:00 GMT"), UNIX_EPOCH),
            Some(Duration::from_secs(1_767_225_600))
        );
        assert_eq!(
            retry_after(None, Some("Tue, 29 Feb 2000 12:00:00 GMT"), UNIX_EPOCH),
            Some(Duration::from_secs(951_825_600))
        );
        assert_eq!(
            retry_after(None, Some("99999999999999999999999"), now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(retry_after(Some("1e308"), None, now), None);
        for bad in [
            "",
            "soon",
            "-5",
            "1.5",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:00:00 GMT",
            "6 6 6 Nov 1:2:3",
        ] {
            assert_eq!(retry_after(Some("NaN"), Some(bad), now), None, "{bad}");
        }
        assert_eq!(retry_after(None, None, now), None);
    }

    #[test]
    fn context_overflows_are_recognised_in_each_servers_shape() {
        let llama = json!({"error": {"code": 400, "message": "request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it", "type": "exceed_context_size_error", "n_prompt_tokens": 13392, "n_ctx": 8192}});
        let message =
            "request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it";
        assert_eq!(context_exceeded(&llama), exceeded(Some(13392), Some(8192), message));
        // Older builds: the counts only as fields; or only in the message.
        let older = json!({"error": {"code": 400, "message": "the request exceeds the available context size, try increasing it", "type": "exceed_context_size_error", "n_prompt_tokens": 5000, "n_ctx": 4096}});
        assert!(matches!(
            context_exceeded(&older),
            Some(ModelError::ContextExceeded {
                requested_tokens: Some(5000),
                context_tokens: Some(4096),
                ..
            })
        ));
        let fieldless = json!({"error": {"message": message, "type": "exceed_context_size_error"}});
        assert_eq!(context_exceeded(&fieldless), exceeded(Some(13392), Some(8192), message));

        let message = "This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 tokens. Please reduce the length of the messages.";
        let openai = json!({"error": {"message": message, "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}});
        assert_eq!(context_exceeded(&openai), exceeded(Some(8227), Some(8192), message));
        let message = "This model's maximum context length is 4097 tokens. However, you requested 4268 tokens (4012 in the messages, 256 in the completion).";
        let vllm = json!({"object": "error", "message": message, "type": "BadRequestError", "param": null, "code": 400});
        assert_eq!(context_exceeded(&vllm), exceeded(Some(4268), Some(4097), message));
        let message =
            "Your input exceeds the context window of this model. Please adjust your input and try again.";
        let sizeless = json!({"error": {"message": message, "code": "context_length_exceeded"}});
        assert_eq!(context_exceeded(&sizeless), exceeded(None, None, message));

        let message = "prompt is too long: 208656 tokens > 200000 maximum";
        let anthropic = json!({"type": "error", "error": {"type": "invalid_request_error", "message": message}, "request_id": "req_1"});
        assert_eq!(context_exceeded(&anthropic), exceeded(Some(208656), Some(200000), message));
        let message = "input length and `max_tokens` exceed context limit: 184915 +\n20000 > 204648, decrease input length or `max_tokens` and try again";
        let with_limit =
            json!({"type": "error", "error": {"type": "invalid_request_error", "message": message}});
        assert_eq!(context_exceeded(&with_limit), exceeded(Some(204915), Some(204648), message));

        for other in [
            json!({"error": {"message": "Invalid API key", "type": "invalid_request_error", "code": "invalid_api_key"}}),
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            json!({"error": "context"}),
            json!([1, 2]),
        ] {
            assert_eq!(context_exceeded(&other), None, "{other}");
        }
    }

    #[test]
    fn only_a_client_error_can_be_a_context_overflow() {
        let body = br#"{"error": {"code": "context_length_exceeded", "message": "too long"}}"#;
        let mut headers = reqwest::header::HeaderMap::new();
        assert!(matches!(status_error(400, &headers, body), ModelError::ContextExceeded { .. }));
        headers.insert("retry-after", reqwest::header::HeaderValue::from_static("7"));
        assert_eq!(
            status_error(503, &headers, body),
            ModelError::Status {
                status: 503,
                body: String::from_utf8_lossy(body).into_owned(),
                retry_after: Some(Duration::from_secs(7)),
            }
        );
        assert!(matches!(status_error(400, &headers, b"not json"), ModelError::Status { status: 400, .. }));
    }

    #[test]
    fn numbers_after_a_needle() {
        assert_eq!(number_after("you requested about 12 tokens", "requested"), Some(12));
        assert_eq!(number_after("x 99999999999999999999999", "x"), Some(u64::MAX));
        assert_eq!(number_after("requested a great many tokens, 5", "requested"), None);
        assert_eq!(number_after("é12", ""), Some(12));
        assert_eq!(number_after("none", "x"), None);
    }
}
