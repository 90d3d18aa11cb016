//! Reading and writing numpy arrays (.npy, .npz) as f32 with shapes, with clear errors.

use std::path::Path;

use crate::error::{Error, Result};

/// An f32 array with its shape (row-major).
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub data: Vec<f32>,
}

fn read_npy<R: std::io::Read>(npy: npyz::NpyFile<R>, what: &str) -> Result<Array> {
    let shape: Vec<usize> = npy.shape().iter().map(|d| *d as usize).collect();
    let dtype = npy.dtype().descr().trim_matches('\'').to_string();
    let bad = |e: std::io::Error| Error::Model(format!("{what}: {e}"));
    let data = match dtype.as_str() {
        "<f4" => npy.into_vec::<f32>().map_err(bad)?,
        "<f8" => npy.into_vec::<f64>().map_err(bad)?.into_iter().map(|v| v as f32).collect(),
        other => {
            return Err(Error::Model(format!("{what}: dtype {other} is not supported (float32 or float64)")));
        }
    };
    if data.iter().any(|v| !v.is_finite()) {
        return Err(Error::Model(format!("{what}: contains non-finite values")));
    }
    Ok(Array { shape, data })
}

/// Read a .npy file.
pub fn load_npy(path: &Path) -> Result<Array> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let npy = npyz::NpyFile::new(std::io::BufReader::new(file))
        .map_err(|e| Error::Model(format!("{}: not a .npy file: {e}", path.display())))?;
    read_npy(npy, &path.display().to_string())
}

/// Read the arrays `names` of an .npz file (`None` for absent ones).
pub fn load_npz(path: &Path, names: &[&str]) -> Result<Vec<Option<Array>>> {
    let mut npz = npyz::npz::NpzArchive::open(path)
        .map_err(|e| Error::Model(format!("{}: not an .npz file: {e}", path.display())))?;
    names
        .iter()
        .map(|name| {
            let what = format!("{}:{name}", path.display());
            match npz.by_name(name).map_err(|e| Error::Model(format!("{what}: {e}")))? {
                Some(npy) => read_npy(npy, &what).map(Some),
                None => Ok(None),
            }
        })
        .collect()
}

/// Write named f32 arrays to an .npz file.
pub fn save_npz(path: &Path, arrays: &[(&str, &Array)]) -> Result<()> {
    use npyz::WriterBuilder;
    let io = |e: std::io::Error| Error::io(path, e);
    let mut npz = npyz::npz::NpzWriter::create(path).map_err(io)?;
    for (name, a) in arrays {
        let shape: Vec<u64> = a.shape.iter().map(|d| *d as u64).collect();
        let mut w = npz
            .array::<f32>(name, Default::default())
            .map_err(io)?
            .default_dtype()
            .shape(&shape)
            .begin_nd()
            .map_err(io)?;
        w.extend(a.data.iter().copied()).map_err(io)?;
        w.finish().map_err(io)?;
    }
    Ok(())
}

/// Write one f32 array to a .npy file.
pub fn save_npy(path: &Path, a: &Array) -> Result<()> {
    use npyz::WriterBuilder;
    let io = |e: std::io::Error| Error::io(path, e);
    let file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    let shape: Vec<u64> = a.shape.iter().map(|d| *d as u64).collect();
    let mut w =
        npyz::WriteOptions::new().default_dtype().shape(&shape).writer(file).begin_nd().map_err(io)?;
    w.extend(a.data.iter().copied()).map_err(io)?;
    w.finish().map_err(io)
}
