"""Write sinew's normative adult walking joint angles (assets/normative/adult_walking.csv).

The mean curves are the ones sinew's reference gait is built from (tools/make_gait_motion.py):
key values read off the normative sagittal curves of Winter (Biomechanics and Motor Control of
Human Movement, 1991/2009) and Perry & Burnfield (Gait Analysis: Normal and Pathological
Function, 2nd ed., 2010) for adults at a self-selected speed (~1.25 m/s), joined by a periodic
5-harmonic least-squares Fourier series and sampled at 0..100 % of the cycle (right heel strike
to the next). The sd columns are constant bands per joint, approximate inter-subject ±1 SD widths
read off the same figures (hip 5°, knee 6°, ankle 4°): numbers from the papers' figures, not
tabulated values, so treat r and RMSE against them as a sanity check, not a clinical norm.

    python tools/make_normative_gait.py [--out assets/normative/adult_walking.csv]
"""

import argparse
from pathlib import Path

import numpy as np

from make_gait_motion import ANKLE_DORSIFLEXION, HIP_FLEXION, KNEE_FLEXION, SPEED, fourier_eval, fourier_fit

ROOT = Path(__file__).resolve().parent.parent
SD = {"hip_flexion": 5.0, "knee_flexion": 6.0, "ankle_dorsiflexion": 4.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "assets" / "normative" / "adult_walking.csv"))
    args = ap.parse_args()
    phase = np.linspace(0.0, 1.0, 101)
    curves = {
        "hip_flexion": np.degrees(fourier_eval(fourier_fit(HIP_FLEXION), phase)),
        "knee_flexion": np.degrees(fourier_eval(fourier_fit(KNEE_FLEXION), phase)),
        "ankle_dorsiflexion": np.degrees(fourier_eval(fourier_fit(ANKLE_DORSIFLEXION), phase)),
    }
    lines = [
        "# Normative adult walking, sagittal joint angles (degrees; flexion/dorsiflexion positive) over",
        "# the gait cycle (0 = heel strike). Source: key values read off the normative curves of",
        "# Winter, Biomechanics and Motor Control of Human Movement (1991/2009), and Perry & Burnfield,",
        "# Gait Analysis: Normal and Pathological Function (2010); sd: approximate bands read off the",
        f"# same figures. Self-selected speed ~{SPEED} m/s. Written by tools/make_normative_gait.py.",
        "percent," + ",".join(f"{k}_mean,{k}_sd" for k in curves),
    ]
    for i, p in enumerate(phase):
        cells = [f"{100 * p:.0f}"] + [f"{curves[k][i]:.3f},{SD[k]:.1f}" for k in curves]
        lines.append(",".join(cells))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}: {len(phase)} points, {', '.join(curves)}")


if __name__ == "__main__":
    main()
