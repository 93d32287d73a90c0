#pragma once

// QCustomPlot's header uses Qt's keyword macros (signals, slots, emit, foreach), which this
// project turns off with QT_NO_KEYWORDS. Include QCustomPlot through this header only.
#ifndef signals
#define signals Q_SIGNALS
#define CAIRN_QCP_UNDEF_SIGNALS
#endif
#ifndef slots
#define slots Q_SLOTS
#define CAIRN_QCP_UNDEF_SLOTS
#endif
#ifndef emit
#define emit Q_EMIT
#define CAIRN_QCP_UNDEF_EMIT
#endif
#ifndef foreach
#define foreach Q_FOREACH
#define CAIRN_QCP_UNDEF_FOREACH
#endif

#include <qcustomplot.h>

#ifdef CAIRN_QCP_UNDEF_SIGNALS
#undef signals
#undef CAIRN_QCP_UNDEF_SIGNALS
#endif
#ifdef CAIRN_QCP_UNDEF_SLOTS
#undef slots
#undef CAIRN_QCP_UNDEF_SLOTS
#endif
#ifdef CAIRN_QCP_UNDEF_EMIT
#undef emit
#undef CAIRN_QCP_UNDEF_EMIT
#endif
#ifdef CAIRN_QCP_UNDEF_FOREACH
#undef foreach
#undef CAIRN_QCP_UNDEF_FOREACH
#endif
