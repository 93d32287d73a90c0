#pragma once

#include <QIcon>
#include <QWidget>

namespace cairn::gui {

class StudioContext;

/// A dockable panel of the main window (Experiments, Training, …). Panels get the
/// StudioContext and never include each other.
class Panel : public QWidget
{
    Q_OBJECT
public:
    explicit Panel(StudioContext *context, QWidget *parent = nullptr) : QWidget(parent), m_context(context) {}

    /// Stable id for settings and --panel (e.g. "experiments").
    virtual QString panelId() const = 0;
    /// Translated title for the dock and the View menu.
    virtual QString title() const = 0;
    virtual QIcon icon() const { return {}; }

protected:
    StudioContext *context() const { return m_context; }

private:
    StudioContext *m_context;
};

} // namespace cairn::gui
