#!/usr/bin/env python3
"""Write MuJoCo 4.0.0's compiled-model arrays as npz fixtures for sinew's compiler tests.

For each model (fetched short names via models.json, and the project's own assets/*.xml), load the
file with pip `mujoco` exactly as sinew will read it and save the arrays sinew's Model holds, under
the same names (MuJoCo's), into tests/fixtures/compiler/<name>.npz.

Usage: tools/mujoco_fixtures.py [--models DIR] [--out DIR] [NAME ...]
"""
import argparse
import json
import os
import sys
from pathlib import Path

import mujoco
import numpy as np

if mujoco.__version__ != "4.0.0":
    sys.exit(f"mujoco_fixtures.py: MuJoCo 4.0.0 is the oracle, found {mujoco.__version__}")

ROOT = Path(__file__).resolve().parent.parent
FETCHED = ["myolegs", "myolegs_abdomen", "myolegs_back", "myotorso", "myoarms", "mm_fullbody", "mm_bimanual"]

COUNTS = ["nq", "nv", "nu", "na", "nbody", "njnt", "ngeom", "nsite", "ntendon", "nwrap", "neq", "npair",
          "nexclude", "nmesh", "nkey", "nsensor"]
ARRAYS = [
    "qpos0", "qpos_spring",
    "body_parentid", "body_rootid", "body_weldid", "body_jntnum", "body_jntadr", "body_dofnum", "body_dofadr",
    "body_geomnum", "body_geomadr", "body_pos", "body_quat", "body_ipos", "body_iquat", "body_mass",
    "body_subtreemass", "body_inertia",
    "jnt_type", "jnt_qposadr", "jnt_dofadr", "jnt_bodyid", "jnt_limited", "jnt_range", "jnt_pos", "jnt_axis",
    "jnt_stiffness", "jnt_margin", "jnt_solref", "jnt_solimp",
    "dof_bodyid", "dof_jntid", "dof_parentid", "dof_armature", "dof_damping", "dof_frictionloss", "dof_invweight0",
    "geom_type", "geom_bodyid", "geom_dataid", "geom_contype", "geom_conaffinity", "geom_condim",
    "geom_priority", "geom_group", "geom_size", "geom_pos", "geom_quat", "geom_friction", "geom_margin",
    "geom_gap", "geom_solref", "geom_solimp", "geom_solmix",
    "site_bodyid", "site_type", "site_size", "site_pos", "site_quat",
    "tendon_adr", "tendon_num", "tendon_limited", "tendon_range", "tendon_stiffness", "tendon_damping",
    "tendon_lengthspring", "tendon_margin", "tendon_frictionloss", "tendon_invweight0", "tendon_solref_lim",
    "tendon_solimp_lim",
    "wrap_type", "wrap_objid", "wrap_prm",
    "actuator_trntype", "actuator_dyntype", "actuator_gaintype", "actuator_biastype", "actuator_dynprm",
    "actuator_gainprm", "actuator_biasprm", "actuator_gear", "actuator_ctrllimited", "actuator_ctrlrange",
    "actuator_forcelimited", "actuator_forcerange", "actuator_actlimited", "actuator_actrange",
    "actuator_lengthrange", "actuator_actadr", "actuator_actnum", "actuator_acc0",
    "eq_type", "eq_obj1id", "eq_obj2id", "eq_active0", "eq_solref", "eq_solimp", "eq_data",
    "pair_geom1", "pair_geom2", "pair_dim", "pair_friction", "pair_solref", "pair_solreffriction",
    "pair_solimp", "pair_margin", "pair_gap", "pair_signature",
    "exclude_signature",
    "mesh_vertadr", "mesh_vertnum",
    "key_time", "key_qpos", "key_qvel", "key_act", "key_ctrl",
]


def fixture(model: mujoco.MjModel) -> dict:
    out = {}
    for k in COUNTS:
        out[k] = np.array(getattr(model, k), dtype=np.int64)
    for k in ARRAYS:
        a = np.asarray(getattr(model, k))
        if a.ndim == 2 and a.shape[1] == 1:
            a = a[:, 0]
        out[k] = a.astype(np.float64 if a.dtype.kind == "f" else np.int64)
    out["actuator_trnid"] = np.asarray(model.actuator_trnid[:, 0], dtype=np.int64)
    o = model.opt
    out["opt_timestep"] = np.array(o.timestep)
    out["opt_gravity"] = np.array(o.gravity)
    for k in ["integrator", "solver", "iterations", "ls_iterations", "cone", "disableflags", "enableflags"]:
        out[f"opt_{k}"] = np.array(int(getattr(o, k)), dtype=np.int64)
    out["opt_tolerance"] = np.array(o.tolerance)
    out["opt_ls_tolerance"] = np.array(o.ls_tolerance)
    out["opt_impratio"] = np.array(o.impratio)
    out["total_mass"] = np.array(float(np.sum(model.body_mass)))
    # What the renderer draws: an element's rgba, or its material's where the element leaves rgba
    # at MuJoCo's default (the rule of MuJoCo's own renderer), and the visual groups and widths.
    default = np.array([0.5, 0.5, 0.5, 1.0], dtype=np.float32)
    for kind in ["geom", "site", "tendon"]:
        rgba = np.asarray(getattr(model, f"{kind}_rgba"), dtype=np.float32).reshape(-1, 4).copy()
        matid = np.asarray(getattr(model, f"{kind}_matid")).reshape(-1)
        for i, mat in enumerate(matid):
            if mat >= 0 and np.array_equal(rgba[i], default):
                rgba[i] = model.mat_rgba[mat]
        out[f"draw_{kind}_rgba"] = rgba.astype(np.float64)
    out["site_group"] = np.asarray(model.site_group, dtype=np.int64)
    out["tendon_group"] = np.asarray(model.tendon_group, dtype=np.int64)
    out["tendon_width"] = np.asarray(model.tendon_width, dtype=np.float64)
    return out


def main() -> None:
    default_models = os.environ.get("SINEW_MODELS") or str(Path.home() / ".cache" / "sinew" / "models")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=default_models, help="folder with models.json (tools/fetch-models)")
    ap.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "compiler"))
    ap.add_argument("names", nargs="*", help="short names or asset stems (default: all)")
    args = ap.parse_args()

    manifest = json.loads((Path(args.models) / "models.json").read_text())
    sources = {n: manifest[n] for n in FETCHED}
    for p in sorted((ROOT / "assets").glob("*.xml")):
        sources[p.stem] = str(p)
    names = args.names or list(sources)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        model = mujoco.MjModel.from_xml_path(sources[name])
        np.savez_compressed(out_dir / f"{name}.npz", **fixture(model))
        size = (out_dir / f"{name}.npz").stat().st_size
        print(f"{name:16s} nbody={model.nbody:4d} nu={model.nu:4d} -> {out_dir / (name + '.npz')} ({size // 1024} KiB)")


if __name__ == "__main__":
    main()
