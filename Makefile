# make demo: installs what is missing, builds, opens the dashboard on the simulator.
# make test: installs what is missing, runs every test.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
export HF_HUB_OFFLINE := 1
SWIFT_FLAGS ?=

.PHONY: setup setup-system setup-speech build demo test test-swift test-speech bench clean

setup: setup-system setup-speech

setup-system:
	@bash scripts/setup-system.sh

setup-speech: setup-system
	@if [ -f scripts/setup-speech.sh ]; then bash scripts/setup-speech.sh; fi

build: setup-system
	swift build $(SWIFT_FLAGS)

demo: setup build
	.build/debug/calltop demo

test: setup
	swift build --build-tests $(SWIFT_FLAGS)
	@if [ -d speech/tests ] && [ -x .venv/bin/python ]; then $(MAKE) --no-print-directory test-speech; fi
	@# One test at a time: several suites time real work (lazy paging, slow streams, first frames), and on
	@# 2 cores parallel suites starve each other. Serial, the whole run takes about 75 s.
	swift test --skip-build --no-parallel $(SWIFT_FLAGS)

test-speech:
	.venv/bin/python -m pytest -q speech/tests

bench: setup
	swift build -c release $(SWIFT_FLAGS)
	@bash Benchmarks/run.sh

clean:
	rm -rf .build
