"""The portal's WSGI application with an ingest that pauses once its records are stored but
before its transaction commits, while the file FAULT_INGEST_PAUSE_FILE exists (the pause removes
it and writes FAULT_INGEST_PAUSED): a test restarts the database in that window."""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path
from typing import Any

from portal.wsgi import application  # sets Django up: the ingest's models need it

ingest: Any = importlib.import_module("catalog.observations.services.ingest")

_store_chunk = ingest.Ingest.store_chunk


def store_chunk_then_pause(self: Any, records: list[Any], problems: list[Any]) -> None:
    _store_chunk(self, records, problems)
    trigger = Path(os.environ.get("FAULT_INGEST_PAUSE_FILE", "/nonexistent"))
    if records and trigger.exists():
        trigger.unlink()
        assert self.writer is not None
        self.writer.wait()  # the rows are in the table, not yet committed
        Path(os.environ["FAULT_INGEST_PAUSED"]).write_text(str(self.batch.pk))
        time.sleep(float(os.environ.get("FAULT_INGEST_PAUSE_S", "10")))


ingest.Ingest.store_chunk = store_chunk_then_pause

__all__ = ["application"]
