"""The base of every Flask-WTF form; each form lives beside the blueprint that uses it."""

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto


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
