#include "experimentcombo.h"

#include "studiocontext.h"

#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"

#include <QComboBox>

namespace cairn::gui {

void reloadExperimentCombo(QComboBox *combo, StudioContext *context)
{
    const QString current = combo->currentText();
    combo->clear();
    if (context->hasWorkspace()) {
        try {
            for (const Experiment &e : context->store().experiments())
                combo->addItem(e.name);
        } catch (const Error &) {
            // An unreadable store shows up in the status bar; the picker still offers Default.
        }
    }
    if (combo->findText(QStringLiteral("Default")) < 0)
        combo->insertItem(0, QStringLiteral("Default"));
    combo->setCurrentText(current.isEmpty() ? QStringLiteral("Default") : current);
}

} // namespace cairn::gui
