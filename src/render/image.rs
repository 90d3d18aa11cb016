//! [`Image`]: one rendered frame on the host, and PNG output.

use std::path::Path;

use crate::error::{Error, Result};

/// An 8-bit sRGB frame, rows top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// (height × width × 3) RGB.
    pub rgb: Vec<u8>,
}

impl Image {
    /// The RGB of pixel (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = 3 * (y as usize * self.width as usize + x as usize);
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// The frame as PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut bytes, self.width, self.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
            let mut w = enc.write_header().map_err(|e| Error::Config(format!("PNG: {e}")))?;
            w.write_image_data(&self.rgb).map_err(|e| Error::Config(format!("PNG: {e}")))?;
        }
        Ok(bytes)
    }

    /// Write the frame as a PNG file (atomically: a failed write leaves no partial file).
    pub fn save_png(&self, path: &Path) -> Result<()> {
        crate::atomic_file::write_atomic(path, &self.png()?)
    }
}
