//! [`StepReadback`]: everything a host-side caller (the Python vector environment) needs after a
//! control step — observations, rewards, done flags, final observations and the worlds' episode
//! records — copied on the GPU into one staging buffer and read back with a single map.

use super::Env;
use super::layout::WorldEnv;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// Host-side copies of a step's outputs, each world-major.
#[derive(Debug, Clone, Default)]
pub struct StepOutputs {
    /// (nworld × nobs) observations (after any reset).
    pub obs: Vec<f32>,
    /// (nworld) rewards.
    pub reward: Vec<f32>,
    /// (nworld) done flags ([`super::DONE_TERMINATED`], [`super::DONE_TRUNCATED`]).
    pub done: Vec<u32>,
    /// (nworld × nobs) observations before the reset of ended worlds (zeros unless the env keeps
    /// them: [`Env::keep_final_observations`]).
    pub final_obs: Vec<f32>,
    /// (nworld) episode records (returns and lengths of the last finished episodes).
    pub world: Vec<WorldEnv>,
}

/// A staging buffer sized for one env's step outputs, reused every step.
pub struct StepReadback {
    staging: wgpu::Buffer,
    /// Byte offsets of obs, reward, done, final_obs, world in the staging buffer, and its size.
    at: [u64; 6],
}

impl StepReadback {
    /// A readback for `env`'s outputs.
    pub fn new(ctx: &GpuContext, env: &Env) -> Self {
        let (n, nobs) = (env.nworld as u64, env.nobs as u64);
        let sizes = [4 * n * nobs, 4 * n, 4 * n, 4 * n * nobs, n * std::mem::size_of::<WorldEnv>() as u64];
        let mut at = [0u64; 6];
        for (k, s) in sizes.iter().enumerate() {
            at[k + 1] = at[k] + s.next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT);
        }
        let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("env.step_readback"),
            size: at[5].max(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        StepReadback { staging, at }
    }

    /// Copy the outputs of `env`'s last step into `out` with one readback.
    pub fn read(&self, ctx: &GpuContext, env: &Env, out: &mut StepOutputs) -> Result<()> {
        let (n, nobs) = (env.nworld, env.nobs);
        if self.at[1] != (4 * n * nobs) as u64 {
            return Err(Error::Config("step readback made for another environment".into()));
        }
        let mut enc = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("env.readback") });
        let copy = |enc: &mut wgpu::CommandEncoder, src: &wgpu::Buffer, offset: u64, k: usize| {
            let size = self.at[k + 1] - self.at[k];
            if size > 0 {
                enc.copy_buffer_to_buffer(src, offset, &self.staging, self.at[k], size);
            }
        };
        copy(&mut enc, &env.obs.buffer, env.obs.offset, 0);
        copy(&mut enc, &env.reward.buffer, env.reward.offset, 1);
        copy(&mut enc, &env.done.buffer, env.done.offset, 2);
        if let Some(f) = &env.final_obs {
            copy(&mut enc, f, 0, 3);
        }
        copy(&mut enc, &env.world, 0, 4);
        ctx.submit(enc.finish());
        ctx.counters.readback();
        let bytes = ctx.read_mapped::<u8>(&self.staging, self.at[5])?;
        let part = |k: usize, len: usize| &bytes[self.at[k] as usize..self.at[k] as usize + len];
        // pod_collect: the mapped bytes carry no alignment guarantee for f32 or WorldEnv
        out.obs = bytemuck::pod_collect_to_vec(part(0, 4 * n * nobs));
        out.reward = bytemuck::pod_collect_to_vec(part(1, 4 * n));
        out.done = bytemuck::pod_collect_to_vec(part(2, 4 * n));
        out.final_obs = match env.final_obs {
            Some(_) => bytemuck::pod_collect_to_vec(part(3, 4 * n * nobs)),
            None => vec![0.0; n * nobs],
        };
        out.world = bytemuck::pod_collect_to_vec(part(4, n * std::mem::size_of::<WorldEnv>()));
        Ok(())
    }
}
