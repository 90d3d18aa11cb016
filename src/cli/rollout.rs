//! `sinew rollout MODEL --ctrl FILE.npy --out TRAJ.npz`: open-loop rollouts on the GPU.

use std::path::PathBuf;

use clap::Args;
use sinew::model::{Model, disable};
use sinew::npio::{self, Array};
use sinew::sim::rollout::{ControlLayout, InitState, Record, rollout_recording};
use sinew::{Error, Result};

/// Arguments of `sinew rollout`.
#[derive(Args)]
pub struct RolloutArgs {
    /// MJCF file or short name of a fetched model.
    pub model: String,
    /// Controls: float32 .npy shaped (steps, nu), the same for every world, or (nworld, steps, nu).
    #[arg(long)]
    pub ctrl: PathBuf,
    /// Output .npz, float32 (steps, nworld, n): qpos, qvel, act, actuator_force, ten_length, qacc,
    /// actuator_length, actuator_velocity and the controls applied (ctrl); with --contact-forces
    /// also cfrc_ext (steps, nworld, nbody, 6).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write cfrc_ext: each body's contact wrench per step (torque then force, about the
    /// subtree com of its tree, world axes), MuJoCo's cfrc_ext after mj_rnePostConstraint less
    /// the pull of actuated tendons MuJoCo 4.0 adds to it, from the solver's contact forces.
    #[arg(long)]
    pub contact_forces: bool,
    /// Number of worlds (default: from --ctrl if it is 3-D, else 1).
    #[arg(long)]
    pub nworld: Option<usize>,
    /// Steps to run (default: all rows of --ctrl).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Initial state: .npz with qpos, qvel, act, each (n) or (nworld, n); default qpos0 at rest.
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Physics to disable, comma separated, by MuJoCo's flag names (e.g. constraint,contact).
    #[arg(long, value_delimiter = ',')]
    pub disable: Vec<String>,
    /// The solver's budget over the model's `<option>`, e.g. `iterations=4,ls_iterations=8`
    /// (also `tolerance=1e-6`).
    #[arg(long, value_delimiter = ',')]
    pub option: Vec<String>,
}

/// Run the rollout and write the trajectory.
pub fn run(args: &RolloutArgs) -> Result<()> {
    let path = sinew::models::resolve(&args.model)?;
    let mut m = sinew::mjcf::load_model(&path)?;
    m.opt.disableflags |= disable::bits(&args.disable).map_err(|e| Error::Model(format!("--disable {e}")))?;
    sinew::solver_budget::SolverBudget::parse(&args.option)?.apply(&mut m.opt);
    let ctrl = npio::load_npy(&args.ctrl)?;
    let ctx = sinew::gpu::GpuContext::new()?;
    // a world count the adapter cannot hold is refused before anything is sized by it
    let footprint = sinew::sim::Sim::footprint(&ctx, &m, sinew::sim::contact::DEFAULT_CONTACT_CAPACITY)?;
    let fits = |nworld: usize| footprint.check(&ctx, &args.model, nworld);
    let (nworld, steps, ctrl) = controls(&m, &ctrl, &args.ctrl, args.nworld, args.steps, fits)?;
    let init = match &args.init {
        Some(p) => initial_state(&m, p, nworld)?,
        None => InitState::rest(&m, nworld),
    };
    // a bad output path is an error now, not after the simulation
    sinew::atomic_file::check_writable(&args.out)?;
    let start = std::time::Instant::now();
    let record = Record { contact_forces: args.contact_forces };
    let t = rollout_recording(&ctx, &m, nworld, steps, &init, &ctrl, record)?;
    let secs = start.elapsed().as_secs_f64();
    let bad: Vec<usize> = (0..nworld).filter(|w| t.nonfinite[*w]).collect();
    if !bad.is_empty() {
        eprintln!(
            "rollout: {} of {nworld} worlds went non-finite (worlds {:?}); the others are unaffected",
            bad.len(),
            bad
        );
    }
    let over: Vec<(usize, u32)> =
        t.contact_overflow.iter().enumerate().filter(|(_, n)| **n > 0).map(|(w, n)| (w, *n)).collect();
    if !over.is_empty() {
        eprintln!(
            "rollout: {} of {nworld} worlds had more contacts than the per-world capacity ({}) and dropped \
             some; (world, steps): {over:?}",
            over.len(),
            sinew::sim::contact::DEFAULT_CONTACT_CAPACITY
        );
    }
    let arr = |data: Vec<f32>, n: usize| Array { shape: vec![steps, nworld, n], data };
    let mut out = vec![
        ("qpos", arr(t.qpos, m.nq)),
        ("qvel", arr(t.qvel, m.nv)),
        ("act", arr(t.act, m.na)),
        ("actuator_force", arr(t.actuator_force, m.nu)),
        ("ten_length", arr(t.ten_length, m.ntendon)),
        ("qacc", arr(t.qacc, m.nv)),
        ("actuator_length", arr(t.actuator_length, m.nu)),
        ("actuator_velocity", arr(t.actuator_velocity, m.nu)),
        ("ctrl", arr(ctrl, m.nu)),
    ];
    if args.contact_forces {
        out.push(("cfrc_ext", Array { shape: vec![steps, nworld, m.nbody, 6], data: t.cfrc_ext }));
    }
    let refs: Vec<(&str, &Array)> = out.iter().map(|(n, a)| (*n, a)).collect();
    npio::save_npz(&args.out, &refs)?;
    eprintln!(
        "rollout: {steps} steps × {nworld} worlds of {} in {secs:.2} s on {} -> {}",
        path.display(),
        ctx.summary().name,
        args.out.display()
    );
    Ok(())
}

/// The controls `c` (read from `path`) as (nworld, steps, steps × nworld × nu) with worlds
/// innermost per step, for `--nworld` and `--steps` when given; `fits` checks the world count
/// before the controls are expanded to it.
pub(crate) fn controls(
    m: &Model,
    c: &Array,
    path: &std::path::Path,
    want_nworld: Option<usize>,
    want_steps: Option<usize>,
    fits: impl FnOnce(usize) -> Result<()>,
) -> Result<(usize, usize, Vec<f32>)> {
    let bad = |msg: String| Error::Model(format!("--ctrl {}: {msg}", path.display()));
    let layout = ControlLayout::of(m, &c.shape, want_nworld, want_steps).map_err(bad)?;
    fits(layout.nworld)?;
    Ok((layout.nworld, layout.steps, layout.expand(m, &c.data)))
}

/// An initial state file: each of qpos, qvel, act shaped (n) (all worlds) or (nworld, n).
pub(crate) fn initial_state(m: &Model, path: &std::path::Path, nworld: usize) -> Result<InitState> {
    const KEYS: [&str; 3] = ["qpos", "qvel", "act"];
    let names = npio::npz_names(path)?;
    let unknown: Vec<&String> = names.iter().filter(|n| !KEYS.contains(&n.as_str())).collect();
    if !unknown.is_empty() || names.is_empty() {
        return Err(Error::Model(format!(
            "--init {}: {}; it may hold only qpos, qvel and act",
            path.display(),
            if names.is_empty() {
                "holds no arrays".to_string()
            } else {
                format!("unknown arrays {unknown:?}")
            }
        )));
    }
    let arrays = npio::load_npz(path, &KEYS)?;
    let mut init = InitState::rest(m, nworld);
    for (name, a) in KEYS.iter().zip(arrays) {
        if let Some(a) = a {
            init.set(m, nworld, name, &a.shape, &a.data)
                .map_err(|e| Error::Model(format!("--init {}: {e}", path.display())))?;
        }
    }
    Ok(init)
}
