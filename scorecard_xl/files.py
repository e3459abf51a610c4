"""Write files so that a reader never sees half of one.

Each file is written to a temporary name in its target's folder; only when every file
of the set is complete are they renamed into place. A failure, or an interrupt, leaves
every earlier file of those names as it was and no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def replacing(*targets: Path) -> Iterator[list[Path]]:
    """Temporary paths to write `targets` to; renamed onto them if the block succeeds."""
    temporaries: list[Path] = []
    try:
        for target in targets:
            folder = target.parent if str(target.parent) else Path(".")
            fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=f"{target.suffix}.tmp", dir=folder)
            os.close(fd)
            temporaries.append(Path(name))
        yield temporaries
        # mkstemp makes files private; give them the permissions a normal new file has.
        umask = os.umask(0)
        os.umask(umask)
        for tmp, target in zip(temporaries, targets):
            os.chmod(tmp, 0o666 & ~umask)
        for tmp, target in zip(temporaries, targets):
            os.replace(tmp, target)
    except BaseException:
        for tmp in temporaries:
            tmp.unlink(missing_ok=True)
        raise
