"""Who is signed in, read on every request in statements compiled once per process and prepared once per connection
(issue 17: the session and the user were two queries the ORM compiled anew on every request, a fifth of a kept page's
time).

``SessionStore`` is Django's database session store (the same table, rows, expiry and encoding) whose read of the
session is one prepared statement; ``UserBackend`` is Django's ``ModelBackend`` whose ``get_user`` reads the user
by a statement compiled once. What Django checks on every request is unchanged and made on the user as read now: an
inactive user is not signed in (``user_can_authenticate``), a changed password ends the session (the session's
hash), a logout deletes it.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from projects.precompiled import fetch_all, run_prepared

SESSION_SQL = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        # Django's: the row whose key is this one and that has not expired, else no key (a new session).
        try:
            key = self.session_key
            if self.model is not DatabaseSessionStore.get_model_class() or key is None:
                return super()._get_session_from_db()
            rows = run_prepared(SESSION_SQL, [key, timezone.now()], using=self.model.objects.db)
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            rows = []
        if not rows:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=rows[0][0])


def _user(pk: int):
    return get_user_model()._default_manager.filter(pk=pk)


class UserBackend(ModelBackend):
    """``ModelBackend`` (the same sign-in, permissions and checks) reading the signed-in user by a compiled
    statement."""

    def get_user(self, user_id):
        if type(user_id) is not int:  # the user model's key is an integer: anything else is read as Django reads it
            return super().get_user(user_id)
        users = fetch_all("session_user", _user, user_id)
        if not users:
            return None
        return users[0] if self.user_can_authenticate(users[0]) else None
