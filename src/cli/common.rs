//! Helpers shared by several subcommands: loading models and reading documents.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use garbled::corpus::files_of;
use garbled::Model;

/// Loads `--model PATH`, or the embedded English model when no path is given.
pub fn load_model(path: Option<&Path>) -> Result<Model> {
    match path {
        Some(p) => Model::load(p).with_context(|| format!("loading model {}", p.display())),
        None => Ok(Model::embedded()?),
    }
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
