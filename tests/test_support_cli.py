"""``flask --app wsgi support check``: what an operator should look at again."""

import datetime

ENTRY = """\
name = "{name}"
countries = ["GB"]
languages = ["en"]
services = ["helpline"]
website = "https://line.example"
phone = "0800 000 000"
always_open = true
source = "{source}"
checked = {checked}
description = {{ {description} }}
"""


def write_entry(
    folder, slug, name, source="https://line.example/contact", checked=None, description=None
):
    checked = checked or datetime.date.today().isoformat()
    description = description or 'en = "Hi", es = "Hola"'
    (folder / f"{slug}.toml").write_text(
        ENTRY.format(name=name, source=source, checked=checked, description=description),
        encoding="utf-8",
    )


def run_check(make_app, tmp_path):
    app = make_app(CONTENT_DIR=tmp_path / "content", LANGUAGES=["en", "es"])
    return app.test_cli_runner().invoke(args=["support", "check"])


def test_check_passes_when_every_entry_is_fresh_and_complete(make_app, tmp_path):
    folder = tmp_path / "content" / "support"
    folder.mkdir(parents=True)
    write_entry(folder, "good-line", "Good Line")
    result = run_check(make_app, tmp_path)
    assert result.exit_code == 0
    assert result.output == "All 1 entries are up to date.\n"


def test_check_lists_each_problem_and_fails(make_app, tmp_path):
    folder = tmp_path / "content" / "support"
    folder.mkdir(parents=True)
    write_entry(folder, "good-line", "Good Line")
    old = (datetime.date.today() - datetime.timedelta(days=200)).isoformat()
    write_entry(folder, "old-line", "Old Line", checked=old)
    write_entry(folder, "news-line", "News Line", source="https://news.example/story")
    write_entry(folder, "english-line", "English Line", description='en = "Hi"')
    result = run_check(make_app, tmp_path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "3 of 4 entries need checking."
    assert f"old-line: details checked on {old}, more than 6 months ago" in lines
    assert any(
        line.startswith("news-line: source https://news.example/story is not") for line in lines
    )
    assert "english-line: description not translated into: es" in lines
    assert not any(line.startswith("good-line") for line in lines)


def test_shipped_directory_check_runs(app):
    """The shipped data may list findings (see the README); the command must not crash."""
    result = app.test_cli_runner().invoke(args=["support", "check"])
    assert result.exit_code in (0, 1)
    assert result.output.splitlines()[-1].endswith(("need checking.", "up to date."))
