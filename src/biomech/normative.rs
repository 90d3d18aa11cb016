//! Normative joint-angle curves over the gait cycle (assets/normative/adult_walking.csv, written
//! by tools/make_normative_gait.py with its sources in the file's header), embedded at build
//! time: `percent` then `<angle>_mean,<angle>_sd` columns, degrees, 101 rows.

use crate::error::{Error, Result};

/// The committed normative adult walking curves.
pub const ADULT_WALKING: &str = include_str!("../../assets/normative/adult_walking.csv");

/// Normative curves by angle name.
#[derive(Debug, Clone, Default)]
pub struct Normative {
    /// (angle, mean over the cycle, sd over the cycle), each 101 points.
    pub curves: Vec<(String, Vec<f64>, Vec<f64>)>,
    /// The file's comment lines (its sources).
    pub source: Vec<String>,
}

impl Normative {
    /// Parse a normative CSV (`#` comment lines, a header, numeric rows).
    pub fn parse(text: &str) -> Result<Normative> {
        let t =
            super::table::Table::parse(text).map_err(|e| Error::Config(format!("normative curves: {e}")))?;
        let (header, cols, source) = (t.header, t.columns, t.comments);
        let mut curves = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if let Some(name) = h.strip_suffix("_mean") {
                let sd = header.iter().position(|x| *x == format!("{name}_sd"));
                let sd = sd.map(|j| cols[j].clone()).unwrap_or_else(|| vec![0.0; cols[i].len()]);
                curves.push((name.to_string(), cols[i].clone(), sd));
            }
        }
        Ok(Normative { curves, source })
    }

    /// The committed adult walking curves.
    pub fn adult_walking() -> Normative {
        Normative::parse(ADULT_WALKING).expect("the committed normative CSV parses")
    }

    /// Mean and sd of `angle`, if present.
    pub fn curve(&self, angle: &str) -> Option<(Vec<f64>, Vec<f64>)> {
        self.curves.iter().find(|(n, _, _)| n == angle).map(|(_, m, s)| (m.clone(), s.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_curves_parse_with_their_source() {
        let n = Normative::adult_walking();
        for angle in ["hip_flexion", "knee_flexion", "ankle_dorsiflexion"] {
            let (mean, sd) = n.curve(angle).unwrap();
            assert_eq!((mean.len(), sd.len()), (101, 101), "{angle}");
        }
        // knee flexes most in swing (peak ~60° at ~70 % of the cycle)
        let (knee, _) = n.curve("knee_flexion").unwrap();
        let peak = (0..101).max_by(|a, b| knee[*a].total_cmp(&knee[*b])).unwrap();
        assert!((65..=78).contains(&peak) && knee[peak] > 55.0, "knee peak {} at {peak} %", knee[peak]);
        assert!(n.source.iter().any(|l| l.contains("Winter")));
        assert!(Normative::parse("percent,a_mean\n0,x\n").is_err());
    }
}
