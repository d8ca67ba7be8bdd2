"""The health endpoint: a fixed answer through the middleware, nothing read, nothing revealed."""

import pytest


@pytest.mark.django_db
def test_health_answers_anyone_without_reading_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"ok", "text/plain")
    assert client.post("/healthz/").status_code == 405
