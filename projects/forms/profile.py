"""One's own profile: the name and telephone number the forms take as 填报人 and 联系电话."""

from django import forms

from ..models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["last_name", "first_name", "phone", "email"]
        labels = {"last_name": "姓", "first_name": "名", "phone": "联系电话", "email": "电子邮箱"}
        help_texts = {"phone": "新的自评表以此作为联系电话。"}
