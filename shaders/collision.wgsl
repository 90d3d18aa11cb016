// collision: every candidate pair of the model's contact table in every world, one invocation per
// (world, pair). A pair writes its contacts into its own slots [slot, slot + maxcon) of the world
// (empty slots are cleared), so the output needs no atomics and keeps MuJoCo's contact order.
// Per slot, three vec4: (pos, dist), (normal, state), (tangent 1, pair index); state 0 = none, 1 = contact,
// 2 = inside the gap (detected, no constraint rows: MuJoCo's contact.exclude).

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> cparams: CollisionParams;
@group(0) @binding(3) var<storage, read> pairs: array<ContactPair>;
@group(0) @binding(4) var<storage, read> geoms: array<Geom>;
@group(0) @binding(5) var<storage, read> geom_xpos: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> geom_xquat: array<vec4<f32>>;
// (nworld × nslot × 3) contact slots.
@group(0) @binding(7) var<storage, read_write> con: array<vec4<f32>>;

fn geom_x(w: u32, g: u32) -> GeomX {
    let i = at(world_at(w, sizes.ngeom), g);
    let q = geom_xquat[i];
    return GeomX(
        geom_xpos[i].xyz,
        quat_rot(q, vec3<f32>(1.0, 0.0, 0.0)),
        quat_rot(q, vec3<f32>(0.0, 1.0, 0.0)),
        quat_rot(q, vec3<f32>(0.0, 0.0, 1.0)),
        geoms[g].size.xyz,
    );
}

// Bounding spheres (pruning only): planes test the other geom's sphere against their half-space.
fn may_touch(pr: ContactPair, g1: GeomX, g2: GeomX, margin: f32) -> bool {
    if (pr.kind <= 4u) {
        return dot(g2.p - g1.p, g1.z) <= margin + pr.solref.z;
    }
    let d = g2.p - g1.p;
    let reach = pr.solref.z + margin;
    return dot(d, d) <= reach * reach;
}

@compute @workgroup_size(64)
fn detect(@builtin(global_invocation_id) gid: vec3<u32>) {
    // item i is (world, pair) as tiles number them (common/worlds.wgsl): adjacent invocations
    // test one pair in adjacent worlds
    let i = flat_index(gid);
    let wp = world_item(i, cparams.npair);
    let w = wp.x;
    let p = wp.y;
    if (w >= run.nworld) {
        return;
    }
    let pr = pairs[p];
    let g1 = geom_x(w, pr.geom1);
    let g2 = geom_x(w, pr.geom2);
    let includemargin = pr.friction.z;
    let margin = includemargin + pr.friction.w;
    nhit = 0u;
    if (may_touch(pr, g1, g2, margin)) {
        switch (pr.kind) {
            case 0u: { plane_sphere(g1.p, g1.z, g2.p, g2.size.x, margin, vec3<f32>(0.0)); }
            case 1u: { plane_capsule(g1, g2, margin); }
            case 2u: { plane_ellipsoid(g1, g2, margin); }
            case 3u: { plane_cylinder(g1, g2, margin); }
            case 4u: { plane_box(g1, g2, margin); }
            case 5u: { sphere_sphere(g1.p, g1.size.x, g2.p, g2.size.x, margin, g1.z, g2.z); }
            case 6u: { sphere_capsule(g1, g2, margin); }
            case 7u: { sphere_ellipsoid(g1, g2, margin); }
            case 8u: { sphere_cylinder_at(g1.p, g1.size.x, g1.z, g2, margin); }
            case 9u: { sphere_box(g1, g2, margin); }
            case 10u: { capsule_capsule(g1, g2, margin); }
            case 11u: { capsule_ellipsoid(g1, g2, margin); }
            case 12u: { capsule_cylinder(g1, g2, margin); }
            case 13u: { ellipsoid_ellipsoid(g1, g2, margin); }
            case 14u: { ellipsoid_cylinder(g1, g2, margin); }
            default: {}
        }
    }
    for (var k = 0u; k < pr.maxcon; k++) {
        let base = 3u * (w * cparams.nslot + pr.slot + k);
        if (k < nhit) {
            let h = hits[k];
            let frame = make_frame(h.normal, h.tangent);
            let state = select(2.0, 1.0, h.dist < includemargin);
            con[base] = vec4<f32>(h.pos, h.dist);
            con[base + 1u] = vec4<f32>(frame[0], state);
            con[base + 2u] = vec4<f32>(frame[1], f32(p));
        } else {
            con[base + 1u] = vec4<f32>(0.0);
            con[base + 2u] = vec4<f32>(0.0, 0.0, 0.0, f32(p));
        }
    }
}
