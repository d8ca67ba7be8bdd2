"""Page GETs against a running perfbudget (driven by bench/scale.py): many users, each with its own session,
open their home page and their forms' pages; with ``PERFBUDGET_PAGES_FLOOR`` set they open the health endpoint
instead (a fixed answer through the same stack), the floor the pages are measured against."""

import json
import os
import random

from locust import FastHttpUser, constant, task

PLAN = json.loads(open(os.environ["PERFBUDGET_PAGES_PLAN"], encoding="utf-8").read())
FLOOR = bool(os.environ.get("PERFBUDGET_PAGES_FLOOR"))


class Reader(FastHttpUser):
    wait_time = constant(0)  # as fast as the server answers: throughput, not a user's pace

    def on_start(self):
        me = PLAN["users"][random.randrange(len(PLAN["users"]))]
        self.headers = {"Cookie": f"sessionid={me['session']}"}
        self.urls = me["urls"]

    def _get(self, url: str, name: str):
        with self.client.get(url, headers=self.headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{url} {r.status_code}")

    @task
    def page(self):
        if FLOOR:
            self._get("/healthz/", "health (floor)")
            return
        url = random.choice(self.urls)
        self._get(url, "home page" if url.startswith("/?") else "form page")
