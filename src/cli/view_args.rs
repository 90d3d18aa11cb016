//! Options shared by the commands that draw worlds (`render`, `eval --video`, `view`): frame
//! size, camera, which worlds and which parts.

use clap::Args;
use sinew::model::Model;
use sinew::render::{CameraMode, CameraSpec, RenderOptions};
use sinew::{Error, Result};

/// How to draw.
#[derive(Args, Debug, Clone)]
pub struct DrawArgs {
    /// Frame width in pixels (even for video).
    #[arg(long, default_value_t = 640)]
    pub width: u32,
    /// Frame height in pixels (even for video).
    #[arg(long, default_value_t = 480)]
    pub height: u32,
    /// Worlds to draw side by side (comma separated; the first is the one a tracking camera
    /// centres).
    #[arg(long = "world", value_delimiter = ',', default_value = "0")]
    pub worlds: Vec<usize>,
    /// Body the camera follows (name; default: the first body, or the task's pelvis).
    #[arg(long, conflicts_with = "lookat")]
    pub track: Option<String>,
    /// A fixed camera looking at this point instead: x,y,z in metres.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub lookat: Option<Vec<f32>>,
    /// Camera distance (m).
    #[arg(long, default_value_t = 3.0)]
    pub distance: f32,
    /// Camera azimuth (degrees about +z; 90 looks along +y).
    #[arg(long, default_value_t = 90.0, allow_hyphen_values = true)]
    pub azimuth: f32,
    /// Camera elevation (degrees; negative looks down).
    #[arg(long, default_value_t = -15.0, allow_hyphen_values = true)]
    pub elevation: f32,
    /// Distance between worlds drawn side by side (m).
    #[arg(long, default_value_t = 1.5)]
    pub spacing: f32,
    /// Visual groups drawn (comma separated, 0–5; MuJoCo shows 0,1,2).
    #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
    pub groups: Vec<u32>,
    /// Do not draw tendons.
    #[arg(long)]
    pub no_tendons: bool,
    /// Draw tendons in the model's colour rather than by muscle activation.
    #[arg(long)]
    pub model_colours: bool,
    /// Draw sites.
    #[arg(long)]
    pub sites: bool,
    /// Draw active contact points and their force arrows (a metre per body weight; where the
    /// source simulates physics: a model or a run, not a replayed trajectory).
    #[arg(long)]
    pub contacts: bool,
    /// Imitation runs: do not draw the reference motion as a ghost beside the body.
    #[arg(long)]
    pub no_ghost: bool,
}

impl DrawArgs {
    /// The renderer options for `m`, checked; the camera tracks `default_body` unless told
    /// otherwise.
    pub fn options(&self, m: &Model, default_body: usize) -> Result<RenderOptions> {
        let mut groups = [false; 6];
        for g in &self.groups {
            if *g > 5 {
                return Err(Error::Config(format!("--groups {g}: visual groups are 0 to 5")));
            }
            groups[*g as usize] = true;
        }
        let mode = match (&self.lookat, &self.track) {
            (Some(p), _) => match p[..] {
                [x, y, z] => CameraMode::Fixed { lookat: [x, y, z] },
                _ => return Err(Error::Config(format!("--lookat {p:?}: give x,y,z"))),
            },
            (None, Some(name)) => {
                let body = m.body_name.iter().position(|b| b == name).ok_or_else(|| {
                    Error::Config(format!("--track {name}: the model has no body of that name"))
                })?;
                CameraMode::Track { body }
            }
            (None, None) => CameraMode::Track { body: default_body.min(m.nbody.saturating_sub(1)) },
        };
        Ok(RenderOptions {
            width: self.width,
            height: self.height,
            camera: CameraSpec {
                mode,
                distance: self.distance,
                azimuth_deg: self.azimuth,
                elevation_deg: self.elevation,
                ..CameraSpec::default()
            },
            worlds: self.worlds.clone(),
            spacing: self.spacing,
            groups,
            tendons: !self.no_tendons,
            activation_colours: !self.model_colours,
            sites: self.sites,
            contacts: self.contacts,
            ghost: !self.no_ghost,
            surface_format: None,
        })
    }
}
