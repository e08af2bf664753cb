# The two set-up commands of README.md, plus bench and fuzz.
#   make run    install what is missing, build, serve the shipped default config
#   make test   install, build, run every test: integration, SDK, lint on the release
#               build; all of them plus unit, golden and fuzz smoke under ASan+UBSan; the
#               concurrent modules under TSan
#   make unit   the unit and golden suites on the release build
#   make test-asan / make test-tsan   one sanitizer run (build-asan/, build-tsan/)
#   make install / make deb   see docs/deploy.md
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
PREFIX     ?= /usr/local
CMAKE_ARGS ?=
# Line tables, not full debug info: file:line in stacks and profiles at 70-80%
# of the compile CPU of -g (docs/testing.md, "Time budget"). For a debugger
# session: make BUILD=build-debug BUILD_TYPE=Debug.
RELWITHDEBINFO_FLAGS ?= -O2 -gline-tables-only -DNDEBUG

.PHONY: all setup configure build run test unit test-asan test-tsan bench fuzz install deb clean

all: build

setup:
	@scripts/setup

configure: setup
	@if [ ! -f $(BUILD)/build.ninja ]; then \
	  cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	    -DCMAKE_CXX_COMPILER=clang++ \
	    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(RELWITHDEBINFO_FLAGS)" $(CMAKE_ARGS); \
	fi

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bedrock-profiles serve $(ARGS)

# build/ (release) runs what needs the release binary or allocator: integration,
# SDK, IAM differential, packaging, bench smoke, lint. The unit, golden and
# fuzz smoke suites (the same sources) run once, in the ASan+UBSan build;
# `make unit` runs the unit and golden ones in build/ too, `make fuzz` fuzzes
# for longer with build/'s fuzzers. docs/testing.md, "Time budget".
test: configure
	@cmake --build $(BUILD) -j $(JOBS) --target bp_release_suite
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900 -LE '^(unit|golden|fuzz)$$'
	JOBS=$(JOBS) scripts/test-sanitizers asan
	JOBS=$(JOBS) scripts/test-sanitizers tsan

# The unit and golden suites in the release build/ (make test runs them under ASan).
unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900 -L '^(unit|golden)$$'

# Own build directories (build-asan/, build-tsan/); docs/testing.md, "Sanitizers".
test-asan: setup
	JOBS=$(JOBS) scripts/test-sanitizers asan

test-tsan: setup
	JOBS=$(JOBS) scripts/test-sanitizers tsan

bench: build
	scripts/bench $(BUILD)

fuzz: build
	BP_FUZZ_SECONDS=$${BP_FUZZ_SECONDS:-120} scripts/fuzz $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=/stage]; docs/deploy.md.
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX) --strip

# The Debian package: $(BUILD)/bedrock-profiles_<version>_<arch>.deb.
deb: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) build-asan build-tsan
