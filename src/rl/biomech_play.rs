//! A run's deterministic policy played for a biomechanical report: `episodes` worlds of the run's
//! task, built with contact wrenches on (`SimOptions::contact_forces`), stepped with the policy's
//! mean action; after every control step the configuration, controls, activations, muscle
//! lengths and velocities and the bodies' contact wrenches are read back, until each world's
//! first episode ends (the sample of the ending step, already reset, is not kept).

use std::path::{Path, PathBuf};

use super::eval::{check_fits, load_run};
use super::mixture::deployed_of;
use crate::biomech::recording::{Episode, Recording};
use crate::env::Env;
use crate::env::config::EnvFile;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;

/// What playing a run gives: its model, its environment file (feet, task) and the recording.
pub struct Played {
    /// The checkpoint played.
    pub checkpoint: PathBuf,
    /// The run's model (its env options applied).
    pub model: Model,
    /// The run's environment file.
    pub env: EnvFile,
    /// One episode per world.
    pub recording: Recording,
}

/// Play `episodes` episodes of `path` (a checkpoint or a run directory: its latest), each at
/// most `max_steps` control steps (default: the env's episode limit).
pub fn play(ctx: &GpuContext, path: &Path, episodes: usize, max_steps: Option<usize>) -> Result<Played> {
    if episodes == 0 {
        return Err(Error::Config("biomech needs at least one episode".into()));
    }
    let (ckpt_path, ckpt, cfg) = load_run(path)?;
    let env = Env::with_contact_forces(ctx, &cfg.env, episodes)?;
    check_fits(&ckpt_path, &ckpt, &env)?;
    let policy = deployed_of(&ckpt)?;
    let m = &env.model;
    let st = env.sim.state();
    let limit = max_steps.unwrap_or(cfg.env.env.max_steps as usize).max(1);
    let mut eps = vec![Episode::default(); episodes];
    let mut finished = vec![false; episodes];
    env.reset(ctx);
    for _ in 0..limit {
        let obs = env.observations(ctx)?;
        env.write_actions(ctx, &policy.forward(&obs)?)?;
        env.step(ctx);
        let done = env.dones(ctx)?;
        let f = |b: &wgpu::Buffer| -> Result<Vec<f64>> {
            Ok(st.download::<f32>(ctx, b)?.into_iter().map(f64::from).collect())
        };
        let (qpos, ctrl, act) = (f(&st.qpos)?, f(&st.ctrl)?, f(&st.act)?);
        let (len, vel) = (f(&st.actuator_length)?, f(&st.actuator_velocity)?);
        let wrench = st.download::<[f32; 4]>(ctx, &st.cfrc_ext)?;
        for w in 0..episodes {
            if finished[w] {
                continue;
            }
            if done[w] != 0 {
                finished[w] = true;
                continue;
            }
            let e = &mut eps[w];
            e.qpos.extend_from_slice(&qpos[w * m.nq..(w + 1) * m.nq]);
            e.ctrl.extend_from_slice(&ctrl[w * m.nu..(w + 1) * m.nu]);
            e.act.extend_from_slice(&act[w * m.na..(w + 1) * m.na]);
            e.actuator_length.extend_from_slice(&len[w * m.nu..(w + 1) * m.nu]);
            e.actuator_velocity.extend_from_slice(&vel[w * m.nu..(w + 1) * m.nu]);
            for b in 0..m.nbody {
                let (t, f) = (wrench[(w * m.nbody + b) * 2], wrench[(w * m.nbody + b) * 2 + 1]);
                e.cfrc_ext.extend([t[0], t[1], t[2], f[0], f[1], f[2]].map(f64::from));
            }
        }
        if finished.iter().all(|f| *f) {
            break;
        }
    }
    // a world done at its first control step leaves no samples
    eps.retain(|e| !e.is_empty());
    if eps.is_empty() {
        return Err(Error::Config(format!(
            "{}: every episode ended at its first control step; nothing to analyse",
            ckpt_path.display()
        )));
    }
    let recording = Recording {
        dt: env.ctrl_dt,
        episodes: eps,
        source: format!("policy {} ({} episodes)", ckpt_path.display(), episodes),
    };
    Ok(Played { checkpoint: ckpt_path, model: env.model.clone(), env: cfg.env.clone(), recording })
}
