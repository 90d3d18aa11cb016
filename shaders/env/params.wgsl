// Environment structs shared by the env kernels (host mirrors: src/env/layout.rs, checked by a
// layout test). Per-world arrays are world-major like the simulator's.

// Settings of one environment (uniform).
struct EnvParams {
    nworld: u32, nobs: u32, max_steps: u32, seed: u32,
    // qpos/dof address and body of the free root; the pelvis body (relative sites, height, tilt)
    root_qpos: u32, root_dof: u32, root_body: u32, pelvis: u32,
    nfoot: u32, nslot: u32, action_map: u32, fatigue: u32,  // action_map: 0 linear, 1 sigmoid
    ctrl_dt: f32, qpos_noise: f32, qvel_noise: f32, stand_height: f32,
    scale_range: vec4<f32>,  // strength lo, hi, mass lo, hi
    forward: vec4<f32>,      // walking direction in the root frame (xyz)
    fatigue_prm: vec4<f32>,  // 3CC-r F, R, r, and the fatigue update's dt (one control step)
}

// Per-world episode state (storage, read_write).
struct WorldEnv {
    step: u32,         // control steps in the current episode
    frame0: u32,       // imitation: frame of the world's motion at the episode's start
    rng: u32,          // random stream state
    feet: u32,         // foot-contact bits after the last step
    ret: f32,          // return of the current episode so far
    last_return: f32,  // return of the last finished episode
    last_length: u32,  // length of the last finished episode (control steps)
    episodes: u32,     // finished episodes
    terminations: u32, // episodes that ended by a termination rule (not truncation)
    successes: u32,    // reaching: targets reached (all episodes)
    motion: u32,       // imitation: the motion the world tracks (its index in the library)
    _pad1: u32,
    goal: vec4<f32>, // locomotion: (speed, -, -, -); reaching: target (x, y, z) and last distance
}

// Motion imitation (uniform).
struct ImitationParams {
    nmotion: u32, nmimic: u32, nlook: u32,
    fixed: u32,             // 1: reset keeps each world's motion and starts it at frame 0, no noise
                            // (per-motion evaluation); 0: reset draws a motion and a start frame
    look: vec4<u32>,        // look-ahead offsets in control steps (first nlook used)
    weight_a: vec4<f32>,    // qpos, qvel, root_pos, root_vel
    weight_b: vec4<f32>,    // site_pos, site_quat, site_vel, -
    scale_a: vec4<f32>,     // kernel scales, same order
    scale_b: vec4<f32>,
    terminate: vec4<f32>,   // mean site deviation, root deviation, -, -
    adaptive: vec4<f32>,    // adaptive sampling: EMA rate beta, exponent alpha, uniform floor, -
}

// One motion of the imitation library (storage, read_write): where its frames are, how likely
// reset is to draw it, and adaptive sampling's episode counts and their moving averages.
struct MotionRow {
    start: u32,             // first library frame
    nframe: u32,            // frames at the control rate
    cdf: f32,               // cumulative sampling probability up to and including this motion
    prob: f32,              // its sampling probability
    ended: atomic<u32>,     // episodes on it that ended since the last adaptation
    early: atomic<u32>,     // of them, ended by a termination rule
    ema_ended: f32,         // moving averages of those counts per adaptation
    ema_early: f32,
}

// Target-velocity locomotion (uniform).
struct LocomotionParams {
    weight_a: vec4<f32>,    // alive, velocity, footstep, upright
    weight_b: vec4<f32>,    // support, effort, -, -
    speed: vec4<f32>,       // target speed lo, hi; velocity kernel scale; -
    terminate: vec4<f32>,   // min pelvis height, max tilt (rad), -, -
}

// Walking to targets on the floor (uniform).
struct ReachingParams {
    weight_a: vec4<f32>,    // alive, progress, arrival bonus, upright
    weight_b: vec4<f32>,    // effort, -, -, -
    goal: vec4<f32>,      // distance lo, hi; arrival radius; -
    terminate: vec4<f32>,   // min pelvis height, max tilt (rad), -, -
}

// Reaching a target joint configuration (MyoSuite's pose tasks, uniform).
struct PoseParams {
    npose: u32, _pad0: u32, _pad1: u32, _pad2: u32,
    weight: vec4<f32>,      // pose error (subtracted), bonus, effort (subtracted), -
    goal: vec4<f32>,        // success threshold (rad or m), fraction of each range targets span, -, -
}

// One joint of a pose task (storage, read).
struct PoseJoint {
    qpos_adr: u32, _pad: u32,
    lo: f32, hi: f32,       // the joint's range
}
