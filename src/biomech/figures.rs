//! The report's PNG figures: panels of curves over the gait cycle (mean with a ±1 sd band, and
//! a dashed-grey normative curve where there is one), drawn with plotters and the same built-in
//! bitmap font as the training plots (`crate::rl::plot`), so no system fonts are needed.

use std::path::Path;

use plotters::prelude::*;
use serde_json::Value;

use crate::atomic_file::write_atomic;
use crate::error::{Error, Result};
use crate::rl::plot::{Glyph8, encode_png_sized, padded, tick};

/// One curve of a panel.
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// ±1 sd around y, per point, if any.
    pub sd: Option<Vec<f64>>,
    /// Drawn as the reference (grey, behind).
    pub reference: bool,
}

/// One panel: a title, its x axis label and its curves.
pub struct Panel {
    /// Title.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Curves.
    pub curves: Vec<Curve>,
}

/// Draw `panels` on a grid into the PNG `out` (`size` pixels), written atomically.
pub fn draw_panels(out: &Path, panels: &[Panel], size: (u32, u32)) -> Result<()> {
    if panels.is_empty() {
        return Err(Error::Config(format!("{}: nothing to draw", out.display())));
    }
    let mut rgb = vec![255u8; (size.0 * size.1 * 3) as usize];
    draw(&mut rgb, panels, size).map_err(|e| Error::Config(format!("{}: drawing: {e}", out.display())))?;
    let png =
        encode_png_sized(&rgb, size).map_err(|e| Error::Config(format!("{}: PNG: {e}", out.display())))?;
    write_atomic(out, &png)
}

type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn draw(rgb: &mut [u8], panels: &[Panel], size: (u32, u32)) -> DrawResult {
    let root = Glyph8(BitMapBackend::with_buffer(rgb, size)).into_drawing_area();
    root.fill(&WHITE)?;
    let cols = match panels.len() {
        1 => 1,
        2 | 4 => 2,
        _ => 3,
    };
    let rows = panels.len().div_ceil(cols);
    let areas = root.margin(10, 10, 10, 10).split_evenly((rows, cols));
    for (panel, area) in panels.iter().zip(&areas) {
        // a panel without finite points has no axes to draw
        if !panel.curves.iter().flat_map(|c| &c.points).any(|p| p.0.is_finite() && p.1.is_finite()) {
            continue;
        }
        let ys = panel.curves.iter().flat_map(|c| {
            c.points.iter().enumerate().flat_map(move |(i, p)| {
                let s = c.sd.as_ref().map_or(0.0, |s| s[i]);
                [p.1 - s, p.1 + s]
            })
        });
        let (y0, y1) = padded(ys, 0.05);
        let (x0, x1) = padded(panel.curves.iter().flat_map(|c| c.points.iter().map(|p| p.0)), 0.0);
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(90)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .label_style(("sans-serif", 16))
            .x_desc(panel.x_label.as_str())
            .axis_desc_style(("sans-serif", 16))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()?;
        let mut colour = 0;
        // references first, so the model's curves are drawn over them
        for c in
            panel.curves.iter().filter(|c| c.reference).chain(panel.curves.iter().filter(|c| !c.reference))
        {
            let line = if c.reference {
                RGBColor(150, 150, 150).to_rgba()
            } else {
                colour += 1;
                Palette99::pick(colour - 1).to_rgba()
            };
            if let Some(sd) = &c.sd {
                let band: Vec<(f64, f64)> = c
                    .points
                    .iter()
                    .zip(sd)
                    .map(|(p, s)| (p.0, p.1 + s))
                    .chain(c.points.iter().zip(sd).rev().map(|(p, s)| (p.0, p.1 - s)))
                    .collect();
                chart.draw_series(std::iter::once(Polygon::new(band, line.mix(0.18).filled())))?;
            }
            chart
                .draw_series(LineSeries::new(c.points.iter().copied(), line.stroke_width(2)))?
                .label(c.label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], line.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 16))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// A JSON array of numbers as f64s.
fn numbers(v: &Value) -> Option<Vec<f64>> {
    v.as_array()?.iter().map(|x| x.as_f64()).collect()
}

/// A curve over the cycle (0 … 100 %) from a report entry with `mean` and `sd`.
pub fn cycle_curve(label: &str, entry: &Value, reference: bool) -> Option<Curve> {
    let mean = numbers(&entry["mean"])?;
    let sd = numbers(&entry["sd"]);
    let n = mean.len().max(2) - 1;
    Some(Curve {
        label: label.to_string(),
        points: mean.iter().enumerate().map(|(i, y)| (100.0 * i as f64 / n as f64, *y)).collect(),
        sd,
        reference,
    })
}

/// Write the report's figures into `dir`: grf.png, joint_angles.png, muscles.png and
/// synergies.png, each where its part was computed. Returns the files written.
pub fn write_figures(report: &Value, dir: &Path) -> Result<Vec<String>> {
    let mut written = Vec::new();
    let cycle = "% gait cycle";
    // ground reaction forces: one panel per foot and axis
    if let Some(grf) = report["grf"].as_object().filter(|g| !g.contains_key("unavailable")) {
        let mut panels = Vec::new();
        for (foot, entry) in grf.iter().filter(|(_, v)| v.get("vertical").is_some()) {
            for (axis, name) in [("vertical", "vertical"), ("fore_aft", "fore-aft"), ("lateral", "lateral")] {
                if let Some(c) = cycle_curve(foot, &entry[axis], false) {
                    panels.push(Panel {
                        title: format!("{foot} GRF {name} (BW)"),
                        x_label: cycle.into(),
                        curves: vec![c],
                    });
                }
            }
        }
        if !panels.is_empty() {
            draw_panels(&dir.join("grf.png"), &panels, (1500, 500 * panels.len().div_ceil(3) as u32))?;
            written.push("grf.png".into());
        }
    }
    // joint angles with their normative curves
    if let Some(angles) = report["joint_angles"].as_object().filter(|g| !g.contains_key("unavailable")) {
        let mut panels = Vec::new();
        for (name, entry) in angles.iter().filter(|(_, v)| v.get("mean").is_some()) {
            let mut curves: Vec<Curve> = cycle_curve("model", entry, false).into_iter().collect();
            if let Some(c) = cycle_curve("normative", &entry["normative"], true) {
                curves.push(c);
            }
            let r = entry["normative"]["pearson_r"].as_f64();
            let title = match r {
                Some(r) => format!("{name} r={r:.2}"),
                None => name.to_string(),
            };
            panels.push(Panel { title, x_label: "% gait cycle (degrees)".into(), curves });
        }
        if !panels.is_empty() {
            draw_panels(
                &dir.join("joint_angles.png"),
                &panels,
                (1500, 420 * panels.len().div_ceil(3) as u32),
            )?;
            written.push("joint_angles.png".into());
        }
    }
    // the most active muscles' activations (and EMG where given)
    if let Some(muscles) = report["emg"]["muscles"].as_object() {
        let mut by_activity: Vec<(&String, f64)> = muscles
            .iter()
            .filter_map(|(n, v)| {
                let m = numbers(&v["activation"]["mean"])?;
                Some((n, m.iter().sum::<f64>() / m.len().max(1) as f64))
            })
            .collect();
        by_activity.sort_by(|a, b| b.1.total_cmp(&a.1));
        let panels: Vec<Panel> = by_activity
            .iter()
            .take(12)
            .map(|(name, _)| {
                let entry = &muscles[name.as_str()];
                let mut curves: Vec<Curve> =
                    cycle_curve("activation", &entry["activation"], false).into_iter().collect();
                if let Some(env) = numbers(&entry["emg"]["envelope"]) {
                    let v = serde_json::json!({"mean": env});
                    curves.extend(cycle_curve("EMG", &v, true));
                }
                Panel { title: name.to_string(), x_label: cycle.into(), curves }
            })
            .collect();
        if !panels.is_empty() {
            draw_panels(&dir.join("muscles.png"), &panels, (1500, 380 * panels.len().div_ceil(3) as u32))?;
            written.push("muscles.png".into());
        }
    }
    // synergies: VAF against k
    if let Some(vaf) = report["synergies"]["vaf"].as_array() {
        let points: Vec<(f64, f64)> =
            vaf.iter().filter_map(|v| Some((v["k"].as_f64()?, v["vaf"].as_f64()?))).collect();
        if !points.is_empty() {
            let threshold = report["synergies"]["vaf_threshold"].as_f64().unwrap_or(0.9);
            let line = points.iter().map(|p| (p.0, threshold)).collect();
            let panel = Panel {
                title: "synergies: VAF".into(),
                x_label: "synergies k".into(),
                curves: vec![
                    Curve { label: "VAF".into(), points, sd: None, reference: false },
                    Curve { label: "threshold".into(), points: line, sd: None, reference: true },
                ],
            };
            draw_panels(&dir.join("synergies.png"), &[panel], (900, 600))?;
            written.push("synergies.png".into());
        }
    }
    Ok(written)
}
