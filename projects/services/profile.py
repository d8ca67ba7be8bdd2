"""One's own profile (姓名, 联系电话): what new forms take as 填报人 and 联系电话."""

from django.db import transaction

from ..models import User

PROFILE_FIELDS = ("last_name", "first_name", "phone", "email")


def filler_name(user) -> str:
    """The name a form prints as 填报人: 姓 then 名, empty while the profile has none (never the login name)."""
    if user is None:
        return ""
    return f"{user.last_name}{user.first_name}".strip()


@transaction.atomic
def profile_update(*, user: User, data: dict) -> User:
    """Save the user's own name, telephone and e-mail (never a role or a department)."""
    for name in PROFILE_FIELDS:
        setattr(user, name, data.get(name, getattr(user, name)) or "")
    user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in PROFILE_FIELDS])
    user.save(update_fields=list(PROFILE_FIELDS))
    return user
