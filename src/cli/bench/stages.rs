//! Per-stage GPU time inside the recorded step, from timestamp queries: written between the
//! stages of the real step's compute pass where the adapter allows it (`in-pass`), else one
//! compute pass per stage with the pass's own begin/end timestamps (`per-pass`). Adapters with
//! no timestamp queries fall back to timing each stage dispatched alone (`each-alone`, done by
//! the caller).

use indicatif::ProgressBar;
use sinew::Result;
use sinew::gpu::GpuContext;
use sinew::sim::stages::Stage;

use super::timing::{Timed, time_box};

/// How per-stage times were taken (written into the bench output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageTiming {
    /// GPU timestamps between the stages inside the step's one compute pass.
    InPass,
    /// GPU timestamps at the start and end of one compute pass per stage.
    PerPass,
    /// Each stage dispatched alone, many times, timed on the host.
    EachAlone,
}

impl StageTiming {
    /// What the adapter allows.
    pub fn for_device(ctx: &GpuContext) -> Self {
        let f = ctx.device.features();
        if f.contains(wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES) {
            StageTiming::InPass
        } else if f.contains(wgpu::Features::TIMESTAMP_QUERY) {
            StageTiming::PerPass
        } else {
            StageTiming::EachAlone
        }
    }

    /// A phrase for tables.
    pub fn describe(&self) -> &'static str {
        match self {
            StageTiming::InPass => "GPU timestamps between the stages of the recorded step",
            StageTiming::PerPass => "GPU timestamps around each stage's own pass within the recorded step",
            StageTiming::EachAlone => "each stage dispatched alone (no timestamp queries on this adapter)",
        }
    }
}

/// wgpu's cap on the queries of one query set.
const MAX_QUERIES: usize = 4096;

/// Records steps with timestamps and accumulates each named stage's GPU time.
pub struct StageTimer {
    mode: StageTiming,
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    readback: wgpu::Buffer,
    per_step: usize,
    period_ns: f64,
    /// Distinct names in first-recorded order, and their total nanoseconds.
    names: Vec<&'static str>,
    total_ns: Vec<f64>,
    steps: usize,
}

impl StageTimer {
    /// A timer for steps made of `nstages` dispatches, if the adapter has timestamp queries.
    pub fn new(ctx: &GpuContext, nstages: usize) -> Option<Self> {
        let mode = StageTiming::for_device(ctx);
        let per_step = match mode {
            StageTiming::InPass => nstages + 1,
            StageTiming::PerPass => 2 * nstages,
            StageTiming::EachAlone => return None,
        };
        if per_step > MAX_QUERIES {
            return None;
        }
        let count = (MAX_QUERIES / per_step) * per_step;
        let queries = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("bench.stages"),
            ty: wgpu::QueryType::Timestamp,
            count: count as u32,
        });
        let bytes = (count * 8) as u64;
        let resolve = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bench.stages.resolve"),
            size: bytes,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let readback = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bench.stages.readback"),
            size: bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Some(StageTimer {
            mode,
            queries,
            resolve,
            readback,
            per_step,
            period_ns: ctx.queue.get_timestamp_period() as f64,
            names: Vec::new(),
            total_ns: Vec::new(),
            steps: 0,
        })
    }

    /// How the times are taken.
    pub fn mode(&self) -> StageTiming {
        self.mode
    }

    /// Most steps one [`StageTimer::run`] can record.
    pub fn max_steps(&self) -> usize {
        MAX_QUERIES / self.per_step
    }

    /// Record `n` steps of `stages` (one step's dispatches in order, named) with timestamps,
    /// submit, wait, and add each stage's GPU time.
    pub fn run(&mut self, ctx: &GpuContext, stages: &[(&'static str, &dyn Stage)], n: usize) -> Result<()> {
        let n = n.min(self.max_steps()).max(1);
        let mut enc =
            ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("steps") });
        match self.mode {
            StageTiming::InPass => {
                let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("steps"),
                    timestamp_writes: None,
                });
                for step in 0..n {
                    let base = (step * self.per_step) as u32;
                    pass.write_timestamp(&self.queries, base);
                    for (i, (_, s)) in stages.iter().enumerate() {
                        s.record(&mut pass);
                        pass.write_timestamp(&self.queries, base + i as u32 + 1);
                    }
                }
            }
            StageTiming::PerPass => {
                for step in 0..n {
                    for (i, (name, s)) in stages.iter().enumerate() {
                        let q = (step * self.per_step + 2 * i) as u32;
                        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                            label: Some(name),
                            timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                                query_set: &self.queries,
                                beginning_of_pass_write_index: Some(q),
                                end_of_pass_write_index: Some(q + 1),
                            }),
                        });
                        s.record(&mut pass);
                    }
                }
            }
            StageTiming::EachAlone => unreachable!("no timer is made without timestamp queries"),
        }
        let used = (n * self.per_step) as u32;
        enc.resolve_query_set(&self.queries, 0..used, &self.resolve, 0);
        enc.copy_buffer_to_buffer(&self.resolve, 0, &self.readback, 0, used as u64 * 8);
        ctx.submit(enc.finish());
        let ticks: Vec<u64> = ctx.read_mapped(&self.readback, used as u64 * 8)?;
        for step in 0..n {
            let t = &ticks[step * self.per_step..(step + 1) * self.per_step];
            for (i, (name, _)) in stages.iter().enumerate() {
                let (a, b) = match self.mode {
                    StageTiming::InPass => (t[i], t[i + 1]),
                    _ => (t[2 * i], t[2 * i + 1]),
                };
                let ns = b.saturating_sub(a) as f64 * self.period_ns;
                match self.names.iter().position(|x| x == name) {
                    Some(k) => self.total_ns[k] += ns,
                    None => {
                        self.names.push(name);
                        self.total_ns.push(ns);
                    }
                }
            }
        }
        self.steps += n;
        Ok(())
    }

    /// Each stage's mean GPU milliseconds per recorded step (a stage recorded several times per
    /// step, such as the physics in a control step, is summed over its repeats).
    pub fn mean_ms(&self) -> Vec<(String, f64)> {
        let steps = self.steps.max(1) as f64;
        self.names.iter().zip(&self.total_ns).map(|(n, ns)| (n.to_string(), ns / steps / 1e6)).collect()
    }
}

/// Each stage dispatched alone `reps` times (one submit and wait per stage): the fallback when
/// there are no timestamp queries. Mean milliseconds per dispatch set, summed by name.
pub fn each_alone(
    ctx: &GpuContext,
    stages: &[(&'static str, &dyn Stage)],
    reps: usize,
) -> Result<Vec<(String, f64)>> {
    let reps = reps.max(1);
    let mut out: Vec<(String, f64)> = Vec::new();
    for (name, stage) in stages {
        let start = std::time::Instant::now();
        for _ in 0..reps {
            sinew::sim::stages::run(ctx, &[*stage]);
        }
        ctx.wait()?;
        let ms = start.elapsed().as_secs_f64() * 1e3 / reps as f64;
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, total)) => *total += ms,
            None => out.push((name.to_string(), ms)),
        }
    }
    Ok(out)
}

/// What [`time_steps`] measured.
pub struct StepTimes {
    /// Steps and wall time.
    pub timed: Timed,
    /// How `stage_ms` was taken, when stages were asked for.
    pub stage_timing: Option<StageTiming>,
    /// Mean milliseconds per step of each named stage.
    pub stage_ms: Vec<(String, f64)>,
}

/// Time steps for `seconds` of wall time. `run(n)` records, submits and waits for `n` steps of
/// the dispatches `named` lists. With `stages`, the timed steps are recorded stage by stage with
/// GPU timestamps (so the figures come from the very steps timed); on adapters without timestamp
/// queries the steps run as `run` records them and each stage is then dispatched alone.
pub fn time_steps(
    ctx: &GpuContext,
    seconds: f64,
    stages: bool,
    bar: &ProgressBar,
    named: &[(&'static str, &dyn Stage)],
    run: impl Fn(usize) -> Result<()>,
) -> Result<StepTimes> {
    bar.set_message("timed");
    let mut timer = if stages { StageTimer::new(ctx, named.len()) } else { None };
    let timed = match timer.as_mut() {
        Some(timer) => {
            let max = timer.max_steps();
            time_box(seconds, max, bar, |n| timer.run(ctx, named, n))?
        }
        None => time_box(seconds, usize::MAX, bar, run)?,
    };
    let (stage_timing, stage_ms) = match (&timer, stages) {
        (Some(t), _) => (Some(t.mode()), t.mean_ms()),
        (None, true) => {
            bar.set_message("stages alone");
            let reps = ((seconds / timed.per_step()) as usize).clamp(1, 50);
            (Some(StageTiming::EachAlone), each_alone(ctx, named, reps)?)
        }
        (None, false) => (None, Vec::new()),
    };
    Ok(StepTimes { timed, stage_timing, stage_ms })
}
