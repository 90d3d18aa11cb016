//! XML loading: read an MJCF file, expand `<include>` in place, and keep each element's file:line.
//!
//! The result is a plain owned tree ([`XmlNode`]) so later passes can walk it without lifetimes and
//! report errors at the exact element that caused them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Location, Result};

/// One XML element, with attributes in file order and children with includes expanded.
#[derive(Debug)]
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

/// Dropped level by level: the derived drop recurses once per nesting level and overflows the
/// stack on deep files.
impl Drop for XmlNode {
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.children);
        while let Some(mut node) = pending.pop() {
            pending.append(&mut node.children);
        }
    }
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
    let mut stack = Includes::new(path);
    let root = load_file(path, &mut stack)?;
    if root.tag != "mujoco" {
        return Err(root.err("the root element of an MJCF file must be <mujoco>"));
    }
    Ok(root)
}

/// Parse an MJCF document given as a string; `<include>` paths resolve against `dir`.
pub fn load_str(text: &str, name: &Path) -> Result<XmlNode> {
    let mut stack = Includes::new(name);
    let root = parse_text(text, name, &mut stack)?;
    if root.tag != "mujoco" {
        return Err(root.err("the root element of an MJCF file must be <mujoco>"));
    }
    Ok(root)
}

/// Include bookkeeping: the main file's folder, and every file already included.
struct Includes {
    main_dir: PathBuf,
    seen: HashSet<PathBuf>,
}

impl Includes {
    fn new(main: &Path) -> Self {
        Includes { main_dir: main.parent().unwrap_or(Path::new(".")).to_path_buf(), seen: HashSet::new() }
    }
}

fn load_file(path: &Path, stack: &mut Includes) -> Result<XmlNode> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_text(&text, path, stack)
}

fn parse_text(text: &str, path: &Path, stack: &mut Includes) -> Result<XmlNode> {
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if !stack.seen.insert(key) {
        return Err(Error::Model(format!("{}: file included twice (or an include cycle)", path.display())));
    }
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        let pos = e.pos();
        Error::mjcf(&Location { file: path.to_path_buf(), line: pos.row }, format!("malformed XML: {e}"))
    })?;
    let file = Arc::new(path.to_path_buf());
    convert(doc.root_element(), &LineIndex::new(text), &file, stack)
}

/// Byte offsets where lines start, so an element's line is a binary search (roxmltree's
/// `text_pos_at` rescans the text from its start: quadratic over a file's elements).
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        let starts = text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1);
        LineIndex(std::iter::once(0).chain(starts).collect())
    }

    /// 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> u32 {
        self.0.partition_point(|&start| start <= offset) as u32
    }
}

/// The element `node` alone (attributes, location), without its children.
fn element(node: roxmltree::Node, lines: &LineIndex, file: &Arc<PathBuf>) -> XmlNode {
    XmlNode {
        tag: node.tag_name().name().to_string(),
        attrs: node.attributes().map(|a| (a.name().to_string(), a.value().to_string())).collect(),
        children: Vec::new(),
        file: file.clone(),
        line: lines.line(node.range().start),
    }
}

/// Convert the tree under `root`, expanding includes. Iterative (an explicit stack of open
/// elements), so nesting depth is bounded by memory, not by the thread's stack.
fn convert(
    root: roxmltree::Node,
    lines: &LineIndex,
    file: &Arc<PathBuf>,
    stack: &mut Includes,
) -> Result<XmlNode> {
    // The open elements, outermost first, each with the children still to visit.
    let mut open = vec![(element(root, lines, file), root.children())];
    loop {
        let (_, pending) = open.last_mut().expect("the root stays open until it is returned");
        match pending.next() {
            Some(child) if !child.is_element() => {}
            Some(child) if child.tag_name().name() == "include" => {
                let inc = element(child, lines, file);
                let Some(rel) = inc.attr("file") else {
                    return Err(inc.err("missing attribute 'file'"));
                };
                let Some(target) = resolve_include(&stack.main_dir, file, rel) else {
                    return Err(inc.err(format!("included file '{rel}' not found")));
                };
                let mut included = load_file(&target, stack)?;
                // The included file's root is a wrapper (<mujoco>); its children go in place.
                let parent = &mut open.last_mut().expect("open").0;
                parent.children.append(&mut included.children);
            }
            Some(child) => open.push((element(child, lines, file), child.children())),
            None => {
                let (done, _) = open.pop().expect("open");
                match open.last_mut() {
                    Some((parent, _)) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
        }
    }
}

/// MuJoCo's include lookup: relative to the main file's folder first, then to the including
/// file's folder (MuscleMimic's nested includes need the second); absolute paths as they are.
fn resolve_include(main_dir: &Path, including: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.is_absolute() {
        return rel.is_file().then(|| rel.to_path_buf());
    }
    let first = main_dir.join(rel);
    if first.is_file() {
        return Some(first);
    }
    let second = including.parent().unwrap_or(Path::new(".")).join(rel);
    second.is_file().then_some(second)
}
