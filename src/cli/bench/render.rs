//! `sinew bench MODEL --render` and the suite's render part: frames per second of the renderer
//! on one world of a model at a frame size, time-boxed: drawing alone (frames submitted together,
//! nothing read back), drawing and reading each frame back (what a video needs), and that plus
//! H.264 encoding on the host (what `sinew render` and `train.video_every` pay per frame).

use indicatif::ProgressBar;
use sinew::gpu::GpuContext;
use sinew::render::drive::OpenLoop;
use sinew::render::video::VideoWriter;
use sinew::render::{CameraSpec, RenderOptions};
use sinew::sim::rollout::InitState;
use sinew::{Error, Result};

use super::timing::time_box;

/// One model's rendering figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RenderFigures {
    /// The model.
    pub model: String,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Geom triangles drawn per frame (tendon ribbons not counted).
    pub triangles: usize,
    /// Frames/s drawing only (frames submitted in batches, nothing read back).
    pub draw_frames_per_s: f64,
    /// Frames/s drawing and reading each frame back to the host.
    pub readback_frames_per_s: f64,
    /// Frames/s drawing, reading back and H.264-encoding each frame (one encoder thread).
    pub video_frames_per_s: f64,
}

/// Measure `model` (an MJCF path or short name) at `width` × `height`, each of the three for
/// `seconds`.
pub fn measure(
    ctx: &GpuContext,
    model: &str,
    width: u32,
    height: u32,
    seconds: f64,
    bar: &ProgressBar,
) -> Result<RenderFigures> {
    let m = sinew::mjcf::load_model(&sinew::models::resolve(model)?)?;
    let opts = RenderOptions { width, height, camera: CameraSpec::default(), ..Default::default() };
    let mut live = OpenLoop::new(ctx, &m, 1, InitState::rest(&m, 1), vec![0.0; m.nu], opts)?;
    live.step(ctx, 1)?;
    let r = live.renderer();
    r.draw(ctx, 1)?;
    let draw = time_box(seconds, 64, bar, |n| r.draw(ctx, n))?;
    let readback = time_box(seconds, 64, bar, |n| {
        for _ in 0..n {
            r.frame(ctx)?;
        }
        Ok(())
    })?;
    let dir = std::env::temp_dir().join(format!("sinew-bench-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut video = VideoWriter::create(&dir.join("bench.mp4"), width, height, 30.0)?;
    let encoded = time_box(seconds, 64, bar, |n| {
        for _ in 0..n {
            video.push(&r.frame(ctx)?)?;
        }
        Ok(())
    })?;
    drop(video);
    std::fs::remove_dir_all(&dir).ok();
    Ok(RenderFigures {
        model: model.to_string(),
        width,
        height,
        triangles: r.triangles(),
        draw_frames_per_s: 1.0 / draw.per_step(),
        readback_frames_per_s: 1.0 / readback.per_step(),
        video_frames_per_s: 1.0 / encoded.per_step(),
    })
}

/// The figures as a table.
pub fn print(rows: &[RenderFigures], adapter: &str) {
    println!("rendering on {adapter} (one world; frames/s)");
    println!(
        "{:<16} {:>9} {:>10} {:>10} {:>10} {:>10}",
        "model", "size", "triangles", "draw", "+readback", "+H.264"
    );
    for r in rows {
        println!(
            "{:<16} {:>9} {:>10} {:>10.1} {:>10.1} {:>10.1}",
            r.model,
            format!("{}x{}", r.width, r.height),
            r.triangles,
            r.draw_frames_per_s,
            r.readback_frames_per_s,
            r.video_frames_per_s
        );
    }
}
