"""What an open child becomes when the broker's replay after a reconnect does not show it."""

from datetime import datetime
from decimal import Decimal

from execution.worker.children import ChildOrder, ChildState
from execution.worker.inbox import Seen
from execution.worker.reconnect import Outage, at_broker, unmatched, verdict
from marketdata.clock import EXCHANGE_TZ

T = datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ)


def child(reference: str, vt_orderid: str = "", state: ChildState = ChildState.WORKING
          ) -> ChildOrder:
    return ChildOrder(reference=reference, order_id=reference.split("#")[0], slice_no=1,
                      trade_date=T.date(), symbol="600000.SSE", side="buy", offset="none",
                      quantity=1_000, price=Decimal("10.00"), phase="continuous",
                      gateway="SIM", state=state, vt_orderid=vt_orderid, created_at=T,
                      updated_at=T)


def test_a_complete_replay_without_the_child_means_the_broker_never_had_it() -> None:
    assert verdict(child("a#1", "SIM.1"), complete_replay=True) is ChildState.LOST


def test_a_late_replay_without_a_sent_child_leaves_it_unknown_not_lost() -> None:
    assert verdict(child("a#1", "CTP.1_2_3"), complete_replay=False) is ChildState.UNKNOWN


def test_a_child_never_handed_to_the_gateway_is_lost_whatever_the_replay() -> None:
    assert verdict(child("a#1", "", ChildState.RECORDED), complete_replay=False) \
        is ChildState.LOST


def test_a_child_of_unknown_state_counts_in_full_and_is_open() -> None:
    unknown = child("a#1", "CTP.1", ChildState.UNKNOWN)
    assert unknown.open and unknown.committed == 1_000


def test_children_are_matched_by_reference_or_vt_orderid() -> None:
    seen = Seen(references={"a#1"}, vt_orderids={"CTP.9"})
    assert at_broker(child("a#1"), seen)
    assert at_broker(child("b#1", "CTP.9"), seen)
    assert not at_broker(child("c#1", "CTP.8"), seen)
    closed = child("d#1", "CTP.7", ChildState.FILLED)
    assert [c.reference for c in unmatched([child("c#1", "CTP.8"), closed], seen)] == ["c#1"]


def test_only_what_the_broker_says_after_the_reconnect_attempt_is_its_replay() -> None:
    outage = Outage("SIM", frozenset({"a#1"}))
    outage.note(Seen(references={"a#1"}))  # in flight from before the drop
    outage.attempt()
    assert not at_broker(child("a#1"), outage.seen)
    outage.note(Seen(vt_orderids={"SIM.1"}))
    assert at_broker(child("a#1", "SIM.1"), outage.seen)
    assert outage.reconnected_at == outage.attempt_at > 0
