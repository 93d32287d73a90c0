#include "panelregistry.h"

namespace cairn::studio {

QList<gui::Panel *> createPanels(gui::StudioContext *context)
{
    Q_UNUSED(context);
    QList<gui::Panel *> panels;
    return panels;
}

} // namespace cairn::studio
