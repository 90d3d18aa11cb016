#!/usr/bin/env python3
"""Write sinew's named models as flat MJCF files into an output folder.

myo-sim 0.2.3 ships model *parts* and composes whole models in Python with MjSpec; this script runs
that composer and writes each result as one flat XML whose meshdir points (absolutely) into the
installed package. musclemimic-models ships whole XML files: those are listed by their package path.
A manifest `models.json` (short name -> absolute XML path) is written beside the files; sinew reads it.

Usage: compose_models.py OUT_DIR
"""
import json
import sys
from dataclasses import replace
from pathlib import Path

import mujoco

if mujoco.__version__ != "4.0.0":
    sys.exit(f"compose_models.py: MuJoCo 4.0.0 is the oracle, found {mujoco.__version__}")

import musclemimic_models
from myo_sim.build import compose

# sinew short name -> myo-sim registry name
MYO_SIM_MODELS = {
    "myolegs": "myolegs",
    "myolegs_abdomen": "myolegs_abdomen",
    "myotorso": "myotorso",
    "myoarms": "myoarms",
    "myofullbody": "myofullbody",
}


def build_legs_back() -> mujoco.MjSpec:
    """KINESIS' 290-muscle legs+back: the muscled torso (210) with the legs (80) on a free root."""
    reg = replace(
        compose.MODEL_REGISTRY["myotorso"],
        name="myolegs_back",
        build_kwargs={
            "include_legs": True,
            "include_arm_contacts": False,
            "include_left_arm_contacts": False,
            "add_root_freejoint": True,
        },
    )
    torso = compose.build_torso_spec(reg)
    root = compose.find_body(torso, "Full Body")
    frame = root.add_frame(name="legs_attach")
    torso.attach(compose.build_legs_spec(reg), prefix="", suffix="", frame=frame)
    return torso


def build_legs_walk() -> mujoco.MjSpec:
    """myolegs on open ground: the legs' 1.05 m platform (a world cylinder) removed and the floor
    plane raised to z = 0, so walking, imitation and reaching episodes do not step off an edge.
    The rest of the model is myolegs unchanged."""
    spec = compose.build_spec("myolegs")
    world = spec.worldbody
    for geom in list(world.geoms):
        if geom.type == mujoco.mjtGeom.mjGEOM_CYLINDER:
            spec.delete(geom)
        elif geom.type == mujoco.mjtGeom.mjGEOM_PLANE:
            geom.pos = [geom.pos[0], geom.pos[1], 0.0]
    return spec


def write_flat(spec: mujoco.MjSpec, path: Path) -> mujoco.MjModel:
    model = spec.compile()
    xml = compose.sanitize_spec_xml(spec.to_xml(), asset_dir=str(compose.ROOT), model=model)
    path.write_text(xml)
    return model


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for short, name in MYO_SIM_MODELS.items():
        path = out / f"{short}.xml"
        model = write_flat(compose.build_spec(name), path)
        manifest[short] = str(path)
        print(f"{short:16s} nu={model.nu:4d} nq={model.nq:4d} -> {path}")
    path = out / "myolegs_back.xml"
    model = write_flat(build_legs_back(), path)
    manifest["myolegs_back"] = str(path)
    print(f"{'myolegs_back':16s} nu={model.nu:4d} nq={model.nq:4d} -> {path}")
    path = out / "myolegs_walk.xml"
    model = write_flat(build_legs_walk(), path)
    manifest["myolegs_walk"] = str(path)
    print(f"{'myolegs_walk':16s} nu={model.nu:4d} nq={model.nq:4d} -> {path}")
    for short, name in {"mm_fullbody": "myofullbody", "mm_bimanual": "bimanual"}.items():
        path = musclemimic_models.get_xml_path(name).resolve()
        model = mujoco.MjModel.from_xml_path(str(path))
        manifest[short] = str(path)
        print(f"{short:16s} nu={model.nu:4d} nq={model.nq:4d} -> {path}")
    # Check every written file loads back in MuJoCo the way sinew will read it.
    for short, path in manifest.items():
        mujoco.MjModel.from_xml_path(path)
    (out / "models.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
