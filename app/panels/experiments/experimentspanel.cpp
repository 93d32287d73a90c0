#include "experimentspanel.h"

#include "columnsdialog.h"
#include "compareview.h"
#include "experimentlistmodel.h"
#include "filterlineedit.h"
#include "rundetailview.h"
#include "runstablemodel.h"
#include "threadstore.h"

#include "metriccatalog.h"
#include "studiocontext.h"

#include "cairn/registry/modelregistry.h"
#include "cairn/store/runexport.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>

// The panel's icons live in a resource compiled into this static library: pull it in explicitly,
// a linker drops unreferenced objects of static libraries.
static void initExperimentsResources()
{
    Q_INIT_RESOURCE(experiments);
}

namespace cairn::panels {

namespace {

QToolButton *toolButton(QWidget *parent, QStyle::StandardPixmap icon, const QString &text, const QString &tip)
{
    auto *button = new QToolButton(parent);
    button->setIcon(parent->style()->standardIcon(icon));
    button->setText(text);
    button->setToolTip(tip);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAutoRaise(true);
    return button;
}

struct KeySets
{
    int request = 0;
    QStringList metrics, params, tags;
};

} // namespace

ExperimentsPanel::ExperimentsPanel(gui::StudioContext *context, QWidget *parent)
    : gui::Panel(context, parent), m_experimentsModel(new ExperimentListModel(this)), m_runsModel(new RunsTableModel(this)),
      m_selectionTimer(new QTimer(this))
{
    initExperimentsResources();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setChildrenCollapsible(false);
    layout->addWidget(split);

    auto *experimentsSide = new QWidget(split);
    buildExperimentsSide(experimentsSide);
    auto *runsSide = new QSplitter(Qt::Vertical, split);
    runsSide->setChildrenCollapsible(false);
    auto *tableSide = new QWidget(runsSide);
    buildRunsSide(tableSide);
    m_sideTabs = new QTabWidget(runsSide);
    m_sideTabs->setDocumentMode(true);
    m_detail = new RunDetailView(context, m_sideTabs);
    m_compare = new CompareView(context, m_sideTabs);
    m_sideTabs->addTab(m_detail, tr("Run"));
    m_sideTabs->addTab(m_compare, tr("Compare"));
    m_sideTabs->setTabEnabled(1, false);
    runsSide->addWidget(tableSide);
    runsSide->addWidget(m_sideTabs);
    runsSide->setStretchFactor(0, 5);
    runsSide->setStretchFactor(1, 4);
    split->addWidget(experimentsSide);
    split->addWidget(runsSide);
    split->setStretchFactor(1, 1);
    split->setSizes({230, 1100});
    runsSide->setSizes({480, 380});

    m_selectionTimer->setSingleShot(true);
    m_selectionTimer->setInterval(120);
    connect(m_selectionTimer, &QTimer::timeout, this, &ExperimentsPanel::updateSidePane);
    // Running runs' durations count up every second, whether or not they log anything.
    auto *clock = new QTimer(this);
    clock->setInterval(1000);
    connect(clock, &QTimer::timeout, this, [this] {
        if (isVisible())
            m_runsModel->tickRunningDurations();
    });
    clock->start();
    connect(m_detail, &RunDetailView::runRequested, this, &ExperimentsPanel::showRun);
    connect(m_compare, &CompareView::selectRunsRequested, this, &ExperimentsPanel::selectRuns);

    connect(context, &gui::StudioContext::workspaceChanged, this, &ExperimentsPanel::onWorkspaceChanged);
    connect(context, &gui::StudioContext::storeChanged, this, &ExperimentsPanel::onStoreChanged);
    connect(context, &gui::StudioContext::showRunRequested, this, &ExperimentsPanel::showRun);
    if (context->hasWorkspace())
        onWorkspaceChanged();
}

ExperimentsPanel::~ExperimentsPanel() = default;

QIcon ExperimentsPanel::icon() const
{
    return QIcon(QStringLiteral(":/cairn/icons/experiments.svg"));
}

void ExperimentsPanel::buildExperimentsSide(QWidget *side)
{
    auto *layout = new QVBoxLayout(side);
    layout->setContentsMargins(4, 4, 0, 4);
    auto *bar = new QHBoxLayout;
    auto *heading = new QLabel(QStringLiteral("<b>%1</b>").arg(tr("Experiments")), side);
    bar->addWidget(heading);
    bar->addStretch(1);
    auto *add = toolButton(side, QStyle::SP_FileDialogNewFolder, tr("New"), tr("Create an experiment"));
    add->setToolButtonStyle(Qt::ToolButtonIconOnly);
    auto *rename = toolButton(side, QStyle::SP_FileDialogDetailedView, tr("Rename"), tr("Rename the selected experiment"));
    rename->setToolButtonStyle(Qt::ToolButtonIconOnly);
    auto *remove = toolButton(side, QStyle::SP_TrashIcon, tr("Delete"), tr("Delete the selected experiments (they can be restored)"));
    remove->setToolButtonStyle(Qt::ToolButtonIconOnly);
    bar->addWidget(add);
    bar->addWidget(rename);
    bar->addWidget(remove);
    layout->addLayout(bar);
    connect(add, &QToolButton::clicked, this, &ExperimentsPanel::newExperiment);
    connect(rename, &QToolButton::clicked, this, &ExperimentsPanel::renameExperiment);
    connect(remove, &QToolButton::clicked, this, &ExperimentsPanel::deleteExperiments);

    m_experimentsView = new QTreeView(side);
    m_experimentsView->setModel(m_experimentsModel);
    m_experimentsView->setRootIsDecorated(false);
    m_experimentsView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_experimentsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_experimentsView->setUniformRowHeights(true);
    m_experimentsView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_experimentsView->header()->setStretchLastSection(false);
    m_experimentsView->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_experimentsView->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_experimentsView->setToolTip(tr("Ctrl+click to show the runs of several experiments together"));
    layout->addWidget(m_experimentsView, 1);
    connect(m_experimentsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ExperimentsPanel::experimentSelectionChanged);
    connect(m_experimentsView, &QTreeView::customContextMenuRequested, this, &ExperimentsPanel::experimentsContextMenu);

    m_showDeletedExperiments = new QCheckBox(tr("Show deleted experiments"), side);
    layout->addWidget(m_showDeletedExperiments);
    connect(m_showDeletedExperiments, &QCheckBox::toggled, this, &ExperimentsPanel::reloadExperiments);
}

void ExperimentsPanel::buildRunsSide(QWidget *side)
{
    auto *layout = new QVBoxLayout(side);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->setSpacing(3);

    auto *filterRow = new QHBoxLayout;
    m_filter = new FilterLineEdit(side);
    m_filter->setPlaceholderText(tr("Filter runs, e.g.  metrics.accuracy > 0.9 and params.model = 'xgboost'   (Ctrl+Space completes)"));
    m_filter->setToolTip(tr("<p>The search language:</p>"
                            "<pre>metrics.acc &gt; 0.9 and params.eta = '0.1'\n"
                            "tags.model = 'xgb' or status = 'RUNNING'\n"
                            "name LIKE 'resnet%' and not metrics.loss IS NULL\n"
                            "params.optimizer IN ('adam', 'sgd')</pre>"
                            "<p>Keys with spaces go in backticks: metrics.`val loss`. Press Enter to apply.</p>"));
    auto *apply = new QPushButton(tr("Apply"), side);
    apply->setToolTip(tr("Apply the filter (Enter)"));
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(apply);
    layout->addLayout(filterRow);
    connect(m_filter, &QLineEdit::returnPressed, this, &ExperimentsPanel::applyFilter);
    connect(apply, &QPushButton::clicked, this, &ExperimentsPanel::applyFilter);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        // An emptied filter (the clear button) applies at once; errors clear on editing.
        if (text.isEmpty() && !m_appliedFilter.isEmpty())
            applyFilter();
        m_filter->setErrorState(false);
        m_filterError->hide();
    });

    m_filterError = new QLabel(side);
    m_filterError->setTextFormat(Qt::RichText);
    m_filterError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_filterError->setStyleSheet(QStringLiteral("QLabel { color: #d63a3a; }"));
    m_filterError->setWordWrap(true);
    m_filterError->hide();
    layout->addWidget(m_filterError);

    auto *bar = new QHBoxLayout;
    m_viewType = new QComboBox(side);
    m_viewType->addItem(tr("Active runs"), int(ViewType::ActiveOnly));
    m_viewType->addItem(tr("Deleted runs"), int(ViewType::DeletedOnly));
    m_viewType->addItem(tr("All runs"), int(ViewType::All));
    m_nest = new QCheckBox(tr("Group child runs under parents"), side);
    m_nest->setChecked(true);
    m_nest->setToolTip(tr("Tuning trials and other child runs sit under their parent run; "
                          "while a filter is applied, matching runs are listed flat."));
    auto *columns = toolButton(side, QStyle::SP_FileDialogListView, tr("Columns…"), tr("Pick the metric, parameter and tag columns"));
    auto *exportCsv = toolButton(side, QStyle::SP_DialogSaveButton, tr("Export CSV…"), tr("Save every matching run as CSV"));
    auto *compare = toolButton(side, QStyle::SP_FileDialogContentsView, tr("Compare"), tr("Compare the selected runs"));
    m_countLabel = new QLabel(side);
    bar->addWidget(m_viewType);
    bar->addWidget(m_nest);
    bar->addWidget(columns);
    bar->addWidget(exportCsv);
    bar->addWidget(compare);
    bar->addStretch(1);
    bar->addWidget(m_countLabel);
    layout->addLayout(bar);
    connect(m_viewType, &QComboBox::currentIndexChanged, this, &ExperimentsPanel::runQuery);
    connect(m_nest, &QCheckBox::toggled, m_runsModel, &RunsTableModel::setNestChildren);
    connect(columns, &QToolButton::clicked, this, &ExperimentsPanel::chooseColumns);
    connect(exportCsv, &QToolButton::clicked, this, &ExperimentsPanel::exportCsvInteractively);
    connect(compare, &QToolButton::clicked, this, [this] {
        if (selectedRunIds().size() < 2) {
            Q_EMIT context()->statusMessage(tr("Select two or more runs to compare them (Ctrl+click or Shift+click)."), 5000);
            return;
        }
        updateSidePane();
        m_sideTabs->setCurrentWidget(m_compare);
    });

    m_runsView = new QTreeView(side);
    m_runsView->setModel(m_runsModel);
    m_runsView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_runsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runsView->setUniformRowHeights(true);
    m_runsView->setAlternatingRowColors(true);
    m_runsView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_runsView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_runsView->setAllColumnsShowFocus(true);
    m_runsView->header()->setSectionsMovable(true);
    m_runsView->header()->setSortIndicator(2, Qt::DescendingOrder); // newest first, as the store lists
    m_runsView->setSortingEnabled(true);
    m_runsView->header()->setDefaultSectionSize(110);
    m_runsView->header()->resizeSection(0, 200);
    m_runsView->header()->resizeSection(1, 90);
    m_runsView->header()->resizeSection(2, 140);
    m_runsView->header()->resizeSection(3, 70);
    m_runsView->header()->resizeSection(4, 140);
    layout->addWidget(m_runsView, 1);
    connect(m_runsView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] { m_selectionTimer->start(); });
    connect(m_runsView, &QTreeView::customContextMenuRequested, this, &ExperimentsPanel::runsContextMenu);
    connect(m_runsView, &QTreeView::doubleClicked, this, [this] {
        m_sideTabs->setCurrentWidget(m_detail);
    });

    connect(m_runsModel, &RunsTableModel::queryFailed, this, [this](const QString &message, int position) {
        m_filterError->setText(position >= 0 ? tr("Filter error at position %1: %2").arg(position + 1).arg(message.toHtmlEscaped())
                                             : message.toHtmlEscaped());
        m_filterError->show();
        m_filter->setErrorState(position >= 0);
    });
    connect(m_runsModel, &RunsTableModel::loadingChanged, this, [this] { updateCount(); });
    connect(m_runsModel, &RunsTableModel::loaded, this, [this] {
        updateCount();
        if (!m_keepSelected.isEmpty()) {
            const QList<qint64> keep(m_keepSelected.cbegin(), m_keepSelected.cend());
            m_keepSelected.clear();
            selectRuns(keep);
        }
        if (m_pendingShowRun >= 0) {
            const QModelIndex index = m_runsModel->indexOfRun(m_pendingShowRun);
            m_pendingShowRun = -1;
            if (index.isValid()) {
                m_runsView->setCurrentIndex(index);
                m_runsView->scrollTo(index);
            }
        }
        // Open on the latest run rather than on an empty side pane.
        if (!m_runsView->selectionModel()->hasSelection() && m_runsModel->rowCount() > 0)
            m_runsView->setCurrentIndex(m_runsModel->index(0, 0));
    });
    connect(m_runsModel, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const QList<qint64> ids = selectedRunIds();
        m_keepSelected = QSet<qint64>(ids.cbegin(), ids.cend());
    });
    connect(m_runsModel, &QAbstractItemModel::modelReset, this, [this] {
        // New columns reset the model without a query: the rows are the same, keep them selected.
        if (!m_runsModel->isLoading() && !m_keepSelected.isEmpty()) {
            const QList<qint64> keep(m_keepSelected.cbegin(), m_keepSelected.cend());
            m_keepSelected.clear();
            selectRuns(keep);
        }
    });
    connect(m_runsModel, &RunsTableModel::aboutToRefresh, this, [this] {
        // Keep the row at the top of the view where it is while rows come and go above it.
        m_anchorRun = -1;
        if (m_runsView->verticalScrollBar()->value() == 0)
            return; // at the top, new runs should show up
        const QModelIndex top = m_runsView->indexAt(QPoint(4, 4));
        if (!top.isValid())
            return;
        m_anchorRun = top.data(RunsTableModel::RunIdRole).toLongLong();
        m_anchorOffset = m_runsView->visualRect(top).top();
    });
    connect(m_runsModel, &RunsTableModel::refreshed, this, [this] {
        if (m_anchorRun < 0)
            return;
        const QModelIndex index = m_runsModel->indexOfRun(m_anchorRun);
        if (!index.isValid())
            return;
        const int delta = m_runsView->visualRect(index).top() - m_anchorOffset;
        if (delta != 0)
            m_runsView->verticalScrollBar()->setValue(m_runsView->verticalScrollBar()->value() + delta);
    });
}

// ---- Workspace and live refresh ----------------------------------------------------------------

void ExperimentsPanel::onWorkspaceChanged()
{
    m_runsModel->setStore(nullptr);
    m_detail->clear();
    m_sideTabs->setTabEnabled(1, false);
    if (!context()->hasWorkspace()) {
        m_experimentsModel->clear();
        return;
    }
    m_runsModel->setStore(&context()->store());
    // Another workspace (or the same one again): nothing selected carries over.
    m_experimentsModel->clear();
    reloadExperiments();
    if (selectedExperimentIds().isEmpty() && m_experimentsModel->rowCount() > 0) {
        // The experiment with the most recent activity is the likely one to look at.
        int best = 0;
        for (int row = 1; row < m_experimentsModel->rowCount(); ++row)
            if (m_experimentsModel->experimentAt(row).lastUpdateTime > m_experimentsModel->experimentAt(best).lastUpdateTime
                && m_experimentsModel->experimentAt(row).runCount > 0)
                best = row;
        if (m_experimentsModel->experimentAt(best).runCount == 0)
            for (int row = 0; row < m_experimentsModel->rowCount(); ++row)
                if (m_experimentsModel->experimentAt(row).runCount > 0) {
                    best = row;
                    break;
                }
        selectExperiments({m_experimentsModel->experimentAt(best).id});
    }
}

void ExperimentsPanel::onStoreChanged()
{
    if (!context()->hasWorkspace())
        return;
    reloadExperiments();
    m_runsModel->refresh();
    if (!m_columnsFromSettings)
        loadKeys(); // new metrics may make better default columns
    if (m_sideTabs->currentWidget() == m_detail)
        m_detail->reload();
    else
        m_compare->reload();
}

void ExperimentsPanel::reloadExperiments()
{
    if (!context()->hasWorkspace())
        return;
    const QList<qint64> selected = selectedExperimentIds();
    try {
        m_experimentsModel->reload(context()->store(),
                                   m_showDeletedExperiments->isChecked() ? ViewType::All : ViewType::ActiveOnly);
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(tr("Cannot read the experiments: %1").arg(e.message()), 8000);
        return;
    }
    if (selectedExperimentIds() != selected && !selected.isEmpty())
        selectExperiments(selected);
}

void ExperimentsPanel::selectExperiments(const QList<qint64> &ids)
{
    QItemSelection selection;
    for (qint64 id : ids) {
        const int row = m_experimentsModel->rowOf(id);
        if (row >= 0)
            selection.select(m_experimentsModel->index(row, 0), m_experimentsModel->index(row, 1));
    }
    m_experimentsView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!selection.isEmpty())
        m_experimentsView->selectionModel()->setCurrentIndex(selection.first().topLeft(), QItemSelectionModel::NoUpdate);
}

QList<qint64> ExperimentsPanel::selectedExperimentIds() const
{
    QList<qint64> ids;
    for (const QModelIndex &index : m_experimentsView->selectionModel()->selectedRows())
        ids << index.data(ExperimentListModel::ExperimentIdRole).toLongLong();
    std::sort(ids.begin(), ids.end());
    return ids;
}

void ExperimentsPanel::experimentSelectionChanged()
{
    // Columns are remembered per experiment (the first one selected).
    QList<RunColumn> columns;
    const QVariant saved = QSettings().value(columnsSettingsKey());
    m_columnsFromSettings = saved.isValid();
    for (const QString &spec : saved.toStringList())
        if (auto column = RunColumn::fromSpec(spec); column && column->isKeyed())
            columns << *column;
    m_runsModel->setExtraColumns(columns);
    runQuery();
    loadKeys();
}

void ExperimentsPanel::loadKeys()
{
    if (!context()->hasWorkspace())
        return;
    // DISTINCT over every param of 10k runs is not a GUI-thread query.
    const QString path = context()->store().databasePath();
    const QList<qint64> experiments = selectedExperimentIds();
    if (m_keysLoading) {
        m_keysDirty = true; // the store changes faster than keys load while jobs log
        return;
    }
    m_keysLoading = true;
    const int request = ++m_keysRequest;
    auto *watcher = new QFutureWatcher<KeySets>(this);
    connect(watcher, &QFutureWatcher<KeySets>::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_keysLoading = false;
        const KeySets keys = watcher->result();
        if (m_keysDirty) {
            m_keysDirty = false;
            loadKeys();
        }
        if (keys.request != m_keysRequest)
            return;
        m_filter->setKeys(keys.metrics, keys.params, keys.tags);
        if (!m_columnsFromSettings) {
            // Until the user picks: the validation metrics that rank runs (never feature
            // importance or training times first), then the first params.
            QList<RunColumn> columns;
            for (const QString &k : gui::MetricCatalog::rankForTable(keys.metrics))
                if (columns.size() < 4 && !gui::MetricCatalog::isSingleValue(k))
                    columns << RunColumn{RunColumn::Metric, k};
            for (const QString &k : keys.params.mid(0, 4))
                columns << RunColumn{RunColumn::Param, k};
            if (columns != m_runsModel->extraColumns())
                m_runsModel->setExtraColumns(columns);
        }
    });
    watcher->setFuture(QtConcurrent::run([path, experiments, request] {
        KeySets keys;
        keys.request = request;
        try {
            ExperimentStore &store = threadStore(path);
            keys.metrics = store.metricKeys(experiments);
            keys.params = store.paramKeys(experiments);
            keys.tags = store.tagKeys(experiments);
        } catch (const std::exception &) {
        }
        return keys;
    }));
}

bool ExperimentsPanel::applyFilter()
{
    const QString text = m_filter->text().trimmed();
    try {
        SearchFilter::compile(text); // parse here: the error shows at once, with its position
    } catch (const SearchSyntaxError &e) {
        m_filterError->setText(tr("Filter error at position %1: %2<br><code style='white-space:pre'>%3</code>")
                                   .arg(e.position() + 1)
                                   .arg(e.what_().toHtmlEscaped(), e.pointAt(text).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"))));
        m_filterError->show();
        m_filter->setErrorState(true);
        m_filter->setCursorPosition(std::min<int>(e.position(), int(text.size())));
        return false;
    }
    m_filterError->hide();
    m_filter->setErrorState(false);
    m_appliedFilter = text;
    runQuery();
    return true;
}

void ExperimentsPanel::runQuery()
{
    if (!context()->hasWorkspace())
        return;
    RunQuery query = m_runsModel->query();
    query.experimentIds = selectedExperimentIds();
    query.filter = m_appliedFilter;
    query.view = ViewType(m_viewType->currentData().toInt());
    if (query.experimentIds.isEmpty()) {
        m_runsModel->setStore(nullptr);
        updateCount();
        return;
    }
    if (m_runsModel->store() != &context()->store())
        m_runsModel->setStore(&context()->store());
    m_runsModel->setQuery(query);
}

void ExperimentsPanel::updateCount()
{
    if (m_runsModel->isLoading()) {
        m_countLabel->setText(tr("Loading…"));
        return;
    }
    const qint64 n = m_runsModel->totalCount();
    QString text = tr("%n runs", nullptr, int(n));
    if (!m_appliedFilter.isEmpty())
        text = tr("%n matching", nullptr, int(n));
    m_countLabel->setText(text);
    m_countLabel->setToolTip(tr("The query took %1 ms in the background").arg(m_runsModel->lastQueryMs()));
}

// ---- Selection and the side pane ---------------------------------------------------------------

QList<qint64> ExperimentsPanel::selectedRunIds() const
{
    QList<qint64> ids;
    for (const QModelIndex &index : m_runsView->selectionModel()->selectedRows())
        ids << index.data(RunsTableModel::RunIdRole).toLongLong();
    return ids;
}

QList<Run> ExperimentsPanel::selectedRuns() const
{
    QList<Run> runs;
    for (const QModelIndex &index : m_runsView->selectionModel()->selectedRows())
        if (const RunRow *row = m_runsModel->rowAt(index))
            runs << row->run;
    // Table order, not click order.
    std::sort(runs.begin(), runs.end(), [this](const Run &a, const Run &b) {
        const QModelIndex ia = m_runsModel->indexOfRun(a.id), ib = m_runsModel->indexOfRun(b.id);
        if (ia.parent() != ib.parent())
            return (ia.parent().isValid() ? ia.parent().row() : ia.row()) < (ib.parent().isValid() ? ib.parent().row() : ib.row());
        return ia.row() < ib.row();
    });
    return runs;
}

void ExperimentsPanel::selectRuns(const QList<qint64> &ids)
{
    QItemSelection selection;
    const int last = m_runsModel->columnCount() - 1;
    for (qint64 id : ids) {
        const QModelIndex index = m_runsModel->indexOfRun(id);
        if (index.isValid())
            selection.select(index, index.siblingAtColumn(last));
    }
    m_runsView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!selection.isEmpty())
        m_runsView->selectionModel()->setCurrentIndex(selection.first().topLeft(), QItemSelectionModel::NoUpdate);
}

void ExperimentsPanel::updateSidePane()
{
    m_selectionTimer->stop();
    const QList<Run> runs = selectedRuns();
    m_sideTabs->setTabEnabled(1, runs.size() >= 2);
    m_sideTabs->setTabText(1, runs.size() >= 2 ? tr("Compare (%1)").arg(runs.size()) : tr("Compare"));
    if (runs.isEmpty()) {
        m_detail->clear();
        m_sideTabs->setCurrentWidget(m_detail);
        return;
    }
    if (runs.size() == 1) {
        m_detail->showRun(runs.first().id);
        m_sideTabs->setCurrentWidget(m_detail);
        return;
    }
    const QModelIndex current = m_runsView->currentIndex();
    if (current.isValid())
        m_detail->showRun(current.data(RunsTableModel::RunIdRole).toLongLong());
    m_compare->setRuns(runs);
    m_sideTabs->setCurrentWidget(m_compare);
}

void ExperimentsPanel::showRun(const QString &uuid)
{
    if (!context()->hasWorkspace())
        return;
    try {
        const Run run = context()->store().run(uuid);
        const QModelIndex index = m_runsModel->indexOfRun(run.id);
        if (index.isValid()) {
            m_runsView->setCurrentIndex(index);
            m_runsView->scrollTo(index);
            return;
        }
        if (!run.parentUuid.isEmpty()) {
            // A trial under its parent: open the parent, then select the trial.
            const Run parent = context()->store().run(run.parentUuid);
            const QModelIndex parentIndex = m_runsModel->indexOfRun(parent.id);
            if (parentIndex.isValid()) {
                m_runsView->expand(parentIndex);
                const QModelIndex child = m_runsModel->indexOfRun(run.id);
                if (child.isValid()) {
                    m_runsView->setCurrentIndex(child);
                    m_runsView->scrollTo(child);
                    return;
                }
            }
        }
        // Not in the table as filtered: show the run's experiment, unfiltered.
        m_filter->clear();
        m_appliedFilter.clear();
        m_pendingShowRun = run.id;
        if (!selectedExperimentIds().contains(run.experimentId))
            selectExperiments({run.experimentId});
        else
            runQuery();
        m_detail->showRun(run.id);
        m_sideTabs->setCurrentWidget(m_detail);
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(e.message(), 6000);
    }
}

// ---- Columns and export ------------------------------------------------------------------------

QString ExperimentsPanel::columnsSettingsKey() const
{
    const QByteArray workspace = QCryptographicHash::hash(context()->workspacePath().toUtf8(), QCryptographicHash::Sha1).toHex().left(12);
    const QList<qint64> ids = selectedExperimentIds();
    return QStringLiteral("experiments/columns/%1/%2").arg(QString::fromLatin1(workspace)).arg(ids.isEmpty() ? -1 : ids.first());
}

void ExperimentsPanel::setExtraColumns(const QList<RunColumn> &columns)
{
    QStringList specs;
    for (const RunColumn &c : columns)
        specs << c.spec();
    QSettings().setValue(columnsSettingsKey(), specs);
    m_columnsFromSettings = true;
    m_runsModel->setExtraColumns(columns);
}

void ExperimentsPanel::chooseColumns()
{
    if (!context()->hasWorkspace())
        return;
    QStringList params, metrics, tags;
    try {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        const QList<qint64> experiments = selectedExperimentIds();
        metrics = context()->store().metricKeys(experiments);
        params = context()->store().paramKeys(experiments);
        tags = context()->store().tagKeys(experiments);
        QApplication::restoreOverrideCursor();
    } catch (const Error &e) {
        QApplication::restoreOverrideCursor();
        showError(tr("Columns"), e.message());
        return;
    }
    ColumnsDialog dialog(params, metrics, tags, m_runsModel->extraColumns(), this);
    if (dialog.exec() == QDialog::Accepted)
        setExtraColumns(dialog.columns());
}

QString ExperimentsPanel::exportCsv(const QString &path)
{
    try {
        RunQuery query = m_runsModel->query();
        query.topLevelOnly = false;
        const QList<Run> runs = context()->store().searchRuns(query);
        QStringList columns = {QStringLiteral("run_id"), QStringLiteral("name"), QStringLiteral("status"),
                               QStringLiteral("start_time"), QStringLiteral("end_time"), QStringLiteral("duration"),
                               QStringLiteral("source_type"), QStringLiteral("source_ref"), QStringLiteral("host"),
                               QStringLiteral("parent_run_id")};
        for (const RunColumn &c : m_runsModel->extraColumns())
            columns << c.spec();
        const RunTable table = buildRunTable(context()->store(), runs, columns);
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return tr("Cannot write %1: %2").arg(path, file.errorString());
        file.write(table.toCsv().toUtf8());
        if (!file.commit())
            return tr("Cannot write %1: %2").arg(path, file.errorString());
        return {};
    } catch (const Error &e) {
        return e.message();
    }
}

void ExperimentsPanel::exportCsvInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Runs as CSV"), QDir(gui::StudioContext::dialogFolder()).filePath(QStringLiteral("runs.csv")),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    gui::StudioContext::rememberDialogPath(path);
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const QString error = exportCsv(path);
    QApplication::restoreOverrideCursor();
    if (!error.isEmpty())
        showError(tr("Export CSV"), error);
    else
        Q_EMIT context()->statusMessage(tr("Saved %n runs to %1", nullptr, int(m_runsModel->totalCount())).arg(path), 5000);
}

// ---- Menus and actions -------------------------------------------------------------------------

void ExperimentsPanel::showError(const QString &title, const QString &message)
{
    QMessageBox::warning(this, title, message);
}

void ExperimentsPanel::experimentsContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(style()->standardIcon(QStyle::SP_FileDialogNewFolder), tr("New Experiment…"), this, &ExperimentsPanel::newExperiment);
    const QList<qint64> ids = selectedExperimentIds();
    bool anyDeleted = false, anyActive = false;
    for (const QModelIndex &index : m_experimentsView->selectionModel()->selectedRows()) {
        const bool deleted = index.data(ExperimentListModel::DeletedRole).toBool();
        anyDeleted = anyDeleted || deleted;
        anyActive = anyActive || !deleted;
    }
    if (ids.size() == 1)
        menu.addAction(tr("Rename…"), this, &ExperimentsPanel::renameExperiment);
    if (anyActive)
        menu.addAction(style()->standardIcon(QStyle::SP_TrashIcon), tr("Delete"), this, &ExperimentsPanel::deleteExperiments);
    if (anyDeleted)
        menu.addAction(tr("Restore"), this, &ExperimentsPanel::restoreExperiments);
    menu.exec(m_experimentsView->viewport()->mapToGlobal(pos));
}

void ExperimentsPanel::newExperiment()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New Experiment"), tr("Name:"), QLineEdit::Normal, {}, &ok).trimmed();
    if (!ok || name.isEmpty())
        return;
    try {
        const qint64 id = context()->store().createExperiment(name);
        context()->notifyStoreChanged();
        reloadExperiments();
        selectExperiments({id});
    } catch (const Error &e) {
        showError(tr("New Experiment"), e.message());
    }
}

void ExperimentsPanel::renameExperiment()
{
    const QList<qint64> ids = selectedExperimentIds();
    if (ids.size() != 1)
        return;
    const Experiment e = m_experimentsModel->experimentAt(m_experimentsModel->rowOf(ids.first()));
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename Experiment"), tr("New name:"), QLineEdit::Normal, e.name, &ok).trimmed();
    if (!ok || name.isEmpty() || name == e.name)
        return;
    try {
        context()->store().renameExperiment(e.id, name);
        context()->notifyStoreChanged();
    } catch (const Error &err) {
        showError(tr("Rename Experiment"), err.message());
    }
}

void ExperimentsPanel::deleteExperiments()
{
    const QList<qint64> ids = selectedExperimentIds();
    if (ids.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Delete Experiments"),
                              tr("Delete %n experiments? Their runs stay in the workspace; "
                                 "tick \"Show deleted experiments\" to restore them.", nullptr, int(ids.size())))
        != QMessageBox::Yes)
        return;
    try {
        for (qint64 id : ids)
            context()->store().deleteExperiment(id);
    } catch (const Error &e) {
        showError(tr("Delete Experiments"), e.message());
    }
    context()->notifyStoreChanged();
}

void ExperimentsPanel::restoreExperiments()
{
    try {
        for (qint64 id : selectedExperimentIds())
            context()->store().restoreExperiment(id);
    } catch (const Error &e) {
        showError(tr("Restore Experiments"), e.message());
    }
    context()->notifyStoreChanged();
}

void ExperimentsPanel::runsContextMenu(const QPoint &pos)
{
    const QList<Run> runs = selectedRuns();
    QMenu menu(this);
    if (runs.size() == 1) {
        menu.addAction(tr("Show Details"), this, [this] { m_sideTabs->setCurrentWidget(m_detail); });
        menu.addAction(tr("Rename…"), this, &ExperimentsPanel::renameRun);
        // Register and Deploy are the Models panel's; offered where the run has a model.
        const QString uuid = runs.first().uuid;
        bool hasModel = false;
        try {
            hasModel = !resolveModelDir(context()->workspace(), uuid).isEmpty();
        } catch (const Error &) {
        }
        if (hasModel) {
            menu.addAction(tr("Register Model…"), this, [this, uuid] { Q_EMIT context()->registerModelRequested(uuid); });
            menu.addAction(tr("Deploy Model…"), this, [this, uuid] { Q_EMIT context()->deployModelRequested(uuid); });
        }
    }
    if (runs.size() >= 2)
        menu.addAction(tr("Compare %n Runs", nullptr, int(runs.size())), this, [this] {
            updateSidePane();
            m_sideTabs->setCurrentWidget(m_compare);
        });
    if (!runs.isEmpty()) {
        menu.addSeparator();
        menu.addAction(tr("Set Tag…"), this, &ExperimentsPanel::setTagOnSelected);
        menu.addAction(tr("Remove Tag…"), this, &ExperimentsPanel::removeTagFromSelected);
        menu.addSeparator();
        bool anyDeleted = false, anyActive = false;
        for (const Run &r : runs) {
            anyDeleted = anyDeleted || r.lifecycle == Lifecycle::Deleted;
            anyActive = anyActive || r.lifecycle == Lifecycle::Active;
        }
        if (anyActive)
            menu.addAction(style()->standardIcon(QStyle::SP_TrashIcon), tr("Delete"), this, &ExperimentsPanel::deleteSelectedRuns);
        if (anyDeleted)
            menu.addAction(tr("Restore"), this, &ExperimentsPanel::restoreSelectedRuns);
        menu.addSeparator();
        menu.addAction(tr("Copy Run Id"), this, [runs] {
            QStringList ids;
            for (const Run &r : runs)
                ids << r.uuid;
            QApplication::clipboard()->setText(ids.join(QLatin1Char('\n')));
        });
    }
    menu.addAction(tr("Columns…"), this, &ExperimentsPanel::chooseColumns);
    menu.addAction(tr("Export Table as CSV…"), this, &ExperimentsPanel::exportCsvInteractively);
    menu.exec(m_runsView->viewport()->mapToGlobal(pos));
}

void ExperimentsPanel::renameRun()
{
    const QList<Run> runs = selectedRuns();
    if (runs.size() != 1)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename Run"), tr("New name:"), QLineEdit::Normal, runs.first().name, &ok).trimmed();
    if (!ok || name.isEmpty())
        return;
    try {
        context()->store().renameRun(runs.first().uuid, name);
        context()->notifyStoreChanged();
    } catch (const Error &e) {
        showError(tr("Rename Run"), e.message());
    }
}

void ExperimentsPanel::setTagOnSelected()
{
    const QList<Run> runs = selectedRuns();
    if (runs.isEmpty())
        return;
    bool ok = false;
    const QString key = QInputDialog::getText(this, tr("Set Tag"), tr("Tag name (set on %n runs):", nullptr, int(runs.size())),
                                              QLineEdit::Normal, {}, &ok)
                            .trimmed();
    if (!ok || key.isEmpty())
        return;
    const QString value = QInputDialog::getText(this, tr("Set Tag"), tr("Value of %1:").arg(key), QLineEdit::Normal, {}, &ok);
    if (!ok)
        return;
    try {
        context()->store().database().write([&] {
            for (const Run &r : runs)
                context()->store().setTag(r.uuid, key, value);
        });
        context()->notifyStoreChanged();
    } catch (const Error &e) {
        showError(tr("Set Tag"), e.message());
    }
}

void ExperimentsPanel::removeTagFromSelected()
{
    const QList<Run> runs = selectedRuns();
    if (runs.isEmpty())
        return;
    QStringList keys;
    QList<qint64> ids;
    for (const Run &r : runs)
        ids << r.id;
    try {
        const auto tags = context()->store().tagsOf(ids);
        for (const auto &t : tags)
            for (auto it = t.cbegin(); it != t.cend(); ++it)
                if (!keys.contains(it.key()))
                    keys << it.key();
    } catch (const Error &e) {
        showError(tr("Remove Tag"), e.message());
        return;
    }
    if (keys.isEmpty()) {
        Q_EMIT context()->statusMessage(tr("The selected runs have no tags."), 4000);
        return;
    }
    keys.sort();
    bool ok = false;
    const QString key = QInputDialog::getItem(this, tr("Remove Tag"), tr("Tag to remove:"), keys, 0, false, &ok);
    if (!ok)
        return;
    try {
        context()->store().database().write([&] {
            for (const Run &r : runs)
                context()->store().deleteTag(r.uuid, key);
        });
        context()->notifyStoreChanged();
    } catch (const Error &e) {
        showError(tr("Remove Tag"), e.message());
    }
}

void ExperimentsPanel::deleteSelectedRuns()
{
    const QList<Run> runs = selectedRuns();
    if (runs.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Delete Runs"),
                              tr("Delete %n runs? Deleted runs can be restored: choose \"Deleted runs\" above the table.",
                                 nullptr, int(runs.size())))
        != QMessageBox::Yes)
        return;
    try {
        context()->store().database().write([&] {
            for (const Run &r : runs)
                context()->store().deleteRun(r.uuid);
        });
        context()->notifyStoreChanged();
    } catch (const Error &e) {
        showError(tr("Delete Runs"), e.message());
    }
}

void ExperimentsPanel::restoreSelectedRuns()
{
    try {
        const QList<Run> runs = selectedRuns();
        context()->store().database().write([&] {
            for (const Run &r : runs)
                context()->store().restoreRun(r.uuid);
        });
        context()->notifyStoreChanged();
    } catch (const Error &e) {
        showError(tr("Restore Runs"), e.message());
    }
}

} // namespace cairn::panels
