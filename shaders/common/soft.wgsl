// MuJoCo's soft constraints: stiffness, damping and impedance from solref/solimp, and a row's
// reference acceleration and inverse regulariser (mj_makeImpedance). Shared by every row kind.

const MINIMP: f32 = 0.0001;
const MAXIMP: f32 = 0.9999;
const DISABLE_REFSAFE: u32 = 4096u;

// (k, b, imp, 1 − imp) at violation x (distance net of margin). `comp` holds 1 − dmin and
// 1 − dmax computed on the host in f64 (after MuJoCo's clamp): solimp near 1 (0.9999 for stiff
// equalities) leaves 1 − imp with few bits in f32, and D = imp / ((1 − imp)·invweight) needs them.
fn kbimp(opt: ModelOptions, solref: array<f32, 2>, solimp: array<f32, 5>, comp: vec2<f32>, x: f32) -> vec4<f32> {
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
    // y ∈ [0, 1] along the solimp curve from dmin to dmax
    var y = 0.5;
    if (!(dmin == dmax || solimp[2] <= MINVAL)) {
        if (u <= 0.0) {
            y = 0.0;
        } else if (u >= 1.0) {
            y = 1.0;
        } else if (power == 1.0) {
            y = u;
        } else if (u <= mid) {
            y = clamp(pow(u, power) / pow(mid, power - 1.0), 0.0, 1.0);
        } else {
            y = clamp(1.0 - pow(1.0 - u, power) / pow(1.0 - mid, power - 1.0), 0.0, 1.0);
        }
    }
    let imp = dmin + y * (dmax - dmin);
    let one_minus = comp.x - y * (comp.x - comp.y);
    return vec4<f32>(k, b, imp, one_minus);
}

// (aref, D) of a row with violation pos, margin, velocity J·qvel and weight invweight.
fn soft_row(opt: ModelOptions, solref: array<f32, 2>, solimp: array<f32, 5>, comp: vec2<f32>, invweight: f32,
            pos: f32, margin: f32, vel: f32) -> vec2<f32> {
    let kbi = kbimp(opt, solref, solimp, comp, pos - margin);
    let d = 1.0 / max(invweight * kbi.w / kbi.z, MINVAL);
    return vec2<f32>(-kbi.x * kbi.z * (pos - margin) - kbi.y * vel, d);
}
