#pragma once

#include <QList>

namespace cairn::gui {
class Panel;
class StudioContext;
}

namespace cairn::studio {

/// Every panel of the main window, in the order of their tabs. The one place that knows them all.
QList<gui::Panel *> createPanels(gui::StudioContext *context);

} // namespace cairn::studio
