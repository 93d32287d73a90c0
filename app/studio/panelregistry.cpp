#include "panelregistry.h"

#include "experimentspanel.h"

#include "tuningpanel.h"
#include "automlpanel.h"
#include "trainingpanel.h"
#include "labelingpanel.h"
#include "notebookpanel.h"
#include "debuggerpanel.h"
#include "modelspanel.h"
#include "monitorpanel.h"
#include "resourcespanel.h"

namespace cairn::studio {

QList<gui::Panel *> createPanels(gui::StudioContext *context)
{
    QList<gui::Panel *> panels;
    panels << new panels::ExperimentsPanel(context);
    panels << new panels::TrainingPanel(context);
    panels << new panels::LabelingPanel(context);
    panels << new panels::TuningPanel(context);
    panels << new panels::AutoMLPanel(context);
    panels << new panels::NotebookPanel(context);
    panels << new panels::DebuggerPanel(context);
    panels << new panels::ResourcesPanel(context);
    panels << new panels::ModelsPanel(context);
    panels << new panels::MonitorPanel(context);
    return panels;
}

QStringList panelIds()
{
    return {QStringLiteral("experiments"), QStringLiteral("training"), QStringLiteral("labeling"), QStringLiteral("tuning"),
            QStringLiteral("automl"), QStringLiteral("notebooks"), QStringLiteral("debugger"),
            QStringLiteral("resources"), QStringLiteral("models"), QStringLiteral("monitor")};
}

} // namespace cairn::studio
