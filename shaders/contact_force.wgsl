// contact_force: the external contact wrench on every body, MuJoCo's cfrc_ext as
// mj_rnePostConstraint leaves it (its contact part; sinew has no xfrc_applied), from the forces
// the Newton solve found (efc_force) for the contacts of this step. One invocation per (world,
// body), numbered tile by tile (world_item) so adjacent invocations are adjacent worlds; each
// walks its world's contact slots and keeps those touching its body, so no two invocations write
// the same wrench and no atomics are needed (a world has tens of slots).
//
// A contact's force in its own frame (mj_contactForce): condim 1, the normal row's force;
// condim 3 (four pyramid edge rows p0…p3), normal p0 + p1 + p2 + p3 and tangential
// (p0 − p1)·μ₁, (p2 − p3)·μ₂ (mju_decodePyramid). Turned to world axes with the contact frame
// (normal, tangent 1, normal × tangent 1) and moved from the contact point to the subtree com
// of the body's tree, where cfrc_ext is expressed: torque (p − c) × f, force f. The frame's
// normal points from geom 1 to geom 2, so geom 2's body receives +f and geom 1's −f.
// Layout: (nworld × nbody × 2) vec4, (torque, 0) then (force, 0), tiled as `cfrc`; body 0 (the
// world) stays 0.
//
// `contact_vectors` writes the same world-frame force per contact slot (what geom 2 receives),
// (nworld × nslot) vec4 (force, 1 where the slot has rows, else 0), for the renderer's arrows.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> params: SolverParams;
@group(0) @binding(3) var<uniform> cparams: CollisionParams;
@group(0) @binding(4) var<storage, read> pairs: array<ContactPair>;
@group(0) @binding(5) var<storage, read> geoms: array<Geom>;
@group(0) @binding(6) var<storage, read> bodies: array<Body>;
// (nworld × nslot × 3) contact slots (collision.wgsl) and each slot's first row (contact.wgsl).
@group(0) @binding(7) var<storage, read> con: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> con_row: array<u32>;
@group(0) @binding(9) var<storage, read> nefc: array<u32>;
// (nworld × nefc_max) the rows' forces (newton.wgsl's finish).
@group(0) @binding(10) var<storage, read> efc_force: array<f32>;
@group(0) @binding(11) var<storage, read> subtree_com: array<vec4<f32>>;
@group(0) @binding(12) var<storage, read_write> cfrc_ext: array<vec4<f32>>;
@group(0) @binding(13) var<storage, read_write> con_force: array<vec4<f32>>;

const NO_ROW: u32 = 0xffffffffu;

// World w's contact at `slot` (with rows from `row`) as a world-frame force.
fn contact_force_world(w: u32, slot: u32, row: u32) -> vec3<f32> {
    let base = 3u * (w * cparams.nslot + slot);
    let nrm = con[base + 1u].xyz;
    let tw = con[base + 2u];
    let pr = pairs[u32(tw.w)];
    let f = w * params.nefc_max + row;
    if (pr.condim == 1u) {
        return nrm * efc_force[f];
    }
    let p = vec4<f32>(efc_force[f], efc_force[f + 1u], efc_force[f + 2u], efc_force[f + 3u]);
    let normal = p.x + p.y + p.z + p.w;
    let t1 = (p.x - p.y) * pr.friction.x;
    let t2 = (p.z - p.w) * pr.friction.y;
    return nrm * normal + tw.xyz * t1 + cross(nrm, tw.xyz) * t2;
}

@compute @workgroup_size(64)
fn contact_force(@builtin(global_invocation_id) gid: vec3<u32>) {
    let item = world_item(flat_index(gid), sizes.nbody);
    let w = item.x;
    let b = item.y;
    if (w >= run.nworld) {
        return;
    }
    var torque = vec3<f32>(0.0);
    var force = vec3<f32>(0.0);
    if (b > 0u) {
        let com = subtree_com[at(world_at(w, sizes.nbody), bodies[b].root)].xyz;
        let n = nefc[w];
        for (var slot = 0u; slot < cparams.nslot; slot++) {
            let row = con_row[w * cparams.nslot + slot];
            if (row == NO_ROW || row >= n) {
                continue;
            }
            let base = 3u * (w * cparams.nslot + slot);
            let pr = pairs[u32(con[base + 2u].w)];
            var sgn = 0.0;
            if (geoms[pr.geom2].body == b) {
                sgn += 1.0;
            }
            if (geoms[pr.geom1].body == b) {
                sgn -= 1.0;
            }
            if (sgn != 0.0) {
                let f = sgn * contact_force_world(w, slot, row);
                torque += cross(con[base].xyz - com, f);
                force += f;
            }
        }
    }
    let at0 = world_at(w, 2u * sizes.nbody);
    cfrc_ext[at(at0, 2u * b)] = vec4<f32>(torque, 0.0);
    cfrc_ext[at(at0, 2u * b + 1u)] = vec4<f32>(force, 0.0);
}

@compute @workgroup_size(64)
fn contact_vectors(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = flat_index(gid);
    if (cparams.nslot == 0u) {
        return;
    }
    let w = i / cparams.nslot;
    if (w >= run.nworld) {
        return;
    }
    let slot = i % cparams.nslot;
    let row = con_row[w * cparams.nslot + slot];
    var out = vec4<f32>(0.0);
    if (row != NO_ROW && row < nefc[w]) {
        out = vec4<f32>(contact_force_world(w, slot, row), 1.0);
    }
    con_force[w * cparams.nslot + slot] = out;
}
