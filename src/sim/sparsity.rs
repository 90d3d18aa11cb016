//! Sparsity structures built once on the host from the model: which dofs each tendon's Jacobian
//! can touch, and the transposed lists the gather kernels use (dof → actuators / tendons).

use crate::model::{Model, TrnType, WrapType};

/// Dofs that move `body` (its own and its ancestors'), ascending.
pub fn body_dofs(m: &Model, body: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut b = body;
    while b > 0 {
        out.extend(m.body_dofadr[b]..m.body_dofadr[b] + m.body_dofnum[b]);
        b = m.body_parentid[b];
    }
    out.sort_unstable();
    out
}

/// Sparse rows of the tendon Jacobian: per tendon, the dofs its path can move (ascending).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TendonRows {
    /// (ntendon) First entry of each tendon in `dof`.
    pub adr: Vec<u32>,
    /// (ntendon) Number of entries.
    pub num: Vec<u32>,
    /// (nnz) Dof index of each entry.
    pub dof: Vec<u32>,
}

impl TendonRows {
    /// The union of the dof chains of every body on each tendon's path.
    pub fn new(m: &Model) -> Self {
        let mut rows = TendonRows::default();
        for t in 0..m.ntendon {
            let mut dofs = Vec::new();
            for k in m.tendon_adr[t]..m.tendon_adr[t] + m.tendon_num[t] {
                let id = m.wrap_objid[k];
                match m.wrap_type[k] {
                    WrapType::Site => dofs.extend(body_dofs(m, m.site_bodyid[id])),
                    WrapType::Sphere | WrapType::Cylinder => dofs.extend(body_dofs(m, m.geom_bodyid[id])),
                    WrapType::Joint => dofs.push(m.jnt_dofadr[id]),
                    WrapType::Pulley => {}
                }
            }
            dofs.sort_unstable();
            dofs.dedup();
            rows.adr.push(rows.dof.len() as u32);
            rows.num.push(dofs.len() as u32);
            rows.dof.extend(dofs.iter().map(|d| *d as u32));
        }
        rows
    }

    /// Total entries.
    pub fn nnz(&self) -> usize {
        self.dof.len()
    }
}

/// For each dof, the (actuator, tendon-Jacobian entry) pairs that push on it: entry `u32::MAX`
/// means a joint transmission (moment = gear).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DofActuators {
    /// (nv) First pair of each dof.
    pub adr: Vec<u32>,
    /// (nv) Number of pairs.
    pub num: Vec<u32>,
    /// (npairs) [actuator, entry].
    pub pair: Vec<[u32; 2]>,
}

impl DofActuators {
    /// Transpose the actuator moments' sparsity.
    pub fn new(m: &Model, rows: &TendonRows) -> Self {
        let mut per_dof: Vec<Vec<[u32; 2]>> = vec![Vec::new(); m.nv];
        for u in 0..m.nu {
            let id = m.actuator_trnid[u];
            match m.actuator_trntype[u] {
                TrnType::Joint => per_dof[m.jnt_dofadr[id]].push([u as u32, u32::MAX]),
                TrnType::Tendon => {
                    for e in rows.adr[id]..rows.adr[id] + rows.num[id] {
                        per_dof[rows.dof[e as usize] as usize].push([u as u32, e]);
                    }
                }
            }
        }
        let mut out = DofActuators::default();
        for list in per_dof {
            out.adr.push(out.pair.len() as u32);
            out.num.push(list.len() as u32);
            out.pair.extend(list);
        }
        out
    }
}

/// For each dof, the (tendon, entry) pairs of tendons with a spring or damper.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DofTendons {
    /// (nv) First pair of each dof.
    pub adr: Vec<u32>,
    /// (nv) Number of pairs.
    pub num: Vec<u32>,
    /// (npairs) [tendon, entry].
    pub pair: Vec<[u32; 2]>,
}

impl DofTendons {
    /// Transpose the Jacobian rows of tendons that carry passive force.
    pub fn new(m: &Model, rows: &TendonRows) -> Self {
        let mut per_dof: Vec<Vec<[u32; 2]>> = vec![Vec::new(); m.nv];
        for t in 0..m.ntendon {
            if m.tendon_stiffness[t] == 0.0 && m.tendon_damping[t] == 0.0 {
                continue;
            }
            for e in rows.adr[t]..rows.adr[t] + rows.num[t] {
                per_dof[rows.dof[e as usize] as usize].push([t as u32, e]);
            }
        }
        let mut out = DofTendons::default();
        for list in per_dof {
            out.adr.push(out.pair.len() as u32);
            out.num.push(list.len() as u32);
            out.pair.extend(list);
        }
        out
    }
}

/// The sparsity structures on the GPU.
pub struct GpuSparsity {
    /// Host copy of the tendon Jacobian rows.
    pub rows: TendonRows,
    /// (ntendon) vec2<u32>: (adr, num) of each tendon's Jacobian row.
    pub ten_rows: wgpu::Buffer,
    /// (nnz) u32: dof of each Jacobian entry.
    pub ten_row_dof: wgpu::Buffer,
    /// (nv) vec2<u32>: (adr, num) into `dof_act_pairs`.
    pub dof_act_rows: wgpu::Buffer,
    /// vec2<u32>: (actuator, Jacobian entry or u32::MAX for joint transmission).
    pub dof_act_pairs: wgpu::Buffer,
    /// (nv) vec2<u32>: (adr, num) into `dof_ten_pairs`.
    pub dof_ten_rows: wgpu::Buffer,
    /// vec2<u32>: (tendon, Jacobian entry) of tendons with springs or dampers.
    pub dof_ten_pairs: wgpu::Buffer,
}

impl GpuSparsity {
    /// Offer the tables to kernels by their WGSL names.
    pub fn bind(&self, b: &mut crate::gpu::Bindings) {
        b.shared("ten_rows", &self.ten_rows).shared("ten_row_dof", &self.ten_row_dof);
        b.shared("dof_act_rows", &self.dof_act_rows).shared("dof_act_pairs", &self.dof_act_pairs);
        b.shared("dof_ten_rows", &self.dof_ten_rows).shared("dof_ten_pairs", &self.dof_ten_pairs);
    }

    /// Build the structures for `m` and upload them.
    pub fn upload(ctx: &crate::gpu::GpuContext, m: &Model) -> Self {
        let rows = TendonRows::new(m);
        let da = DofActuators::new(m, &rows);
        let dt = DofTendons::new(m, &rows);
        let pairs = |adr: &[u32], num: &[u32]| -> Vec<[u32; 2]> {
            adr.iter().zip(num).map(|(a, n)| [*a, *n]).collect()
        };
        GpuSparsity {
            ten_rows: ctx.storage_from("sparsity.ten_rows", &pairs(&rows.adr, &rows.num)),
            ten_row_dof: ctx.storage_from("sparsity.ten_row_dof", &rows.dof),
            dof_act_rows: ctx.storage_from("sparsity.dof_act_rows", &pairs(&da.adr, &da.num)),
            dof_act_pairs: ctx.storage_from("sparsity.dof_act_pairs", &da.pair),
            dof_ten_rows: ctx.storage_from("sparsity.dof_ten_rows", &pairs(&dt.adr, &dt.num)),
            dof_ten_pairs: ctx.storage_from("sparsity.dof_ten_pairs", &dt.pair),
            rows,
        }
    }
}
