//! The contact candidate table built once on the host: every geom pair that can touch (MuJoCo's
//! filters: contype/conaffinity, weld and parent exclusion, `<exclude>`, explicit `<pair>`s that
//! replace a dynamic pair), in MuJoCo's contact order (body-pair signature, explicit pairs first),
//! each with its narrowphase function and its mixed contact parameters. The `collision` stage
//! tests every candidate in every world; `constraint` turns the hits into pyramidal rows.
//! docs/mujoco4_contacts.md records the MuJoCo 4.0 rules followed here.

use crate::error::{Error, Result};
use crate::gpu::Bindings;
use crate::gpu::layout::{CollisionParams, ContactPair};
use crate::model::{GeomType, Model, disable};

/// Narrowphase functions (`ContactPair::kind`), after ordering the pair so type1 ≤ type2.
#[allow(missing_docs)] // the names say it: geom1 type, geom2 type
pub mod narrowphase {
    pub const PLANE_SPHERE: u32 = 0;
    pub const PLANE_CAPSULE: u32 = 1;
    pub const PLANE_ELLIPSOID: u32 = 2;
    pub const PLANE_CYLINDER: u32 = 3;
    pub const PLANE_BOX: u32 = 4;
    pub const SPHERE_SPHERE: u32 = 5;
    pub const SPHERE_CAPSULE: u32 = 6;
    pub const SPHERE_ELLIPSOID: u32 = 7;
    pub const SPHERE_CYLINDER: u32 = 8;
    pub const SPHERE_BOX: u32 = 9;
    pub const CAPSULE_CAPSULE: u32 = 10;
    pub const CAPSULE_ELLIPSOID: u32 = 11;
    pub const CAPSULE_CYLINDER: u32 = 12;
    pub const ELLIPSOID_ELLIPSOID: u32 = 13;
    pub const ELLIPSOID_CYLINDER: u32 = 14;
}

/// MuJoCo's limits on mixed contact parameters.
const MINMU: f64 = 1e-5;
const MINVAL: f64 = 1e-15;

/// Contacts per world the rows are sized for unless the caller asks otherwise.
pub const DEFAULT_CONTACT_CAPACITY: usize = 32;

/// (function, most contacts it returns) for a type pair with type1 ≤ type2, or None when sinew
/// has no narrowphase for it.
fn function(t1: GeomType, t2: GeomType) -> Option<(u32, u32)> {
    use GeomType::*;
    use narrowphase::*;
    Some(match (t1, t2) {
        (Plane, Sphere) => (PLANE_SPHERE, 1),
        (Plane, Capsule) => (PLANE_CAPSULE, 2),
        (Plane, Ellipsoid) => (PLANE_ELLIPSOID, 1),
        (Plane, Cylinder) => (PLANE_CYLINDER, 4),
        (Plane, Box) => (PLANE_BOX, 4),
        (Sphere, Sphere) => (SPHERE_SPHERE, 1),
        (Sphere, Capsule) => (SPHERE_CAPSULE, 1),
        (Sphere, Ellipsoid) => (SPHERE_ELLIPSOID, 1),
        (Sphere, Cylinder) => (SPHERE_CYLINDER, 1),
        (Sphere, Box) => (SPHERE_BOX, 1),
        (Capsule, Capsule) => (CAPSULE_CAPSULE, 2),
        (Capsule, Ellipsoid) => (CAPSULE_ELLIPSOID, 1),
        (Capsule, Cylinder) => (CAPSULE_CYLINDER, 2),
        (Ellipsoid, Ellipsoid) => (ELLIPSOID_ELLIPSOID, 1),
        (Ellipsoid, Cylinder) => (ELLIPSOID_CYLINDER, 1),
        _ => return None,
    })
}

/// Does MuJoCo have a collision function for this ordered type pair at all (plane–plane and
/// anything with a height field or SDF it does not; we only refuse what MuJoCo would collide)?
fn mujoco_collides(t1: GeomType, t2: GeomType) -> bool {
    use GeomType::*;
    !matches!((t1, t2), (Plane, Plane)) && !matches!(t1, Hfield) && !matches!(t2, Hfield)
}

/// Radius of the sphere around the geom's centre that holds it (planes: 0, unused).
fn rbound(m: &Model, g: usize) -> f64 {
    let s = m.geom_size[g];
    match m.geom_type[g] {
        GeomType::Sphere => s[0],
        GeomType::Capsule => s[0] + s[1],
        GeomType::Ellipsoid => s[0].max(s[1]).max(s[2]),
        GeomType::Cylinder => (s[0] * s[0] + s[1] * s[1]).sqrt(),
        GeomType::Box => (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]).sqrt(),
        _ => 0.0,
    }
}

/// Last dof of the nearest body at or above `b` that has dofs (the start of the dof chain that
/// moves `b`), or -1 when `b` is fixed to the world.
fn chain_dof(m: &Model, mut b: usize) -> i32 {
    loop {
        if m.body_dofnum[b] > 0 {
            return (m.body_dofadr[b] + m.body_dofnum[b] - 1) as i32;
        }
        if b == 0 {
            return -1;
        }
        b = m.body_parentid[b];
    }
}

/// Body-pair signature, smaller body first (MuJoCo's ordering key; the model's
/// `exclude_signature` is this of body ids + 1).
fn signature(b1: usize, b2: usize) -> u32 {
    let (lo, hi) = if b1 <= b2 { (b1, b2) } else { (b2, b1) };
    ((lo as u32) << 16) | hi as u32
}

/// MuJoCo's body-pair filter: same weld group, or parent and child (both off the world) unless
/// `filterparent` is disabled.
fn filtered(m: &Model, b1: usize, b2: usize) -> bool {
    let (w1, w2) = (m.body_weldid[b1], m.body_weldid[b2]);
    if w1 == w2 {
        return true;
    }
    let pw1 = m.body_weldid[m.body_parentid[w1]];
    let pw2 = m.body_weldid[m.body_parentid[w2]];
    m.opt.disableflags & disable::FILTERPARENT == 0 && w1 != 0 && w2 != 0 && (w1 == pw2 || w2 == pw1)
}

/// Parameters of one candidate before upload (f64, mixed as MuJoCo mixes them).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Geom ids, ordered so geom_type\[geom1\] ≤ geom_type\[geom2\] (MuJoCo's `contact.geom`).
    pub geom: [usize; 2],
    /// Explicit `<pair>` index, or None for a dynamic pair.
    pub pair: Option<usize>,
    /// Contact dimensionality (1 or 3).
    pub condim: u32,
    /// 5-D friction (slide, slide, spin, roll, roll), clamped to ≥ 1e-5.
    pub friction: [f64; 5],
    /// solref.
    pub solref: [f64; 2],
    /// solimp.
    pub solimp: [f64; 5],
    /// Margin that counts as contact (`contact.includemargin`).
    pub includemargin: f64,
    /// Gap: contacts within it are detected but produce no rows.
    pub gap: f64,
}

/// Mixed parameters of a dynamic pair (MuJoCo's mj_contactParam).
fn mix_dynamic(m: &Model, g1: usize, g2: usize) -> (u32, [f64; 5], [f64; 2], [f64; 5]) {
    let (p1, p2) = (m.geom_priority[g1], m.geom_priority[g2]);
    if p1 != p2 {
        let g = if p1 > p2 { g1 } else { g2 };
        let f = m.geom_friction[g];
        return (m.geom_condim[g], [f[0], f[0], f[1], f[2], f[2]], m.geom_solref[g], m.geom_solimp[g]);
    }
    let condim = m.geom_condim[g1].max(m.geom_condim[g2]);
    let (s1, s2) = (m.geom_solmix[g1], m.geom_solmix[g2]);
    let mix = match (s1 >= MINVAL, s2 >= MINVAL) {
        (true, true) => s1 / (s1 + s2),
        (false, false) => 0.5,
        (false, true) => 0.0,
        (true, false) => 1.0,
    };
    let (r1, r2) = (m.geom_solref[g1], m.geom_solref[g2]);
    let solref = if r1[0] > 0.0 && r2[0] > 0.0 {
        [mix * r1[0] + (1.0 - mix) * r2[0], mix * r1[1] + (1.0 - mix) * r2[1]]
    } else {
        [r1[0].min(r2[0]), r1[1].min(r2[1])]
    };
    let mut solimp = [0.0; 5];
    for (k, s) in solimp.iter_mut().enumerate() {
        *s = mix * m.geom_solimp[g1][k] + (1.0 - mix) * m.geom_solimp[g2][k];
    }
    let f: [f64; 3] = std::array::from_fn(|k| m.geom_friction[g1][k].max(m.geom_friction[g2][k]));
    (condim, [f[0], f[0], f[1], f[2], f[2]], solref, solimp)
}

/// Every candidate pair of `m` in MuJoCo's contact order (empty when contacts are disabled).
pub fn candidates(m: &Model) -> Result<Vec<Candidate>> {
    if m.opt.disableflags & (disable::CONSTRAINT | disable::CONTACT) != 0 || m.nbody < 2 {
        return Ok(Vec::new());
    }
    // (signature, 0 explicit / 1 dynamic, tie-break) → candidate
    let mut keyed: Vec<((u32, u32, usize, usize), Candidate)> = Vec::new();
    let ordered = |a: usize, b: usize| {
        if (m.geom_type[a] as u32) > (m.geom_type[b] as u32) { [b, a] } else { [a, b] }
    };
    for p in 0..m.npair {
        let (a, b) = (m.pair_geom1[p], m.pair_geom2[p]);
        let sig = signature(m.geom_bodyid[a], m.geom_bodyid[b]);
        keyed.push((
            (sig, 0, p, 0),
            Candidate {
                geom: ordered(a, b),
                pair: Some(p),
                condim: m.pair_dim[p],
                friction: m.pair_friction[p].map(|f| f.max(MINMU)),
                solref: m.pair_solref[p],
                solimp: m.pair_solimp[p],
                includemargin: m.pair_margin[p],
                gap: m.pair_gap[p],
            },
        ));
    }
    let explicit = |a: usize, b: usize| {
        (0..m.npair).any(|p| {
            (m.pair_geom1[p], m.pair_geom2[p]) == (a, b) || (m.pair_geom1[p], m.pair_geom2[p]) == (b, a)
        })
    };
    for a in 0..m.ngeom {
        for b in a + 1..m.ngeom {
            let (ba, bb) = (m.geom_bodyid[a], m.geom_bodyid[b]);
            let (ct1, ca1, ct2, ca2) =
                (m.geom_contype[a], m.geom_conaffinity[a], m.geom_contype[b], m.geom_conaffinity[b]);
            if ba == bb || (ct1 & ca2 == 0 && ct2 & ca1 == 0) || filtered(m, ba, bb) {
                continue;
            }
            let sig = signature(ba, bb);
            if m.exclude_signature.contains(&signature(ba + 1, bb + 1)) || explicit(a, b) {
                continue;
            }
            let (condim, friction, solref, solimp) = mix_dynamic(m, a, b);
            // lower body first, then geom order within the bodies
            let (first, second) = if ba <= bb { (a, b) } else { (b, a) };
            keyed.push((
                (sig, 1, first, second),
                Candidate {
                    geom: ordered(first, second),
                    pair: None,
                    condim,
                    friction: friction.map(|f| f.max(MINMU)),
                    solref,
                    solimp,
                    includemargin: m.geom_margin[a] + m.geom_margin[b],
                    gap: m.geom_gap[a] + m.geom_gap[b],
                },
            ));
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    let mut out = Vec::with_capacity(keyed.len());
    for (_, c) in keyed {
        let (t1, t2) = (m.geom_type[c.geom[0]], m.geom_type[c.geom[1]]);
        if !mujoco_collides(t1, t2) {
            continue;
        }
        if function(t1, t2).is_none() {
            return Err(Error::Model(format!(
                "geoms '{}' ({t1:?}) and '{}' ({t2:?}) can collide, and sinew has no {t1:?}–{t2:?} \
                 collision yet: exclude the pair, or disable contacts (`--disable contact`)",
                m.geom_name[c.geom[0]], m.geom_name[c.geom[1]]
            )));
        }
        if !matches!(c.condim, 1 | 3) {
            return Err(Error::Model(format!(
                "geoms '{}' and '{}' make condim-{} contacts; sinew simulates condim 1 and 3 (pyramidal)",
                m.geom_name[c.geom[0]], m.geom_name[c.geom[1]], c.condim
            )));
        }
        out.push(c);
    }
    Ok(out)
}

/// Host side of the contact table, ready for upload.
#[derive(Debug, Clone)]
pub struct ContactTable {
    /// The candidates, in contact order.
    pub candidates: Vec<Candidate>,
    /// Their GPU records (slot ranges, functions, parameters in f32).
    pub pairs: Vec<ContactPair>,
    /// Sizes.
    pub params: CollisionParams,
}

impl ContactTable {
    /// The table of `m`, with room for `capacity` active contacts per world.
    pub fn new(m: &Model, capacity: usize) -> Result<Self> {
        let candidates = candidates(m)?;
        if m.opt.cone != crate::model::Cone::Pyramidal && !candidates.is_empty() {
            return Err(Error::Model(
                "elliptic friction cones are not simulated: sinew builds pyramidal contacts (`cone=\"pyramidal\"`)"
                    .into(),
            ));
        }
        let mut pairs = Vec::with_capacity(candidates.len());
        let mut slot = 0u32;
        for c in &candidates {
            let [g1, g2] = c.geom;
            let (kind, maxcon) = function(m.geom_type[g1], m.geom_type[g2]).expect("checked in candidates");
            let (b1, b2) = (m.geom_bodyid[g1], m.geom_bodyid[g2]);
            let tran = m.body_invweight0[b1][0] + m.body_invweight0[b2][0];
            // The regulariser's weight: condim 1 uses tran; pyramidal rows all use
            // 2·f0²·(tran + f0²·tran)/impratio (MuJoCo 4.0's approximate diagonal).
            let f0 = c.friction[0];
            let invweight =
                if c.condim == 1 { tran } else { 2.0 * f0 * f0 * (tran + f0 * f0 * tran) / m.opt.impratio };
            let comp = |v: f64| (1.0 - v.clamp(0.0001, 0.9999)) as f32;
            let s = c.solimp.map(|v| v as f32);
            pairs.push(ContactPair {
                geom1: g1 as u32,
                geom2: g2 as u32,
                kind,
                condim: c.condim,
                slot,
                maxcon,
                dof1: chain_dof(m, b1),
                dof2: chain_dof(m, b2),
                friction: [c.friction[0] as f32, c.friction[1] as f32, c.includemargin as f32, c.gap as f32],
                solref: [c.solref[0] as f32, c.solref[1] as f32, (rbound(m, g1) + rbound(m, g2)) as f32, 0.0],
                solimp: [s[0], s[1], s[2], s[3]],
                misc: [s[4], invweight as f32, comp(c.solimp[0]), comp(c.solimp[1])],
            });
            slot += maxcon;
        }
        let rows_per_contact = if candidates.iter().any(|c| c.condim == 3) { 4 } else { 1 };
        let capacity = capacity.min(slot as usize);
        Ok(ContactTable {
            params: CollisionParams {
                npair: pairs.len() as u32,
                nslot: slot,
                ncon_max: capacity as u32,
                rows_per_contact,
            },
            candidates,
            pairs,
        })
    }

    /// Constraint rows per world reserved for contacts.
    pub fn rows(&self) -> usize {
        (self.params.ncon_max * self.params.rows_per_contact) as usize
    }
}

/// The contact table on the GPU.
pub struct GpuContacts {
    /// Host side.
    pub table: ContactTable,
    /// (npair) [`ContactPair`] storage (one dummy entry when empty).
    pub pairs: wgpu::Buffer,
    /// Uniform [`CollisionParams`].
    pub params: wgpu::Buffer,
}

impl GpuContacts {
    /// Offer the tables to kernels by their WGSL names.
    pub fn bind(&self, b: &mut Bindings) {
        b.shared("cparams", &self.params).shared("pairs", &self.pairs);
    }

    /// Upload `table`.
    pub fn upload(ctx: &crate::gpu::GpuContext, table: ContactTable) -> Self {
        let mut pairs = table.pairs.clone();
        if pairs.is_empty() {
            pairs.push(ContactPair::default());
        }
        GpuContacts {
            pairs: ctx.storage_from("contact.pairs", &pairs),
            params: ctx.uniform_from("contact.params", &table.params),
            table,
        }
    }
}

/// Per-world contact output on the GPU.
pub struct ContactState {
    /// (nworld × nslot × 3) vec4 per slot: (pos, dist), (normal, state: 0 none, 1 contact,
    /// 2 in the gap), (tangent 1, 0). The second tangent is normal × tangent 1.
    pub con: wgpu::Buffer,
    /// (nworld × 2) u32: active contacts in the last step, and steps on which a contact was
    /// dropped for want of room (sticky; see `CollisionParams::ncon_max`).
    pub count: wgpu::Buffer,
    /// (nworld × nslot) u32: each slot's first constraint row in its world (its rows follow:
    /// one for condim 1, four for condim 3), `u32::MAX` where the slot made none this step.
    pub row: wgpu::Buffer,
    /// (nworld × nslot) vec4: each slot's contact force on geom 2 in world axes (w = 1 where the
    /// slot has rows), written with the contact wrenches (`SimOptions::contact_forces`).
    pub force: wgpu::Buffer,
    /// Slots per world (at least one).
    nslot: usize,
}

impl ContactState {
    /// Contact slots per world.
    pub fn slots(&self) -> usize {
        self.nslot
    }

    /// Buffers for `nworld` worlds under `table`.
    pub fn new(ctx: &crate::gpu::GpuContext, table: &ContactTable, nworld: usize) -> Self {
        let slots = (table.params.nslot as usize).max(1) * nworld * 3;
        ContactState {
            con: ctx.storage_zeroed::<[f32; 4]>("contact.con", slots),
            count: ctx.storage_zeroed::<u32>("contact.count", 2 * nworld),
            row: ctx.storage_zeroed::<u32>("contact.row", slots / 3),
            force: ctx.storage_zeroed::<[f32; 4]>("contact.force", slots / 3),
            nslot: (table.params.nslot as usize).max(1),
        }
    }

    /// Offer the buffers to kernels by their WGSL names, with their bytes per world.
    pub fn bind(&self, b: &mut Bindings) {
        b.per_world("con", &self.con, 48 * self.nslot as u64)
            .per_world("con_count", &self.count, 8)
            .per_world("con_row", &self.row, 4 * self.nslot as u64)
            .per_world("con_force", &self.force, 16 * self.nslot as u64);
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.con.size() + self.count.size() + self.row.size() + self.force.size()
    }
}
