//! Checkpoints: everything needed to continue a run exactly — parameters, Adam moments, the
//! observation normaliser, the environments' state (so the worlds continue mid-episode) and the
//! iteration (the policy's random draws are seeded per iteration).
//!
//! Format: `SINEWCKPT1\n`, a little-endian u64 header length, a JSON header (metadata and the
//! name, byte offset and length of each blob), the blobs, and a CRC-32C of everything before it.
//! Written atomically ([`write_atomic`]), so a crash never leaves a half-written checkpoint.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::config::PolicyConfig;
use crate::atomic_file::write_atomic;
use crate::error::{Error, Result};

const MAGIC: &[u8] = b"SINEWCKPT1\n";

/// What a checkpoint is of, checked on load against the run resuming it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckpointMeta {
    /// Iterations completed.
    pub iteration: usize,
    /// Environment steps taken (all worlds).
    pub env_steps: u64,
    /// Adam steps taken.
    pub adam_step: u64,
    /// Observation rows the normaliser has seen.
    pub norm_count: f64,
    /// The model (as the config names it) and task.
    pub model: String,
    /// The task's name.
    pub task: String,
    /// Observation and action sizes.
    pub nobs: usize,
    /// Action size.
    pub nu: usize,
    /// Worlds (the saved environment state is per world).
    pub nworld: usize,
    /// The networks.
    pub policy: PolicyConfig,
    /// Parameter names and shapes, in order.
    pub params: Vec<(String, [usize; 2])>,
    /// Processes the run trained on (data-parallel over MPI; each rank's worlds are saved); 1 in
    /// checkpoints from before ranks existed.
    #[serde(default = "one_rank")]
    pub ranks: usize,
}

fn one_rank() -> usize {
    1
}

/// A checkpoint in memory: metadata and named byte blobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Metadata.
    pub meta: CheckpointMeta,
    /// Named blobs (f32 arrays as little-endian bytes, raw GPU buffer contents).
    pub blobs: BTreeMap<String, Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    meta: CheckpointMeta,
    blobs: Vec<(String, u64, u64)>,
}

impl Checkpoint {
    /// f32 values of blob `name`.
    pub fn f32s(&self, name: &str) -> Result<Vec<f32>> {
        let b = self.blob(name)?;
        if b.len() % 4 != 0 {
            return Err(Error::Config(format!(
                "checkpoint blob {name}: {} bytes is not whole f32s",
                b.len()
            )));
        }
        Ok(b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    /// Blob `name`.
    pub fn blob(&self, name: &str) -> Result<&[u8]> {
        self.blobs
            .get(name)
            .map(|v| v.as_slice())
            .ok_or_else(|| Error::Config(format!("checkpoint has no '{name}'")))
    }

    /// Store f32 values as blob `name`.
    pub fn put_f32s(&mut self, name: &str, v: &[f32]) {
        self.blobs.insert(name.into(), v.iter().flat_map(|x| x.to_le_bytes()).collect());
    }

    /// Write atomically to `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut offset = 0u64;
        let blobs: Vec<(String, u64, u64)> = self
            .blobs
            .iter()
            .map(|(n, b)| {
                let e = (n.clone(), offset, b.len() as u64);
                offset += b.len() as u64;
                e
            })
            .collect();
        let header = serde_json::to_vec(&Header { meta: self.meta.clone(), blobs })
            .map_err(|e| Error::Config(format!("checkpoint header: {e}")))?;
        let mut out = Vec::with_capacity(MAGIC.len() + 8 + header.len() + offset as usize + 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        for b in self.blobs.values() {
            out.extend_from_slice(b);
        }
        let crc = crc32c::crc32c(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        write_atomic(path, &out)
    }

    /// Read `path`, checking the format and checksum.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let bad =
            |msg: &str| Error::Config(format!("{}: not a usable sinew checkpoint: {msg}", path.display()));
        if bytes.len() < MAGIC.len() + 12 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad("wrong magic (not a checkpoint, or truncated)"));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 4);
        if crc32c::crc32c(body) != u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) {
            return Err(bad("checksum mismatch (corrupt or truncated)"));
        }
        let hlen_at = MAGIC.len();
        // Lengths and offsets are untrusted (the checksum only says the file is what was written):
        // every range is checked without overflow before it is sliced.
        let within = |start: u64, len: u64, size: usize| -> Option<std::ops::Range<usize>> {
            let end = start.checked_add(len)?;
            (end <= size as u64).then_some(start as usize..end as usize)
        };
        let hlen = u64::from_le_bytes(body[hlen_at..hlen_at + 8].try_into().expect("8 bytes"));
        let start = hlen_at + 8;
        let header_range =
            within(start as u64, hlen, body.len()).ok_or_else(|| bad("header runs past the end"))?;
        let data = &body[header_range.end..];
        let header: Header =
            serde_json::from_slice(&body[header_range]).map_err(|e| bad(&format!("header: {e}")))?;
        let mut blobs = BTreeMap::new();
        for (name, off, len) in header.blobs {
            let range =
                within(off, len, data.len()).ok_or_else(|| bad(&format!("blob {name} runs past the end")))?;
            blobs.insert(name, data[range].to_vec());
        }
        Ok(Checkpoint { meta: header.meta, blobs })
    }
}

/// The checkpoint file of iteration `it` in run directory `run`.
pub fn path_for(run: &Path, it: usize) -> PathBuf {
    run.join("checkpoints").join(format!("iter_{it:06}.ckpt"))
}

/// The latest checkpoint of run directory `run` (highest iteration), or `path` itself if it is a
/// file.
pub fn latest(path: &Path) -> Result<PathBuf> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    super::run_dir::checkpoints(path)
        .into_iter()
        .next()
        .ok_or_else(|| Error::Config(format!("{}: no checkpoints in this run directory", path.display())))
}
