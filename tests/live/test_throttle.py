"""Live messages under load: the first of a key at once, a burst gathered into one message that
names every topic of it, sent at the window's end; keys apart from each other."""

from __future__ import annotations

import threading
import time

from councils.live.throttle import Throttle


def _collector() -> tuple[list[tuple[object, list[str]]], threading.Event, Throttle]:
    sent: list[tuple[object, list[str]]] = []
    later = threading.Event()

    def send(key: object, topics: list[str]) -> None:
        sent.append((key, topics))
        if threading.current_thread() is not threading.main_thread():
            later.set()

    return sent, later, Throttle(0.2, send)


def test_a_burst_sends_the_first_at_once_and_the_rest_as_one_message() -> None:
    sent, later, throttle = _collector()
    throttle(1, ["council.1"])
    assert sent == [(1, ["council.1"])]  # a lone change: at once
    throttle(1, ["constituency.2"])
    throttle(1, ["constituency.3", "constituency.2"])
    throttle(2, ["council.9"])  # another organization: its own window
    assert sent == [(1, ["council.1"]), (2, ["council.9"])]
    assert later.wait(5)
    assert sent[-1] == (1, ["constituency.2", "constituency.3"])


def test_after_a_quiet_window_a_change_goes_at_once_again() -> None:
    sent, _later, throttle = _collector()
    throttle(1, ["a"])
    time.sleep(0.25)
    throttle(1, ["b"])
    assert sent == [(1, ["a"]), (1, ["b"])]
