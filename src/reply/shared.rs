//! [`ReplyStr`]: a piece of a reply that shares the reply's one copy.

use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, Range};
use std::sync::Arc;

/// Text of a parsed reply: a byte range of the reply, which every section of the same parse
/// shares, so parsing keeps the reply once instead of copying each section into a `String`.
/// It derefs to `&str` and compares, hashes, orders, prints and (with the `serde` feature)
/// serializes as that `str`.
///
/// Holding any piece keeps the whole reply in memory; [`into_string`](Self::into_string) or
/// `String::from` makes an independent copy. Cloning is cheap (a reference count).
///
/// ```
/// use agentbind::ReplyStr;
///
/// let reply = ReplyStr::from(String::from("## Summary\nDone."));
/// assert_eq!(reply.len(), 16);
/// assert_eq!(reply, "## Summary\nDone.");
/// assert_eq!(String::from(reply), "## Summary\nDone.");
/// ```
#[derive(Clone)]
pub struct ReplyStr {
    reply: Arc<String>,
    /// Byte range of `reply`, on character boundaries.
    range: Range<usize>,
}

impl ReplyStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        // In bounds and on character boundaries: ranges are only made from `str` ranges.
        self.reply.get(self.range.clone()).unwrap_or_default()
    }

    /// The text as a `String` of its own: without a copy when this is the whole reply and no
    /// other piece shares it.
    pub fn into_string(self) -> String {
        if self.range.start == 0 && self.range.end == self.reply.len() {
            match Arc::try_unwrap(self.reply) {
                Ok(text) => text,
                Err(reply) => reply.as_str().to_owned(),
            }
        } else {
            self.as_str().to_owned()
        }
    }

    /// The bytes `range` of this text (relative to its start), sharing the same reply.
    /// `range` must lie on character boundaries of `self` (the scanner's ranges do); any
    /// other range gives an empty text.
    pub(crate) fn slice(&self, range: Range<usize>) -> ReplyStr {
        if self.as_str().get(range.clone()).is_none() {
            return ReplyStr::default();
        }
        let start = self.range.start + range.start;
        ReplyStr { reply: Arc::clone(&self.reply), range: start..start + range.len() }
    }
}

impl Default for ReplyStr {
    fn default() -> Self {
        ReplyStr::from(String::new())
    }
}

impl Deref for ReplyStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ReplyStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for ReplyStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for ReplyStr {
    /// Keeps `text` without copying it.
    fn from(text: String) -> Self {
        let range = 0..text.len();
        ReplyStr { reply: Arc::new(text), range }
    }
}

impl From<Arc<String>> for ReplyStr {
    /// Shares `text` without copying it.
    fn from(text: Arc<String>) -> Self {
        let range = 0..text.len();
        ReplyStr { reply: text, range }
    }
}

impl From<&str> for ReplyStr {
    /// Copies `text`, once.
    fn from(text: &str) -> Self {
        ReplyStr::from(text.to_owned())
    }
}

impl From<&String> for ReplyStr {
    /// Copies `text`, once.
    fn from(text: &String) -> Self {
        ReplyStr::from(text.as_str())
    }
}

impl From<Box<str>> for ReplyStr {
    /// Keeps `text` without copying it.
    fn from(text: Box<str>) -> Self {
        ReplyStr::from(String::from(text))
    }
}

impl From<Cow<'_, str>> for ReplyStr {
    /// Keeps an owned `text`, copies a borrowed one.
    fn from(text: Cow<'_, str>) -> Self {
        ReplyStr::from(text.into_owned())
    }
}

impl From<ReplyStr> for String {
    fn from(text: ReplyStr) -> Self {
        text.into_string()
    }
}

impl fmt::Debug for ReplyStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ReplyStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for ReplyStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ReplyStr {}

impl Hash for ReplyStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for ReplyStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ReplyStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

macro_rules! eq_with {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for ReplyStr {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }

        impl PartialEq<ReplyStr> for $other {
            fn eq(&self, other: &ReplyStr) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}

eq_with!(str, &str, String);

#[cfg(feature = "serde")]
impl serde::Serialize for ReplyStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ReplyStr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(ReplyStr::from)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for ReplyStr {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::ReplyStr;

    #[test]
    fn pieces_share_the_reply_and_behave_as_str() {
        let reply = ReplyStr::from(String::from("## Summary\nDone ü."));
        let body = reply.slice(11..19);
        assert_eq!(body, "Done ü.");
        assert!(std::sync::Arc::ptr_eq(&reply.reply, &body.reply));
        assert_eq!(body.slice(5..7), "ü");
        // Not on a character boundary, or out of bounds: empty, never a panic.
        assert_eq!(body.slice(6..7), "");
        assert_eq!(body.slice(3..40), "");
        assert_eq!(format!("{body:?}"), "\"Done ü.\"");
        assert_eq!(body.into_string(), "Done ü.");
        assert_eq!(ReplyStr::default(), "");
        let mut set = std::collections::HashSet::new();
        set.insert(reply.slice(0..10));
        assert!(set.contains("## Summary"));
    }
}
