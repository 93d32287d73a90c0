#include "monitorpanel.h"

#include "baselinedialog.h"
#include "curveplot.h"
#include "datapicker.h"
#include "jobservice.h"
#include "monitorplots.h"
#include "sparklinedelegate.h"
#include "studiocontext.h"

#include "cairn/data/csvreader.h"
#include "cairn/data/csvwriter.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/monitor/capture.h"
#include "cairn/monitor/quality.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/serving/endpointrecord.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>

namespace cairn::panels {

struct MonitorPanel::SourceData
{
    QString source;
    QList<monitor::MonitoringRun> runs;
    std::optional<monitor::Baseline> baseline;
    QString baselineError;
    std::optional<monitor::MonitoringSchedule> schedule;
    QString scheduleError;
};

struct MonitorPanel::TaskResult
{
    QString error;
    QString info;
    QString source;                ///< the source to show afterwards
    QString runId;                 ///< the run to select afterwards
    std::optional<JobSpec> trainSpec; ///< Retrain: the spec for the Training panel
};

namespace {
constexpr int kIdRole = Qt::UserRole + 1;
constexpr int kSortRole = Qt::UserRole + 2;
const QColor kRed(0xd6, 0x27, 0x28);

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &e);
    if (!doc.isObject())
        throw Error(QStringLiteral("%1 is not a JSON object: %2").arg(path, e.errorString()));
    return doc.object();
}

QString baselineDir(const QString &ws, const QString &endpoint)
{
    return QDir(monitor::endpointMonitoringDir(ws, endpoint)).filePath(QStringLiteral("baseline"));
}

/// The comparisons made from the panel or with `cairn monitor compare --output`, oldest first.
QList<monitor::MonitoringRun> listComparisons(const QString &ws)
{
    QList<monitor::MonitoringRun> runs;
    const QDir dir(MonitorPanel::comparisonsDir(ws));
    for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        try {
            monitor::MonitoringRun r = monitor::MonitoringRun::fromJson(readJson(dir.filePath(name + QStringLiteral("/run.json"))));
            r.directory = dir.filePath(name);
            if (r.id.isEmpty())
                r.id = name;
            runs << r;
        } catch (const Error &) {
            // Still being written, or not a report.
        }
    }
    return runs;
}

/// A table cell that sorts by a number (kSortRole) rather than by its text.
class NumberItem : public QTableWidgetItem
{
public:
    NumberItem(const QString &text, double value) : QTableWidgetItem(text) { setData(kSortRole, value); }
    bool operator<(const QTableWidgetItem &other) const override
    {
        const double a = data(kSortRole).toDouble(), b = other.data(kSortRole).toDouble();
        // NaN (not applicable) sorts last.
        if (std::isnan(a) || std::isnan(b))
            return !std::isnan(a) && std::isnan(b);
        return a < b;
    }
};

QString number(double v, int precision = 4)
{
    return std::isfinite(v) ? QString::number(v, 'g', precision) : QStringLiteral("–");
}

QString pValueText(double p)
{
    if (!std::isfinite(p))
        return QStringLiteral("–");
    return p < 1e-4 ? QString::number(p, 'e', 1) : QString::number(p, 'f', 4);
}

QString kindText(const QString &kind)
{
    if (kind == QLatin1String("numeric"))
        return MonitorPanel::tr("numeric");
    if (kind == QLatin1String("categorical"))
        return MonitorPanel::tr("categorical");
    if (kind == QLatin1String("binary"))
        return MonitorPanel::tr("binary");
    if (kind == QLatin1String("text"))
        return MonitorPanel::tr("text");
    return kind;
}

QString methodText(const QString &method)
{
    if (method == QLatin1String("ks"))
        return MonitorPanel::tr("Kolmogorov–Smirnov");
    if (method == QLatin1String("chisquare"))
        return MonitorPanel::tr("chi-squared");
    if (method == QLatin1String("z"))
        return MonitorPanel::tr("proportion z-test");
    if (method == QLatin1String("wasserstein"))
        return MonitorPanel::tr("Wasserstein (normed)");
    if (method == QLatin1String("jensenshannon"))
        return MonitorPanel::tr("Jensen–Shannon");
    if (method == QLatin1String("none"))
        return MonitorPanel::tr("not compared");
    return method;
}

QString statusText(const monitor::MonitoringRun &r)
{
    if (r.status == QLatin1String("Failed"))
        return MonitorPanel::tr("Failed");
    if (r.status == QLatin1String("CompletedWithViolations"))
        return MonitorPanel::tr("Violations");
    return MonitorPanel::tr("Completed");
}

QString timeText(const QDateTime &t)
{
    return t.isValid() ? QLocale().toString(t.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
}

/// The folder of the model the endpoint serves: its live record's first model, else the model
/// its baseline was made with (baseline.json "model"); empty when neither is known.
QString servedModelDir(const QString &ws, const QString &endpoint)
{
    for (const serving::EndpointRecord &r : serving::EndpointRecord::list(ws))
        if (r.name == endpoint && !r.models.isEmpty())
            return r.models.first().toObject().value(QStringLiteral("modelDir")).toString();
    const QString meta = QDir(baselineDir(ws, endpoint)).filePath(QStringLiteral("baseline.json"));
    if (QFileInfo(meta).isFile()) {
        try {
            return readJson(meta).value(QStringLiteral("model")).toString();
        } catch (const Error &) {
        }
    }
    return {};
}

/// The job spec the model in `modelDir` was trained with (its card names the job); throws
/// cairn::Error when the model did not come from a job of this workspace.
JobSpec trainingSpecOf(const QString &ws, const QString &modelDir)
{
    const ModelCard card = ModelCard::load(modelDir);
    const QString spec = QDir(ws).filePath(QStringLiteral("jobs/%1/spec.json").arg(card.jobId));
    if (card.jobId.isEmpty() || !QFileInfo(spec).isFile())
        throw Error(MonitorPanel::tr("The model in %1 was not trained by a job of this workspace: its training settings are not known.").arg(modelDir));
    JobSpec s = JobSpec::load(spec);
    if (s.target.isEmpty())
        s.target = card.target;
    return s;
}
} // namespace

QString MonitorPanel::comparisonsDir(const QString &workspacePath)
{
    return QDir(workspacePath).filePath(QStringLiteral("comparisons"));
}

MonitorPanel::MonitorPanel(gui::StudioContext *context, QWidget *parent)
    : gui::Panel(context, parent), m_source(new QComboBox(this)), m_baselineButton(new QPushButton(tr("Create baseline…"), this)),
      m_runButton(new QPushButton(tr("Run now"), this)), m_window(new QComboBox(this)), m_labelsButton(new QPushButton(tr("Labels…"), this)),
      m_schedule(new QComboBox(this)), m_compareButton(new QPushButton(tr("Compare tables…"), this)),
      m_retrainButton(new QPushButton(tr("Retrain on recent data…"), this)), m_reportButton(new QPushButton(tr("Open report"), this)),
      m_message(new QLabel(this)), m_info(new QLabel(this)), m_timeline(new MonitorTimeline(this)), m_runsView(new QTreeWidget(this)),
      m_violations(new QTreeWidget(this)), m_table(new QTableWidget(this)), m_distribution(new DistributionPlot(this)),
      m_qualityMetric(new QComboBox(this)), m_quality(new gui::CurvePlot(this)), m_pollTimer(new QTimer(this)), m_scheduleTimer(new QTimer(this)),
      m_loadWatcher(new QFutureWatcher<SourceData>(this)), m_runWatcher(new QFutureWatcher<QPair<monitor::DriftReport, monitor::DriftReport>>(this)),
      m_taskWatcher(new QFutureWatcher<TaskResult>(this)), m_scheduleWatcher(new QFutureWatcher<QList<monitor::MonitoringRun>>(this))
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);

    auto *bar = new QHBoxLayout;
    m_source->setObjectName(QStringLiteral("monitorSource"));
    m_source->setMinimumContentsLength(16);
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_source->setToolTip(tr("An endpoint (its captured requests and monitoring runs), or the comparisons of two tables"));
    bar->addWidget(new QLabel(tr("Endpoint:"), this));
    bar->addWidget(m_source);
    m_baselineButton->setToolTip(tr("Statistics and constraints of the data the model was trained on (or any CSV) to compare captured data with"));
    bar->addWidget(m_baselineButton);
    m_window->addItem(tr("since the last run"), int(Window::SinceLastRun));
    m_window->addItem(tr("last hour"), int(Window::LastHour));
    m_window->addItem(tr("last 24 hours"), int(Window::LastDay));
    m_window->addItem(tr("everything captured"), int(Window::AllCaptured));
    m_window->setToolTip(tr("Which captured requests Run now compares with the baseline"));
    m_runButton->setToolTip(tr("Compare the captured requests with the baseline now"));
    bar->addWidget(m_runButton);
    bar->addWidget(m_window);
    m_labelsButton->setToolTip(tr("Ground-truth labels by event id (CSV or SageMaker's JSON Lines) to measure the model's quality with"));
    bar->addWidget(m_labelsButton);
    bar->addWidget(new QLabel(tr("Schedule:"), this));
    m_schedule->addItem(tr("off"), QString());
    m_schedule->addItem(tr("hourly"), QStringLiteral("hourly"));
    m_schedule->addItem(tr("daily"), QStringLiteral("daily"));
    m_schedule->setToolTip(tr("Run monitoring on its own while the studio or `cairn monitor daemon` runs"));
    bar->addWidget(m_schedule);
    bar->addSpacing(12);
    m_compareButton->setToolTip(tr("The same drift report between any two tables, without an endpoint"));
    bar->addWidget(m_compareButton);
    m_retrainButton->setToolTip(tr("Open the Training panel with the model's settings and the selected run's captured rows (with their labels) as training data"));
    bar->addWidget(m_retrainButton);
    bar->addWidget(m_reportButton);
    bar->addStretch(1);
    v->addLayout(bar);

    m_message->setObjectName(QStringLiteral("monitorMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setVisible(false);
    v->addWidget(m_message);
    m_info->setObjectName(QStringLiteral("monitorInfo"));
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_info);

    // Left: the runs over time and the selected run's violations. Right: its drift.
    auto *split = new QSplitter(Qt::Horizontal, this);
    auto *left = new QSplitter(Qt::Vertical, split);
    m_timeline->setObjectName(QStringLiteral("monitorTimeline"));
    left->addWidget(m_timeline);
    m_runsView->setObjectName(QStringLiteral("monitorRuns"));
    m_runsView->setHeaderLabels({tr("Run"), tr("Rows"), tr("Drifted"), tr("Violations"), tr("Status")});
    m_runsView->setRootIsDecorated(false);
    m_runsView->setUniformRowHeights(true);
    m_runsView->setAlternatingRowColors(true);
    m_runsView->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    left->addWidget(m_runsView);
    m_violations->setObjectName(QStringLiteral("monitorViolations"));
    m_violations->setHeaderLabels({tr("Feature"), tr("Check"), tr("Description")});
    m_violations->setRootIsDecorated(false);
    m_violations->setWordWrap(true);
    m_violations->setTextElideMode(Qt::ElideNone); // long descriptions wrap onto more lines
    m_violations->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_violations->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    left->setSizes({260, 340});
    split->addWidget(left);

    auto *right = new QSplitter(Qt::Vertical, split);
    m_table->setObjectName(QStringLiteral("monitorDrift"));
    m_table->setColumnCount(ColumnCount);
    m_table->setHorizontalHeaderLabels({tr("Feature"), tr("Type"), tr("Method"), tr("Statistic"), tr("p-value"), tr("Effect size / distance"),
                                        tr("PSI"), tr("Drifted"), tr("Over runs")});
    m_table->horizontalHeaderItem(PValueColumn)->setToolTip(tr("After the correction for testing many columns at once; the raw p-value is in the cell's tooltip"));
    m_table->horizontalHeaderItem(EffectColumn)->setToolTip(tr("Tests: the effect size (KS D, Cramér's V, Cohen's h); distances: the distance"));
    m_table->horizontalHeaderItem(TrendColumn)->setToolTip(tr("The feature's drift score in each run, the selected run marked"));
    m_table->setItemDelegateForColumn(TrendColumn, new SparklineDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(FeatureColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(TrendColumn, QHeaderView::Fixed);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->resizeSection(TrendColumn, 120);
    m_table->horizontalHeader()->setMinimumSectionSize(40);
    right->addWidget(m_table);
    // Under the table, where the descriptions have the width to be read.
    right->addWidget(m_violations);
    auto *plots = new QSplitter(Qt::Horizontal, right);
    m_distribution->setObjectName(QStringLiteral("monitorDistribution"));
    plots->addWidget(m_distribution);
    m_qualityBox = new QWidget(plots);
    auto *qualityBox = m_qualityBox;
    auto *qv = new QVBoxLayout(qualityBox);
    qv->setContentsMargins(0, 0, 0, 0);
    auto *qh = new QHBoxLayout;
    qh->addWidget(new QLabel(tr("Model quality:"), qualityBox));
    m_qualityMetric->setObjectName(QStringLiteral("monitorQualityMetric"));
    qh->addWidget(m_qualityMetric, 1);
    qv->addLayout(qh);
    m_quality->setObjectName(QStringLiteral("monitorQuality"));
    m_quality->setXKind(gui::CurvePlot::XKind::WallTime);
    m_quality->setEmptyMessage(tr("No quality yet: add labels, or serve a classifier that answers probabilities"));
    m_quality->legend->setVisible(true);
    // The legend in a row above the curves, never over them.
    auto *legendRow = new QCPLayoutGrid;
    m_quality->plotLayout()->insertRow(0);
    m_quality->plotLayout()->addElement(0, 0, legendRow);
    legendRow->addElement(0, 0, m_quality->legend);
    m_quality->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_quality->plotLayout()->setRowStretchFactor(0, 0.001);
    qv->addWidget(m_quality, 1);
    plots->addWidget(qualityBox);
    plots->setSizes({440, 440});
    right->addWidget(plots);
    right->setSizes({230, 130, 300});
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({400, 1000});
    v->addWidget(split, 1);

    connect(m_source, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    connect(m_baselineButton, &QPushButton::clicked, this, &MonitorPanel::chooseBaseline);
    connect(m_runButton, &QPushButton::clicked, this, [this] { runNow(Window(m_window->currentData().toInt())); });
    connect(m_labelsButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Ground-truth labels"), gui::StudioContext::dialogFolder(),
                                                          tr("Labels (*.csv *.jsonl *.json);;All files (*)"));
        if (path.isEmpty())
            return;
        gui::StudioContext::rememberDialogPath(path);
        setGroundTruth(path);
    });
    connect(m_schedule, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updatingSchedule)
            setSchedule(m_schedule->currentData().toString());
    });
    connect(m_compareButton, &QPushButton::clicked, this, &MonitorPanel::chooseCompare);
    connect(m_retrainButton, &QPushButton::clicked, this, &MonitorPanel::chooseRetrain);
    connect(m_reportButton, &QPushButton::clicked, this, &MonitorPanel::openReport);
    connect(m_timeline, &MonitorTimeline::runClicked, this, [this](int i) {
        if (i >= 0 && i < m_runs.size() && selectRun(m_runs.at(i).id))
            Q_EMIT this->context()->alertRaised(panelId(), QString()); // the user has seen the runs
    });
    connect(m_runsView, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item && item->data(0, kIdRole).toString() != m_selectedRun && selectRun(item->data(0, kIdRole).toString()))
            Q_EMIT this->context()->alertRaised(panelId(), QString());
    });
    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0 && m_table->item(row, FeatureColumn))
            selectFeature(m_table->item(row, FeatureColumn)->data(kIdRole).toString());
    });
    connect(m_qualityMetric, &QComboBox::currentIndexChanged, this, &MonitorPanel::showQuality);
    connect(m_loadWatcher, &QFutureWatcher<SourceData>::finished, this, [this] {
        const SourceData data = m_loadWatcher->result();
        if (m_loadAgain) {
            m_loadAgain = false;
            refresh();
            return;
        }
        showSource(data);
    });
    connect(m_runWatcher, &QFutureWatcher<QPair<monitor::DriftReport, monitor::DriftReport>>::finished, this, [this] {
        const auto reports = m_runWatcher->result();
        m_shownRun = m_runWatcherRun;
        m_drift = reports.first;
        m_predictionDrift = reports.second;
        showRun();
    });
    connect(m_taskWatcher, &QFutureWatcher<TaskResult>::finished, this, &MonitorPanel::taskDone);
    connect(m_scheduleWatcher, &QFutureWatcher<QList<monitor::MonitoringRun>>::finished, this, &MonitorPanel::poll);

    // New runs (from this panel, a schedule, `cairn monitor run` or the daemon) appear on their own.
    m_pollTimer->setInterval(3000);
    connect(m_pollTimer, &QTimer::timeout, this, &MonitorPanel::poll);
    m_pollTimer->start();
    m_scheduleTimer->setInterval(60000);
    connect(m_scheduleTimer, &QTimer::timeout, this, &MonitorPanel::runDueSchedules);
    m_scheduleTimer->start();
    connect(context, &gui::StudioContext::workspaceChanged, this, &MonitorPanel::onWorkspaceChanged);
    onWorkspaceChanged();
}

MonitorPanel::~MonitorPanel()
{
    // Background work reads the workspace; let it end before the panel goes.
    for (QFutureWatcherBase *w : std::initializer_list<QFutureWatcherBase *>{m_loadWatcher, m_runWatcher, m_taskWatcher, m_scheduleWatcher})
        w->waitForFinished();
}

void MonitorPanel::onWorkspaceChanged()
{
    m_knownRuns.clear();
    m_scanned = false;
    m_signature.clear();
    m_shownSource.clear();
    m_groundTruths.clear();
    {
        // Another workspace: start on its first endpoint, not on what the last one showed.
        QSignalBlocker block(m_source);
        m_source->clear();
    }
    rebuildSources();
    poll();
    refresh();
}

void MonitorPanel::rebuildSources()
{
    QStringList names;
    if (context()->hasWorkspace()) {
        const QString ws = context()->workspacePath();
        names = monitor::monitoredEndpoints(ws);
        for (const serving::EndpointRecord &r : serving::EndpointRecord::list(ws))
            if (!names.contains(r.name))
                names << r.name;
        names.sort();
    }
    QStringList now;
    for (int i = 0; i < m_source->count(); ++i)
        now << m_source->itemData(i).toString();
    QStringList wanted = names;
    wanted << comparisonsSource();
    if (now == wanted)
        return;
    const QString current = currentSource();
    QSignalBlocker block(m_source);
    m_source->clear();
    for (const QString &n : names)
        m_source->addItem(n, n);
    m_source->addItem(tr("Comparisons of two tables"), comparisonsSource());
    const int keep = m_source->findData(current);
    m_source->setCurrentIndex(keep >= 0 ? keep : 0);
    if (currentSource() != current)
        refresh();
}

QString MonitorPanel::currentSource() const
{
    return m_source->currentData().toString();
}

QStringList MonitorPanel::sources() const
{
    QStringList out;
    for (int i = 0; i < m_source->count(); ++i)
        out << m_source->itemData(i).toString();
    return out;
}

bool MonitorPanel::selectSource(const QString &source)
{
    rebuildSources();
    const int i = m_source->findData(source);
    if (i < 0)
        return false;
    if (i == m_source->currentIndex())
        refresh();
    else
        m_source->setCurrentIndex(i);
    return true;
}

void MonitorPanel::refresh()
{
    if (!context()->hasWorkspace())
        return;
    if (m_loadWatcher->isRunning()) {
        m_loadAgain = true;
        return;
    }
    const QString ws = context()->workspacePath();
    const QString source = currentSource();
    m_loadWatcher->setFuture(QtConcurrent::run([ws, source] {
        SourceData d;
        d.source = source;
        if (source.isEmpty())
            return d;
        if (source == comparisonsSource()) {
            d.runs = listComparisons(ws);
            return d;
        }
        d.runs = monitor::listRuns(ws, source);
        const QString dir = baselineDir(ws, source);
        if (QFileInfo::exists(dir)) {
            try {
                d.baseline = monitor::Baseline::load(dir);
            } catch (const Error &e) {
                d.baselineError = e.message();
            }
        }
        try {
            d.schedule = monitor::MonitoringSchedule::load(ws, source);
        } catch (const Error &e) {
            d.scheduleError = e.message();
        }
        return d;
    }));
}

void MonitorPanel::showSource(const SourceData &data)
{
    const bool sameSource = data.source == m_shownSource;
    // Looking at the latest run: follow the runs that arrive.
    const bool followLatest = m_runs.isEmpty() || m_runs.last().id == m_selectedRun;
    m_shownSource = data.source;
    m_runs = data.runs;
    m_baseline = data.baseline;
    m_baselineError = data.baselineError;
    m_scheduleData = data.schedule;
    // The labels chosen for this endpoint in this session, else those its schedule uses.
    if (!m_groundTruths.contains(data.source) && data.schedule && !data.schedule->groundTruth.isEmpty())
        m_groundTruths.insert(data.source, data.schedule->groundTruth);
    {
        QSignalBlocker block(m_schedule);
        m_updatingSchedule = true;
        const QString frequency = data.schedule && data.schedule->enabled ? data.schedule->frequency : QString();
        m_schedule->setCurrentIndex(std::max(0, m_schedule->findData(frequency)));
        m_updatingSchedule = false;
    }
    if (!data.scheduleError.isEmpty())
        message(data.scheduleError, true);
    // Keep the selected run when it is still there, else show the latest.
    QString select = sameSource && !followLatest ? m_selectedRun : QString();
    const bool present = std::any_of(m_runs.cbegin(), m_runs.cend(), [&](const monitor::MonitoringRun &r) { return r.id == select; });
    if (!present)
        select = m_runs.isEmpty() ? QString() : m_runs.last().id;
    if (!sameSource || !present)
        m_loadedRun.clear();
    m_selectedRun = select;
    showRuns();
    updateInfo();
    updateButtons();
    if (m_selectedRun.isEmpty()) {
        m_drift = {};
        m_predictionDrift = {};
        m_loadedRun.clear();
        m_shownRun.clear();
        showRun();
    } else {
        selectRun(m_selectedRun);
    }
    showQuality();
    Q_EMIT sourceLoaded();
}

void MonitorPanel::showRuns()
{
    QList<MonitorTimeline::Point> points;
    int selectedIndex = -1;
    QSignalBlocker block(m_runsView);
    m_runsView->clear();
    for (int i = 0; i < m_runs.size(); ++i) {
        const monitor::MonitoringRun &r = m_runs.at(i);
        const QDateTime when = r.windowEnd.isValid() ? r.windowEnd : r.started;
        points << MonitorTimeline::Point{when, int(r.violations.size()), r.status == QLatin1String("Failed")};
        auto *item = new QTreeWidgetItem;
        item->setText(0, timeText(when)); // the end of the window it read: when that traffic was
        item->setData(0, kIdRole, r.id);
        QString tip = tr("Run %1").arg(r.id);
        if (r.windowStart.isValid())
            tip += QLatin1Char('\n') + tr("Captured requests from %1 to %2: %3 records, %4 malformed lines skipped")
                                           .arg(timeText(r.windowStart), timeText(r.windowEnd))
                                           .arg(r.records)
                                           .arg(r.malformedLines);
        item->setToolTip(0, tip);
        item->setText(1, QString::number(r.rows));
        item->setText(2, r.driftedFeatures.isEmpty() ? QStringLiteral("–") : r.driftedFeatures.join(QStringLiteral(", ")));
        item->setText(3, QString::number(r.violations.size()));
        item->setText(4, statusText(r));
        if (r.status == QLatin1String("Failed"))
            item->setToolTip(4, r.error);
        if (r.hasViolations() || r.status == QLatin1String("Failed")) {
            item->setForeground(3, kRed);
            item->setForeground(4, kRed);
        }
        m_runsView->addTopLevelItem(item);
        if (r.id == m_selectedRun) {
            selectedIndex = i;
            m_runsView->setCurrentItem(item);
        }
    }
    m_timeline->setRuns(points);
    m_timeline->setSelected(selectedIndex);
}

bool MonitorPanel::selectRun(const QString &id)
{
    int index = -1;
    for (int i = 0; i < m_runs.size(); ++i)
        if (m_runs.at(i).id == id)
            index = i;
    if (index < 0)
        return false;
    m_selectedRun = id;
    m_timeline->setSelected(index);
    {
        QSignalBlocker block(m_runsView);
        for (int i = 0; i < m_runsView->topLevelItemCount(); ++i)
            if (m_runsView->topLevelItem(i)->data(0, kIdRole).toString() == id)
                m_runsView->setCurrentItem(m_runsView->topLevelItem(i));
    }
    const monitor::MonitoringRun &run = m_runs.at(index);
    m_violations->clear();
    for (const monitor::Violation &v : run.violations) {
        auto *item = new QTreeWidgetItem({v.featureName, v.checkType, v.description});
        item->setToolTip(2, v.description);
        m_violations->addTopLevelItem(item);
    }
    if (run.status == QLatin1String("Failed")) {
        auto *item = new QTreeWidgetItem({QStringLiteral("–"), tr("Failed"), run.error});
        item->setForeground(2, kRed);
        item->setToolTip(2, run.error);
        m_violations->addTopLevelItem(item);
    }
    updateButtons();
    if (m_loadedRun == id) {
        showRun();
        return true;
    }
    m_loadedRun = id;
    m_runWatcherRun = id;
    // Never another run's drift beside this run's violations while its reports load.
    m_drift = {};
    m_predictionDrift = {};
    showDriftTable();
    if (m_runWatcher->isRunning())
        m_runWatcher->waitForFinished(); // a drift.json is small; keep the reports in order
    m_runWatcher->setFuture(QtConcurrent::run([run] {
        try {
            return qMakePair(run.drift(), run.predictionDrift());
        } catch (const Error &) {
            return qMakePair(monitor::DriftReport(), monitor::DriftReport());
        }
    }));
    return true;
}

QString MonitorPanel::selectedRunId() const
{
    return m_selectedRun;
}

void MonitorPanel::showRun()
{
    showDriftTable();
    QString feature = m_feature;
    if (!m_drift.feature(feature) && !m_predictionDrift.feature(feature)) {
        // The most drifted feature first: that is what the user came to see.
        feature.clear();
        double best = -1;
        for (const monitor::FeatureDrift &f : m_drift.features)
            if (std::isfinite(f.score()) && (f.drifted ? 2 : 0) + f.score() > best) {
                best = (f.drifted ? 2 : 0) + f.score();
                feature = f.name;
            }
    }
    if (!feature.isEmpty())
        selectFeature(feature);
    else
        m_distribution->setFeature(nullptr, m_selectedRun.isEmpty() ? tr("Select a monitoring run") : tr("This run has no drift report"));
    Q_EMIT runLoaded();
}

void MonitorPanel::showDriftTable()
{
    QSignalBlocker block(m_table);
    m_table->setSortingEnabled(false);
    m_table->setRowCount(0);
    int selectedIndex = -1;
    for (int i = 0; i < m_runs.size(); ++i)
        if (m_runs.at(i).id == m_selectedRun)
            selectedIndex = i;
    auto addRow = [&](const monitor::FeatureDrift &f, bool output) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        auto *name = new QTableWidgetItem(output ? tr("%1 (model output)").arg(f.name) : f.name);
        name->setData(kIdRole, f.name);
        name->setToolTip(tr("%1 baseline values, %2 current values").arg(f.referenceCount).arg(f.currentCount));
        m_table->setItem(row, FeatureColumn, name);
        m_table->setItem(row, KindColumn, new QTableWidgetItem(kindText(f.kind)));
        m_table->setItem(row, MethodColumn, new QTableWidgetItem(methodText(f.method)));
        m_table->setItem(row, StatisticColumn, new NumberItem(number(f.statistic), f.statistic));
        auto *p = new NumberItem(pValueText(f.adjustedPValue), f.adjustedPValue);
        if (std::isfinite(f.pValue))
            p->setToolTip(tr("raw p-value %1, adjusted %2 (threshold %3)").arg(pValueText(f.pValue), pValueText(f.adjustedPValue)).arg(f.threshold));
        m_table->setItem(row, PValueColumn, p);
        const bool test = std::isfinite(f.effectSize);
        const double effect = test ? f.effectSize : f.distance;
        auto *e = new NumberItem(number(effect), effect);
        if (!test)
            e->setToolTip(tr("distance; drift from %1").arg(f.threshold));
        m_table->setItem(row, EffectColumn, e);
        m_table->setItem(row, PsiColumn, new NumberItem(number(f.psi, 3), f.psi));
        auto *d = new NumberItem(f.drifted ? tr("Drifted") : tr("No"), f.drifted ? 1 : 0);
        if (f.drifted) {
            d->setForeground(kRed);
            QFont bold = d->font();
            bold.setBold(true);
            d->setFont(bold);
            name->setFont(bold);
        }
        m_table->setItem(row, DriftedColumn, d);
        // The feature's score in every run of the source, for the sparkline.
        auto *trend = new NumberItem(QString(), f.score());
        QList<double> series;
        if (!output)
            for (const monitor::MonitoringRun &r : std::as_const(m_runs))
                series << r.featureScores.value(f.name, qQNaN());
        trend->setData(SparklineDelegate::SeriesRole, QVariant::fromValue(series));
        trend->setData(SparklineDelegate::MarkRole, selectedIndex);
        trend->setData(SparklineDelegate::FlagRole, f.drifted);
        m_table->setItem(row, TrendColumn, trend);
    };
    for (const monitor::FeatureDrift &f : m_drift.features)
        addRow(f, false);
    for (const monitor::FeatureDrift &f : m_predictionDrift.features)
        addRow(f, true);
    m_table->setSortingEnabled(true);
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (m_table->item(row, FeatureColumn)->data(kIdRole).toString() == m_feature)
            m_table->setCurrentCell(row, FeatureColumn);
}

bool MonitorPanel::selectFeature(const QString &name)
{
    const monitor::FeatureDrift *f = m_drift.feature(name);
    if (!f)
        f = m_predictionDrift.feature(name);
    if (!f)
        return false;
    m_feature = name;
    m_distribution->setFeature(f, tr("No distribution was kept for %1").arg(name));
    QSignalBlocker block(m_table);
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (m_table->item(row, FeatureColumn)->data(kIdRole).toString() == name && m_table->currentRow() != row)
            m_table->setCurrentCell(row, FeatureColumn);
    return true;
}

void MonitorPanel::showQuality()
{
    // Metrics over the windows: measured where labels were given, CBPE's estimate beside them,
    // and the baseline's value as a flat line.
    QStringList metrics;
    for (const monitor::MonitoringRun &r : std::as_const(m_runs))
        for (const monitor::QualityMetrics *q : {&r.quality, &r.estimatedQuality})
            for (auto it = q->metrics.cbegin(); it != q->metrics.cend(); ++it)
                if (!metrics.contains(it.key()))
                    metrics << it.key();
    {
        QSignalBlocker block(m_qualityMetric);
        const QString current = m_qualityMetric->currentText();
        m_qualityMetric->clear();
        m_qualityMetric->addItems(metrics);
        const int keep = m_qualityMetric->findText(current);
        const int accuracy = m_qualityMetric->findText(QStringLiteral("accuracy"));
        m_qualityMetric->setCurrentIndex(keep >= 0 ? keep : std::max(0, accuracy));
    }
    const QString metric = m_qualityMetric->currentText();
    gui::CurvePlot::Curve measured{tr("%1 (labels)").arg(metric), {}, {}};
    gui::CurvePlot::Curve estimated{tr("%1 (estimated, CBPE)").arg(metric), {}, {}};
    double first = qQNaN(), last = qQNaN();
    for (const monitor::MonitoringRun &r : std::as_const(m_runs)) {
        const QDateTime when = r.windowEnd.isValid() ? r.windowEnd : r.started;
        const double x = double(when.toMSecsSinceEpoch()) / 1000.0;
        if (!r.quality.estimated && r.quality.metrics.contains(metric)) {
            measured.x << x;
            measured.y << r.quality.metrics.value(metric);
        }
        const monitor::QualityMetrics &e = r.quality.estimated ? r.quality : r.estimatedQuality;
        if (e.metrics.contains(metric)) {
            estimated.x << x;
            estimated.y << e.metrics.value(metric);
        }
        if (std::isnan(first))
            first = x;
        last = x;
    }
    QList<gui::CurvePlot::Curve> curves;
    if (!measured.x.isEmpty())
        curves << measured;
    if (!estimated.x.isEmpty())
        curves << estimated;
    if (m_baseline && m_baseline->quality.value(metric).isDouble() && !curves.isEmpty())
        curves << gui::CurvePlot::Curve{tr("%1 (baseline)").arg(metric), {first, std::max(last, first + 1)},
                                        {m_baseline->quality.value(metric).toDouble(), m_baseline->quality.value(metric).toDouble()}};
    m_quality->setCurves(curves);
    m_quality->setLabels(tr("end of the window"), metric);
    // No dates of 1970 under an empty chart.
    m_quality->xAxis->setTickLabels(!curves.isEmpty());
    m_quality->replot(QCustomPlot::rpQueuedReplot);
    // Two tables have no model: no quality to show.
    m_qualityBox->setVisible(currentSource() != comparisonsSource());
}

void MonitorPanel::updateInfo()
{
    const QString source = currentSource();
    if (!context()->hasWorkspace()) {
        m_info->setText(tr("Open a workspace to monitor its endpoints."));
        return;
    }
    if (source == comparisonsSource()) {
        m_info->setText(tr("Comparisons of two tables made with Compare tables…, or saved in a folder of %1: %2")
                            .arg(QDir::toNativeSeparators(comparisonsDir(context()->workspacePath())))
                            .arg(m_runs.size()));
        return;
    }
    if (source.isEmpty()) {
        m_info->setText(tr("No endpoint captures data yet: serve a model with --capture 100, or compare two tables."));
        return;
    }
    QStringList parts;
    if (m_baseline) {
        parts << tr("Baseline: %1 (%2 features, %3 rows, made %4)")
                     .arg(QFileInfo(m_baseline->source).fileName())
                     .arg(m_baseline->statistics.features.size())
                     .arg(m_baseline->statistics.itemCount)
                     .arg(timeText(QDateTime::fromMSecsSinceEpoch(m_baseline->created)));
    } else if (!m_baselineError.isEmpty()) {
        parts << QStringLiteral("<span style=\"color:#d62728\">%1</span>").arg(m_baselineError.toHtmlEscaped());
    } else {
        parts << QStringLiteral("<span style=\"color:#d62728\">%1</span>").arg(tr("No baseline yet: create one from the model's training data").toHtmlEscaped());
    }
    if (m_scheduleData && m_scheduleData->enabled)
        parts << tr("schedule: %1, next run %2").arg(m_scheduleData->frequency == QLatin1String("daily") ? tr("daily") : tr("hourly"),
                                                       timeText(m_scheduleData->nextRun()));
    parts << (groundTruth().isEmpty() ? tr("no labels (quality is estimated from probabilities)") : tr("labels: %1").arg(QFileInfo(groundTruth()).fileName()));
    m_info->setText(parts.join(QStringLiteral(" · ")));
}

void MonitorPanel::updateButtons()
{
    const bool busy = isBusy();
    const QString source = currentSource();
    const bool endpoint = context()->hasWorkspace() && !source.isEmpty() && source != comparisonsSource();
    m_baselineButton->setEnabled(endpoint && !busy);
    m_runButton->setEnabled(endpoint && !busy && m_baseline.has_value());
    m_window->setEnabled(endpoint);
    m_labelsButton->setEnabled(endpoint);
    m_schedule->setEnabled(endpoint && m_baseline.has_value());
    m_compareButton->setEnabled(context()->hasWorkspace() && !busy);
    const monitor::MonitoringRun *run = nullptr;
    for (const monitor::MonitoringRun &r : std::as_const(m_runs))
        if (r.id == m_selectedRun)
            run = &r;
    m_retrainButton->setEnabled(endpoint && !busy && run && run->windowStart.isValid() && run->rows > 0);
    m_reportButton->setEnabled(run && QFileInfo::exists(run->reportPath()));
}

bool MonitorPanel::isBusy() const
{
    return m_taskWatcher->isRunning();
}

void MonitorPanel::message(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #d62728;") : QString());
    m_message->setVisible(!text.isEmpty());
}

void MonitorPanel::startTask(const QString &busyText, std::function<TaskResult()> work)
{
    if (isBusy()) {
        message(tr("Wait for the task that runs to end."), true);
        Q_EMIT taskFinished(tr("busy"));
        return;
    }
    message(busyText);
    m_taskWatcher->setFuture(QtConcurrent::run([work] {
        try {
            return work();
        } catch (const Error &e) {
            TaskResult r;
            r.error = e.message();
            return r;
        } catch (const std::exception &e) {
            TaskResult r;
            r.error = QString::fromLocal8Bit(e.what());
            return r;
        }
    }));
    updateButtons();
}

void MonitorPanel::taskDone()
{
    const TaskResult r = m_taskWatcher->result();
    if (!r.error.isEmpty())
        message(r.error, true);
    else
        message(r.info);
    if (r.trainSpec) {
        gui::JobService::of(context())->requestTraining(*r.trainSpec);
        Q_EMIT context()->statusMessage(r.info, 10000);
    }
    poll();
    rebuildSources();
    if (!r.source.isEmpty() && r.source != currentSource())
        selectSource(r.source);
    if (!r.runId.isEmpty())
        m_selectedRun = r.runId;
    refresh();
    updateButtons();
    Q_EMIT taskFinished(r.error);
}

void MonitorPanel::createBaseline(const QString &csvPath, const QString &target, const QStringList &excludeColumns)
{
    const QString source = currentSource();
    if (!context()->hasWorkspace() || source.isEmpty() || source == comparisonsSource()) {
        message(tr("Choose an endpoint first."), true);
        Q_EMIT taskFinished(tr("no endpoint"));
        return;
    }
    const QString ws = context()->workspacePath();
    // `cairn monitor baseline` does it: with the served model it also keeps the model's answers
    // on the reference rows (for prediction drift) and its quality, and it loads the model's
    // plugin in its own process rather than in the studio.
    QStringList args{QStringLiteral("--workspace"), ws, QStringLiteral("monitor"), QStringLiteral("baseline"), QStringLiteral("--data"), csvPath};
    const QString modelDir = servedModelDir(ws, source);
    bool live = false;
    for (const serving::EndpointRecord &r : serving::EndpointRecord::list(ws))
        live = live || r.name == source;
    if (live)
        args << QStringLiteral("--endpoint") << source;
    else
        args << QStringLiteral("--out") << baselineDir(ws, source);
    if (!live && !modelDir.isEmpty())
        args << QStringLiteral("--model") << modelDir;
    if (!target.isEmpty())
        args << QStringLiteral("--target") << target;
    if (!excludeColumns.isEmpty())
        args << QStringLiteral("--exclude") << excludeColumns.join(QLatin1Char(','));
    const QString program = gui::JobService::of(context())->cliProgram();
    startTask(tr("Making the baseline from %1…").arg(QFileInfo(csvPath).fileName()), [=] {
        QProcess p;
        p.setProgram(program);
        p.setArguments(args);
        p.setStandardInputFile(QProcess::nullDevice());
        p.start();
        if (!p.waitForStarted(30000))
            throw Error(tr("cannot start %1: %2").arg(program, p.errorString()));
        p.waitForFinished(-1);
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
            throw Error(err.isEmpty() ? tr("cairn monitor baseline failed (exit code %1)").arg(p.exitCode()) : err.section(QLatin1Char('\n'), -1));
        const monitor::Baseline b = monitor::Baseline::load(baselineDir(ws, source));
        TaskResult r;
        r.source = source;
        r.info = tr("Baseline of %1 made from %2: %3 features, %4 rows (%5).")
                     .arg(source, QFileInfo(csvPath).fileName())
                     .arg(b.statistics.features.size())
                     .arg(b.statistics.itemCount)
                     .arg(QDir::toNativeSeparators(b.directory));
        return r;
    });
}

QPair<QString, QString> MonitorPanel::modelTrainingData() const
{
    const QString source = currentSource();
    if (!context()->hasWorkspace() || source.isEmpty() || source == comparisonsSource())
        return {};
    try {
        const QString modelDir = servedModelDir(context()->workspacePath(), source);
        if (modelDir.isEmpty())
            return {};
        const JobSpec spec = trainingSpecOf(context()->workspacePath(), modelDir);
        if (spec.channels.contains(QStringLiteral("train")))
            return {spec.channels.value(QStringLiteral("train")).path, spec.target};
    } catch (const Error &) {
        // A model from a folder: the user picks the data.
    }
    return {};
}

void MonitorPanel::chooseBaseline()
{
    BaselineDialog dialog(currentSource(), modelTrainingData(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    createBaseline(dialog.csvPath(), dialog.target(), dialog.excludedColumns());
}

void MonitorPanel::runNow(Window window)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QDateTime from;
    switch (window) {
    case Window::SinceLastRun:
        for (const monitor::MonitoringRun &r : std::as_const(m_runs))
            if (r.windowEnd.isValid() && r.status != QLatin1String("Failed"))
                from = r.windowEnd;
        if (!from.isValid())
            from = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
        break;
    case Window::LastHour: from = now.addSecs(-3600); break;
    case Window::LastDay: from = now.addDays(-1); break;
    case Window::AllCaptured: from = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC); break;
    }
    runWindow(from, now);
}

void MonitorPanel::runWindow(const QDateTime &from, const QDateTime &to)
{
    const QString source = currentSource();
    if (!context()->hasWorkspace() || source.isEmpty() || source == comparisonsSource()) {
        message(tr("Choose an endpoint first."), true);
        Q_EMIT taskFinished(tr("no endpoint"));
        return;
    }
    monitor::MonitoringRunOptions options;
    options.workspacePath = context()->workspacePath();
    options.endpoint = source;
    options.windowStart = from;
    options.windowEnd = to;
    options.groundTruth = groundTruth();
    startTask(tr("Monitoring %1…").arg(source), [options] {
        const monitor::MonitoringRun run = monitor::runMonitoring(options);
        TaskResult r;
        r.source = options.endpoint;
        r.runId = run.id;
        if (run.status == QLatin1String("Failed"))
            r.error = tr("Monitoring run %1 failed: %2").arg(run.id, run.error);
        else if (run.hasViolations())
            r.info = tr("Monitoring run %1: %2 rows, %3 violations; drifted: %4.")
                         .arg(run.id)
                         .arg(run.rows)
                         .arg(run.violations.size())
                         .arg(run.driftedFeatures.isEmpty() ? tr("none") : run.driftedFeatures.join(QStringLiteral(", ")));
        else
            r.info = tr("Monitoring run %1: %2 rows, no violations.").arg(run.id).arg(run.rows);
        return r;
    });
}

void MonitorPanel::setGroundTruth(const QString &path)
{
    m_groundTruths.insert(currentSource(), path);
    if (m_scheduleData && context()->hasWorkspace()) {
        monitor::MonitoringSchedule s = *m_scheduleData;
        s.groundTruth = path;
        try {
            s.save(context()->workspacePath());
            m_scheduleData = s;
        } catch (const Error &e) {
            message(e.message(), true);
        }
    }
    updateInfo();
}

bool MonitorPanel::setSchedule(const QString &frequency)
{
    const QString source = currentSource();
    if (!context()->hasWorkspace() || source.isEmpty() || source == comparisonsSource())
        return false;
    const QString ws = context()->workspacePath();
    try {
        if (frequency.isEmpty()) {
            monitor::MonitoringSchedule::remove(ws, source);
            m_scheduleData.reset();
            message(tr("Monitoring of %1 is no longer scheduled.").arg(source));
        } else {
            monitor::MonitoringSchedule s = m_scheduleData.value_or(monitor::MonitoringSchedule());
            s.endpoint = source;
            s.frequency = frequency;
            s.enabled = true;
            s.groundTruth = groundTruth();
            s.save(ws);
            m_scheduleData = s;
            message(tr("Monitoring of %1 runs %2 while the studio or `cairn monitor daemon` runs; next run %3.")
                        .arg(source, frequency == QLatin1String("daily") ? tr("daily") : tr("hourly"), timeText(s.nextRun())));
            runDueSchedules();
        }
    } catch (const Error &e) {
        message(e.message(), true);
        return false;
    }
    QSignalBlocker block(m_schedule);
    m_schedule->setCurrentIndex(std::max(0, m_schedule->findData(frequency)));
    updateInfo();
    return true;
}

void MonitorPanel::runDueSchedules()
{
    if (!context()->hasWorkspace() || m_scheduleWatcher->isRunning())
        return;
    const QString ws = context()->workspacePath();
    m_scheduleWatcher->setFuture(QtConcurrent::run([ws] {
        try {
            return monitor::runDueSchedules(ws);
        } catch (const Error &) {
            return QList<monitor::MonitoringRun>();
        }
    }));
}

void MonitorPanel::compareTables(const QString &referenceCsv, const QString &currentCsv)
{
    if (!context()->hasWorkspace())
        return;
    const QString ws = context()->workspacePath();
    startTask(tr("Comparing %1 with %2…").arg(QFileInfo(currentCsv).fileName(), QFileInfo(referenceCsv).fileName()), [=] {
        const data::Table reference = data::CsvReader::read(referenceCsv);
        const data::Table current = data::CsvReader::read(currentCsv);
        const QString name = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmsszzzZ"));
        const QString dir = QDir(comparisonsDir(ws)).filePath(name);
        monitor::MonitoringRun run = monitor::compareTables(reference, current, dir);
        // What was compared, for the runs list (the core leaves these to the caller).
        run.id = name;
        QJsonObject o = run.toJson();
        o.insert(QStringLiteral("reference"), referenceCsv);
        o.insert(QStringLiteral("current"), currentCsv);
        QSaveFile f(QDir(dir).filePath(QStringLiteral("run.json")));
        if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(o).toJson()) < 0 || !f.commit())
            throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
        TaskResult r;
        r.source = comparisonsSource();
        r.runId = name;
        r.info = tr("%1 against %2: %3 of %4 columns drifted, %5 violations.")
                     .arg(QFileInfo(currentCsv).fileName(), QFileInfo(referenceCsv).fileName())
                     .arg(run.driftedFeatures.size())
                     .arg(run.featureScores.size())
                     .arg(run.violations.size());
        return r;
    });
}

void MonitorPanel::chooseCompare()
{
    const QString reference = QFileDialog::getOpenFileName(this, tr("Reference table (e.g. the training data)"), gui::StudioContext::dialogFolder(),
                                                           tr("CSV files (*.csv);;All files (*)"));
    if (reference.isEmpty())
        return;
    gui::StudioContext::rememberDialogPath(reference);
    const QString current = QFileDialog::getOpenFileName(this, tr("Current table (e.g. new data)"), gui::StudioContext::dialogFolder(),
                                                         tr("CSV files (*.csv);;All files (*)"));
    if (current.isEmpty())
        return;
    gui::StudioContext::rememberDialogPath(current);
    compareTables(reference, current);
}

QString MonitorPanel::retrainOnRecentData(const QString &labelsPath)
{
    const QString source = currentSource();
    const monitor::MonitoringRun *found = nullptr;
    for (const monitor::MonitoringRun &r : std::as_const(m_runs))
        if (r.id == m_selectedRun)
            found = &r;
    auto fail = [this](const QString &text) {
        message(text, true);
        Q_EMIT taskFinished(text);
        return QString();
    };
    if (!context()->hasWorkspace() || source.isEmpty() || source == comparisonsSource() || !found)
        return fail(tr("Select a monitoring run of an endpoint: its captured rows are the recent data."));
    if (!m_baseline)
        return fail(tr("%1 has no baseline: the columns of the captured rows are not known.").arg(source));
    const QString labels = labelsPath.isEmpty() ? groundTruth() : labelsPath;
    if (labels.isEmpty())
        return fail(tr("Training needs the labels of the captured rows: choose a ground-truth file (Labels…)."));
    // The model the endpoint serves: its training spec is the starting point.
    JobSpec spec;
    const QString modelDir = servedModelDir(context()->workspacePath(), source);
    if (modelDir.isEmpty())
        return fail(tr("The model %1 serves is not known: start the endpoint again, or make its baseline with the model.").arg(source));
    try {
        spec = trainingSpecOf(context()->workspacePath(), modelDir);
    } catch (const Error &e) {
        return fail(e.message());
    }
    // A registered version lives in <workspace>/models/NAME/VERSION: call it NAME:VERSION.
    const QDir versionDir(modelDir);
    QDir modelsDir = versionDir;
    modelsDir.cdUp();
    modelsDir.cdUp();
    const QString modelRef = modelsDir.dirName() == QLatin1String("models") ? QFileInfo(modelDir).dir().dirName() + QLatin1Char(':') + versionDir.dirName()
                                                                            : QDir::toNativeSeparators(modelDir);
    if (spec.target.isEmpty())
        spec.target = m_baseline->target;
    const monitor::MonitoringRun run = *found;
    const monitor::Baseline baseline = *m_baseline;
    const QString captureDirectory = monitor::captureDir(context()->workspacePath(), source);
    const QString out = QDir(monitor::endpointMonitoringDir(context()->workspacePath(), source))
                            .filePath(QStringLiteral("retrain/%1.csv").arg(run.id));
    startTask(tr("Collecting the captured rows of run %1…").arg(run.id), [=]() mutable {
        const monitor::CaptureWindow window = monitor::readCapture(captureDirectory, run.windowStart, run.windowEnd);
        QStringList columns;
        for (const monitor::FeatureStatistics &f : baseline.statistics.features)
            columns << f.name;
        QStringList ids;
        const data::Table inputs = monitor::capturedInputs(window, columns, {}, &ids);
        const QHash<QString, QString> truth = monitor::loadGroundTruth(labels);
        QByteArray csv = data::csvLine(inputs.columnNames() << spec.target);
        qint64 rows = 0;
        for (qsizetype row = 0; row < inputs.rowCount(); ++row) {
            const auto label = truth.constFind(ids.value(row));
            if (label == truth.cend())
                continue;
            QStringList fields;
            for (const data::Column &c : inputs.columns)
                fields << c.text(row);
            csv += data::csvLine(fields << *label);
            ++rows;
        }
        if (rows == 0)
            throw Error(tr("None of the %1 captured rows of run %2 has a label in %3.").arg(inputs.rowCount()).arg(run.id, labels));
        QDir().mkpath(QFileInfo(out).absolutePath());
        QSaveFile f(out);
        if (!f.open(QIODevice::WriteOnly) || f.write(csv) < 0 || !f.commit())
            throw Error(QStringLiteral("cannot write %1: %2").arg(out, f.errorString()));
        spec.channels.insert(QStringLiteral("train"), gui::DataPicker::channelFor(out));
        // Recent data is validated on a part of itself, not on the old validation file.
        spec.channels.remove(QStringLiteral("validation"));
        spec.runName = tr("%1 retrained on %2").arg(modelRef, run.id);
        spec.runUuid.clear();
        spec.id.clear();
        spec.outputDir.clear();
        TaskResult r;
        r.trainSpec = spec;
        r.info = tr("Training form prepared: %1's settings on %2 labelled rows captured by %3 (%4).")
                     .arg(modelRef)
                     .arg(rows)
                     .arg(source, QDir::toNativeSeparators(out));
        return r;
    });
    return out;
}

void MonitorPanel::chooseRetrain()
{
    QString labels = groundTruth();
    if (labels.isEmpty()) {
        labels = QFileDialog::getOpenFileName(this, tr("Labels of the captured rows"), gui::StudioContext::dialogFolder(),
                                              tr("Labels (*.csv *.jsonl *.json);;All files (*)"));
        if (labels.isEmpty())
            return;
        gui::StudioContext::rememberDialogPath(labels);
    }
    retrainOnRecentData(labels);
}

void MonitorPanel::openReport()
{
    for (const monitor::MonitoringRun &r : std::as_const(m_runs))
        if (r.id == m_selectedRun && QFileInfo::exists(r.reportPath()))
            QDesktopServices::openUrl(QUrl::fromLocalFile(r.reportPath()));
}

void MonitorPanel::poll()
{
    if (!context()->hasWorkspace())
        return;
    const QString ws = context()->workspacePath();
    rebuildSources();
    // Run folders of every endpoint and comparison: a directory listing, cheap enough to repeat.
    QList<QPair<QString, QString>> found; // (source, run folder)
    for (const QString &e : monitor::monitoredEndpoints(ws)) {
        const QDir runs(QDir(monitor::endpointMonitoringDir(ws, e)).filePath(QStringLiteral("runs")));
        for (const QString &id : runs.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            found << qMakePair(e, runs.filePath(id));
    }
    const QDir comparisons(comparisonsDir(ws));
    for (const QString &id : comparisons.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        found << qMakePair(comparisonsSource(), comparisons.filePath(id));
    bool currentChanged = false;
    for (const auto &[source, dir] : found) {
        const QString key = source + QLatin1Char('/') + QFileInfo(dir).fileName();
        if (m_knownRuns.contains(key))
            continue;
        monitor::MonitoringRun run;
        try {
            run = monitor::MonitoringRun::fromJson(readJson(QDir(dir).filePath(QStringLiteral("run.json"))));
        } catch (const Error &) {
            continue; // not written yet: next time
        }
        m_knownRuns.insert(key);
        if (source == currentSource())
            currentChanged = true;
        if (m_scanned && run.hasViolations() && source != comparisonsSource()) {
            QStringList what;
            for (const monitor::Violation &v : std::as_const(run.violations))
                if (!what.contains(v.featureName))
                    what << v.featureName;
            Q_EMIT context()->alertRaised(panelId(), tr("Monitoring %1: %2 violations (%3)").arg(source).arg(run.violations.size()).arg(what.join(QStringLiteral(", "))));
        }
    }
    if (currentChanged && m_scanned)
        refresh();
    m_scanned = true;
}

} // namespace cairn::panels
