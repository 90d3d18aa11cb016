//! The constraint table built once on the host: every object that can produce a constraint row
//! (joint equalities, joint limits, tendon limits), their fixed parameters, and the per-world row
//! capacity. The `constraint` stage turns the active ones into rows each step.

use super::contact::ContactTable;
use super::hessian_pattern::HessianPattern;
use super::sparsity::{TendonRows, body_dofs};
use crate::error::{Error, Result};
use crate::gpu::layout::{EfcSource, SolverParams};
use crate::gpu::{Bindings, GpuContext};
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
    /// The row dof lists the shaders read ([`RowDofs::gpu_table`]).
    pub lists: Vec<u32>,
    /// Whether Newton also forms its gradient's rounding bound (f32 solves, newton.wgsl), for the
    /// loop budget.
    pub rounding_bounds: bool,
    /// What Newton keeps in workgroup memory ([`EfcTable::fit_adapter`]).
    pub hot: WorkgroupPlan,
}

/// What newton.wgsl keeps in workgroup memory instead of each world's scratch in global
/// memory: H's factor with 1/D and the vector being solved (HOT), and the world's vectors
/// (VHOT: a, d, Md, g, p, … and the rows' jar, Jp, …, copied in and out once per dispatch).
/// Chosen per adapter by [`EfcTable::fit_adapter`]: both where they fit, else the factor (read
/// most: O(nl) per iteration against O(nv + nefc)), else the vectors, else neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkgroupPlan {
    /// H's factor, 1/D and the vector being solved.
    pub factor: bool,
    /// The world's vectors.
    pub vectors: bool,
}

impl WorkgroupPlan {
    /// What `SINEW_NEWTON_HOT` allows in workgroup memory (`all`, the default, `factor`,
    /// `vectors` or `none`), so one binary can measure the placements against each other; the
    /// adapter's limit still applies. `Err` naming the variable for any other value.
    pub fn allowed() -> Result<WorkgroupPlan> {
        let Some(v) = std::env::var_os("SINEW_NEWTON_HOT") else {
            return Ok(WorkgroupPlan { factor: true, vectors: true });
        };
        let (factor, vectors) = match v.to_str() {
            Some("all") => (true, true),
            Some("factor") => (true, false),
            Some("vectors") => (false, true),
            Some("none") => (false, false),
            _ => {
                return Err(Error::Gpu(format!(
                    "SINEW_NEWTON_HOT is '{}': set it to all, factor, vectors or none (what the Newton solve \
                     may keep in workgroup memory)",
                    v.to_string_lossy()
                )));
            }
        };
        Ok(WorkgroupPlan { factor, vectors })
    }

    /// The placements to try, best first, within `self` (what is allowed).
    fn candidates(self) -> impl Iterator<Item = WorkgroupPlan> {
        let all = [(true, true), (true, false), (false, true), (false, false)];
        all.into_iter()
            .map(|(factor, vectors)| WorkgroupPlan { factor, vectors })
            .filter(move |p| (!p.factor || self.factor) && (!p.vectors || self.vectors))
    }
}

/// Whether `SINEW_NEWTON_UPDATES` (`on`, the default, or `off`) lets Newton bring its factor
/// to the next iteration's active set by rank-one changes (newton.wgsl's `update_factor`, in
/// f64 and f32) instead of assembling and factorising H again, so one binary can measure the
/// two against each other. `Err` naming the variable for any other value.
pub fn rank_one_updates() -> Result<bool> {
    match std::env::var_os("SINEW_NEWTON_UPDATES") {
        None => Ok(true),
        Some(v) => match v.to_str() {
            Some("on") => Ok(true),
            Some("off") => Ok(false),
            _ => Err(Error::Gpu(format!(
                "SINEW_NEWTON_UPDATES is '{}': set it to on or off (whether the Newton solve updates its \
                 factor by rank-one changes between iterations)",
                v.to_string_lossy()
            ))),
        },
    }
}

/// The most rows whose activity may change for Newton to update its factor by rank-one changes
/// (newton.wgsl's CHANGED_MAX: its workgroup list of them).
pub const UPDATE_ROWS_MAX: usize = 64;

/// The most columns those changes may walk together, in multiples of nv (newton.wgsl's
/// WALK_COLUMNS): a factorisation's column costs several walk steps (its pairs against its
/// rows). Measured on lavapipe, mm_fullbody, 256 worlds, Newton per step: 867 ms refactorising
/// every iteration, 806 / 617 / 562 / 570 ms with 1 / 2 / 4 / 8.
pub const UPDATE_WALK_COLUMNS: usize = 4;

/// A transposed entry packs its row in the high and its position in the row in the low 16 bits
/// (newton.wgsl, contact.wgsl), so both must stay below this.
const PACKED_LIMIT: usize = 1 << 16;

/// The factorisation finds a column's pair k of rows from an f32 square root of k, exact enough
/// below 2²⁴ pairs: columns of fewer than 4096 rows.
const FACTOR_DOF_LIMIT: usize = 1 << 12;

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
    /// contacts of `contacts`' candidates. Fails where the rows per world or the dofs exceed what
    /// the shaders' packed row indices hold (65,535).
    pub fn new(m: &Model, contacts: &ContactTable) -> Result<Self> {
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
        let nefc_max = sources.len() + contact_rows;
        if nefc_max >= PACKED_LIMIT || m.nv >= PACKED_LIMIT {
            return Err(Error::Model(format!(
                "{nefc_max} constraint rows per world over {} dofs: sinew's solver holds at most {} of each \
                 (lower the contact capacity)",
                m.nv,
                PACKED_LIMIT - 1
            )));
        }
        if m.nv >= FACTOR_DOF_LIMIT {
            return Err(Error::Model(format!(
                "{} dofs: sinew's Newton factor holds at most {} (newton.wgsl's pair_of)",
                m.nv,
                FACTOR_DOF_LIMIT - 1
            )));
        }
        let params = SolverParams {
            nsource: sources.len() as u32,
            nefc_max: nefc_max as u32,
            iterations: m.opt.iterations as u32,
            ls_iterations: m.opt.ls_iterations as u32,
            tolerance: m.opt.tolerance as f32,
            scale: (1.0 / (m.stat_meaninertia * m.nv.max(1) as f64)) as f32,
            warmstart: u32::from(flags & disable::WARMSTART == 0),
            nl: pattern.nl() as u32,
            iterations_per_dispatch: m.opt.iterations.max(1) as u32,
            work_stride: 0, // place below
            jpool: rows.pool(contact_rows) as u32,
            factor_in_work: 1,
            _pad0: 0,
            _pad1: 0,
            _pad2: 0,
            _pad3: 0,
        };
        let lists = rows.gpu_table();
        let mut table = EfcTable {
            sources,
            contact_rows,
            params,
            threads: 64,
            pattern,
            rows,
            lists,
            rounding_bounds: false,
            hot: WorkgroupPlan::default(),
        };
        table.place(WorkgroupPlan::default());
        Ok(table)
    }

    /// Dofs of the model (the Hessian's order).
    pub fn nv(&self) -> usize {
        self.pattern.nv
    }

    /// Rows per world the buffers hold.
    pub fn nefc_max(&self) -> usize {
        self.params.nefc_max as usize
    }

    /// Fit the table to `ctx`'s adapter: on CPU adapters, to their loop limit
    /// ([`EfcTable::fit_loop_budget`]); GPUs keep the defaults.
    pub fn fit_adapter(&mut self, ctx: &GpuContext, nv: usize, nm: usize) {
        self.rounding_bounds = !ctx.has_f64();
        // GpuContext::from_adapter has refused an invalid SINEW_NEWTON_HOT
        let allowed = WorkgroupPlan::allowed().unwrap_or_default();
        let plan = allowed.candidates().find(|p| self.workgroup_fits(ctx, *p)).unwrap_or_default();
        self.place(plan);
        if ctx.summary().device_type == "Cpu" {
            self.fit_loop_budget(nv, nm, 50_000);
            // a step split over dispatches keeps a workgroup factor in the scratch between them
            self.place(plan);
        }
    }

    /// Reals of H's factor, 1/D and the vector being solved (newton.wgsl's HOT part).
    pub fn factor_len(&self) -> usize {
        self.params.nl as usize + 2 * self.nv()
    }

    /// Reals of a world's vectors: 8 of nv, 4 of nefc_max, whether the factor is current, cost,
    /// done and iterations (the VHOT part, and the end of each world's scratch: pending.wgsl
    /// reads the last two there).
    pub fn vectors_len(&self) -> usize {
        8 * self.nv() + 4 * self.nefc_max() + 4
    }

    /// Reals of newton.wgsl's workgroup array under `plan` (its HOT_LEN): the vectors first,
    /// then the factor's part.
    pub fn workgroup_len(&self, plan: WorkgroupPlan) -> usize {
        usize::from(plan.vectors) * self.vectors_len() + usize::from(plan.factor) * self.factor_len()
    }

    /// Whether `plan` fits `ctx`'s workgroup storage beside the shader's other workgroup
    /// variables (the reduction's WG_MAX = 256 pairs of reals and a few words).
    fn workgroup_fits(&self, ctx: &GpuContext, plan: WorkgroupPlan) -> bool {
        let real = if ctx.has_f64() { 8 } else { 4 };
        // newton.wgsl's partial sums and total, flag, lost, changed_rows and scan
        let others = 256 * 2 * real + 2 * real + 8 + 4 * (UPDATE_ROWS_MAX + 256);
        self.workgroup_len(plan).max(1) * real + others
            <= ctx.device.limits().max_compute_workgroup_storage_size as usize
    }

    /// Use `plan`: each world's scratch keeps room for H's factor and 1/D unless workgroup
    /// memory holds them for the whole step; where the step's Newton iterations take more than
    /// one dispatch, `iterate` saves a workgroup factor there at a dispatch's end and takes it
    /// back at the next one's start, so its rank-one updates go on across dispatches and a
    /// world's arithmetic does not depend on the placement. The vectors always keep their room
    /// (they outlive a dispatch).
    fn place(&mut self, plan: WorkgroupPlan) {
        self.hot = plan;
        let split = self.params.iterations_per_dispatch < self.params.iterations;
        let room = !plan.factor || split;
        let factor = if room { self.params.nl as usize + self.nv() } else { 0 };
        self.params.factor_in_work = u32::from(room);
        self.params.work_stride = (factor + self.vectors_len()) as u32;
    }

    /// One line on how the solver is laid out for a model with `nv` dofs.
    pub fn describe(&self, nv: usize) -> String {
        let p = &self.params;
        format!(
            "{} rows per world ({} for contacts), Jacobian {} values per world (dense: {}), Hessian factor {} \
             entries of {} in {} levels; Newton workgroup {}, {} iterations per dispatch",
            p.nefc_max,
            self.contact_rows,
            p.jpool,
            p.nefc_max as usize * nv,
            p.nl,
            nv * (nv + 1) / 2,
            self.pattern.nlevel(),
            self.threads,
            p.iterations_per_dispatch
        )
    }

    /// Fit the Newton workgroup and the iterations per dispatch to a budget of loop iterations
    /// per shader invocation, for CPU adapters. llvmpipe (lavapipe) ends every loop of an
    /// invocation once 65,535 loop iterations have run in it in total, silently; `budget` keeps
    /// a dispatch below that. Its workgroup barriers cost a pass over all invocations, so the
    /// smallest workgroup (of 8, 16, 32, 64) whose Newton iteration fits the budget is taken.
    /// `nm` is the sparse mass matrix's size.
    pub fn fit_loop_budget(&mut self, nv: usize, nm: usize, budget: usize) {
        // (newton.wgsl's workgroup sums hold at most WG_MAX = 256 invocations)
        // each dispatch also copies the vectors in and out where workgroup memory holds them, and
        // the factor where it holds that
        let copies = |t: &Self| {
            let vectors = if t.hot.vectors { 2 * t.vectors_len().div_ceil(t.threads) } else { 0 };
            let factor = if t.hot.factor { 2 * t.factor_len().div_ceil(t.threads) } else { 0 };
            vectors + factor
        };
        for threads in [8, 16, 32, 64] {
            self.threads = threads;
            if self.newton_iteration_cost(nv, nm) + copies(self) <= budget {
                break;
            }
        }
        let cost = self.newton_iteration_cost(nv, nm);
        let copies = copies(self);
        let p = &self.params;
        self.params.iterations_per_dispatch =
            (budget.saturating_sub(copies) / cost.max(1)).clamp(1, p.iterations.max(1) as usize) as u32;
    }

    /// Loop iterations of the busiest invocation trying the factor's rank-one updates
    /// (newton.wgsl's `update_factor`, which may still end in a factorisation): listing the
    /// changed rows (twice a share of the rows, their workgroup sum, the scan), clearing the
    /// change vector, and at most UPDATE_WALK_COLUMNS·nv steps along the elimination tree (each
    /// a column's share of rows), each row's values spread out first (a row walks at least 2),
    /// and the loop over at most UPDATE_ROWS_MAX rows.
    fn update_loops(&self, nv: usize) -> usize {
        let per_thread = |n: usize| n.div_ceil(self.threads).max(1);
        let widest_column = (0..nv).map(|j| self.pattern.column(j).len() - 1).max().unwrap_or(0);
        2 * per_thread(self.nefc_max())
            + (2 * self.threads.ilog2() as usize + 2)
            + self.threads.ilog2() as usize
            + per_thread(nv)
            + UPDATE_WALK_COLUMNS * nv * (1 + per_thread(widest_column))
            + UPDATE_WALK_COLUMNS * nv / 2 * per_thread(self.rows.widest())
            + UPDATE_ROWS_MAX
    }

    /// Loop iterations of the busiest invocation in one Newton iteration: the Hessian's assembly
    /// (or its rank-one updates, then the assembly where they fail), factorisation and
    /// substitutions (column by column), its rows of the sparse M
    /// product (ancestors and descendants) and of pᵀMp (ancestors), the workgroup sums (cost,
    /// gradient norm, every line-search slope: a share of the rows and a tree of 2·log2(threads)
    /// steps each), the gradient (its dofs' rows), the row products (their nonzeros) and the
    /// step's bookkeeping; in f32 the gradient's rounding bound (|M|·|a|, the rows' |J|·|a| and
    /// each dof's rows once more).
    fn newton_iteration_cost(&self, nv: usize, nm: usize) -> usize {
        let p = &self.params;
        let (nefc, ls) = (p.nefc_max as usize, p.ls_iterations as usize);
        let per_thread = |n: usize| n.div_ceil(self.threads).max(1);
        let tree = 2 * self.threads.ilog2() as usize + 2;
        let pattern = &self.pattern;
        let gradient = self.rows.gradient_loops(nv, self.threads, self.contact_rows);
        let bounds = if self.rounding_bounds {
            (2 * nm).min(per_thread(nv) * nv) + per_thread(nefc) * (self.rows.widest() + 1) + gradient
        } else {
            0
        };
        bounds
            + self.rows.assembly_loops(pattern, self.threads, self.contact_rows)
            + gradient
            + pattern.factor_loops(self.threads)
            + self.update_loops(nv)
            + pattern.solve_loops(self.threads)
            + (2 * nm).min(per_thread(nv) * nv)
            + nm.min(per_thread(nv) * nv)
            + (ls + 5) * (per_thread(nefc) + tree)
            + 8 * nv
            + per_thread(nefc) * self.rows.widest() * 2
            + 2 * (per_thread(nv) + per_thread(nefc))
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
    /// u32: the dofs of each row source and contact candidate ([`EfcTable::lists`]).
    pub lists: wgpu::Buffer,
}

impl GpuEfc {
    /// Offer the tables to kernels by their WGSL names.
    pub fn bind(&self, b: &mut Bindings) {
        b.shared("params", &self.params).shared("sources", &self.sources);
        b.shared("hpat", &self.pattern).shared("lists", &self.lists);
    }

    /// Upload `table` (fitted to the adapter's loop limits; `nm` is the sparse M's size).
    pub fn upload(ctx: &GpuContext, mut table: EfcTable, nv: usize, nm: usize) -> Self {
        table.fit_adapter(ctx, nv, nm);
        let mut sources = table.sources.clone();
        if sources.is_empty() {
            sources.push(EfcSource::default());
        }
        GpuEfc {
            sources: ctx.storage_from("efc.sources", &sources),
            params: ctx.uniform_from("efc.params", &table.params),
            pattern: ctx.storage_from("efc.pattern", &table.pattern.gpu_table(&table.rows.all())),
            lists: ctx.storage_from("efc.lists", &table.lists),
            table,
        }
    }
}

/// Per-world constraint rows and solver scratch on the GPU. A row keeps only the dofs it can
/// touch: its dof list (a row source's or a contact candidate's, in [`EfcTable::lists`]) and one
/// value per listed dof, packed after the world's earlier rows.
pub struct EfcState {
    /// (nworld × jpool) f32: the rows' Jacobian values, row after row.
    pub jval: wgpu::Buffer,
    /// (nworld × nefc_max) [u32; 2]: per row, its first value in the world's `jval` and its list.
    pub jrow: wgpu::Buffer,
    /// (nworld × (nv + 1 + jpool)) u32: the rows by dof, rebuilt with the rows each step (contact.wgsl):
    /// (nv + 1) offsets, then per dof its (row << 16 | position in the row) in row order.
    pub jt: wgpu::Buffer,
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
    /// (nworld × nefc_max) f32: the rows' forces at the solution (MuJoCo's efc_force: −D·(J·a −
    /// aref) on active rows, 0 on the others), rows past a world's count stale.
    pub force: wgpu::Buffer,
    /// Bytes per world of each buffer (for binding them in chunks of worlds).
    per_world: [u64; 9],
}

impl EfcState {
    /// Buffers for `nworld` worlds of a model with `nv` dofs under `table`.
    pub fn new(ctx: &GpuContext, table: &EfcTable, nv: usize, nworld: usize) -> Self {
        // scratch per world: H's packed factor and 1/D unless in workgroup memory, eight nv-vectors, four row vectors, four scalars (work_stride)
        let rows = nworld * table.nefc_max();
        let per_world = table.params.work_stride as usize;
        let pool = table.params.jpool as usize;
        let work = if ctx.has_f64() {
            ctx.storage_zeroed::<f64>("efc.work", nworld * per_world)
        } else {
            ctx.storage_zeroed::<f32>("efc.work", nworld * per_world)
        };
        EfcState {
            jval: ctx.storage_zeroed::<f32>("efc.jval", nworld * pool),
            jrow: ctx.storage_zeroed::<[u32; 2]>("efc.jrow", rows),
            jt: ctx.storage_zeroed::<u32>("efc.jt", nworld * (nv + 1 + pool)),
            aref: ctx.storage_zeroed::<f32>("efc.aref", rows),
            d: ctx.storage_zeroed::<f32>("efc.d", rows),
            side: ctx.storage_zeroed::<u32>("efc.side", rows),
            nefc: ctx.storage_zeroed::<u32>("efc.nefc", nworld),
            work,
            force: ctx.storage_zeroed::<f32>("efc.force", rows),
            per_world: [
                4 * pool as u64,
                8 * table.nefc_max() as u64,
                4 * (nv + 1 + pool) as u64,
                4 * table.nefc_max() as u64,
                4 * table.nefc_max() as u64,
                4 * table.nefc_max() as u64,
                4,
                (per_world * if ctx.has_f64() { 8 } else { 4 }) as u64,
                4 * table.nefc_max() as u64,
            ],
        }
    }

    /// Offer the buffers to kernels by their WGSL names, with their bytes per world.
    pub fn bind(&self, b: &mut Bindings) {
        let buffers = [
            &self.jval, &self.jrow, &self.jt, &self.aref, &self.d, &self.side, &self.nefc, &self.work,
            &self.force,
        ];
        let names =
            ["efc_jval", "efc_jrow", "efc_jt", "efc_aref", "efc_d", "efc_side", "nefc", "work", "efc_force"];
        for ((name, buffer), per_world) in names.into_iter().zip(buffers).zip(self.per_world) {
            b.per_world(name, buffer, per_world);
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        [
            &self.jval, &self.jrow, &self.jt, &self.aref, &self.d, &self.side, &self.nefc, &self.work,
            &self.force,
        ]
        .iter()
        .map(|b| b.size())
        .sum()
    }

    /// Newton iterations each of the first `worlds` worlds used in the last step (its gradient
    /// checks included, as MuJoCo's `solver_niter` counts them less one), downloaded.
    pub fn iterations(&self, ctx: &GpuContext, table: &EfcTable, worlds: usize) -> Result<Vec<f64>> {
        let stride = table.params.work_stride as usize;
        // iterations are the last real of a world's scratch
        let last = |w: usize| (w + 1) * stride - 1;
        Ok(if ctx.has_f64() {
            let work = ctx.download::<f64>(&self.work, worlds * stride)?;
            (0..worlds).map(|w| work[last(w)]).collect()
        } else {
            let work = ctx.download::<f32>(&self.work, worlds * stride)?;
            (0..worlds).map(|w| work[last(w)] as f64).collect()
        })
    }

    /// The rows in use, downloaded and spread over every dof: (nworld × nefc_max × nv), rows past
    /// a world's count zero. For tests and inspection.
    pub fn dense_rows(
        &self,
        ctx: &GpuContext,
        table: &EfcTable,
        nv: usize,
        nworld: usize,
    ) -> Result<Vec<f32>> {
        let nmax = table.nefc_max();
        let pool = table.params.jpool as usize;
        let jval = ctx.download::<f32>(&self.jval, nworld * pool)?;
        let jrow = ctx.download::<[u32; 2]>(&self.jrow, nworld * nmax)?;
        let nefc = ctx.download::<u32>(&self.nefc, nworld)?;
        let lists = &table.lists;
        let mut dense = vec![0.0f32; nworld * nmax * nv];
        for w in 0..nworld {
            for r in 0..nefc[w] as usize {
                let [first, list] = jrow[w * nmax + r];
                let (a, b) = (lists[list as usize] as usize, lists[list as usize + 1] as usize);
                for (k, d) in lists[a..b].iter().enumerate() {
                    dense[(w * nmax + r) * nv + *d as usize] = jval[w * pool + first as usize + k];
                }
            }
        }
        Ok(dense)
    }
}

/// The dofs rows can touch, for the Hessian's pattern, the shaders' row lists and the loop
/// budget. Every list is ascending, as the rows store their values.
#[derive(Debug, Clone)]
struct RowDofs {
    /// Per source, the dofs of its row.
    sources: Vec<Vec<usize>>,
    /// Per contact candidate, the dofs of its rows (the union of its two bodies' chains) and the
    /// most rows it makes at once.
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
                    dofs.sort_unstable();
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
                    dofs.sort_unstable();
                    dofs.dedup();
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

    /// The lists as the shaders read them: list `l` (source `l`, then contact candidate
    /// `l − nsource`) holds the dofs at `[t[l], t[l + 1])` of the same table `t`, whose first
    /// nlist + 1 words are those offsets.
    fn gpu_table(&self) -> Vec<u32> {
        let lists = self.all();
        let mut table = Vec::with_capacity(lists.len() + 1 + lists.iter().map(Vec::len).sum::<usize>());
        let mut at = lists.len() + 1;
        for l in &lists {
            table.push(at as u32);
            at += l.len();
        }
        table.push(at as u32);
        table.extend(lists.iter().flatten().map(|d| *d as u32));
        table
    }

    /// Values a world's rows can need at once: every source's row, and `contact_rows` contact
    /// rows at their widest: each candidate makes at most its own rows, so the widest candidates
    /// fill the contact rows first.
    fn pool(&self, contact_rows: usize) -> usize {
        let mut widths: Vec<(usize, usize)> = self.contacts.iter().map(|(d, n)| (d.len(), *n)).collect();
        widths.sort_unstable_by(|a, b| b.cmp(a));
        let mut left = contact_rows;
        let mut contact = 0;
        for (width, n) in widths {
            let take = n.min(left);
            contact += take * width;
            left -= take;
        }
        (self.sources.iter().map(Vec::len).sum::<usize>() + contact).max(1)
    }

    /// Dofs of the widest row.
    fn widest(&self) -> usize {
        self.all().iter().map(Vec::len).max().unwrap_or(0)
    }

    /// The rows touching dof `d` at worst, each with its width: every source listing it, and up
    /// to `contact_rows` rows of the candidates listing it, the widest first.
    fn worst_rows(&self, d: usize, contact_rows: usize) -> Vec<usize> {
        let mut rows: Vec<usize> = self.sources.iter().filter(|s| s.contains(&d)).map(Vec::len).collect();
        let mut contacts: Vec<(usize, usize)> = self
            .contacts
            .iter()
            .filter(|(c, _)| c.binary_search(&d).is_ok())
            .map(|(c, n)| (c.len(), *n))
            .collect();
        contacts.sort_unstable_by(|a, b| b.cmp(a));
        let mut left = contact_rows;
        for (width, n) in contacts {
            let take = n.min(left);
            rows.extend(std::iter::repeat_n(width, take));
            left -= take;
        }
        rows
    }

    /// Loop iterations of the busiest of `threads` invocations assembling the Hessian of
    /// `pattern` (newton.wgsl's `hessian`: invocation t takes the columns k ≡ t mod threads; each
    /// column is zeroed and gets M's entries, then each row touching k is tested and, if active,
    /// walks its own dofs).
    fn assembly_loops(&self, pattern: &HessianPattern, threads: usize, contact_rows: usize) -> usize {
        let nv = pattern.nv;
        let column = |k: usize| {
            let rows = self.worst_rows(k, contact_rows);
            2 * pattern.column(k).len() + rows.len() + rows.iter().sum::<usize>()
        };
        let costs: Vec<usize> = (0..nv).map(column).collect();
        (0..threads).map(|t| (t..nv).step_by(threads).map(|k| costs[k]).sum()).max().unwrap_or(0)
    }

    /// Loop iterations of the busiest of `threads` invocations forming the gradient (dof d ≡ t
    /// mod threads, over the rows touching d).
    fn gradient_loops(&self, nv: usize, threads: usize, contact_rows: usize) -> usize {
        let costs: Vec<usize> = (0..nv).map(|d| 1 + self.worst_rows(d, contact_rows).len()).collect();
        (0..threads).map(|t| (t..nv).step_by(threads).map(|k| costs[k]).sum()).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(sources: Vec<Vec<usize>>, contacts: Vec<(Vec<usize>, usize)>) -> RowDofs {
        RowDofs { sources, contacts }
    }

    #[test]
    fn the_gpu_table_holds_each_list_between_its_offsets() {
        let r = lists(vec![vec![2], vec![0, 3]], vec![(vec![0, 1, 4], 8)]);
        let t = r.gpu_table();
        assert_eq!(t, vec![4, 5, 7, 10, 2, 0, 3, 0, 1, 4]);
        assert_eq!(r.pool(8), 3 + 8 * 3);
        // the widest candidate makes at most its 4 rows; the rest are the next widest
        let r = lists(vec![vec![1]], vec![(vec![0, 1], 8), (vec![0, 1, 2], 4), (vec![3], 8)]);
        assert_eq!(r.pool(10), 1 + 4 * 3 + 6 * 2);
        assert_eq!(r.widest(), 3);
    }

    #[test]
    fn the_worst_rows_of_a_dof_fill_the_contact_rows_widest_first() {
        let r = lists(vec![vec![0], vec![0, 2]], vec![(vec![0, 1], 4), (vec![0, 1, 2], 4), (vec![3], 4)]);
        assert_eq!(r.worst_rows(0, 6), vec![1, 2, 3, 3, 3, 3, 2, 2]);
        assert_eq!(r.worst_rows(3, 6), vec![1, 1, 1, 1]);
        assert_eq!(r.worst_rows(2, 0), vec![2]);
    }
}
