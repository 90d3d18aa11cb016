#!/usr/bin/env python3
"""Write assets/elbow_pose.xml (sinew's quick-start model) from tools/elbow_pose.template.xml.

The template leaves each muscle's lengthrange as a placeholder LR_<name>; sinew needs lengthrange
given (MuJoCo would estimate it by simulation). The tendons are straight site-to-site lines across
one hinge, so their length is monotonic in the joint angle and the extremes are at the joint's
range limits: measured here with MuJoCo.

    tools/make_elbow_model.py   # needs the venv of tools/fetch-models (mujoco 4.0.0)
"""
import pathlib
import re

import mujoco

here = pathlib.Path(__file__).resolve().parent
src = (here / "elbow_pose.template.xml").read_text()
m = mujoco.MjModel.from_xml_string(re.sub(r" LR_\w+", "", src))
d = mujoco.MjData(m)
out = src
for i in range(m.nu):
    lengths = []
    for q in m.jnt_range[0]:
        d.qpos[0] = q
        mujoco.mj_forward(m, d)
        lengths.append(d.ten_length[m.actuator_trnid[i, 0]])
    name = mujoco.mj_id2name(m, mujoco.mjtObj.mjOBJ_ACTUATOR, i)
    out = out.replace(f" LR_{name}", f' lengthrange="{min(lengths):.6f} {max(lengths):.6f}"')
mujoco.MjModel.from_xml_string(out)  # the result must compile
(here.parent / "assets" / "elbow_pose.xml").write_text(out)
print("wrote assets/elbow_pose.xml")
