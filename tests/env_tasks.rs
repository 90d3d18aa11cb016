//! Batched environments on lavapipe: reward and observation kernels against host implementations
//! on the same states, reset onto the reference, auto-reset of only the ended worlds, termination
//! rules, fatigue against its f64 twin, determinism, the gait motion's ranges and bad input.
//! Needs the fetched models (myolegs_walk).

use std::path::Path;

use sinew::env::fatigue::{Compartments, FatigueParams};
use sinew::env::layout::WorldEnv;
use sinew::env::motion::{Motion, SiteTrajectory};
use sinew::env::motion_library::MotionLibrary;
use sinew::env::{DONE_TERMINATED, DONE_TRUNCATED, Env, EnvFile};
use sinew::gpu::GpuContext;
use sinew::model::Model;

type V3 = [f64; 3];
type Q4 = [f64; 4];

fn env_file(text: &str) -> EnvFile {
    EnvFile::parse(text, Path::new(env!("CARGO_MANIFEST_DIR")).join("configs").as_path(), "test").unwrap()
}

fn build(ctx: &GpuContext, text: &str, nworld: usize) -> Env {
    Env::new(ctx, &env_file(text), nworld).unwrap()
}

/// Downloaded state the task kernels read, in f64.
struct Snapshot {
    qpos: Vec<f64>,
    qvel: Vec<f64>,
    act: Vec<f64>,
    xpos: Vec<[f64; 4]>,
    xquat: Vec<[f64; 4]>,
    site_xpos: Vec<[f64; 4]>,
    cdof: Vec<[f64; 4]>,
    subtree_com: Vec<[f64; 4]>,
    len: Vec<f64>,
    vel: Vec<f64>,
    force: Vec<f64>,
    con: Vec<[f64; 4]>,
    last_action: Vec<f64>,
    world: Vec<WorldEnv>,
    reward: Vec<f32>,
    done: Vec<u32>,
    obs: Vec<f32>,
}

fn snapshot(ctx: &GpuContext, env: &Env) -> Snapshot {
    let s = &env.sim.data.state;
    let m = &env.model;
    let n = env.nworld;
    // state arrays through SimState (whatever their layout), the env's own directly
    let f = |b: &wgpu::Buffer, len: usize| -> Vec<f64> {
        let v = s.download::<f32>(ctx, b).or_else(|_| ctx.download::<f32>(b, len)).unwrap();
        assert_eq!(v.len(), len);
        v.into_iter().map(|x| x as f64).collect()
    };
    let v4 = |b: &wgpu::Buffer, len: usize| -> Vec<[f64; 4]> {
        let v = s.download::<[f32; 4]>(ctx, b).or_else(|_| ctx.download::<[f32; 4]>(b, len)).unwrap();
        assert_eq!(v.len(), len);
        v.into_iter().map(|x| x.map(|y| y as f64)).collect()
    };
    let nslot = env.sim.model.contacts.table.params.nslot as usize;
    Snapshot {
        qpos: f(&s.qpos, n * m.nq),
        qvel: f(&s.qvel, n * m.nv),
        act: f(&s.act, n * m.na),
        xpos: v4(&s.xpos, n * m.nbody),
        xquat: v4(&s.xquat, n * m.nbody),
        site_xpos: v4(&s.site_xpos, n * m.nsite),
        cdof: v4(&s.cdof, 2 * n * m.nv),
        subtree_com: v4(&s.subtree_com, n * m.nbody),
        len: f(&s.actuator_length, n * m.nu),
        vel: f(&s.actuator_velocity, n * m.nu),
        force: f(&s.actuator_force, n * m.nu),
        con: v4(&env.sim.data.contacts.con, 3 * n * nslot),
        last_action: f(&env.last_action, n * m.nu),
        world: env.worlds(ctx).unwrap(),
        reward: env.rewards(ctx).unwrap(),
        done: env.dones(ctx).unwrap(),
        obs: env.observations(ctx).unwrap(),
    }
}

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: V3, b: V3) -> V3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}
fn conj(q: Q4) -> Q4 {
    [q[0], -q[1], -q[2], -q[3]]
}
fn xyz(v: [f64; 4]) -> V3 {
    [v[0], v[1], v[2]]
}
fn rot(q: Q4, v: V3) -> V3 {
    sinew::math::rot_vec_quat(v, q)
}

/// Host twin of env/common.wgsl's point_velocity.
fn point_velocity(m: &Model, s: &Snapshot, w: usize, b: usize, p: V3) -> V3 {
    let mut body = b;
    while body > 0 && m.body_dofnum[body] == 0 {
        body = m.body_parentid[body];
    }
    if body == 0 {
        return [0.0; 3];
    }
    let com = xyz(s.subtree_com[w * m.nbody + m.body_rootid[body]]);
    let mut d = Some(m.body_dofadr[body] + m.body_dofnum[body] - 1);
    let mut v = [0.0; 3];
    while let Some(k) = d {
        let i = 2 * (w * m.nv + k);
        let c = cross(xyz(s.cdof[i]), sub(p, com));
        let q = s.qvel[w * m.nv + k];
        for a in 0..3 {
            v[a] += (s.cdof[i + 1][a] + c[a]) * q;
        }
        d = m.dof_parentid[k];
    }
    v
}

/// Host twin of write_proprio.
fn proprio(env: &Env, s: &Snapshot, w: usize, feet: &[u32]) -> Vec<f64> {
    let m = &env.model;
    let mut o: Vec<f64> = (0..m.nq).filter(|&i| i > 1).map(|i| s.qpos[w * m.nq + i]).collect();
    o.extend(&s.qvel[w * m.nv..][..m.nv]);
    o.extend(&s.act[w * m.na..][..m.na]);
    o.extend(&s.len[w * m.nu..][..m.nu]);
    o.extend(&s.vel[w * m.nu..][..m.nu]);
    o.extend(s.force[w * m.nu..][..m.nu].iter().map(|f| 1e-3 * f));
    let nslot = env.sim.model.contacts.table.params.nslot as usize;
    let mut bits = 0u32;
    for k in 0..nslot {
        if s.con[3 * (w * nslot + k) + 1][3] == 1.0 {
            bits |= feet[k];
        }
    }
    o.extend((0..env.config.env.feet.len()).map(|f| ((bits >> f) & 1) as f64));
    o.extend(&s.last_action[w * m.nu..][..m.nu]);
    o
}

/// Which foot each contact slot belongs to (as the env builds it).
fn slot_feet(env: &Env) -> Vec<u32> {
    let m = &env.model;
    let table = &env.sim.model.contacts.table;
    let mut out = vec![0u32; table.params.nslot as usize];
    for p in &table.pairs {
        let mut bits = 0;
        for g in [p.geom1 as usize, p.geom2 as usize] {
            for (f, names) in env.config.env.feet.iter().enumerate() {
                for name in names {
                    let root = m.body_name.iter().position(|n| n == name).unwrap();
                    let mut b = m.geom_bodyid[g];
                    while b != 0 && b != root {
                        b = m.body_parentid[b];
                    }
                    if b == root {
                        bits |= 1 << f;
                    }
                }
            }
        }
        for k in 0..p.maxcon {
            out[(p.slot + k) as usize] = bits;
        }
    }
    out
}

fn assert_close(what: &str, gpu: &[f32], host: &[f64], tol: f64) {
    assert_eq!(gpu.len(), host.len(), "{what}: length");
    for (i, (g, h)) in gpu.iter().zip(host).enumerate() {
        let err = (*g as f64 - h).abs();
        assert!(err <= tol * (1.0 + h.abs()), "{what}[{i}]: gpu {g} vs host {h}");
    }
}

/// Host twin of the imitation kernels: (reward, terminated, observation extras) for world w at
/// library frame f (evaluate uses the frame after the step, observe the frame now; they coincide
/// for a world that did not end).
struct ImitationHost {
    lib: MotionLibrary,
    sites: Vec<usize>,
    /// Every motion's site trajectory, motion after motion (as the library lays out frames).
    traj: SiteTrajectory,
    pelvis: usize,
}

impl ImitationHost {
    fn new(ctx: &GpuContext, env: &Env) -> Self {
        let m = &env.model;
        let sinew::env::TaskConfig::Imitation(c) = &env.config.task else { panic!() };
        let lib = env.motion.clone().unwrap();
        let sites: Vec<usize> =
            c.sites.iter().map(|n| m.site_name.iter().position(|s| s == n).unwrap()).collect();
        let pelvis = m.body_name.iter().position(|n| n == "pelvis").unwrap();
        let gm = sinew::gpu::GpuModel::upload(ctx, m);
        let mut traj = SiteTrajectory {
            nsite: sites.len(),
            rel_pos: vec![],
            rel_quat: vec![],
            rel_vel: vec![],
            abs_pos: vec![],
        };
        for i in 0..lib.motions.len() {
            let t = SiteTrajectory::compute(ctx, m, &gm, &lib.motion(m, i), &sites, pelvis).unwrap();
            traj.rel_pos.extend(t.rel_pos);
            traj.rel_quat.extend(t.rel_quat);
            traj.rel_vel.extend(t.rel_vel);
            traj.abs_pos.extend(t.abs_pos);
        }
        ImitationHost { lib, sites, traj, pelvis }
    }

    /// World w's motion: (its first library frame, its frames).
    fn motion_of(&self, s: &Snapshot, w: usize) -> (usize, usize) {
        let e = &self.lib.motions[s.world[w].motion as usize];
        (e.start, e.nframe)
    }

    /// (relative pos, relative quat, relative vel) of mimic site i in world w.
    fn relative(&self, m: &Model, s: &Snapshot, w: usize, i: usize) -> (V3, Q4, V3) {
        let site = self.sites[i];
        let pb = w * m.nbody + self.pelvis;
        let pq = conj(s.xquat[pb]);
        let pp = xyz(s.xpos[pb]);
        let sp = xyz(s.site_xpos[w * m.nsite + site]);
        let body = m.site_bodyid[site];
        let q =
            sinew::math::mul_quat(pq, sinew::math::mul_quat(s.xquat[w * m.nbody + body], m.site_quat[site]));
        let v = sub(point_velocity(m, s, w, body, sp), point_velocity(m, s, w, self.pelvis, pp));
        (rot(pq, sub(sp, pp)), q, rot(pq, v))
    }

    fn reward(&self, env: &Env, s: &Snapshot, w: usize, f: usize) -> (f64, bool) {
        let m = &env.model;
        let sinew::env::TaskConfig::Imitation(c) = &env.config.task else { panic!() };
        let rq = &self.lib.qpos[f * m.nq..][..m.nq];
        let rv = &self.lib.qvel[f * m.nv..][..m.nv];
        let q = &s.qpos[w * m.nq..][..m.nq];
        let v = &s.qvel[w * m.nv..][..m.nv];
        let mse = |a: &[f64], b: &[f64]| {
            a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() / a.len() as f64
        };
        let e_qpos = mse(&q[7..], &rq[7..].iter().map(|x| *x as f32 as f64).collect::<Vec<_>>());
        let e_qvel = mse(&v[6..], &rv[6..].iter().map(|x| *x as f32 as f64).collect::<Vec<_>>());
        let rp = sub([q[0], q[1], q[2]], [rq[0], rq[1], rq[2]]);
        let e_root_pos = dot(rp, rp);
        let vv = sub([v[0], v[1], v[2]], [rv[0], rv[1], rv[2]]);
        let e_root_vel = dot(vv, vv);
        let n = self.sites.len();
        let (mut e_pos, mut e_quat, mut e_vel, mut dev) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..n {
            let (p, qq, vel) = self.relative(m, s, w, i);
            let k = f * n + i;
            let t = &self.traj;
            let dp = sub(p, [0, 1, 2].map(|a| t.rel_pos[3 * k + a] as f64));
            e_pos += dot(dp, dp);
            dev += dot(dp, dp).sqrt();
            let rq4 = [0, 1, 2, 3].map(|a| t.rel_quat[4 * k + a] as f64);
            let cq = (0..4).map(|a| qq[a] * rq4[a]).sum::<f64>().abs().min(1.0);
            let angle = 2.0 * cq.acos();
            e_quat += angle * angle;
            let dv = sub(vel, [0, 1, 2].map(|a| t.rel_vel[3 * k + a] as f64));
            e_vel += dot(dv, dv);
        }
        let nm = n as f64;
        let (wt, sc) = (&c.weights, &c.scales);
        let term = |w: f32, s: f32, e: f64| w as f64 * (-(s as f64) * e).exp();
        let r = term(wt.qpos, sc.qpos, e_qpos)
            + term(wt.qvel, sc.qvel, e_qvel)
            + term(wt.root_pos, sc.root_pos, e_root_pos)
            + term(wt.root_vel, sc.root_vel, e_root_vel)
            + term(wt.site_pos, sc.site_pos, e_pos / nm)
            + term(wt.site_quat, sc.site_quat, e_quat / nm)
            + term(wt.site_vel, sc.site_vel, e_vel / nm);
        let terminated = dev / nm > c.terminate_site_deviation as f64
            || e_root_pos.sqrt() > c.terminate_root_deviation as f64;
        (r, terminated)
    }
}

/// Imitation over a library of motions of different lengths, rates and formats (the project's
/// npz at 100 and 50 fps, LocoMuJoCo's file with two trajectories at 200 Hz, the full gait).
const IMITATION_LIBRARY: &str = "task = \"imitation\"\n[env]\nseed = 3\n[imitation]\nmotion = [\
    \"../tests/fixtures/motions/walk_a.npz\", \"../tests/fixtures/motions/walk_c_50fps.npz\", \
    \"../tests/fixtures/motions/locomujoco_200hz.npz\", \"../assets/motions/myolegs_walk.npz\"]\n";

#[test]
fn imitation_reward_observation_and_termination_match_the_host() {
    let ctx = GpuContext::new().unwrap();
    let nworld = 8;
    let env = build(&ctx, IMITATION_LIBRARY, nworld);
    let host = ImitationHost::new(&ctx, &env);
    let m = &env.model;
    let feet = slot_feet(&env);
    env.reset(&ctx);
    let mut checked_reward = 0;
    let mut checked_terminated = 0;
    for step in 0..12 {
        let actions: Vec<f32> =
            (0..nworld * m.nu).map(|i| (((i * 13 + step * 7) % 17) as f32 / 8.0) - 1.0).collect();
        env.write_actions(&ctx, &actions).unwrap();
        env.step(&ctx);
        let s = snapshot(&ctx, &env);
        for w in 0..nworld {
            let e = &s.world[w];
            let (start, nf) = host.motion_of(&s, w);
            let local = ((e.frame0 + e.step) as usize).min(nf - 1);
            let f = start + local;
            // observation: every world (reset ones are observed at their new start)
            let mut o = proprio(&env, &s, w, &feet);
            for i in 0..host.sites.len() {
                let (p, _, _) = host.relative(m, &s, w, i);
                let k = f * host.sites.len() + i;
                o.extend((0..3).map(|a| p[a] - host.traj.rel_pos[3 * k + a] as f64));
            }
            let progress = local as f64 / (nf - 1) as f64;
            let angle = 2.0 * std::f64::consts::PI * progress;
            o.extend([angle.sin(), angle.cos(), progress]);
            let rq = [s.qpos[w * m.nq + 3], s.qpos[w * m.nq + 4], s.qpos[w * m.nq + 5], s.qpos[w * m.nq + 6]];
            let here = [s.qpos[w * m.nq], s.qpos[w * m.nq + 1], s.qpos[w * m.nq + 2]];
            for look in [1usize, 5] {
                let g = start + (local + look).min(nf - 1);
                let r = &host.lib.qpos[g * m.nq..][..m.nq];
                o.extend(r[7..].iter().map(|x| *x as f32 as f64));
                let d = rot(conj(rq), sub([r[0], r[1], r[2]].map(|x| x as f32 as f64), here));
                o.extend(d);
            }
            assert_close(&format!("step {step} world {w} obs"), &s.obs[w * env.nobs..][..env.nobs], &o, 2e-4);
            // reward and termination: worlds that did not end still hold the evaluated state
            if s.done[w] == 0 {
                let (r, terminated) = host.reward(&env, &s, w, f);
                assert!(!terminated, "step {step} world {w}: host says terminated, GPU did not");
                assert_close(&format!("step {step} world {w} reward"), &[s.reward[w]], &[r], 2e-4);
                checked_reward += 1;
            } else if s.done[w] & DONE_TERMINATED != 0 {
                checked_terminated += 1;
            }
        }
    }
    assert!(checked_reward > 20, "too few rewards compared ({checked_reward})");
    assert!(checked_terminated > 0, "no world terminated under random actions; the rule was not exercised");
}

#[test]
fn imitation_reset_puts_worlds_on_the_reference_and_auto_reset_touches_only_ended_worlds() {
    let ctx = GpuContext::new().unwrap();
    let nworld = 16;
    let env = build(&ctx, IMITATION_LIBRARY, nworld);
    let m = &env.model;
    let lib = env.motion.clone().unwrap();
    let frame = |e: &WorldEnv| lib.motions[e.motion as usize].start + e.frame0 as usize;
    env.reset(&ctx);
    let s = snapshot(&ctx, &env);
    let starts: Vec<u32> = s.world.iter().map(|e| e.frame0).collect();
    assert!(
        starts.iter().collect::<std::collections::HashSet<_>>().len() > nworld / 2,
        "start frames not random: {starts:?}"
    );
    let motions: std::collections::HashSet<u32> = s.world.iter().map(|e| e.motion).collect();
    assert!(motions.len() >= 3, "{nworld} worlds drew only motions {motions:?} of {}", lib.motions.len());
    for w in 0..nworld {
        let e = &lib.motions[s.world[w].motion as usize];
        assert!((s.world[w].frame0 as usize) < e.nframe, "world {w}: start frame past its motion");
        let f = frame(&s.world[w]);
        let want: Vec<f32> = lib.qpos[f * m.nq..][..m.nq].iter().map(|x| *x as f32).collect();
        let got: Vec<f32> = s.qpos[w * m.nq..][..m.nq].iter().map(|x| *x as f32).collect();
        assert_eq!(got, want, "world {w} qpos is not reference frame {f}");
        let want: Vec<f32> = lib.qvel[f * m.nv..][..m.nv].iter().map(|x| *x as f32).collect();
        let got: Vec<f32> = s.qvel[w * m.nv..][..m.nv].iter().map(|x| *x as f32).collect();
        assert_eq!(got, want, "world {w} qvel is not reference frame {f}");
    }
    let mut before = s.world;
    let mut ended = 0;
    for step in 0..10 {
        let actions: Vec<f32> =
            (0..nworld * m.nu).map(|i| ((i * 31 + step) % 11) as f32 / 5.0 - 1.0).collect();
        env.write_actions(&ctx, &actions).unwrap();
        env.step(&ctx);
        let s = snapshot(&ctx, &env);
        for w in 0..nworld {
            let (b, a) = (&before[w], &s.world[w]);
            if s.done[w] == 0 {
                assert_eq!(
                    (a.step, a.frame0, a.motion, a.rng, a.episodes),
                    (b.step + 1, b.frame0, b.motion, b.rng, b.episodes),
                    "world {w} changed without ending"
                );
            } else {
                ended += 1;
                assert_eq!(a.step, 0, "world {w} ended but was not reset");
                assert_eq!(a.episodes, b.episodes + 1);
                assert_eq!(a.last_length, b.step + 1);
                assert_ne!(a.rng, b.rng, "world {w} reset without a new draw");
                let f = frame(a);
                let want: Vec<f32> = lib.qpos[f * m.nq..][..m.nq].iter().map(|x| *x as f32).collect();
                let got: Vec<f32> = s.qpos[w * m.nq..][..m.nq].iter().map(|x| *x as f32).collect();
                assert_eq!(got, want, "world {w} auto-reset off the reference");
            }
        }
        before = s.world;
    }
    assert!(ended > 0 && ended < 10 * nworld, "auto-reset not exercised ({ended} ends)");
}

#[test]
fn locomotion_reward_observation_and_termination_match_the_host() {
    let ctx = GpuContext::new().unwrap();
    let nworld = 6;
    let text = "task = \"locomotion\"\n[env]\nseed = 5\n[env.randomize]\nstrength = [0.8, 1.2]\nmass = [0.9, 1.1]\nqpos_noise = 0.02\nqvel_noise = 0.05\n";
    let env = build(&ctx, text, nworld);
    let m = &env.model;
    let feet = slot_feet(&env);
    let sinew::env::TaskConfig::Locomotion(c) = env.config.task.clone() else { panic!() };
    env.reset(&ctx);
    // world 0 starts far below the termination height
    let st = &env.sim.data.state;
    let mut q: Vec<f32> = st.download(&ctx, &st.qpos).unwrap();
    q[2] = 0.3;
    st.upload(&ctx, &st.qpos, &q).unwrap();
    let scales: Vec<[f32; 4]> = st.download(&ctx, &st.world_scale).unwrap();
    assert!(scales.iter().all(|s| (0.8..=1.2).contains(&s[0]) && (0.9..=1.1).contains(&s[1])));
    assert!(scales.windows(2).any(|p| p[0] != p[1]), "per-world scales are all equal");
    let mut prev = snapshot(&ctx, &env);
    let mut compared = 0;
    for step in 0..8 {
        let actions: Vec<f32> = (0..nworld * m.nu).map(|i| ((i * 7 + step) % 9) as f32 / 4.0 - 1.0).collect();
        env.write_actions(&ctx, &actions).unwrap();
        env.step(&ctx);
        let s = snapshot(&ctx, &env);
        if step == 0 {
            assert_eq!(s.done[0], DONE_TERMINATED, "a world at root height 0.3 m must terminate");
        }
        for w in 0..nworld {
            let q = &s.qpos[w * m.nq..];
            let quat = [q[3], q[4], q[5], q[6]];
            let up = rot(quat, [0.0, 0.0, 1.0])[2];
            let fwd = rot(quat, [0.0, -1.0, 0.0]);
            let h = {
                let n = (fwd[0] * fwd[0] + fwd[1] * fwd[1]).sqrt();
                [fwd[0] / n, fwd[1] / n]
            };
            let to_h = |v: [f64; 2]| [h[0] * v[0] + h[1] * v[1], -h[1] * v[0] + h[0] * v[1]];
            let goal = s.world[w].goal;
            let vel = [s.qvel[w * m.nv], s.qvel[w * m.nv + 1]];
            let mut o = proprio(&env, &s, w, &feet);
            o.extend(to_h([goal[0] as f64, goal[1] as f64]));
            o.extend(to_h(vel));
            assert_close(&format!("step {step} world {w} obs"), &s.obs[w * env.nobs..][..env.nobs], &o, 2e-4);
            if s.done[w] == 0 {
                let dv = [vel[0] - goal[0] as f64, vel[1] - goal[1] as f64];
                let bits = s.world[w].feet;
                let touch = (bits & !prev.world[w].feet).count_ones() as f64;
                let effort = s.act[w * m.na..][..m.na].iter().map(|a| a * a).sum::<f64>() / m.na as f64;
                let wt = &c.weights;
                let r = wt.alive as f64
                    + wt.velocity as f64
                        * (-(c.velocity_scale as f64) * (dv[0] * dv[0] + dv[1] * dv[1])).exp()
                    + wt.footstep as f64 * touch
                    + wt.upright as f64 * up
                    + wt.support as f64 * (q[2] / 0.94).min(1.0)
                    - wt.effort as f64 * effort;
                assert_close(&format!("step {step} world {w} reward"), &[s.reward[w]], &[r], 2e-4);
                assert!(q[2] >= c.min_height as f64 && up.acos() <= c.max_tilt as f64);
                compared += 1;
            }
        }
        prev = s;
    }
    assert!(compared > 30);
}

#[test]
fn reaching_draws_targets_and_pays_progress() {
    let ctx = GpuContext::new().unwrap();
    let nworld = 4;
    let env = build(&ctx, "task = \"reaching\"\n[reaching]\narrive_radius = 0.0\n", nworld);
    let m = &env.model;
    env.reset(&ctx);
    let s0 = snapshot(&ctx, &env);
    for w in 0..nworld {
        let g = s0.world[w].goal;
        let d = ((g[0] as f64 - s0.qpos[w * m.nq]).powi(2) + (g[1] as f64 - s0.qpos[w * m.nq + 1]).powi(2))
            .sqrt();
        assert!((1.0..=4.0 + 1e-4).contains(&d), "world {w}: target at {d} m");
        assert!((d - g[3] as f64).abs() < 1e-4);
    }
    env.step(&ctx);
    let s = snapshot(&ctx, &env);
    let sinew::env::TaskConfig::Reaching(c) = env.config.task.clone() else { panic!() };
    for w in 0..nworld {
        assert_eq!(s.done[w], 0);
        let g = s.world[w].goal;
        let d =
            ((g[0] as f64 - s.qpos[w * m.nq]).powi(2) + (g[1] as f64 - s.qpos[w * m.nq + 1]).powi(2)).sqrt();
        let q = &s.qpos[w * m.nq..];
        let up = rot([q[3], q[4], q[5], q[6]], [0.0, 0.0, 1.0])[2];
        let effort = s.act[w * m.na..][..m.na].iter().map(|a| a * a).sum::<f64>() / m.na as f64;
        let r = c.alive_weight as f64
            + c.progress_weight as f64 * (s0.world[w].goal[3] as f64 - d) / env.ctrl_dt
            + c.upright_weight as f64 * up
            - c.effort_weight as f64 * effort;
        assert_close(&format!("world {w} reward"), &[s.reward[w]], &[r], 1e-3);
    }
}

#[test]
fn fatigue_follows_the_3ccr_model_and_conserves_motor_units() {
    let ctx = GpuContext::new().unwrap();
    let nworld = 2;
    let env = build(&ctx, "task = \"locomotion\"\n[env]\nfatigue = true\nmax_steps = 100\n", nworld);
    let m = &env.model;
    env.reset(&ctx);
    let actions: Vec<f32> = (0..nworld * m.nu).map(|i| ((i * 11) % 21) as f32 / 10.0 - 1.0).collect();
    env.write_actions(&ctx, &actions).unwrap();
    let p = FatigueParams::default();
    let mut host: Vec<Compartments> = vec![Compartments::default(); nworld * m.nu];
    for _ in 0..30 {
        env.step(&ctx);
        for (i, c) in host.iter_mut().enumerate() {
            let u = i % m.nu;
            let e = ((actions[i] as f64 + 1.0) / 2.0).clamp(0.0, 1.0);
            let prm = m.actuator_dynprm[u];
            *c = c.step(&p, e, prm[0], prm[1], env.ctrl_dt);
        }
    }
    let gpu: Vec<[f32; 4]> = ctx.download(&env.fatigue, nworld * m.nu).unwrap();
    let ctrl: Vec<f32> = env.sim.data.state.download(&ctx, &env.sim.data.state.ctrl).unwrap();
    for (i, (g, h)) in gpu.iter().zip(&host).enumerate() {
        let sum = g[0] as f64 + g[1] as f64 + g[2] as f64;
        assert!((sum - 1.0).abs() < 1e-5, "muscle {i}: MA + MR + MF = {sum}");
        for (a, b) in [(g[0], h.active), (g[1], h.resting), (g[2], h.fatigued)] {
            assert!((a as f64 - b).abs() < 1e-5, "muscle {i}: gpu {g:?} vs host {h:?}");
        }
        assert_eq!(ctrl[i], g[0], "muscle {i}: control is not MA");
    }
    // a loaded muscle builds up fatigue
    assert!(host.iter().any(|c| c.fatigued > 1e-4));
}

#[test]
fn same_seed_gives_identical_observations() {
    let ctx = GpuContext::new().unwrap();
    let text = "task = \"locomotion\"\n[env]\nseed = 11\nframe_skip = 1\n[env.randomize]\nqpos_noise = 0.05\nqvel_noise = 0.1\nstrength = [0.7, 1.3]\n";
    let run = || {
        let env = build(&ctx, text, 3);
        let m = &env.model;
        env.reset(&ctx);
        let mut all = Vec::new();
        for step in 0..100 {
            let actions: Vec<f32> = (0..3 * m.nu).map(|i| ((i + step) % 5) as f32 / 2.0 - 1.0).collect();
            env.write_actions(&ctx, &actions).unwrap();
            env.step(&ctx);
            if step % 10 == 9 {
                all.extend(env.observations(&ctx).unwrap());
            }
        }
        all
    };
    let (a, b) = (run(), run());
    assert!(a.iter().all(|x| x.is_finite()));
    assert!(a == b, "observations differ between two runs with the same seed");
    let other = build(&ctx, &text.replace("seed = 11", "seed = 12"), 3);
    other.reset(&ctx);
    let first = build(&ctx, text, 3);
    first.reset(&ctx);
    assert_ne!(other.observations(&ctx).unwrap(), first.observations(&ctx).unwrap(), "seed has no effect");
}

#[test]
fn the_gait_motion_is_valid_for_myolegs() {
    let path = sinew::models::resolve("myolegs_walk").unwrap();
    let m = sinew::mjcf::load_model(&path).unwrap();
    let motion =
        Motion::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/motions/myolegs_walk.npz"), &m)
            .unwrap();
    assert!(motion.nframe > 1000 && (motion.fps - 100.0).abs() < 1e-9);
    let mut worst = f64::NEG_INFINITY;
    for f in 0..motion.nframe {
        for j in 0..m.njnt {
            if m.jnt_limited[j] {
                let v = motion.qpos[f * m.nq + m.jnt_qposadr[j]];
                let [lo, hi] = m.jnt_range[j];
                worst = worst.max(lo - v).max(v - hi);
            }
        }
    }
    assert!(worst <= 1e-6, "gait leaves a joint range by {worst}");
    // it walks: the root advances about 1.25 m/s along -y
    let t = motion.duration();
    let dy = motion.qpos[(motion.nframe - 1) * m.nq + 1] - motion.qpos[1];
    assert!((dy / t + 1.25).abs() < 0.01, "root speed {}", dy / t);
}

#[test]
fn bad_motions_and_configs_are_clear_errors() {
    let path = sinew::models::resolve("myolegs_walk").unwrap();
    let m = sinew::mjcf::load_model(&path).unwrap();
    let short = Motion::from_qpos(&m, vec![0.0; 3 * (m.nq - 1)], 100.0, "x").unwrap_err().to_string();
    assert!(short.contains("nq"), "{short}");
    let gait =
        Motion::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/motions/myolegs_walk.npz"), &m)
            .unwrap();
    let mut q: Vec<f64> = gait.qpos[..3 * m.nq].to_vec();
    let knee = m.jnt_name.iter().position(|n| n == "knee_angle_r").unwrap();
    q[m.nq + m.jnt_qposadr[knee]] = 3.0;
    let e = Motion::from_qpos(&m, q, 100.0, "x").unwrap_err().to_string();
    assert!(e.contains("knee_angle_r") && e.contains("frame 1") && e.contains("range"), "{e}");
    let e = Motion::from_qpos(&m, gait.qpos[..2 * m.nq].to_vec(), 0.0, "x").unwrap_err().to_string();
    assert!(e.contains("fps"), "{e}");
    for (text, want) in [
        ("task = \"swim\"", "unknown task"),
        ("task = \"imitation\"\n[env]\nframe_skp = 3", "frame_skp"),
        ("task = \"imitation\"\nseeed = 3", "seeed"),
        ("task = \"locomotion\"\n[env.randomize]\nmass = [1.2, 0.8]", "mass"),
        ("task = \"imitation\"\n[imitation]\nmotion = \"nowhere.npz\"", "nowhere.npz"),
        ("task = \"imitation\"\n[imitation]\nsites = [\"no_such_site\"]", "no_such_site"),
        ("task = \"locomotion\"\n[env]\npelvis = \"tail\"", "tail"),
    ] {
        let ctx = GpuContext::new().unwrap();
        let err = EnvFile::parse(text, Path::new(env!("CARGO_MANIFEST_DIR")), "cfg")
            .and_then(|f| Env::new(&ctx, &f, 1).map(|_| ()))
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{text:?}: {err}");
    }
}

#[test]
fn truncation_at_max_steps() {
    let ctx = GpuContext::new().unwrap();
    let env = build(&ctx, "task = \"locomotion\"\n[env]\nmax_steps = 3\n", 2);
    env.reset(&ctx);
    for step in 1..=3 {
        env.step(&ctx);
        let d = env.dones(&ctx).unwrap();
        let want = if step == 3 { DONE_TRUNCATED } else { 0 };
        assert!(d.iter().all(|&x| x == want), "step {step}: {d:?}");
    }
    let st = env.stats(&ctx).unwrap();
    assert_eq!((st.episodes, st.terminations), (2, 0));
    assert!((st.mean_last_length - 3.0).abs() < 1e-9);
}

/// `[env.option]` reaches the environment's model (the solver's budget), and a bad value is
/// refused naming it.
#[test]
fn env_option_overrides_the_solver_budget() {
    let base =
        "task = \"pose\"\n[env]\nmodel = \"../assets/elbow_pose.xml\"\nfeet = []\npelvis = \"humerus\"\n";
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let file =
        EnvFile::parse(&format!("{base}[env.option]\niterations = 4\nls_iterations = 8\n"), &dir, "test")
            .unwrap();
    let ctx = GpuContext::new().unwrap_or_else(|e| panic!("{e}"));
    let env = Env::new(&ctx, &file, 2).unwrap();
    assert_eq!((env.model.opt.iterations, env.model.opt.ls_iterations), (4, 8));
    let err = EnvFile::parse(&format!("{base}[env.option]\nls_iterations = 0\n"), &dir, "test").unwrap_err();
    assert!(err.to_string().contains("env.option.ls_iterations = 0 must be >= 1"), "{err}");
    let err = EnvFile::parse(&format!("{base}[env.option]\nsteps = 3\n"), &dir, "test").unwrap_err();
    assert!(err.to_string().contains("steps"), "{err}");
}

/// A checkpoint of worlds tracking a library's later motions does not restore into an
/// environment whose library lacks them: the error says so before anything is written.
#[test]
fn restoring_worlds_onto_a_smaller_motion_set_is_refused() {
    let ctx = GpuContext::new().unwrap();
    let nworld = 8;
    let library = build(&ctx, IMITATION_LIBRARY, nworld);
    library.reset(&ctx);
    let saved = library.snapshot(&ctx).unwrap();
    let worlds = library.worlds(&ctx).unwrap();
    assert!(worlds.iter().any(|e| e.motion > 0), "every world drew motion 0; the test needs another");
    let single = build(&ctx, "task = \"imitation\"\n[env]\nseed = 3\n", nworld);
    let get = |n: &str| Ok(saved.iter().find(|(k, _)| k == n).unwrap().1.clone());
    let e = single.restore(&ctx, get).unwrap_err().to_string();
    assert!(e.contains("motion set change") && e.contains("1 motions"), "{e}");
    // the same library restores
    library.restore(&ctx, get).unwrap();
}
