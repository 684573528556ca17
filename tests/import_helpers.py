"""The import over bytes held in memory, as the tests give it a file (production reads a file object)."""

import io
from datetime import date

from hotline.consultations.imports import write as importer


def import_bytes(data: bytes, author_id: int | None, today: date, *, dry_run: bool = False) -> importer.ImportResult:
    """write.import_file() over `data`; flushes only, as it does."""
    return importer.import_file(io.BytesIO(data), author_id, today, dry_run=dry_run)
