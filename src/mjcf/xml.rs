//! XML loading: read an MJCF file, expand `<include>` in place, and keep each element's file:line.
//!
//! The result is a plain owned tree ([`XmlNode`]) so later passes can walk it without lifetimes and
//! report errors at the exact element that caused them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Location, Result};

/// One XML element, with attributes in file order and children with includes expanded.
#[derive(Debug, Clone)]
pub struct XmlNode {
    /// Element name, e.g. `body`.
    pub tag: String,
    /// Attributes in the order written.
    pub attrs: Vec<(String, String)>,
    /// Child elements (comments and text dropped; `<include>` replaced by the included children).
    pub children: Vec<XmlNode>,
    /// File that holds this element.
    pub file: Arc<PathBuf>,
    /// 1-based line of the start tag.
    pub line: u32,
}

impl XmlNode {
    /// Where this element was written.
    pub fn loc(&self) -> Location {
        Location { file: self.file.as_ref().clone(), line: self.line }
    }

    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// An error at this element.
    pub fn err(&self, msg: impl Into<String>) -> Error {
        Error::mjcf(&self.loc(), format!("<{}>: {}", self.tag, msg.into()))
    }
}

/// Load `path` and expand its includes. The root must be `<mujoco>`.
pub fn load(path: &Path) -> Result<XmlNode> {
    let mut stack = HashSet::new();
    let root = load_file(path, &mut stack)?;
    if root.tag != "mujoco" {
        return Err(root.err("the root element of an MJCF file must be <mujoco>"));
    }
    Ok(root)
}

/// Parse an MJCF document given as a string; `<include>` paths resolve against `dir`.
pub fn load_str(text: &str, name: &Path) -> Result<XmlNode> {
    let mut stack = HashSet::new();
    let root = parse_text(text, name, &mut stack)?;
    if root.tag != "mujoco" {
        return Err(root.err("the root element of an MJCF file must be <mujoco>"));
    }
    Ok(root)
}

fn load_file(path: &Path, stack: &mut HashSet<PathBuf>) -> Result<XmlNode> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_text(&text, path, stack)
}

fn parse_text(text: &str, path: &Path, stack: &mut HashSet<PathBuf>) -> Result<XmlNode> {
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if !stack.insert(key.clone()) {
        return Err(Error::Model(format!("{}: include cycle", path.display())));
    }
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        let pos = e.pos();
        Error::mjcf(
            &Location { file: path.to_path_buf(), line: pos.row },
            format!("malformed XML: {e}"),
        )
    })?;
    let file = Arc::new(path.to_path_buf());
    let root = convert(&doc, doc.root_element(), &file, stack)?;
    stack.remove(&key);
    Ok(root)
}

fn convert(
    doc: &roxmltree::Document,
    node: roxmltree::Node,
    file: &Arc<PathBuf>,
    stack: &mut HashSet<PathBuf>,
) -> Result<XmlNode> {
    let line = doc.text_pos_at(node.range().start).row;
    let mut out = XmlNode {
        tag: node.tag_name().name().to_string(),
        attrs: node.attributes().map(|a| (a.name().to_string(), a.value().to_string())).collect(),
        children: Vec::new(),
        file: file.clone(),
        line,
    };
    for child in node.children().filter(|c| c.is_element()) {
        if child.tag_name().name() == "include" {
            let inc = convert(doc, child, file, stack)?;
            let Some(rel) = inc.attr("file") else {
                return Err(inc.err("missing attribute 'file'"));
            };
            let target = resolve_include(file, rel);
            if !target.exists() {
                return Err(inc.err(format!("included file '{rel}' not found ({})", target.display())));
            }
            let included = load_file(&target, stack)?;
            // The included file's root is a wrapper (<mujoco>); its children go in place.
            out.children.extend(included.children);
        } else {
            out.children.push(convert(doc, child, file, stack)?);
        }
    }
    Ok(out)
}

/// Includes resolve against the including file's folder (how MuscleMimic's nested includes are
/// written); an absolute path is taken as is.
fn resolve_include(including: &Path, rel: &str) -> PathBuf {
    let rel = Path::new(rel);
    if rel.is_absolute() {
        return rel.to_path_buf();
    }
    including.parent().unwrap_or(Path::new(".")).join(rel)
}
