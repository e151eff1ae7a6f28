#!/usr/bin/env python3
"""Draws the packages' icon (icon.png, 128x128): a small network whose layers narrow from left to
right, white on a rounded indigo square, for "a model made smaller at build time". Standard library
only: python3 build/package/icon.py rewrites icon.png beside this file."""
import math, os, struct, zlib

SIZE = 128
BACKGROUND = (48, 63, 159)
LAYERS = [[28, 52, 76, 100], [40, 64, 88], [52, 76]]  # node y positions per layer
XS = [30, 64, 98]


def inside_rounded_square(x, y, radius=22):
    cx = min(max(x, radius), SIZE - 1 - radius)
    cy = min(max(y, radius), SIZE - 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


edges = [(XS[i], a, XS[i + 1], b) for i in range(len(LAYERS) - 1) for a in LAYERS[i] for b in LAYERS[i + 1]]
nodes = [(XS[i], y) for i, layer in enumerate(LAYERS) for y in layer]
rows = []
for y in range(SIZE):
    row = bytearray([0])  # filter: none
    for x in range(SIZE):
        if not inside_rounded_square(x, y):
            row += bytes((0, 0, 0, 0))
            continue
        r, g, b = BACKGROUND
        edge = min(segment_distance(x, y, *e) for e in edges)
        if edge < 1.2:
            r, g, b = (150, 165, 235)
        node = min(math.hypot(x - nx, y - ny) for nx, ny in nodes)
        if node < 7.5:
            r, g, b = (255, 255, 255)
        row += bytes((r, g, b, 255))
    rows.append(bytes(row))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as f:
    f.write(png)
