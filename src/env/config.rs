//! Environment configuration: the TOML an environment is built from (`configs/*.toml`, section
//! `[env]` and one task section), with defaults for every field and clear errors for bad values.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::sampling::{AdaptiveSampling, Sampling};
use crate::config_check::{Ranges, reject_non_finite};
use crate::error::{Error, Result};

/// How a policy's raw output `a` becomes a muscle excitation in \[0, 1\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ActionMap {
    /// `clamp((a + 1) / 2, 0, 1)`: a policy output in \[-1, 1\] spans the excitation range.
    #[default]
    Linear,
    /// MyoSuite's `1 / (1 + exp(-5 (a - 0.5)))`.
    Sigmoid,
}

/// Settings every task shares.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnvConfig {
    /// Model: a short name of a fetched model or an MJCF path.
    pub model: String,
    /// Physics steps per control step (control at 1 / (frame_skip · timestep) Hz).
    pub frame_skip: u32,
    /// Control steps after which an episode is truncated.
    pub max_steps: u32,
    /// Seed of every world's random stream.
    pub seed: u32,
    /// Policy output → excitation.
    pub action_map: ActionMap,
    /// Run MyoSuite's 3CC-r muscle fatigue between the excitation and the activation dynamics.
    pub fatigue: bool,
    /// Per-world randomisation at reset.
    pub randomize: Randomize,
    /// Bodies whose contacts count as a foot's contact (observations, footstep reward): one
    /// list per foot; a body counts with its descendants.
    pub feet: Vec<Vec<String>>,
    /// The body whose frame is the "pelvis" (relative sites, heading, height and tilt).
    pub pelvis: String,
    /// Walking direction in the free root's frame (the model's forward at qpos0).
    pub forward: [f32; 3],
    /// Root height (m) of the standing start of locomotion and reaching (root xy from qpos0).
    pub stand_height: f32,
    /// Contact capacity per world (see `Step::with_contact_capacity`).
    pub contact_capacity: usize,
    /// The solver's budget (`iterations`, `ls_iterations`, `tolerance`) where it should differ
    /// from the model's `<option>`.
    pub option: crate::solver_budget::SolverBudget,
}

impl Default for EnvConfig {
    fn default() -> Self {
        EnvConfig {
            model: "myolegs_walk".into(),
            frame_skip: 5,
            max_steps: 1000,
            seed: 0,
            action_map: ActionMap::Linear,
            fatigue: false,
            randomize: Randomize::default(),
            feet: vec![vec!["calcn_r".into()], vec!["calcn_l".into()]],
            pelvis: "pelvis".into(),
            forward: [0.0, -1.0, 0.0],
            // myolegs_walk: the gait motion's double-support height (tools/make_gait_motion.py)
            stand_height: 0.94,
            contact_capacity: crate::sim::contact::DEFAULT_CONTACT_CAPACITY,
            option: Default::default(),
        }
    }
}

/// Per-world randomisation, drawn at every reset.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Randomize {
    /// Muscle strength scale range \[lo, hi\] (multiplies muscle forces).
    pub strength: [f32; 2],
    /// Body mass scale range \[lo, hi\] (multiplies every mass and inertia).
    pub mass: [f32; 2],
    /// Half-width of the uniform noise added to hinge and slide joint positions (rad or m).
    pub qpos_noise: f32,
    /// Half-width of the uniform noise added to every joint velocity.
    pub qvel_noise: f32,
}

impl Default for Randomize {
    fn default() -> Self {
        Randomize { strength: [1.0, 1.0], mass: [1.0, 1.0], qpos_noise: 0.0, qvel_noise: 0.0 }
    }
}

/// Motion imitation (MuscleMimic / KINESIS).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImitationConfig {
    /// Reference motions: an npz file (the project's own, `qpos` (T × nq) and `fps`, or
    /// LocoMuJoCo's trajectory file holding several), a folder of them, or a list of either
    /// ([`crate::env::motion_library`]); relative paths from the config's folder.
    #[serde(deserialize_with = "one_or_many")]
    pub motion: Vec<PathBuf>,
    /// How reset picks each world's motion: "uniform", "duration" (by length) or "adaptive"
    /// (by how often its episodes end early; [`crate::env::sampling`]).
    pub sampling: Sampling,
    /// Adaptive sampling's settings (`[imitation.adaptive]`, used when sampling = "adaptive").
    pub adaptive: AdaptiveSampling,
    /// Mimic sites (their positions, orientations and velocities relative to the pelvis are tracked).
    pub sites: Vec<String>,
    /// Look-ahead reference frames in the observation (control steps ahead; at most 4).
    pub lookahead: Vec<u32>,
    /// Reward weights.
    pub weights: ImitationTerms,
    /// Kernel scales: each term is `exp(-scale · error)`.
    pub scales: ImitationTerms,
    /// End the episode when the mean relative site deviation passes this (m).
    pub terminate_site_deviation: f32,
    /// End the episode when the pelvis is this far from the reference's (m).
    pub terminate_root_deviation: f32,
}

/// A path, or a list of paths.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<PathBuf>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(PathBuf),
        Many(Vec<PathBuf>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(p) => vec![p],
        OneOrMany::Many(v) => v,
    })
}

/// One number per imitation reward term.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImitationTerms {
    /// Joint positions (mean squared error over non-root qpos).
    pub qpos: f32,
    /// Joint velocities (mean squared error over non-root dofs).
    pub qvel: f32,
    /// Root position (squared distance).
    pub root_pos: f32,
    /// Root linear velocity (squared difference).
    pub root_vel: f32,
    /// Mimic-site positions relative to the pelvis (mean squared distance).
    pub site_pos: f32,
    /// Mimic-site orientations relative to the pelvis (mean squared angle).
    pub site_quat: f32,
    /// Mimic-site velocities relative to the pelvis (mean squared difference).
    pub site_vel: f32,
}

impl Default for ImitationConfig {
    fn default() -> Self {
        ImitationConfig {
            motion: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/motions/myolegs_walk.npz")],
            sampling: Sampling::default(),
            adaptive: AdaptiveSampling::default(),
            sites: ["HJC_r", "KJC_r", "AJC_r", "TOE_r", "HJC_l", "KJC_l", "AJC_l", "TOE_l"]
                .map(String::from)
                .to_vec(),
            lookahead: vec![1, 5],
            // MuscleMimic's default weights
            weights: ImitationTerms {
                qpos: 0.1,
                qvel: 0.1,
                root_pos: 0.1,
                root_vel: 0.1,
                site_pos: 0.6,
                site_quat: 0.01,
                site_vel: 0.1,
            },
            scales: ImitationTerms {
                qpos: 5.0,
                qvel: 0.05,
                root_pos: 10.0,
                root_vel: 1.0,
                site_pos: 100.0,
                site_quat: 2.0,
                site_vel: 0.5,
            },
            terminate_site_deviation: 0.15,
            terminate_root_deviation: 0.5,
        }
    }
}

/// Locomotion at a target velocity (MyoSuite / osim-rl).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocomotionConfig {
    /// Target forward speed range (m/s), drawn per episode.
    pub target_speed: [f32; 2],
    /// Weight of each reward term.
    pub weights: LocomotionTerms,
    /// Scale of the velocity-tracking kernel `exp(-scale · |v − v*|²)`.
    pub velocity_scale: f32,
    /// Pelvis height below which the episode ends (m).
    pub min_height: f32,
    /// Pelvis tilt from upright beyond which the episode ends (rad).
    pub max_tilt: f32,
}

/// Locomotion reward weights.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocomotionTerms {
    /// Per step alive.
    pub alive: f32,
    /// Velocity tracking kernel.
    pub velocity: f32,
    /// Per foot touch-down (a foot's contact going from none to some).
    pub footstep: f32,
    /// Uprightness: the pelvis' up axis · world up.
    pub upright: f32,
    /// Body support: pelvis height relative to the standing height, capped at 1.
    pub support: f32,
    /// Muscle effort: mean squared activation (subtracted).
    pub effort: f32,
}

impl Default for LocomotionConfig {
    fn default() -> Self {
        LocomotionConfig {
            target_speed: [1.0, 1.5],
            weights: LocomotionTerms {
                alive: 1.0,
                velocity: 2.0,
                footstep: 0.5,
                upright: 0.5,
                support: 0.5,
                effort: 0.1,
            },
            velocity_scale: 4.0,
            min_height: 0.65,
            max_tilt: 0.8,
        }
    }
}

/// Walking to a target point on the floor (KINESIS).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReachingConfig {
    /// Distance range of a new target from the pelvis (m).
    pub target_distance: [f32; 2],
    /// A target within this horizontal distance of the pelvis is reached (m).
    pub arrive_radius: f32,
    /// Per step alive.
    pub alive_weight: f32,
    /// Progress: metres gained towards the target per second.
    pub progress_weight: f32,
    /// Bonus on arrival.
    pub arrive_bonus: f32,
    /// Uprightness (pelvis up · world up).
    pub upright_weight: f32,
    /// Muscle effort: mean squared activation (subtracted).
    pub effort_weight: f32,
    /// Pelvis height below which the episode ends (m).
    pub min_height: f32,
    /// Pelvis tilt beyond which the episode ends (rad).
    pub max_tilt: f32,
}

impl Default for ReachingConfig {
    fn default() -> Self {
        ReachingConfig {
            target_distance: [1.0, 4.0],
            arrive_radius: 0.3,
            alive_weight: 0.5,
            progress_weight: 2.0,
            arrive_bonus: 10.0,
            upright_weight: 0.5,
            effort_weight: 0.1,
            min_height: 0.65,
            max_tilt: 0.8,
        }
    }
}

/// Holding a target joint configuration (MyoSuite's pose tasks, e.g. myoElbowPose).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PoseConfig {
    /// Joints whose position is the pose (hinge or slide, limited); empty: every limited hinge
    /// and slide joint.
    pub joints: Vec<String>,
    /// Targets are drawn in this central fraction of each joint's range (1: the whole range).
    pub target_fraction: f32,
    /// Pose error (Euclidean over the pose joints, rad or m) under which the pose is met.
    pub success_threshold: f32,
    /// Weight of the pose error (subtracted).
    pub pose_weight: f32,
    /// Bonus per threshold met (error under the threshold, and under 1.5 × it).
    pub bonus_weight: f32,
    /// Muscle effort: mean squared activation (subtracted).
    pub effort_weight: f32,
}

impl Default for PoseConfig {
    fn default() -> Self {
        // MyoSuite's pose reward weights (pose 1, bonus 4, act_reg 1) and elbow threshold
        PoseConfig {
            joints: Vec::new(),
            target_fraction: 1.0,
            success_threshold: 0.175,
            pose_weight: 1.0,
            bonus_weight: 4.0,
            effort_weight: 1.0,
        }
    }
}

/// Which task, with its settings.
#[derive(Debug, Clone)]
pub enum TaskConfig {
    /// Motion imitation.
    Imitation(ImitationConfig),
    /// Target-velocity locomotion.
    Locomotion(LocomotionConfig),
    /// Walking to floor targets.
    Reaching(ReachingConfig),
    /// Holding a target joint configuration.
    Pose(PoseConfig),
}

impl TaskConfig {
    /// The task's name as configs and `sinew bench --task` spell it.
    pub fn name(&self) -> &'static str {
        match self {
            TaskConfig::Imitation(_) => "imitation",
            TaskConfig::Locomotion(_) => "locomotion",
            TaskConfig::Reaching(_) => "reaching",
            TaskConfig::Pose(_) => "pose",
        }
    }

    /// The task `name` with default settings.
    pub fn by_name(name: &str) -> Result<Self> {
        Ok(match name {
            "imitation" => TaskConfig::Imitation(ImitationConfig::default()),
            "locomotion" => TaskConfig::Locomotion(LocomotionConfig::default()),
            "reaching" => TaskConfig::Reaching(ReachingConfig::default()),
            "pose" => TaskConfig::Pose(PoseConfig::default()),
            other => {
                return Err(Error::Config(format!(
                    "unknown task '{other}' (imitation, locomotion, reaching or pose)"
                )));
            }
        })
    }
}

/// A whole environment file: `task = "..."`, `[env]` and the task's section.
#[derive(Debug, Clone)]
pub struct EnvFile {
    /// Shared settings.
    pub env: EnvConfig,
    /// The task.
    pub task: TaskConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    task: String,
    #[serde(default)]
    env: Option<toml::Value>,
    #[serde(default)]
    imitation: Option<toml::Value>,
    #[serde(default)]
    locomotion: Option<toml::Value>,
    #[serde(default)]
    reaching: Option<toml::Value>,
    #[serde(default)]
    pose: Option<toml::Value>,
    // a training config's own sections (read by `crate::rl::config`), allowed here so one file
    // describes both
    #[serde(default, rename = "train")]
    _train: Option<toml::Value>,
    #[serde(default, rename = "ppo")]
    _ppo: Option<toml::Value>,
    #[serde(default, rename = "policy")]
    _policy: Option<toml::Value>,
}

impl EnvFile {
    /// Parse TOML text; relative paths resolve against `base` (the config's folder).
    pub fn parse(text: &str, base: &Path, what: &str) -> Result<Self> {
        let table: toml::Table = text.parse().map_err(|e| Error::Config(format!("{what}: {e}")))?;
        Self::from_table(table, base, what)
    }

    /// Build from an already parsed TOML table (e.g. a training config after its overrides).
    pub fn from_table(table: toml::Table, base: &Path, what: &str) -> Result<Self> {
        reject_non_finite(&table, what)?;
        let raw: RawFile =
            toml::Value::Table(table).try_into().map_err(|e| Error::Config(format!("{what}: {e}")))?;
        let section = |v: Option<toml::Value>, name: &str| -> Result<toml::Value> {
            let v = v.unwrap_or_else(|| toml::Value::Table(Default::default()));
            if !v.is_table() {
                return Err(Error::Config(format!("{what}: [{name}] must be a table")));
            }
            Ok(v)
        };
        let bad =
            |name: &'static str| move |e: toml::de::Error| Error::Config(format!("{what}: [{name}]: {e}"));
        let mut env: EnvConfig = section(raw.env, "env")?.try_into().map_err(bad("env"))?;
        // a model given as a relative file path is relative to the config's folder
        let model_path = Path::new(&env.model);
        if (env.model.ends_with(".xml") || env.model.contains('/')) && model_path.is_relative() {
            env.model = base.join(model_path).display().to_string();
        }
        let task = match raw.task.as_str() {
            "imitation" => {
                let mut c: ImitationConfig =
                    section(raw.imitation, "imitation")?.try_into().map_err(bad("imitation"))?;
                for p in &mut c.motion {
                    if p.is_relative() {
                        *p = base.join(&*p);
                    }
                }
                TaskConfig::Imitation(c)
            }
            "locomotion" => TaskConfig::Locomotion(
                section(raw.locomotion, "locomotion")?.try_into().map_err(bad("locomotion"))?,
            ),
            "reaching" => {
                TaskConfig::Reaching(section(raw.reaching, "reaching")?.try_into().map_err(bad("reaching"))?)
            }
            "pose" => TaskConfig::Pose(section(raw.pose, "pose")?.try_into().map_err(bad("pose"))?),
            other => {
                return Err(Error::Config(format!(
                    "{what}: unknown task '{other}' (imitation, locomotion, reaching or pose)"
                )));
            }
        };
        let file = EnvFile { env, task };
        file.validate(what)?;
        Ok(file)
    }

    /// Read and parse a TOML file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path.parent().unwrap_or(Path::new(".")), &path.display().to_string())
    }

    fn validate(&self, what: &str) -> Result<()> {
        let e = &self.env;
        let err = |msg: String| Err(Error::Config(format!("{what}: {msg}")));
        if e.frame_skip == 0 || e.max_steps == 0 {
            return err("env.frame_skip and env.max_steps must be positive".into());
        }
        for (name, r) in [("strength", e.randomize.strength), ("mass", e.randomize.mass)] {
            if !(r[0] > 0.0 && r[0] <= r[1] && r[1].is_finite()) {
                return err(format!("env.randomize.{name} = {r:?}: need 0 < lo <= hi"));
            }
        }
        if e.randomize.qpos_noise < 0.0 || e.randomize.qvel_noise < 0.0 {
            return err("env.randomize noise must be >= 0".into());
        }
        let mut r = Ranges::default();
        r.positive("env.stand_height", e.stand_height as f64)
            .at_least("env.contact_capacity", e.contact_capacity, 1);
        match &self.task {
            TaskConfig::Imitation(c) => {
                let s = &c.scales;
                for (name, v) in [
                    ("qpos", s.qpos),
                    ("qvel", s.qvel),
                    ("root_pos", s.root_pos),
                    ("root_vel", s.root_vel),
                    ("site_pos", s.site_pos),
                    ("site_quat", s.site_quat),
                    ("site_vel", s.site_vel),
                ] {
                    r.non_negative(&format!("imitation.scales.{name}"), v as f64);
                }
                r.positive("imitation.terminate_site_deviation", c.terminate_site_deviation as f64)
                    .positive("imitation.terminate_root_deviation", c.terminate_root_deviation as f64);
            }
            TaskConfig::Locomotion(c) => {
                r.non_negative("locomotion.velocity_scale", c.velocity_scale as f64)
                    .positive("locomotion.max_tilt", c.max_tilt as f64)
                    .ordered("locomotion.target_speed", c.target_speed.map(f64::from));
            }
            TaskConfig::Reaching(c) => {
                r.non_negative("reaching.arrive_radius", c.arrive_radius as f64)
                    .positive("reaching.max_tilt", c.max_tilt as f64)
                    .non_negative("reaching.target_distance[0]", c.target_distance[0] as f64)
                    .ordered("reaching.target_distance", c.target_distance.map(f64::from));
            }
            TaskConfig::Pose(_) => {}
        }
        r.finish(what)?;
        e.option.validate("env.option")?;
        if e.feet.len() > 8 {
            return err(format!("env.feet lists {} feet; at most 8", e.feet.len()));
        }
        if let TaskConfig::Imitation(c) = &self.task {
            if c.lookahead.len() > 4 || c.lookahead.contains(&0) {
                return err("imitation.lookahead: at most 4 offsets, each >= 1".into());
            }
            if c.sites.is_empty() || c.sites.len() > 64 {
                return err("imitation.sites: 1 to 64 site names".into());
            }
            c.adaptive.validate()?;
        }
        if let TaskConfig::Pose(c) = &self.task {
            if !(c.target_fraction > 0.0 && c.target_fraction <= 1.0) {
                return err(format!("pose.target_fraction = {}: need 0 < f <= 1", c.target_fraction));
            }
            if !(c.success_threshold > 0.0) {
                return err("pose.success_threshold must be > 0".into());
            }
        }
        Ok(())
    }
}
