#pragma once
// QScintilla's headers use the `signals` and `slots` keywords, which QT_NO_KEYWORDS turns off.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#include <Qsci/qscilexermarkdown.h>
#include <Qsci/qscilexerpython.h>
#include <Qsci/qsciscintilla.h>
#undef signals
#undef slots
