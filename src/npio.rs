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
    let order = npy.order();
    let dtype = npy.dtype().descr().trim_matches('\'').to_string();
    let bad = |e: std::io::Error| Error::Model(format!("{what}: {e}"));
    let data = match dtype.as_str() {
        "<f4" => npy.into_vec::<f32>().map_err(bad)?,
        "<f8" => npy.into_vec::<f64>().map_err(bad)?.into_iter().map(|v| v as f32).collect(),
        // integers (counts, indices such as LocoMuJoCo's split_points) as f32, exact below 2²⁴
        "<i8" => ints(npy.into_vec::<i64>().map_err(bad)?, what)?,
        "<i4" => ints(npy.into_vec::<i32>().map_err(bad)?.into_iter().map(i64::from).collect(), what)?,
        "<u4" => ints(npy.into_vec::<u32>().map_err(bad)?.into_iter().map(i64::from).collect(), what)?,
        other => {
            return Err(Error::Model(format!(
                "{what}: dtype {other} is not supported (float32, float64, int32, int64 or uint32)"
            )));
        }
    };
    if data.iter().any(|v| !v.is_finite()) {
        return Err(Error::Model(format!("{what}: contains non-finite values")));
    }
    if data.len() != shape.iter().product::<usize>() {
        return Err(Error::Model(format!("{what}: {} values for shape {shape:?}", data.len())));
    }
    let data = match order {
        npyz::Order::C => data,
        npyz::Order::Fortran => fortran_to_c(&data, &shape),
    };
    Ok(Array { shape, data })
}

/// Integers as f32, refused past 2²⁴ where f32 would round them.
fn ints(v: Vec<i64>, what: &str) -> Result<Vec<f32>> {
    const EXACT: i64 = 1 << 24;
    match v.iter().find(|x| x.abs() > EXACT) {
        Some(x) => Err(Error::Model(format!("{what}: integer {x} is too large (at most {EXACT})"))),
        None => Ok(v.into_iter().map(|x| x as f32).collect()),
    }
}

/// Values stored column-major (numpy's `fortran_order`, e.g. `np.asfortranarray`) reordered
/// row-major, so every reader sees the same array whatever order the file was written in.
fn fortran_to_c(data: &[f32], shape: &[usize]) -> Vec<f32> {
    // Fortran strides: the first axis is the fast one
    let mut stride = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        stride[k] = stride[k - 1] * shape[k - 1];
    }
    let mut index = vec![0usize; shape.len()];
    let mut out = Vec::with_capacity(data.len());
    for _ in 0..data.len() {
        out.push(data[index.iter().zip(&stride).map(|(i, s)| i * s).sum::<usize>()]);
        // next row-major multi-index: the last axis is the fast one
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    out
}

/// Read a .npy file.
pub fn load_npy(path: &Path) -> Result<Array> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let npy = npyz::NpyFile::new(std::io::BufReader::new(file))
        .map_err(|e| Error::Model(format!("{}: not a .npy file: {e}", path.display())))?;
    read_npy(npy, &path.display().to_string())
}

/// The names of the arrays in an .npz file.
pub fn npz_names(path: &Path) -> Result<Vec<String>> {
    let npz = open_npz(path)?;
    Ok(npz.array_names().map(str::to_string).collect())
}

fn open_npz(path: &Path) -> Result<npyz::npz::NpzArchive<std::io::BufReader<std::fs::File>>> {
    npyz::npz::NpzArchive::open(path)
        .map_err(|e| Error::Model(format!("{}: not an .npz file: {e}", path.display())))
}

/// Read the arrays `names` of an .npz file (`None` for absent ones).
pub fn load_npz(path: &Path, names: &[&str]) -> Result<Vec<Option<Array>>> {
    let mut npz = open_npz(path)?;
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

/// Read the string array `name` of an .npz file (numpy's unicode `<U` dtype, e.g. LocoMuJoCo's
/// `joint_names`); `None` when the file has no such array.
pub fn load_npz_strings(path: &Path, name: &str) -> Result<Option<Vec<String>>> {
    let mut npz = open_npz(path)?;
    let what = format!("{}:{name}", path.display());
    let Some(npy) = npz.by_name(name).map_err(|e| Error::Model(format!("{what}: {e}")))? else {
        return Ok(None);
    };
    let dtype = npy.dtype().descr().trim_matches('\'').to_string();
    if !dtype.starts_with("<U") {
        return Err(Error::Model(format!("{what}: dtype {dtype} is not a string array (numpy's <U)")));
    }
    npy.into_vec::<String>().map(Some).map_err(|e| Error::Model(format!("{what}: {e}")))
}

/// Write named f32 arrays to an .npz file, atomically (a crash or a full disk leaves any
/// previous file whole).
pub fn save_npz(path: &Path, arrays: &[(&str, &Array)]) -> Result<()> {
    let entries: Vec<(&str, NpzArray)> = arrays.iter().map(|(n, a)| (*n, NpzArray::F32(a))).collect();
    save_npz_entries(path, &entries)
}

/// An array to write into an .npz file.
pub enum NpzArray<'a> {
    /// f32 values with their shape.
    F32(&'a Array),
    /// A one-dimensional int64 array.
    I64(&'a [i64]),
    /// A one-dimensional string array (numpy's `<U`, as long as the longest).
    Strings(&'a [String]),
}

/// Write named arrays of mixed kinds to an .npz file, atomically.
pub fn save_npz_entries(path: &Path, arrays: &[(&str, NpzArray)]) -> Result<()> {
    use npyz::WriterBuilder;
    crate::atomic_file::write_atomic_with(path, |tmp| {
        let mut npz = npyz::npz::NpzWriter::create(tmp)?;
        for (name, a) in arrays {
            match a {
                NpzArray::F32(a) => {
                    let shape: Vec<u64> = a.shape.iter().map(|d| *d as u64).collect();
                    let mut w = npz
                        .array::<f32>(name, Default::default())?
                        .default_dtype()
                        .shape(&shape)
                        .begin_nd()?;
                    w.extend(a.data.iter().copied())?;
                    w.finish()?;
                }
                NpzArray::I64(v) => {
                    let mut w = npz
                        .array::<i64>(name, Default::default())?
                        .default_dtype()
                        .shape(&[v.len() as u64])
                        .begin_nd()?;
                    w.extend(v.iter().copied())?;
                    w.finish()?;
                }
                NpzArray::Strings(v) => {
                    let longest = v.iter().map(|s| s.chars().count()).max().unwrap_or(0).max(1);
                    let dtype = npyz::DType::Plain(
                        format!("<U{longest}").parse::<npyz::TypeStr>().map_err(std::io::Error::other)?,
                    );
                    let mut w = npz
                        .array::<String>(name, Default::default())?
                        .dtype(dtype)
                        .shape(&[v.len() as u64])
                        .begin_nd()?;
                    w.extend(v.iter().cloned())?;
                    w.finish()?;
                }
            }
        }
        // finish the archive here, so a full disk is an error rather than a truncated file
        npz.zip_writer().finish().map_err(std::io::Error::other)?;
        Ok(())
    })
}

/// Write one f32 array to a .npy file, atomically.
pub fn save_npy(path: &Path, a: &Array) -> Result<()> {
    use npyz::WriterBuilder;
    crate::atomic_file::write_atomic_with(path, |tmp| {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(tmp)?);
        let shape: Vec<u64> = a.shape.iter().map(|d| *d as u64).collect();
        let mut w = npyz::WriteOptions::new().default_dtype().shape(&shape).writer(&mut file).begin_nd()?;
        w.extend(a.data.iter().copied())?;
        w.finish()?;
        // flush here: a failed flush is an error, not a truncated file renamed into place
        file.flush()
    })
}
