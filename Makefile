# make demo: installs what is missing, builds, opens the dashboard on the simulator.
# make test: installs what is missing, runs every test.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
export HF_HUB_OFFLINE := 1
SWIFT_FLAGS ?=

PREFIX ?= /usr/local
DESTDIR ?=
# The binary `make install` installs; empty builds .build/release/calltop (tests pass the debug one).
INSTALL_BINARY ?=

.PHONY: setup setup-system setup-speech build demo demo-team test test-swift test-speech test-install bench clean install uninstall

setup: setup-system setup-speech

setup-system:
	@bash scripts/setup-system.sh

setup-speech: setup-system
	@if [ -f scripts/setup-speech.sh ]; then bash scripts/setup-speech.sh; fi

build: setup-system
	swift build $(SWIFT_FLAGS)

demo: setup build
	.build/debug/calltop demo

# Team mode on one machine: a throwaway PostgreSQL, the simulator, three workers and the dashboard.
demo-team: setup build
	@bash scripts/demo-team.sh

test: setup
	swift build --build-tests $(SWIFT_FLAGS)
	@if [ -d speech/tests ] && [ -x .venv/bin/python ]; then $(MAKE) --no-print-directory test-speech; fi
	@# One test at a time: several suites time real work (lazy paging, slow streams, first frames), and on
	@# 2 cores parallel suites starve each other. Serial, the whole run takes about 75 s.
	swift test --skip-build --no-parallel $(SWIFT_FLAGS)
	$(MAKE) --no-print-directory test-install

# make install into a temporary prefix, then doctor, demo --help, a transcription from /,
# man page, completions, systemd units (systemd-analyze verify), make uninstall.
test-install:
	@bash scripts/test-install.sh .build/debug/calltop

# Release binary in $(PREFIX)/bin; speech worker, venv and models in $(PREFIX)/lib/calltop;
# themes in $(PREFIX)/share/calltop/themes; calltop.1; bash, zsh and fish completions.
install: setup
	@bash scripts/install.sh --prefix "$(PREFIX)" $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(INSTALL_BINARY),--binary "$(INSTALL_BINARY)")

uninstall:
	@bash scripts/uninstall.sh --prefix "$(PREFIX)" $(if $(DESTDIR),--destdir "$(DESTDIR)")

test-speech:
	.venv/bin/python -m pytest -q speech/tests

bench: setup
	swift build -c release $(SWIFT_FLAGS)
	@bash Benchmarks/run.sh

clean:
	rm -rf .build
