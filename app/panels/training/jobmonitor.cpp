#include "jobmonitor.h"

#include "curveplot.h"
#include "joblistmodel.h"
#include "metriccatalog.h"
#include "studiocontext.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <map>
#include <memory>

namespace cairn::panels {

namespace {

constexpr qint64 kLogTail = 512 * 1024;   // a new view shows at most the last 512 KiB of a log
constexpr qint64 kLogChunk = 4 * 1024 * 1024;

struct LogChunk
{
    QByteArray data;
    qint64 start = 0;
    qint64 end = 0;
    bool truncated = false;
};

LogChunk readLog(const QString &path, qint64 from)
{
    LogChunk c;
    c.start = c.end = from;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return c;
    const qint64 size = f.size();
    if (size < from) // the log was replaced: start over
        from = 0;
    if (from == 0 && size > kLogTail) {
        from = size - kLogTail;
        c.truncated = true;
    }
    c.start = from;
    if (!f.seek(from))
        return c;
    c.data = f.read(std::min(size - from, kLogChunk));
    c.end = from + c.data.size();
    return c;
}

struct MetricsResult
{
    QMap<QString, QMap<qint64, double>> points;
    QString error;
};

MetricsResult readMetrics(const QString &databasePath, const QString &runUuid)
{
    // One connection per thread (QtConcurrent's pool threads keep theirs while they live).
    thread_local std::map<QString, std::unique_ptr<ExperimentStore>> stores;
    MetricsResult r;
    try {
        auto &slot = stores[databasePath];
        if (!slot)
            slot = std::make_unique<ExperimentStore>(databasePath);
        const Run run = slot->run(runUuid);
        for (const MetricSummary &m : slot->metricSummaries(run.id)) {
            if (m.key.startsWith(QLatin1String("importance.")))
                continue;
            const MetricSeries s = slot->metricHistory(run.id, m.key);
            auto &target = r.points[m.key];
            for (qsizetype i = 0; i < s.steps.size(); ++i)
                target.insert(s.steps.at(i), s.values.at(i));
        }
    } catch (const Error &e) {
        r.error = e.message();
    }
    return r;
}

} // namespace

JobMonitor::JobMonitor(gui::StudioContext *context, QWidget *parent)
    : QWidget(parent), m_context(context), m_header(new QLabel(this)), m_tabs(new QTabWidget(this)), m_log(new QPlainTextEdit(this)),
      m_metric(new QComboBox(this)), m_summary(new QLabel(this)), m_plot(new gui::CurvePlot(this)), m_pollTimer(new QTimer(this)),
      m_redrawTimer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_header);

    auto *metricsPage = new QWidget(this);
    auto *mv = new QVBoxLayout(metricsPage);
    mv->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Metric:"), metricsPage));
    m_metric->setObjectName(QStringLiteral("metricCombo"));
    m_metric->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    bar->addWidget(m_metric);
    m_summary->setObjectName(QStringLiteral("metricSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_summary, 1);
    mv->addLayout(bar);
    m_plot->setLabels(tr("step"), QString());
    m_plot->setEmptyMessage(tr("Select a job to see its metrics"));
    m_plot->setMinimumHeight(180);
    mv->addWidget(m_plot, 1);
    m_tabs->addTab(metricsPage, tr("Metrics"));

    m_log->setObjectName(QStringLiteral("jobLog"));
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setMaximumBlockCount(20000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("The job's log appears here."));
    m_tabs->addTab(m_log, tr("Log"));
    layout->addWidget(m_tabs, 1);

    connect(m_metric, &QComboBox::activated, this, [this] { m_metricPicked = true; });
    connect(m_metric, &QComboBox::currentIndexChanged, this, &JobMonitor::redraw);
    m_pollTimer->setInterval(500);
    connect(m_pollTimer, &QTimer::timeout, this, &JobMonitor::pollLog);
    m_redrawTimer->setSingleShot(true);
    m_redrawTimer->setInterval(150);
    connect(m_redrawTimer, &QTimer::timeout, this, [this] {
        rebuildGroups();
        redraw();
    });
    connect(context, &gui::StudioContext::storeChanged, this, [this] {
        // An ended job's metrics are all in once read after it ended; others keep changing.
        if (!m_record.runUuid.isEmpty() && !m_metricsSettled)
            reloadMetrics();
    });
    updateHeader();
}

JobMonitor::~JobMonitor() = default;

void JobMonitor::setManager(JobManager *manager)
{
    if (m_manager)
        m_manager->disconnect(this);
    m_manager = manager;
    if (manager)
        connect(manager, &JobManager::jobEvent, this, &JobMonitor::onJobEvent);
}

void JobMonitor::setJob(const JobRecord &record)
{
    if (record.id == m_record.id && !record.id.isEmpty()) {
        const bool ended = !isTerminal(m_record.state) && isTerminal(record.state);
        const bool gotRun = m_record.runUuid.isEmpty() && !record.runUuid.isEmpty();
        m_record = record;
        updateHeader();
        if (ended) {
            m_metricsSettled = false;
            m_finalPolls = 2; // the last lines land after the state changes
            pollLog();
            reloadMetrics();
        } else if (gotRun) {
            reloadMetrics();
        }
        return;
    }
    ++m_generation;
    m_record = record;
    m_log->clear();
    m_logOffset = 0;
    m_logCarry.clear();
    m_logLoading = false;
    m_metricsLoading = false;
    m_metricsDirty = false;
    m_metricsSettled = false;
    m_points.clear();
    m_metricPicked = false;
    {
        const QSignalBlocker block(m_metric);
        m_metric->clear();
    }
    m_summary->clear();
    m_plot->setEmptyMessage(record.id.isEmpty() ? tr("Select a job to see its metrics") : tr("No metrics yet"));
    m_plot->setCurves({});
    updateHeader();
    m_finalPolls = 1;
    if (record.id.isEmpty()) {
        m_pollTimer->stop();
        return;
    }
    m_pollTimer->start();
    pollLog();
    reloadMetrics();
}

void JobMonitor::refresh()
{
    pollLog();
    reloadMetrics();
}

void JobMonitor::updateHeader()
{
    if (m_record.id.isEmpty()) {
        m_header->setText(tr("<i>No job selected.</i>"));
        return;
    }
    QString text = tr("<b>Job %1</b> · %2 · %3").arg(m_record.id.toHtmlEscaped(), m_record.algorithm.toHtmlEscaped(),
                                                     JobListModel::stateText(m_record.state).toHtmlEscaped());
    if (!m_record.message.isEmpty())
        text += QStringLiteral(" — ") + m_record.message.toHtmlEscaped();
    m_header->setText(text);
}

void JobMonitor::pollLog()
{
    if (m_record.id.isEmpty() || !m_context->hasWorkspace() || m_logLoading)
        return;
    if (isTerminal(m_record.state)) {
        if (m_finalPolls <= 0) {
            m_pollTimer->stop();
            return;
        }
        --m_finalPolls;
    }
    const QString path = QDir(JobRecord::dirOf(m_context->workspacePath(), m_record.id)).filePath(QStringLiteral("job.log"));
    m_logLoading = true;
    const int generation = m_generation;
    auto *watcher = new QFutureWatcher<LogChunk>(this);
    connect(watcher, &QFutureWatcher<LogChunk>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_logLoading = false;
        LogChunk c = watcher->result();
        if (c.start < m_logOffset) { // the file was replaced
            m_log->clear();
            m_logCarry.clear();
        }
        m_logOffset = c.end;
        if (c.data.isEmpty())
            return;
        QByteArray text = m_logCarry + c.data;
        if (c.truncated) {
            const qsizetype nl = text.indexOf('\n');
            text = nl < 0 ? QByteArray() : text.mid(nl + 1);
            m_log->appendPlainText(tr("[earlier lines not shown; the whole log is %1]")
                                       .arg(QDir::toNativeSeparators(QDir(JobRecord::dirOf(m_context->workspacePath(), m_record.id)).filePath(QStringLiteral("job.log")))));
        }
        const qsizetype last = text.lastIndexOf('\n');
        m_logCarry = last < 0 ? text : text.mid(last + 1);
        if (last < 0)
            return;
        QScrollBar *bar = m_log->verticalScrollBar();
        const bool atEnd = bar->value() >= bar->maximum() - 2;
        m_log->appendPlainText(QString::fromUtf8(text.left(last)));
        if (atEnd)
            bar->setValue(bar->maximum());
    });
    watcher->setFuture(QtConcurrent::run(readLog, path, m_logOffset));
}

void JobMonitor::reloadMetrics()
{
    if (m_record.runUuid.isEmpty() || !m_context->hasWorkspace())
        return;
    if (m_metricsLoading) {
        m_metricsDirty = true;
        return;
    }
    m_metricsLoading = true;
    m_metricsDirty = false;
    const int generation = m_generation;
    auto *watcher = new QFutureWatcher<MetricsResult>(this);
    connect(watcher, &QFutureWatcher<MetricsResult>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_metricsLoading = false;
        if (isTerminal(m_record.state) && !m_metricsDirty)
            m_metricsSettled = true;
        const MetricsResult r = watcher->result();
        for (auto it = r.points.cbegin(); it != r.points.cend(); ++it) {
            auto &mine = m_points[it.key()];
            for (auto p = it.value().cbegin(); p != it.value().cend(); ++p)
                mine.insert(p.key(), p.value());
        }
        rebuildGroups();
        redraw();
        if (m_metricsDirty)
            reloadMetrics();
    });
    watcher->setFuture(QtConcurrent::run(readMetrics, m_context->workspace().databasePath(), m_record.runUuid));
}

void JobMonitor::onJobEvent(const QString &jobId, const JobEvent &event)
{
    if (jobId != m_record.id || event.type != JobEvent::Type::Metric || event.key().startsWith(QLatin1String("importance.")))
        return;
    m_points[event.key()].insert(event.step(), event.value());
    if (!m_redrawTimer->isActive())
        m_redrawTimer->start();
}

QList<gui::MetricCatalog::Group> JobMonitor::metricGroups() const
{
    QHash<QString, qint64> counts;
    for (auto it = m_points.cbegin(); it != m_points.cend(); ++it)
        if (!it.value().isEmpty())
            counts.insert(it.key(), it.value().size());
    return gui::MetricCatalog::groups(m_record.algorithm, counts);
}

void JobMonitor::rebuildGroups()
{
    // One chart per quantity and unit: the per-epoch losses together, the per-batch loss apart.
    const QList<gui::MetricCatalog::Group> groups = metricGroups();
    QStringList ids, titles;
    for (const gui::MetricCatalog::Group &g : groups) {
        ids << g.quantity + QLatin1Char('|') + QString::number(int(g.unit));
        titles << g.title();
    }
    QStringList existing;
    for (int i = 0; i < m_metric->count(); ++i)
        existing << m_metric->itemData(i).toString();
    const QString current = m_metric->currentData().toString();
    // The first group is the one to show until the user picks another; it may change while the
    // first points arrive (a curve needs two).
    if (existing == ids && (m_metricPicked || current == ids.value(0)))
        return;
    const QSignalBlocker block(m_metric);
    m_metric->clear();
    for (int i = 0; i < ids.size(); ++i)
        m_metric->addItem(titles.at(i), ids.at(i));
    const int keep = m_metricPicked ? int(ids.indexOf(current)) : -1;
    m_metric->setCurrentIndex(keep >= 0 ? keep : 0);
}

void JobMonitor::redraw()
{
    const QString id = m_metric->currentData().toString();
    const QList<gui::MetricCatalog::Group> groups = metricGroups();
    QList<gui::CurvePlot::Curve> curves;
    QStringList summary;
    QString axis = tr("step");
    for (const gui::MetricCatalog::Group &g : groups) {
        if (g.quantity + QLatin1Char('|') + QString::number(int(g.unit)) != id)
            continue;
        axis = gui::MetricCatalog::axisText(g.unit);
        for (const QString &key : g.keys) {
            const QMap<qint64, double> &points = m_points[key];
            if (points.isEmpty())
                continue;
            gui::CurvePlot::Curve c;
            c.name = key;
            for (auto p = points.cbegin(); p != points.cend(); ++p) {
                c.x << double(p.key());
                c.y << p.value();
            }
            // Each last value with where it was taken: a per-batch loss at step 0 is no final loss.
            summary << tr("%1 = %2 (%3 %4)").arg(key, QString::number(c.y.last(), 'g', 5), axis).arg(points.lastKey());
            curves << c;
        }
    }
    m_summary->setText(summary.join(QStringLiteral("   ")));
    m_plot->setLabels(axis, id.section(QLatin1Char('|'), 0, 0));
    if (curves.isEmpty())
        m_plot->setEmptyMessage(m_record.id.isEmpty() ? tr("Select a job to see its metrics") : tr("No metrics yet"));
    m_plot->setCurves(curves);
}

} // namespace cairn::panels
