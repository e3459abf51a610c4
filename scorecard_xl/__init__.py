"""scorecard-xl: a council's children's-services export in, the monthly performance scorecard workbook out.

From Python (a notebook, a scheduled script):

    from scorecard_xl import generate
    result = generate("input-2016-08.xlsx", "scorecard-2016-08.xlsx")
    result.paths, result.warnings

`generate` and `validate` are imported on first use, so `import scorecard_xl` (and the
command line's start-up) stays light.
"""

from __future__ import annotations

__version__ = "0.2.0"

__all__ = ["__version__", "generate", "validate"]


def __getattr__(name: str):
    if name in ("generate", "validate"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'scorecard_xl' has no attribute {name!r}")
