//! Gait events and cycles from one foot's vertical ground reaction force: contact onset (heel
//! strike) where the force rises through a threshold, toe-off where it falls through it; a cycle
//! runs from one onset of the foot to its next; cycles whose length lies outside mean ± 2 sd are
//! dropped; each kept cycle of a signal is resampled to 101 points (0 … 100 % of the cycle).

use super::curves::resample;

/// Contact onsets and toe-offs, as sample indices (the first sample at or above, resp. below,
/// the threshold).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Events {
    /// Onsets: the force reaches the threshold after being below it.
    pub onsets: Vec<usize>,
    /// Toe-offs: the force drops below the threshold after being at or above it.
    pub offs: Vec<usize>,
}

/// The events of `fz` (newtons, one sample per control step) at `threshold` newtons. A contact
/// shorter than `min_samples` samples (a touch, or noise at the threshold) is not an event.
pub fn events(fz: &[f64], threshold: f64, min_samples: usize) -> Events {
    let mut ev = Events::default();
    let mut i = 1;
    while i < fz.len() {
        if fz[i - 1] < threshold && fz[i] >= threshold {
            // the contact lasts until the force drops below the threshold
            let end = (i..fz.len()).find(|&k| fz[k] < threshold).unwrap_or(fz.len());
            if end - i >= min_samples.max(1) {
                ev.onsets.push(i);
                if end < fz.len() {
                    ev.offs.push(end);
                }
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    ev
}

/// Gait cycles from consecutive onsets: the kept (start, end) sample spans (end the next onset),
/// and the dropped ones, whose length lies outside mean ± 2 sd of all (with 3 or more cycles).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cycles {
    /// Kept cycles.
    pub kept: Vec<(usize, usize)>,
    /// Dropped cycles.
    pub dropped: Vec<(usize, usize)>,
}

/// The cycles between `onsets` (sorted).
pub fn cycles(onsets: &[usize]) -> Cycles {
    let spans: Vec<(usize, usize)> = onsets.windows(2).map(|w| (w[0], w[1])).collect();
    if spans.len() < 3 {
        return Cycles { kept: spans, dropped: Vec::new() };
    }
    let lens: Vec<f64> = spans.iter().map(|(a, b)| (b - a) as f64).collect();
    let n = lens.len() as f64;
    let mean = lens.iter().sum::<f64>() / n;
    let sd = (lens.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let (kept, dropped) =
        spans.into_iter().zip(lens).partition::<Vec<_>, _>(|(_, l)| (l - mean).abs() <= 2.0 * sd);
    Cycles {
        kept: kept.into_iter().map(|(s, _)| s).collect(),
        dropped: dropped.into_iter().map(|(s, _)| s).collect(),
    }
}

/// Each cycle of `signal` (samples `start ..= end`) resampled to `points` points.
pub fn normalise(signal: &[f64], cycles: &[(usize, usize)], points: usize) -> Vec<Vec<f64>> {
    cycles
        .iter()
        .filter(|(a, b)| a < b && *b < signal.len())
        .map(|&(a, b)| resample(&signal[a..=b], points))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A force trace with stance phases starting at `onsets`, each `stance` samples long, of
    /// ~700 N with a ripple, and noise below the threshold in swing.
    fn trace(len: usize, onsets: &[usize], stance: usize) -> Vec<f64> {
        let mut f: Vec<f64> = (0..len).map(|i| 5.0 * ((i * 7919) % 13) as f64 / 13.0).collect();
        for &o in onsets {
            for k in 0..stance {
                if o + k < len {
                    f[o + k] = 700.0 + 100.0 * (k as f64 * 0.3).sin();
                }
            }
        }
        f
    }

    #[test]
    fn onsets_and_toe_offs_of_a_planted_trace() {
        let onsets = [10, 60, 111, 160, 212];
        let f = trace(240, &onsets, 30);
        let ev = events(&f, 20.0, 3);
        assert_eq!(ev.onsets, onsets);
        // the last stance runs past the end of the trace: no toe-off for it
        assert_eq!(ev.offs, onsets[..4].iter().map(|o| o + 30).collect::<Vec<_>>());
        // a one-sample blip above the threshold is not a contact
        let mut g = f.clone();
        g[45] = 50.0;
        assert_eq!(events(&g, 20.0, 3).onsets, onsets);
    }

    #[test]
    fn an_outlying_cycle_is_dropped_and_cycles_normalise_to_101_points() {
        let onsets = [0, 50, 101, 150, 200, 251, 300, 420, 470];
        let c = cycles(&onsets);
        assert_eq!(c.dropped, vec![(300, 420)]);
        assert_eq!(c.kept.len(), 7);
        let ramp: Vec<f64> = (0..500).map(|i| i as f64).collect();
        let curves = normalise(&ramp, &c.kept[..1], 101);
        assert_eq!(curves[0].len(), 101);
        assert_eq!((curves[0][0], curves[0][100]), (0.0, 50.0));
        assert!((curves[0][50] - 25.0).abs() < 1e-12);
    }
}
