//! MJCF → [`Model`](crate::model::Model): load XML (with includes), parse into a typed tree with
//! defaults resolved, compile into the struct-of-arrays model.

pub mod attrs;
pub mod compile;
pub mod inertia;
pub mod look;
pub mod mesh;
pub mod parse;
pub mod spec;
pub mod xml;

use std::path::Path;

use crate::error::Result;
use crate::model::Model;

/// Load and compile the MJCF file at `path`.
pub fn load_model(path: &Path) -> Result<Model> {
    let root = xml::load(path)?;
    let spec = parse::parse(&root, path)?;
    compile::compile(&spec)
}

/// Load and compile an MJCF document held in a string; relative paths (includes, meshes) resolve
/// against `name`'s folder.
pub fn load_model_str(text: &str, name: &Path) -> Result<Model> {
    let root = xml::load_str(text, name)?;
    let spec = parse::parse(&root, name)?;
    compile::compile(&spec)
}
