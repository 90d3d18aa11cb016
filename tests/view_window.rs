//! `sinew view` opens a window (under Xvfb when no display is set: `.ci/run` installs it), draws
//! through the window's surface, and its screenshot shows the model: the same picture the
//! offscreen renderer draws of the same state.

mod common;

use std::process::{Child, Command, Stdio};

use sinew::gpu::GpuContext;
use sinew::render::{CameraMode, CameraSpec, Image, RenderOptions, drive};
use sinew::sim::rollout::InitState;

/// An X server for the test: the session's display, or a private Xvfb (killed on drop).
struct Display {
    name: String,
    server: Option<Child>,
}

impl Display {
    fn open() -> Display {
        if let Ok(d) = std::env::var("DISPLAY")
            && !d.is_empty()
        {
            return Display { name: d, server: None };
        }
        let name = format!(":{}", 90 + std::process::id() % 100);
        let server = Command::new("Xvfb")
            .args([name.as_str(), "-screen", "0", "800x600x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("no DISPLAY and cannot start Xvfb ({e}): apt-get install xvfb"));
        std::thread::sleep(std::time::Duration::from_millis(1500));
        Display { name, server: Some(server) }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(s) = &mut self.server {
            let _ = s.kill();
            let _ = s.wait();
        }
    }
}

fn read_png(path: &std::path::Path) -> Image {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    Image { width: info.width, height: info.height, rgb: buf[..info.buffer_size()].to_vec() }
}

#[test]
fn the_viewer_opens_a_window_and_its_screenshot_shows_the_model() {
    let display = Display::open();
    let dir = std::env::temp_dir().join(format!("sinew-view-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join("shot.png");
    let (w, h, frames) = (160u32, 120u32, 5usize);
    let camera = ["--lookat", "0,0,0.9", "--distance", "1.2", "--azimuth", "90", "--elevation", "0"];
    let mut args =
        vec!["view", "assets/elbow_pose.xml", "--width", "160", "--height", "120", "--frames", "5"];
    args.extend(camera);
    let out = Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(&args)
        .arg("--screenshot")
        .arg(&shot)
        .env("DISPLAY", &display.name)
        .current_dir(common::root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = read_png(&shot);
    assert_eq!((got.width, got.height), (w, h), "the window keeps the size asked for");

    // the same state drawn offscreen: 5 frames of round(200 Hz / 60) = 3 steps each
    let ctx = GpuContext::new().unwrap();
    let m = sinew::mjcf::load_model(&common::root().join("assets/elbow_pose.xml")).unwrap();
    let steps = frames * 3;
    let opts = RenderOptions {
        width: w,
        height: h,
        camera: CameraSpec {
            mode: CameraMode::Fixed { lookat: [0.0, 0.0, 0.9] },
            distance: 1.2,
            azimuth_deg: 90.0,
            elevation_deg: 0.0,
            ..CameraSpec::default()
        },
        ..Default::default()
    };
    let mut want = None;
    drive::open_loop(
        &ctx,
        &m,
        1,
        steps,
        &InitState::rest(&m, 1),
        &vec![0.0; steps * m.nu],
        steps,
        opts,
        |img| {
            want = Some(img);
            Ok(())
        },
    )
    .unwrap();
    let want = want.unwrap();
    let diff: f64 = got.rgb.iter().zip(&want.rgb).map(|(a, b)| (*a as f64 - *b as f64).abs()).sum::<f64>()
        / got.rgb.len() as f64;
    assert!(diff < 1.0, "the window's frame differs from the offscreen frame by {diff:.2} levels on average");
    // and it is not an empty picture: the arm's pixels differ from the sky's
    let arm = got.pixel(w / 2, h / 2);
    let sky = got.pixel(2, 2);
    assert!(
        arm.iter().zip(sky).map(|(a, b)| (*a as i32 - b as i32).abs()).sum::<i32>() > 60,
        "arm {arm:?} sky {sky:?}"
    );
    ctx.quiesce();
    std::fs::remove_dir_all(&dir).ok();
}
