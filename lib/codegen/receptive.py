"""The Receptive fields page's program: the field's recursion and the unit's box on the digit, from the geometry
of the model's layers up to the chosen one (lib.explore.receptive reads it from the model the page loaded)."""

from __future__ import annotations

from lib.codegen.comments import wrap_comments
from lib.codegen.program import Program, literal
from lib.explore.receptive import LayerGeometry
from lib.i18n import _


def receptive_program(geometries: list[LayerGeometry], layer_name: str, row: int, col: int, field_size,
                      box: tuple[int, int, int, int]) -> Program:
    """`field_size` (an int, or (rows, columns)) and `box` (top, left, bottom, right; the last two exclusive) are
    what the page shows for unit (row, col) of `layer_name`."""
    shaped = [geometry for geometry in geometries if geometry.kind != "pointwise"]
    rows = ",\n    ".join(literal((geometry.name, geometry.kernel, geometry.stride, geometry.before, geometry.in_size))
                          for geometry in shaped)
    layers = "\n".join([
        "# " + _("The layers from the input to {layer}, as the model has them: name, window (rows, columns; a "
                 "dilated kernel counts its whole span), stride, padding cells before the input, the input's "
                 "size").format(layer=layer_name),
        f"LAYERS = [\n    {rows},\n]",
        f"ROW, COLUMN = {int(row)}, {int(col)}  # " + _("the unit of {layer}").format(layer=layer_name),
    ])
    field = "\n".join([
        "# " + _("The field away from the edges: each layer adds (k - 1) times the jump j, and its stride "
                 "multiplies the jump"),
        "sizes, jumps = [1, 1], [1, 1]",
        "for name, kernel, stride, before, in_size in LAYERS:",
        "    for axis in (0, 1):",
        "        sizes[axis] += (kernel[axis] - 1) * jumps[axis]",
        "        jumps[axis] *= stride[axis]",
        '    print(f"{name}: r = {sizes[0]}, j = {jumps[0]}")',
        "field_size = sizes[0] if sizes[0] == sizes[1] else tuple(sizes)",
    ])
    region = "\n".join([
        "# " + _("The unit's box on the input: back through every layer's window, clipped to the cells that "
                 "exist (padding sees no pixel)"),
        "span = [[ROW, ROW], [COLUMN, COLUMN]]",
        "for name, kernel, stride, before, in_size in reversed(LAYERS):",
        "    for axis in (0, 1):",
        "        first, last = span[axis]",
        "        first = first * stride[axis] - before[axis]",
        "        last = last * stride[axis] - before[axis] + kernel[axis] - 1",
        "        span[axis] = [max(first, 0), min(last, in_size[axis] - 1)]",
        "box = (span[0][0], span[1][0], span[0][1] + 1, span[1][1] + 1)  # " + _("top, left, bottom, right"),
        'print(f"rows {span[0][0]}-{span[0][1]}, columns {span[1][0]}-{span[1][1]}, field {field_size}")',
    ])
    size = tuple(int(n) for n in field_size) if isinstance(field_size, tuple) else int(field_size)
    return Program(name="receptive_field", title=_("Receptive fields"), cells=tuple(map(wrap_comments, (layers, field, region))),
                   checks={"field_size": size, "box": tuple(int(n) for n in box)})
