# The README's two commands are the contract: `make run` and `make test` on a fresh
# Debian 12 machine as root. Everything they need is installed and started from here.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
SPECS ?= specs
STATE ?= state
BERTH_RELEASE := .build/release/berth

.PHONY: run test coverage faults bench build stamp release release-check image image-test deps engine engine-down clean man install

# Debian packages berth's tooling needs (libssl-dev: BerthHTTP's TLS links it; openssl: the
# TLS tests make certificates with it; git: `--git` runs it, its tests make repositories;
# groff-base: the manual page's test renders berth.1; openssh-server and openssh-client: the
# ssh:// tests run a real sshd on loopback, installed with policy-rc.d saying no, so the
# system's ssh service is not started); the engine script installs docker.io and busybox-static.
deps:
	@command -v python3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3; }
	@dpkg -s libssl-dev openssl >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev openssl; }
	@command -v git >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git; }
	@command -v groff >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq groff-base; }
	@dpkg -s openssh-server openssh-client >/dev/null 2>&1 || { \
	  made=""; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made=1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client; rc=$$?; \
	  [ -z "$$made" ] || rm -f /usr/sbin/policy-rc.d; exit $$rc; }

# The commit is stamped into the binary through a generated header (git-ignored), rewritten
# only when it changes so that only one C file is rebuilt; `berth version` prints it.
build: deps stamp
	swift build -c release --product berth

stamp:
	@mkdir -p Sources/CBuildInfo/generated; \
	commit=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || commit="$$commit-modified"; \
	line="#define BERTH_COMMIT \"$$commit\""; header=Sources/CBuildInfo/generated/commit.h; \
	[ "$$(cat $$header 2>/dev/null)" = "$$line" ] || { echo "$$line" > $$header; touch Sources/CBuildInfo/build_info.c; }

# One file that runs on Debian 12 without the Swift toolchain (README "Installing a
# release"): the Swift runtime and FoundationEssentials linked in, only libc, libssl3 and
# libstdc++ from the system; stripped, named for the version (the tag, else the stamped
# commit) and the machine, with its SHA-256 in dist/SHA256SUMS. Built in a folder of its own
# (.build-static) so the normal build that `make run` and `make test` use is left as it is.
RELEASE_VERSION := $(shell v=$$(git describe --tags --always 2>/dev/null || echo unknown); \
	git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || v="$$v-modified"; echo "$$v")
RELEASE_FILE := dist/berth-$(RELEASE_VERSION)-linux-$(shell uname -m)
release: deps stamp
	swift build -c release --static-swift-stdlib --product berth --scratch-path .build-static
	@mkdir -p dist; rm -f dist/berth-*-linux-* dist/SHA256SUMS; \
	cp .build-static/release/berth $(RELEASE_FILE); strip $(RELEASE_FILE); \
	echo "$(RELEASE_FILE): $$(stat -c %s $(RELEASE_FILE)) bytes, stripped"; \
	cd dist && sha256sum berth-*-linux-* > SHA256SUMS && cat SHA256SUMS

# The release file runs with the toolchain's folder hidden (scripts/release-check.sh).
release-check: release
	@host=$$(scripts/engine.sh up --swarm); \
	DOCKER_HOST=$$host scripts/release-check.sh $(RELEASE_FILE)

# The Docker image of berth (README "berth in a container and in a cluster"): the release file
# on the few files of Debian 12's packages it loads, made into a root file system and imported
# (no registry needed) as berth:VERSION and berth:latest, by scripts/image.sh. Into the engine
# at DOCKER_HOST if set, else the private one (scripts/engine.sh).
image: release
	@host=$${DOCKER_HOST:-$$(scripts/engine.sh up | tail -n1)}; \
	DOCKER_HOST=$$host scripts/image.sh $(RELEASE_FILE)

# The image on the private engine, run as a user runs it (ContainerImageTests): `berth apply`
# inside it converges through the mounted socket, `berth version` names the release.
image-test: release
	@host=$$(scripts/engine.sh up | tail -n1); \
	DOCKER_HOST=$$host scripts/image.sh $(RELEASE_FILE) && \
	BERTH_TEST_DOCKER_HOST=$$host BERTH_TEST_IMAGE=berth:$(RELEASE_VERSION) swift test --filter ContainerImageTests

# Keep specs/ converged on an engine (berth watch, in the foreground; Ctrl-C stops it): the
# engine at DOCKER_HOST or /var/run/docker.sock if one answers, else a private engine under
# state/ (installed and started here, and said so on screen).
run: deps build
	@host=$$(scripts/run-engine.sh); \
	echo "berth: using the Docker Engine at $$host; Ctrl-C stops berth (the containers keep running)" >&2; \
	DOCKER_HOST=$$host exec $(BERTH_RELEASE) watch --specs $(SPECS) --state $(STATE)

# Unit tests need nothing; integration tests run against a private real engine started here,
# and two more (instances b and c: own data roots, bridges and subnets) for the tests of
# several targets; those start and stop a fourth (d) themselves.
# Unit tests run first, on their own: on 2 cores, sharing them with the engine-heavy suites
# starved tests that finish in moments when alone. The engine-restart test takes the engine
# away, so it runs alone, after the others. scripts/test-phases.py runs the phases with a
# TMPDIR of their own, prints one summary line per phase and the skipped tests, fails if a
# phase failed or a test left a file behind. TEST_LOAD=2 keeps two cores busy meanwhile.
# The release phase builds `make release` (static, in .build-static; about 6 minutes from
# scratch on 2 cores), runs it with the toolchain hidden (scripts/release-check.sh), then
# makes the image of it and runs that (ContainerImageTests; some 20 s more).
TEST_LOAD ?= 0
test: deps
	@python3 scripts/test-phases.py --self-test; \
	host=$$(scripts/engine.sh up --swarm); \
	hostb=$$(BERTH_ENGINE_INSTANCE=b scripts/engine.sh up | tail -n1); \
	hostc=$$(BERTH_ENGINE_INSTANCE=c scripts/engine.sh up | tail -n1); \
	python3 scripts/test-phases.py --load $(TEST_LOAD) \
	  'build=swift build --build-tests' \
	  'unit=swift test --skip-build --skip BerthIntegrationTests' \
	  "integration=BERTH_TEST_DOCKER_HOST=$$host BERTH_TEST_DOCKER_HOST_B=$$hostb BERTH_TEST_DOCKER_HOST_C=$$hostc swift test --skip-build --filter BerthIntegrationTests --skip 'EngineRestartTests|ContainerImageTests'" \
	  "release=make -s release && DOCKER_HOST=$$host scripts/release-check.sh $(RELEASE_FILE) && DOCKER_HOST=$$host scripts/image.sh $(RELEASE_FILE) \
	    && BERTH_TEST_DOCKER_HOST=$$host BERTH_TEST_IMAGE=berth:$(RELEASE_VERSION) swift test --skip-build --filter ContainerImageTests" \
	  "engine-restart=BERTH_TEST_DOCKER_HOST=$$host BERTH_TEST_ENGINE_RESTART=1 swift test --skip-build --filter EngineRestartTests"

# Fault suites at full length (BERTH_FAULTS=1; `make test` runs a short version of each):
# SIGKILL crash trials, a full disk under the journal, the fault proxy and the spec fuzzer
# (retries, version negotiation, hostile names and inputs), then the engine restart
# alone as in `make test`, then the table. Fails if any suite or scenario did.
FAULT_SUITES := CrashTrialTests|CrashLeftoverTests|DiskFullTests|FaultProxyTests|FaultApplyTests|FaultWatchTests|ControllerRetryTests|VersionNegotiationTests|SpecFuzzTests|DecodingLinearityTests|HostileInputTests|HostileNameTests
faults: deps
	@host=$$(scripts/engine.sh up --swarm); \
	report=$$(pwd)/$(STATE)/faults/report.jsonl; \
	mkdir -p $(STATE)/faults && rm -f "$$report"; \
	python3 scripts/faults-report.py --self-test >/dev/null; \
	export BERTH_FAULTS=1 BERTH_FAULTS_REPORT="$$report" BERTH_TEST_DOCKER_HOST=$$host; rc=0; \
	swift test --filter '$(FAULT_SUITES)' || rc=1; \
	BERTH_TEST_ENGINE_RESTART=1 swift test --skip-build --filter EngineRestartTests || rc=1; \
	python3 scripts/faults-report.py "$$report" || rc=1; \
	exit $$rc

# Line coverage per module (README "Tests"): the unit and integration phases, instrumented in
# a build folder of their own, added up by scripts/coverage.py. The figures come even when a
# test fails (make test is the verdict on that).
coverage: deps
	@host=$$(scripts/engine.sh up --swarm); \
	rm -rf .build/coverage/debug/codecov-kept; \
	swift build --build-tests --enable-code-coverage --build-path .build/coverage; \
	swift test --skip-build --enable-code-coverage --build-path .build/coverage --skip BerthIntegrationTests || true; \
	python3 scripts/coverage.py --build-path .build/coverage --save unit >/dev/null; \
	BERTH_TEST_DOCKER_HOST=$$host BERTH_TEST_BINARY=$(CURDIR)/.build/coverage/debug/berth \
	  swift test --skip-build --enable-code-coverage --build-path .build/coverage \
	  --filter BerthIntegrationTests --skip EngineRestartTests || true; \
	python3 scripts/coverage.py --build-path .build/coverage

# [10] sets the release file beside BASELINE (a previous build, e.g. one from before issue 16;
# default the normal build): `make bench BASELINE=/path/to/old/berth`.
BASELINE ?= $(BERTH_RELEASE)
bench: deps build release
	@host=$$(scripts/engine.sh up --swarm); \
	BERTH=$(BERTH_RELEASE) BERTH_RELEASE_FILE=$(RELEASE_FILE) BERTH_BASELINE=$(BASELINE) DOCKER_HOST=$$host python3 scripts/bench.py

# The manual page, from the same command table as the parser and `berth help`.
man: build
	$(BERTH_RELEASE) manual > berth.1

# The release binary, berth(1) and the completion scripts, where man and the shells look.
# PREFIX=/usr/local by default; DESTDIR stages the tree for a package.
PREFIX ?= /usr/local
DESTDIR ?=
install: build
	install -D -m 0755 $(BERTH_RELEASE) $(DESTDIR)$(PREFIX)/bin/berth
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(BERTH_RELEASE) manual > $(DESTDIR)$(PREFIX)/share/man/man1/berth.1
	$(BERTH_RELEASE) completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/berth
	$(BERTH_RELEASE) completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_berth
	$(BERTH_RELEASE) completion fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/berth.fish
	chmod 0644 $(DESTDIR)$(PREFIX)/share/man/man1/berth.1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions/berth \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_berth $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/berth.fish

engine:
	@scripts/engine.sh up --swarm

engine-down:
	@scripts/engine.sh down

clean:
	rm -rf .build .build-static dist berth.1
