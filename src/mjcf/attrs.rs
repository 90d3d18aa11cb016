//! Typed attribute reading with errors that name the element, attribute, file and line.

use super::xml::XmlNode;
use crate::error::Result;

impl XmlNode {
    /// Fail on any attribute not in `known` (physics we would otherwise silently ignore) and not in
    /// `cosmetic` (rendering-only attributes that sinew accepts and drops).
    pub fn check_attrs(&self, known: &[&str], cosmetic: &[&str]) -> Result<()> {
        for (k, v) in &self.attrs {
            if !known.contains(&k.as_str()) && !cosmetic.contains(&k.as_str()) {
                return Err(self.err(format!("unsupported attribute '{k}' (value \"{v}\")")));
            }
        }
        Ok(())
    }

    /// Fail if this element has children (MJCF leaf elements take none; a child such as `<plugin>`
    /// would otherwise be dropped silently).
    pub fn check_no_children(&self) -> Result<()> {
        match self.children.first() {
            Some(c) => Err(c.err(format!("unsupported element <{}> inside <{}>", c.tag, self.tag))),
            None => Ok(()),
        }
    }

    /// Parse attribute `name` as numbers; `None` if absent. Requires between `min` and `max` values.
    pub fn numbers(&self, name: &str, min: usize, max: usize) -> Result<Option<Vec<f64>>> {
        let Some(text) = self.attr(name) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for tok in text.split_ascii_whitespace() {
            let v: f64 =
                tok.parse().map_err(|_| self.err(format!("attribute '{name}': bad number \"{tok}\"")))?;
            if !v.is_finite() {
                return Err(self.err(format!("attribute '{name}': non-finite number \"{tok}\"")));
            }
            out.push(v);
        }
        if out.len() < min || out.len() > max {
            let want = if min == max { format!("{min}") } else { format!("{min} to {max}") };
            return Err(self.err(format!(
                "attribute '{name}': expected {want} numbers, got {} (\"{text}\")",
                out.len()
            )));
        }
        Ok(Some(out))
    }

    /// Exactly N numbers into `dst` if present.
    pub fn read_arr<const N: usize>(&self, name: &str, dst: &mut [f64; N]) -> Result<bool> {
        match self.numbers(name, N, N)? {
            Some(v) => {
                dst.copy_from_slice(&v);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Up to N numbers into the front of `dst` if present (MuJoCo fills what is given).
    pub fn read_prefix<const N: usize>(&self, name: &str, dst: &mut [f64; N]) -> Result<bool> {
        match self.numbers(name, 1, N)? {
            Some(v) => {
                dst[..v.len()].copy_from_slice(&v);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// One number into `dst` if present.
    pub fn read_f64(&self, name: &str, dst: &mut f64) -> Result<bool> {
        match self.numbers(name, 1, 1)? {
            Some(v) => {
                *dst = v[0];
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// One number, if present.
    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>> {
        Ok(self.numbers(name, 1, 1)?.map(|v| v[0]))
    }

    /// An integer into `dst` if present.
    pub fn read_int<T: TryFrom<i64>>(&self, name: &str, dst: &mut T) -> Result<bool> {
        let Some(text) = self.attr(name) else {
            return Ok(false);
        };
        let v: i64 = text
            .trim()
            .parse()
            .map_err(|_| self.err(format!("attribute '{name}': bad integer \"{text}\"")))?;
        *dst = T::try_from(v)
            .map_err(|_| self.err(format!("attribute '{name}': integer out of range \"{text}\"")))?;
        Ok(true)
    }

    /// One of `options` (returns its index), if present.
    pub fn keyword(&self, name: &str, options: &[&str]) -> Result<Option<usize>> {
        let Some(text) = self.attr(name) else {
            return Ok(None);
        };
        match options.iter().position(|o| *o == text.trim()) {
            Some(i) => Ok(Some(i)),
            None => Err(self.err(format!(
                "attribute '{name}': unknown value \"{text}\" (expected one of: {})",
                options.join(", ")
            ))),
        }
    }

    /// A `true`/`false` attribute.
    pub fn read_bool(&self, name: &str, dst: &mut bool) -> Result<bool> {
        match self.keyword(name, &["false", "true"])? {
            Some(i) => {
                *dst = i == 1;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// A `false`/`true`/`auto` attribute into a tri-state.
    pub fn read_tristate(&self, name: &str, dst: &mut TriState) -> Result<bool> {
        match self.keyword(name, &["false", "true", "auto"])? {
            Some(i) => {
                *dst = [TriState::False, TriState::True, TriState::Auto][i];
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// A string attribute into `dst` if present.
    pub fn read_string(&self, name: &str, dst: &mut String) -> bool {
        match self.attr(name) {
            Some(v) => {
                *dst = v.to_string();
                true
            }
            None => false,
        }
    }
}

/// MuJoCo's `false`/`true`/`auto` for `limited`-style attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TriState {
    /// Off.
    False,
    /// On.
    True,
    /// Decided by `compiler autolimits`: on when a range is given.
    #[default]
    Auto,
}

impl TriState {
    /// Resolve against `autolimits` and whether a range was specified.
    pub fn resolve(self, autolimits: bool, range_given: bool) -> bool {
        match self {
            TriState::False => false,
            TriState::True => true,
            TriState::Auto => autolimits && range_given,
        }
    }
}
