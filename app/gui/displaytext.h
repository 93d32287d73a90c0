#pragma once

#include "cairn/algorithms/task.h"
#include "cairn/store/types.h"

#include <QCoreApplication>
#include <QLocale>
#include <QString>

namespace cairn::gui {

/// Words the panels show for values that core keeps in English (the CLI's language): run
/// statuses, tasks, dates, and the bundled plugins' names and descriptions, in the interface's
/// language.
class DisplayText
{
    Q_DECLARE_TR_FUNCTIONS(cairn::gui::DisplayText)
public:
    /// "Finished", "Running", … (capitalised as a table cell).
    static QString runStatus(RunStatus status);
    /// "binary classification", …; an unknown task id as it is.
    static QString task(Task task);
    static QString task(const QString &taskId);
    /// A time stamp (milliseconds since the epoch) in the locale's format; empty for 0.
    static QString dateTime(qint64 msecsSinceEpoch, QLocale::FormatType format = QLocale::ShortFormat);
    /// A plugin's English name or description in the interface's language when it is one of the
    /// bundled plugins' texts; anything else as it is.
    static QString pluginText(const QString &english);
};

} // namespace cairn::gui
