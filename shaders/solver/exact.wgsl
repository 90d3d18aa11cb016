// exact: double-f32 arithmetic for the f32 solver path (solve.wgsl's iterative refinement):
// TwoSum and Dekker's product give a sum or product exactly as a rounded
// value plus its error, and add_prod accumulates a dot product as a hi + lo pair (about 48 bits).
// The including stage binds `run` (RunParams), whose `zero` fences the intermediates.

// x, through an integer operation the compiler cannot see through (its bits xor RunParams.zero,
// 0 from the host). The error-free transformations below need each operation rounded where it
// stands; llvmpipe's compiler rewrites float algebra (it folds (a + b) − a into b, zeroing
// TwoSum's error term, and a product with a runtime 1.0 did not stop it: a 100-term dot product
// came out 3e-9 relative instead of 2e-16; measured), and this fences each intermediate off.
fn exact(x: f32) -> f32 {
    return bitcast<f32>(bitcast<u32>(x) ^ run.zero);
}

// (s, e) with s = fl(a + b) and a + b = s + e exactly (Knuth's TwoSum).
fn two_sum(a: f32, b: f32) -> vec2<f32> {
    let s = exact(a + b);
    let bb = exact(s - a);
    return vec2<f32>(s, (a - exact(s - bb)) + (b - bb));
}

// (p, e) with p = fl(a·b) and a·b = p + e exactly (Dekker's product with Veltkamp's split; a
// fused multiply-add anywhere in it only makes a step exact that already was).
fn two_prod(a: f32, b: f32) -> vec2<f32> {
    let p = exact(a * b);
    let ca = exact(4097.0 * a);
    let ah = ca - exact(ca - a);
    let al = a - ah;
    let cb = exact(4097.0 * b);
    let bh = cb - exact(cb - b);
    let bl = b - bh;
    return vec2<f32>(p, ((exact(ah * bh) - p) + ah * bl + al * bh) + al * bl);
}

// acc + v·x in double-f32 (acc = hi + lo).
fn add_prod(acc: vec2<f32>, v: f32, x: f32) -> vec2<f32> {
    let p = two_prod(v, x);
    let s = two_sum(acc.x, p.x);
    return vec2<f32>(s.x, acc.y + s.y + p.y);
}
