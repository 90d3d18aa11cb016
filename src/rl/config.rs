//! Training configuration: one TOML file holds the environment (`task`, `[env]`, the task's
//! section, as `crate::env::EnvFile` reads them) and the trainer's `[train]`, `[ppo]` and
//! `[policy]`; `key=value` overrides (like Hydra's) replace any field before parsing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::onnx::Activation;
use crate::config_check::{Ranges, reject_non_finite};
use crate::env::EnvFile;
use crate::error::{Error, Result};

/// The run: sizes, length, seeds, checkpoints.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Parallel worlds.
    pub nworld: usize,
    /// Control steps per world per iteration (the rollout horizon T).
    pub horizon: usize,
    /// Iterations (rollout + update) in the run.
    pub iterations: usize,
    /// Seed of the policy's initialisation and sampling (the worlds' streams use `env.seed`).
    pub seed: u64,
    /// Write a checkpoint every this many iterations (and at the end); 0: only at the end.
    pub checkpoint_every: usize,
    /// Multiply rewards by this before learning (logs report unscaled returns).
    pub reward_scale: f32,
    /// Over MPI, compare every rank's parameters (a checksum of their bits) every this many
    /// iterations, and stop with an error if they drifted apart; 0: never.
    pub rank_check_every: usize,
    /// Every this many iterations, draw one episode of the deterministic policy into
    /// `videos/iteration_<n>.mp4` and TensorBoard (an animated GIF at half size); 0: never.
    pub video_every: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            nworld: 1024,
            horizon: 32,
            iterations: 500,
            seed: 1,
            checkpoint_every: 50,
            reward_scale: 1.0,
            rank_check_every: 10,
            video_every: 0,
        }
    }
}

/// PPO's settings (defaults: rsl_rl / MuscleMimic-like).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PpoConfig {
    /// Discount γ.
    pub gamma: f32,
    /// GAE λ.
    pub lambda: f32,
    /// Ratio clip ε.
    pub clip: f32,
    /// Value clip (around the rollout's values); 0 disables value clipping.
    pub value_clip: f32,
    /// Entropy bonus coefficient.
    pub entropy_coef: f32,
    /// Value loss coefficient.
    pub value_coef: f32,
    /// Global gradient-norm clip (over every parameter); 0 disables it.
    pub max_grad_norm: f32,
    /// Adam learning rate (at the start).
    pub learning_rate: f32,
    /// Anneal the learning rate linearly to 0 over the run.
    pub anneal_lr: bool,
    /// Adam β1, β2, ε.
    pub adam_betas: [f32; 2],
    /// Adam ε.
    pub adam_eps: f32,
    /// Passes over each rollout.
    pub epochs: usize,
    /// Minibatches per pass (a fresh random permutation each pass, drawn on the GPU).
    pub minibatches: usize,
    /// Normalise advantages per minibatch.
    pub normalize_advantages: bool,
}

impl Default for PpoConfig {
    fn default() -> Self {
        PpoConfig {
            gamma: 0.99,
            lambda: 0.95,
            clip: 0.2,
            value_clip: 0.2,
            entropy_coef: 0.0,
            value_coef: 1.0,
            max_grad_norm: 1.0,
            learning_rate: 3e-4,
            anneal_lr: true,
            adam_betas: [0.9, 0.999],
            adam_eps: 1e-8,
            epochs: 5,
            minibatches: 4,
            normalize_advantages: true,
        }
    }
}

/// How a policy explores (what noise its sampled actions carry).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Exploration {
    /// a ~ N(μ, diag(σ²)).
    #[default]
    Gaussian,
    /// Lattice: a ~ N(μ, Wᵀ diag(σ_z²) W + diag(σ_a²)).
    Lattice,
}

/// What the actor network is.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// The actor outputs the action mean.
    #[default]
    Mlp,
    /// The actor is a gate over frozen experts (KINESIS' mixture of experts).
    Moe,
}

/// The actor-critic networks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Hidden layer sizes of the actor.
    pub actor_hidden: Vec<usize>,
    /// Hidden layer sizes of the critic.
    pub critic_hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// LayerNorm after each hidden linear layer.
    pub layer_norm: bool,
    /// Orthogonal initialisation (gain √2 hidden, 0.01 actor output, 1 critic output); else
    /// Burn's Kaiming-uniform.
    pub orthogonal_init: bool,
    /// Initial standard deviation of the Gaussian policy (log-std is learned, state-independent).
    pub init_std: f32,
    /// How actions are explored: "gaussian" (independent noise per action) or "lattice" (noise
    /// also on the last hidden layer, correlated through the action head: src/rl/lattice.rs).
    pub exploration: Exploration,
    /// Lattice: initial standard deviation of the latent noise (learned per latent).
    pub latent_init_std: f32,
    /// "mlp" (the actor is the policy) or "moe" (KINESIS' mixture: the actor is a gate scoring
    /// the frozen `experts`; the action is the chosen expert's, src/rl/mixture.rs).
    pub kind: PolicyKind,
    /// Mixture: the experts, each a checkpoint or run directory (its latest checkpoint) of a
    /// policy with this environment's observation and action sizes; relative paths from the
    /// config's folder.
    pub experts: Vec<PathBuf>,
    /// MuscleMimic's soft mixture-of-experts output layer: this many linear experts mixed by a
    /// softmax gate on the last hidden features (0: a plain linear output layer).
    pub soft_moe_experts: usize,
    /// Soft MoE: the gate's softmax temperature.
    pub soft_moe_temperature: f32,
    /// Soft MoE: weight of the load-balancing loss `K Σ_k p̄_k² − 1` (p̄ the minibatch's mean
    /// gate probabilities; 0 when every expert is used alike).
    pub soft_moe_balance: f32,
    /// Normalised observations are clipped to ±this.
    pub obs_clip: f32,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            actor_hidden: vec![256, 256, 256],
            critic_hidden: vec![256, 256, 256],
            activation: Activation::Elu,
            layer_norm: false,
            orthogonal_init: true,
            init_std: 0.5,
            exploration: Exploration::Gaussian,
            latent_init_std: 1.0,
            kind: PolicyKind::Mlp,
            experts: Vec::new(),
            soft_moe_experts: 0,
            soft_moe_temperature: 1.0,
            soft_moe_balance: 0.01,
            obs_clip: 10.0,
        }
    }
}

/// A whole training config.
#[derive(Debug, Clone)]
pub struct TrainFile {
    /// The environment.
    pub env: EnvFile,
    /// `[train]`.
    pub train: TrainConfig,
    /// `[ppo]`.
    pub ppo: PpoConfig,
    /// `[policy]`.
    pub policy: PolicyConfig,
    /// The merged TOML (file + overrides) the run was built from, for the run directory.
    pub resolved: toml::Table,
}

impl TrainFile {
    /// Read `path`, apply `overrides` (`section.key=value`, the value in TOML syntax, bare words
    /// taken as strings), and parse.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let what = path.display().to_string();
        let mut table: toml::Table = text.parse().map_err(|e| Error::Config(format!("{what}: {e}")))?;
        for o in overrides {
            apply_override(&mut table, o)?;
        }
        Self::from_table(table, path.parent().unwrap_or(Path::new(".")), &what)
    }

    /// Parse a merged table; relative paths resolve against `base`.
    pub fn from_table(table: toml::Table, base: &Path, what: &str) -> Result<Self> {
        reject_non_finite(&table, what)?;
        let section = |name: &str| -> Result<toml::Value> {
            match table.get(name) {
                None => Ok(toml::Value::Table(Default::default())),
                Some(v @ toml::Value::Table(_)) => Ok(v.clone()),
                Some(_) => Err(Error::Config(format!("{what}: [{name}] must be a table"))),
            }
        };
        let bad =
            |name: &'static str| move |e: toml::de::Error| Error::Config(format!("{what}: [{name}]: {e}"));
        let train: TrainConfig = section("train")?.try_into().map_err(bad("train"))?;
        let ppo: PpoConfig = section("ppo")?.try_into().map_err(bad("ppo"))?;
        let mut policy: PolicyConfig = section("policy")?.try_into().map_err(bad("policy"))?;
        for e in policy.experts.iter_mut().filter(|e| e.is_relative()) {
            *e = base.join(&*e);
        }
        let env = EnvFile::from_table(table.clone(), base, what)?;
        let file = TrainFile { env, train, ppo, policy, resolved: table };
        file.validate(what)?;
        Ok(file)
    }

    fn validate(&self, what: &str) -> Result<()> {
        let (t, p, n) = (&self.train, &self.ppo, &self.policy);
        let mut r = Ranges::default();
        r.at_least("train.nworld", t.nworld, 1)
            .at_least("train.horizon", t.horizon, 1)
            .at_least("train.iterations", t.iterations, 1)
            .positive("train.reward_scale", t.reward_scale as f64)
            .within("ppo.gamma", p.gamma as f64, (0.0, 1.0), true, false)
            .within("ppo.lambda", p.lambda as f64, (0.0, 1.0), false, false)
            .positive("ppo.clip", p.clip as f64)
            .non_negative("ppo.value_clip", p.value_clip as f64)
            .non_negative("ppo.entropy_coef", p.entropy_coef as f64)
            .non_negative("ppo.value_coef", p.value_coef as f64)
            .non_negative("ppo.max_grad_norm", p.max_grad_norm as f64)
            .positive("ppo.learning_rate", p.learning_rate as f64)
            .within("ppo.adam_betas[0]", p.adam_betas[0] as f64, (0.0, 1.0), false, true)
            .within("ppo.adam_betas[1]", p.adam_betas[1] as f64, (0.0, 1.0), false, true)
            .positive("ppo.adam_eps", p.adam_eps as f64)
            .at_least("ppo.epochs", p.epochs, 1)
            .at_least("ppo.minibatches", p.minibatches, 1)
            .positive("policy.init_std", n.init_std as f64)
            .positive("policy.latent_init_std", n.latent_init_std as f64)
            .positive("policy.soft_moe_temperature", n.soft_moe_temperature as f64)
            .non_negative("policy.soft_moe_balance", n.soft_moe_balance as f64)
            .positive("policy.obs_clip", n.obs_clip as f64);
        for (i, &h) in n.actor_hidden.iter().enumerate() {
            r.at_least(&format!("policy.actor_hidden[{i}]"), h, 1);
        }
        for (i, &h) in n.critic_hidden.iter().enumerate() {
            r.at_least(&format!("policy.critic_hidden[{i}]"), h, 1);
        }
        r.finish(what)?;
        match n.kind {
            PolicyKind::Moe if n.experts.len() < 2 => {
                return Err(Error::Config(format!(
                    "{what}: policy.kind = \"moe\" needs policy.experts to list two experts or more ({} given)",
                    n.experts.len()
                )));
            }
            PolicyKind::Moe if n.exploration == Exploration::Lattice => {
                return Err(Error::Config(format!(
                    "{what}: a mixture explores by its gate's choices; policy.exploration = \"lattice\" is for \
                     kind = \"mlp\""
                )));
            }
            PolicyKind::Mlp if !n.experts.is_empty() => {
                return Err(Error::Config(format!(
                    "{what}: policy.experts is set but policy.kind is \"mlp\"; set kind = \"moe\""
                )));
            }
            _ => {}
        }
        if n.soft_moe_experts == 1 {
            return Err(Error::Config(format!(
                "{what}: policy.soft_moe_experts = 1 mixes nothing; 0 (off) or 2 or more"
            )));
        }
        if n.soft_moe_experts > 0 && (n.kind == PolicyKind::Moe || n.exploration == Exploration::Lattice) {
            return Err(Error::Config(format!(
                "{what}: policy.soft_moe_experts is an output layer of a Gaussian MLP policy (kind = \"mlp\", \
                 exploration = \"gaussian\")"
            )));
        }
        if n.exploration == Exploration::Lattice && n.actor_hidden.is_empty() {
            return Err(Error::Config(format!(
                "{what}: policy.exploration = \"lattice\" puts noise on the actor's last hidden layer; \
                 policy.actor_hidden is empty"
            )));
        }
        if p.minibatches > t.nworld * t.horizon {
            return Err(Error::Config(format!(
                "{what}: ppo.minibatches = {} is more than the {} samples of a rollout (nworld × horizon)",
                p.minibatches,
                t.nworld * t.horizon
            )));
        }
        Ok(())
    }

    /// The resolved config as TOML text: the merged file with `[train]`, `[ppo]` and `[policy]`
    /// written out in full (defaults included).
    pub fn to_toml(&self) -> Result<String> {
        let mut t = self.resolved.clone();
        // file paths were resolved against the config's folder; write them absolute so the run
        // directory's copy works from anywhere
        let absolute =
            |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string();
        let model = Path::new(&self.env.env.model);
        if model.is_file() {
            set(&mut t, "env", "model", toml::Value::String(absolute(model)));
        }
        if let crate::env::TaskConfig::Imitation(c) = &self.env.task {
            let paths = c.motion.iter().map(|p| toml::Value::String(absolute(p))).collect();
            set(&mut t, "imitation", "motion", toml::Value::Array(paths));
        }
        t.insert("train".into(), to_value(&self.train)?);
        t.insert("ppo".into(), to_value(&self.ppo)?);
        let mut policy = self.policy.clone();
        policy.experts = policy.experts.iter().map(|p| PathBuf::from(absolute(p))).collect();
        t.insert("policy".into(), to_value(&policy)?);
        toml::to_string(&t).map_err(|e| Error::Config(format!("writing the resolved config: {e}")))
    }
}

fn set(t: &mut toml::Table, section: &str, key: &str, v: toml::Value) {
    let sec = t.entry(section.to_string()).or_insert_with(|| toml::Value::Table(Default::default()));
    if let Some(sec) = sec.as_table_mut() {
        sec.insert(key.to_string(), v);
    }
}

fn to_value<T: Serialize>(v: &T) -> Result<toml::Value> {
    toml::Value::try_from(v).map_err(|e| Error::Config(format!("writing the resolved config: {e}")))
}

/// Apply one `a.b.c=value` override to `table`.
pub fn apply_override(table: &mut toml::Table, spec: &str) -> Result<()> {
    let Some((key, raw)) = spec.split_once('=') else {
        return Err(Error::Config(format!(
            "override '{spec}': expected key=value (e.g. ppo.learning_rate=1e-3)"
        )));
    };
    let path: Vec<&str> = key.trim().split('.').collect();
    if path.iter().any(|p| p.is_empty()) {
        return Err(Error::Config(format!("override '{spec}': empty key segment")));
    }
    // the value in TOML syntax; a bare word is a string
    let value = format!("v = {}", raw.trim())
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.trim().to_string()));
    let mut cur = table;
    for seg in &path[..path.len() - 1] {
        let entry = cur.entry(seg.to_string()).or_insert_with(|| toml::Value::Table(Default::default()));
        cur = entry
            .as_table_mut()
            .ok_or_else(|| Error::Config(format!("override '{spec}': '{seg}' is not a table")))?;
    }
    cur.insert(path[path.len() - 1].to_string(), value);
    Ok(())
}

/// A new run directory `runs/<config stem>-<unix time>` (made unique with a suffix).
pub fn new_run_dir(config: &Path) -> PathBuf {
    let stem = config.file_stem().and_then(|s| s.to_str()).unwrap_or("run");
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut dir = PathBuf::from("runs").join(format!("{stem}-{secs}"));
    let mut k = 1;
    while dir.exists() {
        dir = PathBuf::from("runs").join(format!("{stem}-{secs}-{k}"));
        k += 1;
    }
    dir
}
