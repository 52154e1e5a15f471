# Two commands for a fresh machine:  make chat  |  make test
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat test install index lint bench bench-full clean browser

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first: the CPU wheel on disk; anything else may pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

chat: $(STAMP)
	$(BIN)/waymark chat

index: $(STAMP)
	$(BIN)/waymark index

browser:
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test: $(STAMP) browser
	$(BIN)/ruff check .
	GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False $(BIN)/pytest -q

# answerability.py runs after run.py: run.py rewrites README.md, answerability.py re-adds its section
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick
	$(BIN)/python benchmarks/cold_start.py
	$(BIN)/python benchmarks/answerability.py --quick

bench-full: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/answerability.py

clean:
	rm -rf $(VENV) .waymark
