#pragma once

#include <QList>
#include <QStringList>

namespace cairn::gui {
class Panel;
class StudioContext;
}

namespace cairn::studio {

/// Every panel of the main window, in the order of their tabs. The one place that knows them all.
QList<gui::Panel *> createPanels(gui::StudioContext *context);
/// The ids of those panels in the same order, known without a display (for --help and --panel).
QStringList panelIds();

} // namespace cairn::studio
