//! The constraint table built once on the host: every object that can produce a constraint row
//! (joint equalities, joint limits, tendon limits), their fixed parameters, and the per-world row
//! capacity. The `constraint` stage turns the active ones into rows each step.

use super::contact::ContactTable;
use super::hessian_pattern::HessianPattern;
use super::sparsity::{TendonRows, body_dofs};
use crate::gpu::GpuContext;
use crate::gpu::layout::{EfcSource, SolverParams};
use crate::model::{EqType, JointType, Model, disable};

/// `EfcSource::kind` values.
pub mod source {
    /// Joint equality with polycoef coupling.
    pub const JOINT_EQUALITY: u32 = 0;
    /// Hinge or slide limit.
    pub const LIMIT_LINEAR: u32 = 1;
    /// Ball limit (rotation angle against the cone).
    pub const LIMIT_BALL: u32 = 2;
    /// Tendon limit.
    pub const LIMIT_TENDON: u32 = 3;
}

/// Host side of the constraint table.
#[derive(Debug, Clone)]
pub struct EfcTable {
    /// Row sources in MuJoCo's row order (equalities, joint limits, tendon limits).
    pub sources: Vec<EfcSource>,
    /// Rows per world reserved for contacts.
    pub contact_rows: usize,
    /// Solver sizes and settings.
    pub params: SolverParams,
    /// Invocations per world in the Newton workgroups.
    pub threads: usize,
    /// Where the Newton Hessian and its factor can be nonzero, given every row this table and
    /// the contact candidates can make.
    pub pattern: HessianPattern,
    /// The dofs its rows can touch.
    rows: RowDofs,
}

/// 1 − dmin and 1 − dmax of `solimp` after MuJoCo's clamp to [1e-4, 0.9999], in f64.
fn complements(solimp: &[f64; 5]) -> [f32; 2] {
    let c = |v: f64| (1.0 - v.clamp(0.0001, 0.9999)) as f32;
    [c(solimp[0]), c(solimp[1])]
}

fn with_complements(mut data: [f32; 9], solimp: &[f64; 5]) -> [f32; 9] {
    [data[7], data[8]] = complements(solimp);
    data
}

fn arr<const N: usize>(v: &[f64]) -> [f32; N] {
    let mut out = [0.0f32; N];
    for (o, x) in out.iter_mut().zip(v) {
        *o = *x as f32;
    }
    out
}

impl EfcTable {
    /// The table of `m` under its disable flags, with `contacts.rows()` rows per world for the
    /// contacts of `contacts`' candidates.
    pub fn new(m: &Model, contacts: &ContactTable) -> Self {
        let flags = m.opt.disableflags;
        let mut sources = Vec::new();
        let on = flags & disable::CONSTRAINT == 0;
        if on && flags & disable::EQUALITY == 0 {
            for e in 0..m.neq {
                if !m.eq_active0[e] || m.eq_type[e] != EqType::Joint {
                    continue;
                }
                let j1 = m.eq_obj1id[e];
                let (qadr1, dadr1) = (m.jnt_qposadr[j1], m.jnt_dofadr[j1]);
                let mut data = [0.0f32; 9];
                data[..5].copy_from_slice(&arr::<5>(&m.eq_data[e][..5]));
                data[5] = m.qpos0[qadr1] as f32;
                [data[7], data[8]] = complements(&m.eq_solimp[e]);
                let (qadr2, dadr2, invweight) = match m.eq_obj2id[e] {
                    Some(j2) => {
                        let (a2, d2) = (m.jnt_qposadr[j2], m.jnt_dofadr[j2]);
                        data[6] = m.qpos0[a2] as f32;
                        (a2 as i32, d2 as i32, m.dof_invweight0[dadr1] + m.dof_invweight0[d2])
                    }
                    None => (-1, -1, m.dof_invweight0[dadr1]),
                };
                sources.push(EfcSource {
                    kind: source::JOINT_EQUALITY,
                    id: e as u32,
                    qadr1: qadr1 as u32,
                    dadr1: dadr1 as u32,
                    qadr2,
                    dadr2,
                    margin: 0.0,
                    invweight: invweight as f32,
                    solref: arr(&m.eq_solref[e]),
                    solimp: arr(&m.eq_solimp[e]),
                    data,
                });
            }
        }
        if on && flags & disable::LIMIT == 0 {
            for j in 0..m.njnt {
                let kind = match m.jnt_type[j] {
                    _ if !m.jnt_limited[j] => continue,
                    JointType::Hinge | JointType::Slide => source::LIMIT_LINEAR,
                    JointType::Ball => source::LIMIT_BALL,
                    JointType::Free => continue,
                };
                let d = m.jnt_dofadr[j];
                sources.push(EfcSource {
                    kind,
                    id: j as u32,
                    qadr1: m.jnt_qposadr[j] as u32,
                    dadr1: d as u32,
                    qadr2: -1,
                    dadr2: -1,
                    margin: m.jnt_margin[j] as f32,
                    invweight: m.dof_invweight0[d] as f32,
                    solref: arr(&m.jnt_solref[j]),
                    solimp: arr(&m.jnt_solimp[j]),
                    data: with_complements(arr(&m.jnt_range[j]), &m.jnt_solimp[j]),
                });
            }
            for t in 0..m.ntendon {
                if !m.tendon_limited[t] {
                    continue;
                }
                sources.push(EfcSource {
                    kind: source::LIMIT_TENDON,
                    id: t as u32,
                    qadr1: 0,
                    dadr1: 0,
                    qadr2: -1,
                    dadr2: -1,
                    margin: m.tendon_margin[t] as f32,
                    invweight: m.tendon_invweight0[t] as f32,
                    solref: arr(&m.tendon_solref[t]),
                    solimp: arr(&m.tendon_solimp[t]),
                    data: with_complements(arr(&m.tendon_range[t]), &m.tendon_solimp[t]),
                });
            }
        }
        let contact_rows = if on && flags & disable::CONTACT == 0 { contacts.rows() } else { 0 };
        let rows = RowDofs::new(m, &sources, contacts, contact_rows > 0);
        let pattern = HessianPattern::new(&m.dof_parentid, &rows.all());
        let params = SolverParams {
            nsource: sources.len() as u32,
            nefc_max: (sources.len() + contact_rows) as u32,
            iterations: m.opt.iterations as u32,
            ls_iterations: m.opt.ls_iterations as u32,
            tolerance: m.opt.tolerance as f32,
            scale: (1.0 / (m.stat_meaninertia * m.nv.max(1) as f64)) as f32,
            warmstart: u32::from(flags & disable::WARMSTART == 0),
            nl: pattern.nl() as u32,
            iterations_per_dispatch: m.opt.iterations.max(1) as u32,
            work_stride: (pattern.nl() + 6 * m.nv + 2 * (sources.len() + contact_rows) + 3) as u32,
            nlevel: pattern.nlevel() as u32,
            _pad1: 0,
        };
        EfcTable { sources, contact_rows, params, threads: 64, pattern, rows }
    }

    /// Rows per world the buffers hold.
    pub fn nefc_max(&self) -> usize {
        self.params.nefc_max as usize
    }

    /// Fit the Newton workgroup and the iterations per dispatch to a budget of loop iterations
    /// per shader invocation, for CPU adapters. llvmpipe (lavapipe) ends every loop of an
    /// invocation once 65,535 loop iterations have run in it in total, silently; `budget` keeps
    /// a dispatch below that. Its workgroup barriers cost a pass over all invocations, so the
    /// smallest workgroup (of 8, 16, 32, 64) whose Newton iteration fits the budget is taken.
    /// `nm` is the sparse mass matrix's size.
    pub fn fit_loop_budget(&mut self, nv: usize, nm: usize, budget: usize) {
        // (newton.wgsl's workgroup sums hold at most WG_MAX = 256 invocations)
        for threads in [8, 16, 32, 64] {
            self.threads = threads;
            if self.newton_iteration_cost(nv, nm) <= budget {
                break;
            }
        }
        let cost = self.newton_iteration_cost(nv, nm);
        let p = &self.params;
        self.params.iterations_per_dispatch =
            (budget / cost.max(1)).clamp(1, p.iterations.max(1) as usize) as u32;
    }

    /// Loop iterations of the busiest invocation in one Newton iteration: the Hessian's assembly,
    /// factorisation and substitutions (by the pattern's levels), its rows of the sparse M
    /// product (ancestors and descendants) and of pᵀMp (ancestors), the workgroup sums (cost,
    /// gradient norm, every line-search slope: a share of the rows and a tree of 2·log2(threads)
    /// steps each), gradient and row products.
    fn newton_iteration_cost(&self, nv: usize, nm: usize) -> usize {
        let p = &self.params;
        let (nefc, ls) = (p.nefc_max as usize, p.ls_iterations as usize);
        let per_thread = |n: usize| n.div_ceil(self.threads).max(1);
        let tree = 2 * self.threads.ilog2() as usize + 2;
        let pattern = &self.pattern;
        self.rows.assembly_loops(pattern, self.threads, nefc, self.contact_rows)
            + pattern.factor_loops(self.threads)
            + pattern.solve_loops(self.threads)
            + (2 * nm).min(per_thread(nv) * nv)
            + nm.min(per_thread(nv) * nv)
            + (ls + 4) * (per_thread(nefc) + tree)
            + 8 * nv
            + per_thread(nefc) * nv * 2
            + per_thread(nv) * nefc * 2
    }

    /// `iterate` dispatches per step so that `iterations` are covered.
    pub fn newton_dispatches(&self) -> usize {
        (self.params.iterations.max(1) as usize).div_ceil(self.params.iterations_per_dispatch.max(1) as usize)
    }
}

/// The table on the GPU.
pub struct GpuEfc {
    /// Host side.
    pub table: EfcTable,
    /// (nsource) [`EfcSource`] storage (one dummy entry when empty: bindings need a non-empty buffer).
    pub sources: wgpu::Buffer,
    /// Uniform [`SolverParams`].
    pub params: wgpu::Buffer,
    /// u32 tables of the Hessian's factor ([`HessianPattern::gpu_table`]).
    pub pattern: wgpu::Buffer,
}

impl GpuEfc {
    /// Upload `table` (fitted to the adapter's loop limits; `nm` is the sparse M's size).
    pub fn upload(ctx: &GpuContext, mut table: EfcTable, nv: usize, nm: usize) -> Self {
        if ctx.summary().device_type == "Cpu" {
            table.fit_loop_budget(nv, nm, 50_000);
        }
        let mut sources = table.sources.clone();
        if sources.is_empty() {
            sources.push(EfcSource::default());
        }
        GpuEfc {
            sources: ctx.storage_from("efc.sources", &sources),
            params: ctx.uniform_from("efc.params", &table.params),
            pattern: ctx.storage_from("efc.pattern", &table.pattern.gpu_table()),
            table,
        }
    }
}

/// Per-world constraint rows and solver scratch on the GPU.
pub struct EfcState {
    /// (nworld × nefc_max × nv) f32: dense Jacobian rows.
    pub j: wgpu::Buffer,
    /// (nworld × nefc_max) f32: reference accelerations.
    pub aref: wgpu::Buffer,
    /// (nworld × nefc_max) f32: inverse regularisers D = 1/R.
    pub d: wgpu::Buffer,
    /// (nworld × nefc_max) u32: 1 for one-sided rows (limits, contacts), 0 for equalities.
    pub side: wgpu::Buffer,
    /// (nworld) u32: rows in use.
    pub nefc: wgpu::Buffer,
    /// (nworld × work_stride) f64 (f32 without shader f64): Newton scratch.
    pub work: wgpu::Buffer,
    /// (nworld + 1) u32: the worlds whose Newton solve goes on, then their count (pending.wgsl).
    pub pending: wgpu::Buffer,
    /// (3) u32: the indirect workgroup counts of the next `iterate` dispatch.
    pub pending_args: wgpu::Buffer,
}

impl EfcState {
    /// Buffers for `nworld` worlds of a model with `nv` dofs under `table`.
    pub fn new(ctx: &GpuContext, table: &EfcTable, nv: usize, nworld: usize) -> Self {
        // scratch per world: H's packed factor, six nv-vectors, two row vectors, three scalars (work_stride)
        let rows = nworld * table.nefc_max();
        let per_world = table.params.work_stride as usize;
        let work = if ctx.has_f64() {
            ctx.storage_zeroed::<f64>("efc.work", nworld * per_world)
        } else {
            ctx.storage_zeroed::<f32>("efc.work", nworld * per_world)
        };
        EfcState {
            j: ctx.storage_zeroed::<f32>("efc.j", rows * nv),
            aref: ctx.storage_zeroed::<f32>("efc.aref", rows),
            d: ctx.storage_zeroed::<f32>("efc.d", rows),
            side: ctx.storage_zeroed::<u32>("efc.side", rows),
            nefc: ctx.storage_zeroed::<u32>("efc.nefc", nworld),
            work,
            pending: ctx.storage_zeroed::<u32>("efc.pending", nworld + 1),
            pending_args: ctx.indirect_args("efc.pending_args"),
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        [&self.j, &self.aref, &self.d, &self.side, &self.nefc, &self.work, &self.pending, &self.pending_args]
            .iter()
            .map(|b| b.size())
            .sum()
    }
}

/// The dofs rows can touch, for the Hessian's pattern and the loop budget.
#[derive(Debug, Clone)]
struct RowDofs {
    /// Per source, the dofs of its row.
    sources: Vec<Vec<usize>>,
    /// Per contact candidate, the dofs of its rows (the chains of its two bodies) and the most
    /// rows it makes at once.
    contacts: Vec<(Vec<usize>, usize)>,
}

impl RowDofs {
    /// The rows of `sources` and, with `with_contacts`, of `contacts`' candidates.
    fn new(m: &Model, sources: &[EfcSource], contacts: &ContactTable, with_contacts: bool) -> Self {
        let tendons = TendonRows::new(m);
        let sources = sources
            .iter()
            .map(|s| match s.kind {
                source::JOINT_EQUALITY => {
                    let mut dofs = vec![s.dadr1 as usize];
                    dofs.extend(usize::try_from(s.dadr2).ok());
                    dofs
                }
                source::LIMIT_LINEAR => vec![s.dadr1 as usize],
                source::LIMIT_BALL => (0..3).map(|k| s.dadr1 as usize + k).collect(),
                _ => {
                    let t = s.id as usize;
                    let (adr, num) = (tendons.adr[t] as usize, tendons.num[t] as usize);
                    tendons.dof[adr..adr + num].iter().map(|d| *d as usize).collect()
                }
            })
            .collect();
        let per_contact = contacts.params.rows_per_contact as usize;
        let contacts = if with_contacts {
            contacts
                .pairs
                .iter()
                .map(|p| {
                    let mut dofs = body_dofs(m, m.geom_bodyid[p.geom1 as usize]);
                    dofs.extend(body_dofs(m, m.geom_bodyid[p.geom2 as usize]));
                    (dofs, p.maxcon as usize * per_contact)
                })
                .collect()
        } else {
            Vec::new()
        };
        RowDofs { sources, contacts }
    }

    /// Every row's dofs (a candidate's once).
    fn all(&self) -> Vec<Vec<usize>> {
        self.sources.iter().cloned().chain(self.contacts.iter().map(|(d, _)| d.clone())).collect()
    }

    /// Loop iterations of the busiest of `threads` invocations assembling the Hessian of
    /// `pattern` from `nefc` rows, at most `contact_rows` of them from contacts (newton.wgsl's
    /// `hessian`: invocation t takes the columns k ≡ t mod threads; each column is zeroed, gets
    /// M's entries, tests every row, and is walked again for each row that touches it).
    fn assembly_loops(
        &self,
        pattern: &HessianPattern,
        threads: usize,
        nefc: usize,
        contact_rows: usize,
    ) -> usize {
        let nv = pattern.nv;
        let len = |k: usize| pattern.column(k).len();
        let mut by_source = vec![0usize; nv];
        for d in self.sources.iter().flatten() {
            by_source[*d] += 1;
        }
        (0..threads)
            .map(|t| {
                let own = |k: &usize| *k % threads == t;
                let fixed: usize = (t..nv).step_by(threads).map(|k| len(k) * (2 + by_source[k]) + nefc).sum();
                // each contact row walks the owned columns of its candidate's chains: at worst the
                // candidates with the longest walks make as many rows as they can, up to
                // contact_rows in all
                let mut walks: Vec<(usize, usize)> = self
                    .contacts
                    .iter()
                    .map(|(d, rows)| (d.iter().filter(|k| own(k)).map(|k| len(*k)).sum::<usize>(), *rows))
                    .collect();
                walks.sort_unstable_by(|a, b| b.cmp(a));
                let mut left = contact_rows;
                let mut contact = 0;
                for (walk, rows) in walks {
                    let take = rows.min(left);
                    contact += take * walk;
                    left -= take;
                }
                fixed + contact
            })
            .max()
            .unwrap_or(0)
    }
}
