// Reads the uploaded model back through the WGSL structs, so a layout mismatch between the host
// mirrors and WGSL shows up as wrong numbers. One invocation per element; outputs are flat f32.
//   out_body[8 b + ...]  = mass, pos.xyz, inertia.x, parent, dof_num, geom_adr
//   out_act[6 u + ...]   = gainprm[2], biasprm[8], lengthrange, dynprm[1], act_adr
//   out_misc[4 i + ...]  = wrap kind, wrap prm, tendon adr, geom condim (-1 past each count)

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<storage, read> bodies: array<Body>;
@group(0) @binding(2) var<storage, read> actuators: array<Actuator>;
@group(0) @binding(3) var<storage, read> wraps: array<Wrap>;
@group(0) @binding(4) var<storage, read> tendons: array<Tendon>;
@group(0) @binding(5) var<storage, read> geoms: array<Geom>;
@group(0) @binding(6) var<storage, read_write> out_body: array<f32>;
@group(0) @binding(7) var<storage, read_write> out_act: array<f32>;
@group(0) @binding(8) var<storage, read_write> out_misc: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = flat_index(gid);
    if (i < sizes.nbody) {
        let b = bodies[i];
        out_body[8u * i + 0u] = b.pos.w;
        out_body[8u * i + 1u] = b.pos.x;
        out_body[8u * i + 2u] = b.pos.y;
        out_body[8u * i + 3u] = b.pos.z;
        out_body[8u * i + 4u] = b.inertia.x;
        out_body[8u * i + 5u] = f32(b.parent);
        out_body[8u * i + 6u] = f32(b.dof_num);
        out_body[8u * i + 7u] = f32(b.geom_adr);
    }
    if (i < sizes.nu) {
        let a = actuators[i];
        out_act[6u * i + 0u] = a.gainprm[2];
        out_act[6u * i + 1u] = a.biasprm[8];
        out_act[6u * i + 2u] = a.lengthrange[0];
        out_act[6u * i + 3u] = a.lengthrange[1];
        out_act[6u * i + 4u] = a.dynprm[1];
        out_act[6u * i + 5u] = f32(a.act_adr);
    }
    let nmisc = max(sizes.nwrap, max(sizes.ntendon, sizes.ngeom));
    if (i < nmisc) {
        var wk = -1.0;
        var wp = -1.0;
        if (i < sizes.nwrap) {
            wk = f32(wraps[i].kind);
            wp = wraps[i].prm;
        }
        var ta = -1.0;
        if (i < sizes.ntendon) {
            ta = f32(tendons[i].adr);
        }
        var gc = -1.0;
        if (i < sizes.ngeom) {
            gc = f32(geoms[i].condim);
        }
        out_misc[4u * i + 0u] = wk;
        out_misc[4u * i + 1u] = wp;
        out_misc[4u * i + 2u] = ta;
        out_misc[4u * i + 3u] = gc;
    }
}
