"""Load against a running perfbudget (driven by bench/load.py): finance staff save self-evaluations through
the API, heads sign submitted ones, auditors download PDFs. Every successful save is written to a ledger
that bench/load.py reads back from the database afterwards."""

import datetime
import json
import os
import random
import re

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["PERFBUDGET_LOAD_PLAN"], encoding="utf-8").read())
LEDGER: dict[str, tuple[str, str]] = {}  # row id → (version after the save, value saved)
COUNTS = {"conflicts": 0, "signed": 0}


def remember(row_id: int, version: str, value: str) -> None:
    known = LEDGER.get(str(row_id))
    if known is None or datetime.datetime.fromisoformat(version) > datetime.datetime.fromisoformat(known[0]):
        LEDGER[str(row_id)] = (version, value)


@events.quitting.add_listener
def write_ledger(environment, **kwargs):
    with open(os.environ["PERFBUDGET_LOAD_LEDGER"], "w", encoding="utf-8") as f:
        json.dump({"ledger": LEDGER, **COUNTS}, f)


class Staff(HttpUser):
    weight = 6
    wait_time = between(0.05, 0.3)

    def on_start(self):
        me = PLAN["staff"][random.randrange(len(PLAN["staff"]))]
        self.headers = {"Authorization": f"Token {me['token']}"}
        self.evaluations = me["evaluations"]

    @task
    def save(self):
        evaluation = random.choice(self.evaluations)
        with self.client.get(
            f"/api/evaluations/{evaluation}/", headers=self.headers, name="API read form", catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"read {r.status_code}")
                return
            detail = r.json()
        if detail["status"] != "draft":
            return
        row = random.choice(detail["rows"])
        value = f"{random.randint(1, 10**6)}次"
        body = {"version": detail["version"], "rows": [{"id": row["id"], "actual": value}]}
        with self.client.patch(
            f"/api/evaluations/{evaluation}/",
            json=body,
            headers=self.headers,
            name="API save form",
            catch_response=True,
        ) as r:
            if r.status_code == 200:
                remember(row["id"], r.json()["version"], value)
                r.success()
            elif r.status_code == 409:  # another person saved first: told so, nothing lost
                COUNTS["conflicts"] += 1
                r.success()
            else:
                r.failure(f"save {r.status_code} {r.text[:200]}")


class Head(HttpUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        me = PLAN["heads"][random.randrange(len(PLAN["heads"]))]
        self.headers = {"Authorization": f"Token {me['token']}"}
        self.evaluations = list(me["evaluations"])
        random.shuffle(self.evaluations)

    @task
    def sign(self):
        if not self.evaluations:
            return
        evaluation = self.evaluations.pop()
        with self.client.post(
            f"/api/evaluations/{evaluation}/sign/", headers=self.headers, name="API sign", catch_response=True
        ) as r:
            if r.status_code == 200:
                COUNTS["signed"] += 1
            elif r.status_code == 400 and "已提交" in r.text:  # signed by the other head of the department meanwhile
                r.success()
            else:
                r.failure(f"sign {r.status_code} {r.text[:200]}")


class Auditor(HttpUser):
    weight = 2
    wait_time = between(0.2, 1.0)

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        auditor = PLAN["auditor"]
        self.client.post(
            "/accounts/login/", {"username": auditor["username"], "password": auditor["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"}, name="login",
        )  # fmt: skip

    @task
    def download(self):
        evaluation = random.choice(PLAN["pdfs"])
        with self.client.get(f"/reports/evaluations/{evaluation}/pdf/", name="PDF download", catch_response=True) as r:
            if r.status_code != 200 or not r.content.startswith(b"%PDF"):
                r.failure(f"pdf {r.status_code}")
