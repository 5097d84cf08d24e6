"""Flask-WTF forms of the public pages."""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from .helpdesk.eligibility import ANSWERS


class Form(FlaskForm):
    """Base of every form: fields come from the posted form only.

    Flask-WTF would also read a JSON body as form data, and fail (a 500) on JSON that
    isn't an object; our pages only ever post HTML forms.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                return request.form if request.method in {"POST", "PUT", "PATCH"} else None
            return formdata


class EligibilityForm(Form):
    """One yes/no question of the eligibility check."""

    answer = RadioField(
        choices=[SelectChoice(value, label) for value, label in ANSWERS.items()],
        validators=[InputRequired(message=_l("Choose yes or no."))],
    )
