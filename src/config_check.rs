//! Checks on the numbers of a config file: one walk refuses NaN and ±inf anywhere in the merged
//! table (TOML spells them `nan` and `inf`; no sinew setting means them), and [`Ranges`] collects
//! per-field range checks so one error names every field out of range.

use crate::error::{Error, Result};

/// Fail naming the first key (`section.key[index]`) whose value is a NaN or infinite float.
pub fn reject_non_finite(table: &toml::Table, what: &str) -> Result<()> {
    // (key path, value), depth-first; config tables are a few levels deep.
    let mut pending: Vec<(String, &toml::Value)> = table.iter().map(|(k, v)| (k.clone(), v)).collect();
    while let Some((key, value)) = pending.pop() {
        match value {
            toml::Value::Float(x) if !x.is_finite() => {
                return Err(Error::Config(format!("{what}: {key} = {x}: every number must be finite")));
            }
            toml::Value::Table(t) => pending.extend(t.iter().map(|(k, v)| (format!("{key}.{k}"), v))),
            toml::Value::Array(a) => {
                pending.extend(a.iter().enumerate().map(|(i, v)| (format!("{key}[{i}]"), v)))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Range checks on named values, reported together by [`Ranges::finish`].
#[derive(Debug, Default)]
pub struct Ranges {
    problems: Vec<String>,
}

impl Ranges {
    /// `name` must be finite and > 0.
    pub fn positive(&mut self, name: &str, v: f64) -> &mut Self {
        self.check(name, v, v > 0.0, "> 0")
    }

    /// `name` must be finite and >= 0.
    pub fn non_negative(&mut self, name: &str, v: f64) -> &mut Self {
        self.check(name, v, v >= 0.0, ">= 0")
    }

    /// `name` must lie in `[lo, hi]`, or `(lo, hi]` with `open_lo`, or `[lo, hi)` with `open_hi`.
    pub fn within(
        &mut self,
        name: &str,
        v: f64,
        (lo, hi): (f64, f64),
        open_lo: bool,
        open_hi: bool,
    ) -> &mut Self {
        let above = if open_lo { v > lo } else { v >= lo };
        let below = if open_hi { v < hi } else { v <= hi };
        let range =
            format!("in {}{lo}, {hi}{}", if open_lo { "(" } else { "[" }, if open_hi { ")" } else { "]" });
        self.check(name, v, above && below, &range)
    }

    /// `name = [lo, hi]` must have `lo <= hi`.
    pub fn ordered(&mut self, name: &str, [lo, hi]: [f64; 2]) -> &mut Self {
        if !(lo <= hi) {
            self.problems.push(format!("{name} = [{lo}, {hi}] must have lo <= hi"));
        }
        self
    }

    /// `name` (a count) must be at least `min`.
    pub fn at_least(&mut self, name: &str, v: usize, min: usize) -> &mut Self {
        if v < min {
            self.problems.push(format!("{name} = {v} must be >= {min}"));
        }
        self
    }

    fn check(&mut self, name: &str, v: f64, ok: bool, rule: &str) -> &mut Self {
        if !(ok && v.is_finite()) {
            self.problems.push(format!("{name} = {v} must be {rule}"));
        }
        self
    }

    /// Ok if every check passed, else one error listing each failure.
    pub fn finish(&self, what: &str) -> Result<()> {
        match self.problems.is_empty() {
            true => Ok(()),
            false => Err(Error::Config(format!("{what}: {}", self.problems.join("; ")))),
        }
    }
}
