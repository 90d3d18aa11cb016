//! H.264 MP4 output without a system ffmpeg: frames are encoded in-process by OpenH264 (the
//! `openh264` crate builds Cisco's encoder from source) and muxed here into an ISO-BMFF file
//! laid out for streaming ("fast start": the `moov` index before the media data), which the
//! MP4 crates on crates.io do not write.
//!
//! Layout: `ftyp`, `moov` (one video track: `avc1` sample entry with its `avcC` from the
//! stream's SPS/PPS; every sample in one chunk), `mdat` (length-prefixed NAL units). yuv420p,
//! constant frame rate.

use std::path::{Path, PathBuf};

use openh264::OpenH264API;
use openh264::encoder::{
    Complexity, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, QpRange, RateControlMode,
};
use openh264::formats::{RgbSliceU8, YUVBuffer};

use super::image::Image;
use crate::error::{Error, Result};

/// What a finished video holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoSummary {
    /// Frames written.
    pub frames: usize,
    /// File size in bytes.
    pub bytes: u64,
}

/// An MP4 file being written: frames are encoded as they come and the file is written (whole,
/// atomically) by [`VideoWriter::finish`].
pub struct VideoWriter {
    path: PathBuf,
    width: u32,
    height: u32,
    fps: f64,
    encoder: Encoder,
    sps: Option<Vec<u8>>,
    pps: Option<Vec<u8>>,
    /// Length-prefixed NAL units of every sample, back to back.
    data: Vec<u8>,
    sizes: Vec<u32>,
    sync: Vec<u32>,
}

impl VideoWriter {
    /// Start `path`: `width` × `height` frames (both even: yuv420p halves them) at `fps`.
    pub fn create(path: &Path, width: u32, height: u32, fps: f64) -> Result<Self> {
        if width % 2 == 1 || height % 2 == 1 || width < 16 || height < 16 {
            return Err(Error::Config(format!(
                "video size {width}×{height}: H.264 in yuv420p needs even width and height of at least 16"
            )));
        }
        if !(fps.is_finite() && fps > 0.0 && fps <= 1000.0) {
            return Err(Error::Config(format!("video frame rate {fps}: must be above 0 and at most 1000")));
        }
        crate::atomic_file::check_writable(path)?;
        // constant quantiser, no rate control: every frame is kept (rate control would skip
        // frames) at a quality where thin tendons stay sharp
        let config = EncoderConfig::new()
            .skip_frames(false)
            .max_frame_rate(FrameRate::from_hz(fps as f32))
            .rate_control_mode(RateControlMode::Off)
            .qp(QpRange::new(18, 26))
            .complexity(Complexity::Medium)
            .intra_frame_period(IntraFramePeriod::from_num_frames((2.0 * fps).round().max(1.0) as u32))
            .num_threads(1);
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| Error::Config(format!("H.264 encoder: {e}")))?;
        Ok(VideoWriter {
            path: path.to_path_buf(),
            width,
            height,
            fps,
            encoder,
            sps: None,
            pps: None,
            data: Vec::new(),
            sizes: Vec::new(),
            sync: Vec::new(),
        })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Frames so far.
    pub fn frames(&self) -> usize {
        self.sizes.len()
    }

    /// Encode one frame (its size must be the video's).
    pub fn push(&mut self, frame: &Image) -> Result<()> {
        if frame.width != self.width || frame.height != self.height {
            return Err(Error::Config(format!(
                "frame of {}×{} in a {}×{} video",
                frame.width, frame.height, self.width, self.height
            )));
        }
        let yuv = YUVBuffer::from_rgb8_source(RgbSliceU8::new(
            &frame.rgb,
            (self.width as usize, self.height as usize),
        ));
        let stream =
            self.encoder.encode(&yuv).map_err(|e| Error::Config(format!("H.264 encoder: {e}")))?.to_vec();
        let start = self.data.len();
        let mut idr = false;
        for nal in annex_b_units(&stream) {
            match nal[0] & 0x1f {
                7 => self.sps = self.sps.take().or_else(|| Some(nal.to_vec())),
                8 => self.pps = self.pps.take().or_else(|| Some(nal.to_vec())),
                t => {
                    idr |= t == 5;
                    self.data.extend_from_slice(&(nal.len() as u32).to_be_bytes());
                    self.data.extend_from_slice(nal);
                }
            }
        }
        if self.data.len() == start {
            return Err(Error::Config(format!(
                "H.264 encoder returned no picture for frame {}",
                self.sizes.len()
            )));
        }
        self.sizes.push((self.data.len() - start) as u32);
        if idr {
            self.sync.push(self.sizes.len() as u32);
        }
        Ok(())
    }

    /// Write the file (atomically) and return what it holds.
    pub fn finish(self) -> Result<VideoSummary> {
        let (Some(sps), Some(pps)) = (&self.sps, &self.pps) else {
            return Err(Error::Config(format!("{}: no frame was encoded", self.path.display())));
        };
        let bytes = mux(&Stream {
            width: self.width,
            height: self.height,
            fps: self.fps,
            sps,
            pps,
            data: &self.data,
            sizes: &self.sizes,
            sync: &self.sync,
        })?;
        crate::atomic_file::write_atomic(&self.path, &bytes)?;
        Ok(VideoSummary { frames: self.sizes.len(), bytes: bytes.len() as u64 })
    }
}

/// The NAL units of an Annex B byte stream (start codes 00 00 01 or 00 00 00 01 removed).
fn annex_b_units(stream: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= stream.len() {
        if stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut units = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(stream.len(), |n| n - 3);
        // a 4-byte start code leaves one zero byte before the next 00 00 01
        while end > s && stream[end - 1] == 0 && k + 1 < starts.len() {
            end -= 1;
        }
        if end > s {
            units.push(&stream[s..end]);
        }
    }
    units
}

/// An encoded stream ready to mux.
struct Stream<'a> {
    width: u32,
    height: u32,
    fps: f64,
    sps: &'a [u8],
    pps: &'a [u8],
    data: &'a [u8],
    sizes: &'a [u32],
    sync: &'a [u32],
}

/// ISO-BMFF boxes: a box is its size, its type and its payload.
struct Boxes(Vec<u8>);

impl Boxes {
    fn new() -> Self {
        Boxes(Vec::new())
    }
    fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
    /// A full box's version and flags.
    fn full(&mut self, version: u8, flags: u32) -> &mut Self {
        self.u32((version as u32) << 24 | flags)
    }
    /// Append box `kind` whose payload `body` writes.
    fn child(&mut self, kind: &[u8; 4], body: impl FnOnce(&mut Boxes)) -> &mut Self {
        let mut b = Boxes::new();
        body(&mut b);
        self.u32(8 + b.0.len() as u32).bytes(kind).bytes(&b.0)
    }
    /// The identity transformation matrix of mvhd and tkhd.
    fn matrix(&mut self) -> &mut Self {
        for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
            self.u32(v);
        }
        self
    }
}

/// The whole file: ftyp, moov, mdat.
fn mux(s: &Stream) -> Result<Vec<u8>> {
    let n = s.sizes.len() as u32;
    // media time: `timescale` ticks per second, each frame `delta` ticks (exact for rates with
    // up to three decimals)
    let timescale = (s.fps * 1000.0).round() as u32;
    let delta = 1000u32;
    let movie_ms = (n as f64 * 1000.0 / s.fps).round() as u32;
    let media_duration = n * delta;
    if s.sps.len() < 4 {
        return Err(Error::Config("H.264 stream: SPS too short".into()));
    }
    let ftyp = {
        let mut b = Boxes::new();
        b.child(b"ftyp", |b| {
            b.bytes(b"isom").u32(0x200).bytes(b"isom").bytes(b"iso2").bytes(b"avc1").bytes(b"mp41");
        });
        b.0
    };
    // moov is written twice: once to learn its size (the chunk offset points past it)
    let moov = |chunk_offset: u32| {
        let mut b = Boxes::new();
        b.child(b"moov", |b| {
            b.child(b"mvhd", |b| {
                b.full(0, 0).u32(0).u32(0).u32(1000).u32(movie_ms).u32(0x0001_0000).u16(0x0100).u16(0);
                b.u32(0).u32(0).matrix();
                for _ in 0..6 {
                    b.u32(0);
                }
                b.u32(2);
            });
            b.child(b"trak", |b| {
                b.child(b"tkhd", |b| {
                    b.full(0, 3).u32(0).u32(0).u32(1).u32(0).u32(movie_ms).u32(0).u32(0);
                    b.u16(0).u16(0).u16(0).u16(0).matrix().u32(s.width << 16).u32(s.height << 16);
                });
                b.child(b"mdia", |b| {
                    b.child(b"mdhd", |b| {
                        // language "und" packed as three 5-bit letters
                        b.full(0, 0).u32(0).u32(0).u32(timescale).u32(media_duration).u16(0x55c4).u16(0);
                    });
                    b.child(b"hdlr", |b| {
                        b.full(0, 0).u32(0).bytes(b"vide").u32(0).u32(0).u32(0).bytes(b"sinew video\0");
                    });
                    b.child(b"minf", |b| {
                        b.child(b"vmhd", |b| {
                            b.full(0, 1).u16(0).u16(0).u16(0).u16(0);
                        });
                        b.child(b"dinf", |b| {
                            b.child(b"dref", |b| {
                                b.full(0, 0).u32(1).child(b"url ", |b| {
                                    b.full(0, 1);
                                });
                            });
                        });
                        b.child(b"stbl", |b| stbl(b, s, delta, chunk_offset));
                    });
                });
            });
        });
        b.0
    };
    let moov_len = moov(0).len();
    let mdat_header = 8usize;
    let offset = ftyp.len() + moov_len + mdat_header;
    let total = offset + s.data.len();
    if total > u32::MAX as usize {
        return Err(Error::Config(format!("video of {total} bytes: over the 4 GiB this writer supports")));
    }
    let mut out = ftyp;
    out.extend(moov(offset as u32));
    out.extend_from_slice(&((mdat_header + s.data.len()) as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend_from_slice(s.data);
    Ok(out)
}

/// The sample table: description (avc1 + avcC), timing, sync samples, sizes, one chunk.
fn stbl(b: &mut Boxes, s: &Stream, delta: u32, chunk_offset: u32) {
    let n = s.sizes.len() as u32;
    b.child(b"stsd", |b| {
        b.full(0, 0).u32(1).child(b"avc1", |b| {
            b.bytes(&[0; 6]).u16(1); // reserved, data reference index
            b.bytes(&[0; 16]).u16(s.width as u16).u16(s.height as u16);
            b.u32(0x0048_0000).u32(0x0048_0000).u32(0).u16(1);
            let mut name = [0u8; 32];
            let label = b"sinew";
            name[0] = label.len() as u8;
            name[1..1 + label.len()].copy_from_slice(label);
            b.bytes(&name).u16(0x18).u16(0xffff);
            b.child(b"avcC", |b| {
                b.u8(1).u8(s.sps[1]).u8(s.sps[2]).u8(s.sps[3]).u8(0xff).u8(0xe1);
                b.u16(s.sps.len() as u16).bytes(s.sps).u8(1).u16(s.pps.len() as u16).bytes(s.pps);
            });
        });
    });
    b.child(b"stts", |b| {
        b.full(0, 0).u32(1).u32(n).u32(delta);
    });
    if s.sync.len() < s.sizes.len() {
        b.child(b"stss", |b| {
            b.full(0, 0).u32(s.sync.len() as u32);
            for k in s.sync {
                b.u32(*k);
            }
        });
    }
    b.child(b"stsc", |b| {
        b.full(0, 0).u32(1).u32(1).u32(n).u32(1);
    });
    b.child(b"stsz", |b| {
        b.full(0, 0).u32(0).u32(n);
        for z in s.sizes {
            b.u32(*z);
        }
    });
    b.child(b"stco", |b| {
        b.full(0, 0).u32(1).u32(chunk_offset);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_b_splits_on_three_and_four_byte_start_codes() {
        let s = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5];
        let units = annex_b_units(&s);
        assert_eq!(units, vec![&[0x67, 1, 2][..], &[0x68, 3][..], &[0x65, 4, 5][..]]);
    }
}
