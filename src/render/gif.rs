//! Animated GIF of rendered frames: what TensorBoard plays in an image summary (training videos),
//! at a reduced size so event files stay small. Frames are quantised and written as they come.

use super::image::Image;
use crate::error::{Error, Result};

/// A looping GIF being written in memory.
pub struct GifWriter {
    encoder: gif::Encoder<Vec<u8>>,
    width: u32,
    height: u32,
    shrink: u32,
    delay: u16,
}

fn err(e: gif::EncodingError) -> Error {
    Error::Config(format!("GIF: {e}"))
}

impl GifWriter {
    /// A GIF of frames `width` × `height` (the source size) shown `delay_s` apart, each
    /// downscaled by `shrink` (1 keeps the size; 2 halves it, averaging 2 × 2 pixels).
    pub fn new(width: u32, height: u32, delay_s: f64, shrink: u32) -> Result<Self> {
        let shrink = shrink.max(1);
        let (w, h) = (width / shrink, height / shrink);
        if w == 0 || h == 0 || w > u16::MAX as u32 || h > u16::MAX as u32 {
            return Err(Error::Config(format!("GIF of {w}×{h} pixels")));
        }
        let mut encoder = gif::Encoder::new(Vec::new(), w as u16, h as u16, &[]).map_err(err)?;
        encoder.set_repeat(gif::Repeat::Infinite).map_err(err)?;
        // GIF delays are in hundredths of a second (browsers treat < 2 as 10)
        let delay = (delay_s * 100.0).round().clamp(2.0, 65535.0) as u16;
        Ok(GifWriter { encoder, width, height, shrink, delay })
    }

    /// The GIF's size (after downscaling).
    pub fn size(&self) -> (u32, u32) {
        (self.width / self.shrink, self.height / self.shrink)
    }

    /// Add a frame (of the size given to [`GifWriter::new`]).
    pub fn push(&mut self, f: &Image) -> Result<()> {
        if f.width != self.width || f.height != self.height {
            return Err(Error::Config(format!(
                "GIF frame of {}×{}, expected {}×{}",
                f.width, f.height, self.width, self.height
            )));
        }
        let (w, h) = self.size();
        let small = downscale(f, self.shrink);
        let mut frame = gif::Frame::from_rgb_speed(w as u16, h as u16, &small, 10);
        frame.delay = self.delay;
        self.encoder.write_frame(&frame).map_err(err)
    }

    /// The GIF file's bytes.
    pub fn finish(self) -> Result<Vec<u8>> {
        self.encoder.into_inner().map_err(|e| Error::Config(format!("GIF: {e}")))
    }
}

/// Average `k` × `k` blocks (the frame's size rounded down to whole blocks).
fn downscale(f: &Image, k: u32) -> Vec<u8> {
    if k == 1 {
        return f.rgb.clone();
    }
    let (w, h) = (f.width / k, f.height / k);
    let mut out = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 3];
            for dy in 0..k {
                for dx in 0..k {
                    let p = f.pixel(x * k + dx, y * k + dy);
                    for c in 0..3 {
                        sum[c] += p[c] as u32;
                    }
                }
            }
            out.extend(sum.map(|s| (s / (k * k)) as u8));
        }
    }
    out
}
