# The two set-up commands of README.md, plus bench and fuzz.
#   make run    install what is missing, build, serve the shipped default config
#   make test   install, build, run every test (unit, golden, integration, fuzz smoke, SDK),
#               then the same under ASan+UBSan and the concurrent modules under TSan
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

.PHONY: all setup configure build run test test-asan test-tsan bench fuzz install deb clean

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

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900
	JOBS=$(JOBS) scripts/test-sanitizers asan
	JOBS=$(JOBS) scripts/test-sanitizers tsan

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
