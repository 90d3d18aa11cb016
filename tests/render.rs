//! The renderer on lavapipe: geoms land where the camera model projects them, in their colours;
//! MP4s parse back (an independent demuxer, then OpenH264's decoder); replaying a rollout draws
//! the same frames as drawing it live.

mod common;

use sinew::gpu::GpuContext;
use sinew::model::Model;
use sinew::render::drive;
use sinew::render::video::VideoWriter;
use sinew::render::{CameraMode, CameraSpec, Image, RenderOptions};
use sinew::sim::rollout::{InitState, rollout};

fn model(rel: &str) -> Model {
    sinew::mjcf::load_model(&common::root().join(rel)).unwrap()
}

fn known_geoms() -> Model {
    model("tests/fixtures/render/known_geoms.xml")
}

/// A fixed camera on the holder's start, level, looking along +y.
fn front_camera() -> CameraSpec {
    CameraSpec {
        mode: CameraMode::Fixed { lookat: [0.0, 0.0, 1.0] },
        distance: 3.0,
        azimuth_deg: 90.0,
        elevation_deg: 0.0,
        fovy_deg: 45.0,
    }
}

/// Frames of `m` at rest (zero controls) drawn after each of `steps` steps.
fn frames_at_rest(ctx: &GpuContext, m: &Model, steps: usize, opts: RenderOptions) -> Vec<Image> {
    let mut frames = Vec::new();
    let ctrl = vec![0.0; steps * m.nu];
    drive::open_loop(ctx, m, 1, steps, &InitState::rest(m, 1), &ctrl, 1, opts, |img| {
        frames.push(img);
        Ok(())
    })
    .unwrap();
    frames
}

#[test]
fn material_and_rgba_resolve_as_mujoco_does() {
    let m = known_geoms();
    let rgba = |name: &str| m.geom_rgba[m.geom_name.iter().position(|g| g == name).unwrap()];
    assert_eq!(rgba("red_sphere"), [0.9, 0.1, 0.1, 1.0]);
    assert_eq!(
        rgba("green_box"),
        [0.1, 0.9, 0.1, 1.0],
        "the material's colour where rgba is left at the default"
    );
    assert_eq!(m.geom_group[m.geom_name.iter().position(|g| g == "hidden").unwrap()], 3);
    let missing = sinew::mjcf::load_model_str(
        r#"<mujoco><worldbody><geom size="0.1" material="nope"/></worldbody></mujoco>"#,
        std::path::Path::new("missing_material.xml"),
    );
    let err = missing.unwrap_err().to_string();
    assert!(err.contains("material 'nope'"), "{err}");
}

#[test]
fn geoms_appear_at_their_projected_pixels_in_their_colours() {
    let ctx = GpuContext::new().unwrap();
    let m = known_geoms();
    let (w, h) = (320, 240);
    let opts = RenderOptions { width: w, height: h, camera: front_camera(), ..Default::default() };
    // the slide joint has no gravity component along x: the holder stays where it starts
    let frame = frames_at_rest(&ctx, &m, 1, opts).pop().unwrap();
    let cam = front_camera();
    let target = [0.0, 0.0, 1.0];
    let dominant = |p: [u8; 3]| -> usize {
        let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
        if r > g + 60 && r > b + 60 {
            0
        } else if g > r + 60 && g > b + 60 {
            1
        } else if b > r + 60 && b > g + 60 {
            2
        } else {
            3
        }
    };
    for (name, centre, channel) in [
        ("red_sphere", [0.0, 0.0, 1.0], 0),
        ("green_box", [0.6, 0.0, 1.0], 1),
        ("blue_capsule", [-0.6, 0.0, 1.0], 2),
    ] {
        let (x, y) = cam.project(target, centre, w, h).unwrap();
        let p = frame.pixel(x as u32, y as u32);
        assert_eq!(dominant(p), channel, "{name}: pixel ({x:.0}, {y:.0}) is {p:?}");
    }
    // the hidden group-3 geom would cover this point; it shows sky, as do the corners
    let (x, y) = cam.project(target, [0.0, 0.0, 1.5], w, h).unwrap();
    for (px, py) in [(x as u32, y as u32), (2, 2), (w - 3, 2)] {
        let p = frame.pixel(px, py);
        assert_eq!(dominant(p), 3, "({px}, {py}) should be sky, is {p:?}");
        assert!(p[2] > p[0], "sky is bluish above the horizon: {p:?} at ({px}, {py})");
    }
    // a tracking camera looking down from elsewhere still has the holder's origin (the sphere)
    // at the centre
    let tracking = RenderOptions {
        width: w,
        height: h,
        camera: CameraSpec { mode: CameraMode::Track { body: 1 }, elevation_deg: -40.0, ..front_camera() },
        ..Default::default()
    };
    let frame = frames_at_rest(&ctx, &m, 1, tracking).pop().unwrap();
    assert_eq!(dominant(frame.pixel(w / 2, h / 2)), 0, "the tracked body's sphere is at the centre");
    ctx.quiesce();
}

#[test]
fn replaying_a_rollout_draws_the_frames_drawn_live() {
    let ctx = GpuContext::new().unwrap();
    let m = model("assets/elbow_pose.xml");
    let (steps, every) = (24, 4);
    // a flexor burst then an extensor one: the forearm and the tendon colours change
    let ctrl: Vec<f32> =
        (0..steps).flat_map(|t| if t < 12 { [1.0, 0.8, 0.0, 0.0] } else { [0.0, 0.0, 1.0, 0.9] }).collect();
    let opts = RenderOptions {
        width: 96,
        height: 64,
        camera: CameraSpec { distance: 1.2, ..front_camera() },
        ..Default::default()
    };
    let init = InitState::rest(&m, 1);
    let mut live = Vec::new();
    drive::open_loop(&ctx, &m, 1, steps, &init, &ctrl, every, opts.clone(), |img| {
        live.push(img);
        Ok(())
    })
    .unwrap();
    let t = rollout(&ctx, &m, 1, steps, &init, &ctrl).unwrap();
    let mut replayed = Vec::new();
    drive::replay(&ctx, &m, 1, &t.qpos, Some(&t.act), every, opts, |img| {
        replayed.push(img);
        Ok(())
    })
    .unwrap();
    assert_eq!(live.len(), steps / every);
    assert_eq!(live.len(), replayed.len());
    for (k, (a, b)) in live.iter().zip(&replayed).enumerate() {
        assert!(a == b, "frame {k}: the replay differs from the live render");
    }
    assert!(live.first() != live.last(), "the arm moved: the frames must differ");
    ctx.quiesce();
}

#[test]
fn mp4_parses_back_with_an_independent_demuxer_and_decoder() {
    let ctx = GpuContext::new().unwrap();
    let m = model("assets/elbow_pose.xml");
    let (w, h, n) = (128u32, 96u32, 6usize);
    let opts = RenderOptions {
        width: w,
        height: h,
        camera: CameraSpec { distance: 1.2, ..front_camera() },
        ..Default::default()
    };
    let frames = frames_at_rest(&ctx, &m, n, opts);
    let dir = std::env::temp_dir().join(format!("sinew-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("arm.mp4");
    let mut video = VideoWriter::create(&path, w, h, 50.0).unwrap();
    for f in &frames {
        video.push(f).unwrap();
    }
    let summary = video.finish().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(summary.bytes, bytes.len() as u64);
    // fast start: the index comes before the media data
    let find = |tag: &[u8]| bytes.windows(4).position(|w| w == tag).unwrap();
    assert!(find(b"moov") < find(b"mdat"), "moov must precede mdat");
    let size = bytes.len() as u64;
    let mut reader = mp4::Mp4Reader::read_header(std::io::Cursor::new(bytes), size).unwrap();
    let (id, track) = reader.tracks().iter().next().map(|(id, t)| (*id, t)).unwrap();
    assert_eq!(reader.tracks().len(), 1);
    assert_eq!((track.width() as u32, track.height() as u32), (w, h));
    assert_eq!(track.sample_count() as usize, n);
    assert!((track.duration().as_secs_f64() - n as f64 / 50.0).abs() < 1e-3, "{:?}", track.duration());
    assert!((track.frame_rate() - 50.0).abs() < 1e-6, "{}", track.frame_rate());
    let sps = track.sequence_parameter_set().unwrap().to_vec();
    let pps = track.picture_parameter_set().unwrap().to_vec();
    let mut decoder = openh264::decoder::Decoder::new().unwrap();
    let mut decoded = 0;
    for s in 1..=n as u32 {
        let sample = reader.read_sample(id, s).unwrap().unwrap();
        if s == 1 {
            assert!(sample.is_sync, "the first sample is a key frame");
        }
        // length-prefixed NAL units back to an Annex B stream, parameter sets first
        let mut annex_b = Vec::new();
        if s == 1 {
            for ps in [&sps, &pps] {
                annex_b.extend_from_slice(&[0, 0, 0, 1]);
                annex_b.extend_from_slice(ps);
            }
        }
        let mut rest = &sample.bytes[..];
        while rest.len() >= 4 {
            let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            annex_b.extend_from_slice(&[0, 0, 0, 1]);
            annex_b.extend_from_slice(&rest[4..4 + len]);
            rest = &rest[4 + len..];
        }
        assert!(rest.is_empty(), "sample {s}: trailing bytes after its NAL units");
        if let Some(yuv) = decoder.decode(&annex_b).unwrap() {
            use openh264::formats::YUVSource;
            assert_eq!(yuv.dimensions(), (w as usize, h as usize));
            let mut rgb = vec![0u8; (w * h * 3) as usize];
            yuv.write_rgb8(&mut rgb);
            let src = &frames[s as usize - 1].rgb;
            let err: f64 = rgb.iter().zip(src).map(|(a, b)| (*a as f64 - *b as f64).abs()).sum::<f64>()
                / rgb.len() as f64;
            assert!(
                err < 8.0,
                "sample {s}: decoded picture is {err:.1} levels from the rendered frame on average"
            );
            decoded += 1;
        }
    }
    assert!(decoded >= n - 1, "decoded {decoded} of {n} samples");
    std::fs::remove_dir_all(&dir).ok();
    ctx.quiesce();
}

#[test]
fn a_world_past_the_first_tile_draws_its_own_state() {
    // every world slid by its own offset; world 37 (the second tile of the state layout) must
    // draw exactly as a lone world at that offset
    let ctx = GpuContext::new().unwrap();
    let m = known_geoms();
    let nworld = 40;
    let opts = RenderOptions {
        width: 96,
        height: 64,
        camera: front_camera(),
        worlds: vec![37],
        ..Default::default()
    };
    let mut init = InitState::rest(&m, nworld);
    init.qpos = (0..nworld).map(|w| 0.01 * w as f32).collect();
    let mut many = drive::OpenLoop::new(&ctx, &m, nworld, init, Vec::new(), opts.clone()).unwrap();
    many.step(&ctx, 2).unwrap();
    let far = many.renderer().frame(&ctx).unwrap();
    let mut lone_init = InitState::rest(&m, 1);
    lone_init.qpos = vec![0.37];
    let mut lone =
        drive::OpenLoop::new(&ctx, &m, 1, lone_init, Vec::new(), RenderOptions { worlds: vec![0], ..opts })
            .unwrap();
    lone.step(&ctx, 2).unwrap();
    let want = lone.renderer().frame(&ctx).unwrap();
    assert!(far == want, "world 37 does not draw its own state");
    many.renderer().set_worlds(&ctx, &[0]).unwrap();
    assert!(many.renderer().frame(&ctx).unwrap() != want, "world 0 stands elsewhere");
    assert!(many.renderer().set_worlds(&ctx, &[40]).is_err(), "a world that does not exist is refused");
    ctx.quiesce();
}

/// Arrows along the contact forces: a stool standing on a floor, drawn with contacts on, shows
/// yellow arrows (its feet carry its weight) when the simulation computes contact forces, and
/// none when the same states are replayed (kinematics only: contact points, no forces).
#[test]
fn contact_force_arrows_show_where_forces_are_simulated() {
    let dir = std::env::temp_dir().join(format!("sinew_render_stool_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stool.xml");
    std::fs::write(
        &path,
        r#"<mujoco model="stool"><worldbody>
          <geom name="floor" type="plane" size="5 5 0.1" rgba="0.3 0.3 0.35 1"/>
          <body name="seat" pos="0 0 0.32"><freejoint/>
            <geom type="box" size="0.2 0.1 0.03" mass="7" rgba="0.3 0.4 0.6 1"/>
            <body name="left_foot" pos="-0.12 0 -0.25"><geom type="box" size="0.04 0.04 0.05" mass="1" rgba="0.3 0.4 0.6 1"/></body>
            <body name="right_foot" pos="0.12 0 -0.25"><geom type="box" size="0.04 0.04 0.05" mass="1" rgba="0.3 0.4 0.6 1"/></body>
          </body></worldbody></mujoco>"#,
    )
    .unwrap();
    let m = sinew::mjcf::load_model(&path).unwrap();
    let ctx = GpuContext::new().unwrap();
    let opts = RenderOptions {
        width: 160,
        height: 120,
        camera: CameraSpec {
            mode: CameraMode::Fixed { lookat: [0.0, 0.0, 0.3] },
            distance: 1.6,
            azimuth_deg: 90.0,
            elevation_deg: 10.0,
            fovy_deg: 45.0,
        },
        contacts: true,
        ..Default::default()
    };
    let steps = 200;
    let live = frames_at_rest(&ctx, &m, steps, opts.clone());
    let t = rollout(&ctx, &m, 1, steps, &InitState::rest(&m, 1), &[]).unwrap();
    let mut replayed = Vec::new();
    drive::replay(&ctx, &m, 1, &t.qpos, None, steps, opts, |img| {
        replayed.push(img);
        Ok(())
    })
    .unwrap();
    let yellow = |img: &Image| img.rgb.chunks(3).filter(|p| p[0] > 220 && p[1] > 200 && p[2] < 150).count();
    let (with, without) = (yellow(live.last().unwrap()), yellow(replayed.last().unwrap()));
    println!("force arrows: {with} yellow pixels live, {without} replayed");
    assert!(with > 40, "the feet's force arrows cover {with} pixels");
    assert_eq!(without, 0, "a replay has no forces, so no arrows");
    std::fs::remove_dir_all(&dir).ok();
    ctx.quiesce();
}
