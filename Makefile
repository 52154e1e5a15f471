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

# answerability.py, pdf_ingest.py and fixture_dates.py run after run.py: run.py rewrites README.md,
# they re-add their sections (pdf_ingest ~1 min, fixture_dates a few seconds)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick
	$(BIN)/python benchmarks/cold_start.py
	$(BIN)/python benchmarks/answerability.py --quick
	$(BIN)/python benchmarks/pdf_ingest.py
	$(BIN)/python benchmarks/fixture_dates.py

bench-full: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/answerability.py
	$(BIN)/python benchmarks/pdf_ingest.py
	$(BIN)/python benchmarks/fixture_dates.py

clean:
	rm -rf $(VENV) .waymark
