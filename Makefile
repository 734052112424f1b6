# Two commands: `make run` and `make test`. Everything else here is what they are made of.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test setup install migrate messages static demo lock lint worker clean bench

run: setup demo
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

setup: install messages migrate static

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when the lock file changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

messages: install
	$(MANAGE) compilemessages --ignore=.venv --ignore=var -v0

migrate: install
	$(MANAGE) migrate --no-input -v0

static: install
	$(MANAGE) collectstatic --no-input -v0

demo: migrate
	$(MANAGE) load_demo

# Debate and proposal pages on a generated town, in its own database (see bench/).
bench: setup
	$(BIN)/python -m bench

# Regenerate the lock file after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

lint: install
	$(BIN)/ruff check .

worker: install
	$(BIN)/celery -A config worker --beat -l info

clean:
	rm -rf $(VENV) var
