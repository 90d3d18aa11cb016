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
    /// (nm) The factor entry of each entry of M's sparse rows (each dof's diagonal, then its
    /// ancestors, dof after dof: `ModelBuffers::dof_madr`'s order).
    pub m_entry: Vec<u32>,
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
        let mut pattern = HessianPattern { nv, col_adr, col_row, level, m_entry: Vec::new() };
        for k in 0..nv {
            let mut j = Some(k);
            while let Some(a) = j {
                let e = pattern.entry(a, k).expect("a dof's ancestors are in its column");
                pattern.m_entry.push(e as u32);
                j = parent[a];
            }
        }
        pattern
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
    /// address) pairs; the column offsets (nv + 1); the entries' rows (nl); the factor's update
    /// targets ([`HessianPattern::pair_targets`], after nv + 1 offsets into this table); M's
    /// entries' addresses (`m_entry`); each row dof list's targets
    /// ([`HessianPattern::list_targets`] of `lists`, after nlist + 1 offsets into this table);
    /// each column's elimination-tree parent ([`NO_PARENT`] for a root, nv); and the columns on
    /// each column's path to its root, itself included (nv).
    /// Every address the GPU needs is looked up once here, so the assembly and the factorisation
    /// read one table word where they would search or read a dense nv × nv map.
    pub fn gpu_table(&self, lists: &[Vec<usize>]) -> Vec<u32> {
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
        let pairs: Vec<Vec<u32>> = (0..self.nv).map(|m| self.pair_targets(m)).collect();
        push_indexed(&mut t, &pairs);
        section(&mut t, 4);
        t.extend_from_slice(&self.m_entry);
        section(&mut t, 5);
        let lists: Vec<Vec<u32>> = lists.iter().map(|l| self.list_targets(l)).collect();
        push_indexed(&mut t, &lists);
        section(&mut t, 6);
        let parents = self.etree_parents();
        t.extend(parents.iter().map(|p| p.map_or(NO_PARENT, |p| p as u32)));
        section(&mut t, 7);
        let mut path = vec![0u32; self.nv];
        for j in 0..self.nv {
            // a parent has a lower index: its path is known
            path[j] = 1 + parents[j].map_or(0, |p| path[p]);
        }
        t.extend_from_slice(&path);
        t
    }

    /// Each column's parent in the elimination tree: the highest row below its diagonal (the
    /// next column its elimination updates that every other row's column follows), or `None` for
    /// a root. A rank-one change of H whose first nonzero is at column j changes exactly the
    /// columns on j's path to its root.
    pub fn etree_parents(&self) -> Vec<Option<usize>> {
        (0..self.nv)
            .map(|j| {
                let col = self.column(j);
                (col.len() > 1).then(|| self.col_row[col.end - 1] as usize)
            })
            .collect()
    }

    /// Column m's updates in the factorisation, in newton.wgsl's pair order (pair k = b(b + 1)/2
    /// + a of the column's rows a ≤ b, counted below the diagonal): the address of entry
    /// (row a, row b), which U_am U_bm / D_m updates.
    pub fn pair_targets(&self, m: usize) -> Vec<u32> {
        let rows = &self.col_row[self.column(m).start + 1..self.column(m).end];
        let mut targets = Vec::with_capacity(rows.len() * (rows.len() + 1) / 2);
        for (b, &j) in rows.iter().enumerate() {
            for &i in &rows[..=b] {
                let e = self.entry(i as usize, j as usize).expect("the pattern is closed under elimination");
                targets.push(e as u32);
            }
        }
        targets
    }

    /// For a row touching the ascending dofs `list` (all pairs of which are in the pattern): at
    /// p(p + 1)/2 + q, q ≤ p, the address of entry (list[q], list[p]), where the row's values at
    /// positions q and p meet in H.
    pub fn list_targets(&self, list: &[usize]) -> Vec<u32> {
        let mut targets = Vec::with_capacity(list.len() * (list.len() + 1) / 2);
        for (p, &k) in list.iter().enumerate() {
            for &i in &list[..=p] {
                let e = self.entry(i, k).expect("a row's dofs are coupled in the pattern");
                targets.push(e as u32);
            }
        }
        targets
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

/// Append `runs` after their offsets into `t` itself (runs.len() + 1 of them: each run's first
/// word, then the end).
fn push_indexed(t: &mut Vec<u32>, runs: &[Vec<u32>]) {
    let mut at = t.len() + runs.len() + 1;
    for r in runs {
        t.push(at as u32);
        at += r.len();
    }
    t.push(at as u32);
    t.extend(runs.iter().flatten());
}

/// u32 header words of [`HessianPattern::gpu_table`] (one offset per section).
pub const GPU_HEADER: usize = 8;

/// [`HessianPattern::gpu_table`]'s elimination-tree parent of a root column.
pub const NO_PARENT: u32 = u32::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    /// Host LDLᵀ in the GPU's schedule, on the packed factor (U_ik = L_ik D_k in place): columns
    /// in elimination order, each column's pairs of rows (pair k = b(b + 1)/2 + a) updating the
    /// entry the GPU table's pair targets name; 1/D returned.
    fn factor(p: &HessianPattern, h: &mut [f64]) -> Vec<f64> {
        let t = p.gpu_table(&[]);
        let mut dinv = vec![0.0; p.nv];
        for m in (0..p.nv).rev() {
            let col = p.column(m);
            let inv = 1.0 / h[col.start];
            let targets = t[t[3] as usize + m] as usize;
            let mut k = 0;
            for eb in col.start + 1..col.end {
                for ea in col.start + 1..=eb {
                    let target = t[targets + k] as usize;
                    h[target] -= h[ea] * h[eb] * inv;
                    k += 1;
                }
            }
            assert_eq!(targets + k, t[t[3] as usize + m + 1] as usize, "column {m}'s pairs");
            dinv[m] = inv;
        }
        dinv
    }

    /// H += α jᵀ j on the packed factor, j's values `values` at the ascending dofs `dofs` (a
    /// clique of the pattern), in newton.wgsl's `rank_one` schedule: from the highest dof along
    /// the elimination-tree parents of the GPU table to the root. Returns the smallest fraction
    /// of a pivot a step kept.
    fn rank_one(
        p: &HessianPattern,
        u: &mut [f64],
        dinv: &mut [f64],
        dofs: &[usize],
        values: &[f64],
        mut alpha: f64,
    ) -> f64 {
        let t = p.gpu_table(&[]);
        let (parent, path) = (t[6] as usize, t[7] as usize);
        let mut w = vec![0.0; p.nv];
        for (d, v) in dofs.iter().zip(values) {
            w[*d] = *v;
        }
        let mut kept = f64::INFINITY;
        let mut j = *dofs.last().unwrap();
        let mut steps = 0;
        loop {
            let col = p.column(j);
            let (pj, d) = (w[j], u[col.start]);
            let dn = d + alpha * pj * pj;
            let beta = pj * alpha / dn;
            for e in col.start + 1..col.end {
                let i = p.col_row[e] as usize;
                let l = u[e] * dinv[j];
                w[i] -= pj * l;
                u[e] = (l + beta * w[i]) * dn;
            }
            u[col.start] = dn;
            dinv[j] = 1.0 / dn;
            w[j] = 0.0;
            kept = kept.min(dn / d);
            alpha *= d / dn;
            steps += 1;
            match t[parent + j] {
                NO_PARENT => break,
                next => j = next as usize,
            }
        }
        assert_eq!(steps, t[path + dofs.last().unwrap()] as usize, "the path's length");
        assert!(w.iter().all(|x| *x == 0.0), "the change vector lies on the path");
        kept
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
            let h_diag: Vec<f64> = (0..nv).map(|_| nv as f64 + 1.0).collect();
            let mut m_below = vec![Vec::new(); nv];
            for d in 0..nv {
                h[d][d] += h_diag[d];
                for &a in &chain(&parent, d)[1..] {
                    let v = 0.5 * rng.unit();
                    h[d][a] += v;
                    h[a][d] += v;
                    m_below[d].push(v);
                }
            }
            let mut row_values = Vec::new();
            for set in &rows {
                let j: Vec<f64> = set.iter().map(|_| rng.unit()).collect();
                let dr = 1.0 + rng.unit().abs() * 10.0;
                for (x, a) in set.iter().enumerate() {
                    for (y, b) in set.iter().enumerate() {
                        h[*a][*b] += dr * j[x] * j[y];
                    }
                }
                row_values.push((j, dr));
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
            // the GPU's assembly gives the same packed H: M's rows through m_entry, each row's
            // pairs through its list's targets, in the same order of additions
            let t = p.gpu_table(&rows);
            let mut assembled = vec![0.0f64; p.nl()];
            let mut adr = 0;
            for d in 0..nv {
                for (n, &a) in chain(&parent, d).iter().enumerate() {
                    let v = if n == 0 { h_diag[d] } else { m_below[d][n - 1] };
                    assembled[t[t[4] as usize + adr] as usize] += v;
                    assert_eq!(p.entry(a, d), Some(p.m_entry[adr] as usize));
                    adr += 1;
                }
            }
            for ((l, set), (j, dr)) in rows.iter().enumerate().zip(&row_values) {
                let targets = t[t[5] as usize + l] as usize;
                for pos in 0..set.len() {
                    for q in 0..=pos {
                        assembled[t[targets + pos * (pos + 1) / 2 + q] as usize] += dr * j[q] * j[pos];
                    }
                }
            }
            assert_eq!(assembled, packed, "case {case}: the table's assembly");
            let mut dinv = factor(&p, &mut packed);
            let b: Vec<f64> = (0..nv).map(|_| rng.unit()).collect();
            let x = solve(&p, &packed, &dinv, &b);
            // residual of the dense system
            for i in 0..nv {
                let hx: f64 = (0..nv).map(|k| h[i][k] * x[k]).sum();
                assert!((hx - b[i]).abs() < 1e-9, "case {case}: row {i}: H x = {hx}, b = {}", b[i]);
            }
            // rows leaving (downdates) and joining (updates) the active set, on the factor: it
            // then solves the changed H as a dense solve does
            for ((set, (j, dr)), leave) in rows.iter().zip(&row_values).zip([true, false].iter().cycle()) {
                let alpha = if *leave { -dr } else { 0.5 * dr };
                let kept = rank_one(&p, &mut packed, &mut dinv, set, j, alpha);
                assert!(kept > 0.0, "case {case}: H stays positive definite");
                for (x, a) in set.iter().enumerate() {
                    for (y, b) in set.iter().enumerate() {
                        h[*a][*b] += alpha * j[x] * j[y];
                    }
                }
                let x = solve(&p, &packed, &dinv, &b);
                for i in 0..nv {
                    let hx: f64 = (0..nv).map(|k| h[i][k] * x[k]).sum();
                    assert!(
                        (hx - b[i]).abs() < 1e-9,
                        "case {case}: after a rank-one change, row {i}: H x = {hx}"
                    );
                }
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
        let lists = [vec![2, 3], vec![2, 5], vec![0, 1, 2]];
        let t = p.gpu_table(&lists);
        let nv = p.nv;
        // column m's pairs (a ≤ b of its rows below the diagonal) name entry (row a, row b)
        let pairs = t[3] as usize;
        for m in 0..nv {
            let rows = &p.col_row[p.column(m).start + 1..p.column(m).end];
            let mut at = t[pairs + m] as usize;
            for b in 0..rows.len() {
                for a in 0..=b {
                    assert_eq!(
                        Some(t[at] as usize),
                        p.entry(rows[a] as usize, rows[b] as usize),
                        "column {m}"
                    );
                    at += 1;
                }
            }
            assert_eq!(at, t[pairs + m + 1] as usize);
        }
        assert_eq!(&t[t[4] as usize..t[4] as usize + p.m_entry.len()], &p.m_entry[..]);
        // 6 dofs with depths 1, 2, 3, 3, 1, 2: M holds 12 entries
        assert_eq!(p.m_entry.len(), 12);
        let list = t[5] as usize;
        for (l, dofs) in lists.iter().enumerate() {
            let at = t[list + l] as usize;
            assert_eq!(t[list + l + 1] as usize - at, dofs.len() * (dofs.len() + 1) / 2);
            for (pos, &k) in dofs.iter().enumerate() {
                for (q, &i) in dofs[..=pos].iter().enumerate() {
                    assert_eq!(Some(t[at + pos * (pos + 1) / 2 + q] as usize), p.entry(i, k), "list {l}");
                }
            }
        }
        assert_eq!(t[6], t[list + lists.len()]);
        // elimination-tree parents (the column's highest row) and the paths' lengths: 3 was
        // coupled to its sibling 2, and 5 to 2 across trees, so eliminating 5 hands 2 to 4
        let (parent, path) = (t[6] as usize, t[7] as usize);
        assert_eq!(&t[parent..parent + nv], &[NO_PARENT, 0, 1, 2, 2, 4]);
        assert_eq!(&t[path..path + nv], &[1, 2, 3, 4, 4, 5]);
        assert_eq!(t.len(), path + nv);
        let (rows, cols, col_row) = (t[0] as usize, t[1] as usize, t[2] as usize);
        let lists = p.row_lists();
        assert_eq!(t[rows + nv] as usize, 2 * lists.iter().map(Vec::len).sum::<usize>());
        assert_eq!(&t[cols..cols + nv + 1], &p.col_adr[..]);
        assert_eq!(&t[col_row..col_row + p.nl()], &p.col_row[..]);
    }
}
