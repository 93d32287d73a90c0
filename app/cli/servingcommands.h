#pragma once

// Commands of the deploy side of the CLI: serve, endpoints, transform.
#include "clicontext.h"

namespace cairn::cli {

int runServeCommand(Context &context, const QString &verb);
int runEndpointsCommand(Context &context, const QString &verb);
int runTransformCommand(Context &context, const QString &verb);
/// Starts this process again with OMP_NUM_THREADS=1 unless it is set (servecommand.cpp).
void runWithOneOpenMPThread();

} // namespace cairn::cli
