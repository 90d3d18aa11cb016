// env/action.wgsl: policy actions → muscle controls, one invocation per (world, actuator).
// The raw action a becomes an excitation e in [0, 1] (action_map 0: clamp((a + 1) / 2, 0, 1);
// 1: MyoSuite's 1 / (1 + exp(-5 (a − 0.5)))); a non-finite action counts as 0. With fatigue on,
// muscles run MyoSuite's three-compartment 3CC-r model (active MA, resting MR, fatigued MF motor
// units; MA + MR + MF = 1) one control step with e as the target load, and the control is MA.
// Without fatigue the control is e. The raw action is kept for the next observation.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> env: EnvParams;
@group(0) @binding(2) var<storage, read> actuators: array<Actuator>;
@group(0) @binding(3) var<storage, read> actions: array<f32>;             // nworld × nu
@group(0) @binding(4) var<storage, read_write> ctrl: array<f32>;          // nworld × nu
@group(0) @binding(5) var<storage, read_write> last_action: array<f32>;   // nworld × nu
@group(0) @binding(6) var<storage, read_write> fatigue: array<vec4<f32>>; // nworld × nu
@group(0) @binding(7) var<uniform> run: RunParams;  // this chunk of worlds

// One 3CC-r update of compartments (MA, MR, MF) towards target load tl over dt, with the muscle's
// activation/deactivation time constants; F, R, r from env.fatigue_prm.
fn fatigue_step(m: vec3<f32>, tl: f32, tau_act: f32, tau_deact: f32) -> vec3<f32> {
    let big_f = env.fatigue_prm.x;
    let big_r = env.fatigue_prm.y;
    let small_r = env.fatigue_prm.z;
    let dt = env.fatigue_prm.w;
    let ma = m.x;
    let mr = m.y;
    let mf = m.z;
    let ld = (0.5 + 1.5 * ma) / tau_act;
    let lr = (0.5 + 1.5 * ma) / tau_deact;
    var c = 0.0;
    var rr = big_r;
    if (ma < tl) {
        c = ld * min(tl - ma, mr);
    } else {
        c = lr * (tl - ma);
        rr = small_r * big_r;
    }
    // keep every compartment inside [0, 1]
    let lo = max(-ma / dt + big_f * ma, (mr - 1.0) / dt + rr * mf);
    let hi = min((1.0 - ma) / dt + big_f * ma, mr / dt + rr * mf);
    c = clamp(c, lo, hi);
    let dma = (c - big_f * ma) * dt;
    let dmf = (big_f * ma - rr * mf) * dt;
    return vec3<f32>(ma + dma, mr - dma - dmf, mf + dmf);
}

@compute @workgroup_size(64)
fn apply(@builtin(global_invocation_id) gid: vec3<u32>) {
    // item i is (world, actuator) as tiles number them (common/worlds.wgsl): ctrl[i] is its
    // control; actions, last_action and fatigue are world-major (j)
    let i = flat_index(gid);
    let wu = world_item(i, sizes.nu);
    if (wu.x >= run.nworld) {
        return;
    }
    let u = wu.y;
    let j = wu.x * sizes.nu + u;
    var a = actions[j];
    if (a != a || abs(a) > 1e30) {
        a = 0.0;
    }
    var e = 0.0;
    if (env.action_map == 0u) {
        e = clamp(0.5 * (a + 1.0), 0.0, 1.0);
    } else {
        e = 1.0 / (1.0 + exp(-5.0 * (a - 0.5)));
    }
    last_action[j] = a;
    let act = actuators[u];
    if (env.fatigue != 0u && act.dyntype == 4u) {
        let m = fatigue_step(fatigue[j].xyz, e, act.dynprm[0], act.dynprm[1]);
        fatigue[j] = vec4<f32>(m, 0.0);
        e = m.x;
    }
    ctrl[i] = e;
}
