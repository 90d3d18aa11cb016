//! The constraint solver's budget — MuJoCo's `<option iterations ls_iterations tolerance>` — set
//! per run without editing the model: `--option iterations=4,ls_iterations=8` on the command
//! line, `[env.option]` in an environment or training config. MuscleMimic, for one, trains with
//! iterations 4 and ls_iterations 8 where the models say 100 and 50. Unset fields keep the
//! model's values.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Options;

/// Overrides of the model's solver options; `None` keeps the model's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolverBudget {
    /// Newton iterations at most (MuJoCo's `iterations`), at least 1.
    pub iterations: Option<usize>,
    /// Line-search iterations at most per Newton iteration (`ls_iterations`), at least 1.
    pub ls_iterations: Option<usize>,
    /// Stop when the scaled cost improvement or gradient falls below this (`tolerance`), >= 0.
    pub tolerance: Option<f64>,
}

impl SolverBudget {
    /// From `key=value` items (`iterations=4`, `ls_iterations=8`, `tolerance=1e-6`).
    pub fn parse(items: &[String]) -> Result<Self> {
        let mut b = SolverBudget::default();
        for item in items {
            let bad = |why: &str| Error::Config(format!("--option {item}: {why}"));
            let (key, value) = item.split_once('=').ok_or_else(|| bad("expected KEY=VALUE"))?;
            let count = || value.trim().parse::<usize>().map_err(|_| bad("not a whole number"));
            match key.trim() {
                "iterations" => b.iterations = Some(count()?),
                "ls_iterations" => b.ls_iterations = Some(count()?),
                "tolerance" => b.tolerance = Some(value.trim().parse().map_err(|_| bad("not a number"))?),
                other => {
                    return Err(bad(&format!(
                        "unknown option '{other}' (iterations, ls_iterations, tolerance)"
                    )));
                }
            }
        }
        b.validate("--option")?;
        Ok(b)
    }

    /// Ok if every set value is in its range; errors name `what` (e.g. `env.option`).
    pub fn validate(&self, what: &str) -> Result<()> {
        let mut r = crate::config_check::Ranges::default();
        if let Some(n) = self.iterations {
            r.at_least(&format!("{what}.iterations"), n, 1);
        }
        if let Some(n) = self.ls_iterations {
            r.at_least(&format!("{what}.ls_iterations"), n, 1);
        }
        if let Some(t) = self.tolerance {
            r.non_negative(&format!("{what}.tolerance"), t);
        }
        r.finish("solver options")
    }

    /// These values where set, else `base`'s (e.g. the command line's over a config's).
    pub fn over(&self, base: &SolverBudget) -> SolverBudget {
        SolverBudget {
            iterations: self.iterations.or(base.iterations),
            ls_iterations: self.ls_iterations.or(base.ls_iterations),
            tolerance: self.tolerance.or(base.tolerance),
        }
    }

    /// Write the set values into `opt`.
    pub fn apply(&self, opt: &mut Options) {
        if let Some(n) = self.iterations {
            opt.iterations = n;
        }
        if let Some(n) = self.ls_iterations {
            opt.ls_iterations = n;
        }
        if let Some(t) = self.tolerance {
            opt.tolerance = t;
        }
    }

    /// The set values as `key=value,...` (what the peer scripts' `--option` takes); empty when
    /// nothing is set.
    pub fn to_arg(&self) -> String {
        let mut out = Vec::new();
        if let Some(n) = self.iterations {
            out.push(format!("iterations={n}"));
        }
        if let Some(n) = self.ls_iterations {
            out.push(format!("ls_iterations={n}"));
        }
        if let Some(t) = self.tolerance {
            out.push(format!("tolerance={t:e}"));
        }
        out.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_applies_and_refuses() {
        let items = ["iterations=4".to_string(), "ls_iterations=8".into(), "tolerance=1e-6".into()];
        let b = SolverBudget::parse(&items).unwrap();
        let mut opt = Options::default();
        b.apply(&mut opt);
        assert_eq!((opt.iterations, opt.ls_iterations, opt.tolerance), (4, 8, 1e-6));
        let again: Vec<String> = b.to_arg().split(',').map(String::from).collect();
        assert_eq!(SolverBudget::parse(&again).unwrap(), b);
        for (bad, needle) in [
            ("iterations=0", "iterations = 0 must be >= 1"),
            ("tolerance=-1", "tolerance = -1 must be >= 0"),
            ("tolerance=nan", "tolerance = NaN"),
            ("iter=3", "unknown option 'iter'"),
            ("iterations", "expected KEY=VALUE"),
            ("ls_iterations=2.5", "not a whole number"),
        ] {
            let err = SolverBudget::parse(&[bad.to_string()]).unwrap_err().to_string();
            assert!(err.contains(needle), "{bad}: {err}");
        }
        let cli = SolverBudget { iterations: Some(2), ..Default::default() };
        assert_eq!(cli.over(&b), SolverBudget { iterations: Some(2), ..b.clone() });
        let mut untouched = Options::default();
        SolverBudget::default().apply(&mut untouched);
        assert_eq!(untouched, Options::default());
    }
}
