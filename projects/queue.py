"""Queueing a Celery task from a service by the task's name: tasks import their services, never the other
way, so a service that hands work to a worker looks the task up when it queues it (eagerly run in the demo)."""

from celery import current_app


def enqueue(name: str, *args) -> None:
    """Queue the registered task ``name`` with ``args``."""
    current_app.tasks[name].delay(*args)
