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
        let bad = |msg: String| Error::Config(format!("normative curves: {msg}"));
        let mut source = Vec::new();
        let mut rows = text.lines().filter(|l| {
            let c = l.trim_start().starts_with('#');
            if c {
                source.push(l.trim_start_matches('#').trim().to_string());
            }
            !c && !l.trim().is_empty()
        });
        let header: Vec<String> = rows
            .next()
            .ok_or_else(|| bad("no header".into()))?
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        let mut cols: Vec<Vec<f64>> = vec![Vec::new(); header.len()];
        for (i, row) in rows.enumerate() {
            let cells: Vec<&str> = row.split(',').collect();
            if cells.len() != header.len() {
                return Err(bad(format!(
                    "row {}: {} cells, header has {}",
                    i + 1,
                    cells.len(),
                    header.len()
                )));
            }
            for (c, cell) in cols.iter_mut().zip(cells) {
                c.push(
                    cell.trim()
                        .parse()
                        .map_err(|_| bad(format!("row {}: '{cell}' is not a number", i + 1)))?,
                );
            }
        }
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
