//! Helpers shared by several subcommands: loading models, the options that set up a
//! checker (`check` and `flag`), and reading documents.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use garbled::check::CheckOptions;
use garbled::corpus::files_of;
use garbled::realword::DEFAULT_REALWORD_THRESHOLD;
use garbled::score::{AllowList, DEFAULT_THRESHOLD};
use garbled::Model;

/// Loads `--model PATH`, or the embedded English model when no path is given.
pub fn load_model(path: Option<&Path>) -> Result<Model> {
    match path {
        Some(p) => Model::load(p).with_context(|| format!("loading model {}", p.display())),
        None => Ok(Model::embedded()?),
    }
}

/// The options that choose a model and tune the checker, shared by `check` and `flag`.
#[derive(Debug, clap::Args)]
pub struct CheckerArgs {
    /// Model file [default: the embedded English model].
    #[arg(short, long)]
    pub model: Option<PathBuf>,
    /// Flag words whose corruption probability is at least this [default: 0.5].
    #[arg(short, long)]
    pub threshold: Option<f32>,
    /// Words and names that are always right, one per line (repeatable).
    #[arg(long, value_name = "FILE")]
    pub allow: Vec<PathBuf>,
    /// Config file (TOML: `allow = ["names.txt"]`, `words = ["UNRWA"]`, `threshold = 0.5`,
    /// `realword_threshold = 0.7`, `context = false`)
    /// [default: $GARBLED_CONFIG, else ./.garbled.toml if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Most suggestions per flag.
    #[arg(long, default_value_t = 5)]
    pub max_suggestions: usize,
    /// Flag real words that do not fit their context when their error probability is at
    /// least this [default: 0.65].
    #[arg(long)]
    pub realword_threshold: Option<f32>,
    /// Only look for non-words: skip the word-context check for real-word errors.
    #[arg(long)]
    pub no_context: bool,
}

impl CheckerArgs {
    /// The model chosen by `--model`.
    pub fn load_model(&self) -> Result<Model> {
        load_model(self.model.as_deref())
    }

    /// The allow list and checker options: the flags, then the config file, then the
    /// defaults.
    pub fn checker_options(&self) -> Result<(AllowList, CheckOptions)> {
        let (config, config_dir) = read_config(self.config.as_deref())?;
        let mut allow = AllowList::new();
        for w in &config.words {
            allow.insert(w);
        }
        for file in config
            .allow
            .iter()
            .map(|p| config_dir.join(p))
            .chain(self.allow.iter().cloned())
        {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading allow list {}", file.display()))?;
            allow.extend_from_text(&text);
        }
        let threshold = probability(
            "--threshold",
            self.threshold.or(config.threshold),
            DEFAULT_THRESHOLD,
        )?;
        let realword_threshold = probability(
            "--realword-threshold",
            self.realword_threshold.or(config.realword_threshold),
            DEFAULT_REALWORD_THRESHOLD,
        )?;
        let options = CheckOptions {
            threshold,
            max_suggestions: self.max_suggestions,
            context: !self.no_context && config.context.unwrap_or(true),
            realword_threshold,
        };
        Ok((allow, options))
    }
}

/// Settings read from a config file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    allow: Vec<PathBuf>,
    #[serde(default)]
    words: Vec<String>,
    threshold: Option<f32>,
    realword_threshold: Option<f32>,
    context: Option<bool>,
}

/// The config file and the directory its relative paths are relative to.
fn read_config(explicit: Option<&Path>) -> Result<(ConfigFile, PathBuf)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os("GARBLED_CONFIG") {
            Some(p) => PathBuf::from(p),
            None => {
                let local = PathBuf::from(".garbled.toml");
                if !local.exists() {
                    return Ok((ConfigFile::default(), PathBuf::from(".")));
                }
                local
            }
        },
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading config {}", path.display()))?;
    let config: ConfigFile = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message().replace('\n', " ")))?;
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok((config, dir))
}

/// Reads every file under the given paths (directories recursively) as UTF-8 documents,
/// named by their path relative to the argument (or the file name for a file argument).
pub fn read_documents(paths: &[PathBuf]) -> Result<Vec<(String, String)>> {
    let mut docs = Vec::new();
    for root in paths {
        for file in files_of(root)? {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let text = String::from_utf8(bytes).map_err(|e| garbled::Error::InvalidUtf8 {
                path: file.clone(),
                offset: e.utf8_error().valid_up_to() as u64,
            })?;
            docs.push((document_name(root, &file), text));
        }
    }
    Ok(docs)
}

/// The name of `file` found under the argument `root`.
pub fn document_name(root: &Path, file: &Path) -> String {
    match file.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
    }
}

/// The value of a probability option (or `default`), checked to be in `[0, 1]`.
fn probability(option: &str, value: Option<f32>, default: f32) -> anyhow::Result<f32> {
    let p = value.unwrap_or(default);
    anyhow::ensure!(
        (0.0..=1.0).contains(&p),
        "{option} must be between 0 and 1, got {p}"
    );
    Ok(p)
}
