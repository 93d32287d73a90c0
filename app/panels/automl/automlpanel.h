#pragma once

#include "panel.h"

#include "cairn/automl/automljob.h"

#include <QList>
#include <QPointer>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace cairn::gui {
class JobService;
}

namespace cairn::panels {

class AutoMLResultView;
class AutoMLWizard;

/// The AutoML panel: "New AutoML job…" opens the wizard; the workspace's AutoML runs (tagged
/// cairn.automl) are listed, and the selected one shows its best model, leaderboard, feature
/// importance and the buttons to open its notebooks, its run, or score a CSV. The panel owns the
/// jobs started from this window, so closing the wizard leaves them running here.
class AutoMLPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit AutoMLPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~AutoMLPanel() override;

    QString panelId() const override { return QStringLiteral("automl"); }
    QString title() const override { return tr("AutoML"); }

    /// Opens the wizard (not modal; it deletes itself when closed).
    AutoMLWizard *newJob();
    /// Starts an AutoML job owned by the panel; throws cairn::Error when it cannot start.
    automl::AutoMLJob *startJob(const automl::AutoMLSpec &spec);
    QList<automl::AutoMLJob *> jobs() const;
    /// Rereads the list of AutoML runs from the store.
    void refreshRuns();
    /// Selects a run in the list; false when it is not there.
    bool selectRun(const QString &runUuid);
    QString selectedRun() const;

    QPushButton *newJobButton() const { return m_new; }
    QPushButton *stopButton() const { return m_stop; }
    QTreeWidget *runsView() const { return m_runs; }
    AutoMLResultView *resultView() const { return m_result; }

Q_SIGNALS:
    void jobFinished(const QString &runUuid, bool ok);

private:
    automl::AutoMLJob *jobOf(const QString &runUuid) const;
    void showSelected();
    void showJob(automl::AutoMLJob *job);
    void dropJobs();
    void updateButtons();

    gui::JobService *m_service;
    QList<QPointer<automl::AutoMLJob>> m_jobs;
    QPushButton *m_new;
    QPushButton *m_stop;
    QLabel *m_status;
    QTreeWidget *m_runs;
    AutoMLResultView *m_result;
    QString m_shownRun;
    QString m_shownStatus;
};

} // namespace cairn::panels
