"""Recovery after a crash (QUALITY R3, R8): run at start-up (``srdi serve``, the app's lifespan) and periodically.

A grant run or an import job belongs to the process holding its lease (``srdi.kit.leases``). When that process
is gone — its lease expired, or it was a process of this host that no longer exists — the job was interrupted:

- a grant run becomes ``interrupted`` (已中断（可续跑）); starting the same policy and period again resumes it
  where its committed chunks end, nothing applied twice (``auto_grant.service.execute_run``);
- an import job becomes ``interrupted`` (已中断（未写入）): its one transaction was rolled back; its uploaded file
  (which holds personal data) is removed, as is any upload file no open job needs.

Marking uses a compare-and-swap on the lease, so two workers recovering at once mark each job once, and a
worker that was only slow (not dead) notices the loss at its next chunk and stops (its chunk rolls back).

``FAULT_POINTS`` lists every named fault point (``srdi.kit.faults``) of these jobs; the crash tests iterate it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from srdi.auto_grant import service as grant_service
from srdi.db.base import utcnow
from srdi.enterprise.importing import jobs as import_jobs

log = logging.getLogger("srdi.recovery")

# name → where the process dies (armed with SRDI_FAULT=name or name:N for the Nth time it is reached)
FAULT_POINTS: dict[str, str] = {
    "grant.before_start": "免申即享: the run is committed (created or re-posted), its execution not begun",
    "grant.before_commit": "免申即享: a chunk of decisions applied (grants, events, notifications), not committed",
    "grant.after_chunk": "免申即享: a chunk committed, before the next one",
    "grant.before_finish": "免申即享: every chunk committed; the summary and the done status not",
    "grant.after_finish": "免申即享: the run committed as done, before the command reports",
    "grant.export.before_commit": "拨付: a chunk of disbursements put in the batch, not committed",
    "grant.export.after_chunk": "拨付: a chunk of the batch committed",
    "grant.export.after_close": "拨付: the batch closed and committed, the finance file not yet written",
    "grant.export.mid_file": "拨付: the finance file half written",
    "import.after_claim": "import: the job claimed (running, committed), the file not yet read",
    "import.after_chunk": "import: a chunk of rows written in the job's transaction, not committed",
    "import.before_commit": "import: every row and the job's final status written, not committed",
    "import.after_commit": "import: data and status committed, the uploaded file not yet removed",
}


@dataclass
class Recovered:
    runs: list[int] = field(default_factory=list)
    imports: list[int] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.runs or self.imports or self.files)


def recover(db: Session, now: datetime | None = None, upload_dir: Path | None = None) -> Recovered:
    """Mark interrupted runs and imports and remove stale upload files. Flushes; the caller commits."""
    now = now or utcnow()
    out = Recovered(
        runs=grant_service.mark_interrupted_runs(db, now),
        imports=import_jobs.mark_interrupted_jobs(db, now),
    )
    out.files = import_jobs.sweep_uploads(db, now, upload_dir)
    if out:
        log.warning(
            "recovery: %d grant run(s) and %d import job(s) marked interrupted, %d upload file(s) removed",
            len(out.runs), len(out.imports), len(out.files),
        )  # fmt: skip
    return out
