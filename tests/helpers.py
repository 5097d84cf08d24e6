"""Small helpers shared by several test modules."""

import logging

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


CREATE_CASE_JS = """async (body) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch('/api/cases', {method: 'POST', body: JSON.stringify(body),
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
  return (await response.json()).caseNumber;
}"""


def create_case_in(page, body):
    """Create a case the way the wizard does (``fetch`` with the page's CSRF token); its number."""
    return page.evaluate(CREATE_CASE_JS, body)


# Page weight budget: HTML + CSS + JS of a first visit, compressed as sent.
WEIGHT_LIMIT = 50 * 1024


def first_load_bytes(browser, url):
    """Bytes transferred (compressed) for a first visit to ``url`` in a fresh profile."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes = {}
    cdp.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]),
    )
    page.goto(url, wait_until="networkidle")
    context.close()
    return sum(sizes.values())


def logged_text(caplog, ignore):
    """Everything the test logged, formatted, except records of the loggers named ``ignore*``."""
    formatter = logging.Formatter()
    return "\n".join(
        formatter.format(record) for record in caplog.records if not record.name.startswith(ignore)
    )
