//! Colours the renderer draws: an element's `rgba`, or its material's colour where the element
//! leaves `rgba` at MuJoCo's default (MuJoCo's rule: an `rgba` other than the default takes
//! precedence over the material).

use std::collections::HashMap;

use super::spec::{Look, MaterialSpec};
use crate::error::{Error, Location, Result};

/// Material colours by name.
pub struct Materials {
    rgba: HashMap<String, [f64; 4]>,
}

impl Materials {
    /// The materials of a model; a repeated name is an error at its second definition.
    pub fn new(specs: &[MaterialSpec]) -> Result<Self> {
        let mut rgba = HashMap::new();
        for m in specs {
            if rgba.insert(m.name.clone(), m.rgba).is_some() {
                return Err(Error::mjcf(&m.loc, format!("repeated material name '{}'", m.name)));
            }
        }
        Ok(Materials { rgba })
    }

    /// The colour `what` (at `loc`) is drawn with; a material that does not exist is an error.
    pub fn colour(&self, look: &Look, loc: &Location, what: &str) -> Result<[f32; 4]> {
        let material =
            match &look.material {
                None => None,
                Some(name) => Some(self.rgba.get(name).ok_or_else(|| {
                    Error::mjcf(loc, format!("{what} references missing material '{name}'"))
                })?),
            };
        let rgba = match material {
            Some(m) if look.rgba == Look::DEFAULT_RGBA => *m,
            _ => look.rgba,
        };
        Ok(rgba.map(|c| c as f32))
    }
}
