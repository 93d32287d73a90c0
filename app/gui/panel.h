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
    /// True while the panel holds work that closing the window would lose (an unsaved notebook).
    virtual bool hasUnsavedChanges() const { return false; }
    /// Asked before the main window closes: a panel with unsaved work asks the user what to do
    /// with it. False cancels the close.
    virtual bool confirmClose() { return true; }

protected:
    StudioContext *context() const { return m_context; }

private:
    StudioContext *m_context;
};

} // namespace cairn::gui
