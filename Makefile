# The two set-up commands: `make run` (quickstart experiment) and `make test` (every test).
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
AQ := $(BUILD)/cli/aqueduct

.PHONY: run test deps configure build bench format clean python-path control-plane fuzz sanitize-test

run: build
	$(AQ) sim run examples/quickstart/experiment.yaml --out out/quickstart --force

# The e2e suite's real control plane and node's kubelet (built once into
# ~/.cache/aqueduct, about 7 minutes on 2 cores the first time); `make test
# E2E=0` skips building them.
E2E ?= 1
control-plane:
	@if [ "$(E2E)" = 1 ]; then bash scripts/control-plane.sh build; fi

# The file parsers again under ASan and UBSan: their fuzz replays and unit
# tests, in their own build (`make test SANITIZE=0` skips it; `make fuzz`
# covers every entry point under the sanitizers).
SANITIZE ?= 1
SANITIZE_BUILD ?= build-asan
sanitize-test: deps
	@if [ "$(SANITIZE)" = 1 ]; then \
	  cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	    -DCMAKE_CXX_FLAGS_DEBUG="-O1" -DAQUEDUCT_SANITIZE=ON \
	    -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null && \
	  cmake --build $(SANITIZE_BUILD) -j $(JOBS) --target fuzz_parser_targets aqueduct_sanitized_tests && \
	  cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS) -L sanitized; \
	fi

test: build control-plane sanitize-test
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@if [ -d python/tests ] && ls python/tests/test_*.py >/dev/null 2>&1; then \
	  PYTHONPATH=$(CURDIR)/$(BUILD)/python MPLBACKEND=Agg /usr/bin/python3 -m pytest -q -n $(JOBS) python/tests; \
	fi

deps:
	@scripts/deps.sh

# libFuzzer on every fuzz target for FUZZ_SECONDS in all (clang, ASan, UBSan;
# docs/fuzzing.md). Crashing inputs land in $(FUZZ_BUILD)/fuzz-artifacts.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DAQUEDUCT_FUZZ=ON -DPython3_EXECUTABLE=/usr/bin/python3
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DPython3_EXECUTABLE=/usr/bin/python3 $(CMAKE_FLAGS)

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DPython3_EXECUTABLE=/usr/bin/python3 $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

bench: build
	$(BUILD)/bench/aqueduct_bench
	$(BUILD)/bench/aqueduct_csi_bench

# Makes `import aqueduct` work in every /usr/bin/python3 (and its Jupyter kernel).
python-path: build
	@site=$$(/usr/bin/python3 -c 'import site; print(site.getusersitepackages())'); \
	  mkdir -p "$$site" && echo "$(CURDIR)/$(BUILD)/python" > "$$site/aqueduct.pth" && \
	  echo "wrote $$site/aqueduct.pth"

format:
	find core scheduler sim runtime-adapters cli bench tests k8s python -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) out
