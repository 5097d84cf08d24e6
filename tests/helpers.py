"""Small helpers shared by several test modules."""

from flask import url_for


def localized_pages(app):
    """Every GET page whose only URL argument is ``lang``, as ``/<lang>/...`` templates
    (``.json`` answers are not pages)."""
    with app.test_request_context():
        rules = [
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.arguments - set(rule.defaults or {}) == {"lang"}
            and not rule.rule.endswith(".json")
        ]
        return sorted(
            {url_for(rule.endpoint, lang="LANG").replace("/LANG", "/{lang}", 1) for rule in rules}
        )


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """async (runOnly) => {
  const result = await axe.run(document, {runOnly});
  return result.violations.map((v) => ({id: v.id, impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}));
}"""


def axe_violations(page, rules=None):
    """Violations axe-core (served from our origin) finds on the page: of WCAG 2.2 AA,
    or of the named ``rules`` only."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    return page.evaluate(AXE_RUN, run_only)


ADD_FILE_INPUT_JS = """(id) => {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.id = id;
  document.body.append(input);
}"""


def choose_files(page, paths, input_id):
    """Put files in a test-only ``<input type=file>`` of the page, adding it if needed."""
    if page.locator(f"#{input_id}").count() == 0:
        page.evaluate(ADD_FILE_INPUT_JS, input_id)
    page.set_input_files(f"#{input_id}", [str(path) for path in paths])
