#include "debuggerpanel.h"

#include "curveplot.h"
#include "displaytext.h"
#include "histogramplots.h"
#include "studiocontext.h"

#include "cairn/debugger/rulerunner.h"
#include "cairn/debugger/tensorstore.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>

namespace cairn::panels {

using namespace cairn::debugger;

namespace {
enum Role { TensorNameRole = Qt::UserRole + 1, RuleIndexRole };

QColor statusColor(RuleStatus s)
{
    switch (s) {
    case RuleStatus::IssuesFound: return QColor(214, 39, 40);
    case RuleStatus::NoIssuesFound: return QColor(44, 160, 44);
    case RuleStatus::Error: return QColor(255, 127, 14);
    case RuleStatus::NotApplicable: return QColor(127, 127, 127); // grey: nothing to do
    case RuleStatus::InProgress: break;
    }
    return QColor(31, 119, 180);
}

QIcon statusIcon(RuleStatus s)
{
    QPixmap pm(12, 12);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(statusColor(s));
    p.setPen(Qt::NoPen);
    p.drawEllipse(1, 1, 10, 10);
    return QIcon(pm);
}

double reduction(const TensorSample &s, int which)
{
    switch (which) {
    case 0: return s.mean;
    case 1: return s.std;
    case 2: return s.min;
    case 3: return s.max;
    case 4: return s.meanAbs();
    case 5: return s.l1;
    case 6: return s.l2;
    case 7: return s.zeroFraction() * 100.0;
    case 8: return double(s.nanCount);
    case 9: return double(s.infCount);
    }
    return s.mean;
}
} // namespace

QString statusText(RuleStatus s)
{
    switch (s) {
    case RuleStatus::InProgress: return DebuggerPanel::tr("In progress");
    case RuleStatus::NoIssuesFound: return DebuggerPanel::tr("No issues found");
    case RuleStatus::IssuesFound: return DebuggerPanel::tr("Issues found");
    case RuleStatus::Error: return DebuggerPanel::tr("Error");
    case RuleStatus::NotApplicable: return DebuggerPanel::tr("Not applicable");
    }
    return {};
}

DebuggerPanel::DebuggerPanel(gui::StudioContext *context, QWidget *parent) : gui::Panel(context, parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Run:")));
    m_runCombo = new QComboBox;
    m_runCombo->setMinimumContentsLength(28);
    m_runCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_runCombo->setToolTip(tr("Runs that recorded debugger data (jobs with collections, or cairn.debugger.Hook)"));
    bar->addWidget(m_runCombo, 1);
    bar->addWidget(new QLabel(tr("Compare with:")));
    m_compareCombo = new QComboBox;
    m_compareCombo->setMinimumContentsLength(20);
    m_compareCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    bar->addWidget(m_compareCombo, 1);
    m_evaluate = new QPushButton(tr("Evaluate all rules"));
    m_evaluate->setToolTip(tr("Runs every built-in rule on the recorded data of this run"));
    bar->addWidget(m_evaluate);
    layout->addLayout(bar);
    m_notice = new QLabel;
    m_notice->setWordWrap(true);
    m_notice->setStyleSheet(QStringLiteral("QLabel { background: #fde2e1; color: #7a1010; padding: 4px; border-radius: 3px; }"));
    m_notice->setVisible(false);
    layout->addWidget(m_notice);

    auto *split = new QSplitter(Qt::Horizontal);
    auto *left = new QSplitter(Qt::Vertical);
    m_tensors = new QTreeWidget;
    m_tensors->setHeaderLabels({tr("Tensor"), tr("Steps")});
    m_tensors->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tensors->header()->setStretchLastSection(false);
    m_tensors->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tensors->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    left->addWidget(m_tensors);
    auto *rulesBox = new QWidget;
    auto *rulesLayout = new QVBoxLayout(rulesBox);
    rulesLayout->setContentsMargins(0, 0, 0, 0);
    m_rules = new QTreeWidget;
    m_rules->setHeaderLabels({tr("Rule"), tr("Status"), tr("Step")});
    m_rules->setRootIsDecorated(false);
    m_rules->header()->setStretchLastSection(false);
    m_rules->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_rules->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_rules->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    rulesLayout->addWidget(m_rules, 1);
    m_ruleText = new QLabel;
    m_ruleText->setWordWrap(true);
    m_ruleText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_ruleText->setMinimumHeight(60);
    m_ruleText->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    rulesLayout->addWidget(m_ruleText);
    left->addWidget(rulesBox);
    left->setStretchFactor(0, 3);
    left->setStretchFactor(1, 2);
    split->addWidget(left);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget;
    m_heatmap = new HistogramHeatmap;
    m_tabs->addTab(m_heatmap, tr("Heatmap"));
    m_offset = new OffsetHistogramPlot;
    m_tabs->addTab(m_offset, tr("Histograms"));
    auto *reductions = new QWidget;
    auto *redLayout = new QVBoxLayout(reductions);
    redLayout->setContentsMargins(0, 0, 0, 0);
    auto *redBar = new QHBoxLayout;
    redBar->addWidget(new QLabel(tr("Reduction:")));
    m_reduction = new QComboBox;
    m_reduction->addItems({tr("mean"), tr("standard deviation"), tr("minimum"), tr("maximum"), tr("mean |x|"), tr("L1 norm"),
                           tr("L2 norm"), tr("zeros (%)"), tr("NaN count"), tr("Inf count")});
    redBar->addWidget(m_reduction);
    redBar->addStretch(1);
    redLayout->addLayout(redBar);
    m_curves = new gui::CurvePlot;
    m_curves->setEmptyMessage(tr("Select one or more tensors"));
    redLayout->addWidget(m_curves, 1);
    m_tabs->addTab(reductions, tr("Reductions"));
    auto *compare = new QWidget;
    auto *cmpLayout = new QVBoxLayout(compare);
    cmpLayout->setContentsMargins(0, 0, 0, 0);
    m_compareLabel = new QLabel(tr("Choose a run to compare with above"));
    cmpLayout->addWidget(m_compareLabel);
    auto *cmpSplit = new QSplitter(Qt::Horizontal);
    m_compareHeatmap = new HistogramHeatmap;
    m_compareOther = new HistogramHeatmap;
    cmpSplit->addWidget(m_compareHeatmap);
    cmpSplit->addWidget(m_compareOther);
    cmpLayout->addWidget(cmpSplit, 1);
    m_tabs->addTab(compare, tr("Compare runs"));
    rightLayout->addWidget(m_tabs, 1);
    auto *sliderBar = new QHBoxLayout;
    sliderBar->addWidget(new QLabel(tr("Step:")));
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setEnabled(false);
    sliderBar->addWidget(m_slider, 1);
    m_stepLabel = new QLabel;
    m_stepLabel->setMinimumWidth(320);
    sliderBar->addWidget(m_stepLabel);
    rightLayout->addLayout(sliderBar);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({340, 940}); // tensor and rule names need room
    layout->addWidget(split, 1);

    connect(m_runCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_reloading)
            reloadTensors();
    });
    connect(m_compareCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_reloading)
            reloadSeries();
    });
    connect(m_tensors, &QTreeWidget::itemSelectionChanged, this, [this] {
        if (!m_reloading)
            reloadSeries();
    });
    connect(m_reduction, &QComboBox::currentIndexChanged, this, [this] { updateCurves(); });
    connect(m_slider, &QSlider::valueChanged, this, [this] { updateStep(); });
    connect(m_rules, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) { onRuleClicked(item); });
    connect(m_rules, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) { onRuleClicked(item); });
    connect(m_evaluate, &QPushButton::clicked, this, &DebuggerPanel::evaluateRules);
    connect(&m_watcher, &QFutureWatcher<QString>::finished, this, [this] {
        m_evaluate->setEnabled(true);
        const QString error = m_watcher.result();
        if (!error.isEmpty())
            Q_EMIT this->context()->statusMessage(tr("Cannot evaluate the rules: %1").arg(error));
        this->context()->notifyStoreChanged();
        reloadRules();
        Q_EMIT evaluated();
    });
    connect(context, &gui::StudioContext::workspaceChanged, this, [this] {
        m_shownRun = -1;
        m_noticeSince = nowMs();
        reload();
    });
    connect(context, &gui::StudioContext::storeChanged, this, [this] {
        reloadRuns();
        checkNotifications();
    });
    m_noticeSince = nowMs();
    reload();
}

DebuggerPanel::~DebuggerPanel()
{
    m_watcher.waitForFinished();
}

qint64 DebuggerPanel::runId(const QComboBox *combo) const
{
    return combo->currentData().isValid() ? combo->currentData().toLongLong() : -1;
}

qint64 DebuggerPanel::currentStep() const
{
    const QStringList names = selectedTensors();
    if (names.isEmpty() || !m_series.contains(names.first()))
        return -1;
    const auto &samples = m_series.value(names.first()).samples;
    const int i = m_slider->value();
    return i >= 0 && i < int(samples.size()) ? samples[size_t(i)].step : -1;
}

void DebuggerPanel::reload()
{
    reloadRuns();
    reloadTensors();
}

void DebuggerPanel::reloadRuns()
{
    if (!context()->hasWorkspace())
        return;
    QList<Run> runs;
    try {
        TensorStore ts(context()->store());
        runs = context()->store().runsByIds(ts.runsWithData());
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(e.message());
        return;
    }
    std::sort(runs.begin(), runs.end(), [](const Run &a, const Run &b) { return a.startTime > b.startTime; });
    const qint64 current = runId(m_runCombo), other = runId(m_compareCombo);
    m_reloading = true;
    {
        QSignalBlocker b1(m_runCombo), b2(m_compareCombo);
        m_runCombo->clear();
        m_compareCombo->clear();
        m_compareCombo->addItem(tr("(none)"));
        for (const Run &r : runs) {
            const QString label = tr("%1 · %2 · %3").arg(r.name.isEmpty() ? r.uuid.left(8) : r.name, r.uuid.left(8), gui::DisplayText::runStatus(r.status));
            m_runCombo->addItem(label, r.id);
            m_compareCombo->addItem(label, r.id);
        }
        const int i = m_runCombo->findData(current);
        m_runCombo->setCurrentIndex(i >= 0 ? i : (runs.isEmpty() ? -1 : 0));
        const int j = m_compareCombo->findData(other);
        m_compareCombo->setCurrentIndex(j >= 0 ? j : 0);
    }
    m_reloading = false;
    m_evaluate->setEnabled(!runs.isEmpty() && !m_watcher.isRunning());
    if (runId(m_runCombo) != m_shownRun) {
        reloadTensors();
        return;
    }
    // The same run: follow it only when its tensors moved (a live job), keeping the selection.
    QList<TensorInfo> now;
    try {
        now = TensorStore(context()->store()).tensors(m_shownRun);
    } catch (const Error &) {
        return;
    }
    bool moved = now.size() != m_tensorInfos.size();
    for (qsizetype i = 0; !moved && i < now.size(); ++i)
        moved = now.at(i).name != m_tensorInfos.at(i).name || now.at(i).lastStep != m_tensorInfos.at(i).lastStep;
    if (moved)
        reloadTensors();
    else
        reloadRules();
}

void DebuggerPanel::reloadTensors()
{
    const qint64 run = runId(m_runCombo);
    const QStringList keep = m_shownRun == run ? selectedTensors() : QStringList();
    m_shownRun = run;
    m_tensorInfos.clear();
    if (run >= 0 && context()->hasWorkspace()) {
        try {
            m_tensorInfos = TensorStore(context()->store()).tensors(run);
        } catch (const Error &e) {
            Q_EMIT context()->statusMessage(e.message());
        }
    }
    m_reloading = true;
    m_tensors->clear();
    QHash<QString, QTreeWidgetItem *> groups;
    QTreeWidgetItem *first = nullptr;
    for (const TensorInfo &t : std::as_const(m_tensorInfos)) {
        const QString group = t.collection.isEmpty() ? tr("other") : t.collection;
        QTreeWidgetItem *parent = groups.value(group);
        if (!parent) {
            parent = new QTreeWidgetItem(m_tensors, {group});
            parent->setFlags(Qt::ItemIsEnabled);
            parent->setExpanded(true);
            groups.insert(group, parent);
        }
        auto *item = new QTreeWidgetItem(parent, {t.name, t.firstStep < 0 ? QString() : tr("%1–%2").arg(t.firstStep).arg(t.lastStep)});
        item->setData(0, TensorNameRole, t.name);
        if (keep.contains(t.name))
            item->setSelected(true);
        // Weights first: the most common thing to look at.
        if (!first || (t.collection == QLatin1String("weights") && first->parent()->text(0) != QLatin1String("weights")))
            first = item;
    }
    if (keep.isEmpty() && first)
        first->setSelected(true);
    m_reloading = false;
    reloadSeries();
    reloadRules();
}

QStringList DebuggerPanel::selectedTensors() const
{
    QStringList out;
    // In tree order (stable), not in the order of clicking.
    QTreeWidgetItemIterator it(m_tensors, QTreeWidgetItemIterator::Selected);
    for (; *it; ++it)
        if ((*it)->data(0, TensorNameRole).isValid())
            out << (*it)->data(0, TensorNameRole).toString();
    return out;
}

bool DebuggerPanel::selectRun(const QString &uuid)
{
    reloadRuns();
    try {
        const qint64 id = context()->store().run(uuid).id;
        const int i = m_runCombo->findData(id);
        if (i < 0)
            return false;
        m_runCombo->setCurrentIndex(i);
        if (m_shownRun != id)
            reloadTensors();
        return true;
    } catch (const Error &) {
        return false;
    }
}

bool DebuggerPanel::selectCompareRun(const QString &uuid)
{
    try {
        const int i = m_compareCombo->findData(context()->store().run(uuid).id);
        if (i < 0)
            return false;
        m_compareCombo->setCurrentIndex(i);
        return true;
    } catch (const Error &) {
        return false;
    }
}

bool DebuggerPanel::selectTensors(const QStringList &names)
{
    m_reloading = true;
    m_tensors->clearSelection();
    int found = 0;
    QTreeWidgetItemIterator it(m_tensors);
    for (; *it; ++it)
        if (names.contains((*it)->data(0, TensorNameRole).toString())) {
            (*it)->setSelected(true);
            m_tensors->scrollToItem(*it);
            ++found;
        }
    m_reloading = false;
    reloadSeries();
    return found == names.size();
}

void DebuggerPanel::reloadSeries()
{
    const QStringList names = selectedTensors();
    const qint64 run = runId(m_runCombo), other = runId(m_compareCombo);
    const qint64 keepStep = currentStep();
    const bool atEnd = m_slider->value() >= m_slider->maximum();
    m_series.clear();
    m_compareSeries = {};
    if (context()->hasWorkspace() && run >= 0) {
        try {
            TensorStore ts(context()->store());
            for (const QString &name : names)
                if (const auto info = ts.tensor(run, name))
                    m_series.insert(name, ts.series(info->id));
            if (!names.isEmpty() && other >= 0)
                if (const auto info = ts.tensor(other, names.first()))
                    m_compareSeries = ts.series(info->id);
        } catch (const Error &e) {
            Q_EMIT context()->statusMessage(e.message());
        }
    }
    const TensorSeries primary = names.isEmpty() ? TensorSeries() : m_series.value(names.first());
    m_heatmap->setSeries(primary);
    m_offset->setSeries(primary, names.isEmpty() ? QString() : names.first());
    m_offset->setComparison(m_compareSeries, m_compareCombo->currentText());
    m_compareHeatmap->setSeries(primary);
    m_compareOther->setSeries(m_compareSeries);
    if (!m_compareSeries.samples.empty() && !primary.samples.empty()) {
        // One value axis for both runs, so that widths compare at a glance.
        QCPRange both = m_compareHeatmap->yAxis->range();
        both.expand(m_compareOther->yAxis->range());
        for (HistogramHeatmap *map : {m_compareHeatmap, m_compareOther}) {
            map->yAxis->setRange(both);
            map->replot();
        }
    }
    if (names.isEmpty())
        m_compareLabel->setText(tr("Select a tensor to compare"));
    else if (other < 0)
        m_compareLabel->setText(tr("Choose a run to compare with above"));
    else
        m_compareLabel->setText(tr("%1: left %2, right %3%4")
                                    .arg(names.first(), m_runCombo->currentText(), m_compareCombo->currentText(),
                                         m_compareSeries.samples.empty() ? tr(" (no such tensor there)") : QString()));
    {
        QSignalBlocker block(m_slider);
        const int n = int(primary.samples.size());
        m_slider->setEnabled(n > 0);
        m_slider->setRange(0, std::max(0, n - 1));
        int index = n - 1;
        if (!atEnd && keepStep >= 0)
            for (int i = 0; i < n; ++i)
                if (primary.samples[size_t(i)].step <= keepStep)
                    index = i;
        m_slider->setValue(std::max(0, index));
    }
    updateCurves();
    updateStep();
}

void DebuggerPanel::updateCurves()
{
    QList<gui::CurvePlot::Curve> curves;
    const int which = m_reduction->currentIndex();
    const QString runLabel = m_runCombo->currentText().section(QStringLiteral(" · "), 0, 0);
    auto curveOf = [&](const QString &label, const TensorSeries &s) {
        gui::CurvePlot::Curve c;
        c.name = label;
        for (const auto &sample : s.samples) {
            const double v = reduction(sample, which);
            if (std::isfinite(v)) {
                c.x << double(sample.step);
                c.y << v;
            }
        }
        return c;
    };
    const QStringList names = selectedTensors();
    for (const QString &name : names)
        if (m_series.contains(name))
            curves << curveOf(m_compareSeries.samples.empty() ? name : tr("%1 (%2)").arg(name, runLabel), m_series.value(name));
    if (!m_compareSeries.samples.empty())
        curves << curveOf(tr("%1 (%2)").arg(m_compareSeries.info.name, m_compareCombo->currentText().section(QStringLiteral(" · "), 0, 0)),
                          m_compareSeries);
    m_curves->setLabels(tr("step"), m_reduction->currentText());
    m_curves->setCurves(curves);
    m_curves->legend->setVisible(curves.size() > 1);
    m_curves->replot();
}

void DebuggerPanel::updateStep()
{
    const QStringList names = selectedTensors();
    const int i = m_slider->value();
    m_offset->setCurrent(i);
    const qint64 step = currentStep();
    m_heatmap->setMarker(step);
    m_compareHeatmap->setMarker(step);
    m_compareOther->setMarker(step);
    if (step < 0) {
        m_stepLabel->clear();
        return;
    }
    const TensorSample s = m_series.value(names.first()).samples[size_t(i)]; // a copy: value() returns a temporary series
    m_stepLabel->setText(tr("step %1 · mean %2 · std %3 · min %4 · max %5 · zeros %6% · NaN %7")
                             .arg(s.step)
                             .arg(s.mean, 0, 'g', 4)
                             .arg(s.std, 0, 'g', 4)
                             .arg(s.min, 0, 'g', 4)
                             .arg(s.max, 0, 'g', 4)
                             .arg(s.zeroFraction() * 100, 0, 'f', 1)
                             .arg(s.nanCount));
}

void DebuggerPanel::reloadRules()
{
    m_results.clear();
    const qint64 run = runId(m_runCombo);
    if (run >= 0 && context()->hasWorkspace()) {
        try {
            m_results = TensorStore(context()->store()).ruleResults(run);
        } catch (const Error &e) {
            Q_EMIT context()->statusMessage(e.message());
        }
    }
    const QString current = m_rules->currentItem() ? m_rules->currentItem()->text(0) : QString();
    QSignalBlocker block(m_rules);
    m_rules->clear();
    for (int i = 0; i < m_results.size(); ++i) {
        const RuleResult &r = m_results.at(i);
        auto *item = new QTreeWidgetItem(m_rules, {r.rule, statusText(r.status), r.step >= 0 ? QString::number(r.step) : QString()});
        item->setIcon(1, statusIcon(r.status));
        item->setData(0, RuleIndexRole, i);
        item->setToolTip(0, r.message);
        if (r.rule == current)
            m_rules->setCurrentItem(item);
    }
    if (m_results.isEmpty())
        m_ruleText->setText(tr("No rules were evaluated on this run. Configure rules for a training job, or press "
                               "“Evaluate all rules”."));
    else if (!m_rules->currentItem())
        m_ruleText->setText(tr("%n rule(s) found issues; click one to jump to the step where it fired.", nullptr,
                               int(std::count_if(m_results.begin(), m_results.end(),
                                                 [](const RuleResult &r) { return r.status == RuleStatus::IssuesFound; }))));
}

void DebuggerPanel::onRuleClicked(QTreeWidgetItem *item)
{
    if (!item)
        return;
    const int i = item->data(0, RuleIndexRole).toInt();
    if (i < 0 || i >= m_results.size())
        return;
    const RuleResult r = m_results.at(i);
    m_ruleText->setText(r.message.isEmpty() ? statusText(r.status) : r.message);
    if (r.step < 0)
        return;
    // Jump: show the tensor it fired on (if it is one) at that step.
    bool isTensor = false;
    for (const TensorInfo &t : std::as_const(m_tensorInfos))
        isTensor = isTensor || t.name == r.tensor;
    if (isTensor && selectedTensors().value(0) != r.tensor)
        selectTensors({r.tensor});
    const QStringList names = selectedTensors();
    if (!names.isEmpty() && m_series.contains(names.first())) {
        const auto &samples = m_series.value(names.first()).samples;
        int index = 0;
        for (int k = 0; k < int(samples.size()); ++k)
            if (samples[size_t(k)].step <= r.step)
                index = k;
        m_slider->setValue(index);
        updateStep();
    }
    m_tabs->setCurrentIndex(isTensor ? 1 : 2);
}

void DebuggerPanel::evaluateRules()
{
    const qint64 run = runId(m_runCombo);
    if (run < 0 || m_watcher.isRunning() || !context()->hasWorkspace())
        return;
    m_evaluate->setEnabled(false);
    const QString path = context()->store().databasePath();
    // Off the GUI thread, with its own connection: a long run's data takes a while to walk.
    m_watcher.setFuture(QtConcurrent::run([path, run]() -> QString {
        try {
            ExperimentStore store(path);
            RuleRunner::evaluateRun(store, run);
            return {};
        } catch (const Error &e) {
            return e.message();
        }
    }));
}

void DebuggerPanel::checkNotifications()
{
    if (!context()->hasWorkspace())
        return;
    QList<QPair<qint64, RuleResult>> issues;
    try {
        issues = TensorStore(context()->store()).issuesSince(m_noticeSince);
    } catch (const Error &) {
        return;
    }
    QStringList lines;
    for (const auto &[run, r] : issues) {
        m_noticeSince = std::max(m_noticeSince, r.updatedTime);
        if (!r.actions.contains(QStringLiteral("notify")) && !r.actions.contains(QStringLiteral("stop")))
            continue;
        QString name;
        const QList<Run> runs = context()->store().runsByIds({run});
        if (!runs.isEmpty())
            name = runs.first().name.isEmpty() ? runs.first().uuid.left(8) : runs.first().name;
        lines << tr("Rule %1 found an issue in run %2 at step %3%4").arg(r.rule, name).arg(r.step)
                     .arg(r.actions.contains(QStringLiteral("stop")) ? tr(" (the job was stopped)") : QString());
    }
    if (lines.isEmpty())
        return;
    m_notice->setText(lines.join(QLatin1Char('\n')));
    m_notice->setVisible(true);
    Q_EMIT context()->statusMessage(lines.last(), 10000);
    reloadRules();
}

} // namespace cairn::panels
