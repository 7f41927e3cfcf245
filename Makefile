# campusguard — build, test and run.
#
#   make deps     install what the tests and the demo need: mosquitto (Debian) and influxd 1.8 (built into var/bin)
#   make deps-mqtt-clients  mosquitto_sub and mosquitto_pub (Debian mosquitto-clients), for the demo's alert topic
#   make deps-browser  chromium and fonts-wqy-microhei (Debian) for the dashboards' browser test
#   make test     vet, gofmt check, and every test including the integration tests (what CI runs)
#   make bench    benchmarks
#   make bench-peer  campusguard against Telegraf on the same burst, steady and idle runs (docs/performance.md;
#                 PEER_MESSAGES, PEER_PUBLISHERS, PEER_RUNS, CAMPUSGUARD_BEFORE_BIN change it; about 15 minutes)
#   make deps-telegraf  Telegraf v1.36.4 with only the plugins the peer benchmark needs, into var/bin
#   make fuzz     each fuzz target in FUZZ_TARGETS for FUZZTIME
#   make run      a local demo: influxd from var/ plus campusguard with simulated devices and a
#                 scripted fault plan, on 127.0.0.1 (LISTEN=0.0.0.0 for every interface, FAULTS=0 for no faults)
#   make clean    remove bin/ and var/ data (keeps the influxd build in var/bin)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO ?= go
INFLUXDB_VERSION := v1.8.10
TELEGRAF_VERSION := v1.36.4
VAR := $(CURDIR)/var
INFLUXD := $(VAR)/bin/influxd
TELEGRAF := $(VAR)/bin/telegraf
# Recursive (=): evaluated when a recipe runs, so after deps has installed mosquitto.
# Debian installs it in /usr/sbin, which is not on every user's PATH.
MOSQUITTO = $(shell command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := $(SUDO) $(CURDIR)/deploy/apt-install.sh

# Recursive (=) too: the browser test drives Debian's chromium, installed by deps-browser.
CHROMIUM = $(shell command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null)

# Integration tests run against real servers (and a real browser) and must not skip themselves here.
TEST_ENV = CAMPUSGUARD_INFLUXD=$(INFLUXD) CAMPUSGUARD_MOSQUITTO=$(MOSQUITTO) CAMPUSGUARD_CHROMIUM=$(CHROMIUM) CAMPUSGUARD_REQUIRE_SERVERS=1

# Fuzz targets, as package:FuzzName pairs, e.g. ./ingest/decode:FuzzDecode.
FUZZ_TARGETS ?= ./devices:FuzzCompiled ./alerting/config:FuzzParse ./alerting/notify:FuzzParseConfig ./dashboards/auth:FuzzParse ./ingest/decode:FuzzDecode ./ingest/decode:FuzzScanObject ./ingest/decode:FuzzRFC3339 \
	./devices:FuzzParse ./ingest/spool:FuzzParseFrame ./ingest/spool:FuzzDecodeCursor
FUZZTIME ?= 30s

# Go files to check with gofmt: everything but var/, bin/ and testdata/.
FIND_GOFILES := find . -name '*.go' -not -path './var/*' -not -path './bin/*' -not -path '*/testdata/*' -not -path './.git/*' -print0

.PHONY: deps deps-mosquitto deps-mqtt-clients deps-influxd deps-telegraf deps-browser build test vet fmt-check bench bench-peer fuzz run clean

deps: deps-mosquitto deps-influxd

deps-mosquitto:
	@if command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; then \
	  echo "deps: mosquitto present"; \
	else \
	  $(APT_INSTALL) mosquitto; \
	  $(SUDO) $(CURDIR)/deploy/disable-system-mosquitto.sh; \
	fi

# The demo's README tells people to watch the alert topic with mosquitto_sub (Debian: mosquitto-clients).
deps-mqtt-clients:
	@if command -v mosquitto_sub >/dev/null 2>&1; then \
	  echo "deps: mosquitto-clients present"; \
	else \
	  $(APT_INSTALL) mosquitto-clients; \
	fi

deps-influxd: $(INFLUXD)

$(INFLUXD):
	@echo "deps: building influxd $(INFLUXDB_VERSION) into $(VAR)/bin (about 90 s)"
	GOBIN=$(VAR)/bin $(GO) install github.com/influxdata/influxdb/cmd/influxd@$(INFLUXDB_VERSION)

deps-telegraf: $(TELEGRAF)

# Only the plugins the peer benchmark uses (internal/peerbench): about a minute to build.
$(TELEGRAF):
	@echo "deps: building telegraf $(TELEGRAF_VERSION) (mqtt_consumer, json_v2, influxdb_v2) into $(VAR)/bin"
	GOBIN=$(VAR)/bin $(GO) install -tags "custom,inputs.mqtt_consumer,outputs.influxdb_v2,parsers.json_v2" \
	  github.com/influxdata/telegraf/cmd/telegraf@$(TELEGRAF_VERSION)

# Headless browser and CJK fonts for the dashboards' browser test (cmd/campusguard/browser_test.go)
# and its screenshots (docs/screenshots/, CAMPUSGUARD_UPDATE_SCREENSHOTS=1); node for the web
# scripts' own tests (dashboards/web: syntax check, the P0 takeover's data flow).
deps-browser:
	@if (command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1) \
	    && fc-list 2>/dev/null | grep -qi 'WenQuanYi Micro Hei' && command -v node >/dev/null 2>&1; then \
	  echo "deps: chromium, fonts-wqy-microhei and node present"; \
	else \
	  $(APT_INSTALL) chromium fonts-wqy-microhei nodejs; \
	fi

build:
	$(GO) build -o bin/campusguard ./cmd/campusguard

vet:
	$(GO) vet ./...

fmt-check:
	@unformatted="$$($(FIND_GOFILES) | xargs -0 -r gofmt -l)"; \
	if [ -n "$$unformatted" ]; then \
	  echo "gofmt: these files need formatting (run gofmt -w):"; echo "$$unformatted"; exit 1; \
	fi

test: deps deps-browser
	$(GO) vet ./...
	@$(MAKE) --no-print-directory fmt-check
	$(TEST_ENV) $(GO) test -race -count=1 -timeout 20m ./...

bench: deps
	$(TEST_ENV) $(GO) test -run '^$$' -bench . -benchmem ./...

# The side-by-side run against Telegraf (internal/peerbench): whole processes, fresh servers per run.
bench-peer: build deps deps-telegraf
	$(TEST_ENV) CAMPUSGUARD_PEER=1 CAMPUSGUARD_BIN=$(CURDIR)/bin/campusguard CAMPUSGUARD_TELEGRAF=$(TELEGRAF) \
	  $(GO) test -run '^$$' -bench 'Peer' -benchtime 1x -timeout 90m ./internal/peerbench

fuzz:
	@if [ -z "$(strip $(FUZZ_TARGETS))" ]; then echo "fuzz: FUZZ_TARGETS is empty"; fi
	@for target in $(FUZZ_TARGETS); do \
	  pkg="$${target%%:*}"; name="$${target##*:}"; \
	  if ! $(GO) test -list "^$$name\$$" "$$pkg" | grep -qx "$$name"; then \
	    echo "fuzz: no fuzz target $$name in $$pkg (FUZZ_TARGETS entries are package:FuzzName)"; exit 1; \
	  fi; \
	  echo "fuzz: $$pkg $$name for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	done

# The demo listens on LISTEN (HTTP :8080 and the embedded MQTT broker :1883; InfluxDB stays on
# 127.0.0.1): the demo accounts' password is published and the broker is anonymous, so only this
# machine by default. FAULTS=1 runs the demo fault plan (docs/dashboards.md), FAULTS=0 none.
LISTEN ?= 127.0.0.1
FAULTS ?= 1

run: build deps deps-mqtt-clients
	CAMPUSGUARD_INFLUXD=$(INFLUXD) CAMPUSGUARD_BIN=$(CURDIR)/bin/campusguard CAMPUSGUARD_VAR=$(VAR) \
	  CAMPUSGUARD_DEMO_LISTEN=$(LISTEN) CAMPUSGUARD_DEMO_FAULTS=$(FAULTS) \
	  $(CURDIR)/deploy/run-demo.sh

clean:
	rm -rf bin
	@if [ -d var ]; then find var -mindepth 1 -maxdepth 1 ! -name bin -exec rm -rf {} +; fi
