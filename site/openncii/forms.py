"""Flask-WTF forms of the public pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from .helpdesk.eligibility import ANSWERS


class EligibilityForm(FlaskForm):
    """One yes/no question of the eligibility check."""

    answer = RadioField(
        choices=[SelectChoice(value, label) for value, label in ANSWERS.items()],
        validators=[InputRequired(message=_l("Choose yes or no."))],
    )
