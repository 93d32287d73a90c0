#pragma once

#include "cairn/jobs/jobrecord.h"

#include "metriccatalog.h"

#include <QMap>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QTimer;

namespace cairn {
class JobManager;
struct JobEvent;
}

namespace cairn::gui {
class CurvePlot;
class StudioContext;
}

namespace cairn::panels {

/// The selected job's live log (job.log, tailed) and metric curves (from the store, plus the
/// events of this window's own jobs as they arrive). Works the same for jobs started by the CLI.
class JobMonitor : public QWidget
{
    Q_OBJECT
public:
    JobMonitor(gui::StudioContext *context, QWidget *parent = nullptr);
    ~JobMonitor() override;

    void setManager(JobManager *manager);
    /// Shows `record` (a record with an empty id clears the view). The same job again only
    /// updates its state.
    void setJob(const JobRecord &record);
    QString jobId() const { return m_record.id; }

    QPlainTextEdit *logView() const { return m_log; }
    gui::CurvePlot *plot() const { return m_plot; }
    QComboBox *metricCombo() const { return m_metric; }
    QLabel *summaryLabel() const { return m_summary; }
    QTabWidget *tabs() const { return m_tabs; }
    /// The metric keys known for the job.
    QStringList metricKeys() const { return m_points.keys(); }
    /// Points known for a metric (step → value).
    QMap<qint64, double> points(const QString &key) const { return m_points.value(key); }

    /// Reads new log lines and metrics now (normally on a timer and on storeChanged).
    void refresh();

private:
    void pollLog();
    void reloadMetrics();
    void onJobEvent(const QString &jobId, const cairn::JobEvent &event);
    QList<gui::MetricCatalog::Group> metricGroups() const;
    void rebuildGroups();
    void redraw();
    void updateHeader();

    gui::StudioContext *m_context;
    QPointer<JobManager> m_manager;
    JobRecord m_record;
    QLabel *m_header;
    QTabWidget *m_tabs;
    QPlainTextEdit *m_log;
    QComboBox *m_metric;
    QLabel *m_summary;
    gui::CurvePlot *m_plot;
    QTimer *m_pollTimer;
    QTimer *m_redrawTimer;
    QMap<QString, QMap<qint64, double>> m_points;
    qint64 m_logOffset = 0;
    QByteArray m_logCarry;
    int m_generation = 0;
    bool m_logLoading = false;
    bool m_metricsLoading = false;
    bool m_metricsDirty = false;
    bool m_metricsSettled = false;
    int m_finalPolls = 0;
    bool m_metricPicked = false; // the user chose a chart: keep it while points arrive
};

} // namespace cairn::panels
