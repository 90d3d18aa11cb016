//! `sinew biomech SOURCE`: the biomechanical report (gait cycles, ground reaction forces, joint
//! angles against normative curves, muscle activity and EMG correlation, cost of transport,
//! synergies) of a run's policy, a `sinew rollout --contact-forces` npz, or a reference motion
//! (kinematics only). Writes biomech.json, PNG figures and summary.md.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::Value;
use sinew::biomech::normative::Normative;
use sinew::biomech::recording::Recording;
use sinew::biomech::report::{Emg, Options, POINTS, report};
use sinew::gpu::GpuContext;
use sinew::model::Model;
use sinew::{Error, Result};

const DEFAULT_THRESHOLD: f64 = 20.0;
const DEFAULT_EMG_WINDOW: f64 = 10.0;
const DEFAULT_EPISODES: usize = 4;
const DEFAULT_SYNERGIES: usize = 8;

/// Arguments of `sinew biomech`.
#[derive(Args, Clone)]
pub struct BiomechArgs {
    /// A run directory or checkpoint (its deterministic policy's episodes), a trajectory npz
    /// written by `sinew rollout --contact-forces`, or a reference motion npz (qpos, fps).
    pub source: PathBuf,
    /// The model of an npz SOURCE (file or short name).
    #[arg(long)]
    pub model: Option<String>,
    /// Foot bodies, comma separated: each foot is the body and its subtree (default: the run's
    /// env.feet, else calcn_r,calcn_l where the model has them).
    #[arg(long, value_delimiter = ',')]
    pub feet: Vec<String>,
    /// Vertical ground reaction force (N) at and above which a foot is in contact.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    pub threshold: f64,
    /// EMG envelopes over the gait cycle: CSV with a header of muscle (actuator) names and one
    /// row per sample, or npz with one 1-D array per muscle; each is resampled to 101 points.
    #[arg(long)]
    pub emg: Option<PathBuf>,
    /// EMG time shifts tried, in percent of the cycle either way (KINESIS-style best shift).
    #[arg(long, default_value_t = DEFAULT_EMG_WINDOW)]
    pub emg_window: f64,
    /// Output directory (default: RUN/biomech for a run, else beside the npz as <stem>_biomech).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the JSON report.
    #[arg(long)]
    pub json: bool,
    /// Episodes of a run's policy (one world each).
    #[arg(long, default_value_t = DEFAULT_EPISODES)]
    pub episodes: usize,
    /// At most this many control steps per episode (default: the env's episode limit).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Slow-twitch fibre fraction of every muscle in the energy model.
    #[arg(long, default_value_t = sinew::biomech::energy::DEFAULT_SLOW_TWITCH)]
    pub slow_twitch: f64,
    /// Largest number of muscle synergies tried.
    #[arg(long, default_value_t = DEFAULT_SYNERGIES)]
    pub synergies: usize,
}

impl BiomechArgs {
    /// The defaults for a run (what `sinew eval --biomech` writes).
    pub fn for_run(run: &Path) -> Self {
        BiomechArgs {
            source: run.to_path_buf(),
            model: None,
            feet: Vec::new(),
            threshold: DEFAULT_THRESHOLD,
            emg: None,
            emg_window: DEFAULT_EMG_WINDOW,
            out: None,
            json: false,
            episodes: DEFAULT_EPISODES,
            steps: None,
            slow_twitch: sinew::biomech::energy::DEFAULT_SLOW_TWITCH,
            synergies: DEFAULT_SYNERGIES,
        }
    }
}

/// Run `sinew biomech`.
pub fn run(args: &BiomechArgs) -> Result<()> {
    run_on(args, None)
}

/// Run `sinew biomech`, playing a run's policy on `ctx` where given (a caller that already has
/// the device, `sinew eval --biomech`), else on a context of its own.
pub fn run_on(args: &BiomechArgs, ctx: Option<&GpuContext>) -> Result<()> {
    let is_npz = args.source.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz"));
    if !is_npz && args.model.is_some() {
        return Err(Error::Config("--model names an npz SOURCE's model; SOURCE is a run".into()));
    }
    if !(0.0..=1.0).contains(&args.slow_twitch) {
        return Err(Error::Config(format!("--slow-twitch {}: a fraction in 0..1", args.slow_twitch)));
    }
    if args.threshold <= 0.0 || args.emg_window < 0.0 || args.synergies == 0 {
        return Err(Error::Config("--threshold must be > 0, --emg-window ≥ 0, --synergies ≥ 1".into()));
    }
    let emg = args.emg.as_deref().map(read_emg).transpose()?;
    let (model, recording, env_feet, out) = if is_npz {
        let name = args.model.as_deref().ok_or_else(|| {
            Error::Config(format!("{}: an npz SOURCE needs --model MODEL", args.source.display()))
        })?;
        let m = super::sources::load_model(name)?;
        let is_motion = sinew::npio::npz_names(&args.source)?.iter().any(|n| n == "fps");
        let rec = if is_motion {
            Recording::from_motion(&args.source, &m)?
        } else {
            Recording::from_rollout(&args.source, &m)?
        };
        let stem = args.source.file_stem().map_or("trajectory".into(), |s| s.to_string_lossy().into_owned());
        let out = args.source.with_file_name(format!("{stem}_biomech"));
        (m, rec, Vec::new(), out)
    } else {
        let own;
        let ctx = match ctx {
            Some(c) => c,
            None => {
                own = GpuContext::new()?;
                &own
            }
        };
        let played = sinew::rl::biomech_play::play(ctx, &args.source, args.episodes, args.steps);
        ctx.quiesce();
        let p = played?;
        let out = p
            .checkpoint
            .parent()
            .and_then(Path::parent)
            .map_or(PathBuf::from("biomech"), |r| r.join("biomech"));
        (p.model, p.recording, p.env.env.feet.clone(), out)
    };
    let out = args.out.clone().unwrap_or(out);
    let feet = feet(&model, &args.feet, &env_feet)?;
    let opts = Options {
        feet,
        threshold: args.threshold,
        slow_twitch: args.slow_twitch,
        k_max: args.synergies,
        emg,
        emg_window_percent: args.emg_window,
    };
    write_report(&model, &recording, &opts, &out, args.json)
}

/// Compute the report and write biomech.json, the figures and summary.md into `out`.
pub fn write_report(
    model: &Model,
    rec: &Recording,
    opts: &Options,
    out: &Path,
    print_json: bool,
) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let normative = Normative::adult_walking();
    let mut value = report(model, rec, opts, &normative);
    let figures = sinew::biomech::figures::write_figures(&value, out)?;
    value["figures"] = serde_json::json!(figures);
    value["normative_source"] = serde_json::json!(normative.source);
    let json =
        serde_json::to_string_pretty(&value).map_err(|e| Error::Config(format!("biomech report: {e}")))?;
    sinew::atomic_file::write_atomic(&out.join("biomech.json"), json.as_bytes())?;
    let summary = summary(&value);
    sinew::atomic_file::write_atomic(&out.join("summary.md"), summary.as_bytes())?;
    if print_json {
        println!("{json}");
    } else {
        print!("{summary}");
        println!("wrote {} (biomech.json, summary.md, {})", out.display(), figures.join(", "));
    }
    Ok(())
}

/// The feet: named bodies (`--feet`), else the run's env.feet (each foot's first body), else
/// calcn_r and calcn_l. Labels: right/left by an `_r`/`_l` suffix, else the body's name.
fn feet(m: &Model, named: &[String], env_feet: &[Vec<String>]) -> Result<Vec<(String, Vec<usize>)>> {
    let body = |n: &str| {
        m.body_name
            .iter()
            .position(|b| b == n)
            .ok_or_else(|| Error::Config(format!("--feet: the model has no body '{n}'")))
    };
    let label = |n: &str| {
        if n.ends_with("_r") {
            "right".to_string()
        } else if n.ends_with("_l") {
            "left".to_string()
        } else {
            n.to_string()
        }
    };
    let groups: Vec<Vec<String>> = if !named.is_empty() {
        named.iter().map(|n| vec![n.clone()]).collect()
    } else if !env_feet.is_empty() {
        env_feet.to_vec()
    } else {
        ["calcn_r", "calcn_l"]
            .iter()
            .filter(|n| m.body_name.iter().any(|b| b == *n))
            .map(|n| vec![n.to_string()])
            .collect()
    };
    groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| Ok((label(&g[0]), g.iter().map(|n| body(n)).collect::<Result<Vec<_>>>()?)))
        .collect()
}

/// EMG envelopes from a CSV (header of names, numeric rows) or an npz (1-D array per muscle).
fn read_emg(path: &Path) -> Result<Emg> {
    let bad = |msg: String| Error::Config(format!("--emg {}: {msg}", path.display()));
    let resample = |v: &[f64]| sinew::biomech::curves::resample(v, POINTS);
    let mut muscles = Vec::new();
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz")) {
        let names = sinew::npio::npz_names(path)?;
        let keys: Vec<&str> = names.iter().map(String::as_str).collect();
        for (name, a) in names.iter().zip(sinew::npio::load_npz(path, &keys)?) {
            let a = a.ok_or_else(|| bad(format!("'{name}' unreadable")))?;
            if a.shape.len() != 1 || a.data.len() < 2 {
                return Err(bad(format!("'{name}' has shape {:?}: one envelope of 2+ samples", a.shape)));
            }
            muscles.push((name.clone(), resample(&a.data.iter().map(|v| *v as f64).collect::<Vec<_>>())));
        }
    } else {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let t = sinew::biomech::table::Table::parse(&text).map_err(bad)?;
        let (header, cols) = (t.header, t.columns);
        for (name, col) in header.into_iter().zip(cols) {
            if col.len() < 2 {
                return Err(bad(format!("'{name}': fewer than 2 samples")));
            }
            muscles.push((name, resample(&col)));
        }
    }
    if muscles.is_empty() {
        return Err(bad("no envelopes".into()));
    }
    Ok(Emg { muscles })
}

fn num(v: &Value, digits: usize) -> String {
    v.as_f64().map_or("–".into(), |x| format!("{x:.digits$}"))
}

/// A short markdown summary of the report.
fn summary(r: &Value) -> String {
    let mut s = format!(
        "# Biomechanics: {}\n\n{} episodes, {} samples every {} s; model {} ({:.1} kg).\n\n",
        r["source"].as_str().unwrap_or(""),
        r["episodes"],
        r["samples"],
        num(&r["sample_dt_s"], 4),
        r["model"].as_str().unwrap_or(""),
        r["body_mass_kg"].as_f64().unwrap_or(0.0)
    );
    let why = |v: &Value| v["unavailable"].as_str().map(|w| format!("not computed: {w}\n\n"));
    s += "## Gait cycles\n\n";
    if let Some(w) = why(&r["cycles"]) {
        s += &w;
    }
    if let Some(feet) = r["cycles"]["per_foot"].as_object() {
        for (foot, c) in feet {
            s += &format!(
                "- {foot}: {} cycles kept ({} dropped), {} ± {} s, stance {} ± {} %\n",
                c["kept"],
                c["dropped"],
                num(&c["duration_s"]["mean"], 3),
                num(&c["duration_s"]["sd"], 3),
                num(&c["stance_percent"]["mean"], 1),
                num(&c["stance_percent"]["sd"], 1)
            );
        }
        s += &format!("- speed {} m/s\n\n", num(&r["cycles"]["speed_m_s"], 2));
    }
    s += "## Ground reaction forces (body weights)\n\n";
    match why(&r["grf"]) {
        Some(w) => s += &w,
        None => {
            for (foot, g) in
                r["grf"].as_object().into_iter().flatten().filter(|(_, g)| g.get("peaks").is_some())
            {
                let p = &g["peaks"];
                s += &format!(
                    "- {foot}: vertical peaks {} at {} % and {} at {} %; braking {} , propulsion {}\n",
                    num(&p["vertical_first"]["value"], 2),
                    p["vertical_first"]["percent"],
                    num(&p["vertical_second"]["value"], 2),
                    p["vertical_second"]["percent"],
                    num(&p["braking"]["value"], 2),
                    num(&p["propulsion"]["value"], 2)
                );
            }
            s += "\n";
        }
    }
    s += "## Joint angles against normative walking\n\n";
    match why(&r["joint_angles"]) {
        Some(w) => s += &w,
        None => {
            s += "| angle | Pearson r | RMSE (deg) | r at best shift (shift, % cycle) |\n|---|---|---|---|\n";
            for (name, a) in
                r["joint_angles"].as_object().into_iter().flatten().filter(|(_, a)| a.get("mean").is_some())
            {
                let best = &a["normative"]["best_shift"];
                s += &format!(
                    "| {name} | {} | {} | {} ({}) |\n",
                    num(&a["normative"]["pearson_r"], 3),
                    num(&a["normative"]["rmse_deg"], 1),
                    num(&best["pearson_r"], 3),
                    best["shift_percent"]
                );
            }
            s += "\n";
        }
    }
    s += "## Muscles\n\n";
    match why(&r["emg"]) {
        Some(w) => s += &w,
        None => {
            let c = &r["emg"]["comparison"];
            match c["unavailable"].as_str() {
                Some(w) => {
                    s += &format!(
                        "{} muscles' excitation and activation over the cycle; EMG: {w}.\n\n",
                        r["emg"]["muscles"].as_object().map_or(0, |m| m.len())
                    )
                }
                None => {
                    s += &format!(
                        "EMG of {} muscles: mean Pearson r {} (best shift within ±{} %).\n\n",
                        c["muscles"],
                        num(&c["mean_pearson_r"], 3),
                        c["shift_window_percent"]
                    )
                }
            }
        }
    }
    s += "## Cost of transport\n\n";
    let c = &r["cost_of_transport"];
    match why(c) {
        Some(w) => s += &w,
        None => {
            s += &format!(
                "Metabolic {} J/(kg·m) (gross, with a 1.2 W/kg basal rate: {}); mechanical {} J/(kg·m); humans ≈ {} at 1.3 m/s. {} over {} m.\n\n",
                num(&c["metabolic_j_per_kg_m"], 2),
                num(&c["gross_j_per_kg_m"], 2),
                num(&c["mechanical_j_per_kg_m"], 2),
                c["human_reference_j_per_kg_m"],
                c["model"].as_str().unwrap_or(""),
                num(&c["distance_m"], 2)
            );
        }
    }
    s += "## Muscle synergies\n\n";
    match why(&r["synergies"]) {
        Some(w) => s += &w,
        None => {
            let vaf: Vec<String> = r["synergies"]["vaf"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| format!("{}: {}", v["k"], num(&v["vaf"], 3)))
                .collect();
            s += &format!(
                "k = {} (VAF ≥ {}); VAF by k: {}\n",
                r["synergies"]["k"],
                r["synergies"]["vaf_threshold"],
                vaf.join(", ")
            );
        }
    }
    s
}
