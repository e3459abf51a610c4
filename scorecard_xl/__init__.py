"""scorecard-xl: a council's children's-services export in, the monthly performance scorecard workbook out.

From Python (a notebook, a scheduled script):

    from scorecard_xl import generate
    result = generate("input-2016-08.xlsx", "scorecard-2016-08.xlsx")
    result.paths, result.warnings

    from scorecard_xl import from_annex_a  # Ofsted Annex A lists in, the monthly export out
    from_annex_a(["annex-a-2016-08-31.xlsx"], into="input-2016-08.xlsx")

`generate`, `validate` and `from_annex_a` are imported on first use, so `import scorecard_xl` (and the
command line's start-up) stays light.
"""

from __future__ import annotations

__version__ = "0.4.0"

__all__ = ["__version__", "from_annex_a", "generate", "validate"]


def __getattr__(name: str):
    if name in ("generate", "validate"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "from_annex_a":
        from .annex_a.convert import from_annex_a

        return from_annex_a
    raise AttributeError(f"module 'scorecard_xl' has no attribute {name!r}")
