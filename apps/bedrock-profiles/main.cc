#include "cli/main.h"

int main(int argc, char** argv) { return bp::cli::Main(argc, argv); }
