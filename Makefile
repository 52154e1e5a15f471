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

# Each writes only its own sections of benchmarks/README.md (the layout is benchmarks/README.template.md);
# run.py --readme-only puts cold_start.py's fresh median into the targets (pdf_ingest ~1 min, fixture_dates
# a few seconds)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick
	$(BIN)/python benchmarks/cold_start.py
	$(BIN)/python benchmarks/run.py --readme-only
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

# Mutation testing, a report and not a CI gate (~5 min): mutants of bot/verify.py, bot/followup.py and the
# staleness functions, run against their fast tests ([tool.mutmut] in pyproject.toml); prints killed/total
# per module. `.venv/bin/mutmut results` lists the survivors, `mutmut show NAME` shows one.
MUTANTS := 'bot.verify.*' 'bot.followup.*' 'bot.answer.x_staleness__*' 'bot.render.x_stale_warning__*' \
	'bot.render.x_undated_warning__*' 'bot.render.x_age_phrase__*' 'bot.render.x_date_phrase__*' \
	'index.dates.*age_years__*' 'index.dates.*sort_key__*' 'index.dates.*human__*'

.PHONY: mutation
mutation: $(STAMP)
	@echo "mutmut run: a few minutes; the spinner is hidden"
	GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
	  $(BIN)/mutmut run $(MUTANTS) > /dev/null
	$(BIN)/mutmut results --all true | awk -F': ' '$$2 != "not checked" { \
	  m = $$1; sub(/^ +/, "", m); sub(/[.]x.*/, "", m); total[m]++; n[m, $$2]++ } \
	  END { for (m in total) { \
	    line = sprintf("%-13s %4d/%-4d killed (%.0f%%),", m, n[m, "killed"], total[m], 100 * n[m, "killed"] / total[m]); \
	    print line, n[m, "survived"] + 0 " survived,", n[m, "timeout"] + 0 " timeouts,", n[m, "no tests"] + 0 " without tests" } }' | sort
