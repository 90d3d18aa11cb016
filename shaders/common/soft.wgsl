// MuJoCo's soft constraints: stiffness, damping and impedance from solref/solimp, and a row's
// reference acceleration and inverse regulariser (mj_makeImpedance). Shared by every row kind.

const MINIMP: f32 = 0.0001;
const MAXIMP: f32 = 0.9999;
const DISABLE_REFSAFE: u32 = 4096u;

// (k, b, imp) at violation x (distance net of margin).
fn kbimp(opt: ModelOptions, solref: array<f32, 2>, solimp: array<f32, 5>, x: f32) -> vec3<f32> {
    var timeconst = solref[0];
    let dampratio = solref[1];
    if ((opt.disableflags & DISABLE_REFSAFE) == 0u) {
        timeconst = max(timeconst, 2.0 * opt.gravity.w);
    }
    let dmin = clamp(solimp[0], MINIMP, MAXIMP);
    let dmax = clamp(solimp[1], MINIMP, MAXIMP);
    let width = max(solimp[2], MINVAL);
    let mid = clamp(solimp[3], MINIMP, MAXIMP);
    let power = max(solimp[4], 1.0);
    var k = 1.0 / max(dmax * dmax * timeconst * timeconst * dampratio * dampratio, MINVAL);
    if (solref[0] <= 0.0) {
        k = -solref[0] / max(dmax * dmax, MINVAL);
    }
    var b = 2.0 / max(dmax * timeconst, MINVAL);
    if (solref[1] <= 0.0) {
        b = -solref[1] / max(dmax, MINVAL);
    }
    let u = abs(x) / width;
    var imp = 0.5 * (dmin + dmax);
    if (!(dmin == dmax || solimp[2] <= MINVAL)) {
        if (u <= 0.0) {
            imp = dmin;
        } else if (u >= 1.0) {
            imp = dmax;
        } else if (power == 1.0) {
            imp = dmin + u * (dmax - dmin);
        } else if (u <= mid) {
            let y = pow(u, power) / pow(mid, power - 1.0);
            imp = clamp(dmin + y * (dmax - dmin), min(dmin, dmax), max(dmin, dmax));
        } else {
            let y = 1.0 - pow(1.0 - u, power) / pow(1.0 - mid, power - 1.0);
            imp = clamp(dmin + y * (dmax - dmin), min(dmin, dmax), max(dmin, dmax));
        }
    }
    return vec3<f32>(k, b, imp);
}

// (aref, D) of a row with violation pos, margin, velocity J·qvel and weight invweight.
fn soft_row(opt: ModelOptions, solref: array<f32, 2>, solimp: array<f32, 5>, invweight: f32, pos: f32,
            margin: f32, vel: f32) -> vec2<f32> {
    let kbi = kbimp(opt, solref, solimp, pos - margin);
    let d = 1.0 / max(invweight * (1.0 - kbi.z) / kbi.z, MINVAL);
    return vec2<f32>(-kbi.x * kbi.z * (pos - margin) - kbi.y * vel, d);
}
