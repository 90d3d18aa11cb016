//! Which sites the position stage computes. MuJoCo's `mj_kinematics` places every site; sinew
//! places only the sites something reads — the tendons' path points and side sites, and what the
//! caller asks for (an environment's mimic sites) — since a model such as MuscleMimic's full body
//! carries 2,021 sites of which its 424 tendons read 1,602. `state.site_xpos` keeps the model's
//! site numbering; a site outside the set stays at the origin.

use crate::gpu::GpuContext;
use crate::model::{Model, WrapType};

/// The sites a simulation computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sites {
    /// Every site of the model, as MuJoCo does.
    All,
    /// The sites the simulation itself reads (tendon path points and side sites), and these.
    Read(Vec<usize>),
}

impl Default for Sites {
    fn default() -> Self {
        Sites::Read(Vec::new())
    }
}

impl Sites {
    /// The site ids to compute for `m`, ascending, without repeats. Ids past the model's sites
    /// are left out (the callers resolved them by name).
    pub fn ids(&self, m: &Model) -> Vec<usize> {
        let mut ids: Vec<usize> = match self {
            Sites::All => return (0..m.nsite).collect(),
            Sites::Read(extra) => extra.iter().copied().filter(|s| *s < m.nsite).collect(),
        };
        for k in 0..m.wrap_type.len() {
            match m.wrap_type[k] {
                WrapType::Site => ids.push(m.wrap_objid[k]),
                WrapType::Sphere | WrapType::Cylinder if m.wrap_prm[k] >= 0.0 => {
                    ids.push(m.wrap_prm[k] as usize)
                }
                _ => {}
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The table kinematics.wgsl reads as `site_list`: the count, then the ids ((1 + n) u32).
    pub fn gpu_table(&self, m: &Model) -> Vec<u32> {
        let ids = self.ids(m);
        std::iter::once(ids.len() as u32).chain(ids.iter().map(|s| *s as u32)).collect()
    }

    /// The table on the GPU, bound as `site_list`.
    pub fn upload(&self, ctx: &GpuContext, m: &Model) -> wgpu::Buffer {
        ctx.storage_from("model.site_list", &self.gpu_table(m))
    }
}
