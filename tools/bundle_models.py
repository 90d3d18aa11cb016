#!/usr/bin/env python3
"""Copy fetched models, with every file they read, into a bundle's models folder.

Usage: bundle_models.py SRC_MODELS_DIR DEST_MODELS_DIR [NAME ...]   (default: every manifest name)

SRC_MODELS_DIR is what tools/fetch-models wrote (models.json: short name -> XML path). For each
model this follows MuJoCo's file rules — <include> relative to the main file's folder, then to
the including file's; mesh, skin and hfield files under compiler meshdir (or assetdir), texture
files under texturedir (or assetdir), those folders relative to the main file — and copies every
file found. Files inside the venv's site-packages go to DEST/pkg/<path in site-packages>; files
beside the manifest keep their place. Absolute paths in the copied XML are rewritten relative to
the copy. DEST/models.json lists the names with relative paths. With MuJoCo importable, every
copied model is then loaded from DEST to prove nothing is missing.
"""
import json
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET

MESH_TAGS = {"mesh", "skin", "hfield"}
TEXTURE_ATTRS = ["file", "fileright", "fileleft", "fileup", "filedown", "filefront", "fileback"]
PATH_ATTR = re.compile(r'\b(meshdir|texturedir|assetdir|file|fileright|fileleft|fileup|filedown|filefront|fileback)="([^"]*)"')


def resolve_include(main_dir, including_dir, rel):
    if os.path.isabs(rel):
        return rel
    for base in (main_dir, including_dir):
        p = os.path.normpath(os.path.join(base, rel))
        if os.path.isfile(p):
            return p
    raise FileNotFoundError(f"include '{rel}' not found from {including_dir}")


def model_files(main):
    """Every file `main` reads: itself, its includes, meshes, textures (absolute paths)."""
    main = os.path.abspath(main)
    main_dir = os.path.dirname(main)
    xml_files, assets = [], []
    compiler = {}
    stack = [main]
    elements = []
    while stack:
        f = stack.pop()
        if f in xml_files:
            continue
        xml_files.append(f)
        for el in ET.parse(f).getroot().iter():
            if el.tag == "include":
                stack.append(resolve_include(main_dir, os.path.dirname(f), el.get("file")))
            elif el.tag == "compiler":
                for k in ("meshdir", "texturedir", "assetdir"):
                    if el.get(k) is not None:
                        compiler[k] = el.get(k)
            else:
                elements.append((el, os.path.dirname(f)))
    meshdir = compiler.get("meshdir", compiler.get("assetdir", ""))
    texdir = compiler.get("texturedir", compiler.get("assetdir", ""))
    def find(file_dir, folder, rel):
        # MuJoCo: under the compiler folder from the main file's folder; for an element from an
        # included file, also from that file's folder
        for base in (os.path.join(main_dir, folder), file_dir, os.path.join(file_dir, folder)):
            p = os.path.normpath(os.path.join(base, rel))
            if os.path.isfile(p):
                return p
        return os.path.normpath(os.path.join(main_dir, folder, rel))

    for el, file_dir in elements:
        if el.tag in MESH_TAGS and el.get("file"):
            assets.append(find(file_dir, meshdir, el.get("file")))
        elif el.tag == "texture":
            for a in TEXTURE_ATTRS:
                if el.get(a):
                    assets.append(find(file_dir, texdir, el.get(a)))
    missing = [a for a in assets if not os.path.isfile(a)]
    if missing:
        raise FileNotFoundError(f"{main}: missing {missing[:3]}")
    return xml_files, sorted(set(assets))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, dest = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    manifest = json.load(open(os.path.join(src, "models.json")))
    names = sys.argv[3:] or sorted(manifest)
    site = next((os.path.join(r, d) for r, ds, _ in os.walk(os.path.join(src, ".venv", "lib"))
                 for d in ds if d == "site-packages"), None)

    def place(p):
        p = os.path.realpath(p)
        if site and p.startswith(os.path.realpath(site) + os.sep):
            return os.path.join(dest, "pkg", os.path.relpath(p, os.path.realpath(site)))
        if p.startswith(os.path.realpath(src) + os.sep):
            return os.path.join(dest, os.path.relpath(p, os.path.realpath(src)))
        raise ValueError(f"{p} is neither in {src} nor in its venv")

    out_manifest = {}
    for name in names:
        if name not in manifest:
            sys.exit(f"bundle_models: '{name}' is not in {src}/models.json")
        xml_files, assets = model_files(manifest[name])
        for a in assets:
            os.makedirs(os.path.dirname(place(a)), exist_ok=True)
            shutil.copyfile(a, place(a))
        for f in xml_files:
            target = place(f)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            text = open(f).read()

            def rel(m):
                value = m.group(2)
                if not os.path.isabs(value):
                    return m.group(0)
                moved = place(value) if os.path.exists(value) else value
                return f'{m.group(1)}="{os.path.relpath(moved, os.path.dirname(target))}"'

            open(target, "w").write(PATH_ATTR.sub(rel, text))
        out_manifest[name] = os.path.relpath(place(manifest[name]), dest)
    with open(os.path.join(dest, "models.json"), "w") as f:
        json.dump(out_manifest, f, indent=2)
    try:
        import mujoco
    except ImportError:
        print("bundle_models: mujoco not importable; bundled models not load-checked", file=sys.stderr)
        return
    for name, path in out_manifest.items():
        mujoco.MjModel.from_xml_path(os.path.join(dest, path))
    print(f"bundle_models: {len(out_manifest)} models load from {dest}", file=sys.stderr)


if __name__ == "__main__":
    main()
