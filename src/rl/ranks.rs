//! The processes one training run spans (data-parallel PPO, one process per GPU): which one this
//! is, how many there are, and the few collective operations the trainer needs, over MPI
//! (feature `mpi`, launched by `mpirun` or Slurm's `srun`).
//!
//! Without the feature, or when the process was not launched as one of several, there is one
//! rank and every operation is the identity, so a single process runs exactly as before. A build
//! without the feature refuses to start as one of several ranks (they would each train alone into
//! the same run directory).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// This process's place among the run's processes.
pub struct Ranks {
    /// This process's rank, 0 ‥ size.
    pub rank: usize,
    /// Processes in the run.
    pub size: usize,
    /// Rank among the processes on this node (picks the node's GPU).
    pub local_rank: usize,
    /// Gradient averaging so far ([`Ranks::count_reduction`]): nanoseconds and bytes reduced.
    reduced: [AtomicU64; 2],
    #[cfg(feature = "mpi")]
    mpi: Option<Mpi>,
}

impl Default for Ranks {
    fn default() -> Self {
        Ranks::single()
    }
}

impl std::fmt::Debug for Ranks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ranks {{ rank: {}, size: {}, local_rank: {} }}", self.rank, self.size, self.local_rank)
    }
}

#[cfg(feature = "mpi")]
struct Mpi {
    // keeps MPI initialised while the run lives (finalised on drop)
    _universe: mpi::environment::Universe,
    world: mpi::topology::SimpleCommunicator,
}

/// How many processes the launcher started, from the variables Open MPI, MPICH/Hydra, PMIx and
/// Slurm's `srun` set for a job step (None: not launched as one of several; a plain command in a
/// batch script of several tasks, outside `srun`, is one process).
pub fn launched_size() -> Option<usize> {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_STEP_NUM_TASKS"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.parse::<usize>().ok())
        .filter(|n| *n > 1)
}

impl Ranks {
    /// One process, no MPI.
    pub fn single() -> Ranks {
        Ranks {
            rank: 0,
            size: 1,
            local_rank: 0,
            reduced: Default::default(),
            #[cfg(feature = "mpi")]
            mpi: None,
        }
    }

    /// The run's processes: MPI's world where the launcher started several (feature `mpi`),
    /// else one. `Err` where several were launched and this build has no MPI.
    pub fn detect() -> Result<Ranks> {
        let Some(n) = launched_size() else {
            return Ok(Ranks::single());
        };
        Self::join(n)
    }

    #[cfg(not(feature = "mpi"))]
    fn join(n: usize) -> Result<Ranks> {
        Err(Error::Config(format!(
            "launched as one of {n} processes (mpirun/srun), but this sinew was built without MPI: \
             build it with `cargo build --release --features mpi` (needs an MPI library and libclang)"
        )))
    }

    #[cfg(feature = "mpi")]
    fn join(_: usize) -> Result<Ranks> {
        use mpi::traits::*;
        let universe =
            mpi::initialize().ok_or_else(|| Error::Config("MPI was already initialised".into()))?;
        let world = universe.world();
        let local = world.split_shared(world.rank());
        let ranks = Ranks {
            rank: world.rank() as usize,
            size: world.size() as usize,
            local_rank: local.rank() as usize,
            reduced: Default::default(),
            mpi: Some(Mpi { _universe: universe, world }),
        };
        Ok(ranks)
    }

    /// Count one gradient averaging: `seconds` of wall time (the readback, the all-reduce and the
    /// upload) over `bytes` per rank.
    pub fn count_reduction(&self, seconds: f64, bytes: u64) {
        self.reduced[0].fetch_add((seconds * 1e9) as u64, Ordering::Relaxed);
        self.reduced[1].fetch_add(bytes, Ordering::Relaxed);
    }

    /// (seconds, bytes) of gradient averaging so far.
    pub fn reductions(&self) -> (f64, u64) {
        (self.reduced[0].load(Ordering::Relaxed) as f64 * 1e-9, self.reduced[1].load(Ordering::Relaxed))
    }

    /// Whether this process writes the run's files (rank 0).
    pub fn is_root(&self) -> bool {
        self.rank == 0
    }

    /// `buf` summed over every rank, the same result on every rank (MPI_Allreduce).
    pub fn sum_f32(&self, buf: Vec<f32>) -> Vec<f32> {
        #[cfg(feature = "mpi")]
        if let Some(m) = &self.mpi {
            use mpi::collective::SystemOperation;
            use mpi::traits::*;
            let mut sum = vec![0.0; buf.len()];
            m.world.all_reduce_into(&buf[..], &mut sum[..], SystemOperation::sum());
            return sum;
        }
        buf
    }

    /// Every rank's `x` (the same length on each), concatenated in rank order, on every rank.
    pub fn gather_f64(&self, x: &[f64]) -> Vec<f64> {
        #[cfg(feature = "mpi")]
        if let Some(m) = &self.mpi {
            use mpi::traits::*;
            let mut all = vec![0.0; x.len() * self.size];
            m.world.all_gather_into(x, &mut all[..]);
            return all;
        }
        x.to_vec()
    }

    /// Every rank's bytes on rank 0, in rank order (rank 0's own first); an empty list elsewhere.
    pub fn gather_bytes(&self, bytes: Vec<u8>) -> Vec<Vec<u8>> {
        #[cfg(feature = "mpi")]
        if let Some(m) = &self.mpi {
            use mpi::traits::*;
            if !self.is_root() {
                m.world.process_at_rank(0).send(&bytes[..]);
                return Vec::new();
            }
            let mut all = vec![bytes];
            for r in 1..self.size {
                let (b, _) = m.world.process_at_rank(r as i32).receive_vec::<u8>();
                all.push(b);
            }
            return all;
        }
        vec![bytes]
    }

    /// End every rank's process with `code` (MPI_Abort), so one rank's error stops the job
    /// instead of leaving the others waiting in a collective. Returns where there is one rank.
    pub fn abort(&self, code: i32) {
        if self.size > 1 {
            abort_world(code);
        }
    }

    /// None where every rank holds the same `values` (as long on each), else every rank's, in
    /// rank order, on every rank (an all-gather every rank reaches, so all of them see the
    /// disagreement and none is left waiting).
    pub fn disagreement(&self, values: &[f64]) -> Option<Vec<Vec<f64>>> {
        let all = self.gather_f64(values);
        let per_rank: Vec<Vec<f64>> = all.chunks_exact(values.len().max(1)).map(<[f64]>::to_vec).collect();
        per_rank.iter().any(|v| v != values).then_some(per_rank)
    }
}

/// MPI_Abort on the whole job from anywhere (a panic hook holds no [`Ranks`]); nothing without
/// the `mpi` feature or before MPI was initialised.
pub fn abort_world(code: i32) {
    #[cfg(feature = "mpi")]
    if mpi::environment::is_initialized() && !mpi::environment::is_finalized() {
        // SAFETY: MPI is initialised and not finalised; MPI_Abort on the world communicator
        // takes no Rust-owned memory and does not return
        unsafe {
            mpi::ffi::MPI_Abort(mpi::ffi::RSMPI_COMM_WORLD, code);
        }
    }
    let _ = code;
}

/// The seed of rank `rank`'s world streams in a run whose config says `seed`: rank 0 keeps it (a
/// single process's worlds), the others' are mixed apart.
pub fn rank_env_seed(seed: u32, rank: usize) -> u32 {
    match rank {
        0 => seed,
        r => crate::env::seed_stream(seed, 0x8000_0000 | r as u32),
    }
}

/// Merge per-rank (count, mean, biased variance) statistics of `n` features, given as
/// `[count, mean₀‥ₙ, var₀‥ₙ]` runs in rank order, into one such run: Chan et al.'s pairwise update
/// in f64, rank after rank, so every rank computes the same numbers.
pub fn merge_moments(runs: &[f64], n: usize) -> Vec<f64> {
    let width = 1 + 2 * n;
    let mut out = vec![0.0; width];
    for run in runs.chunks_exact(width) {
        out = merge_two(&out, run, n);
    }
    out
}

/// (count, mean, biased variance) of the union of two sets, from theirs.
pub fn merge_two(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let (na, nb) = (a[0], b[0]);
    let total = na + nb;
    if nb == 0.0 {
        return a.to_vec();
    }
    if na == 0.0 {
        return b.to_vec();
    }
    let mut out = vec![total];
    let delta: Vec<f64> = (0..n).map(|i| b[1 + i] - a[1 + i]).collect();
    out.extend((0..n).map(|i| a[1 + i] + delta[i] * nb / total));
    out.extend((0..n).map(|i| {
        let m2 = a[1 + n + i] * na + b[1 + n + i] * nb + delta[i] * delta[i] * na * nb / total;
        m2 / total
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Merged per-part moments equal the moments of the whole data, whatever the split.
    #[test]
    fn merged_moments_are_the_whole_datas() {
        let data: Vec<[f64; 2]> =
            (0..37).map(|i| [(i as f64 * 0.37).sin() * 3.0, (i * i % 11) as f64]).collect();
        let moments = |rows: &[[f64; 2]]| {
            let c = rows.len() as f64;
            let mean: Vec<f64> = (0..2).map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / c).collect();
            let var: Vec<f64> =
                (0..2).map(|j| rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / c).collect();
            [vec![c], mean, var].concat()
        };
        let whole = moments(&data);
        let runs: Vec<f64> =
            [&data[..5], &data[5..20], &data[20..]].iter().flat_map(|p| moments(p)).collect();
        let merged = merge_moments(&runs, 2);
        for (a, b) in merged.iter().zip(&whole) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{merged:?} vs {whole:?}");
        }
        // an empty part changes nothing
        assert_eq!(merge_two(&whole, &[0.0, 9.0, 9.0, 9.0, 9.0], 2), whole);
    }
}
