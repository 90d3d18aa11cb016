//! Host mirrors of `shaders/env/params.wgsl` (`#[repr(C)]`, bytemuck `Pod`); a test checks sizes
//! and member offsets against naga's layout. Field meanings are documented in the WGSL.

#![allow(missing_docs)]

use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct EnvParams {
    pub nworld: u32,
    pub nobs: u32,
    pub max_steps: u32,
    pub seed: u32,
    pub root_qpos: u32,
    pub root_dof: u32,
    pub root_body: u32,
    pub pelvis: u32,
    pub nfoot: u32,
    pub nslot: u32,
    pub action_map: u32,
    pub fatigue: u32,
    pub ctrl_dt: f32,
    pub qpos_noise: f32,
    pub qvel_noise: f32,
    pub stand_height: f32,
    pub scale_range: [f32; 4],
    pub forward: [f32; 4],
    pub fatigue_prm: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct WorldEnv {
    pub step: u32,
    pub frame0: u32,
    pub rng: u32,
    pub feet: u32,
    pub ret: f32,
    pub last_return: f32,
    pub last_length: u32,
    pub episodes: u32,
    pub terminations: u32,
    pub successes: u32,
    pub motion: u32,
    pub _pad1: u32,
    pub goal: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct ImitationParams {
    pub nmotion: u32,
    pub nmimic: u32,
    pub nlook: u32,
    pub fixed: u32,
    pub look: [u32; 4],
    pub weight_a: [f32; 4],
    pub weight_b: [f32; 4],
    pub scale_a: [f32; 4],
    pub scale_b: [f32; 4],
    pub terminate: [f32; 4],
    pub adaptive: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct MotionRow {
    pub start: u32,
    pub nframe: u32,
    pub cdf: f32,
    pub prob: f32,
    pub ended: u32,
    pub early: u32,
    pub ema_ended: f32,
    pub ema_early: f32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct LocomotionParams {
    pub weight_a: [f32; 4],
    pub weight_b: [f32; 4],
    pub speed: [f32; 4],
    pub terminate: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct ReachingParams {
    pub weight_a: [f32; 4],
    pub weight_b: [f32; 4],
    pub goal: [f32; 4],
    pub terminate: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct PoseParams {
    pub npose: u32,
    pub _pad0: u32,
    pub _pad1: u32,
    pub _pad2: u32,
    pub weight: [f32; 4],
    pub goal: [f32; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct PoseJoint {
    pub qpos_adr: u32,
    pub _pad: u32,
    pub lo: f32,
    pub hi: f32,
}

/// (struct name, size, member offsets) of every mirror, for the layout test.
pub fn mirrors() -> Vec<(&'static str, usize, Vec<usize>)> {
    use std::mem::{offset_of, size_of};
    macro_rules! m {
        ($t:ident: $($f:ident),*) => {
            (stringify!($t), size_of::<$t>(), vec![$(offset_of!($t, $f)),*])
        };
    }
    vec![
        m!(EnvParams: nworld, nobs, max_steps, seed, root_qpos, root_dof, root_body, pelvis, nfoot, nslot,
           action_map, fatigue, ctrl_dt, qpos_noise, qvel_noise, stand_height, scale_range, forward, fatigue_prm),
        m!(WorldEnv: step, frame0, rng, feet, ret, last_return, last_length, episodes, terminations, successes,
           motion, _pad1, goal),
        m!(ImitationParams: nmotion, nmimic, nlook, fixed, look, weight_a, weight_b, scale_a, scale_b, terminate,
           adaptive),
        m!(MotionRow: start, nframe, cdf, prob, ended, early, ema_ended, ema_early),
        m!(LocomotionParams: weight_a, weight_b, speed, terminate),
        m!(ReachingParams: weight_a, weight_b, goal, terminate),
        m!(PoseParams: npose, _pad0, _pad1, _pad2, weight, goal),
        m!(PoseJoint: qpos_adr, _pad, lo, hi),
    ]
}
