//! Model upload: the f64 host [`Model`] converted once to f32 mirrors of the WGSL structs
//! ([`ModelMirror`]) and copied into read-only GPU storage buffers ([`GpuModel`]).

use super::GpuContext;
use super::layout::*;
use crate::model::Model;

/// The model as the GPU sees it: one array per object kind (lengths nbody, njnt, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelMirror {
    /// Counts (uniform).
    pub sizes: ModelSizes,
    /// Physics options (uniform).
    pub options: ModelOptions,
    /// (nv) Address of each dof's row in the sparse mass matrix (the dof, then its ancestors).
    pub dof_madr: Vec<u32>,
    /// The sparse mass matrix by column: (nv + 1) offsets, then for each dof j the pairs
    /// (descendant dof k, address of M_kj), so one invocation can form row j of M·x
    /// ([`ModelMirror::dof_mcol`]).
    pub dof_mcol: Vec<u32>,
    /// (nbody) One past the last body of each body's subtree: bodies are numbered depth-first, so
    /// body c descends from b exactly when b <= c < body_subtree_end\[b\].
    pub body_subtree_end: Vec<u32>,
    /// (nbody)
    pub bodies: Vec<Body>,
    /// (njnt)
    pub joints: Vec<Joint>,
    /// (nv)
    pub dofs: Vec<Dof>,
    /// (ngeom)
    pub geoms: Vec<Geom>,
    /// (nsite)
    pub sites: Vec<Site>,
    /// (ntendon)
    pub tendons: Vec<Tendon>,
    /// (nwrap)
    pub wraps: Vec<Wrap>,
    /// (nu)
    pub actuators: Vec<Actuator>,
    /// (neq)
    pub equalities: Vec<Equality>,
    /// (npair)
    pub pairs: Vec<Pair>,
    /// (nq) Reference configuration.
    pub qpos0: Vec<f32>,
    /// (nq) Spring reference configuration.
    pub qpos_spring: Vec<f32>,
    /// (nu) `actuator_acc0` (muscles with force < 0 use scale / acc0).
    pub actuator_acc0: Vec<f32>,
}

fn v4(v: [f64; 3], w: f64) -> [f32; 4] {
    [v[0] as f32, v[1] as f32, v[2] as f32, w as f32]
}
fn q4(q: [f64; 4]) -> [f32; 4] {
    q.map(|x| x as f32)
}
fn arr<const N: usize>(a: &[f64]) -> [f32; N] {
    let mut out = [0.0f32; N];
    for (o, v) in out.iter_mut().zip(a) {
        *o = *v as f32;
    }
    out
}
fn idx(i: Option<usize>) -> i32 {
    i.map_or(-1, |v| v as i32)
}

impl ModelMirror {
    /// Row addresses of the sparse mass matrix (row d: the dof, then its ancestors) and the total
    /// number of entries.
    pub fn dof_madr(m: &Model) -> (Vec<u32>, usize) {
        let mut adr = Vec::with_capacity(m.nv);
        let mut next = 0usize;
        for d in 0..m.nv {
            adr.push(next as u32);
            let mut p = Some(d);
            while let Some(i) = p {
                next += 1;
                p = m.dof_parentid[i];
            }
        }
        (adr, next)
    }

    /// The entries of the sparse mass matrix below each dof's diagonal, by column: `nv + 1`
    /// offsets into the pair list (which starts right after them), then per dof j, in order of
    /// k, the pairs `(k, address of M_kj)` of its descendant dofs k.
    pub fn dof_mcol(m: &Model) -> Vec<u32> {
        let (madr, _) = Self::dof_madr(m);
        let mut below: Vec<Vec<[u32; 2]>> = vec![Vec::new(); m.nv];
        for k in 0..m.nv {
            let mut adr = madr[k] + 1;
            let mut j = m.dof_parentid[k];
            while let Some(a) = j {
                below[a].push([k as u32, adr]);
                adr += 1;
                j = m.dof_parentid[a];
            }
        }
        let mut out = Vec::with_capacity(m.nv + 1);
        let mut next = 0u32;
        for b in &below {
            out.push(next);
            next += 2 * b.len() as u32;
        }
        out.push(next);
        out.extend(below.iter().flatten().flatten());
        out
    }

    /// Entries of the sparse mass matrix: Σ over dofs of (1 + number of ancestor dofs).
    pub fn nm(m: &Model) -> usize {
        Self::dof_madr(m).1
    }

    /// Convert a host model (f64 → f32; ids to u32, absent ids to -1).
    pub fn new(m: &Model) -> Self {
        let u = |x: usize| x as u32;
        ModelMirror {
            sizes: ModelSizes {
                nq: u(m.nq),
                nv: u(m.nv),
                nu: u(m.nu),
                na: u(m.na),
                nbody: u(m.nbody),
                njnt: u(m.njnt),
                ngeom: u(m.ngeom),
                nsite: u(m.nsite),
                ntendon: u(m.ntendon),
                nwrap: u(m.nwrap),
                neq: u(m.neq),
                npair: u(m.npair),
            },
            options: ModelOptions {
                gravity: [
                    m.opt.gravity[0] as f32, m.opt.gravity[1] as f32, m.opt.gravity[2] as f32,
                    m.opt.timestep as f32,
                ],
                disableflags: m.opt.disableflags,
                implicit: (m.opt.disableflags & crate::model::disable::EULERDAMP == 0
                    && m.dof_damping.iter().any(|d| *d > 0.0)) as u32,
                ..Default::default()
            },
            dof_madr: Self::dof_madr(m).0,
            dof_mcol: Self::dof_mcol(m),
            body_subtree_end: {
                let mut end: Vec<u32> = (1..=m.nbody as u32).collect();
                for c in (1..m.nbody).rev() {
                    let p = m.body_parentid[c];
                    end[p] = end[p].max(end[c]);
                }
                end
            },
            bodies: (0..m.nbody)
                .map(|i| Body {
                    pos: v4(m.body_pos[i], m.body_mass[i]),
                    quat: q4(m.body_quat[i]),
                    ipos: v4(m.body_ipos[i], m.body_subtreemass[i]),
                    iquat: q4(m.body_iquat[i]),
                    inertia: v4(m.body_inertia[i], 0.0),
                    parent: u(m.body_parentid[i]),
                    root: u(m.body_rootid[i]),
                    weld: u(m.body_weldid[i]),
                    jnt_adr: u(m.body_jntadr[i]),
                    jnt_num: u(m.body_jntnum[i]),
                    dof_adr: u(m.body_dofadr[i]),
                    dof_num: u(m.body_dofnum[i]),
                    geom_adr: u(m.body_geomadr[i]),
                })
                .collect(),
            joints: (0..m.njnt)
                .map(|i| Joint {
                    pos: v4(m.jnt_pos[i], m.jnt_stiffness[i]),
                    axis: v4(m.jnt_axis[i], m.jnt_margin[i]),
                    kind: m.jnt_type[i] as u32,
                    qpos_adr: u(m.jnt_qposadr[i]),
                    dof_adr: u(m.jnt_dofadr[i]),
                    body: u(m.jnt_bodyid[i]),
                    limited: m.jnt_limited[i] as u32,
                    range_lo: m.jnt_range[i][0] as f32,
                    range_hi: m.jnt_range[i][1] as f32,
                    _pad: 0,
                })
                .collect(),
            dofs: (0..m.nv)
                .map(|i| Dof {
                    body: u(m.dof_bodyid[i]),
                    jnt: u(m.dof_jntid[i]),
                    parent: idx(m.dof_parentid[i]),
                    _pad: 0,
                    armature: m.dof_armature[i] as f32,
                    damping: m.dof_damping[i] as f32,
                    frictionloss: m.dof_frictionloss[i] as f32,
                    _pad2: 0.0,
                })
                .collect(),
            geoms: (0..m.ngeom)
                .map(|i| {
                    let si = m.geom_solimp[i];
                    let sr = m.geom_solref[i];
                    Geom {
                        pos: v4(m.geom_pos[i], m.geom_margin[i]),
                        quat: q4(m.geom_quat[i]),
                        size: v4(m.geom_size[i], m.geom_gap[i]),
                        friction: v4(m.geom_friction[i], m.geom_solmix[i]),
                        solimp: arr(&si[..4]),
                        solmisc: arr(&[si[4], sr[0], sr[1], 0.0]),
                        kind: m.geom_type[i] as u32,
                        body: u(m.geom_bodyid[i]),
                        contype: m.geom_contype[i],
                        conaffinity: m.geom_conaffinity[i],
                        condim: m.geom_condim[i],
                        priority: m.geom_priority[i],
                        dataid: idx(m.geom_dataid[i]),
                        _pad: 0,
                    }
                })
                .collect(),
            sites: (0..m.nsite)
                .map(|i| Site {
                    pos: v4(m.site_pos[i], 0.0),
                    quat: q4(m.site_quat[i]),
                    body: u(m.site_bodyid[i]),
                    kind: m.site_type[i] as u32,
                    _pad0: 0,
                    _pad1: 0,
                })
                .collect(),
            tendons: (0..m.ntendon)
                .map(|i| Tendon {
                    adr: u(m.tendon_adr[i]),
                    num: u(m.tendon_num[i]),
                    limited: m.tendon_limited[i] as u32,
                    _pad: 0,
                    range_lo: m.tendon_range[i][0] as f32,
                    range_hi: m.tendon_range[i][1] as f32,
                    stiffness: m.tendon_stiffness[i] as f32,
                    damping: m.tendon_damping[i] as f32,
                    lengthspring_lo: m.tendon_lengthspring[i][0] as f32,
                    lengthspring_hi: m.tendon_lengthspring[i][1] as f32,
                    margin: m.tendon_margin[i] as f32,
                    frictionloss: m.tendon_frictionloss[i] as f32,
                })
                .collect(),
            wraps: (0..m.nwrap)
                .map(|i| Wrap {
                    kind: m.wrap_type[i] as u32,
                    objid: u(m.wrap_objid[i]),
                    prm: m.wrap_prm[i] as f32,
                    _pad: 0,
                })
                .collect(),
            actuators: (0..m.nu)
                .map(|i| Actuator {
                    dynprm: arr(&m.actuator_dynprm[i]),
                    gainprm: arr(&m.actuator_gainprm[i]),
                    biasprm: arr(&m.actuator_biasprm[i]),
                    gear: m.actuator_gear[i][0] as f32,
                    trntype: m.actuator_trntype[i] as u32,
                    trnid: u(m.actuator_trnid[i]),
                    dyntype: m.actuator_dyntype[i] as u32,
                    gaintype: m.actuator_gaintype[i] as u32,
                    biastype: m.actuator_biastype[i] as u32,
                    act_adr: idx(m.actuator_actadr[i]),
                    flags: m.actuator_ctrllimited[i] as u32
                        | (m.actuator_forcelimited[i] as u32) << 1
                        | (m.actuator_actlimited[i] as u32) << 2,
                    ctrlrange: arr(&m.actuator_ctrlrange[i]),
                    forcerange: arr(&m.actuator_forcerange[i]),
                    actrange: arr(&m.actuator_actrange[i]),
                    lengthrange: arr(&m.actuator_lengthrange[i]),
                })
                .collect(),
            equalities: (0..m.neq)
                .map(|i| Equality {
                    kind: m.eq_type[i] as u32,
                    obj1: u(m.eq_obj1id[i]),
                    obj2: idx(m.eq_obj2id[i]),
                    active0: m.eq_active0[i] as u32,
                    solref: arr(&m.eq_solref[i]),
                    solimp: arr(&m.eq_solimp[i]),
                    data: arr(&m.eq_data[i]),
                })
                .collect(),
            pairs: (0..m.npair)
                .map(|i| Pair {
                    geom1: u(m.pair_geom1[i]),
                    geom2: u(m.pair_geom2[i]),
                    dim: m.pair_dim[i],
                    signature: m.pair_signature[i],
                    friction: arr(&m.pair_friction[i]),
                    solref: arr(&m.pair_solref[i]),
                    solreffriction: arr(&m.pair_solreffriction[i]),
                    solimp: arr(&m.pair_solimp[i]),
                    margin: m.pair_margin[i] as f32,
                    gap: m.pair_gap[i] as f32,
                })
                .collect(),
            qpos0: m.qpos0.iter().map(|v| *v as f32).collect(),
            qpos_spring: m.qpos_spring.iter().map(|v| *v as f32).collect(),
            actuator_acc0: m.actuator_acc0.iter().map(|v| *v as f32).collect(),
        }
    }
}

/// The model in GPU memory: read-only buffers shared by all worlds, plus the host mirror they hold.
pub struct GpuModel {
    /// What was uploaded.
    pub mirror: ModelMirror,
    /// Uniform [`ModelSizes`].
    pub sizes: wgpu::Buffer,
    /// Uniform [`ModelOptions`].
    pub options: wgpu::Buffer,
    /// array<u32>, nv: sparse mass-matrix row addresses.
    pub dof_madr: wgpu::Buffer,
    /// (nv + 1 + 2·(nm − nv)) u32: [`ModelMirror::dof_mcol`].
    pub dof_mcol: wgpu::Buffer,
    /// array<u32>, nbody: end of each body's depth-first subtree range.
    pub body_subtree_end: wgpu::Buffer,
    /// array<Body>
    pub bodies: wgpu::Buffer,
    /// array<Joint>
    pub joints: wgpu::Buffer,
    /// array<Dof>
    pub dofs: wgpu::Buffer,
    /// array<Geom>
    pub geoms: wgpu::Buffer,
    /// array<Site>
    pub sites: wgpu::Buffer,
    /// array<Tendon>
    pub tendons: wgpu::Buffer,
    /// array<Wrap>
    pub wraps: wgpu::Buffer,
    /// array<Actuator>
    pub actuators: wgpu::Buffer,
    /// array<Equality>
    pub equalities: wgpu::Buffer,
    /// array<Pair>
    pub pairs: wgpu::Buffer,
    /// array<f32>, nq
    pub qpos0: wgpu::Buffer,
    /// array<f32>, nq
    pub qpos_spring: wgpu::Buffer,
    /// array<f32>, nu
    pub actuator_acc0: wgpu::Buffer,
}

impl GpuModel {
    /// Convert and upload `model`.
    pub fn upload(ctx: &GpuContext, model: &Model) -> Self {
        let mirror = ModelMirror::new(model);
        GpuModel {
            sizes: ctx.uniform_from("model.sizes", &mirror.sizes),
            options: ctx.uniform_from("model.options", &mirror.options),
            dof_madr: ctx.storage_from("model.dof_madr", &mirror.dof_madr),
            dof_mcol: ctx.storage_from("model.dof_mcol", &mirror.dof_mcol),
            body_subtree_end: ctx.storage_from("model.body_subtree_end", &mirror.body_subtree_end),
            bodies: ctx.storage_from("model.bodies", &mirror.bodies),
            joints: ctx.storage_from("model.joints", &mirror.joints),
            dofs: ctx.storage_from("model.dofs", &mirror.dofs),
            geoms: ctx.storage_from("model.geoms", &mirror.geoms),
            sites: ctx.storage_from("model.sites", &mirror.sites),
            tendons: ctx.storage_from("model.tendons", &mirror.tendons),
            wraps: ctx.storage_from("model.wraps", &mirror.wraps),
            actuators: ctx.storage_from("model.actuators", &mirror.actuators),
            equalities: ctx.storage_from("model.equalities", &mirror.equalities),
            pairs: ctx.storage_from("model.pairs", &mirror.pairs),
            qpos0: ctx.storage_from("model.qpos0", &mirror.qpos0),
            qpos_spring: ctx.storage_from("model.qpos_spring", &mirror.qpos_spring),
            actuator_acc0: ctx.storage_from("model.actuator_acc0", &mirror.actuator_acc0),
            mirror,
        }
    }

    /// Offer the model's tables to kernels by their WGSL names (every world reads all of them).
    pub fn bind(&self, b: &mut super::Bindings) {
        let tables = [
            ("sizes", &self.sizes),
            ("options", &self.options),
            ("dof_madr", &self.dof_madr),
            ("dof_mcol", &self.dof_mcol),
            ("body_subtree_end", &self.body_subtree_end),
            ("bodies", &self.bodies),
            ("joints", &self.joints),
            ("dofs", &self.dofs),
            ("geoms", &self.geoms),
            ("sites", &self.sites),
            ("tendons", &self.tendons),
            ("wraps", &self.wraps),
            ("actuators", &self.actuators),
            ("qpos0", &self.qpos0),
            ("qpos_spring", &self.qpos_spring),
            ("actuator_acc0", &self.actuator_acc0),
        ];
        for (name, buffer) in tables {
            b.shared(name, buffer);
        }
    }

    /// Total bytes of model data on the GPU.
    pub fn bytes(&self) -> u64 {
        [
            &self.bodies, &self.joints, &self.dofs, &self.geoms, &self.sites, &self.tendons, &self.wraps,
            &self.actuators, &self.equalities, &self.pairs, &self.qpos0, &self.qpos_spring,
            &self.actuator_acc0,
        ]
        .iter()
        .map(|b| b.size())
        .sum::<u64>()
            + self.sizes.size()
    }
}
