#!/usr/bin/env python3
"""Writes N small, distinct images (PNG, some BMP) into a folder, with no library beyond
Python's own: a sky gradient, a sun and hills, in a different hue and size each."""
import colorsys
import math
import os
import struct
import sys
import zlib


def scene(width, height, seed):
    hue = (seed * 0.137) % 1.0
    sun_x, sun_y, sun_r = width * (0.25 + 0.5 * ((seed * 7) % 10) / 10), height * 0.3, height * 0.12
    rows = []
    for y in range(height):
        t = y / max(1, height - 1)
        sky = colorsys.hsv_to_rgb(hue, 0.25 + 0.5 * t, 1.0 - 0.45 * t)
        ground = colorsys.hsv_to_rgb((hue + 0.5) % 1.0, 0.55, 0.35)
        row = bytearray()
        for x in range(width):
            hill = height * (0.68 + 0.08 * math.sin(x / width * 6.28 * (1 + seed % 3) + seed))
            if y > hill:
                r, g, b = ground
            else:
                d = math.hypot(x - sun_x, y - sun_y)
                glow = max(0.0, 1.0 - d / (sun_r * 1.6))
                r, g, b = (c + (1.0 - c) * glow for c in sky)
            row += bytes((int(r * 255), int(g * 255), int(b * 255)))
        rows.append(bytes(row))
    return rows


def png(path, width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def bmp(path, width, height, rows):
    stride = (width * 3 + 3) & ~3
    pixels = b"".join(
        bytes(b for i in range(0, len(r), 3) for b in (r[i + 2], r[i + 1], r[i])) + b"\x00" * (stride - width * 3)
        for r in reversed(rows))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    with open(path, "wb") as f:
        f.write(header + info + pixels)


def main():
    folder, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        width, height = 160 + (i * 37) % 200, 120 + (i * 23) % 120
        rows = scene(width, height, i)
        if i % 10 == 9:
            bmp(os.path.join(folder, "scene-%02d.bmp" % (i + 1)), width, height, rows)
        else:
            png(os.path.join(folder, "scene-%02d.png" % (i + 1)), width, height, rows)


if __name__ == "__main__":
    main()
