"""The images a PDF page draws, with where it draws them (content stream walked with its
graphics state's matrix; images inside form XObjects included)."""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def image_draws(page: pikepdf.Object) -> list[tuple[pikepdf.Object, Matrix]]:
    """The image XObjects a page draws, each with its transformation matrix (images inside
    form XObjects included)."""
    found: list[tuple[pikepdf.Object, Matrix]] = []
    _walk(page, pikepdf.parse_content_stream(page), IDENTITY, found, depth=0)
    return found


def _walk(owner: pikepdf.Object, ops: Sequence[object], ctm: Matrix,
          found: list[tuple[pikepdf.Object, Matrix]], depth: int) -> None:
    resources = owner.get("/Resources") or pikepdf.Dictionary()
    xobjects = resources.get("/XObject") or pikepdf.Dictionary()
    stack: list[Matrix] = []
    for instruction in ops:
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # an inline image: not a scanner's page image
        op = str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm":
            m = tuple(float(v) for v in instruction.operands)
            ctm = multiply(m, ctm)  # type: ignore[arg-type]
        elif op == "Do":
            xobj = xobjects.get(str(instruction.operands[0]))
            if xobj is None:
                continue
            subtype = xobj.get("/Subtype")
            if subtype == pikepdf.Name.Image:
                found.append((xobj, ctm))
            elif subtype == pikepdf.Name.Form and depth < 4:
                matrix = tuple(float(v) for v in xobj.get("/Matrix", IDENTITY))
                _walk(xobj, pikepdf.parse_content_stream(xobj),
                      multiply(matrix, ctm), found, depth + 1)  # type: ignore[arg-type]


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m × n for PDF's row-vector matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)




def scan_draw(page: pikepdf.Object) -> tuple[pikepdf.Object, Matrix] | None:
    """The page's largest image (the scanner's page when `sources` took it out), or None."""
    draws = image_draws(page)
    if not draws:
        return None
    return max(draws, key=lambda d: abs(d[1][0] * d[1][3] - d[1][1] * d[1][2]))
