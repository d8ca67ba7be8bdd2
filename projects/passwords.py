"""Password rules (AUTH_PASSWORD_VALIDATORS), with their messages in Chinese.

Django's own rules (length, similarity to the user's name, common and all-digit passwords) with their messages
in Chinese (Django's translation lacks some), and ours: a password
needs three of the four kinds of characters (the usual rule for government systems), may not be one chunk
repeated (``weak4weak4``), and may never be the published demo password: the demo's accounts get it from the
seed loader, which sets it directly; nobody can choose it through a form, the admin or ``createsuperuser``.
"""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

DEMO_PASSWORD = "demo12345"  # the demo users' password, printed in the README and by `make demo`
KNOWN_PASSWORDS = {DEMO_PASSWORD, "pw-for-tests-123"}

KINDS = (
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "符号"),
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短：至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "密码与%(verbose_name)s太相似。"

    def get_help_text(self):
        return "密码不能与用户名等个人信息太相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "这是一个常见密码，太容易被猜到。"

    def get_help_text(self):
        return "不能使用常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全部为数字。"

    def get_help_text(self):
        return "密码不能全部为数字。"


class KnownPasswordValidator:
    """Refuses the passwords published with the application (the demo's, the tests')."""

    def validate(self, password, user=None):
        if password.strip().lower() in KNOWN_PASSWORDS:
            raise ValidationError("这是公开的演示密码，不能使用。", code="password_known")

    def get_help_text(self):
        return "不能使用公开的演示密码。"


class VarietyValidator:
    """Three of the four kinds of characters, and not one chunk repeated."""

    def __init__(self, kinds: int = 3):
        self.kinds = kinds

    def validate(self, password, user=None):
        found = sum(1 for pattern, _ in KINDS if pattern.search(password))
        if found < self.kinds:
            raise ValidationError(
                f"密码太简单：须包含小写字母、大写字母、数字、符号中的至少 {self.kinds} 种。",
                code="password_too_simple",
            )
        if re.fullmatch(r"(.+?)\1+", password):
            raise ValidationError("密码不能由同一段字符重复组成。", code="password_repeated")

    def get_help_text(self):
        return f"须包含小写字母、大写字母、数字、符号中的至少 {self.kinds} 种，且不能由同一段字符重复组成。"
