# Quick start: `make run` (install and start the app) and `make test` (install and run every test).
PORT ?= 8501
.PHONY: run serve test check lint bench lock venv ray messages

venv:
	@scripts/venv.sh

# The optional `ray` backend: the same .venv from requirements-ray.lock (every default version, plus Ray).
ray:
	@scripts/venv.sh ray

# On this machine only (loopback): the person at it is the operator.
run: venv
	.venv/bin/python -m ui.runtime.serve --server.address 127.0.0.1 --server.port $(PORT) --browser.gatherUsageStats false

# For a classroom: every interface; visitors are students until unlocked (README: Running it for a class).
serve: venv
	.venv/bin/python -m ui.runtime.serve --server.address 0.0.0.0 --server.port $(PORT) --browser.gatherUsageStats false

test: ray
	@scripts/browser.sh
	.venv/bin/python -m ruff check .
	.venv/bin/python -m pytest -n auto --dist loadgroup -m "not alone"
	.venv/bin/python -m pytest -m alone

# The fast lane for contributors: ruff, then every test that is neither slow nor in a browser (about 1 min).
check: venv
	.venv/bin/python -m ruff check .
	.venv/bin/python -m pytest -n auto --dist loadgroup -m "not slow and not e2e"

lint: venv
	.venv/bin/python -m ruff check . && .venv/bin/python -m ruff format --check .

bench: ray
	.venv/bin/python -m benchmarks.run_benchmarks

# Re-resolve every dependency in one go after editing requirements*.txt; then the Ray lock on top of it, held
# to every version of requirements.lock (so Ray can never change what `make run` installs).
lock: venv
	.venv/bin/uv pip compile --python-version 3.11 --quiet --no-header --annotation-style line \
		requirements-dev.txt -o requirements.lock
	.venv/bin/uv pip compile --python-version 3.11 --quiet --no-header --annotation-style line \
		requirements-dev.txt requirements-ray.txt -c requirements.lock -o requirements-ray.lock

# The course in its own language: extract every `_("…")` / `N_("…")` of the code into locales/pilab.pot, then
# bring each catalog locales/<lang>/LC_MESSAGES/pilab.po up to it (new messages empty, gone ones dropped): fill
# in the new msgstr, and tests/runtime/test_i18n.py passes again. A new language: `pybabel init -D pilab
# -i locales/pilab.pot -d locales -l fr`, then translate.
messages: venv
	.venv/bin/pybabel extract --mapping-file babel.cfg --project "Pi Lab" --version 0.1.0 --no-wrap --sort-by-file \
		--add-location file --add-comments "TRANSLATORS:" -o locales/pilab.pot app.py core ui pages
	.venv/bin/pybabel update --domain pilab --input-file locales/pilab.pot --output-dir locales --no-wrap \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
