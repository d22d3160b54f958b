"""Reading PDFs back in tests: where each image is drawn."""

from __future__ import annotations

import math

import pikepdf

IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m, n):
    """``m`` then ``n``, in PDF's row-vector convention."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def drawn_images(page: pikepdf.Page | pikepdf.Object, resources=None, ctm=IDENTITY) -> list[dict]:
    """Each image drawn on ``page`` (form XObjects followed), in drawing order: its pixel
    size, the box its matrix maps the unit square to (user space, points) and the
    drawn width and height. Keys: pixels, x0, y0, x1, y1, box, w, h, size, xobject."""
    resources = page.get("/Resources", {}) if resources is None else resources
    xobjects = resources.get("/XObject", {})
    stack, out = [], []
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _mul(tuple(float(v) for v in operands), ctm)
        elif op == "Do":
            xo = xobjects[operands[0]]
            if xo.Subtype == "/Form":
                matrix = tuple(float(v) for v in xo.get("/Matrix", IDENTITY))
                out += drawn_images(xo, xo.get("/Resources", resources), _mul(matrix, ctm))
                continue
            if xo.Subtype != "/Image":
                continue
            a, b, c, d, e, f = ctm
            xs, ys = [e, e + a, e + c, e + a + c], [f, f + b, f + d, f + b + d]
            w, h = math.hypot(a, b), math.hypot(c, d)
            out.append({"pixels": (int(xo.Width), int(xo.Height)), "x0": min(xs), "x1": max(xs),
                        "y0": min(ys), "y1": max(ys), "box": (min(xs), min(ys), max(xs), max(ys)),
                        "w": w, "h": h, "size": (w, h), "xobject": xo})
    return out
