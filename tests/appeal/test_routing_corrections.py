"""Staff corrections stored with a dispatch (routing_correction) teach the router the appeals use."""

from __future__ import annotations

from sqlalchemy import delete

from srdi.appeal import routing, service
from srdi.appeal.enums import AppealAction
from srdi.appeal.models import RoutingCorrection
from srdi.auth.enums import Role
from tests import auth_support
from tests.appeal import factories

T = service.TransitionInput
# Two appeals about the electricity a park's landlord resells (转供电): the bundled router sends the first to the
# market regulator; the dispatcher sends it to the development and reform commission (prices).
PARK_POWER = [
    ("园区电费太贵", "园区物业每月加收公摊电费，收费标准不透明"),
    ("转供电加价", "工业园区转供电加价，电费比国家标准高"),
]
PROBE = "园区物业转供电加收电费，收费标准比规定高"


def _top(db) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    s = service.route_suggestions(db, PROBE, "440305", top_k=1)[0]
    return (s.department_key, s.category_key)


def test_dispatches_against_the_suggestion_move_the_next_suggestion_and_a_fresh_database_forgets_them(
    db, make_user
):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    official = make_user(Role.district_official)
    factories.catalogue(db)
    db.execute(delete(RoutingCorrection))
    assert _top(db) == ("sz_scjgj", "market_licence")
    suggested = []
    for title, content in PARK_POWER:
        a = factories.appeal(db, ent, filer, title=title, content=content, category_key=None)
        suggested.append((a.suggested_department_key, a.suggested_category_key))
        service.transition(db, a.id, T(AppealAction.accept), actor=official, now=factories.TUESDAY)
        service.transition(
            db,
            a.id,
            T(AppealAction.dispatch, department_key="sz_fgw", category_key="government_service"),
            actor=official,
            now=factories.TUESDAY,
        )
    db.flush()
    # The first dispatch corrected the router; the second appeal was already suggested to the commission, so its
    # dispatch stored no correction.
    assert suggested == [("sz_scjgj", "market_licence"), ("sz_fgw", "government_service")]
    assert _top(db) == ("sz_fgw", "government_service")
    learned = service.router(db).corrections_learned
    assert learned == 1
    # Read again: nothing new is learned twice.
    assert service.router(db).corrections_learned == learned
    # Another database's history (here: the rows gone) rebuilds the router from what is stored.
    db.execute(delete(RoutingCorrection))
    assert _top(db) == ("sz_scjgj", "market_licence")
    assert service.router(db).corrections_learned == 0


def test_a_correction_naming_a_category_the_router_does_not_know_is_stored_but_not_learned(db, make_user):
    factories.catalogue(db)
    db.execute(delete(RoutingCorrection))
    db.add(
        RoutingCorrection(
            text=PROBE, chosen_department_key="sz_fgw", chosen_category_key=service.fallback_category_key()
        )
    )
    db.flush()
    assert service.fallback_category_key() == "other"
    assert service.router(db).corrections_learned == 0
    assert _top(db) == ("sz_scjgj", "market_licence")


def test_the_fallback_category_is_in_the_catalogue_but_never_among_the_routers() -> None:
    assert "other" not in {c.key for c in routing.load_categories()}
    assert len(routing.load_categories()) == 15


def test_an_appeal_no_word_of_which_points_anywhere_gets_the_fallback_category(db, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = factories.appeal(db, ent, filer, title="您好", content="你好你好你好你好", category_key=None)
    assert (a.category_key, a.suggested_department_key) == ("other", None)


def test_a_text_longer_than_the_router_reads_is_routed_on_its_head(db) -> None:
    factories.catalogue(db)
    text = "想申请银行贷款贴息，资金周转困难。" + "的" * routing.MAX_TEXT_CHARS
    [top] = service.route_suggestions(db, text, "440305", top_k=1)
    assert (top.department_key, top.category_key) == ("sz_jrj", "financing")


def test_the_demo_handler_belongs_to_the_finance_unit_of_the_catalogue(db) -> None:
    factories.catalogue(db)
    user = auth_support.make_user(db, Role.department_handler)
    dep = service.department_of_user(db, user)
    assert (dep.key, dep.name) == ("sz_jrj", "深圳市地方金融监督管理局")  # type: ignore[union-attr]
