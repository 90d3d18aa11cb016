//! PNG plots of a training run's metrics CSV: one panel per metric against `env_steps`.
//!
//! Text: plotters draws text through a font backend that either looks up system fonts (`ttf`,
//! via font-kit and fontconfig) or needs a TrueType file registered at run time (`ab_glyph`);
//! CI machines have no fonts guaranteed, and shipping a TTF means a binary asset with its own
//! licence. Instead the bitmap backend is wrapped in `Glyph8`, which draws every label itself
//! from the public-domain 8×8 bitmap font in the `font8x8` crate (ASCII), scaled by a whole factor:
//! no font files, no system lookups, the same pixels on every machine; the text is blocky but
//! readable. The pixels are then encoded with the `png` crate (plotters' own encoder would pull
//! in `image`).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

use crate::atomic_file::write_atomic;
use crate::error::{Error, Result};

/// The metrics plotted, in panel order: (CSV column, panel title).
const PANELS: [(&str, &str); 8] = [
    ("mean_return", "mean return"),
    ("mean_episode_length", "mean episode length"),
    ("termination_rate", "termination rate"),
    ("success_rate", "success rate"),
    ("env_steps_per_s", "env steps / s"),
    ("policy_loss", "policy loss"),
    ("value_loss", "value loss"),
    ("approx_kl", "approx KL"),
];

/// Image size in pixels.
const SIZE: (u32, u32) = (1500, 1000);

/// Plots the metrics in `csv` (header line of comma-separated column names, then one row per
/// update; needs `env_steps`) to the PNG `out` (1500×1000, written atomically): one panel for each
/// of mean_return, mean_episode_length, termination_rate, success_rate, env_steps_per_s,
/// policy_loss, value_loss and approx_kl that is present with at least one number. Empty, NaN and
/// infinite cells are skipped; a row with a different number of cells than the header (e.g. cut
/// short by a crash) or a cell that is not a number is an error naming its line.
pub fn plot_metrics(csv: &Path, out: &Path) -> Result<()> {
    let text = std::fs::read_to_string(csv).map_err(|e| Error::io(csv, e))?;
    let series = read_series(&text).map_err(|msg| Error::Config(format!("{}: {msg}", csv.display())))?;
    let mut rgb = vec![255u8; (SIZE.0 * SIZE.1 * 3) as usize];
    draw(&mut rgb, &series)
        .map_err(|e| Error::Config(format!("{}: drawing the plot: {e}", out.display())))?;
    let png = encode_png_sized(&rgb, SIZE)
        .map_err(|e| Error::Config(format!("{}: PNG encoding: {e}", out.display())))?;
    write_atomic(out, &png)
}

/// A panel's title and its points `(env_steps, value)`, sorted by env_steps.
type Series = (&'static str, Vec<(f64, f64)>);

fn read_series(text: &str) -> std::result::Result<Vec<Series>, String> {
    // (1-based line number, line), blank lines dropped
    let mut lines =
        text.trim_start_matches('\u{feff}').lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let header: Vec<&str> =
        lines.next().ok_or("empty file, expected a header line")?.1.split(',').map(str::trim).collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let x_col =
        col("env_steps").ok_or_else(|| format!("no env_steps column (header: {})", header.join(",")))?;
    let mut series: Vec<(usize, Series)> =
        PANELS.iter().filter_map(|(name, title)| Some((col(name)?, (*title, Vec::new())))).collect();
    let mut rows = 0;
    for (index, line) in lines {
        rows += 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != header.len() {
            return Err(format!(
                "line {}: {} cells where the header has {} (a row cut short or garbage)",
                index + 1,
                cells.len(),
                header.len()
            ));
        }
        let mut values = Vec::with_capacity(cells.len());
        for (cell, name) in cells.iter().zip(&header) {
            let v = match *cell {
                "" => None,
                c => Some(
                    c.parse::<f64>()
                        .map_err(|_| format!("line {}: column {name}: '{c}' is not a number", index + 1))?,
                ),
            };
            values.push(v.filter(|v| v.is_finite()));
        }
        let Some(x) = values[x_col] else { continue };
        for (c, (_, points)) in &mut series {
            if let Some(y) = values[*c] {
                points.push((x, y));
            }
        }
    }
    if rows == 0 {
        return Err("no data rows after the header".into());
    }
    let series: Vec<Series> = series.into_iter().map(|(_, s)| s).filter(|(_, p)| !p.is_empty()).collect();
    if series.is_empty() {
        let names: Vec<&str> = PANELS.iter().map(|(n, _)| *n).collect();
        return Err(format!("no numeric values in env_steps and any of {}", names.join(", ")));
    }
    let mut series = series;
    for (_, points) in &mut series {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Ok(series)
}

/// (columns, rows) of the panel grid for `n` panels.
fn grid(n: usize) -> (usize, usize) {
    // Wide panels suit curves over training time.
    match n {
        0..=2 => (1, n.max(1)),
        3..=4 => (2, 2),
        5..=6 => (3, 2),
        _ => (3, n.div_ceil(3)),
    }
}

type DrawResult =
    std::result::Result<(), DrawingAreaErrorKind<<Glyph8<'static> as DrawingBackend>::ErrorType>>;

fn draw(rgb: &mut [u8], series: &[Series]) -> DrawResult {
    let root = Glyph8(BitMapBackend::with_buffer(rgb, SIZE)).into_drawing_area();
    root.fill(&WHITE)?;
    let (cols, rows) = grid(series.len());
    let areas = root.margin(10, 10, 10, 10).split_evenly((rows, cols));
    for (i, ((title, points), area)) in series.iter().zip(&areas).enumerate() {
        panel(area, title, points, Palette99::pick(i).to_rgba())?;
    }
    root.present()
}

fn panel(
    area: &DrawingArea<Glyph8<'_>, Shift>,
    title: &str,
    points: &[(f64, f64)],
    color: RGBAColor,
) -> DrawResult {
    let (x0, x1) = padded(points.iter().map(|p| p.0), 0.0);
    let (y0, y1) = padded(points.iter().map(|p| p.1), 0.05);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 24))
        .margin(8)
        .x_label_area_size(48)
        .y_label_area_size(124)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(6)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .label_style(("sans-serif", 16))
        .x_desc("env steps")
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    chart.draw_series(LineSeries::new(points.iter().copied(), Color::stroke_width(&color, 2)))?;
    // A handful of points (an early run) would be hard to see as a line alone.
    if points.len() <= 30 {
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 4, color.filled())))?;
    }
    Ok(())
}

/// The range of `values` widened by `pad` of its span on each side, and never empty.
pub(crate) fn padded(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = hi - lo;
    if span > 0.0 {
        (lo - pad * span, hi + pad * span)
    } else {
        let half = (lo.abs() * 0.1).max(1e-3);
        (lo - half, hi + half)
    }
}

/// A short tick label: 1.5M, 250k, 0.012, 1.2e-5.
pub(crate) fn tick(v: f64) -> String {
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    };
    if a == 0.0 {
        "0".into()
    } else if a >= 1e9 {
        format!("{}G", trim(format!("{:.2}", v / 1e9)))
    } else if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else if a >= 1e-3 {
        // Three significant digits.
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        trim(format!("{v:.decimals$}"))
    } else {
        format!("{v:.1e}")
    }
}

/// `rgb` (size.0 × size.1 pixels, 8-bit RGB) as PNG bytes.
pub(crate) fn encode_png_sized(
    rgb: &[u8],
    size: (u32, u32),
) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, size.0, size.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}

/// The bitmap backend, with text drawn from the 8×8 bitmap font instead of a font backend.
pub(crate) struct Glyph8<'a>(pub(crate) BitMapBackend<'a>);

impl Glyph8<'_> {
    /// Pixels per font pixel for a requested text height: 16 px text is the 8×8 font at 2×.
    fn scale(style: &impl BackendTextStyle) -> i32 {
        ((style.size() / 8.0).round() as i32).max(1)
    }
}

impl DrawingBackend for Glyph8<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        p: BackendCoord,
        c: BackendColor,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(p, c)
    }

    // The bitmap backend's own shape drawing is faster than the pixel-by-pixel defaults.
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let s = Self::scale(style) as u32;
        Ok((8 * s * text.chars().count() as u32, 8 * s))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let s = Self::scale(style);
        let (w, h) = (8 * s * text.chars().count() as i32, 8 * s);
        // Anchor and rotation as plotters' default text drawing applies them.
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Center => -w / 2,
            HPos::Right => -w,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -h / 2,
            VPos::Bottom => -h,
        };
        let transform = style.transform();
        let fallback = font8x8::legacy::BASIC_LEGACY[b'?' as usize];
        for (i, c) in text.chars().enumerate() {
            let glyph = font8x8::legacy::BASIC_LEGACY.get(c as usize).copied().unwrap_or(fallback);
            // Row r of a glyph is byte r; bit c (least significant first) is column c.
            for (r, bits) in glyph.iter().enumerate() {
                for col in (0..8).filter(|col| bits >> col & 1 == 1) {
                    let (x, y) = (dx + (8 * i as i32 + col) * s, dy + r as i32 * s);
                    for (sx, sy) in (0..s).flat_map(|sx| (0..s).map(move |sy| (sx, sy))) {
                        let (tx, ty) = transform.transform(x + sx, y + sy);
                        self.0.draw_pixel((pos.0 + tx, pos.1 + ty), color)?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_a_small_run() {
        let dir = std::env::temp_dir().join(format!("sinew-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("metrics.csv");
        let mut text =
            String::from("update,env_steps,mean_return,success_rate,value_loss,approx_kl,entropy\n");
        for i in 0..40 {
            let steps = (i + 1) * 65536;
            let ret = 10.0 * (1.0 - (-(i as f64) / 10.0).exp());
            // success_rate empty early on, one NaN cell: both skipped.
            let success = if i < 5 { String::new() } else { format!("{:.3}", i as f64 / 40.0) };
            let kl = if i == 7 { "NaN".to_string() } else { format!("{}", 0.01 / (1.0 + i as f64)) };
            text += &format!("{i},{steps},{ret},{success},{},{kl},1.2\n", 100.0 / (1.0 + i as f64));
        }
        std::fs::write(&csv, text).unwrap();
        let png = dir.join("metrics.png");
        plot_metrics(&csv, &png).unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&bytes[12..16], b"IHDR");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((width, height), SIZE);
        // Decodes whole, and is not blank.
        let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        assert!(pixels.iter().any(|p| *p < 128));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_csv_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("sinew-plot-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("x.png");
        for (text, needle) in [
            ("env_steps,mean_return\n", "no data rows"),
            ("steps,mean_return\n1,2\n", "no env_steps column"),
            ("", "empty file"),
            ("env_steps,mean_return\n1,2\n3\n", "line 3: 1 cells where the header has 2"),
            ("env_steps,mean_return\n1,2\n2,0.5,7\n", "line 3: 3 cells"),
            ("env_steps,mean_return\n1,2\n2,x1e\n", "line 3: column mean_return: 'x1e' is not a number"),
        ] {
            let csv = dir.join("m.csv");
            std::fs::write(&csv, text).unwrap();
            let err = plot_metrics(&csv, &out).unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
        assert!(!out.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick(1_500_000.0), "1.5M");
        assert_eq!(tick(250_000.0), "250k");
        assert_eq!(tick(0.0123), "0.0123");
        assert_eq!(tick(42.0), "42");
        assert_eq!(tick(-3.5e-5), "-3.5e-5");
    }
}
