"""``srdi evaluate --engine spark`` stores the same rows and funnel as the embedded pipeline (local mode)."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from datetime import date

import pytest

from srdi.criteria import batch_service, spark_batch, tasks
from srdi.criteria.enums import Purpose
from srdi.enterprise.models import Enterprise
from tests.criteria.factories import holds
from tests.criteria.test_batch import _registry
from tests.criteria.test_facts_frame import _stored

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def _java() -> None:
    pytest.importorskip("pyspark.sql", reason="PySpark is not installed")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed (Spark needs a JVM)")


def test_spark_engine_stores_what_the_embedded_engine_stores(db, tmp_path):
    _, b, _, _ = _registry(db)
    holds(db, b, "innovative_sme", date(2023, 1, 1), date(2027, 1, 1))
    odd = Enterprise(
        uscc="914403000000000009", name="数据有误企业", region_code="440305", industry_code="3562"
    )
    odd.size_class = "huge"  # refused by the facts format: a data_error row on both engines
    db.add(odd)
    db.flush()

    @contextmanager
    def same_session():  # type: ignore[no-untyped-def]
        yield db

    runs = [
        batch_service.create_run(
            db, as_of=date(2026, 6, 30), purpose=Purpose.new_application, region_prefix=None, actor="test"
        )
        for _ in range(2)
    ]
    db.flush()
    streamed: list[int] = []
    tasks.run_batch(runs[0].id, session_factory=same_session)
    spark_batch.run_batch(
        runs[1].id,
        master="local[1]",
        parquet_dir=tmp_path,
        session_factory=same_session,
        sink=lambda frame: streamed.append(frame.height),
    )
    embedded, spark = _stored(db, runs[0].id), _stored(db, runs[1].id)
    assert len(embedded) == 5 * 5  # five enterprises, five tiers in force on 2026-06-30
    assert spark == embedded
    assert (runs[1].status, runs[1].processed, runs[1].total) == ("succeeded", 5, 5)
    assert sum(streamed) == 25
    drop = {"seconds"}
    assert {k: v for k, v in runs[1].summary.items() if k not in drop} == {
        k: v for k, v in runs[0].summary.items() if k not in drop
    }
    assert runs[1].summary["data_errors"] == 5
    assert sorted(p.name for p in (tmp_path / "input").iterdir())  # the Parquet export an operator can keep
