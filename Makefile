# The README's commands. The build itself is Meson + Ninja; this file only
# installs what is missing, configures and runs.
BUILD      ?= build
BUILD_SAN  ?= build-san
MESON_OPTS ?=
MAAT       := $(BUILD)/src/cli/maat
DEMO_DIR   ?= demo

.PHONY: all deps build web demo check test test-san bench clean models fuzz screenshots

all: build

deps:
	@sh scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The web pages (web/dist), from npm packages.
web: deps
	@sh scripts/build-web.sh

# The main job on the embedded default: generate data, train, classify,
# route; then a live server fed a day of contacts (Ctrl-C stops it).
demo: build web
	@sh scripts/demo.sh $(MAAT) $(DEMO_DIR)

# The screenshots in docs/screenshots/ (dashboard and My day, English and
# Dutch, of a server fed generated contacts; the insight report and HR's
# Insight page), in headless Chromium.
screenshots: build web
	node scripts/screenshots.mjs $(MAAT) docs/screenshots
	node scripts/insight-shots.mjs $(MAAT) docs/screenshots

# Every test, in a plain build and again under ASan and UBSan; the CLI
# tests under valgrind; each fuzz harness for a short run.
check: build web
	@sh scripts/check.sh $(BUILD) $(BUILD_SAN)

test: build
	meson test -C $(BUILD) --print-errorlogs

# Every fuzz harness for FUZZ_SECONDS (default 10 minutes) each.
FUZZ_SECONDS ?= 600
fuzz: deps
	@sh scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	@MAAT_BENCH_DEPS=1 sh scripts/install-deps.sh
	@sh bench/run.sh $(MAAT)

# The default tone model, from ../shared/data (models/MODEL.md).
models: build
	@MAAT_BENCH_DEPS=1 sh scripts/install-deps.sh
	@sh scripts/train-models.sh $(MAAT) models

clean:
	rm -rf $(BUILD) $(BUILD_SAN) build-fuzz $(DEMO_DIR)
