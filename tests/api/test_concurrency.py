"""Two (or more) reviewers answering the same notification at the same moment, over real
HTTP against a real server: exactly one wins, every other gets 409."""

from __future__ import annotations

import threading

import httpx

from tests.api.live import live_server
from tests.api.test_access_matrix import notification
from tests.exchange_fixtures import World, seed_world

REVIEWERS = ["ncb_analyst", "ncb_analyst2", "ncb_super", "cbn_analyst"]
ROUNDS = 6


def _answer_at_once(base: str, world: World, record_id: int) -> list[int]:
    barrier = threading.Barrier(len(REVIEWERS))
    statuses: list[int] = []
    lock = threading.Lock()

    def review(user: str, answer: str) -> None:
        with httpx.Client(base_url=base, timeout=30, headers=world.auth(user)) as http:
            http.get("/me")  # open the connection before the race
            barrier.wait()
            got = http.post(f"/notifications/{record_id}/answer",
                            json={"answer": answer, "reason": f"decided by {user}"})
        with lock:
            statuses.append(got.status_code)

    threads = [threading.Thread(target=review, args=(user, answer))
               for user, answer in zip(REVIEWERS, ["no_objection", "objection",
                                                   "request_info", "objection"], strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_concurrent_answers_one_wins_the_others_get_409(db_url: str) -> None:
    world = seed_world(db_url)
    with live_server(db_url) as base, httpx.Client(base_url=base, timeout=30) as http:
        for _ in range(ROUNDS):
            created = http.post("/notifications", json=notification("TLP:AMBER"),
                                headers=world.auth("dea_analyst")).json()
            sent = http.post(f"/notifications/{created['id']}/release",
                             json={"nation": "IN", "reason": "PEN"},
                             headers=world.auth("dea_super"))
            assert sent.status_code == 200
            statuses = _answer_at_once(base, world, created["id"])
            assert sorted(statuses) == [200, 409, 409, 409], statuses
            final = http.get(f"/notifications/{created['id']}",
                             headers=world.auth("dea_viewer")).json()
            answers = [e for e in final["history"] if e["from_status"] == "pending"]
            assert len(answers) == 1
            assert final["version"] == 3
