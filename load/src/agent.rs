//! [`LoadedAgent`]: an agent file read at run time, seen through the runtime's [`DynAgent`].
//!
//! The file goes through codegen's reader and validator (the same located diagnostics as
//! the macro and `agentbind check`), and the validated [`AgentSpec`] becomes the runtime's
//! borrowed views: `InputField<'a>`, `SectionPattern<'a>`, `Tool<'a>`... which borrow the
//! spec's text. The agent owns the spec, so it is self-referential; `self_cell` builds it in
//! two steps (the arrays the views point into, then the views), without unsafe code here.

use std::path::Path;

use agentbind::{
    ClaudeCodeSettings, Color, DynAgent, ErrorHandling, InputError, InputField, InputKind, MetricKind, Model,
    OutputField, SectionInfo, SectionMatcher, SectionPattern, SectionRequirement, Tool,
};
use agentbind_codegen::{AgentSpec, InputType, ModelKind, RequirementSpec, SectionSpec, Source};
use serde_json::Value;

use crate::words;

/// Why a file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file has problems: every one of them, located (`file.md:line:col`), as the macro
    /// and `agentbind check` report them.
    Invalid(agentbind_codegen::Error),
    /// The file is valid, but uses something a loaded agent cannot hold (lists nested deeper
    /// than [`MAX_LIST_DEPTH`](crate::MAX_LIST_DEPTH)).
    Unsupported {
        /// The file.
        path: String,
        /// What is not supported.
        message: String,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Invalid(error) => write!(f, "{error}"),
            LoadError::Unsupported { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// The arrays of `&str` and `Tool` that the views point into.
struct Arrays<'a> {
    tools: Vec<Tool<'a>>,
    disallowed_tools: Vec<Tool<'a>>,
    skills: Vec<&'a str>,
    mcp_servers: Vec<&'a str>,
    /// Per input, the labels of an `enum:` input (empty otherwise).
    input_labels: Vec<Vec<&'a str>>,
    /// Per section, the labels of its value enum (empty otherwise).
    section_labels: Vec<Vec<&'a str>>,
}

self_cell::self_cell!(
    struct SpecArrays {
        owner: AgentSpec,
        #[covariant]
        dependent: Arrays,
    }
);

/// The runtime's views of the spec.
struct Views<'a> {
    spec: &'a AgentSpec,
    arrays: &'a Arrays<'a>,
    inputs: Vec<InputField<'a>>,
    matcher: SectionMatcher<'a>,
    outputs: Vec<OutputField<'a>>,
}

self_cell::self_cell!(
    struct Cell {
        owner: SpecArrays,
        #[covariant]
        dependent: Views,
    }
);

/// An agent file loaded at run time: a [`DynAgent`] like the ones generated at compile time,
/// built from the same validation, scanned by the same scanner, dispatched from JSON and
/// routed from a Task call's prompt the same way.
///
/// ```no_run
/// let agent = agentbind_load::LoadedAgent::from_file(".claude/agents/reviewer.md")?;
/// let dispatch = (&agent as &dyn agentbind::DynAgent).dispatch_prompt("## Diff\n\n...")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LoadedAgent {
    cell: Cell,
    /// What Claude Code calls it: the file's `name`, or `plugin:name` for a plugin's agent.
    id: String,
}

impl LoadedAgent {
    /// Reads and validates the agent file at `path`.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let source = Source::read(path, &path.to_string_lossy()).map_err(LoadError::Invalid)?;
        Self::from_source(&source)
    }

    /// Validates an agent file already read.
    pub fn from_source(source: &Source) -> Result<Self, LoadError> {
        let spec = agentbind_codegen::validate(source).map_err(LoadError::Invalid)?;
        Self::from_spec(spec)
    }

    /// The agent of a validated spec.
    pub fn from_spec(spec: AgentSpec) -> Result<Self, LoadError> {
        check_supported(&spec)?;
        let id = spec.name.clone();
        let arrays = SpecArrays::new(spec, arrays_of);
        let cell = Cell::new(arrays, |arrays| views_of(arrays.borrow_owner(), arrays.borrow_dependent()));
        Ok(Self { cell, id })
    }

    /// This agent under the name `plugin:name`, as Claude Code names a plugin's agents.
    pub fn in_plugin(mut self, plugin: &str) -> Self {
        self.id = format!("{plugin}:{}", self.spec().name);
        self
    }

    /// The validated model of the file.
    pub fn spec(&self) -> &AgentSpec {
        self.cell.borrow_dependent().spec
    }

    /// The file as it was named when loaded.
    pub fn path(&self) -> &str {
        &self.spec().display_path
    }

    fn views(&self) -> &Views<'_> {
        self.cell.borrow_dependent()
    }
}

impl std::fmt::Debug for LoadedAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedAgent")
            .field("name", &self.id)
            .field("path", &self.path())
            .finish_non_exhaustive()
    }
}

fn check_supported(spec: &AgentSpec) -> Result<(), LoadError> {
    for input in &spec.inputs {
        if static_list_kind(&input.ty).is_none() && matches!(input.ty, InputType::List(_)) {
            return Err(LoadError::Unsupported {
                path: spec.display_path.clone(),
                message: format!(
                    "input `{}` is a list nested more than {} levels deep",
                    input.name,
                    words::MAX_LIST_DEPTH
                ),
            });
        }
    }
    Ok(())
}

/// The kind of a `list[...]` input, as a `'static` constant.
fn static_list_kind(ty: &InputType) -> Option<InputKind<'static>> {
    let mut depth = 0;
    let mut inner = ty;
    while let InputType::List(item) = inner {
        depth += 1;
        inner = item;
    }
    match inner {
        InputType::Scalar(scalar) if depth > 0 => words::list_kind(*scalar, depth),
        _ => None,
    }
}

fn tool_of(tool: &agentbind_codegen::ToolSpec) -> Tool<'_> {
    use agentbind_codegen::ToolSpec;
    match tool {
        ToolSpec::Builtin(name, _) => Tool::BUILTIN
            .iter()
            .copied()
            .find(|t| t.builtin_name() == Some(*name))
            .unwrap_or(Tool::Other(name)),
        ToolSpec::Mcp { server, tool } => Tool::Mcp { server, tool },
        ToolSpec::Scoped { name, argument } => Tool::Scoped { name, argument },
        ToolSpec::Other(text) => Tool::Other(text),
    }
}

fn arrays_of(spec: &AgentSpec) -> Arrays<'_> {
    fn labels(ty: &InputType) -> Vec<&str> {
        match ty {
            InputType::Enum(e) => e.labels(),
            _ => Vec::new(),
        }
    }
    Arrays {
        tools: spec.tools.iter().map(tool_of).collect(),
        disallowed_tools: spec.claude_code.disallowed_tools.iter().map(tool_of).collect(),
        skills: spec.claude_code.skills.iter().map(String::as_str).collect(),
        mcp_servers: spec.claude_code.mcp_servers.iter().map(String::as_str).collect(),
        input_labels: spec.inputs.iter().map(|i| labels(&i.ty)).collect(),
        section_labels: spec
            .sections
            .iter()
            .map(|s| s.value_enum.as_ref().map(|e| e.labels()).unwrap_or_default())
            .collect(),
    }
}

fn views_of<'a>(spec: &'a AgentSpec, arrays: &'a Arrays<'a>) -> Views<'a> {
    let inputs = spec
        .inputs
        .iter()
        .zip(&arrays.input_labels)
        .map(|(input, labels)| {
            let kind = match &input.ty {
                InputType::Scalar(scalar) => words::scalar_kind(*scalar),
                InputType::Enum(_) => InputKind::Enum(labels),
                list => static_list_kind(list).unwrap_or(InputKind::String),
            };
            InputField::new(
                &input.name,
                &input.field,
                &input.heading,
                kind,
                input.required,
                input.description.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    let patterns =
        spec.sections.iter().zip(&arrays.section_labels).map(|(s, labels)| pattern_of(s, labels)).collect();
    let outputs = spec
        .sections
        .iter()
        .zip(&arrays.section_labels)
        .map(|(s, labels)| OutputField {
            name: &s.field,
            labels: s.value_enum.as_ref().map(|_| labels.as_slice()),
        })
        .collect();
    Views { spec, arrays, inputs, matcher: SectionMatcher::from_vec(patterns), outputs }
}

/// The section's pattern as generated code writes it (`codegen`'s `emit::output`): a value
/// section that is the whole heading is found by its lenient pattern and checked against its
/// labels.
fn pattern_of<'a>(section: &'a SectionSpec, labels: &'a [&'a str]) -> SectionPattern<'a> {
    use agentbind_codegen::pattern::PatternShape;
    let mut pattern = if section.is_repeated() {
        SectionPattern::repeated(&section.name, &section.pattern)
    } else {
        SectionPattern::once(&section.name, &section.pattern)
    };
    if let Ok(grammar) = &section.heading_grammar {
        pattern = pattern.with_grammar(grammar);
    }
    match (&section.shape, &section.value_enum) {
        (PatternShape::Value { lenient_pattern: Some(scan), .. }, Some(_)) => {
            pattern.with_labels(scan, labels)
        }
        _ => pattern,
    }
}

impl DynAgent for LoadedAgent {
    fn name(&self) -> &str {
        &self.id
    }
    fn description(&self) -> &str {
        &self.spec().description
    }
    fn model(&self) -> &str {
        &self.spec().model
    }
    fn model_kind(&self) -> Model<'_> {
        match self.spec().model_kind {
            ModelKind::Alias(alias) => words::model_alias(alias),
            ModelKind::Id => Model::Id(&self.spec().model),
        }
    }
    fn version(&self) -> Option<&str> {
        self.spec().version.as_deref()
    }
    fn tools(&self) -> &[Tool<'_>] {
        &self.views().arrays.tools
    }
    fn color(&self) -> Option<Color<'_>> {
        self.spec().color.as_deref().map(words::color_of)
    }
    fn claude_code(&self) -> ClaudeCodeSettings<'_> {
        let spec = &self.spec().claude_code;
        let arrays = self.views().arrays;
        let mut settings = ClaudeCodeSettings::NONE;
        settings.disallowed_tools = &arrays.disallowed_tools;
        settings.permission_mode = spec.permission_mode.as_deref();
        settings.max_turns = spec.max_turns;
        settings.skills = &arrays.skills;
        settings.mcp_servers = &arrays.mcp_servers;
        settings.hooks = spec.hooks.as_deref();
        settings.memory = spec.memory.as_deref();
        settings.background = spec.background;
        settings.effort = spec.effort.as_deref();
        settings.isolation = spec.isolation.as_deref();
        settings.initial_prompt = spec.initial_prompt.as_deref();
        settings
    }
    fn error_handling(&self) -> Option<ErrorHandling<'_>> {
        let spec = self.spec().error_handling.as_ref()?;
        Some(ErrorHandling::new(
            words::on_blocker_of(&spec.on_blocker),
            words::escalation_path_of(&spec.escalation_path),
        ))
    }
    fn system_prompt(&self) -> &str {
        &self.spec().body
    }
    fn inputs(&self) -> &[InputField<'_>] {
        &self.views().inputs
    }
    fn sections(&self) -> Vec<SectionInfo<'_>> {
        let spec = self.spec();
        spec.sections
            .iter()
            .zip(self.views().matcher.patterns())
            .map(|(section, pattern)| SectionInfo {
                name: &section.name,
                pattern: &section.pattern,
                repeated: section.is_repeated(),
                labels: pattern.labels,
                requirement: match &section.requirement {
                    RequirementSpec::Required => SectionRequirement::Required,
                    RequirementSpec::Optional => SectionRequirement::Optional,
                    RequirementSpec::RequiredIn(contexts) => SectionRequirement::RequiredIn(
                        contexts
                            .iter()
                            .filter_map(|&i| spec.contexts.get(i))
                            .map(|c| c.name.as_str())
                            .collect(),
                    ),
                },
            })
            .collect()
    }
    fn contexts(&self) -> Vec<(&str, Option<&str>)> {
        self.spec().contexts.iter().map(|c| (c.name.as_str(), c.marker.as_deref())).collect()
    }
    fn metrics(&self) -> Vec<(&str, MetricKind)> {
        self.spec().metrics.iter().map(|m| (m.name.as_str(), words::metric_kind(m.kind))).collect()
    }
    fn section_matcher(&self) -> &SectionMatcher<'_> {
        &self.views().matcher
    }
    fn dispatch_json(
        &self,
        inputs: &Value,
        instructions: Option<&str>,
        context: Option<&str>,
    ) -> Result<agentbind::AnyDispatch<'_>, InputError> {
        agentbind::data_dispatch(self, &self.views().outputs, inputs, instructions, context)
    }
}
