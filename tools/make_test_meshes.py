#!/usr/bin/env python3
"""Write the small STL meshes used by the project's test models (assets/meshes/).

wedge.stl: a closed, non-symmetric triangular prism (binary STL), so its centroid and principal
axes are not trivial. Its mirror image is made in the MJCF with scale="1 1 -1".
Usage: tools/make_test_meshes.py
"""
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assets" / "meshes"

# Triangle (0,0), (0.08,0), (0.02,0.05) in x-y, extruded from z=0.01 to z=0.07, slightly sheared.
base = [(0.0, 0.0), (0.08, 0.0), (0.02, 0.05)]
z0, z1, shear = 0.01, 0.07, 0.015
bottom = [(x, y, z0) for x, y in base]
top = [(x + shear, y, z1) for x, y in base]
V = bottom + top
# Outward-facing triangles (counter-clockwise seen from outside).
F = [(0, 2, 1), (3, 4, 5),
     (0, 1, 4), (0, 4, 3),
     (1, 2, 5), (1, 5, 4),
     (2, 0, 3), (2, 3, 5)]


def normal(a, b, c):
    u = [b[i] - a[i] for i in range(3)]
    v = [c[i] - a[i] for i in range(3)]
    n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]
    s = sum(x * x for x in n) ** 0.5
    return [x / s for x in n]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = bytearray(b"sinew test mesh: wedge".ljust(80, b" "))
    data += struct.pack("<I", len(F))
    for f in F:
        a, b, c = (V[i] for i in f)
        data += struct.pack("<3f", *normal(a, b, c))
        for p in (a, b, c):
            data += struct.pack("<3f", *p)
        data += struct.pack("<H", 0)
    (OUT / "wedge.stl").write_bytes(bytes(data))
    print(f"wrote {OUT / 'wedge.stl'} ({len(F)} triangles)")


if __name__ == "__main__":
    main()
