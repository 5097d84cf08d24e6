"""Small helpers shared by several test modules."""
from flask import url_for


def localized_pages(app):
    """Every GET page whose only URL argument is ``lang``, as ``/<lang>/...`` templates."""
    with app.test_request_context():
        rules = [rule for rule in app.url_map.iter_rules()
                 if "GET" in rule.methods
                 and rule.arguments - set(rule.defaults or {}) == {"lang"}]
        return sorted({url_for(rule.endpoint, lang="LANG").replace("/LANG", "/{lang}", 1)
                       for rule in rules})
