from tests.application.support import clock, evidence_dir  # noqa: F401
