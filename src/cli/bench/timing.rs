//! Time-boxed measurement: run batches of steps until a wall-clock budget is spent, and the world
//! counts of `--nworld auto`.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sinew::Result;

/// Steps done and the wall time they took.
#[derive(Debug, Clone, Copy)]
pub struct Timed {
    /// Steps (physics or control steps, as the caller counts them) completed.
    pub steps: usize,
    /// Wall seconds from the first submit to the last wait.
    pub seconds: f64,
}

impl Timed {
    /// Seconds per step.
    pub fn per_step(&self) -> f64 {
        self.seconds / self.steps.max(1) as f64
    }
}

/// Most steps in one batch (one command buffer).
pub const MAX_BATCH: usize = 1000;

/// Run `batch(n)` — which must record, submit and wait for `n` steps — until `seconds` of wall
/// time have passed (at least one batch of one step). Batches grow towards an eighth of the budget
/// each, so a slow step is not repeated past the budget and a fast one does not pay a host
/// round trip per step. `max_batch` caps a batch (e.g. by a query set's size).
pub fn time_box(
    seconds: f64,
    max_batch: usize,
    bar: &ProgressBar,
    mut batch: impl FnMut(usize) -> Result<()>,
) -> Result<Timed> {
    let max_batch = max_batch.clamp(1, MAX_BATCH);
    let start = Instant::now();
    let mut steps = 0;
    let mut n = 1usize;
    bar.set_length((seconds * 1e3).max(1.0) as u64);
    bar.set_position(0);
    loop {
        let t = Instant::now();
        batch(n)?;
        let dt = t.elapsed().as_secs_f64();
        steps += n;
        let total = start.elapsed().as_secs_f64();
        bar.set_position((total * 1e3) as u64);
        let left = seconds - total;
        if left <= 0.0 {
            break;
        }
        let per_step = (dt / n as f64).max(1e-9);
        let aim = (seconds / 8.0).min(left);
        n = ((aim / per_step).round() as usize).clamp(1, (4 * n).min(max_batch));
    }
    Ok(Timed { steps, seconds: start.elapsed().as_secs_f64() })
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix:>28} [{bar:30}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// What `--nworld` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldCounts {
    /// These counts, in order.
    List(Vec<usize>),
    /// Powers of two from 1 while they fit the adapter (and at most [`AUTO_MAX`]), stopping once
    /// one step takes more than half the time box (the next would not fit it twice).
    Auto,
}

/// The largest world count `--nworld auto` tries.
pub const AUTO_MAX: usize = 16384;

impl WorldCounts {
    /// Parse `auto` or a comma-separated list of positive counts.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        if s.trim() == "auto" {
            return Ok(WorldCounts::Auto);
        }
        let counts = s
            .split(',')
            .map(|t| match t.trim().parse::<usize>() {
                Ok(0) => Err("world counts must be positive".to_string()),
                Ok(n) => Ok(n),
                Err(_) => Err(format!("'{t}' is not a world count (a positive integer, or 'auto')")),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(WorldCounts::List(counts))
    }

    /// The counts to measure given the largest that fits, before any stop on time:
    /// a list as given, `auto` as powers of two up to `min(max_fit, AUTO_MAX)`.
    pub fn candidates(&self, max_fit: u64) -> Vec<usize> {
        match self {
            WorldCounts::List(v) => v.clone(),
            WorldCounts::Auto => {
                let top = (AUTO_MAX as u64).min(max_fit) as usize;
                std::iter::successors(Some(1usize), |n| Some(n * 2)).take_while(|n| *n <= top).collect()
            }
        }
    }

    /// Whether the sweep stops after a count whose step took `per_step` seconds.
    pub fn stop_after(&self, per_step: f64, seconds: f64) -> bool {
        matches!(self, WorldCounts::Auto) && per_step > seconds / 2.0
    }
}

impl std::fmt::Display for WorldCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorldCounts::Auto => write!(f, "auto"),
            WorldCounts::List(v) => {
                write!(f, "{}", v.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_counts() {
        assert_eq!(WorldCounts::parse("auto"), Ok(WorldCounts::Auto));
        assert_eq!(WorldCounts::parse("1,256"), Ok(WorldCounts::List(vec![1, 256])));
        assert!(WorldCounts::parse("0").is_err());
        assert!(WorldCounts::parse("many").is_err());
        assert_eq!(WorldCounts::Auto.candidates(5), vec![1, 2, 4]);
        assert_eq!(WorldCounts::Auto.candidates(u64::MAX).last(), Some(&AUTO_MAX));
        assert!(WorldCounts::Auto.stop_after(1.5, 2.0));
        assert!(!WorldCounts::List(vec![1]).stop_after(1.5, 2.0));
    }

    #[test]
    fn time_box_runs_at_least_one_step_and_stops() {
        let bar = ProgressBar::hidden();
        let t = time_box(0.0, 10, &bar, |_| Ok(())).unwrap();
        assert_eq!(t.steps, 1);
        let mut calls = 0;
        let t = time_box(0.05, 10, &bar, |n| {
            calls += 1;
            std::thread::sleep(std::time::Duration::from_millis(n as u64));
            Ok(())
        })
        .unwrap();
        assert!(t.seconds >= 0.05 && t.steps >= calls);
    }
}
