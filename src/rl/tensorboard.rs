//! TensorBoard scalar logs: an event file `tensorboard --logdir` reads, and a checked reader.
//!
//! An event file is a TFRecord stream of `Event` protos. Each record is: the data length (u64
//! little-endian), the masked CRC32C of those 8 bytes, the data, the masked CRC32C of the data.
//! TensorFlow masks its CRCs (rotate right by 15, add 0xa282ead8) because a CRC of bytes that
//! themselves hold CRCs is weak. The first event carries `file_version = "brain.Event:2"`; each
//! scalar is one event whose `summary` holds one `(tag, simple_value)`. The messages are the
//! subset of TensorFlow's `event.proto`/`summary.proto` we use, declared with `prost` derives.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message;

use crate::error::{Error, Result};

/// Appends scalar events to a new event file; buffered, so call [`EventWriter::flush`] to make
/// them visible to a running TensorBoard (dropping the writer flushes too, ignoring errors).
pub struct EventWriter {
    path: PathBuf,
    out: BufWriter<File>,
}

impl EventWriter {
    /// Creates `dir` if needed and a new file `events.out.tfevents.<unix secs>.<hostname>` in it
    /// (hostname "sinew" when unknown; a `.N` suffix when that name is taken), whose first record
    /// is the file-version event.
    pub fn create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let base = format!("events.out.tfevents.{secs}.{}", hostname());
        // create_new: two writers started in the same second must not share (and clobber) a file.
        let mut n = 0;
        let (path, file) = loop {
            let name = if n == 0 { base.clone() } else { format!("{base}.{n}") };
            let path = dir.join(name);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => break (path, file),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => return Err(Error::io(path, e)),
            }
        };
        let mut w = EventWriter { path, out: BufWriter::new(file) };
        w.write_event(&Event {
            wall_time: wall_time(),
            file_version: Some("brain.Event:2".into()),
            ..Default::default()
        })?;
        w.flush()?;
        Ok(w)
    }

    /// The event file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one scalar `value` for `tag` (e.g. "train/mean_return") at `step` (e.g. env steps).
    pub fn scalar(&mut self, tag: &str, step: i64, value: f32) -> Result<()> {
        let value = SummaryValue { tag: tag.into(), simple_value: Some(value), image: None };
        let summary = Summary { value: vec![value] };
        self.write_event(&Event { wall_time: wall_time(), step, file_version: None, summary: Some(summary) })
    }

    /// Appends one image for `tag` at `step`: `encoded` is a PNG or GIF file's bytes (an animated
    /// GIF plays in TensorBoard's images dashboard) of `width` × `height` RGB pixels.
    pub fn image(&mut self, tag: &str, step: i64, width: u32, height: u32, encoded: Vec<u8>) -> Result<()> {
        let image = SummaryImage {
            height: height as i32,
            width: width as i32,
            colorspace: 3,
            encoded_image_string: encoded,
        };
        let value = SummaryValue { tag: tag.into(), simple_value: None, image: Some(image) };
        let summary = Summary { value: vec![value] };
        self.write_event(&Event { wall_time: wall_time(), step, file_version: None, summary: Some(summary) })
    }

    /// Writes buffered events to the file.
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))
    }

    fn write_event(&mut self, event: &Event) -> Result<()> {
        let data = event.encode_to_vec();
        let len = (data.len() as u64).to_le_bytes();
        let mut write = || -> std::io::Result<()> {
            self.out.write_all(&len)?;
            self.out.write_all(&masked_crc(&len).to_le_bytes())?;
            self.out.write_all(&data)?;
            self.out.write_all(&masked_crc(&data).to_le_bytes())
        };
        write().map_err(|e| Error::io(&self.path, e))
    }
}

/// Reads every scalar of an event file as `(tag, step, value)`, in file order, after checking
/// the framing and both CRCs of every record; a truncated or corrupted file is an error naming
/// the record and byte offset.
pub fn read_scalars(path: &Path) -> Result<Vec<(String, i64, f32)>> {
    Ok(summary_values(path)?
        .into_iter()
        .filter_map(|(step, v)| v.simple_value.map(|x| (v.tag, step, x)))
        .collect())
}

/// Reads every image of an event file as `(tag, step, width, height, encoded bytes)`, checked as
/// [`read_scalars`] checks.
pub fn read_images(path: &Path) -> Result<Vec<(String, i64, u32, u32, Vec<u8>)>> {
    Ok(summary_values(path)?
        .into_iter()
        .filter_map(|(step, v)| {
            v.image.map(|i| (v.tag, step, i.width as u32, i.height as u32, i.encoded_image_string))
        })
        .collect())
}

/// Every summary value of a checked event file, with its event's step, in file order.
fn summary_values(path: &Path) -> Result<Vec<(i64, SummaryValue)>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (events, broken) = read_events(&bytes, path);
    if let Some(e) = broken {
        return Err(e);
    }
    Ok(events
        .into_iter()
        .flat_map(|(event, _)| {
            let step = event.step;
            event.summary.into_iter().flat_map(|s| s.value).map(move |v| (step, v))
        })
        .collect())
}

/// Rewrites the event file `path` (atomically) without the events after step `max_step`, and
/// without a torn or corrupt tail (a process killed mid-write): what a run resumed from the
/// checkpoint at `max_step` env steps is about to write again. Returns how many events it dropped.
pub fn truncate_after(path: &Path, max_step: i64) -> Result<usize> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (events, broken) = read_events(&bytes, path);
    let kept: Vec<&[u8]> = events.iter().filter(|(e, _)| e.step <= max_step).map(|(_, r)| *r).collect();
    let dropped = events.len() - kept.len();
    if dropped == 0 && broken.is_none() {
        return Ok(0);
    }
    crate::atomic_file::write_atomic(path, &kept.concat())?;
    Ok(dropped + usize::from(broken.is_some()))
}

/// The events of a file's bytes, each with its whole record, up to the first record that is
/// truncated or fails a check; that failure is returned beside them.
fn read_events<'a>(bytes: &'a [u8], path: &Path) -> (Vec<(Event, &'a [u8])>, Option<Error>) {
    let mut rest = bytes;
    let mut out = Vec::new();
    let mut record = 0;
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        let bad = |what: &str| {
            Error::Config(format!("{}: record {record} at byte {offset}: {what}", path.display()))
        };
        let parsed = (|| {
            let (len_bytes, tail) = rest.split_first_chunk::<8>().ok_or_else(|| bad("truncated length"))?;
            let (len_crc, tail) = tail.split_first_chunk::<4>().ok_or_else(|| bad("truncated length CRC"))?;
            if u32::from_le_bytes(*len_crc) != masked_crc(len_bytes) {
                return Err(bad("length CRC mismatch"));
            }
            let len = usize::try_from(u64::from_le_bytes(*len_bytes)).map_err(|_| bad("length overflows"))?;
            if tail.len() < len {
                return Err(bad("truncated data"));
            }
            let (data, tail) = tail.split_at(len);
            let (data_crc, tail) = tail.split_first_chunk::<4>().ok_or_else(|| bad("truncated data CRC"))?;
            if u32::from_le_bytes(*data_crc) != masked_crc(data) {
                return Err(bad("data CRC mismatch"));
            }
            let event = Event::decode(data).map_err(|e| bad(&format!("not an Event: {e}")))?;
            Ok((event, tail))
        })();
        match parsed {
            Ok((event, tail)) => {
                out.push((event, &rest[..rest.len() - tail.len()]));
                rest = tail;
            }
            Err(e) => return (out, Some(e)),
        }
        record += 1;
    }
    (out, None)
}

fn masked_crc(bytes: &[u8]) -> u32 {
    crc32c::crc32c(bytes).rotate_right(15).wrapping_add(0xa282_ead8)
}

fn wall_time() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// The machine's name as TensorFlow puts it in event file names; "sinew" when unknown (or not
/// Linux). Only file-name-safe characters are kept.
fn hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name: String =
        name.trim().chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
    if name.is_empty() { "sinew".into() } else { name }
}

// TensorFlow's Event (event.proto) and Summary (summary.proto), the fields we use. `file_version`
// and `summary` are members of Event's `what` oneof, `simple_value` of Value's `value` oneof: lone
// optional fields encode the same, and keep a 0.0 value on the wire.

#[derive(Clone, PartialEq, Message)]
struct Event {
    #[prost(double, tag = "1")]
    wall_time: f64,
    #[prost(int64, tag = "2")]
    step: i64,
    #[prost(string, optional, tag = "3")]
    file_version: Option<String>,
    #[prost(message, optional, tag = "5")]
    summary: Option<Summary>,
}

#[derive(Clone, PartialEq, Message)]
struct Summary {
    #[prost(message, repeated, tag = "1")]
    value: Vec<SummaryValue>,
}

#[derive(Clone, PartialEq, Message)]
struct SummaryValue {
    #[prost(string, tag = "1")]
    tag: String,
    #[prost(float, optional, tag = "2")]
    simple_value: Option<f32>,
    #[prost(message, optional, tag = "4")]
    image: Option<SummaryImage>,
}

// Summary.Image: an encoded PNG/GIF with its size; colorspace 3 is RGB.
#[derive(Clone, PartialEq, Message)]
struct SummaryImage {
    #[prost(int32, tag = "1")]
    height: i32,
    #[prost(int32, tag = "2")]
    width: i32,
    #[prost(int32, tag = "3")]
    colorspace: i32,
    #[prost(bytes = "vec", tag = "4")]
    encoded_image_string: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sinew-tb-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn write_sample(dir: &Path) -> PathBuf {
        let mut w = EventWriter::create(dir).unwrap();
        w.scalar("train/mean_return", 0, 0.0).unwrap();
        w.scalar("train/mean_return", 4096, 1.5).unwrap();
        w.scalar("loss/value", 4096, -2.25e-3).unwrap();
        w.flush().unwrap();
        w.path().to_path_buf()
    }

    #[test]
    fn crc32c_check_value() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn round_trip() {
        let dir = temp_dir("round-trip");
        let path = write_sample(&dir);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("events.out.tfevents."), "{name}");
        let got = read_scalars(&path).unwrap();
        let want = vec![
            ("train/mean_return".to_string(), 0, 0.0),
            ("train/mean_return".to_string(), 4096, 1.5),
            ("loss/value".to_string(), 4096, -2.25e-3),
        ];
        assert_eq!(got, want);
        // The first record is the file-version event.
        let bytes = std::fs::read(&path).unwrap();
        let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let first = Event::decode(&bytes[12..12 + len]).unwrap();
        assert_eq!(first.file_version.as_deref(), Some("brain.Event:2"));
        // A second writer in the same second gets its own file.
        let again = EventWriter::create(&dir).unwrap();
        assert_ne!(again.path(), path);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corruption_is_detected() {
        let dir = temp_dir("corrupt");
        let path = write_sample(&dir);
        let good = std::fs::read(&path).unwrap();
        let first_len = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
        let second = 12 + first_len + 4;
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("data CRC", {
                let mut b = good.clone();
                b[second + 12 + 3] ^= 0x01;
                b
            }),
            ("length CRC", {
                let mut b = good.clone();
                b[second] ^= 0x01;
                b
            }),
            ("truncated", good[..good.len() - 2].to_vec()),
        ];
        for (what, bytes) in cases {
            std::fs::write(&path, &bytes).unwrap();
            let err = read_scalars(&path).expect_err(what).to_string();
            assert!(err.contains("record"), "{what}: {err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
