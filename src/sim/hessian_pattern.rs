//! Where the Newton solver's Hessian H = M + Jᵀ D J and its LDLᵀ factor can be nonzero, worked
//! out once on the host (a symbolic factorisation), so the GPU assembles and factorises only
//! those entries instead of all nv (nv + 1) / 2.
//!
//! H's pattern is M's (each dof with its ancestors) plus, for every constraint row sinew can
//! make, every pair of dofs the row touches: joint equalities (two dofs), limits (one joint),
//! tendon limits (the dofs a tendon's path can move) and contacts (the dof chains of each
//! candidate pair's two bodies). Dofs are eliminated last first, MuJoCo's order for M (a dof
//! before its ancestors), so a pure tree brings no fill; rows that join two branches (a knee
//! and its patella) bring the fill that elimination implies, and nothing a row can touch is
//! left out, so the factor is exact for every active set.
//!
//! Factor form: H = Σ_k D_k l_k l_kᵀ, where l_k is 1 at dof k and L_ik at the dofs i < k of
//! column k's pattern. The GPU stores U_ik = L_ik D_k in place of H (and 1/D_k apart), and
//! factorises right-looking, a column at a time: once column m is done, every pair of its rows
//! updates one entry of a later column, the pairs shared across the workgroup. The elimination
//! tree's *levels* (leaves are level 0) say how much could run side by side; with the fill that
//! contacts between limbs bring it is nearly a chain, so the GPU shares out each column's work
//! instead.

/// Entry of [`HessianPattern::gpu_table`]'s map where (i, k) is not in the pattern.
pub const ABSENT: u32 = u32::MAX;

/// The symbolic LDLᵀ factor of the Hessian.
#[derive(Debug, Clone, PartialEq)]
pub struct HessianPattern {
    /// Degrees of freedom.
    pub nv: usize,
    /// (nv + 1) First entry of each column in the packed factor: column k holds its diagonal,
    /// then its rows i < k ascending.
    pub col_adr: Vec<u32>,
    /// (nl) The dof (row) of each entry.
    pub col_row: Vec<u32>,
    /// (nv) Elimination-tree level of each column: 0 for leaves, else one above its highest child.
    pub level: Vec<u32>,
}

impl HessianPattern {
    /// The pattern for `nv` dofs with tree parents `parent`, and rows touching each set of dofs
    /// in `cliques` (every pair of a set is coupled).
    pub fn new(parent: &[Option<usize>], cliques: &[Vec<usize>]) -> Self {
        let nv = parent.len();
        // below[k]: the dofs i < k coupled to k in H, then the fill of eliminating k's children.
        let mut below: Vec<Vec<usize>> = vec![Vec::new(); nv];
        for (k, b) in below.iter_mut().enumerate() {
            let mut j = parent[k];
            while let Some(a) = j {
                b.push(a);
                j = parent[a];
            }
        }
        for set in cliques {
            for &a in set {
                for &b in set {
                    if b < a {
                        below[a].push(b);
                    }
                }
            }
        }
        let mut level = vec![0u32; nv];
        for k in (0..nv).rev() {
            let mut col = std::mem::take(&mut below[k]);
            col.sort_unstable();
            col.dedup();
            // k's elimination couples all of its column's rows: the highest of them, its
            // elimination-tree parent, inherits the rest (the others follow through that parent).
            if let Some((&p, rest)) = col.split_last() {
                below[p].extend_from_slice(rest);
                level[p] = level[p].max(level[k] + 1);
            }
            below[k] = col;
        }
        let mut col_adr = Vec::with_capacity(nv + 1);
        let mut col_row = Vec::new();
        for (k, col) in below.iter().enumerate() {
            col_adr.push(col_row.len() as u32);
            col_row.push(k as u32);
            col_row.extend(col.iter().map(|i| *i as u32));
        }
        col_adr.push(col_row.len() as u32);
        HessianPattern { nv, col_adr, col_row, level }
    }

    /// Entries of the packed factor.
    pub fn nl(&self) -> usize {
        self.col_row.len()
    }

    /// Elimination levels.
    pub fn nlevel(&self) -> usize {
        self.level.iter().max().map_or(0, |l| *l as usize + 1)
    }

    /// Column k's entries (addresses into the packed factor), its diagonal first.
    pub fn column(&self, k: usize) -> std::ops::Range<usize> {
        self.col_adr[k] as usize..self.col_adr[k + 1] as usize
    }

    /// Address of (i, k), i ≤ k, when it is in the pattern.
    pub fn entry(&self, i: usize, k: usize) -> Option<usize> {
        let col = self.column(k);
        let rows = &self.col_row[col.start + 1..col.end];
        if i == k {
            return Some(col.start);
        }
        rows.binary_search(&(i as u32)).ok().map(|p| col.start + 1 + p)
    }

    /// Per dof i, the columns m > i holding a row i, ascending, with that entry's address.
    pub fn row_lists(&self) -> Vec<Vec<(usize, usize)>> {
        let mut rows = vec![Vec::new(); self.nv];
        for m in 0..self.nv {
            for e in self.column(m).skip(1) {
                rows[self.col_row[e] as usize].push((m, e));
            }
        }
        rows
    }

    /// The tables newton.wgsl reads, as one u32 array: a header of [`GPU_HEADER`] section
    /// offsets, then (in this order) the row lists' offsets (nv + 1) and their (column m,
    /// address) pairs, the column offsets (nv + 1), the entries' rows (nl), and the map from
    /// (i, k) to its address (nv × nv, at k·nv + i; [`ABSENT`] outside the pattern or above the
    /// diagonal).
    pub fn gpu_table(&self) -> Vec<u32> {
        let nv = self.nv;
        let mut t = vec![0u32; GPU_HEADER];
        let section = |t: &mut Vec<u32>, slot: usize| {
            t[slot] = t.len() as u32;
        };
        let rows = self.row_lists();
        section(&mut t, 0);
        push_offsets(&mut t, rows.iter().map(|r| 2 * r.len()));
        t.extend(rows.iter().flatten().flat_map(|(m, e)| [*m as u32, *e as u32]));
        section(&mut t, 1);
        t.extend_from_slice(&self.col_adr);
        section(&mut t, 2);
        t.extend_from_slice(&self.col_row);
        section(&mut t, 3);
        let base = t.len();
        t.resize(base + nv * nv, ABSENT);
        for k in 0..nv {
            for e in self.column(k) {
                t[base + k * nv + self.col_row[e] as usize] = e as u32;
            }
        }
        t
    }

    /// Loop iterations of each invocation in one factorisation: per column, its share of the
    /// column's pairs of rows, and the column loop itself.
    pub fn factor_loops(&self, threads: usize) -> usize {
        (0..self.nv)
            .map(|k| {
                let c = self.column(k).len() - 1;
                (c * (c + 1) / 2).div_ceil(threads) + 1
            })
            .sum()
    }

    /// Loop iterations of each invocation in one forward and one backward substitution: per
    /// column its share of the column's rows, per dof its share of its row's columns, the two
    /// column loops and the final scaling.
    pub fn solve_loops(&self, threads: usize) -> usize {
        let forward: usize = (0..self.nv).map(|k| (self.column(k).len() - 1).div_ceil(threads) + 1).sum();
        let backward: usize = self.row_lists().iter().map(|r| r.len().div_ceil(threads) + 1).sum();
        forward + backward + self.nv.div_ceil(threads)
    }
}

/// Append the running offsets of consecutive runs of `lens` entries: one per run, then the end.
fn push_offsets(t: &mut Vec<u32>, lens: impl Iterator<Item = usize>) {
    let mut n = 0u32;
    for len in lens {
        t.push(n);
        n += len as u32;
    }
    t.push(n);
}

/// u32 header words of [`HessianPattern::gpu_table`] (one offset per section).
pub const GPU_HEADER: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    /// Host LDLᵀ in the GPU's schedule, on the packed factor (U_ik = L_ik D_k in place): columns
    /// in elimination order, each column's pairs of rows updating later columns; 1/D returned.
    fn factor(p: &HessianPattern, h: &mut [f64]) -> Vec<f64> {
        let mut dinv = vec![0.0; p.nv];
        for m in (0..p.nv).rev() {
            let col = p.column(m);
            let inv = 1.0 / h[col.start];
            for eb in col.start + 1..col.end {
                for ea in col.start + 1..=eb {
                    let (i, j) = (p.col_row[ea] as usize, p.col_row[eb] as usize);
                    let t = p.entry(i, j).expect("the pattern is closed under elimination");
                    h[t] -= h[ea] * h[eb] * inv;
                }
            }
            dinv[m] = inv;
        }
        dinv
    }

    /// x = H⁻¹ b from the packed factor and 1/D, in the GPU's schedule: forward column by column
    /// in elimination order, backward dof by dof over the row lists, then the scaling by 1/D.
    fn solve(p: &HessianPattern, u: &[f64], dinv: &[f64], b: &[f64]) -> Vec<f64> {
        let mut x = b.to_vec();
        for k in (0..p.nv).rev() {
            let xk = x[k] * dinv[k];
            for e in p.column(k).skip(1) {
                x[p.col_row[e] as usize] -= u[e] * xk;
            }
        }
        for (i, row) in p.row_lists().iter().enumerate() {
            let xi = x[i] * dinv[i];
            for &(m, e) in row {
                x[m] -= u[e] * xi;
            }
        }
        x.iter().zip(dinv).map(|(x, d)| x * d).collect()
    }

    /// A small xorshift stream (the test needs no statistical quality, only variety).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        }
    }

    fn chain(parent: &[Option<usize>], mut d: usize) -> Vec<usize> {
        let mut out = vec![d];
        while let Some(p) = parent[d] {
            out.push(p);
            d = p;
        }
        out
    }

    /// A random forest of `nv` dofs (parents before children, as in MuJoCo), random rows (pairs
    /// of chains, single dofs, dof pairs across branches), H = M + Σ D JᵀJ with M SPD on the tree
    /// pattern: the packed factor's solve equals a dense Cholesky solve.
    #[test]
    fn packed_factor_solves_like_dense_cholesky() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..40 {
            let nv = 1 + rng.below(40);
            let parent: Vec<Option<usize>> = (0..nv)
                .map(|d| if d == 0 || rng.below(6) == 0 { None } else { Some(rng.below(d)) })
                .collect();
            let mut rows: Vec<Vec<usize>> = Vec::new();
            for _ in 0..rng.below(12) {
                let mut set = chain(&parent, rng.below(nv));
                match rng.below(3) {
                    0 => set.extend(chain(&parent, rng.below(nv))),
                    1 => set = vec![set[0], rng.below(nv)],
                    _ => {}
                }
                set.sort_unstable();
                set.dedup();
                rows.push(set);
            }
            let p = HessianPattern::new(&parent, &rows);
            // dense H: M (diagonally dominant on the tree pattern) plus D JᵀJ per row
            let mut h = vec![vec![0.0f64; nv]; nv];
            for d in 0..nv {
                h[d][d] += nv as f64 + 1.0;
                for &a in &chain(&parent, d)[1..] {
                    let v = 0.5 * rng.unit();
                    h[d][a] += v;
                    h[a][d] += v;
                }
            }
            for set in &rows {
                let j: Vec<f64> = set.iter().map(|_| rng.unit()).collect();
                let dr = 1.0 + rng.unit().abs() * 10.0;
                for (x, a) in set.iter().enumerate() {
                    for (y, b) in set.iter().enumerate() {
                        h[*a][*b] += dr * j[x] * j[y];
                    }
                }
            }
            let mut packed = vec![0.0f64; p.nl()];
            for k in 0..nv {
                for i in 0..=k {
                    match p.entry(i, k) {
                        Some(e) => packed[e] = h[i][k],
                        None => assert_eq!(h[i][k], 0.0, "case {case}: H({i},{k}) outside the pattern"),
                    }
                }
            }
            let dinv = factor(&p, &mut packed);
            let b: Vec<f64> = (0..nv).map(|_| rng.unit()).collect();
            let x = solve(&p, &packed, &dinv, &b);
            // residual of the dense system
            for i in 0..nv {
                let hx: f64 = (0..nv).map(|k| h[i][k] * x[k]).sum();
                assert!((hx - b[i]).abs() < 1e-9, "case {case}: row {i}: H x = {hx}, b = {}", b[i]);
            }
        }
    }

    /// A pure tree brings no fill: the factor's columns are the ancestor chains, and the levels
    /// are heights in the tree.
    #[test]
    fn tree_has_no_fill() {
        let parent = [None, Some(0), Some(1), Some(1), None, Some(4)];
        let p = HessianPattern::new(&parent, &[vec![2], vec![3, 2]]);
        // rows 2 and 3 are siblings: coupling them fills (2, 3) only
        assert_eq!(p.nl(), 6 + 6 + 1);
        assert_eq!(p.level, vec![3, 2, 1, 0, 1, 0]);
        assert_eq!(p.entry(2, 3), Some(p.col_adr[3] as usize + 3));
        let tree = HessianPattern::new(&parent, &[]);
        assert_eq!(tree.nl(), 6 + 6);
        assert_eq!(tree.level, vec![2, 1, 0, 0, 1, 0]);
        assert_eq!(tree.entry(2, 3), None);
    }

    #[test]
    fn gpu_table_sections_agree() {
        let parent = [None, Some(0), Some(1), Some(1), None, Some(4)];
        let p = HessianPattern::new(&parent, &[vec![3, 2], vec![5, 2]]);
        let t = p.gpu_table();
        let nv = p.nv;
        let map = t[3] as usize;
        assert_eq!(t.len(), map + nv * nv);
        for k in 0..nv {
            for i in 0..nv {
                let want = if i <= k { p.entry(i, k).map_or(ABSENT, |e| e as u32) } else { ABSENT };
                assert_eq!(t[map + k * nv + i], want, "map ({i}, {k})");
            }
        }
        let (rows, cols, col_row) = (t[0] as usize, t[1] as usize, t[2] as usize);
        let lists = p.row_lists();
        assert_eq!(t[rows + nv] as usize, 2 * lists.iter().map(Vec::len).sum::<usize>());
        assert_eq!(&t[cols..cols + nv + 1], &p.col_adr[..]);
        assert_eq!(&t[col_row..col_row + p.nl()], &p.col_row[..]);
    }
}
