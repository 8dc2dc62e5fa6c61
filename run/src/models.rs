//! Model ids: what each backend is sent for an agent's `model`.

use agentbind::Model;

/// Maps an agent's `model` (`opus`, `sonnet`, `haiku`, `inherit`, or a full id) to the id a
/// backend is sent.
///
/// Lookup order: an override for the exact value; for `inherit`, the default model; for an
/// alias, its mapped id, else the default model; a full id as written. Without a default
/// model, an unmapped alias is sent as written (servers that serve one model, such as
/// llama.cpp's, accept any name) and `inherit` sends no model (`None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelMap {
    opus: Option<String>,
    sonnet: Option<String>,
    haiku: Option<String>,
    default: Option<String>,
    overrides: Vec<(String, String)>,
}

impl ModelMap {
    /// A map with no entries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Anthropic's API ids for the aliases (`claude-opus-4-1`, `claude-sonnet-4-5`,
    /// `claude-haiku-4-5`), with Sonnet for `inherit`.
    pub fn anthropic() -> Self {
        Self::new()
            .alias(Model::Opus, "claude-opus-4-1")
            .alias(Model::Sonnet, "claude-sonnet-4-5")
            .alias(Model::Haiku, "claude-haiku-4-5")
            .default_model("claude-sonnet-4-5")
    }

    /// Sends `id` for `model`: an alias (`Model::Opus`), or any value written in agent files
    /// (`Model::Id("gpt-4o")`, `Model::Inherit`).
    pub fn alias(mut self, model: Model, id: impl Into<String>) -> Self {
        let id = id.into();
        match model {
            Model::Opus => self.opus = Some(id),
            Model::Sonnet => self.sonnet = Some(id),
            Model::Haiku => self.haiku = Some(id),
            Model::Inherit => self.default = Some(id),
            Model::Id(value) => {
                self.overrides.retain(|(from, _)| from != value);
                self.overrides.push((value.to_owned(), id));
            }
        }
        self
    }

    /// The model sent for `inherit` and for aliases without an id of their own.
    pub fn default_model(mut self, id: impl Into<String>) -> Self {
        self.default = Some(id.into());
        self
    }

    /// The id to send for `model`, `None` to send none.
    pub fn resolve(&self, model: Model) -> Option<String> {
        let mapped = match model {
            Model::Opus => self.opus.as_ref(),
            Model::Sonnet => self.sonnet.as_ref(),
            Model::Haiku => self.haiku.as_ref(),
            Model::Inherit => return self.default.clone(),
            Model::Id(id) => {
                return Some(
                    self.overrides.iter().find(|(from, _)| from == id).map_or(id, |(_, to)| to).to_owned(),
                )
            }
        };
        mapped.or(self.default.as_ref()).cloned().or_else(|| Some(model.as_str().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_defaults_and_overrides() {
        let map = ModelMap::new();
        assert_eq!(map.resolve(Model::Opus).as_deref(), Some("opus"));
        assert_eq!(map.resolve(Model::Inherit), None);
        assert_eq!(map.resolve(Model::Id("gpt-4o")).as_deref(), Some("gpt-4o"));

        let map = ModelMap::new().default_model("local").alias(Model::Haiku, "small");
        assert_eq!(map.resolve(Model::Opus).as_deref(), Some("local"));
        assert_eq!(map.resolve(Model::Haiku).as_deref(), Some("small"));
        assert_eq!(map.resolve(Model::Inherit).as_deref(), Some("local"));
        assert_eq!(map.resolve(Model::Id("x")).as_deref(), Some("x"));

        let map = map.alias(Model::Id("x"), "y").alias(Model::Id("x"), "z");
        assert_eq!(map.resolve(Model::Id("x")).as_deref(), Some("z"));

        let anthropic = ModelMap::anthropic();
        assert_eq!(anthropic.resolve(Model::Opus).as_deref(), Some("claude-opus-4-1"));
        assert_eq!(anthropic.resolve(Model::Inherit).as_deref(), Some("claude-sonnet-4-5"));
        assert_eq!(
            anthropic.resolve(Model::Id("claude-3-5-haiku-20241022")).as_deref(),
            Some("claude-3-5-haiku-20241022")
        );
    }
}
