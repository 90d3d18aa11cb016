//! Animated GIF of rendered frames: what TensorBoard plays in an image summary (training videos),
//! at a reduced size so event files stay small.

use super::image::Image;
use crate::error::{Error, Result};

/// GIF bytes of `frames` shown `delay_s` apart, looping, each downscaled by `shrink` (1 keeps
/// the size; 2 halves it by averaging 2 × 2 pixels).
pub fn encode(frames: &[Image], delay_s: f64, shrink: u32) -> Result<Vec<u8>> {
    let first = frames.first().ok_or_else(|| Error::Config("GIF without frames".into()))?;
    let shrink = shrink.max(1);
    let (w, h) = (first.width / shrink, first.height / shrink);
    if w == 0 || h == 0 || w > u16::MAX as u32 || h > u16::MAX as u32 {
        return Err(Error::Config(format!("GIF of {w}×{h} pixels")));
    }
    let err = |e: gif::EncodingError| Error::Config(format!("GIF: {e}"));
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, w as u16, h as u16, &[]).map_err(err)?;
        enc.set_repeat(gif::Repeat::Infinite).map_err(err)?;
        // GIF delays are in hundredths of a second
        let delay = (delay_s * 100.0).round().clamp(2.0, 65535.0) as u16;
        for f in frames {
            if f.width != first.width || f.height != first.height {
                return Err(Error::Config("GIF frames of different sizes".into()));
            }
            let small = downscale(f, shrink);
            let mut frame = gif::Frame::from_rgb_speed(w as u16, h as u16, &small, 10);
            frame.delay = delay;
            enc.write_frame(&frame).map_err(err)?;
        }
    }
    Ok(out)
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
